"""Response headers on every route of the URL map, signed in and signed out, answers
and refusals alike; and htmx configured for the Content-Security-Policy.

The routes come from app.url_map, so a route added later is checked without anyone
remembering to add it here.
"""
import json
import re
import sqlite3

import pytest

from caregiver.app import DOCUMENT_ONLY
from caregiver.pwa import static_url

# Routes whose pages hold no one's data and are meant to be re-validated, not
# forbidden to store: the service worker keeps these (pwa.py).
REVALIDATED = {"/offline", "/outbox", "/sw.js", "/manifest.webmanifest"}
# Routes with a secret in the URL: no Referer at all, even to this site.
NO_REFERRER = ("/share/", "/reset/", "/invite/")


def csp_directives(header):
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.fixture
def world(app, auth, client):
    """A circle with a second member, a check-in, a level entry, an invite and a share
    link, so every route of the URL map has real ids to answer for."""
    auth.sign_up("bea")
    auth.sign_out()
    auth.sign_up("alice")
    circle = auth.create_circle("Sam")
    auth.join_circle(circle, "carl")
    auth.sign_out()
    auth.sign_in("alice")
    auth.checkin(circle, craving="8", stress="7", notes="a note")
    share_path = auth.share_link(circle)
    auth.post(f"/c/{circle}/invites", token_from=f"/c/{circle}/members")
    html = client.get(f"/c/{circle}/members").get_data(as_text=True)
    invite_token = re.search(r'readonly value="http://localhost/invite/([^"]+)"', html).group(1)
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        ids = {
            "circle_id": circle,
            "checkin_id": conn.execute("SELECT max(id) FROM checkins").fetchone()[0],
            "user_id": conn.execute("SELECT id FROM users WHERE username = 'carl'").fetchone()[0],
            "invite_id": conn.execute("SELECT max(id) FROM invites").fetchone()[0],
            "link_id": conn.execute("SELECT max(id) FROM share_links").fetchone()[0],
            "entry_id": conn.execute("SELECT max(id) FROM level_history").fetchone()[0] or 1,
        }
    ids.update(item_id="coping-practiced", filename="css/app.css",
               token=share_path.rsplit("/", 1)[1])
    return ids, invite_token


def paths(app, ids, invite_token):
    """(method, path) for every rule and method of the URL map."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        path = rule.rule
        for name in rule.arguments:
            value = ids.get(name, "x")
            if rule.endpoint == "circles.accept_invite":
                value = invite_token
            path = re.sub(r"<(?:[a-z]+:)?%s>" % name, str(value), path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, path


def check_headers(method, path, response):
    where = f"{method} {path} ({response.status_code})"
    h = response.headers
    if path.startswith("/static/") and response.status_code == 200 and response.mimetype != "image/svg+xml":
        # Never a document: only the headers a script, style sheet or image acts on.
        assert h.get("X-Content-Type-Options") == "nosniff", where
        assert h.get("Referrer-Policy") == "same-origin", where
        assert not any(name in h for name in DOCUMENT_ONLY), where
        return
    csp = csp_directives(h.get("Content-Security-Policy", ""))
    assert csp.get("default-src") == ["'self'"], where
    assert csp.get("script-src") == ["'self'"], where
    assert csp.get("object-src") == ["'none'"], where
    assert csp.get("base-uri") == ["'none'"], where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("form-action") == ["'self'"], where
    assert not any("unsafe" in value for values in csp.values() for value in values), where
    assert h.get("X-Content-Type-Options") == "nosniff", where
    expected_referrer = "no-referrer" if path.startswith(NO_REFERRER) else "same-origin"
    assert h.get("Referrer-Policy") == expected_referrer, where
    if response.mimetype == "text/html":
        wanted = "no-cache" if path in REVALIDATED else "no-store"
        assert wanted in h.get("Cache-Control", ""), where
        html = response.get_data(as_text=True)
        # The CSP forbids inline script and inline style: none may be in a page.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"{where}: inline <script>"
        assert not re.search(r"\s on[a-z]+\s*=", html), f"{where}: inline event handler"
        assert not re.search(r"\sstyle\s*=", html), f"{where}: inline style attribute"
    elif response.mimetype in ("application/json", "text/csv"):
        assert "no-store" in h.get("Cache-Control", ""), where


def test_every_route_sends_the_security_headers_signed_in(app, client, world):
    ids, invite_token = world
    seen = 0
    # GETs first; then POSTs without a CSRF token: refusals carry the headers too.
    for rule, method, path in paths(app, ids, invite_token):
        if method != "GET" or rule.endpoint in ("auth.sign_out",):
            continue
        check_headers(method, path, client.get(path))
        seen += 1
    for rule, method, path in paths(app, ids, invite_token):
        if method == "POST":
            response = client.post(path, data={})
            assert response.status_code in (400, 404), f"POST {path} without CSRF: {response.status_code}"
            check_headers(method, path, response)
            seen += 1
    assert seen >= 70


def test_every_route_sends_the_security_headers_signed_out(app, world):
    ids, invite_token = world
    visitor = app.test_client()
    for rule, method, path in paths(app, ids, invite_token):
        response = visitor.open(path, method=method, data={})
        assert response.status_code < 500, f"{method} {path}"
        check_headers(method, path, response)


def test_static_files_carry_only_the_headers_they_act_on_and_an_svg_all_of_them(app, client):
    with app.test_request_context():
        script, style, image, svg = (static_url(n) for n in ("js/app.js", "css/app.css", "icons/icon-192.png",
                                                             "icons/icon.svg"))
    for url in (script, style, image):
        h = client.get(url).headers
        assert h["X-Content-Type-Options"] == "nosniff" and "max-age=31536000" in h["Cache-Control"], url
        assert not any(name in h for name in DOCUMENT_ONLY + ("Content-Disposition", "Expires")), url
    h = client.get(svg).headers  # opened on its own, an SVG is a document: the policy holds
    assert csp_directives(h["Content-Security-Policy"])["script-src"] == ["'self'"]
    assert h["X-Frame-Options"] == "DENY"
    page = client.get("/emergency").headers
    assert all(name in page for name in DOCUMENT_ONLY)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/emergency").headers
    secure = client.get("/emergency", base_url="https://localhost")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]


def test_htmx_is_configured_for_the_policy_and_for_health_data(auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    html = client.get(f"/c/{circle}/").get_data(as_text=True)
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["selfRequestsOnly"] is True
    assert config["historyCacheSize"] == 0  # no page copied into localStorage
    # The token travels in a header, as plain JSON (no eval needed).
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", html)
