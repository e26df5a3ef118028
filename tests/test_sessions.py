"""Server-side sessions: idle timeout, absolute lifetime, a new id at sign-in, sign out
everywhere, and a password change that ends the other sessions."""
import hashlib
import re
from datetime import datetime, timedelta, timezone

from conftest import Actions
from db_helpers import execute, rows

PASSWORD = "correct horse battery"


def cookie(client):
    c = client.get_cookie("session")
    return c.value if c else None


def signed_in(client):
    return "Signed in as" in client.get("/signed-out").get_data(as_text=True)


def ago(**delta):
    return (datetime.now(timezone.utc) - timedelta(**delta)).replace(microsecond=0).isoformat()


def hash_of(sid):
    return hashlib.sha256(sid.encode()).hexdigest()


# --- Expiry -------------------------------------------------------------------------

def test_a_session_idle_longer_than_the_setting_ends(app, auth, client):
    auth.sign_up("alice")
    idle = app.config["SESSION_IDLE_MINUTES"]
    execute(app, "UPDATE sessions SET last_seen_at = ? WHERE user_id IS NOT NULL", [ago(minutes=idle - 2)])
    assert signed_in(client)  # just inside the idle window (and the visit renews it)
    execute(app, "UPDATE sessions SET last_seen_at = ? WHERE user_id IS NOT NULL", [ago(minutes=idle + 1)])
    assert not signed_in(client)
    assert rows(app, "SELECT count(*) FROM sessions WHERE user_id IS NOT NULL") == [(0,)]  # and it is deleted
    assert client.get("/account").headers["Location"].startswith("/sign-in")


def test_the_idle_timeout_follows_the_configuration(app, auth, client):
    app.config["SESSION_IDLE_MINUTES"] = 5
    auth.sign_up("alice")
    execute(app, "UPDATE sessions SET last_seen_at = ?", [ago(minutes=6)])
    assert not signed_in(client)


def test_a_visit_renews_the_idle_timer(app, auth, client):
    auth.sign_up("alice")
    execute(app, "UPDATE sessions SET last_seen_at = ?", [ago(minutes=30)])
    client.get("/account")
    (last_seen,), = rows(app, "SELECT last_seen_at FROM sessions WHERE user_id IS NOT NULL")
    assert datetime.fromisoformat(last_seen) > datetime.now(timezone.utc) - timedelta(minutes=2)


def test_a_session_older_than_its_absolute_lifetime_ends_even_when_in_use(app, auth, client):
    auth.sign_up("alice")
    days = app.config["SESSION_MAX_DAYS"]
    execute(app, "UPDATE sessions SET created_at = ?, last_seen_at = ?", [ago(days=days, minutes=-5), ago()])
    assert signed_in(client)  # just inside the lifetime
    execute(app, "UPDATE sessions SET created_at = ?, last_seen_at = ?", [ago(days=days, minutes=1), ago()])
    assert not signed_in(client)
    assert rows(app, "SELECT count(*) FROM sessions WHERE user_id IS NOT NULL") == [(0,)]


def test_the_lifetime_follows_the_configuration(app, auth, client):
    app.config["SESSION_MAX_DAYS"] = 1
    auth.sign_up("alice")
    execute(app, "UPDATE sessions SET created_at = ?", [ago(hours=25)])
    assert not signed_in(client)


def test_sign_in_removes_expired_sessions_of_everyone(app, auth, client):
    auth.sign_up("bea")
    execute(app, "UPDATE sessions SET last_seen_at = ?", [ago(days=60)])
    other = Actions(app.test_client())
    other.sign_up("alice")
    other.sign_out()
    other.sign_in("alice")
    assert rows(app, "SELECT count(*) FROM sessions WHERE last_seen_at < ?", [ago(days=59)]) == [(0,)]


# --- Session ids ----------------------------------------------------------------------

def test_sign_in_gives_a_new_session_id_and_the_old_one_stops_working(app, auth, client):
    auth.sign_up("alice")
    before = cookie(client)
    auth.sign_out()
    auth.sign_in()
    after = cookie(client)
    assert before and after and after != before
    assert rows(app, "SELECT count(*) FROM sessions WHERE id_hash = ?", [hash_of(before)]) == [(0,)]
    # Someone who planted or kept the old id gets nothing.
    planted = app.test_client()
    planted.set_cookie("session", before)
    assert not signed_in(planted)
    assert signed_in(client)


def test_a_signed_out_visit_writes_no_session_row_and_still_signs_in(app, auth, client):
    for path in ("/sign-in", "/sign-up", "/sign-in/forgot", "/emergency"):
        assert client.get(path).status_code == 200
    assert rows(app, "SELECT count(*) FROM sessions") == [(0,)]
    assert client.get_cookie("session") is None and client.get_cookie("visit") is not None
    other = Actions(app.test_client())
    other.sign_up("alice")
    other.sign_out()
    assert auth.sign_in().status_code == 302  # the CSRF token came from the signed cookie
    assert rows(app, "SELECT count(*) FROM sessions") == [(1,)]
    assert client.get_cookie("visit") is None  # the visit moved into the database


def test_signing_in_replaces_the_csrf_token_of_the_signed_out_visit(app, auth, client):
    # A planted signed-out cookie must not give its planter the signed-in CSRF token.
    auth.sign_up("alice")
    auth.sign_out()
    planted = auth.token("/sign-in")
    auth.sign_in()
    assert auth.token("/account") != planted


def test_a_forged_or_stale_visit_cookie_is_ignored(app, client):
    from itsdangerous import URLSafeTimedSerializer
    for value in ("nope", "x" * 3000, URLSafeTimedSerializer("another key", salt="caregiver-signed-out-visit")
                  .dumps({"uid": 1})):
        client.set_cookie("visit", value)
        assert client.get("/account").status_code == 302  # to the sign-in page: nobody signed in
    forged = URLSafeTimedSerializer(app.secret_key, salt="caregiver-signed-out-visit").dumps({"uid": 1})
    client.set_cookie("visit", forged)  # even with the right key, a visit never carries a user
    assert client.get("/account").status_code == 302


def test_only_a_hash_of_the_session_id_is_stored(app, auth, client):
    auth.sign_up("alice")
    sid = cookie(client)
    assert len(sid) >= 40
    stored = rows(app, "SELECT id_hash FROM sessions")
    assert (hash_of(sid),) in stored and (sid,) not in stored


def test_a_made_up_or_huge_session_cookie_is_ignored(app, client):
    for value in ("nope", "x" * 3000):
        client.set_cookie("session", value)
        assert client.get("/sign-in").status_code == 200
        assert not signed_in(client)


def test_sign_out_ends_only_this_session(app, auth, client):
    auth.sign_up("alice")
    phone = Actions(app.test_client())
    phone.sign_in()
    auth.sign_out()
    assert not signed_in(client)
    assert signed_in(phone.client)


# --- Sign out everywhere --------------------------------------------------------------

def test_sign_out_everywhere_ends_every_session_of_the_user_and_no_one_elses(app, auth, client):
    auth.sign_up("alice")
    phone = Actions(app.test_client())
    phone.sign_in()
    bea = Actions(app.test_client())
    bea.sign_up("bea")
    response = auth.post("/account/sign-out-everywhere", token_from="/account")
    assert response.status_code == 302 and response.headers["Location"] == "/signed-out"
    assert "storage" in response.headers["Clear-Site-Data"]
    assert not signed_in(client)
    assert not signed_in(phone.client)
    assert signed_in(bea.client)
    (alice,), = rows(app, "SELECT id FROM users WHERE username = 'alice'")
    assert rows(app, "SELECT count(*) FROM sessions WHERE user_id = ?", [alice]) == [(0,)]


def test_sign_out_everywhere_is_a_post_with_a_csrf_token(app, auth, client):
    auth.sign_up("alice")
    assert client.get("/account/sign-out-everywhere").status_code == 405
    assert client.post("/account/sign-out-everywhere").status_code == 400  # no token
    assert signed_in(client)


def test_the_account_page_counts_the_devices_signed_in(app, auth, client):
    auth.sign_up("alice")
    Actions(app.test_client()).sign_in()
    html = client.get("/account").get_data(as_text=True)
    assert re.search(r"signed in on 2 devices", html)


# --- Password change ------------------------------------------------------------------

def test_changing_the_password_ends_the_other_sessions_and_renews_this_one(app, auth, client):
    auth.sign_up("alice")
    phone = Actions(app.test_client())
    phone.sign_in()
    before = cookie(client)
    response = auth.post("/account/password", {"current_password": PASSWORD,
                                               "new_password": "a brand new passphrase"}, token_from="/account")
    assert response.status_code == 302
    assert "Your password was changed" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert signed_in(client)
    assert not signed_in(phone.client)
    assert cookie(client) != before
    assert rows(app, "SELECT count(*) FROM sessions WHERE id_hash = ?", [hash_of(before)]) == [(0,)]
