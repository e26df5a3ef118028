"""The audit log: what is recorded, that it is written with the change it records, and
that it never holds a password, a token or a code."""
import json
import re
import sqlite3

import pytest

from caregiver import audit
from caregiver.db import get_db, write
from conftest import Actions
from test_auth import CODE_RE, sign_up_with_codes

PASSWORD = "correct horse battery"


def events(app, where="1", params=()):
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        return [(e, u, c, json.loads(d)) for e, u, c, d in conn.execute(
            f"SELECT event, user_id, circle_id, detail FROM audit_log WHERE {where} ORDER BY id", params)]


def names(app):
    return [e[0] for e in events(app)]


def user_id(app, username):
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        return conn.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]


def all_text(app):
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        return " ".join(" ".join(map(str, r)) for r in conn.execute("SELECT * FROM audit_log"))


# --- The module ---------------------------------------------------------------------

def test_log_writes_one_row_inside_the_callers_transaction(app):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        db = get_db()
        with write(db):
            audit.log(db, "something.happened", None, None, count=3, reason="testing")
        (row,) = list(db.query("SELECT * FROM audit_log"))
    assert row["event"] == "something.happened" and row["ip"] == "203.0.113.9"
    assert json.loads(row["detail"]) == {"count": 3, "reason": "testing"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row["at"])  # UTC ISO 8601


def test_log_is_rolled_back_with_a_failed_change(app):
    with app.app_context():
        db = get_db()
        with pytest.raises(RuntimeError):
            with write(db):
                audit.log(db, "never.saved")
                raise RuntimeError("the change failed")
        assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0


def test_log_refuses_to_run_outside_a_transaction(app):
    with app.app_context():
        with pytest.raises(RuntimeError, match="inside the write transaction"):
            audit.log(get_db(), "sign_in", 1)


@pytest.mark.parametrize("key", ["password", "new_password", "token", "reset_token", "recovery_code",
                                 "totp_secret", "code", "password_hash", "otp"])
def test_log_refuses_details_that_look_like_secrets(app, key):
    with app.app_context():
        db = get_db()
        with pytest.raises(ValueError, match="never log one"):
            with write(db):
                audit.log(db, "sign_in", None, **{key: "x"})


# --- What is recorded ---------------------------------------------------------------

def test_sign_up_in_out_and_failures_are_recorded_without_the_password(app, auth, client):
    auth.sign_up("alice")
    auth.sign_out()
    auth.post("/sign-in", {"username": "alice", "password": "my wrong guess 1"},
              environ_base={"REMOTE_ADDR": "198.51.100.4"})
    auth.post("/sign-in", {"username": "mallory", "password": "my wrong guess 2"})
    auth.sign_in()
    uid = user_id(app, "alice")
    assert events(app, "event LIKE 'sign%'") == [
        ("sign_up", uid, None, {}),
        ("sign_out", uid, None, {}),
        ("sign_in.failed", uid, None, {}),
        ("sign_in.failed", None, None, {"account": "unknown"}),  # the typed name is not kept
        ("sign_in", uid, None, {}),
    ]
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        assert conn.execute("SELECT ip FROM audit_log WHERE event = 'sign_in.failed' ORDER BY id").fetchall()[0] == (
            "198.51.100.4",)
    text = all_text(app)
    assert "my wrong guess" not in text and PASSWORD not in text and "mallory" not in text


def test_sign_out_everywhere_and_password_changes_are_recorded(app, auth, client):
    auth.sign_up("alice")
    auth.post("/account/password", {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
              token_from="/account")
    auth.post("/account/sign-out-everywhere", token_from="/account")
    uid = user_id(app, "alice")
    assert ("password.changed", uid, None, {}) in events(app)
    assert events(app)[-1] == ("sign_out.everywhere", uid, None, {})
    assert "a brand new passphrase" not in all_text(app)


def test_a_reset_with_a_recovery_code_is_recorded_without_the_code(app, auth, client):
    codes = sign_up_with_codes(auth, client)
    auth.sign_out()
    auth.post("/sign-in/forgot", {"username": "alice", "recovery_code": "ABCD-EFGH-JKMN-PQRS",
                                  "new_password": "a brand new passphrase"})
    auth.post("/sign-in/forgot", {"username": "alice", "recovery_code": codes[0],
                                  "new_password": "a brand new passphrase"})
    uid = user_id(app, "alice")
    assert events(app)[-3:] == [
        ("password.reset.failed", uid, None, {"via": "recovery-code"}),
        ("recovery_code.used", uid, None, {"purpose": "password-reset", "left": 9}),
        ("password.reset", uid, None, {"via": "recovery-code"}),
    ]
    text = all_text(app)
    for code in codes:
        assert code not in text and code.replace("-", "") not in text


def test_two_step_on_and_off_are_recorded(app, auth, client, monkeypatch):
    from caregiver import credentials
    from test_auth import Clock, enable_two_step
    clock = Clock()
    monkeypatch.setattr(credentials, "_clock", lambda: clock.now)
    auth.sign_up("alice")
    totp = enable_two_step(auth, client, clock)
    clock.tick()
    auth.post("/account/two-step/off", {"off_password": PASSWORD, "off_code": totp.at(clock.now)},
              token_from="/account")
    uid = user_id(app, "alice")
    assert events(app, "event LIKE 'two_step%'") == [("two_step.enabled", uid, None, {}),
                                                     ("two_step.disabled", uid, None, {"via": "totp"})]
    assert totp.secret not in all_text(app)


def test_membership_changes_are_recorded_in_the_circle(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle()
    auth.post(f"/c/{circle}/invites", token_from=f"/c/{circle}/members")
    invite_id = events(app, "event = 'invite.created'")[0][3]["invite"]
    auth.post(f"/c/{circle}/invites/{invite_id}/cancel", token_from=f"/c/{circle}/members")
    auth.join_circle(circle, "bea")
    bea = user_id(app, "bea")
    auth.sign_out()
    auth.sign_in("alice")
    auth.post(f"/c/{circle}/members/{bea}/remove", token_from=f"/c/{circle}/members")
    alice = user_id(app, "alice")
    circle_events = [(e, u, d) for e, u, c, d in events(app, "circle_id = ?", [circle])]
    assert [e for e, _, _ in circle_events] == ["invite.created", "invite.cancelled", "invite.created",
                                                "invite.used", "member.removed"]
    assert circle_events[3][1] == bea
    assert circle_events[4] == ("member.removed", alice, {"member": bea})


def test_reset_links_are_recorded_without_the_token(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle()
    auth.join_circle(circle, "bea")
    auth.sign_out()
    auth.sign_in("alice")
    bea, alice = user_id(app, "bea"), user_id(app, "alice")
    path = f"/c/{circle}/members/{bea}/reset-link"
    auth.post(path, token_from=f"/c/{circle}/members")
    html = client.get(path).get_data(as_text=True)
    link = re.search(r'readonly value="http://localhost(/reset/[^"]+)"', html).group(1)
    Actions(app.test_client()).post(link, {"new_password": "bea's new passphrase"})
    assert events(app)[-2:] == [
        ("reset_link.created", alice, circle, {"member": bea}),
        ("password.reset", bea, circle, {"via": "owner-link", "by": alice}),
    ]
    assert link.rsplit("/", 1)[1] not in all_text(app)


def test_deletions_are_recorded(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle("Quinley")
    auth.post(f"/c/{circle}/delete", {"nickname": "Quinley"})
    alice = user_id(app, "alice")
    assert events(app)[-1] == ("circle.deleted", alice, None, {"members": 1})
    auth.post("/account/delete", {"password": PASSWORD})
    assert events(app)[-1] == ("account.deleted", None, None, {"circles_deleted": 0, "circles_handed_over": 0})
    assert "Quinley" not in all_text(app)


def test_a_handed_over_circle_records_the_new_owner(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle()
    auth.join_circle(circle, "bea")
    auth.sign_out()
    auth.sign_in("alice")
    auth.post("/account/delete", {"password": PASSWORD})
    bea = user_id(app, "bea")
    circle_events = [(e, u, d) for e, u, c, d in events(app, "circle_id = ?", [circle])]
    assert ("member.promoted", None, {"member": bea, "reason": "the only owner deleted their account"}) in circle_events
    assert circle_events[-1] == ("member.left", None, {"reason": "account deleted"})
    # alice's own actions in the circle remain, without her id or her address.
    assert [u for e, u, d in circle_events if e == "invite.created"] == [None]
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        assert conn.execute("SELECT ip FROM audit_log WHERE circle_id = ? AND event = 'invite.created'",
                            [circle]).fetchall() == [(None,)]


# --- Recent sign-ins on the account page --------------------------------------------

def test_the_account_page_lists_the_last_ten_sign_ins_of_this_account_only(app, auth, client):
    auth.sign_up("alice")
    other = Actions(app.test_client())
    other.sign_up("bea")
    alice, bea = user_id(app, "alice"), user_id(app, "bea")
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.77"}):
        db = get_db()
        with write(db):
            for i in range(12):
                db.execute("INSERT INTO audit_log (at, user_id, event, detail, ip) VALUES (?, ?, ?, '{}', ?)",
                           [f"2026-01-{i + 1:02d}T08:00:00+00:00", alice,
                            "sign_in.failed" if i % 2 else "sign_in", f"192.0.2.{i + 1}"])
            audit.log(db, "sign_in", bea)  # from 198.51.100.77, now
            audit.log(db, "password.changed", alice)  # not a sign-in
    html = client.get("/account").get_data(as_text=True)
    section = html.split("Recent sign-ins to your account", 1)[1].split("</ul>", 1)[0]
    assert section.count("<li>") == 10
    # Newest first: alice's sign-ins of 12 January back to 3 January (from addresses .12 to .3).
    assert re.findall(r"from (192\.0\.2\.\d+)", section) == [f"192.0.2.{n}" for n in range(12, 2, -1)]
    assert section.count("Failed sign-in") == 5
    assert "198.51.100.77" not in section


def test_the_recovery_codes_page_is_not_an_audit_leak(app, auth, client):
    response = auth.sign_up("alice")
    codes = re.findall(CODE_RE, client.get(response.headers["Location"]).get_data(as_text=True))
    assert codes and not any(code in all_text(app) for code in codes)


def test_share_links_made_opened_and_withdrawn_are_recorded_without_the_token(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle()
    path = auth.share_link(circle, label="Dr. Lee, clinic")
    app.test_client().get(path, environ_base={"REMOTE_ADDR": "203.0.113.9"})  # the clinic, no account
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        link_id = conn.execute("SELECT id FROM share_links").fetchone()[0]
    auth.post(f"/c/{circle}/share/{link_id}/revoke", token_from=f"/c/{circle}/share")
    alice = user_id(app, "alice")
    assert events(app, "event LIKE 'share_link.%'") == [
        ("share_link.created", alice, circle, {"link": link_id, "days": 14, "notes": False, "brief": False, "language": "en",
                                               "expires_days": 14}),
        ("share_link.opened", None, circle, {"link": link_id}),
        ("share_link.revoked", alice, circle, {"link": link_id}),
    ]
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        assert conn.execute("SELECT ip FROM audit_log WHERE event = 'share_link.opened'").fetchone() == (
            "203.0.113.9",)
    assert path.rsplit("/", 1)[1] not in all_text(app)


def test_a_change_of_the_circles_numbers_is_recorded_with_what_they_were(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle(**{"care_team-0-label": "Dr. Lee", "care_team-0-number": "555-123-4567"})
    auth.post(f"/c/{circle}/settings", {"nickname": "Sam", "living_situation": "home",
                                        "timezone": "America/New_York", "emergency_number": "112"})
    assert events(app, "event = 'circle.settings_changed'") == [
        ("circle.settings_changed", user_id(app, "alice"), circle,
         {"before": {"emergency_number": "911", "care_team": ["Dr. Lee: 555-123-4567"]}})]
