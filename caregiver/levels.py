"""Levels of care: the continuum explained, the current level and its history.

The circle row holds the current level (level_of_care, level_since, previous_level)
because the rules engine reads them on every page; level_history holds every entry
anyone recorded. The circle row is always recomputed from the history (level_state),
so an entry recorded late, with an older date, lands in the right place.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g, redirect, url_for

from . import content, views
from .db import get_db, now_utc, write
from .forms import ConfirmForm, LevelForm
from .views import circle_member_required, circle_today, nice_date, one, render

bp = Blueprint("levels", __name__)

views.MORE_LINKS.append({"endpoint": "levels.continuum", "label": "Levels of care, explained"})
views.MORE_LINKS.append({"endpoint": "levels.level", "label": "Level of care: record a change, see the history"})


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
    by_day = {}
    for entry in sorted(entries, key=lambda e: (e["since"], e["id"])):
        by_day[entry["since"]] = entry
    timeline = [by_day[day] for day in sorted(by_day)]
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


def history(circle_id):
    """Every entry, newest day first, with who recorded it."""
    return list(get_db().query(
        "SELECT h.*, u.display_name AS recorded_by_name FROM level_history h"
        " LEFT JOIN users u ON u.id = h.recorded_by"
        " WHERE h.circle_id = ? ORDER BY h.since DESC, h.id DESC", [circle_id]))


def record_start(db, circle_id, user_id, level, since, note=None, previous=None, previous_note=None):
    """A circle's first level of care, and the one before it when known (inside a
    write). The day the previous level started is not known: it is recorded for the
    day before, which is all the rules need (previous_level, level_since)."""
    since = date.fromisoformat(since) if isinstance(since, str) else since
    entries = [(level, since, note)]
    if previous and previous != level and since > date.min:
        entries.insert(0, (previous, since - timedelta(days=1), previous_note))
    now = now_utc()
    for entry_level, entry_since, entry_note in entries:
        db.table("level_history").insert({
            "circle_id": circle_id, "level": entry_level, "since": entry_since.isoformat(),
            "note": entry_note, "recorded_by": user_id, "recorded_at": now})
    recompute(db, circle_id)


def recompute(db, circle_id):
    """Set the circle's current and previous level from its history (inside a write)."""
    level, since, previous = level_state(history(circle_id))
    db.execute("UPDATE circles SET level_of_care = ?, level_since = ?, previous_level = ? WHERE id = ?",
               [level, since, previous, circle_id])


def long_date(value, today):
    """'Sun 1 Nov', with the year when it is not this year."""
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return nice_date(day) + ("" if day.year == today.year else f" {day.year}")


def local_date(timestamp, circle):
    """The circle's local date of a UTC timestamp (ISO 8601)."""
    return datetime.fromisoformat(timestamp).astimezone(ZoneInfo(circle["timezone"])).date()


def current_level(circle, today):
    """What the pages show about the current level, or None when it is not set."""
    level_id = circle["level_of_care"]
    if not level_id or level_id not in content.LEVEL_BY_ID:
        return None
    since = date.fromisoformat(circle["level_since"]) if circle["level_since"] else None
    previous = content.LEVEL_BY_ID.get(circle["previous_level"] or "")
    # A time zone change can put the start a day ahead of "today": never negative.
    days = max(0, (today - since).days) if since else None
    if since is None:
        words = "start date not known"
    elif days == 0:
        words = f"since today, {long_date(since, today)}"
    else:
        words = f"since {long_date(since, today)}, {days} day{'' if days == 1 else 's'}"
    return {"id": level_id, "level": content.LEVEL_BY_ID[level_id], "since": since, "days": days,
            "since_words": words, "previous": previous}


@bp.route("/c/<int:circle_id>/continuum")
@circle_member_required
def continuum(circle_id):
    today = circle_today(g.circle)
    return render("levels/continuum.html", current=current_level(g.circle, today))


@bp.route("/c/<int:circle_id>/level", methods=["GET", "POST"])
@circle_member_required
def level(circle_id):
    today = circle_today(g.circle)
    form = LevelForm(today=today)
    if form.validate_on_submit():
        db = get_db()
        note = form.note.data or None
        with write(db):
            # The same entry sent twice (a double tap, a reload) is stored once.
            same = one("SELECT id FROM level_history WHERE circle_id = ? AND level = ? AND since = ?"
                       " AND note IS ?", [circle_id, form.level.data, form.since.data, note])
            if same is None:
                db.table("level_history").insert({
                    "circle_id": circle_id, "level": form.level.data, "since": form.since.data,
                    "note": note, "recorded_by": g.user["id"], "recorded_at": now_utc()})
            recompute(db, circle_id)
        return redirect(url_for("levels.level", circle_id=circle_id) + "#current")
    entries = history(circle_id)
    replaced = replaced_ids(entries)
    for entry in entries:
        entry["level_name"] = content.LEVEL_BY_ID.get(entry["level"], {}).get("name", entry["level"])
        entry["since_text"] = long_date(entry["since"], today)
        entry["recorded_text"] = long_date(local_date(entry["recorded_at"], g.circle), today)
        entry["replaced"] = entry["id"] in replaced
        entry["mine"] = entry["recorded_by"] == g.user["id"]
    return render("levels/level.html", form=form, entries=entries,
                  current=current_level(g.circle, today), status=422 if form.errors else 200)


@bp.route("/c/<int:circle_id>/level/<int:entry_id>/remove", methods=["POST"])
@circle_member_required
def remove(circle_id, entry_id):
    """Take back a mistaken entry (only the caregiver who recorded it can)."""
    entry = one("SELECT * FROM level_history WHERE id = ? AND circle_id = ?", [entry_id, circle_id])
    if entry is None:
        abort(404)
    if entry["recorded_by"] != g.user["id"]:
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_db()
    with write(db):
        db.execute("DELETE FROM level_history WHERE id = ?", [entry_id])
        recompute(db, circle_id)
    return redirect(url_for("levels.level", circle_id=circle_id) + "#history")
