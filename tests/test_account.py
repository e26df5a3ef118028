"""The account page (name, password, recovery codes, two-step sign-in), reset links made
by circle owners, and deleting a circle or an account (gone from the database)."""
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pyotp
import pytest

from caregiver import credentials
from caregiver import throttle
from caregiver import db as db_module
from conftest import Actions
from test_auth import CODE_RE, Clock, enable_two_step, sign_up_with_codes
from db_helpers import execute, rows

PASSWORD = "correct horse battery"


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(credentials, "_clock", lambda: c.now)
    return c


def signed_in_as(client):
    match = re.search(r"Signed in as ([^ ]+) ·", client.get("/signed-out").get_data(as_text=True))
    return match.group(1) if match else None


def user_id(app, username):
    return rows(app, "SELECT id FROM users WHERE username = ?", [username])[0][0]


def tables(conn):
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def references(app, table, value):
    """Every (table, column, rows) whose foreign key points at `table` and holds `value`:
    read from the schema, so tables added later are checked too."""
    found = []
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        for name in tables(conn):
            for fk in conn.execute(f'PRAGMA foreign_key_list("{name}")'):
                if fk[2] == table:
                    n = conn.execute(f'SELECT count(*) FROM "{name}" WHERE "{fk[3]}" = ?', [value]).fetchone()[0]
                    if n:
                        found.append((name, fk[3], n))
    return found


def occurrences(app, text):
    """Every (table, column) where `text` appears in any row, in any case."""
    found = []
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        for name in tables(conn):
            for column in [c[1] for c in conn.execute(f'PRAGMA table_info("{name}")')]:
                if conn.execute(f'SELECT count(*) FROM "{name}" WHERE instr(lower(CAST("{column}" AS TEXT)),'
                                ' lower(?)) > 0', [text]).fetchone()[0]:
                    found.append((name, column))
    return found


def today():
    """Today in the circles' time zone (a check-in dated tomorrow is refused)."""
    return datetime.now(ZoneInfo("America/New_York")).date().isoformat()


def checkin(auth, circle, **fields):
    response = auth.checkin(circle, date=today(), **fields)
    assert response.status_code in (200, 302, 303), response.get_data(as_text=True)


def switch_to(auth, username):
    auth.sign_out()
    assert auth.sign_in(username).status_code == 302


# --- The account page ---------------------------------------------------------------

def test_the_account_page_needs_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=/account")


def test_the_account_page_has_every_section_and_is_csp_clean(auth, client):
    auth.sign_up("alice")
    response = client.get("/account")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    for heading in ("Your name", "Password", "Two-step sign-in", "Recovery codes",
                    "Recent sign-ins to your account", "Sign out everywhere", "Delete your account"):
        assert f">{heading}</h2>" in html, heading
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    for input_id in re.findall(r'<input id="([^"]+)" name="[^"]*" type="(?!hidden)', html):
        assert f'<label for="{input_id}">' in html, input_id


def test_the_account_page_is_linked_from_the_footer_and_the_more_page(auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle()
    assert 'href="/account"' in client.get(f"/c/{circle}/").get_data(as_text=True)
    more = client.get(f"/c/{circle}/more").get_data(as_text=True)
    assert re.search(r'<li><a class="card-link" href="/account">', more)


def test_changing_the_display_name(app, auth, client):
    auth.sign_up("alice")
    response = auth.post("/account/name", {"display_name": "Ali"}, token_from="/account")
    assert response.status_code == 302
    assert rows(app, "SELECT display_name FROM users") == [("Ali",)]
    assert signed_in_as(client) == "Ali"


@pytest.mark.parametrize("name, message", [("", "Enter a name."), ("x" * 61, "At most 60 characters.")])
def test_a_bad_display_name_is_refused_and_nothing_written(app, auth, name, message):
    auth.sign_up("alice")
    response = auth.post("/account/name", {"display_name": name}, token_from="/account")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert rows(app, "SELECT display_name FROM users") == [("Alice",)]


@pytest.mark.parametrize("current, new, message", [
    ("not my password at all", "a brand new passphrase", "Current password: this is not your current password."),
    ("", "a brand new passphrase", "Current password: enter it."),
    (PASSWORD, "qwertyuiop123", "too easy to guess"),
    (PASSWORD, "short", "Use 10 to 128 characters."),
    (PASSWORD, PASSWORD, "New password: it is the same as the current one."),
])
def test_a_password_change_needs_the_current_password_and_a_good_new_one(app, auth, client, current, new, message):
    auth.sign_up("alice")
    (before,), = rows(app, "SELECT password_hash FROM users")
    response = auth.post("/account/password", {"current_password": current, "new_password": new},
                         token_from="/account")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert rows(app, "SELECT password_hash FROM users") == [(before,)]


def test_a_password_change_works_and_the_old_password_stops(app, auth, client):
    auth.sign_up("alice")
    auth.post("/account/password", {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
              token_from="/account")
    auth.sign_out()
    assert auth.sign_in().status_code == 400
    assert auth.sign_in(password="a brand new passphrase").status_code == 302


def test_guessing_the_current_password_on_the_account_page_is_throttled(app, auth, client):
    auth.sign_up("alice")
    for _ in range(5):
        auth.post("/account/password", {"current_password": "guess guess guess",
                                        "new_password": "a brand new passphrase"}, token_from="/account")
    response = auth.post("/account/password", {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
                         token_from="/account")
    assert response.status_code == 429
    auth.sign_out()
    assert auth.sign_in().status_code == 429  # the same lock as sign-in


# --- Recovery codes -----------------------------------------------------------------

def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(app, auth, client):
    old = sign_up_with_codes(auth, client)
    wrong = auth.post("/account/recovery-codes", {"password": "not my password"}, token_from="/account")
    assert wrong.status_code == 400
    assert "Your password: this is not your current password." in wrong.get_data(as_text=True)
    assert rows(app, "SELECT count(*) FROM recovery_codes") == [(10,)]
    response = auth.post("/account/recovery-codes", {"password": PASSWORD}, token_from="/account")
    new = re.findall(CODE_RE, client.get(response.headers["Location"]).get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert re.findall(CODE_RE, client.get(response.headers["Location"]).get_data(as_text=True)) == []  # once
    auth.sign_out()
    forgot = {"username": "alice", "new_password": "a brand new passphrase"}
    assert auth.post("/sign-in/forgot", dict(forgot, recovery_code=old[0])).status_code == 400
    assert auth.post("/sign-in/forgot", dict(forgot, recovery_code=new[0])).status_code == 302


def test_the_account_page_counts_unused_recovery_codes(app, auth, client):
    codes = sign_up_with_codes(auth, client)
    auth.sign_out()
    auth.post("/sign-in/forgot", {"username": "alice", "recovery_code": codes[0],
                                  "new_password": "a brand new passphrase"})
    auth.sign_in(password="a brand new passphrase")
    assert "You have <strong>9</strong> unused codes" in client.get("/account").get_data(as_text=True)


# --- Two-step sign-in -----------------------------------------------------------------

def test_the_two_step_page_shows_the_key_the_uri_and_a_qr_code(app, auth, client):
    auth.sign_up("alice")
    html = client.get("/account/two-step").get_data(as_text=True)
    key = re.search(r'id="totp-key" type="text" readonly value="([A-Z2-7 ]+)"', html).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", key)  # in groups of four
    secret = key.replace(" ", "")
    assert f"otpauth://totp/Caregiver:alice?secret={secret}&amp;issuer=Caregiver" in html
    assert "<svg" in html and "style=" not in html
    # The same key on a reload (someone scanning, then reloading, must not be stranded).
    again = client.get("/account/two-step").get_data(as_text=True)
    assert key in again
    assert secret not in " ".join(r[0] for r in rows(app, "SELECT data FROM sessions"))


def test_two_step_turns_on_only_with_the_password_and_a_right_code(app, auth, client, clock):
    auth.sign_up("alice")
    html = client.get("/account/two-step").get_data(as_text=True)
    secret = re.search(r'id="totp-key" type="text" readonly value="([A-Z2-7 ]+)"', html).group(1).replace(" ", "")
    totp = pyotp.TOTP(secret)
    bad_code = "000000" if totp.at(clock.now) != "000000" else "111111"
    for data, message in [({"password": PASSWORD, "code": bad_code}, "Code: this code is not right"),
                          ({"password": "wrong password!", "code": totp.at(clock.now)}, "not your current password"),
                          ({"password": PASSWORD, "code": "12ab56"}, "Code: enter the 6 digits")]:
        response = auth.post("/account/two-step", data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
        assert rows(app, "SELECT totp_secret FROM users") == [(None,)]
    response = auth.post("/account/two-step", {"password": PASSWORD, "code": totp.at(clock.now)})
    assert response.status_code == 302
    (stored,), = rows(app, "SELECT totp_secret FROM users")
    assert stored and secret not in stored  # sealed with the app's key, not in clear
    assert "Two-step sign-in is on" in client.get("/account").get_data(as_text=True)


def test_two_step_turns_off_with_password_and_code(app, auth, client, clock):
    auth.sign_up("alice")
    totp = enable_two_step(auth, client, clock)
    clock.tick()
    wrong = auth.post("/account/two-step/off", {"off_password": PASSWORD, "off_code": "12345"},
                      token_from="/account")
    assert wrong.status_code == 400
    wrong_password = auth.post("/account/two-step/off",
                               {"off_password": "not it at all", "off_code": totp.at(clock.now)}, token_from="/account")
    assert wrong_password.status_code == 400
    assert rows(app, "SELECT totp_secret IS NOT NULL FROM users") == [(1,)]
    ok = auth.post("/account/two-step/off", {"off_password": PASSWORD, "off_code": totp.at(clock.now)},
                   token_from="/account")
    assert ok.status_code == 302
    assert rows(app, "SELECT totp_secret FROM users") == [(None,)]
    auth.sign_out()
    assert auth.sign_in().headers["Location"] == "/"  # no second step any more


# --- Reset links from a circle owner ------------------------------------------------

@pytest.fixture
def owner_and_member(app, auth, client):
    """alice owns the circle; bea is a member. alice is signed in."""
    auth.sign_up("alice")
    circle = auth.create_circle()
    auth.join_circle(circle, "bea")
    switch_to(auth, "alice")
    return circle, user_id(app, "bea")


def make_reset_link(auth, client, circle, member):
    path = f"/c/{circle}/members/{member}/reset-link"
    response = auth.post(path, token_from=f"/c/{circle}/members")
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get(path).get_data(as_text=True)
    return re.search(r'readonly value="http://localhost(/reset/[^"]+)"', html).group(1)


def test_the_members_page_offers_owners_a_reset_link_per_member(app, auth, client, owner_and_member):
    circle, bea = owner_and_member
    html = client.get(f"/c/{circle}/members").get_data(as_text=True)
    assert f'action="/c/{circle}/members/{bea}/reset-link"' in html
    assert f'/members/{user_id(app, "alice")}/reset-link' not in html  # not for themselves
    switch_to(auth, "bea")
    assert "reset-link" not in client.get(f"/c/{circle}/members").get_data(as_text=True)


def test_an_owner_reset_link_lets_the_member_set_a_password_once(app, auth, client, owner_and_member):
    circle, bea = owner_and_member
    bea_phone = Actions(app.test_client())
    bea_phone.sign_in("bea")
    link = make_reset_link(auth, client, circle, bea)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 22  # at least 128 bits
    assert token not in " ".join(r[0] for r in rows(app, "SELECT token_hash FROM password_resets"))
    assert token not in " ".join(r[0] for r in rows(app, "SELECT data FROM sessions"))
    # Shown once.
    assert "readonly value" not in client.get(f"/c/{circle}/members/{bea}/reset-link").get_data(as_text=True)

    visitor = Actions(app.test_client())
    page = visitor.client.get(link)
    assert page.status_code == 200 and "bea" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    weak = visitor.post(link, {"new_password": "qwertyuiop"})
    assert weak.status_code == 400 and "too easy to guess" in weak.get_data(as_text=True)
    response = visitor.post(link, {"new_password": "bea's new passphrase"})
    assert response.status_code == 302 and response.headers["Location"] == "/password-changed"
    assert signed_in_as(bea_phone.client) is None  # every session of bea ended
    assert signed_in_as(client) == "Alice"  # the owner's did not
    assert visitor.client.get(link).status_code == 410  # single use
    assert visitor.sign_in("bea", "bea's new passphrase").status_code == 302


def test_a_reset_link_expires_after_fifteen_minutes(app, auth, client, owner_and_member):
    circle, bea = owner_and_member
    link = make_reset_link(auth, client, circle, bea)
    (created, expires), = rows(app, "SELECT created_at, expires_at FROM password_resets")
    assert datetime.fromisoformat(expires) - datetime.fromisoformat(created) == timedelta(minutes=15)
    execute(app, "UPDATE password_resets SET expires_at = ?",
            [(datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()])
    visitor = Actions(app.test_client())
    assert visitor.client.get(link).status_code == 410


def test_a_reset_link_stops_working_when_the_member_leaves_the_circle(app, auth, client, owner_and_member):
    circle, bea = owner_and_member
    link = make_reset_link(auth, client, circle, bea)
    auth.post(f"/c/{circle}/members/{bea}/remove", token_from=f"/c/{circle}/members")
    visitor = Actions(app.test_client())
    assert visitor.client.get(link).status_code == 410


def test_no_reset_link_for_a_member_who_is_also_in_a_circle_the_owner_does_not_own(app, auth, client,
                                                                                    owner_and_member):
    # The new password would open bea's own circle to alice.
    circle, bea = owner_and_member
    switch_to(auth, "bea")
    auth.create_circle("Robin")
    switch_to(auth, "alice")
    path = f"/c/{circle}/members/{bea}/reset-link"
    page = client.get(path)
    assert page.status_code == 403 and "also in a circle you do not own" in page.get_data(as_text=True)
    assert auth.post(path, token_from=f"/c/{circle}/members").status_code == 403
    assert rows(app, "SELECT count(*) FROM password_resets") == [(0,)]


def test_a_reset_link_stops_working_when_the_member_joins_another_circle(app, auth, client, owner_and_member):
    circle, bea = owner_and_member
    link = make_reset_link(auth, client, circle, bea)
    switch_to(auth, "bea")
    auth.create_circle("Robin")
    visitor = Actions(app.test_client())
    assert visitor.client.get(link).status_code == 410


def test_a_new_reset_link_replaces_the_unused_one(app, auth, client, owner_and_member):
    circle, bea = owner_and_member
    first = make_reset_link(auth, client, circle, bea)
    second = make_reset_link(auth, client, circle, bea)
    visitor = Actions(app.test_client())
    assert visitor.client.get(first).status_code == 410
    assert visitor.client.get(second).status_code == 200


def test_only_owners_make_reset_links_and_only_for_members(app, auth, client, owner_and_member):
    circle, bea = owner_and_member
    alice = user_id(app, "alice")
    assert auth.post(f"/c/{circle}/members/{alice}/reset-link", token_from=f"/c/{circle}/members").status_code == 404
    outsider = Actions(app.test_client())
    outsider.sign_up("cal")
    cal = user_id(app, "cal")
    assert auth.post(f"/c/{circle}/members/{cal}/reset-link", token_from=f"/c/{circle}/members").status_code == 404
    switch_to(auth, "bea")
    assert auth.post(f"/c/{circle}/members/{alice}/reset-link", token_from=f"/c/{circle}/members").status_code == 403
    assert rows(app, "SELECT count(*) FROM password_resets") == [(0,)]


def test_a_reset_link_does_not_skip_two_step_sign_in(app, auth, client, clock, owner_and_member):
    circle, bea = owner_and_member
    switch_to(auth, "bea")
    enable_two_step(auth, client, clock)
    switch_to(auth, "alice")
    link = make_reset_link(auth, client, circle, bea)
    visitor = Actions(app.test_client())
    assert "Two-step sign-in stays on" in visitor.client.get(link).get_data(as_text=True)
    visitor.post(link, {"new_password": "bea's new passphrase"})
    assert visitor.sign_in("bea", "bea's new passphrase").headers["Location"] == "/sign-in/two-step"


@pytest.mark.parametrize("token", ["x", "a" * 300, "%00", "..%2F..%2Fetc"])
def test_made_up_reset_links_are_refused(client, token):
    assert client.get(f"/reset/{token}").status_code in (404, 410)
    assert client.post(f"/reset/{token}", data={"new_password": "whatever it is"}).status_code in (400, 404, 410)


# --- Deleting a circle --------------------------------------------------------------

def test_deleting_a_circle_needs_its_name_typed_exactly(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle("Quinley")
    page = client.get(f"/c/{circle}/delete").get_data(as_text=True)
    assert "type <strong>Quinley</strong>" in page
    for typed in ("quinley", "Quin", ""):
        response = auth.post(f"/c/{circle}/delete", {"nickname": typed})
        assert response.status_code == 400
        assert rows(app, "SELECT count(*) FROM circles") == [(1,)]


def test_deleting_a_circle_removes_everything_in_it(app, auth, client):
    auth.sign_up("alice")
    keep = auth.create_circle("Robin")
    circle = auth.create_circle("Quinley", **{"care_team-0-label": "Dr. Lee", "care_team-0-number": "555-123-4567"})
    checkin(auth, circle, craving="4", notes="Quinley's day")
    checkin(auth, keep, craving="2")
    auth.join_circle(circle, "bea")
    bea = Actions(app.test_client())
    bea.sign_in("bea")
    assert bea.client.get(f"/c/{circle}/").status_code == 200  # bea's session remembers the circle
    switch_to(auth, "alice")
    before_other = rows(app, "SELECT count(*) FROM checkins WHERE circle_id = ?", [keep])
    response = auth.post(f"/c/{circle}/delete", {"nickname": "Quinley"})
    assert response.status_code == 302
    assert rows(app, "SELECT count(*) FROM circles WHERE id = ?", [circle]) == [(0,)]
    assert references(app, "circles", circle) == []
    assert occurrences(app, "Quinley") == []
    assert rows(app, "SELECT count(*) FROM sessions WHERE json_extract(data, '$.circle_id') = ?", [circle]) == [(0,)]
    assert rows(app, "SELECT count(*) FROM checkins WHERE circle_id = ?", [keep]) == before_other
    assert bea.client.get(f"/c/{circle}/").status_code == 404
    assert rows(app, "SELECT event, user_id, circle_id FROM audit_log WHERE event = 'circle.deleted'") == [
        ("circle.deleted", user_id(app, "alice"), None)]


def database_bytes(app):
    """The database file and its write-ahead log, as they are on disk."""
    data = b""
    for suffix in ("", "-wal"):
        try:
            with open(app.config["DATABASE"] + suffix, "rb") as f:
                data += f.read()
        except FileNotFoundError:
            pass
    return data


@pytest.fixture
def insecure_sqlite(monkeypatch):
    """Some SQLite builds zero deleted rows by default, some don't: start from "don't"."""
    monkeypatch.setattr(db_module, "PRAGMAS", db_module.PRAGMAS + ("PRAGMA secure_delete = OFF",))


def test_a_deleted_circle_leaves_no_trace_in_the_database_files(app, auth, client, insecure_sqlite):
    auth.sign_up("alice")
    circle = auth.create_circle("Quinley")
    checkin(auth, circle, notes="Zanzibar-note")
    assert b"Zanzibar-note" in database_bytes(app)
    # Another connection stays open (another worker), so the -wal file is not
    # removed when the request's connection closes: the deletion must empty it.
    other_worker = sqlite3.connect(app.config["DATABASE"])
    try:
        other_worker.execute("SELECT count(*) FROM circles").fetchone()
        auth.post(f"/c/{circle}/delete", {"nickname": "Quinley"})
        data = database_bytes(app)
    finally:
        other_worker.close()
    assert b"Zanzibar-note" not in data and b"Quinley" not in data


def test_only_an_owner_can_delete_a_circle(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle("Quinley")
    auth.join_circle(circle, "bea")
    assert client.get(f"/c/{circle}/delete").status_code == 403
    assert auth.post(f"/c/{circle}/delete", {"nickname": "Quinley"}, token_from=f"/c/{circle}/").status_code == 403
    assert rows(app, "SELECT count(*) FROM circles") == [(1,)]


# --- Deleting an account ------------------------------------------------------------

@pytest.fixture
def three_circles(app, auth, client):
    """zoe owns "Solo" (alone) and "Shared" (with bea and cal; cal has been there longer),
    and is a member of bea's "Other". zoe is signed in at the end."""
    auth.sign_up("zoe.gone@example.org", name="Zoella")
    solo = auth.create_circle("Solo")
    shared = auth.create_circle("Shared")
    checkin(auth, shared, craving="6", notes="seen by zoe")
    auth.join_circle(shared, "bea")  # bea is signed in now
    other = auth.create_circle("Other")
    auth.post(f"/c/{other}/invites", token_from=f"/c/{other}/members")
    html = client.get(f"/c/{other}/members").get_data(as_text=True)
    invite = re.search(r'readonly value="http://localhost(/invite/[^"]+)"', html).group(1)
    switch_to(auth, "zoe.gone@example.org")
    assert auth.post(invite).status_code == 302  # zoe joins bea's circle "Other"
    auth.join_circle(shared, "cal")
    switch_to(auth, "zoe.gone@example.org")
    zoe, bea, cal = (user_id(app, n) for n in ("zoe.gone@example.org", "bea", "cal"))
    # cal has been in "Shared" longer than bea, though bea has the smaller id.
    execute(app, "UPDATE memberships SET joined_at = '2020-01-01T00:00:00+00:00' WHERE user_id = ? AND circle_id = ?",
            [cal, shared])
    execute(app, "UPDATE memberships SET joined_at = '2021-01-01T00:00:00+00:00' WHERE user_id = ? AND circle_id = ?",
            [bea, shared])
    return {"solo": solo, "shared": shared, "other": other, "zoe": zoe, "bea": bea, "cal": cal}


def test_the_delete_page_says_what_happens_to_each_circle(app, auth, client, three_circles):
    html = client.get("/account/delete").get_data(as_text=True)
    assert re.search(r"<strong>Solo</strong>:\s*you are its only member, so the circle is <strong>deleted", html)
    assert re.search(r"<strong>Shared</strong>:\s*you are its only owner: <strong>Cal</strong>", html)
    assert re.search(r"<strong>Other</strong>:\s*you leave the circle", html)
    assert "a former member" in html


def test_a_wrong_password_deletes_nothing(app, auth, client, three_circles):
    response = auth.post("/account/delete", {"password": "not my password at all"})
    assert response.status_code == 400
    assert rows(app, "SELECT count(*) FROM users WHERE id = ?", [three_circles["zoe"]]) == [(1,)]
    assert rows(app, "SELECT count(*) FROM circles") == [(3,)]


def test_deleting_an_account_leaves_no_row_that_refers_to_it(app, auth, client, three_circles):
    c = three_circles
    bea_phone = Actions(app.test_client())
    bea_phone.sign_in("bea")
    response = auth.post("/account/delete", {"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/deleted"
    assert "storage" in response.headers["Clear-Site-Data"]
    assert signed_in_as(client) is None

    assert rows(app, "SELECT count(*) FROM users WHERE id = ?", [c["zoe"]]) == [(0,)]
    assert references(app, "users", c["zoe"]) == []
    assert occurrences(app, "zoe.gone@example.org") == []
    assert occurrences(app, "Zoella") == []
    assert json_ids(app, c["zoe"]) == 0

    # Alone in "Solo": the circle is gone, with everything in it.
    assert rows(app, "SELECT count(*) FROM circles WHERE id = ?", [c["solo"]]) == [(0,)]
    assert references(app, "circles", c["solo"]) == []
    # Only owner of "Shared": cal, the longest-standing member, is now its owner.
    assert rows(app, "SELECT user_id, role FROM memberships WHERE circle_id = ? ORDER BY user_id", [c["shared"]]) == [
        (c["bea"], "member"), (c["cal"], "owner")]
    # zoe's check-in in "Shared" stays, written by "a former member".
    assert rows(app, "SELECT user_id, notes FROM checkins WHERE circle_id = ?", [c["shared"]]) == [
        (None, "seen by zoe")]
    history = bea_phone.client.get(f"/c/{c['shared']}/history").get_data(as_text=True)
    assert "A former member" in history
    # "Other" goes on without zoe.
    assert rows(app, "SELECT user_id, role FROM memberships WHERE circle_id = ?", [c["other"]]) == [
        (c["bea"], "owner")]
    assert signed_in_as(bea_phone.client) == "Bea"


def json_ids(app, uid):
    """Entries of the audit log whose detail still names this user's id."""
    return rows(app, "SELECT count(*) FROM audit_log WHERE json_extract(detail, '$.member') = ?"
                     " OR json_extract(detail, '$.by') = ?", [uid, uid])[0][0]


def test_a_deleted_account_leaves_no_trace_in_the_database_files(app, auth, client, insecure_sqlite):
    auth.sign_up("zoe.gone@example.org", name="Zoella")
    circle = auth.create_circle("Quinley")
    checkin(auth, circle, notes="Zanzibar-note")
    assert b"Zoella" in database_bytes(app)
    auth.post("/account/delete", {"password": PASSWORD})
    data = database_bytes(app)
    assert b"Zoella" not in data and b"zoe.gone" not in data and b"Zanzibar-note" not in data


def test_deleting_an_account_forgets_its_sign_in_failures_and_history(app, auth, client):
    auth.sign_up("zoe")
    other = Actions(app.test_client())
    other.post("/sign-in", {"username": "zoe", "password": "a wrong guess here"})
    assert rows(app, "SELECT count(*) FROM login_failures WHERE key = ?", [throttle.account_key('zoe')]) == [(1,)]
    auth.post("/account/delete", {"password": PASSWORD})
    assert rows(app, "SELECT count(*) FROM login_failures WHERE key = ?", [throttle.account_key('zoe')]) == [(0,)]
    assert rows(app, "SELECT event FROM audit_log") == [("account.deleted",)]
    assert occurrences(app, "zoe") == []


def test_every_foreign_key_to_users_or_circles_says_what_happens_on_delete(app):
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        for name in tables(conn):
            for fk in conn.execute(f'PRAGMA foreign_key_list("{name}")'):
                target, column, on_delete = fk[2], fk[3], fk[6]
                if target == "circles":
                    assert on_delete == "CASCADE", f"{name}.{column}: a deleted circle must take its rows along"
                if target == "users":
                    assert on_delete in ("CASCADE", "SET NULL"), f"{name}.{column}: ON DELETE {on_delete}"


@pytest.mark.parametrize("path, anchor", [("/account/name", "name"), ("/account/password", "change-password"),
                                          ("/account/recovery-codes", "recovery-codes"),
                                          ("/account/two-step/off", "two-step")])
def test_reloading_a_form_address_after_an_error_goes_back_to_the_account_page(auth, client, path, anchor):
    auth.sign_up("alice")
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == f"/account#{anchor}"


ODD = ["", " ", "\x00", "a" * 5000, "\u00e9\u4e2d\U0001f600" * 50, "<script>alert(1)</script>", "../../etc",
       "%00%ff", "\uff11\uff12\uff13\uff14\uff15\uff16", "123 456", "1e999", "DROP TABLE users;--"]


@pytest.mark.parametrize("value", ODD, ids=range(len(ODD)))
def test_odd_input_on_every_account_form_is_answered_without_a_crash(app, auth, client, value):
    auth.sign_up("alice")
    circle = auth.create_circle("Sam")
    forms = {
        "/account/name": ["display_name"],
        "/account/password": ["current_password", "new_password"],
        "/account/recovery-codes": ["password"],
        "/account/two-step": ["password", "code"],
        "/account/two-step/off": ["off_password", "off_code"],
        f"/c/{circle}/delete": ["nickname"],
        "/account/delete": ["password"],
    }
    token = auth.token("/account")
    for path, fields in forms.items():
        for field in fields:
            data = {name: (value if name == field else "x") for name in fields}
            response = client.post(path, data={"csrf_token": token, **data})
            assert response.status_code < 500, (path, field)
    visitor = Actions(app.test_client())
    for path, fields in {"/sign-in": ["username", "password"], "/sign-up": ["username", "display_name", "password"],
                         "/sign-in/forgot": ["username", "recovery_code", "new_password"]}.items():
        for field in fields:
            data = {name: (value if name == field else "long enough value") for name in fields}
            assert visitor.post(path, data).status_code < 500, (path, field)
    assert rows(app, "SELECT count(*) FROM circles") == [(1,)]
    assert rows(app, "SELECT count(*) FROM users WHERE username = 'alice'") == [(1,)]  # not deleted
    assert client.get("/account").status_code == 200


def test_every_id_on_the_account_page_is_unique_and_every_field_has_its_label(auth, client):
    auth.sign_up("alice")
    auth.create_circle()
    html = client.get("/account").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for field in re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html):
        if f'id="{field}" name="csrf_token"' not in html and f'id="{field}" type="hidden"' not in html:
            assert f'for="{field}"' in html, field
