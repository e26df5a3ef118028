"""Share links: made by a caregiver, opened by the care team without an account,
read-only, expiring, revocable, counted, rate-limited, never stored in clear."""
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TZ = "America/New_York"


def today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


@pytest.fixture
def circle(auth):
    auth.sign_up("alice@example.com", name="Alice")
    circle = auth.create_circle(nickname="Sam", tz=TZ, level="outpatient", since="2026-01-01")
    for days_ago, craving in ((2, "3"), (1, "6"), (0, "8")):
        response = auth.checkin(circle, date=(today() - timedelta(days=days_ago)).isoformat(),
                                craving=craving, stress="7", use="none",
                                notes="Found a lighter in his jacket." if days_ago == 1 else "")
        assert response.status_code == 200
    return circle


@pytest.fixture
def visitor(app):
    """Someone on the care team: a browser with no account and no session."""
    return app.test_client()


def db(app):
    conn = sqlite3.connect(app.config["DATABASE"])
    conn.row_factory = sqlite3.Row
    return conn


def link_row(app):
    return db(app).execute("SELECT * FROM share_links ORDER BY id DESC").fetchone()


def test_a_visitor_without_an_account_sees_the_summary_with_charts(auth, circle, visitor):
    path = auth.share_link(circle)
    assert re.fullmatch(r"/share/[A-Za-z0-9_-]{43}", path)
    response = visitor.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Summary for the care team: Sam" in html
    assert html.count('<svg class="chart-svg"') == 2 and 'role="img"' in html
    assert 'aria-labelledby="chart-craving-title chart-craving-words"' in html
    assert '<p id="chart-craving-words">Craving: 3 values' in html
    assert "Day by day" in html and "Stepping down: what the check-ins show" in html
    assert response.headers.getlist("Set-Cookie") == []  # no session for the care team


def test_the_shared_page_shows_nothing_else(auth, circle, visitor):
    html = visitor.get(auth.share_link(circle)).get_data(as_text=True)
    assert "alice@example.com" not in html  # no usernames or emails
    assert "<form" not in html and "<input" not in html and "csrf" not in html.lower()
    assert not re.search(r'href="/c/', html) and 'class="tabs"' not in html
    assert "htmx" not in html and "outbox.js" not in html  # no htmx, no service worker
    assert "style=" not in html
    # One script: app.js, for the print button (it reaches nothing on this page).
    assert re.findall(r"<script[^>]*>", html) == [re.search(r'<script src="/static/js/app\.js\?v=[0-9a-f]+" defer>',
                                                            html).group(0)]


def test_share_pages_send_no_store_noindex_and_no_referrer(auth, circle, visitor):
    path = auth.share_link(circle)
    for p in (path, "/share/" + "A" * 43, "/share/short"):
        response = visitor.get(p)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert '<meta name="robots" content="noindex' in response.get_data(as_text=True)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_link_is_shown_once_and_never_in_a_url(auth, client, circle):
    response = auth.post(f"/c/{circle}/share", {"label": "Dr. Lee", "expires_days": "14", "days": "14"})
    assert response.status_code == 302 and "share/" not in response.headers["Location"].split("/c/")[1][2:]
    first = client.get(f"/c/{circle}/share").get_data(as_text=True)
    assert "shown only once" in first and re.search(r'value="http://localhost/share/[A-Za-z0-9_-]{43}"', first)
    second = client.get(f"/c/{circle}/share").get_data(as_text=True)
    assert not re.search(r"/share/[A-Za-z0-9_-]{43}", second) and "shown only once" not in second


def test_the_token_is_never_stored_in_clear(app, auth, client, circle, visitor):
    database = Path(app.config["DATABASE"])

    def snapshot():  # the database, its write-ahead log and shared memory, as they are now
        return {p.name: p.read_bytes() for p in database.parent.iterdir() if p.name.startswith(database.name)}

    # Between making the link and showing it, the one-time link waits in the session
    # (which lives in the database): look at the files then too.
    response = auth.post(f"/c/{circle}/share", {"label": "Dr. Lee", "expires_days": "14", "days": "14"})
    assert response.status_code == 302
    snapshots = [snapshot()]
    html = client.get(f"/c/{circle}/share").get_data(as_text=True)
    token = re.search(r"/share/([A-Za-z0-9_-]{43})", html).group(1)
    snapshots.append(snapshot())
    assert visitor.get(f"/share/{token}").status_code == 200
    snapshots.append(snapshot())
    import hashlib
    assert link_row(app)["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert database.name in snapshots[-1]
    for files in snapshots:
        for name, data in files.items():
            assert token.encode() not in data, name
            assert token.encode("utf-16-le") not in data, name


def test_opens_are_counted_and_listed_for_caregivers(app, auth, client, circle, visitor):
    path = auth.share_link(circle, label="Dr. Lee, clinic")
    visitor.get(path)
    visitor.get(path)
    row = link_row(app)
    assert row["open_count"] == 2 and row["last_opened_at"]
    html = client.get(f"/c/{circle}/share").get_data(as_text=True)
    item = html.split('class="cards share-links"')[1]
    assert "Dr. Lee, clinic" in item and "Made by Alice" in item
    assert "Opened 2 times, last on" in item and "Active" in item and "expires" in item


def test_revoked_link_is_410_with_no_data(app, auth, client, circle, visitor):
    path = auth.share_link(circle)
    link_id = link_row(app)["id"]
    response = auth.post(f"/c/{circle}/share/{link_id}/revoke", token_from=f"/c/{circle}/share")
    assert response.status_code == 302
    response = visitor.get(path)
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "no longer available" in html
    for data in ("Sam", "Craving", "<svg", "lighter", "Alice"):
        assert data not in html
    row = link_row(app)
    assert row["revoked_at"] and row["revoked_by"] == 1 and row["open_count"] == 0
    listing = client.get(f"/c/{circle}/share").get_data(as_text=True)
    assert "Withdrawn" in listing and f"/share/{link_id}/revoke" not in listing
    revoked = datetime.fromisoformat(row["revoked_at"]).astimezone(ZoneInfo(TZ))
    assert (f"withdrawn by Alice on {revoked:%a} {revoked.day} {revoked:%b} {revoked.year}, "
            f"{revoked:%H:%M}") in listing


def test_any_member_can_revoke(app, auth, client, circle, visitor):
    path = auth.share_link(circle)
    link_id = link_row(app)["id"]
    auth.join_circle(circle, "bob", name="Bob")
    assert "Dr. Lee, clinic" in client.get(f"/c/{circle}/share").get_data(as_text=True)
    response = auth.post(f"/c/{circle}/share/{link_id}/revoke", token_from=f"/c/{circle}/share")
    assert response.status_code == 302
    assert visitor.get(path).status_code == 410
    assert link_row(app)["revoked_by"] == 2
    assert "withdrawn by Bob on " in client.get(f"/c/{circle}/share").get_data(as_text=True)


def test_revoking_needs_a_post_with_the_csrf_token(app, auth, client, circle, visitor):
    path = auth.share_link(circle)
    link_id = link_row(app)["id"]
    assert client.get(f"/c/{circle}/share/{link_id}/revoke").status_code == 405
    assert client.post(f"/c/{circle}/share/{link_id}/revoke").status_code == 400
    assert visitor.get(path).status_code == 200
    assert auth.post(f"/c/{circle}/share/999/revoke", token_from=f"/c/{circle}/share").status_code == 404


def test_an_expired_link_is_410(app, auth, circle, visitor):
    path = auth.share_link(circle, expires_days="1")
    row = link_row(app)
    created = datetime.fromisoformat(row["created_at"])
    assert datetime.fromisoformat(row["expires_at"]) - created == timedelta(days=1)
    conn = db(app)
    with conn:
        conn.execute("UPDATE share_links SET expires_at = ?",
                     [(datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()])
    response = visitor.get(path)
    assert response.status_code == 410 and "Sam" not in response.get_data(as_text=True)


def test_a_link_of_circle_a_never_shows_circle_b(app, auth, client, circle, visitor):
    path_a = auth.share_link(circle)
    circle_b = auth.create_circle(nickname="Robin", tz=TZ)
    auth.checkin(circle_b, date=today().isoformat(), craving="1", notes="Robin's private note")
    path_b = auth.share_link(circle_b, label="Robin's doctor", include_notes="y")
    html_a = visitor.get(path_a).get_data(as_text=True)
    assert "Sam" in html_a and "Robin" not in html_a
    html_b = visitor.get(path_b).get_data(as_text=True)
    assert "Robin" in html_b and "private note" in html_b
    assert "Summary for the care team: Sam" not in html_b and "lighter" not in html_b
    assert "private note" not in html_a


def test_notes_are_left_out_unless_the_link_includes_them(auth, circle, visitor):
    html = visitor.get(auth.share_link(circle)).get_data(as_text=True)
    assert "lighter" not in html and "notes are left out" in html
    html = visitor.get(auth.share_link(circle, label="Counselor", include_notes="y")).get_data(as_text=True)
    assert "Found a lighter in his jacket." in html and "notes are included" in html


def test_the_link_keeps_its_window(auth, circle, visitor):
    html = visitor.get(auth.share_link(circle, days="7")).get_data(as_text=True)
    assert "(the last 7 days)" in html and html.count('<tr id="day-') == 7
    html = visitor.get(auth.share_link(circle, days="30") + "?days=7").get_data(as_text=True)
    assert html.count('<tr id="day-') == 30


@pytest.mark.parametrize("fields, message", [
    ({"label": ""}, "Who is it for: enter a name"),
    ({"label": "   "}, "Who is it for: enter a name"),
    ({"label": "x" * 81}, "Who is it for: at most 80 characters."),
    ({"expires_days": "0"}, "a whole number from 1 to 90"),
    ({"expires_days": "91"}, "a whole number from 1 to 90"),
    ({"expires_days": "abc"}, "a whole number from 1 to 90"),
    ({"expires_days": "-5"}, "a whole number from 1 to 90"),
    ({"expires_days": "9" * 50}, "a whole number from 1 to 90"),
    ({"expires_days": ""}, "a whole number from 1 to 90"),
    ({"days": "15"}, "Days in the summary: choose 7, 14 or 30."),
    ({"days": ""}, "Days in the summary: choose 7, 14 or 30."),
])
def test_a_bad_link_form_is_refused_naming_the_field_and_nothing_is_written(app, auth, circle, fields, message):
    data = {"label": "Dr. Lee", "expires_days": "14", "days": "14"}
    data.update(fields)
    response = auth.post(f"/c/{circle}/share", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db(app).execute("SELECT count(*) FROM share_links").fetchone()[0] == 0


def test_label_of_80_characters_and_90_days_are_accepted(app, auth, circle):
    auth.share_link(circle, label="é" * 80, expires_days="90", days="30")
    row = link_row(app)
    assert row["label"] == "é" * 80 and row["days"] == 30 and row["include_notes"] == 0
    assert datetime.fromisoformat(row["expires_at"]) - datetime.fromisoformat(row["created_at"]) == timedelta(days=90)


@pytest.mark.parametrize("token", [
    "", "abc", "A" * 42, "A" * 44, "A" * 43, "A" * 10000, "%00" * 20, "a/b/c", "ünïcödé" * 7,
    "A" * 42 + "=", "../../etc/passwd", "A" * 42 + "%20",
])
def test_wrong_tokens_get_the_same_not_found_page_never_a_500(visitor, token):
    response = visitor.get("/share/" + token)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "This link does not work" in html and response.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_failed_lookups_are_rate_limited_per_address(app, auth, circle, visitor):
    path = auth.share_link(circle)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for i in range(limit):
        assert visitor.get(f"/share/{'B' * 42}{i}").status_code == 404
    response = visitor.get("/share/" + "C" * 43)
    assert response.status_code == 429 and "Too many tries" in response.get_data(as_text=True)
    row = db(app).execute("SELECT * FROM login_failures WHERE key = 'share:127.0.0.1'").fetchone()
    assert row["failures"] == limit and row["locked_until"]
    # Another address is not affected, and sign-in keys are separate.
    other = app.test_client()
    assert other.get("/share/" + "C" * 43, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 404
    assert db(app).execute("SELECT count(*) FROM login_failures WHERE key LIKE 'address:%'").fetchone()[0] == 0


def test_a_valid_link_opens_from_a_locked_address(app, auth, client, circle, visitor):
    """A clinic behind one router: a few mistyped links must not lock out the real ones.
    Only failures are counted and refused; a 256-bit token cannot be found by guessing."""
    path = auth.share_link(circle)
    withdrawn = auth.share_link(circle, label="Old link")
    link_id = link_row(app)["id"]
    assert auth.post(f"/c/{circle}/share/{link_id}/revoke", token_from=f"/c/{circle}/share").status_code == 302
    for i in range(app.config["LOGIN_MAX_FAILURES"]):
        visitor.get(f"/share/{'B' * 42}{i}")
    assert visitor.get("/share/" + "C" * 43).status_code == 429
    response = visitor.get(path)
    assert response.status_code == 200 and "Summary for the care team: Sam" in response.get_data(as_text=True)
    assert visitor.get(withdrawn).status_code == 410  # a real link: it says it is gone
    # Opening real links neither counts as a failure nor lifts the lock.
    failures = "SELECT failures FROM login_failures WHERE key = 'share:127.0.0.1'"
    assert db(app).execute(failures).fetchone()[0] == app.config["LOGIN_MAX_FAILURES"]
    assert visitor.get("/share/" + "D" * 43).status_code == 429


def test_a_valid_link_does_not_reset_the_count_of_failures(app, auth, circle, visitor):
    path = auth.share_link(circle)
    for i in range(2):
        visitor.get(f"/share/{'B' * 42}{i}")
    assert visitor.get(path).status_code == 200
    row = db(app).execute("SELECT failures FROM login_failures WHERE key = 'share:127.0.0.1'").fetchone()
    assert row["failures"] == 2


def test_failures_are_forgotten_after_a_quiet_day(app, visitor):
    for i in range(3):
        visitor.get(f"/share/{'B' * 42}{i}")
    conn = db(app)
    with conn:
        conn.execute("UPDATE login_failures SET last_failed_at = ? WHERE key = 'share:127.0.0.1'",
                     [(datetime.now(timezone.utc) - timedelta(hours=25)).isoformat()])
    visitor.get("/share/" + "D" * 43)
    row = db(app).execute("SELECT failures FROM login_failures WHERE key = 'share:127.0.0.1'").fetchone()
    assert row["failures"] == 1


def test_a_head_request_is_not_counted_as_an_open(app, auth, circle, visitor):
    path = auth.share_link(circle)
    assert visitor.head(path).status_code == 200
    assert link_row(app)["open_count"] == 0


def test_a_deleted_circle_takes_its_links_with_it(app, auth, circle, visitor):
    path = auth.share_link(circle)
    conn = db(app)
    conn.execute("PRAGMA foreign_keys=ON")
    with conn:
        conn.execute("DELETE FROM circles WHERE id = ?", [circle])
    assert conn.execute("SELECT count(*) FROM share_links").fetchone()[0] == 0
    assert visitor.get(path).status_code == 404


TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=100)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=TEXT, expires_days=TEXT, days=TEXT, include_notes=TEXT)
def test_any_link_form_is_saved_or_refused_never_a_500(app, auth, circle, label, expires_days, days,
                                                       include_notes):
    before = db(app).execute("SELECT count(*) FROM share_links").fetchone()[0]
    response = auth.post(f"/c/{circle}/share", {"label": label, "expires_days": expires_days, "days": days,
                                                "include_notes": include_notes}, token_from=f"/c/{circle}/more")
    after = db(app).execute("SELECT count(*) FROM share_links").fetchone()[0]
    assert response.status_code in (302, 400)
    assert after == before + (response.status_code == 302)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=80))
def test_any_token_is_404_or_429_never_a_500(app, token):
    client = app.test_client()
    response = client.get("/share/" + token.replace("?", "%3F").replace("#", "%23"))
    assert response.status_code in (404, 429, 308)
