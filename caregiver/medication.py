"""Medication for opioid use disorder: what the person takes now, since when, the next
injection, and the history (records.py keeps it; the rules read when it stopped)."""
from flask import Blueprint, g, redirect, url_for

from . import records
from .dates import circle_today, local_date, long_date
from .db import get_db, write
from .forms import MedicationForm
from .views import circle_member_required, own_history_entry, render
from .vocabulary import INJECTIONS, MEDICATION_NAMES

bp = Blueprint("medication", __name__)


def current_medication(state, today):
    """What the page shows about the current medication, or None when nothing is recorded."""
    if state is None:
        return None
    next_due = state["next_due"] if state["medication"] in INJECTIONS else None
    return {"id": state["medication"], "name": MEDICATION_NAMES.get(state["medication"], state["medication"]),
            "since_text": long_date(state["since"], today),
            "stopped_text": long_date(state["stopped_on"], today) if state["stopped_on"] else None,
            "next_due_text": long_date(next_due, today) if next_due else None,
            "overdue": bool(next_due) and next_due < today.isoformat()}


@bp.route("/c/<int:circle_id>/medication", methods=["GET", "POST"])
@circle_member_required
def record(circle_id):
    today = circle_today(g.circle)
    form = MedicationForm(today=today)
    if form.validate_on_submit():
        db = get_db()
        with write(db):  # the same entry sent twice (a double tap, a reload) is stored once
            records.record_medication(db, circle_id, g.user["id"], form.medication.data, form.since.data,
                                      form.next_due.data, form.note.data or None)
        return redirect(url_for("medication.record", circle_id=circle_id) + "#current")
    entries = records.medication_history(circle_id)
    replaced = records.replaced_ids(entries)
    for entry in entries:
        entry["name"] = MEDICATION_NAMES.get(entry["medication"], entry["medication"])
        entry["since_text"] = long_date(entry["since"], today)
        entry["next_due_text"] = long_date(entry["next_due"], today) if entry["next_due"] else None
        entry["recorded_text"] = long_date(local_date(entry["recorded_at"], g.circle), today)
        entry["replaced"] = entry["id"] in replaced
        entry["mine"] = entry["recorded_by"] == g.user["id"]
    return render("medication/record.html", form=form, entries=entries,
                  current=current_medication(records.medication_state(entries), today),
                  status=422 if form.errors else 200)


@bp.route("/c/<int:circle_id>/medication/<int:entry_id>/remove", methods=["POST"])
@circle_member_required
def remove(circle_id, entry_id):
    """Take back a mistaken entry (only the caregiver who recorded it can)."""
    own_history_entry("medication_history", circle_id, entry_id)
    db = get_db()
    with write(db):
        records.remove_medication_entry(db, circle_id, entry_id)
    return redirect(url_for("medication.record", circle_id=circle_id) + "#history")
