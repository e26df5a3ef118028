"""If things get worse: the circle's plan. Whom to call, in order; the after-hours
number; the program to step back up with, and how; medication details; where
naloxone is kept and when it expires; the signs the circle agreed on for stepping
back up. Every member can edit it; each save is a new version with who and when;
the page shows who has read the latest one. Kept offline from sign-in (pwa.py).
"""
from flask import Blueprint, g, redirect, request, url_for

from . import plan_records, records, signals
from .dates import circle_today, local_time, long_date
from .db import get_db, write
from .i18n import _
from .plan_forms import PlanForm, PlanSeenForm, lines_of
from .views import circle_member_required, render
from .vocabulary import MEDICATION_NAMES

bp = Blueprint("plan", __name__)


def default_signs():
    """The signs prefilled in a new plan: the titles of the rules that call for more
    structure or for help now. The circle edits them."""
    return [str(r.title) for r in signals.RULES if r.level in ("urgent", "more-structure")]


def _form_data(plan, circle_id):
    """What the form shows before anyone edits: the plan, or a new one prefilled."""
    if plan is None:
        return {"calls": [{"label": n["label"], "number": n["number"]} for n in records.care_team(circle_id)],
                "step_up_signs": "\n".join(default_signs())}
    return {**{name: plan[name] or "" for name in plan_records.PLAN_TEXT_FIELDS},
            "calls": [{"label": c["who"], "number": c["number"]} for c in plan["calls"]],
            "naloxone": [{"place": n["place"], "expires_on": n["expires_on"] or ""} for n in plan["naloxone"]]}


def plan_view(circle, plan, today):
    """The plan as the page and the home page show it, or None before the first save."""
    if plan is None:
        return None
    seen, not_yet = plan_records.readers(circle["id"], plan["version"])
    changed = local_time(plan["changed_at"], circle)
    return {**plan, "signs": lines_of(plan["step_up_signs"]), "seen": seen, "not_yet": not_yet,
            "changed_words": _("Version %(version)d, saved by %(name)s on %(day)s at %(time)s.",
                               version=plan["version"], name=plan["changed_by_name"] or _("a former member"),
                               day=long_date(changed.date(), today), time=changed.strftime("%H:%M")),
            "naloxone": [{**n, "expires_text": long_date(n["expires_on"], today) if n["expires_on"] else None}
                         for n in plan["naloxone"]]}


@bp.route("/c/<int:circle_id>/plan", methods=["GET", "POST"])
@circle_member_required
def plan(circle_id):
    today = circle_today(g.circle)
    current = plan_records.plan(circle_id)
    version = current["version"] if current else 0
    # Sent: only what was sent counts (a field left out is empty, not the old value).
    form = PlanForm(today=today, current_version=version,
                    data=None if request.method == "POST" else _form_data(current, circle_id))
    if form.validate_on_submit():
        db = get_db()
        try:
            with write(db):
                plan_records.save_plan(db, circle_id, g.user["id"], form.values(), version)
            return redirect(url_for("plan.plan", circle_id=circle_id) + "#plan")
        except plan_records.StalePlan:  # saved by someone else between reading and writing
            form.form_errors.append(form.stale_message())
            current = plan_records.plan(circle_id)
            version = form.current_version = current["version"] if current else 0
    if form.errors or form.form_errors:
        form.version.data = str(version)  # after looking, a second save goes through
    return render_plan(g.circle, current, today, form, status=422 if form.errors or form.form_errors else 200)


def render_plan(circle, current, today, form, seen_form=None, status=200):
    medication = records.medication_now(circle["id"])
    edits = [{**e, "when": local_time(e["at"], circle)} for e in plan_records.plan_edits(circle["id"])]
    return render("plan/plan.html", status=status, p=plan_view(circle, current, today), form=form,
                  seen_form=seen_form or PlanSeenForm(formdata=None, current_version=form.current_version),
                  today=today, edits=edits,
                  medication=medication and {**medication,
                                             "name": MEDICATION_NAMES.get(medication["medication"],
                                                                          medication["medication"])},
                  expiring=plan_records.naloxone_expiring(circle["id"], today),
                  read_by_me=current is not None and _seen_version(circle["id"]) == current["version"])


def _seen_version(circle_id):
    row = next(get_db().query("SELECT version FROM plan_seen WHERE circle_id = ? AND user_id = ?",
                              [circle_id, g.user["id"]]), None)
    return row and row["version"]


@bp.route("/c/<int:circle_id>/plan/seen", methods=["POST"])
@circle_member_required
def seen(circle_id):
    """"I have read this version": only the version the page showed counts."""
    current = plan_records.plan(circle_id)
    version = current["version"] if current else 0
    seen_form = PlanSeenForm(current_version=version)
    if seen_form.validate_on_submit():
        db = get_db()
        with write(db):
            plan_records.mark_seen(db, circle_id, g.user["id"], version)
        return redirect(url_for("plan.plan", circle_id=circle_id) + "#readers")
    today = circle_today(g.circle)
    form = PlanForm(formdata=None, today=today, current_version=version, data=_form_data(current, circle_id))
    return render_plan(g.circle, current, today, form, seen_form=seen_form, status=422)
