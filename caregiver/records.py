"""The reads and writes that several pages share: check-ins and their record of
edits, checklist ticks, the level-of-care history, what the family did about a
prompt, the care team's numbers and a caregiver's circles.

No blueprint: pages import this module and never each other. It is the only place
that writes those tables. Writers that take `db` run inside the caller's `write(db)`
unless their name starts with save_ (which open their own). Saving a check-in that makes
an urgent rule hold queues the other members' alerts in the same transaction.
"""
import json
from contextlib import contextmanager
from datetime import date, timedelta

from flask import g

from . import alerts, audit, signals
from .dates import circle_today
from .db import get_db, now_utc, one, write
from .i18n import _
from .vocabulary import CHECKIN_FIELDS as FIELDS
from .vocabulary import TWENTY_FOUR_SEVEN

# ---------------------------------------------------------------------------
# Check-ins
# ---------------------------------------------------------------------------
IMPORTED_AUTHOR = "Imported"  # an imported check-in's author in the CSV export (pages translate it)
LOOKBACK_DAYS = 30  # the longest window of any rule; older check-ins are never read


def row_to_checkin(row):
    """A database row as the rules engine's check-in dict."""
    c = {k: row[k] for k in FIELDS}
    c["withdrawal_signs"] = json.loads(row["withdrawal_signs"] or "[]")
    c["overdose"] = bool(row["overdose"])
    c["naloxone_given"] = bool(row["naloxone_given"])
    return c


def author_of(row, in_file=False):
    """Who wrote a check-in row (with its author's name joined in): "Imported" for an
    imported one, since the file holds no names (it belongs to whoever imported it).
    A page says it in the reader's language; an export file (`in_file`) in English."""
    if (row["client_id"] or "").startswith("import-"):
        return IMPORTED_AUTHOR if in_file else _("Imported")
    return row["author"]


_WITH_AUTHOR = ("SELECT c.*, u.display_name AS author FROM checkins c"
                " LEFT JOIN users u ON u.id = c.user_id WHERE c.circle_id = ?")


def checkins_between(circle_id, first, last):
    """Check-ins of a circle from day `first` to day `last`, using the (circle_id, date) index."""
    return list(get_db().query(
        _WITH_AUTHOR + " AND c.date BETWEEN ? AND ? ORDER BY c.date DESC, c.created_at",
        [circle_id, first.isoformat(), last.isoformat()]))


def all_checkins(circle_id):
    """Every check-in of a circle, oldest first (the export)."""
    return list(get_db().query(_WITH_AUTHOR + " ORDER BY c.date, c.created_at, c.id", [circle_id]))


def _db_values(checkin):
    values = dict(checkin)
    values["withdrawal_signs"] = json.dumps(checkin["withdrawal_signs"])
    values["overdose"] = int(checkin["overdose"])
    values["naloxone_given"] = int(checkin["naloxone_given"])
    return values


def _audit_checkin(db, checkin_id, circle_id, user_id, action, before, after, at):
    """One entry of the record of edits that the history shows."""
    db.execute("INSERT INTO checkin_audit (checkin_id, circle_id, user_id, action, before_json, after_json, at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)",
               [checkin_id, circle_id, user_id, action,
                json.dumps(before) if before is not None else None,
                json.dumps(after) if after is not None else None, at])


_INSERT = (f"INSERT INTO checkins (circle_id, user_id, client_id, {', '.join(FIELDS)}, created_at, updated_at)"
           f" VALUES ({', '.join('?' for _ in range(len(FIELDS) + 5))})")


def insert_checkin(db, circle_id, user_id, checkin, client_id=None, at=None):
    """Store one check-in and its "create" entry in the record of edits (plain
    statements: an import stores thousands in one transaction)."""
    at = at or now_utc()
    values = _db_values(checkin)
    checkin_id = db.execute(_INSERT, [circle_id, user_id, client_id, *(values[f] for f in FIELDS), at, at]).lastrowid
    _audit_checkin(db, checkin_id, circle_id, user_id, "create", None, checkin, at)
    return checkin_id


def save_checkin(db, circle_id, user_id, checkin, client_id=None):
    """Insert a check-in unless this phone id was stored already. Returns (id, created)."""
    with write(db):
        if client_id:
            existing = one("SELECT id FROM checkins WHERE circle_id = ? AND client_id = ?",
                           [circle_id, client_id])
            if existing:
                return existing["id"], False
        with urgent_alerts(db, circle_id, user_id, checkin) as saved:
            saved["id"] = insert_checkin(db, circle_id, user_id, checkin, client_id)
        return saved["id"], True


def save_edit(db, row, user_id, after):
    """Replace a stored check-in's values, with the change on record."""
    with write(db):
        at = now_utc()
        with urgent_alerts(db, row["circle_id"], user_id, after, replaces=row["id"]) as saved:
            saved["id"] = row["id"]
            db.table("checkins").update(row["id"], {**_db_values(after), "updated_at": at})
        _audit_checkin(db, row["id"], row["circle_id"], user_id, "update", row_to_checkin(row), after, at)


@contextmanager
def urgent_alerts(db, circle_id, user_id, checkin, replaces=None):
    """Around the write of a check-in, in its transaction: when it makes an urgent rule
    start to hold, the other members' alerts are queued with it (caregiver/alerts.py).
    Only a check-in with an overdose, naloxone or use in it costs a reading of the rules:
    one read of the circle, the rules run on it without and with this check-in."""
    saved = {}
    if not alerts.could_be_urgent(checkin):
        yield saved
        return
    circle = one("SELECT * FROM circles WHERE id = ?", [circle_id])
    today, rows, context = _signal_inputs(circle)
    before = [row_to_checkin(r) for r in rows]
    after = [c for r, c in zip(rows, before) if r["id"] != replaces] + [checkin]
    began = alerts.urgent_rules(signals.evaluate(today, after, **context))
    if began:  # (nothing urgent holds with it: no need to ask what held without it)
        began -= alerts.urgent_rules(signals.evaluate(today, before, **context))
    yield saved
    alerts.queue_urgent(db, circle, user_id, saved["id"], began)


def save_deletion(db, row, user_id):
    """Delete a stored check-in; what it held stays in the record of edits."""
    with write(db):
        db.execute("DELETE FROM checkins WHERE id = ?", [row["id"]])
        _audit_checkin(db, row["id"], row["circle_id"], user_id, "delete", row_to_checkin(row), None, now_utc())


def changes_since(circle_id, since):
    """The edits and deletions recorded at or after `since` (a date), oldest first."""
    return get_db().query(
        "SELECT a.action, a.before_json, a.after_json, a.at, u.display_name AS who FROM checkin_audit a"
        " LEFT JOIN users u ON u.id = a.user_id WHERE a.circle_id = ? AND a.at >= ?"
        " AND a.action IN ('update', 'delete') ORDER BY a.at, a.id", [circle_id, since.isoformat()])


# ---------------------------------------------------------------------------
# Checklist ticks
# ---------------------------------------------------------------------------
def ticked_items(circle_id):
    return {row["item_id"] for row in get_db().query(
        "SELECT item_id FROM checklist_state WHERE circle_id = ? AND ticked = 1", [circle_id])}


def checklist_states(circle_id):
    """{item id: its state row, with who changed it last} for the items ever touched."""
    return {row["item_id"]: row for row in get_db().query(
        "SELECT s.*, u.display_name AS changed_by_name FROM checklist_state s"
        " LEFT JOIN users u ON u.id = s.changed_by WHERE s.circle_id = ?", [circle_id])}


def record_tick(db, circle_id, user_id, item_id, ticked, client_id=None, at=None):
    """A tick or untick in the record, and the item's state (who changed it last; a
    tick of a ticked item changes nothing there)."""
    at = at or now_utc()
    db.table("checklist_events").insert({
        "circle_id": circle_id, "item_id": item_id, "ticked": int(ticked), "user_id": user_id,
        "client_id": client_id or None, "at": at})
    db.execute(
        "INSERT INTO checklist_state (circle_id, item_id, ticked, changed_by, changed_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (circle_id, item_id) DO UPDATE SET"
        " ticked = excluded.ticked, changed_by = excluded.changed_by, changed_at = excluded.changed_at"
        " WHERE checklist_state.ticked != excluded.ticked",
        [circle_id, item_id, int(ticked), user_id, at])


def save_tick(db, circle_id, user_id, item_id, ticked, client_id=None):
    """Store a tick or untick once per client_id. Returns (ticked, created), or None when
    this client_id was already used for a different item or value."""
    with write(db):
        if client_id:
            seen = one("SELECT item_id, ticked FROM checklist_events WHERE circle_id = ? AND client_id = ?",
                       [circle_id, client_id])
            if seen:
                if (seen["item_id"], bool(seen["ticked"])) != (item_id, ticked):
                    return None
                return ticked, False
        record_tick(db, circle_id, user_id, item_id, ticked, client_id)
    return ticked, True


# ---------------------------------------------------------------------------
# Levels of care
#
# The circle row holds the current level (level_of_care, level_since, previous_level)
# because the rules engine reads them on every page; level_history holds every entry
# anyone recorded. The circle row is always recomputed from the history, so an entry
# recorded late, with an older date, lands in the right place.
# ---------------------------------------------------------------------------
def level_state(entries):
    """(level_of_care, level_since, previous_level) from history entries (dicts with
    id, level, since). Pure: no database.

    - one level per day: a later entry for the same day replaces the earlier one
      (that is how a wrong level is corrected);
    - the current level is the one of the latest day; it started on the first day
      of the run of entries with that level (recording the same level again, say
      with a note, does not restart it);
    - the previous level is the level just before that run.
    """
    timeline = _timeline(entries)
    if not timeline:
        return None, None, None
    level = timeline[-1]["level"]
    start = len(timeline) - 1
    while start > 0 and timeline[start - 1]["level"] == level:
        start -= 1
    previous = timeline[start - 1]["level"] if start > 0 else None
    return level, timeline[start]["since"], previous


def replaced_ids(entries):
    """Ids of entries replaced by a later entry for the same day."""
    latest = {}
    for entry in entries:
        if entry["since"] not in latest or entry["id"] > latest[entry["since"]]:
            latest[entry["since"]] = entry["id"]
    return {e["id"] for e in entries if latest[e["since"]] != e["id"]}


def _timeline(entries):
    """One entry per day, oldest first: a later entry for the same day replaces the
    earlier one (that is how a wrong entry is corrected)."""
    by_day = {}
    for entry in sorted(entries, key=lambda e: (e["since"], e["id"])):
        by_day[entry["since"]] = entry
    return [by_day[day] for day in sorted(by_day)]


def timeline_since(entries, first):
    """The entries in effect from day `first` on (YYYY-MM-DD), oldest first: the one
    in effect on `first`, then each change after it."""
    timeline = _timeline(entries)
    start = max((i for i, e in enumerate(timeline) if e["since"] <= first), default=0)
    return timeline[start:]


def left_24_7_on(entries):
    """The first day below 24/7 care after the most recent inpatient or residential
    stay (YYYY-MM-DD), or None while in 24/7 care or when the history holds no such
    stay. Whatever levels came after it: inpatient, outpatient from 2 Nov, IOP from
    10 Nov gives 2 Nov."""
    timeline = _timeline(entries)
    last_stay = max((i for i, e in enumerate(timeline) if e["level"] in TWENTY_FOUR_SEVEN), default=None)
    if last_stay is None or last_stay == len(timeline) - 1:
        return None
    return timeline[last_stay + 1]["since"]


def level_history(circle_id):
    """Every entry, newest day first, with who recorded it."""
    return list(get_db().query(
        "SELECT h.*, u.display_name AS recorded_by_name FROM level_history h"
        " LEFT JOIN users u ON u.id = h.recorded_by"
        " WHERE h.circle_id = ? ORDER BY h.since DESC, h.id DESC", [circle_id]))


def recompute_level(db, circle_id):
    """Set the circle's current and previous level from its history."""
    level, since, previous = level_state(level_history(circle_id))
    db.execute("UPDATE circles SET level_of_care = ?, level_since = ?, previous_level = ? WHERE id = ?",
               [level, since, previous, circle_id])


def record_levels(db, circle_id, user_id, entries):
    """Add history entries [(level, since, note)], then recompute the circle's level.
    An entry the history already holds word for word (a double tap) is not added again."""
    now = now_utc()
    for level, since, note in entries:
        since = since.isoformat() if isinstance(since, date) else since
        if one("SELECT 1 FROM level_history WHERE circle_id = ? AND level = ? AND since = ? AND note IS ?",
               [circle_id, level, since, note]):
            continue
        db.table("level_history").insert({
            "circle_id": circle_id, "level": level, "since": since, "note": note,
            "recorded_by": user_id, "recorded_at": now})
    recompute_level(db, circle_id)


def record_start(db, circle_id, user_id, level, since, note=None, previous=None, previous_note=None):
    """A circle's first level of care, and the one before it when known. The day the
    previous level started is not known: it is recorded for the day before, which is
    all the rules need (previous_level, level_since)."""
    since = date.fromisoformat(since) if isinstance(since, str) else since
    entries = [(level, since, note)]
    if previous and previous != level and since > date.min:
        entries.insert(0, (previous, since - timedelta(days=1), previous_note))
    record_levels(db, circle_id, user_id, entries)


def remove_level_entry(db, circle_id, entry_id):
    db.execute("DELETE FROM level_history WHERE id = ?", [entry_id])
    recompute_level(db, circle_id)


# ---------------------------------------------------------------------------
# Medication for opioid use disorder: the circle's record, kept like the levels
# ---------------------------------------------------------------------------
def medication_history(circle_id):
    """Every entry, newest day first, with who recorded it."""
    return list(get_db().query(
        "SELECT h.*, u.display_name AS recorded_by_name FROM medication_history h"
        " LEFT JOIN users u ON u.id = h.recorded_by"
        " WHERE h.circle_id = ? ORDER BY h.since DESC, h.id DESC", [circle_id]))


def medication_state(entries):
    """{"medication", "since", "next_due", "stopped_on"} from history entries (dicts
    with id, medication, since, next_due), or None when nothing is recorded.

    `stopped_on` is the first day without medication after it was stopped (the
    engine's medication_stopped_on): the start of the latest "none" entry when an
    entry with a medication came before it; None when taking one, or never on one."""
    timeline = _timeline(entries)
    if not timeline:
        return None
    current = timeline[-1]
    start = len(timeline) - 1
    while start > 0 and timeline[start - 1]["medication"] == current["medication"]:
        start -= 1
    stopped_on = None
    if current["medication"] == "none" and start > 0:
        stopped_on = timeline[start]["since"]
    # The latest due date of this run: an entry with only a note does not hide it.
    next_due = next((e["next_due"] for e in reversed(timeline[start:]) if e["next_due"]), None)
    return {"medication": current["medication"], "since": timeline[start]["since"],
            "next_due": next_due, "stopped_on": stopped_on}


def medication_now(circle_id):
    """The circle's medication state (medication_state), read once per request: the
    rules, the home page's next-injection line and the check-in form all ask for it."""
    read = g.setdefault("medication_now", {})
    if circle_id not in read:
        read[circle_id] = medication_state(medication_history(circle_id))
    return read[circle_id]


def record_medication(db, circle_id, user_id, medication, since, next_due=None, note=None):
    """A medication entry (the same entry sent twice is stored once)."""
    if one("SELECT 1 FROM medication_history WHERE circle_id = ? AND medication = ? AND since = ?"
           " AND next_due IS ? AND note IS ?", [circle_id, medication, since, next_due, note]):
        return
    db.table("medication_history").insert({
        "circle_id": circle_id, "medication": medication, "since": since, "next_due": next_due,
        "note": note, "recorded_by": user_id, "recorded_at": now_utc()})
    g.pop("medication_now", None)  # what this request read before is out of date


def remove_medication_entry(db, circle_id, entry_id):
    db.execute("DELETE FROM medication_history WHERE id = ? AND circle_id = ?", [entry_id, circle_id])
    g.pop("medication_now", None)


# ---------------------------------------------------------------------------
# The circle, its members and its numbers
# ---------------------------------------------------------------------------
def my_circles(user_id):
    """A caregiver's circles, by name, with their role in each."""
    return list(get_db().query(
        "SELECT c.id, c.nickname, c.emergency_number, m.role FROM circles c JOIN memberships m"
        " ON m.circle_id = c.id WHERE m.user_id = ? ORDER BY c.nickname COLLATE NOCASE", [user_id]))


def hand_over(db, circle_id, successor, by, reason):
    """The circle's only owner is going: `successor` becomes owner."""
    db.execute("UPDATE memberships SET role = 'owner' WHERE circle_id = ? AND user_id = ?", [circle_id, successor])
    audit.log(db, "member.promoted", by, circle_id, member=successor, reason=reason)


def close_doors(db, circle_id, user_id, reason, keep_links=False):
    """A member is going (left, removed, account deleted): in the caller's write, every
    door they opened closes with them. Their share links are withdrawn, saying why
    (unless the owner chose to keep them for the care team), and their unused invites
    are cancelled. Their sessions lose the circle at once: every circle page checks
    the membership on each request. Returns (links withdrawn, invites cancelled)."""
    now = now_utc()
    links = 0
    if not keep_links:
        links = db.execute(
            "UPDATE share_links SET revoked_at = ?, revoked_reason = ? WHERE circle_id = ? AND created_by = ?"
            " AND revoked_at IS NULL AND expires_at > ?", [now, reason, circle_id, user_id, now]).rowcount
    invites = db.execute("DELETE FROM invites WHERE circle_id = ? AND created_by = ? AND used_at IS NULL",
                         [circle_id, user_id]).rowcount
    alerts.stop_for_member(db, circle_id, user_id)  # nothing queued reaches them after this
    if links or invites:
        audit.log(db, "member.doors_closed", None, circle_id, member=user_id, reason=reason,
                  links=links, invites=invites)
    return links, invites


def care_team(circle_id):
    return list(get_db().query(
        "SELECT label, number FROM care_team_numbers WHERE circle_id = ? ORDER BY position, id", [circle_id]))


def replace_care_team(db, circle_id, numbers):
    """The circle's care team numbers become `numbers` [(label, number)], in order."""
    db.execute("DELETE FROM care_team_numbers WHERE circle_id = ?", [circle_id])
    for position, (label, number) in enumerate(numbers):
        db.table("care_team_numbers").insert({
            "circle_id": circle_id, "label": label, "number": number, "position": position})


# ---------------------------------------------------------------------------
# Prompts: the rules engine's reading of a circle, and what the family did
# ---------------------------------------------------------------------------
def risk_dates(circle, today):
    """(left_24_7_on, medication_stopped_on) of a circle as YYYY-MM-DD, or None: the
    days the rules read from the level and medication histories."""
    medication = medication_now(circle["id"]) or {}

    def known(day):  # a time zone change can put a recorded day after the circle's today
        return day if day and day <= today.isoformat() else None
    return known(left_24_7_on(level_history(circle["id"]))), known(medication.get("stopped_on"))


def _signal_inputs(circle):
    """(today, check-in rows of the last 30 days, the rest of the engine's input)."""
    today = circle_today(circle)
    rows = checkins_between(circle["id"], today - timedelta(days=LOOKBACK_DAYS - 1), today)
    left, stopped = risk_dates(circle, today)
    return today, rows, dict(
        level_of_care=circle["level_of_care"], level_since=circle["level_since"],
        previous_level=circle["previous_level"], left_24_7_on=left, medication_stopped_on=stopped,
        checklist={item: True for item in ticked_items(circle["id"])},
    )


def circle_signals(circle):
    """The rules engine's output for a circle today, from the last 30 days only."""
    today, rows, context = _signal_inputs(circle)
    return signals.evaluate(today, [row_to_checkin(r) for r in rows], **context)


def responses_between(circle_id, first, last):
    """What the family did about prompts on days first..last, newest first."""
    return list(get_db().query(
        "SELECT r.*, u.display_name AS author FROM prompt_responses r LEFT JOIN users u ON u.id = r.user_id"
        " WHERE r.circle_id = ? AND r.day BETWEEN ? AND ? ORDER BY r.at DESC",
        [circle_id, first.isoformat(), last.isoformat()]))


def save_response(db, circle_id, user_id, rule, action, note, day):
    with write(db):
        db.table("prompt_responses").insert({
            "circle_id": circle_id, "rule": rule, "action": action, "note": note or None,
            "user_id": user_id, "at": now_utc(), "day": day.isoformat()})
