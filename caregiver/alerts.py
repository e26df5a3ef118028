"""Alerts: what goes into the outbox, and when (caregiver/sender.py empties it).

Urgent alerts are queued by `queue_urgent`, inside the write that saves the check-in
which made an urgent rule start to hold: both land, or neither. The new-sign,
missing-check-in and reminder alerts are found by the worker (`scan`), which reads each
circle that has a phone to tell. Payloads carry a circle's nickname and fixed words,
never a health value: a lock screen is not private.
"""
import json
import secrets
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from . import words
from .db import write
from .words import gettext

URGENT_RULES = ("overdose-recent", "use-after-abstinence")
URGENT_TTL = 60 * 60  # an hour: an overdose alert that arrives the next day helps no one
OTHER_TTL = 24 * 60 * 60
GIVE_UP_AFTER = timedelta(hours=24)
RENOTIFY_AFTER = timedelta(days=7)  # a sign alerts again only after this long without holding
REMINDER_WINDOW = timedelta(hours=3)  # a reminder missed for longer (sender down) is skipped
SCAN_EVERY = 60  # seconds between the worker's readings of the circles


def utc(now=None):
    return (now or datetime.now(timezone.utc)).replace(microsecond=0)


def iso(moment):
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


# --- Choices -----------------------------------------------------------------------------

DEFAULT_CHOICES = {"urgent": 1, "structure": 1, "missing": 0, "reminder_at": None,
                   "reminder_unless": "me", "quiet_from": None, "quiet_until": None}


def choices(db, circle_id, user_id):
    row = next(db.query("SELECT * FROM alert_choices WHERE circle_id = ? AND user_id = ?",
                        [circle_id, user_id]), None)
    return {**DEFAULT_CHOICES, **(row or {})}


def quiet_ends(choice, circle_tz, now):
    """When quiet hours end (UTC) if `now` falls in them, else None."""
    start, end = choice["quiet_from"], choice["quiet_until"]
    if not start or not end or start == end:
        return None
    zone = ZoneInfo(circle_tz)
    local = now.astimezone(zone)
    clock = local.strftime("%H:%M")
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    ends = datetime.combine(day, time.fromisoformat(end), tzinfo=zone)
    return ends.astimezone(timezone.utc)


# --- Queueing ----------------------------------------------------------------------------

def _recipients(db, circle_id, kind, exclude_user=None):
    """(subscription, user's choices) of the members who want `kind` from this circle."""
    column = {"urgent": "urgent", "structure": "structure", "missing": "missing"}[kind]
    default = DEFAULT_CHOICES[column]
    return list(db.query(
        "SELECT s.id AS subscription_id, s.user_id, a.quiet_from, a.quiet_until"
        " FROM memberships m JOIN push_subscriptions s ON s.user_id = m.user_id"
        " LEFT JOIN alert_choices a ON a.circle_id = m.circle_id AND a.user_id = m.user_id"
        f" WHERE m.circle_id = ? AND m.user_id IS NOT ? AND coalesce(a.{column}, ?) = 1",
        [circle_id, exclude_user, default]))


def enqueue(db, subscription_id, user_id, circle_id, kind, tag, message, now, due=None, checkin_id=None):
    """One alert for one phone; the same tag for the same phone is queued once."""
    urgent = kind == "urgent"
    # Written in the phone's language (chosen when it subscribed), whoever caused it.
    row = db.execute("SELECT language FROM push_subscriptions WHERE id = ?", [subscription_id]).fetchone()
    language = row[0] if row and row[0] in words.languages() else words.ENGLISH
    with words.using(language):
        message = message() if callable(message) else message
    return db.execute(
        "INSERT OR IGNORE INTO push_outbox (subscription_id, circle_id, user_id, kind, tag, checkin_id, payload,"
        " urgency, ttl, created_at, due_at, give_up_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [subscription_id, circle_id, user_id, kind, tag, checkin_id,
         json.dumps({**message, "tag": tag, "kind": kind}),
         "high" if urgent else "normal", URGENT_TTL if urgent else OTHER_TTL,
         iso(now), iso(due or now), iso(now + GIVE_UP_AFTER)]).rowcount


def circle_message(circle, kind):
    """The words a notification shows: the circle's nickname and no health value. Made
    for each phone, in its language (enqueue)."""
    def in_the_phones_language():
        body = {
            "urgent": gettext("An urgent sign was logged: open for the steps."),
            "structure": gettext("A new sign to consider more structure: open to read it."),
            "missing": gettext("No check-ins for 3 days: open to add one."),
            "reminder": gettext("Time for today's check-in."),
        }[kind]
        anchor = "#urgent-title" if kind == "urgent" else ""  # the urgent card (prompts/_list.html)
        return {"title": circle["nickname"], "body": body, "url": f"/c/{circle['id']}/{anchor}"}
    return in_the_phones_language


def could_be_urgent(checkin):
    """Whether a check-in could make an urgent rule hold: the only ones worth a second
    reading of the rules while saving (most check-ins cost nothing more)."""
    return bool(checkin.get("overdose") or checkin.get("naloxone_given")
                or checkin.get("use") in ("suspected", "confirmed"))


def urgent_rules(result):
    return {p["rule"] for p in result["prompts"] if p["rule"] in URGENT_RULES}


def queue_urgent(db, circle, author_id, checkin_id, rules, now=None):
    """Inside the check-in's write: an alert to every other member's phones for the
    urgent rules that began to hold with it. Quiet hours never hold these back.
    Returns how many phones were queued."""
    if not rules:
        return 0
    now = utc(now)
    message = circle_message(circle, "urgent")
    tag = f"urgent-{circle['id']}-{checkin_id}"
    return sum(enqueue(db, r["subscription_id"], r["user_id"], circle["id"], "urgent", tag, message, now,
                       checkin_id=checkin_id)
               for r in _recipients(db, circle["id"], "urgent", exclude_user=author_id))


def queue_test(db, subscription, now=None):
    now = utc(now)
    tag = f"test-{secrets.token_hex(4)}"
    def message():
        return {"title": gettext("Caregiver"), "body": gettext("This is a test notification. Alerts reach this phone."),
                "url": "/account/notifications"}
    enqueue(db, subscription["id"], subscription["user_id"], None, "test", tag, message, now)


def delivery(db, checkin_id):
    """(phones alerted, delivered, failed) for the urgent alert of a check-in."""
    row = next(db.query(
        "SELECT count(*) AS alerted, coalesce(sum(state = 'delivered'), 0) AS delivered,"
        " coalesce(sum(state = 'failed'), 0) AS failed FROM push_outbox WHERE checkin_id = ? AND kind = 'urgent'",
        [checkin_id]))
    return row["alerted"], row["delivered"], row["failed"]


def stop_for_member(db, circle_id, user_id):
    """A member is going: what is queued for them from this circle is never sent."""
    db.execute("DELETE FROM push_outbox WHERE circle_id = ? AND user_id = ? AND state = 'pending'",
               [circle_id, user_id])


# --- The worker's readings: new signs, missing check-ins, reminders ----------------------------

def _queue_sign(db, circle, kind, rule, now):
    tag = f"{kind}-{circle['id']}-{rule}-{iso(now)[:10]}"
    message = circle_message(circle, kind)
    for r in _recipients(db, circle["id"], kind):
        due = quiet_ends(r, circle["timezone"], now)
        enqueue(db, r["subscription_id"], r["user_id"], circle["id"], kind, tag, message, now, due=due)


def note_signs(db, circle, result, now):
    """Inside a write: a more-structure sign (or checkins-missing) alerts once when it
    starts to hold, and again only after it stopped holding for 7 days."""
    holding = {p["rule"]: ("missing" if p["rule"] == "checkins-missing" else "structure")
               for p in result["prompts"] if p["level"] == "more-structure" or p["rule"] == "checkins-missing"}
    # A circle with no check-in at all is new, not neglected (as its home page says).
    if "checkins-missing" in holding and not db.execute(
            "SELECT 1 FROM checkins WHERE circle_id = ? LIMIT 1", [circle["id"]]).fetchone():
        del holding["checkins-missing"]
    state = {r["rule"]: r for r in db.query("SELECT * FROM alert_rule_state WHERE circle_id = ?", [circle["id"]])}
    for rule, row in state.items():
        if row["holding"] and rule not in holding:
            db.execute("UPDATE alert_rule_state SET holding = 0, stopped_at = ? WHERE circle_id = ? AND rule = ?",
                       [iso(now), circle["id"], rule])
    for rule, kind in holding.items():
        row = state.get(rule)
        if row and row["holding"]:
            continue
        rested = row is None or row["stopped_at"] is None or \
            now - datetime.fromisoformat(row["stopped_at"]) >= RENOTIFY_AFTER
        if rested:
            _queue_sign(db, circle, kind, rule, now)
        db.execute("INSERT INTO alert_rule_state (circle_id, rule, holding, alerted_at, stopped_at)"
                   " VALUES (?, ?, 1, ?, NULL) ON CONFLICT (circle_id, rule) DO UPDATE SET holding = 1,"
                   " alerted_at = coalesce(excluded.alerted_at, alert_rule_state.alerted_at)",
                   [circle["id"], rule, iso(now) if rested else None])


def due_reminders(db, now):
    """Members whose daily reminder time has come in their circle's time zone today."""
    found = []
    for row in db.query(
            "SELECT a.*, c.timezone, c.nickname FROM alert_choices a JOIN circles c ON c.id = a.circle_id"
            " WHERE a.reminder_at IS NOT NULL AND EXISTS (SELECT 1 FROM push_subscriptions s"
            " WHERE s.user_id = a.user_id)"):
        zone = ZoneInfo(row["timezone"])
        local = now.astimezone(zone)
        # The wall-clock time today in the circle's zone. A time the clocks skip (02:30
        # on the spring night) comes an hour later on the clock, 03:30; one they repeat
        # (01:30 in autumn) comes the first time, and reminders_sent keeps it to once.
        at = datetime.combine(local.date(), time.fromisoformat(row["reminder_at"]), tzinfo=zone)
        at = at.astimezone(timezone.utc).astimezone(zone)
        if at <= local < at + REMINDER_WINDOW:
            found.append((row, local.date()))
    return found


def queue_reminders(db, now):
    """Inside a write: today's reminders, once a day each, unless already checked in."""
    for row, day in due_reminders(db, now):
        who = "" if row["reminder_unless"] == "anyone" else " AND user_id = :user"
        if next(db.query(f"SELECT 1 FROM checkins WHERE circle_id = :circle AND date = :day{who} LIMIT 1",
                         {"circle": row["circle_id"], "day": day.isoformat(), "user": row["user_id"]}), None):
            continue
        if not db.execute("INSERT OR IGNORE INTO reminders_sent (circle_id, user_id, day, kind, at)"
                          " VALUES (?, ?, ?, 'reminder', ?)",
                          [row["circle_id"], row["user_id"], day.isoformat(), iso(now)]).rowcount:
            continue
        circle = {"id": row["circle_id"], "nickname": row["nickname"]}
        message = circle_message(circle, "reminder")
        due = quiet_ends(row, row["timezone"], now)
        for sub in db.query("SELECT id FROM push_subscriptions WHERE user_id = ?", [row["user_id"]]):
            enqueue(db, sub["id"], row["user_id"], row["circle_id"], "reminder",
                    f"reminder-{row['circle_id']}-{day.isoformat()}", message, now, due=due)


def scan(db, evaluate, now=None):
    """One reading of every circle with a phone to tell, and today's reminders.
    `evaluate(circle)` reads a circle's signs (records.circle_signals, passed in: records
    imports this module to queue urgent alerts with a check-in)."""
    now = utc(now)
    circles = list(db.query(
        "SELECT DISTINCT c.* FROM circles c JOIN memberships m ON m.circle_id = c.id"
        " JOIN push_subscriptions s ON s.user_id = m.user_id"))
    for circle in circles:
        result = evaluate(circle)
        with write(db):
            note_signs(db, circle, result, now)
    with write(db):
        queue_reminders(db, now)
