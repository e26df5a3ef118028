"""The emergency pages over HTTP: the one for anyone, the signed-in one listing every
circle's numbers under its name, and each circle's own (what its header links to).

What the worker does with them offline is in tests/e2e/test_offline.py.
"""
import re


def header_link(html):
    return re.search(r'class="emergency-link" href="([^"]+)"', html).group(1)


def two_circles(auth):
    auth.sign_up()
    sam = auth.create_circle("Sam", emergency_number="112",
                             **{"care_team-0-label": "Dr. Lee", "care_team-0-number": "555-0100"})
    alex = auth.create_circle("Alex", **{"care_team-0-label": "Clinic", "care_team-0-number": "555-0199"})
    return sam, alex


def test_a_circles_emergency_page_shows_its_own_numbers_only(auth, client):
    sam, alex = two_circles(auth)
    client.get(f"/c/{alex}/")  # the circle used last must not matter
    response = client.get(f"/c/{sam}/emergency")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "<strong>call 112 first</strong>" in html
    assert 'href="tel:112"' in html and 'href="tel:5550100"' in html
    assert "555-0199" not in html and "Alex" not in html
    assert "naloxone" in html.lower() and 'href="tel:988"' in html  # the steps and helplines too


def test_the_emergency_page_outside_circles_names_every_circles_numbers(auth, client):
    sam, alex = two_circles(auth)
    html = client.get("/emergency").get_data(as_text=True)
    # The circles disagree on the number: the steps say 911, each circle's is listed.
    assert "<strong>call 911 first</strong>" in html
    sections = dict(re.findall(r"<h3>(\w+)'s circle</h3>\s*<ul class=\"numbers\">(.*?)</ul>", html, re.DOTALL))
    assert set(sections) == {"Sam", "Alex"}
    assert 'href="tel:112"' in sections["Sam"] and "555-0100" in sections["Sam"]
    assert "555-0199" in sections["Alex"] and "555-0100" not in sections["Alex"]


def test_signed_out_the_emergency_page_is_the_one_for_anyone(client):
    html = client.get("/emergency").get_data(as_text=True)
    assert "<strong>call 911 first</strong>" in html and "'s circle</h3>" not in html


def test_the_header_links_a_circles_emergency_page_on_its_pages_and_the_general_one_elsewhere(auth, client):
    sam, _ = two_circles(auth)
    for path in (f"/c/{sam}/", f"/c/{sam}/history", f"/c/{sam}/checkins/new", f"/c/{sam}/members",
                 f"/c/{sam}/emergency"):
        assert header_link(client.get(path).get_data(as_text=True)) == f"/c/{sam}/emergency", path
    for path in ("/account", "/sign-out", "/emergency", "/outbox", "/?choose=1"):
        assert header_link(client.get(path).get_data(as_text=True)) == "/emergency", path
    assert header_link(client.get("/c/999/").get_data(as_text=True)) == "/emergency"  # a 404 page


def test_a_circles_emergency_page_is_for_its_members(auth, client):
    sam, _ = two_circles(auth)
    auth.sign_out()
    assert client.get(f"/c/{sam}/emergency").headers["Location"].startswith("/sign-in")
    auth.sign_up("bob")
    assert client.get(f"/c/{sam}/emergency").status_code == 404
