"""Every circle-scoped route refuses people outside the circle, and writes nothing.

The routes come from the app's URL map, so a route added later is covered without
anyone remembering to add it here.
"""
import re
import sqlite3

import pytest


def snapshot(app):
    """Every row of every table, to prove a refused request changed nothing."""
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT IN ('sessions', 'login_failures', '_sqlite_migrations')")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}


def circle_rules(app):
    rules = [r for r in app.url_map.iter_rules() if "circle_id" in r.arguments]
    assert len(rules) >= 15, "expected the circle pages in the URL map"
    return rules


def url_for_rule(rule, circle_id):
    values = {name: circle_id if name == "circle_id" else 1 for name in rule.arguments}
    # Non-integer arguments (a rule or item id) get a plausible string.
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(r"<(?:[a-z]+:)?%s>" % name, str(values[name]) if name.endswith("_id") else "x", path)
    return path


@pytest.fixture
def two_circles(auth, client):
    auth.sign_up("bea")
    circle_b = auth.create_circle("Robin")
    auth.checkin(circle_b, date="2026-11-20", craving="5", notes="B's private note")
    auth.sign_out()
    auth.sign_up("alice")
    circle_a = auth.create_circle("Sam")
    return circle_a, circle_b


def test_members_of_circle_a_get_404_on_every_route_of_circle_b(app, auth, client, two_circles):
    circle_a, circle_b = two_circles
    token = auth.token(f"/c/{circle_a}/")
    before = snapshot(app)
    for rule in circle_rules(app):
        path = url_for_rule(rule, circle_b)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"csrf_token": token, "craving": "3", "ticked": "1"},
                                   headers={"X-CSRFToken": token})
            assert response.status_code == 404, f"{method} {path} answered {response.status_code}"
            assert "Robin" not in response.get_data(as_text=True), f"{method} {path} leaked the circle"
    assert snapshot(app) == before


def test_signed_out_visitors_are_sent_to_sign_in_on_every_circle_route(app, client, auth, two_circles):
    circle_a, _ = two_circles
    auth.sign_out()
    for rule in circle_rules(app):
        path = url_for_rule(rule, circle_a)
        if "GET" in rule.methods:
            response = client.get(path)
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"], path
            response = client.get(path, headers={"Accept": "application/json"})
            assert response.status_code == 401, path


def test_members_reach_their_own_circle_pages(app, client, two_circles):
    circle_a, _ = two_circles
    for rule in circle_rules(app):
        if "GET" in rule.methods and all(a == "circle_id" for a in rule.arguments):
            response = client.get(url_for_rule(rule, circle_a))
            assert response.status_code in (200, 302), f"{rule.rule} answered {response.status_code}"


def test_an_impossibly_large_circle_id_is_a_404_not_a_crash(auth, client, two_circles):
    assert client.get(f"/c/{2**70}/").status_code == 404
    assert client.get(f"/c/{2**70}/history").status_code == 404
    assert client.get(f"/c/{two_circles[0]}/checkins/{2**70}/edit").status_code == 404
