"""Leaving closes every door: when a member leaves, is removed or deletes the account,
their share links are withdrawn (the owner's list says why), their unused invites are
cancelled and every circle route refuses them, in the same transaction. A circle's
deletion takes every link and invite with it."""
import html
import re
import sqlite3

import pytest

from test_circle_access import circle_rules, url_for_rule

PASSWORD = "correct horse battery"


def uid(app, username):
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        return conn.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]


def unused_invite_path(auth, circle):
    auth.post(f"/c/{circle}/invites", token_from=f"/c/{circle}/members")
    page = auth.client.get(f"/c/{circle}/members").get_data(as_text=True)
    return re.search(r'readonly value="http://localhost(/invite/[^"]+)"', page).group(1)


@pytest.fixture
def circle_with_bea(app, auth):
    """Alice owns Sam's circle; Bea joined and made a share link and an unused invite."""
    auth.sign_up("alice", name="Alice")
    circle = auth.create_circle("Sam")
    auth.join_circle(circle, "bea", name="Bea")  # now signed in as Bea
    link = auth.share_link(circle, label="Dr. Lee")
    invite = unused_invite_path(auth, circle)
    return circle, link, invite


def assert_every_circle_route_refuses(app, client, token, circle):
    for rule in circle_rules(app):
        path = url_for_rule(rule, circle)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"csrf_token": token},
                                   headers={"X-CSRFToken": token})
            assert response.status_code == 404, f"{method} {path} answered {response.status_code}"


def assert_doors_closed(app, link, invite, visitor):
    assert visitor.get(link).status_code == 410  # withdrawn, and no data
    stranger = app.test_client()
    assert stranger.get(invite).status_code == 410  # the invite no longer admits anyone


def test_a_removed_member_loses_every_door_at_once(app, auth, client, circle_with_bea):
    circle, link, invite = circle_with_bea
    bea = uid(app, "bea")
    auth.sign_out()
    auth.sign_in("alice")
    page = html.unescape(client.get(f"/c/{circle}/members/{bea}/remove").get_data(as_text=True))
    assert "Dr. Lee" in page and "The invites Bea made and nobody used yet are cancelled (1)." in page
    response = auth.post(f"/c/{circle}/members/{bea}/remove", token_from=f"/c/{circle}/members/{bea}/remove")
    assert response.status_code == 302
    assert_doors_closed(app, link, invite, app.test_client())
    links = html.unescape(client.get(f"/c/{circle}/share").get_data(as_text=True))
    assert "when its maker was removed from the circle" in links
    auth.sign_out()
    auth.sign_in("bea")
    assert_every_circle_route_refuses(app, client, auth.token("/account"), circle)


def test_the_owner_can_keep_a_removed_members_links_for_the_care_team(app, auth, client, circle_with_bea):
    circle, link, invite = circle_with_bea
    bea = uid(app, "bea")
    auth.sign_out()
    auth.sign_in("alice")
    auth.post(f"/c/{circle}/members/{bea}/remove-keeping-links", token_from=f"/c/{circle}/members/{bea}/remove")
    assert app.test_client().get(link).status_code == 200  # kept on purpose
    assert app.test_client().get(invite).status_code == 410  # invites always close


def test_leaving_closes_the_doors_one_opened(app, auth, client, circle_with_bea):
    circle, link, invite = circle_with_bea
    response = auth.post(f"/c/{circle}/leave", token_from=f"/c/{circle}/members")
    assert response.status_code == 302
    assert_doors_closed(app, link, invite, app.test_client())
    assert_every_circle_route_refuses(app, client, auth.token("/account"), circle)
    auth.sign_out()
    auth.sign_in("alice")
    assert "when its maker left the circle" in html.unescape(client.get(f"/c/{circle}/share").get_data(as_text=True))


def test_deleting_the_account_closes_its_doors_in_every_circle(app, auth, client, circle_with_bea):
    circle, link, invite = circle_with_bea
    response = auth.post("/account/delete", {"password": PASSWORD}, token_from="/account/delete")
    assert response.status_code == 302
    assert_doors_closed(app, link, invite, app.test_client())
    auth.sign_in("alice")
    assert "when its maker deleted their account" in html.unescape(client.get(f"/c/{circle}/share").get_data(as_text=True))


def test_deleting_the_circle_takes_every_link_and_invite_with_it(app, auth, client, circle_with_bea):
    circle, link, invite = circle_with_bea
    auth.sign_out()
    auth.sign_in("alice")
    own_link = auth.share_link(circle, label="Clinic")
    response = auth.post(f"/c/{circle}/delete", {"nickname": "Sam", "password": PASSWORD},
                         token_from=f"/c/{circle}/delete")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    for path in (link, own_link, invite):
        answer = app.test_client().get(path)
        assert answer.status_code in (404, 410) and "Sam" not in answer.get_data(as_text=True)
