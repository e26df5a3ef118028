"""Notification pages and the alerts' rules: who may subscribe and be alerted, what
stops alerts, new signs, reminders across a DST change, and every form fuzzed."""
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caregiver import alerts
from caregiver.db import connect, write
from tests.test_alerts import (TZ, alice, app, bea, circle, circle_and_bea, invite, overdose,  # noqa: F401
                               receiver, rows, send, subscribe)


def test_the_account_page_lists_phones_and_turns_one_off_and_sends_a_test(app, alice, receiver, circle):
    html = alice.client.get("/account/notifications").get_data(as_text=True)
    assert "An alert never replaces calling 911" in html
    assert "iOS or iPadOS 16.4 or later" in html and "Home Screen" in html
    assert "this phone" in html
    [phone] = rows(app, "SELECT id FROM push_subscriptions")
    r = alice.post(f"/account/notifications/{phone['id']}/test", token_from="/account/notifications")
    assert r.status_code == 302
    assert send(app) == {"delivered": 1}
    assert receiver.messages("alice-phone")[0]["kind"] == "test"
    assert "Last alert handed to its push service" in alice.client.get("/account/notifications").get_data(as_text=True)
    alice.post(f"/account/notifications/{phone['id']}/off", token_from="/account/notifications")
    assert rows(app, "SELECT * FROM push_subscriptions") == []


def test_nobody_can_test_or_turn_off_another_persons_phone(app, alice, bea, receiver, circle):
    [phone] = rows(app, "SELECT id FROM push_subscriptions")
    for action in ("test", "off"):
        r = bea.post(f"/account/notifications/{phone['id']}/{action}", token_from="/account/notifications")
        assert r.status_code == 404
    assert len(rows(app, "SELECT * FROM push_subscriptions")) == 1
    assert rows(app, "SELECT * FROM push_outbox") == []


def test_signing_out_on_that_phone_stops_its_alerts(app, alice, bea, receiver, circle):
    alice.sign_out()
    assert rows(app, "SELECT * FROM push_subscriptions") == []
    overdose(bea, circle)
    assert rows(app, "SELECT * FROM push_outbox") == [] and send(app) == {}


def test_changing_the_password_keeps_this_phones_alerts(app, alice, receiver, circle):
    r = alice.post("/account/password", {"current_password": "correct horse battery",
                                         "new_password": "another horse battery"}, token_from="/account")
    assert r.status_code == 302
    assert len(rows(app, "SELECT * FROM push_subscriptions")) == 1


def test_removal_stops_alerts_at_once_even_those_already_queued(app, alice, bea, receiver, circle):
    # A second circle of Alice's, where Bea is not: its alerts never reach Bea.
    other = alice.create_circle("Robin", tz=TZ)
    subscribe(bea, receiver.phone("bea-phone"))
    overdose(alice, other)
    assert {r["user_id"] for r in rows(app, "SELECT user_id FROM push_outbox")} == set()  # Bea is not in it
    overdose(bea, circle)  # queued for Alice
    charlie = invite(alice, circle, "charlie", app)
    subscribe(charlie, receiver.phone("charlie-phone"))
    overdose(bea, circle, client_id="again-123456789")  # rule already holds: nothing new
    charlie.checkin(circle, date=(datetime.now(ZoneInfo(TZ)).date()).isoformat(), use="confirmed")
    bea_id = rows(app, "SELECT id FROM users WHERE username = 'bea'")[0]["id"]
    # Queue one for Bea by hand, then remove her before any sender runs.
    with app.app_context():
        db = connect(app.config["DATABASE"])
        sub = rows(app, "SELECT id FROM push_subscriptions WHERE user_id = ?", [bea_id])[0]
        with write(db):
            alerts.enqueue(db, sub["id"], bea_id, circle, "urgent", "for-bea", {"title": "Sam", "body": "b", "url": "/"},
                           datetime.now(timezone.utc))
        db.close()
    r = alice.post(f"/c/{circle}/members/{bea_id}/remove", token_from=f"/c/{circle}/members/{bea_id}/remove")
    assert r.status_code == 302
    assert rows(app, "SELECT * FROM push_outbox WHERE user_id = ? AND state = 'pending'", [bea_id]) == []
    send(app)
    assert receiver.messages("bea-phone") == []
    assert rows(app, "SELECT * FROM alert_choices WHERE user_id = ?", [bea_id]) == []


def test_choices_are_per_circle_and_only_for_members(app, alice, bea, receiver, circle):
    other = alice.create_circle("Robin", tz=TZ)
    r = bea.post(f"/c/{other}/alerts", {"urgent": "y"}, token_from="/account/notifications")
    assert r.status_code == 404
    r = alice.post(f"/c/{circle}/alerts", {"structure": "y", "reminder_at": "20:30", "reminder_unless": "anyone",
                                           "quiet_from": "22:00", "quiet_until": "07:00"})
    assert r.status_code == 302
    saved = rows(app, "SELECT * FROM alert_choices")
    assert len(saved) == 1 and saved[0]["urgent"] == 0 and saved[0]["reminder_at"] == "20:30"
    html = alice.client.get(f"/c/{circle}/alerts").get_data(as_text=True)
    assert "Urgent signs always come through" in html


def test_an_urgent_sign_ignores_quiet_hours_and_the_choice_to_hear_no_urgent_signs_is_kept(app, alice, bea,
                                                                                             receiver, circle):
    alice.post(f"/c/{circle}/alerts", {"urgent": "y", "quiet_from": "00:00", "quiet_until": "23:59"})
    overdose(bea, circle)
    assert send(app) == {"delivered": 1}
    alice.post(f"/c/{circle}/alerts", {"structure": "y"})
    bea.checkin(circle, date=(datetime.now(ZoneInfo(TZ)).date() - timedelta(days=1)).isoformat(), use="confirmed")
    assert len(rows(app, "SELECT * FROM push_outbox")) == 1


def _scan(app, now, results):
    with app.test_request_context():
        from flask import g
        db = connect(app.config["DATABASE"])
        g.db = db
        try:
            alerts.scan(db, lambda circle: results(circle, now), now=now)
        finally:
            g.pop("db")
            db.close()


def test_a_new_sign_alerts_once_and_again_only_after_7_days_without_holding(app, alice, receiver, circle):
    holding = {"on": True}

    def results(circle_row, now):
        prompts = [{"rule": "cravings-high", "level": "more-structure"}] if holding["on"] else []
        return {"prompts": prompts}
    start = datetime(2026, 12, 1, 15, tzinfo=timezone.utc)
    _scan(app, start, results)
    _scan(app, start + timedelta(hours=1), results)
    assert [r["kind"] for r in rows(app, "SELECT kind FROM push_outbox")] == ["structure"]
    holding["on"] = False
    _scan(app, start + timedelta(days=1), results)
    holding["on"] = True
    _scan(app, start + timedelta(days=3), results)  # stopped for 2 days only
    assert len(rows(app, "SELECT * FROM push_outbox")) == 1
    holding["on"] = False
    _scan(app, start + timedelta(days=4), results)
    holding["on"] = True
    _scan(app, start + timedelta(days=11, hours=1), results)  # 7 days and more without holding
    assert len(rows(app, "SELECT * FROM push_outbox")) == 2
    send(app, now=start + timedelta(days=11, hours=1))
    assert all(m["body"] == "A new sign to consider more structure: open to read it." and m["title"] == "Sam"
               for m in receiver.messages())


def test_checkins_missing_alerts_only_those_who_chose_it_and_waits_for_quiet_hours_to_end(app, alice, receiver, circle):
    def results(circle_row, now):
        return {"prompts": [{"rule": "checkins-missing", "level": "info"}]}
    at = datetime(2026, 12, 1, 3, tzinfo=timezone.utc)  # 22:00 in New York
    _scan(app, at, results)
    assert rows(app, "SELECT * FROM push_outbox") == []  # off by default
    alice.post(f"/c/{circle}/alerts", {"urgent": "y", "missing": "y", "quiet_from": "21:00", "quiet_until": "07:00"})
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.execute("DELETE FROM alert_rule_state")
    _scan(app, at, results)
    assert rows(app, "SELECT * FROM push_outbox") == []  # a new circle, with no check-in yet
    alice.checkin(circle, date=(datetime.now(ZoneInfo(TZ)).date() - timedelta(days=5)).isoformat(), craving="1")
    _scan(app, at, results)
    [row] = rows(app, "SELECT * FROM push_outbox")
    assert row["kind"] == "missing" and row["due_at"] == "2026-12-01T12:00:00+00:00"  # 07:00 in New York


@pytest.mark.parametrize("day, clock, first_utc", [
    ("2027-03-14", "02:30", "2027-03-14T07:30:00+00:00"),  # 02:30 does not exist that night: 03:30 EDT
    ("2027-03-14", "20:00", "2027-03-15T00:00:00+00:00"),  # the evening after the change (EDT)
    ("2026-11-01", "01:30", "2026-11-01T05:30:00+00:00"),  # 01:30 happens twice: sent once
    ("2026-11-01", "20:00", "2026-11-02T01:00:00+00:00"),  # the evening after the change (EST)
])
def test_reminders_fire_at_the_local_time_across_dst_once_a_day(app, alice, receiver, circle, day, clock, first_utc):
    alice.post(f"/c/{circle}/alerts", {"urgent": "y", "reminder_at": clock})
    start = datetime.fromisoformat(day + "T00:00:00").replace(tzinfo=ZoneInfo(TZ)).astimezone(timezone.utc)
    sent_at = []
    for minutes in range(0, 26 * 60, 15):
        now = start + timedelta(minutes=minutes)
        before = len(rows(app, "SELECT * FROM push_outbox"))
        _scan(app, now, lambda c, n: {"prompts": []})
        if len(rows(app, "SELECT * FROM push_outbox")) > before:
            sent_at.append(now.isoformat())
    local_day = [r["day"] for r in rows(app, "SELECT day FROM reminders_sent")]
    assert sent_at[0] == first_utc
    assert len(local_day) == len(set(local_day)) == len(sent_at)  # once per local day


def test_no_reminder_once_checked_in_that_day(app, alice, receiver, circle):
    alice.post(f"/c/{circle}/alerts", {"urgent": "y", "reminder_at": "00:00"})
    today = datetime.now(ZoneInfo(TZ)).date()
    alice.checkin(circle, date=today.isoformat(), craving="2")
    now = datetime.combine(today, datetime.min.time(), tzinfo=ZoneInfo(TZ)) + timedelta(minutes=30)
    _scan(app, now, lambda c, n: {"prompts": []})
    assert rows(app, "SELECT * FROM push_outbox WHERE kind = 'reminder'") == []


def test_the_home_page_invites_once_a_check_in_exists_and_not_on_a_phone_already_on(app, alice, bea, circle):
    assert "Hear about urgent signs on this phone" not in alice.client.get(f"/c/{circle}/").get_data(as_text=True)
    bea.checkin(circle, date=datetime.now(ZoneInfo(TZ)).date().isoformat(), craving="2")
    assert "Hear about urgent signs on this phone" in bea.client.get(f"/c/{circle}/").get_data(as_text=True)
    assert "Hear about urgent signs on this phone" not in alice.client.get(f"/c/{circle}/").get_data(as_text=True)


def test_a_deleted_circle_takes_its_alerts_with_it(app, alice, bea, receiver, circle):
    overdose(bea, circle)
    r = alice.post(f"/c/{circle}/delete", {"nickname": "Sam"})
    assert r.status_code == 302
    assert rows(app, "SELECT * FROM push_outbox") == []
    assert send(app) == {}


# --- Every form, fuzzed: a field-naming 400 or a save, never a 500 or a half write -----------

FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TEXT = st.one_of(st.text(max_size=30), st.sampled_from(["", "25:00", "20:30", "x" * 2000, "\x00", "http://127.0.0.1/"]))


@FUZZ
@given(endpoint=TEXT, p256dh=TEXT, auth=TEXT)
def test_subscribe_fuzzed(app, alice, receiver, circle, endpoint, p256dh, auth):
    before = rows(app, "SELECT * FROM push_subscriptions")
    r = alice.post("/account/notifications/subscribe", {"endpoint": endpoint, "p256dh": p256dh, "auth": auth},
                   token_from="/account/notifications")
    assert r.status_code in (302, 400)
    if r.status_code == 400:
        assert rows(app, "SELECT * FROM push_subscriptions") == before
        html = r.get_data(as_text=True)
        assert any(name in html for name in ("Push address:", "Phone key:", "Phone secret:"))


@FUZZ
@given(urgent=TEXT, reminder_at=TEXT, reminder_unless=TEXT, quiet_from=TEXT, quiet_until=TEXT)
def test_choices_fuzzed(app, alice, circle, urgent, reminder_at, reminder_unless, quiet_from, quiet_until):
    before = rows(app, "SELECT * FROM alert_choices")
    r = alice.post(f"/c/{circle}/alerts", {"urgent": urgent, "reminder_at": reminder_at,
                                           "reminder_unless": reminder_unless, "quiet_from": quiet_from,
                                           "quiet_until": quiet_until})
    assert r.status_code in (302, 400)
    if r.status_code == 400:
        assert rows(app, "SELECT * FROM alert_choices") == before


@FUZZ
@given(token=TEXT, phone_id=st.integers(min_value=0, max_value=2**63 - 1))
def test_test_and_off_fuzzed(app, alice, circle, token, phone_id):
    for action in ("test", "off"):
        r = alice.client.post(f"/account/notifications/{phone_id}/{action}", data={"csrf_token": token})
        assert r.status_code in (302, 400, 404)


def test_an_edit_that_adds_an_overdose_alerts_like_a_new_check_in(app, alice, bea, receiver, circle):
    day = datetime.now(ZoneInfo(TZ)).date().isoformat()
    bea.checkin(circle, date=day, craving="2")
    [checkin] = rows(app, "SELECT id FROM checkins")
    r = bea.post(f"/c/{circle}/checkins/{checkin['id']}/edit", {"date": day, "craving": "2", "overdose": "y"})
    assert r.status_code == 302
    assert [(o["kind"], o["checkin_id"]) for o in rows(app, "SELECT kind, checkin_id FROM push_outbox")] == \
        [("urgent", checkin["id"])]


def test_the_purge_forgets_alerts_sent_more_than_30_days_ago_but_never_pending_ones(app, alice, bea, receiver,
                                                                                     circle):
    from caregiver.retention import purge
    overdose(bea, circle)
    send(app)
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("INSERT INTO push_outbox (subscription_id, circle_id, user_id, kind, tag, payload, ttl,"
                     " created_at, due_at, give_up_at) SELECT subscription_id, circle_id, user_id, kind, 'pending-one',"
                     " payload, ttl, created_at, due_at, give_up_at FROM push_outbox")
    with app.app_context():
        db = connect(app.config["DATABASE"])
        with write(db):
            counts = purge(db, now=datetime.now(timezone.utc) + timedelta(days=31))
        db.close()
    assert counts["alerts sent"] == 1
    assert [r["tag"] for r in rows(app, "SELECT tag FROM push_outbox")] == ["pending-one"]
    assert rows(app, "SELECT * FROM push_attempts") == []


def test_the_account_page_leads_to_notifications(alice, circle):
    html = alice.client.get("/account").get_data(as_text=True)
    assert 'href="/account/notifications"' in html
