"""The reads and writes of the assessment's answers and questions and of the circle's
plan, with its record of edits and who has read it. No blueprint: the assessment and
plan pages, the home page and the share page read it (pages never import each other).
Writers that take `db` run inside the caller's `write(db)`.
"""
import json
from datetime import date, timedelta

from .db import get_db, now_utc, one

PLAN_TEXT_FIELDS = ("after_hours", "step_up_program", "step_up_how", "prescriber", "pharmacy", "step_up_signs")
NALOXONE_SOON_DAYS = 30  # "near its expiry": within this many days, or past it


# ---------------------------------------------------------------------------
# The assessment: the family's answers and the questions for the assessor
# ---------------------------------------------------------------------------
def answers(circle_id):
    """{question id: row with who answered last (changed_by_name)}."""
    return {row["question_id"]: row for row in get_db().query(
        "SELECT a.*, u.display_name AS changed_by_name FROM assessment_answers a"
        " LEFT JOIN users u ON u.id = a.changed_by WHERE a.circle_id = ?", [circle_id])}


def save_answers(db, circle_id, user_id, given):
    """Store {question id: (answer or None, note or None)}: only what changed gets a new
    who and when; a question with neither answer nor note has no row."""
    stored = answers(circle_id)
    now = now_utc()
    for question_id, (answer, note) in given.items():
        row = stored.get(question_id)
        if row is not None and (row["answer"], row["note"]) == (answer, note):
            continue
        if answer is None and note is None:
            db.execute("DELETE FROM assessment_answers WHERE circle_id = ? AND question_id = ?",
                       [circle_id, question_id])
            continue
        db.execute("INSERT INTO assessment_answers (circle_id, question_id, answer, note, changed_by, changed_at)"
                   " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (circle_id, question_id) DO UPDATE SET"
                   " answer = excluded.answer, note = excluded.note, changed_by = excluded.changed_by,"
                   " changed_at = excluded.changed_at", [circle_id, question_id, answer, note, user_id, now])


def assessor_questions(circle_id):
    """The saved questions for the assessor (a row with the list and who saved it), or None."""
    row = one("SELECT q.*, u.display_name AS changed_by_name FROM assessor_questions q"
              " LEFT JOIN users u ON u.id = q.changed_by WHERE q.circle_id = ?", [circle_id])
    if row is not None:
        row["list"] = [line for line in row["questions"].split("\n") if line]
    return row


def save_assessor_questions(db, circle_id, user_id, lines):
    db.execute("INSERT INTO assessor_questions (circle_id, questions, changed_by, changed_at) VALUES (?, ?, ?, ?)"
               " ON CONFLICT (circle_id) DO UPDATE SET questions = excluded.questions,"
               " changed_by = excluded.changed_by, changed_at = excluded.changed_at",
               [circle_id, "\n".join(lines), user_id, now_utc()])


# ---------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------
def plan(circle_id):
    """The circle's plan as it stands (with its calls and naloxone places, and who saved
    it last), or None before the first save."""
    row = one("SELECT p.*, u.display_name AS changed_by_name FROM plans p"
              " LEFT JOIN users u ON u.id = p.changed_by WHERE p.circle_id = ?", [circle_id])
    if row is None:
        return None
    row["calls"] = list(get_db().query(
        "SELECT who, number FROM plan_calls WHERE circle_id = ? ORDER BY position", [circle_id]))
    row["naloxone"] = list(get_db().query(
        "SELECT place, expires_on FROM plan_naloxone WHERE circle_id = ? ORDER BY position", [circle_id]))
    return row


def _content(values):
    """What a version of the plan says, as stored in its record of edits."""
    return {**{name: values.get(name) for name in PLAN_TEXT_FIELDS},
            "calls": [dict(c) for c in values.get("calls", [])],
            "naloxone": [dict(n) for n in values.get("naloxone", [])]}


class StalePlan(Exception):
    """Someone saved another version since the form was shown."""


def save_plan(db, circle_id, user_id, values, shown_version):
    """Store a new version of the plan (values: the text fields, calls [{who, number}],
    naloxone [{place, expires_on}]) with its edit on record; the one who saved it has
    read it. Returns the new version number, or None when nothing changed. Raises
    StalePlan, writing nothing, when the plan is no longer at `shown_version` (checked
    here, inside the write lock: two saves at once cannot both pass)."""
    current = plan(circle_id)
    if (current["version"] if current else 0) != shown_version:
        raise StalePlan()
    content = _content(values)
    if current is not None and _content(current) == content:
        return None
    version = (current["version"] if current else 0) + 1
    now = now_utc()
    fields = {name: content[name] for name in PLAN_TEXT_FIELDS}
    db.execute("INSERT INTO plans (circle_id, version, " + ", ".join(PLAN_TEXT_FIELDS) + ", changed_by, changed_at)"
               " VALUES (?, ?, " + ", ".join("?" for _ in PLAN_TEXT_FIELDS) + ", ?, ?)"
               " ON CONFLICT (circle_id) DO UPDATE SET version = excluded.version, "
               + ", ".join(f"{n} = excluded.{n}" for n in PLAN_TEXT_FIELDS)
               + ", changed_by = excluded.changed_by, changed_at = excluded.changed_at",
               [circle_id, version, *fields.values(), user_id, now])
    db.execute("DELETE FROM plan_calls WHERE circle_id = ?", [circle_id])
    db.execute("DELETE FROM plan_naloxone WHERE circle_id = ?", [circle_id])
    for position, call in enumerate(content["calls"]):
        db.execute("INSERT INTO plan_calls (circle_id, position, who, number) VALUES (?, ?, ?, ?)",
                   [circle_id, position, call["who"], call["number"]])
    for position, kit in enumerate(content["naloxone"]):
        db.execute("INSERT INTO plan_naloxone (circle_id, position, place, expires_on) VALUES (?, ?, ?, ?)",
                   [circle_id, position, kit["place"], kit["expires_on"]])
    db.execute("INSERT INTO plan_edits (circle_id, version, user_id, at, plan_json) VALUES (?, ?, ?, ?, ?)",
               [circle_id, version, user_id, now, json.dumps(content, ensure_ascii=False)])
    mark_seen(db, circle_id, user_id, version)
    return version


def plan_edits(circle_id, limit=20):
    """The latest saves of the plan, newest first, with who saved each."""
    return list(get_db().query(
        "SELECT e.version, e.at, u.display_name AS who FROM plan_edits e LEFT JOIN users u ON u.id = e.user_id"
        " WHERE e.circle_id = ? ORDER BY e.version DESC LIMIT ?", [circle_id, limit]))


def mark_seen(db, circle_id, user_id, version):
    db.execute("INSERT INTO plan_seen (circle_id, user_id, version, at) VALUES (?, ?, ?, ?)"
               " ON CONFLICT (circle_id, user_id) DO UPDATE SET version = excluded.version, at = excluded.at",
               [circle_id, user_id, version, now_utc()])


def readers(circle_id, version):
    """(members who have read `version`, members who have not), by name: only people
    in the circle now count."""
    seen, not_yet = [], []
    for row in get_db().query(
            "SELECT u.display_name AS name, s.version FROM memberships m JOIN users u ON u.id = m.user_id"
            " LEFT JOIN plan_seen s ON s.circle_id = m.circle_id AND s.user_id = m.user_id"
            " WHERE m.circle_id = ? ORDER BY u.display_name COLLATE NOCASE", [circle_id]):
        (seen if row["version"] == version else not_yet).append(row["name"])
    return seen, not_yet


def naloxone_expiring(circle_id, today, within_days=NALOXONE_SOON_DAYS):
    """The naloxone places of a circle's plan whose expiry date is past or within
    `within_days` of `today` (the circle's local date), soonest first: [{"place",
    "expires_on" (a date), "expired" (bool)}]. For the plan page, the home page, and
    a reminder that calls it once a day."""
    until = (today + timedelta(days=within_days)).isoformat()
    found = []
    for row in get_db().query(
            "SELECT place, expires_on FROM plan_naloxone WHERE circle_id = ? AND expires_on IS NOT NULL"
            " AND expires_on <= ? ORDER BY expires_on, position", [circle_id, until]):
        expires = date.fromisoformat(row["expires_on"])
        found.append({"place": row["place"], "expires_on": expires, "expired": expires < today})
    return found
