"""Checklists: step-down readiness and home safety, ticked in one tap, also offline.

checklist_state holds each item's current state (who changed it last, and when);
checklist_events holds every tick and untick. A tick carries a client_id made when
the page was rendered, so a replayed form (double tap, offline outbox) is stored once.
"""
import uuid

from flask import Blueprint, abort, g, redirect, url_for

from . import content, records
from .dates import circle_today, local_date, long_date
from .db import get_db
from .forms import ChecklistTickForm
from .i18n import _
from .views import circle_member_required, render, wants_json, wants_partial

bp = Blueprint("checklists", __name__)

# item id -> (list id, item) for every item of every checklist
ITEMS = {item["id"]: (list_id, item)
         for list_id, checklist in content.CHECKLISTS.items() for item in checklist["items"]}


def _item_view(item, state, circle, today):
    """An item as the template shows it: text, why, ticked, who and when, a fresh client id."""
    ticked = bool(state and state["ticked"])
    who = None
    if state:
        name = state["changed_by_name"] or _("a former member")
        day = long_date(local_date(state["changed_at"], circle), today)
        if ticked:
            who = _("Ticked by %(name)s, %(day)s", name=name, day=day)
        else:
            who = _("Unticked by %(name)s, %(day)s", name=name, day=day)
    return {**item, "ticked": ticked, "who": who, "client_id": str(uuid.uuid4())}


def checklists_view(circle):
    """Both checklists with each item's state and the progress of each list."""
    states = records.checklist_states(circle["id"])
    today = circle_today(circle)
    lists = []
    for list_id, checklist in content.CHECKLISTS.items():
        items = [_item_view(item, states.get(item["id"]), circle, today) for item in checklist["items"]]
        lists.append({"id": list_id, "title": checklist["title"], "intro": checklist["intro"],
                      "items": items, "done": sum(i["ticked"] for i in items), "total": len(items)})
    return lists


@bp.route("/c/<int:circle_id>/checklists")
@circle_member_required
def index(circle_id):
    return render("checklists/index.html", lists=checklists_view(g.circle))


def _errors(form):
    """The fields' errors (the form repeats the hidden client_id's under the key "")."""
    return {name: list(errs) for name, errs in form.errors.items() if name}


@bp.route("/c/<int:circle_id>/checklists/<item_id>", methods=["POST"])
@circle_member_required
def tick(circle_id, item_id):
    if item_id not in ITEMS:
        if wants_json():
            return {"errors": {"item": [_("No checklist has this item.")]}}, 404
        abort(404)
    list_id = ITEMS[item_id][0]
    form = ChecklistTickForm()
    result = None
    if form.validate_on_submit():
        result = records.save_tick(get_db(), circle_id, g.user["id"], item_id, form.ticked.data == "1",
                           form.client_id.data)
        if result is None:
            form.client_id.errors = list(form.client_id.errors) + [
                _("Client id: already used for another tap. Please reload the page.")]
    if result is None:
        if wants_json():
            return {"errors": _errors(form)}, 422
        return _answer(circle_id, list_id, item_id, status=422, errors=_errors(form))
    ticked, created = result
    if wants_json():
        return {"item": item_id, "ticked": ticked, "created": created}, 201 if created else 200
    return _answer(circle_id, list_id, item_id)


def _answer(circle_id, list_id, item_id, status=200, errors=None):
    """htmx gets the item and the new progress; a plain form goes back to the item."""
    if status == 200 and not wants_partial():
        return redirect(url_for("checklists.index", circle_id=circle_id) + f"#item-{item_id}")
    lists = checklists_view(g.circle)
    checklist = next(lst for lst in lists if lst["id"] == list_id)
    item = next(i for i in checklist["items"] if i["id"] == item_id)
    return render("checklists/index.html", partial="checklists/_tick.html", status=status,
                  lists=lists, checklist=checklist, item=item,
                  errors=errors, error_item=item_id if errors else None)
