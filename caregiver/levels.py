"""Levels of care: the continuum explained, the current level and its history
(records.py keeps the history and the circle's current level in step)."""
from datetime import date

from flask import Blueprint, g, redirect, url_for

from . import content, records
from .dates import circle_today, local_date, long_date
from .db import get_db, write
from .forms import LevelForm
from .i18n import _, ngettext
from .views import circle_member_required, own_history_entry, render

bp = Blueprint("levels", __name__)


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
        words = _("start date not known")
    elif days == 0:
        words = _("since today, %(day)s", day=long_date(since, today))
    else:
        words = ngettext("since %(day)s, %(num)d day", "since %(day)s, %(num)d days", days,
                         day=long_date(since, today))
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
        with write(db):  # the same entry sent twice (a double tap, a reload) is stored once
            records.record_levels(db, circle_id, g.user["id"],
                                  [(form.level.data, form.since.data, form.note.data or None)])
        return redirect(url_for("levels.level", circle_id=circle_id) + "#current")
    entries = records.level_history(circle_id)
    replaced = records.replaced_ids(entries)
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
    own_history_entry("level_history", circle_id, entry_id)
    db = get_db()
    with write(db):
        records.remove_level_entry(db, circle_id, entry_id)
    return redirect(url_for("levels.level", circle_id=circle_id) + "#history")
