"""What has ended is purged after its keeping time; what caregivers wrote never is."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from caregiver import retention
from caregiver.db import get_db, write
from db_helpers import execute, rows


def local_today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo("America/New_York")).date().isoformat()


def ago(**delta):
    return (datetime.now(timezone.utc) - timedelta(**delta)).isoformat()


def purge(app):
    with app.app_context():
        db = get_db()
        with write(db):
            return retention.purge(db)


def test_ended_things_go_after_their_keeping_time_and_recent_ones_stay(app, auth):
    auth.sign_up()
    circle = auth.create_circle()
    auth.checkin(circle, date=local_today(), craving="3", notes="kept for good")
    auth.post(f"/c/{circle}/invites", token_from=f"/c/{circle}/members")
    auth.post(f"/c/{circle}/invites", token_from=f"/c/{circle}/members")
    auth.share_link(circle)
    auth.share_link(circle, label="Second")
    invites = [r[0] for r in rows(app, "SELECT id FROM invites ORDER BY id")]
    links = [r[0] for r in rows(app, "SELECT id FROM share_links ORDER BY id")]
    execute(app, "UPDATE invites SET expires_at = ? WHERE id = ?", [ago(days=91), invites[0]])
    execute(app, "UPDATE share_links SET revoked_at = ? WHERE id = ?", [ago(days=91), links[0]])
    execute(app, "UPDATE share_links SET revoked_at = ? WHERE id = ?", [ago(days=89), links[1]])
    execute(app, "INSERT INTO login_failures (key, failures, last_failed_at) VALUES ('old', 3, ?), ('new', 3, ?)",
            [ago(days=2), ago(hours=1)])
    execute(app, "INSERT INTO login_failures (key, failures, last_failed_at, locked_until) VALUES ('locked', 9, ?, ?)",
            [ago(days=2), (datetime.now(timezone.utc) + timedelta(minutes=30)).isoformat()])
    execute(app, "INSERT INTO audit_log (at, event) VALUES (?, 'old.event'), (?, 'recent.event')",
            [ago(days=366), ago(days=364)])

    counts = purge(app)

    assert counts["invites"] == 1 and counts["share links"] == 1 and counts["audit entries"] == 1
    assert [r[0] for r in rows(app, "SELECT id FROM invites")] == invites[1:]
    assert [r[0] for r in rows(app, "SELECT id FROM share_links")] == links[1:]
    assert sorted(r[0] for r in rows(app, "SELECT key FROM login_failures")) == ["locked", "new", "sign-up:127.0.0.1"]
    events = [r[0] for r in rows(app, "SELECT event FROM audit_log")]
    assert "old.event" not in events and "recent.event" in events
    assert rows(app, "SELECT notes FROM checkins") == [("kept for good",)]


def test_idle_and_too_old_sessions_are_purged(app, auth, client):
    auth.sign_up()
    execute(app, "INSERT INTO sessions (id_hash, user_id, data, created_at, last_seen_at) VALUES"
                 " ('idle', NULL, '{}', ?, ?), ('old', NULL, '{}', ?, ?)",
            [ago(days=8), ago(days=8), ago(days=31), ago(minutes=1)])
    assert purge(app)["sessions"] == 2
    assert client.get("/account").status_code == 200  # the live session stays


def test_the_operator_command_purges_and_says_what(app):
    execute(app, "INSERT INTO audit_log (at, event) VALUES (?, 'old.event')", [ago(days=400)])
    result = app.test_cli_runner().invoke(args=["db", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 audit entries" in result.output
    assert rows(app, "SELECT count(*) FROM audit_log WHERE event = 'old.event'") == [(0,)]


def test_a_sign_in_runs_the_purge_at_most_hourly(app, auth, monkeypatch):
    calls = []
    monkeypatch.setattr(retention, "purge", lambda db: calls.append(1))
    auth.sign_up()
    auth.sign_out()
    auth.sign_in()
    auth.sign_out()
    auth.sign_in()
    assert calls == [1]
