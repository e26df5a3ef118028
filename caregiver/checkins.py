"""The check-in form, saving (once, even when replayed), history, edit and delete."""
import json
from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for

from . import alerts, records, signals
from .dates import circle_today, day_words, local_date, long_date
from .db import get_db, one
from .forms import CheckinForm, ConfirmForm, _l, value_words
from .i18n import _
from .records import author_of, checkins_between, row_to_checkin
from .views import circle_member_required, render, wants_json
from .vocabulary import CHECKIN_FIELDS as FIELDS
from .vocabulary import FIELD, INJECTIONS, SIGN_WORDS

bp = Blueprint("checkins", __name__)

HISTORY_DAYS = 30


def new_form(circle, **kwargs):
    return CheckinForm(today=circle_today(circle),
                       max_days_back=current_app.config["CHECKIN_MAX_DAYS_BACK"], **kwargs)


# The first line of an urgent card: what was seen and when, one fact per kind of day
# ("Overdose, naloxone given: Sun 6 Dec"). Whole sentences with one placeholder, for
# translation.
FACT_WORDS = {
    "overdose-naloxone": _l("Overdose, naloxone given: %(days)s"),
    "overdose": _l("Overdose: %(days)s"),
    "naloxone": _l("Naloxone given: %(days)s"),
    "use-confirmed": _l("Use after a time without it: %(days)s"),
    "use-suspected": _l("Suspected use after a time without it: %(days)s"),
}


def _fact_kind(rule, dv):
    if rule in ("overdose-recent", "overdose-history"):
        if dv.overdose and dv.naloxone_given:
            return "overdose-naloxone"
        return "overdose" if dv.overdose else ("naloxone" if dv.naloxone_given else None)
    if rule == "use-after-abstinence" and dv.use in ("confirmed", "suspected"):
        return f"use-{dv.use}"
    return None


def urgent_facts(circle, prompts):
    """What the urgent prompts rest on, in a few words each, newest day first:
    ["Overdose, naloxone given: Sun 6 Dec"]. A rule with no words of its own here
    reads as its title and its days."""
    urgent = [p for p in prompts if p["level"] == "urgent" and p["evidence"]]
    if not urgent:
        return []
    days = sorted({d for p in urgent for d in p["evidence"]})
    rows = checkins_between(circle["id"], date.fromisoformat(days[0]), date.fromisoformat(days[-1]))
    values = signals.aggregate_days([row_to_checkin(r) for r in rows])
    today = circle_today(circle)
    found = {}  # kind of fact (or the rule's title) -> days
    for p in urgent:
        for d in p["evidence"]:
            dv = values.get(date.fromisoformat(d))
            kind = _fact_kind(p["rule"], dv) if dv else None
            found.setdefault(kind or str(p["title"]), set()).add(d)
    ordered = sorted(found.items(), key=lambda item: max(item[1]), reverse=True)
    facts = []
    for key, ds in ordered:
        days = ", ".join(long_date(d, today) for d in sorted(ds, reverse=True))
        if key in FACT_WORDS:
            facts.append(str(FACT_WORDS[key]) % {"days": days})
        else:
            facts.append(_("%(title)s: %(days)s", title=key, days=days))
    return facts


def on_injection(circle_id):
    """Whether the circle's current medication is an injection: the form then asks
    whether the injection is up to date (the stored values stay the same)."""
    state = records.medication_now(circle_id)
    return bool(state) and state["medication"] in INJECTIONS


@bp.route("/c/<int:circle_id>/checkins/new", methods=["GET", "POST"])
@circle_member_required
def new(circle_id):
    circle = g.circle
    form = new_form(circle)
    if form.validate_on_submit():
        checkin_id, created = records.save_checkin(get_db(), circle_id, g.user["id"], form.checkin(),
                                                   form.client_id.data)
        if wants_json():
            return {"id": checkin_id, "created": created}, 201 if created else 200
        saved = one("SELECT * FROM checkins WHERE id = ?", [checkin_id])
        result = records.circle_signals(circle)
        alerted, delivered, failed = alerts.delivery(get_db(), checkin_id)
        return render("checkins/saved.html", partial="checkins/_saved.html",
                      saved=row_to_checkin(saved), created=created, checkin_id=checkin_id,
                      # how many phones the urgent alert went to, and later whether delivered
                      alerted=alerted, delivered=delivered, failed=failed,
                      alert_delivery=alerted or (alerts.could_be_urgent(row_to_checkin(saved)) and any(
                          p["level"] == "urgent" for p in result["prompts"])),
                      result=result, form=new_form(circle, formdata=None),
                      care_team_numbers=records.care_team(circle_id),  # an urgent card calls them too
                      urgent_facts=urgent_facts(circle, result["prompts"]))
    if request.method == "POST" and wants_json():
        return {"errors": _errors(form)}, 422
    return render("checkins/new.html", partial="checkins/_form.html", form=form,
                  injection=on_injection(circle_id), status=422 if form.errors else 200)


def _errors(form):
    # (WTForms keys the form's own errors "", not None.)
    errors = {name: list(errs) for name, errs in form.errors.items() if name}
    # The form repeats a hidden field's errors (client_id) so that the page shows them.
    shown = {e for errs in errors.values() for e in errs}
    form_errors = [e for e in form.form_errors if e not in shown]
    if form_errors:
        errors["form"] = form_errors
    return errors


def _own_checkin(circle_id, checkin_id):
    row = one("SELECT * FROM checkins WHERE id = ? AND circle_id = ?", [checkin_id, circle_id])
    if row is None:
        abort(404)
    if row["user_id"] != g.user["id"]:
        abort(403)  # caregivers edit only what they wrote
    return row


@bp.route("/c/<int:circle_id>/checkins/<int:checkin_id>/edit", methods=["GET", "POST"])
@circle_member_required
def edit(circle_id, checkin_id):
    row = _own_checkin(circle_id, checkin_id)
    before = row_to_checkin(row)
    today = circle_today(g.circle)
    # An older entry can still be corrected: the window starts at its own date.
    days_back = max(current_app.config["CHECKIN_MAX_DAYS_BACK"],
                    (today - date.fromisoformat(row["date"])).days)
    if request.method == "POST":
        form = CheckinForm(today=today, max_days_back=days_back)
    else:
        data = dict(before)
        data.update(craving="" if before["craving"] is None else str(before["craving"]),
                    stress="" if before["stress"] is None else str(before["stress"]),
                    client_id=row["client_id"] or "")
        data = {k: ("" if v is None else v) for k, v in data.items()}
        form = CheckinForm(today=today, max_days_back=days_back, data=data)
    if form.validate_on_submit():
        after = form.checkin()
        records.save_edit(get_db(), row, g.user["id"], after)
        flash(_("Saved your changes to the check-in of %(day)s.", day=day_words(after["date"])))
        return redirect(url_for("checkins.history", circle_id=circle_id) + f"#day-{after['date']}")
    return render("checkins/edit.html", form=form, checkin=row, delete_form=ConfirmForm(),
                  injection=on_injection(circle_id), status=422 if form.errors else 200)


@bp.route("/c/<int:circle_id>/checkins/<int:checkin_id>/delete", methods=["POST"])
@circle_member_required
def delete(circle_id, checkin_id):
    row = _own_checkin(circle_id, checkin_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    records.save_deletion(get_db(), row, g.user["id"])
    flash(_("Deleted your check-in of %(day)s. The history lists the deletion under that day.",
            day=day_words(row["date"])))
    return redirect(url_for("checkins.history", circle_id=circle_id) + f"#day-{row['date']}")


def _shown(field, value):
    kind = FIELD[field].kind
    if kind == "flag":
        return _("yes") if value else _("no")
    if kind == "signs":
        return ", ".join(str(SIGN_WORDS.get(v, v)) for v in value) if value else _("none")
    return value_words(field, value)


def describe_change(who, action, before, after):
    """One change of the record of edits, as one sentence: who edited what, or what a
    deleted check-in held (notes are said to have changed, never quoted)."""
    if action == "delete":
        held = [f"{FIELD[f].short} {_shown(f, before[f])}" for f in FIELDS[1:-1]
                if before.get(f) not in (None, False, [], "")]
        if held:
            return _("%(who)s deleted a check-in (%(values)s)", who=who, values=", ".join(held))
        return _("%(who)s deleted a check-in", who=who)
    changed = []
    for f in FIELDS:
        if before.get(f) == after.get(f):
            continue
        if f == "notes":
            changed.append(_("the note"))
        else:
            changed.append(f"{FIELD[f].short} {_shown(f, before.get(f))} → {_shown(f, after.get(f))}")
    if not changed:
        return _("%(who)s edited a check-in: nothing changed", who=who)
    return _("%(who)s edited a check-in: %(changes)s", who=who, changes=", ".join(changed))


def changes_between(circle, first, last):
    """{day: [change]} for the edits and deletions of check-ins dated first..last.

    A check-in dated D is written on D or later, so its changes are all at or after D:
    reading the record of edits from the day before `first` (UTC against local dates)
    finds every one, through the (circle_id, at) index."""
    changes = {}
    for r in records.changes_since(circle["id"], first - timedelta(days=1)):
        before, after = json.loads(r["before_json"] or "{}"), json.loads(r["after_json"] or "{}")
        day = (after or before).get("date")
        if day and first.isoformat() <= day <= last.isoformat():
            who = r["who"] or _("A former member")
            changes.setdefault(day, []).append({"who": who, "on": local_date(r["at"], circle),
                                                "what": describe_change(who, r["action"], before, after)})
    return changes


@bp.route("/c/<int:circle_id>/history")
@circle_member_required
def history(circle_id):
    today = circle_today(g.circle)
    try:
        last = min(date.fromisoformat(request.args.get("until", "")), today)
    except ValueError:
        last = today
    last = max(last, date.min + timedelta(days=HISTORY_DAYS))  # the window must fit the calendar
    first = last - timedelta(days=HISTORY_DAYS - 1)
    rows = checkins_between(circle_id, first, last)
    by_day = {}
    for row in rows:
        by_day.setdefault(row["date"], []).append(row)
    aggregated = signals.aggregate_days([row_to_checkin(r) for r in rows])
    changes = changes_between(g.circle, first, last)
    days = [{"date": d, "totals": aggregated.get(date.fromisoformat(d)), "changes": changes.get(d, []), "entries": [
        {**row_to_checkin(r), "id": r["id"], "author": author_of(r), "mine": r["user_id"] == g.user["id"],
         "edited": r["updated_at"] != r["created_at"]} for r in by_day.get(d, [])]}
        for d in sorted(set(by_day) | set(changes), reverse=True)]
    older = one("SELECT max(date) AS d FROM checkins WHERE circle_id = ? AND date < ?",
                [circle_id, first.isoformat()])["d"]
    return render("checkins/history.html", days=days, first=first, last=last, older=older)
