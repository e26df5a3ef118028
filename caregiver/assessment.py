"""Prepare for an assessment: the seeds' six signs and the conditions for outpatient
care as questions the family answers, with the app's own facts beside them; the
questions for the assessor; where to get an assessment; and the brief, one printed
page for the assessment (also carried by a share link, share.py).

The family answers; the app only shows what it has written down, and the
assessment decides.
"""
from datetime import timedelta

from flask import Blueprint, g, redirect, url_for

from . import assessment_content as ac
from . import content, plan_records, records, signals
from .assessment_facts import BESIDE, facts
from .dates import circle_today, day_words, full_date, local_date, long_date
from .db import get_db, write
from .i18n import _, ngettext
from .plan_forms import AnswersForm, AssessorQuestionsForm
from .views import circle_member_required, render
from .vocabulary import CHECKLIST_LABELS, LEVEL_NAMES, MEDICATION_NAMES

bp = Blueprint("assessment", __name__)
WINDOW_DAYS = records.LOOKBACK_DAYS  # the facts cover the last 30 days
RUN_MIN = 3  # this many days in a row are written "from ... to ..."


# ---------------------------------------------------------------------------
# The facts in words
# ---------------------------------------------------------------------------
def day_list(days):
    """'Mon 2 Nov to Wed 4 Nov, Fri 6 Nov': runs of 3 or more days in a row shortened."""
    runs, parts = [], []
    for day in sorted(days):
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        if len(run) >= RUN_MIN:
            parts.append(_("%(first)s to %(last)s", first=day_words(run[0]), last=day_words(run[-1])))
        else:
            parts.extend(day_words(d) for d in run)
    return ", ".join(parts)


def fact_words(kind, fact):
    """One fact as a sentence with its days."""
    n, days = len(fact["days"]), day_list(fact["days"])
    if kind == "use":
        return ngettext("Signs of use on %(num)d day of the %(logged)d with a check-in: %(days)s.",
                        "Signs of use on %(num)d days of the %(logged)d with a check-in: %(days)s.",
                        n, logged=fact["logged"], days=days)
    if kind == "use_lower":
        levels = signals.join_words([LEVEL_NAMES.get(lvl, lvl) for lvl in fact["levels"]])
        return ngettext("Signs of use on %(num)d day while at an outpatient level (%(levels)s): %(days)s.",
                        "Signs of use on %(num)d days while at an outpatient level (%(levels)s): %(days)s.",
                        n, levels=levels, days=days)
    if kind == "episodes_lower":
        return ngettext("%(num)d separate run of use while at an outpatient level (days: %(days)s).",
                        "%(num)d separate runs of use while at an outpatient level (days: %(days)s).",
                        fact["count"], days=days)
    words = {
        "use_after_overdose": ngettext("Signs of use on %(num)d day after the overdose or naloxone: %(days)s.",
                                       "Signs of use on %(num)d days after the overdose or naloxone: %(days)s.", n,
                                       days=days),
        "overdose": ngettext("An overdose or a close call on %(num)d day: %(days)s.",
                             "An overdose or a close call on %(num)d days: %(days)s.", n, days=days),
        "naloxone": ngettext("Naloxone given on %(num)d day: %(days)s.",
                             "Naloxone given on %(num)d days: %(days)s.", n, days=days),
        "withdrawal_severe": ngettext("Severe withdrawal on %(num)d day: %(days)s.",
                                      "Severe withdrawal on %(num)d days: %(days)s.", n, days=days),
        "withdrawal_moderate": ngettext("Moderate withdrawal on %(num)d day: %(days)s.",
                                        "Moderate withdrawal on %(num)d days: %(days)s.", n, days=days),
        "withdrawal_recent": ngettext("Moderate or severe withdrawal on %(num)d day of the last week: %(days)s.",
                                      "Moderate or severe withdrawal on %(num)d days of the last week: %(days)s.",
                                      n, days=days),
        "access_easy": ngettext("Fentanyl easy to get on %(num)d day: %(days)s.",
                                "Fentanyl easy to get on %(num)d days: %(days)s.", n, days=days),
        "access_possible": ngettext("Fentanyl maybe within reach on %(num)d day: %(days)s.",
                                    "Fentanyl maybe within reach on %(num)d days: %(days)s.", n, days=days),
        "missed_medication": ngettext("Medication missed on %(num)d day: %(days)s.",
                                      "Medication missed on %(num)d days: %(days)s.", n, days=days),
        "stress": ngettext("Stress of 7 or more on %(num)d day: %(days)s.",
                           "Stress of 7 or more on %(num)d days: %(days)s.", n, days=days),
        "cravings": ngettext("Cravings of 7 or more on %(num)d day: %(days)s.",
                             "Cravings of 7 or more on %(num)d days: %(days)s.", n, days=days),
    }
    return words[kind]


def circle_facts(circle):
    """(facts by kind, the first day they cover, today) from the last 30 days' check-ins
    and the level history."""
    today = circle_today(circle)
    first = today - timedelta(days=WINDOW_DAYS - 1)
    rows = records.checkins_between(circle["id"], first, today)
    aggregated = signals.aggregate_days([records.row_to_checkin(r) for r in rows])
    timeline = records.timeline_since(records.level_history(circle["id"]), first.isoformat())
    return facts(aggregated, timeline, today), first, today


def _question_view(question, found, answers, ticked, today, circle):
    row = answers.get(question["id"])
    who = None
    if row is not None:
        who = _("Answered by %(name)s, %(day)s", name=row["changed_by_name"] or _("a former member"),
                day=long_date(local_date(row["changed_at"], circle), today))
    return {**question,
            "facts": [fact_words(kind, found[kind]) for kind in BESIDE[question["id"]] if kind in found],
            "reads_checkins": bool(BESIDE[question["id"]]),
            "checklist": [{"id": item, "label": CHECKLIST_LABELS[item], "ticked": item in ticked}
                          for item in question["checklist"]],
            "answer": row["answer"] if row else None, "note": row["note"] if row else None, "who": who}


def questions_view(circle):
    """Both groups of questions, each with its facts, checklist items and answer."""
    found, first, today = circle_facts(circle)
    answers = plan_records.answers(circle["id"])
    ticked = records.ticked_items(circle["id"])
    groups = [{"id": group_id, "questions": [_question_view(q, found, answers, ticked, today, circle)
                                             for q in questions]}
              for group_id, questions in (("inpatient", ac.INPATIENT_QUESTIONS),
                                          ("outpatient", ac.OUTPATIENT_QUESTIONS))]
    return groups, found, first, today


def assessor_list(circle_id):
    saved = plan_records.assessor_questions(circle_id)
    return saved["list"] if saved else [str(q) for q in ac.DEFAULT_ASSESSOR_QUESTIONS]


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------
def _render(circle, form, questions_form, status=200):
    groups, found, first, today = questions_view(circle)
    # The form that was sent shows what was sent; the other one what is stored.
    if not questions_form.from_request:
        questions_form.questions.data = "\n".join(assessor_list(circle["id"]))
    if not form.from_request:
        for group in groups:
            for q in group["questions"]:
                form[f"answer_{q['id']}"].data = q["answer"] or ""
                form[f"note_{q['id']}"].data = q["note"] or ""
    return render("assessment/assessment.html", status=status, groups=groups, form=form,
                  questions_form=questions_form, first=first, today=today,
                  care_team_numbers=records.care_team(circle["id"]), helpline=content.ASSESSMENT,
                  answer_choices=[(value, str(label)) for value, label in ac.ANSWERS])


@bp.route("/c/<int:circle_id>/assessment", methods=["GET", "POST"])
@circle_member_required
def assessment(circle_id):
    form = AnswersForm()
    if form.validate_on_submit():
        db = get_db()
        with write(db):
            plan_records.save_answers(db, circle_id, g.user["id"], form.answers())
        return redirect(url_for("assessment.assessment", circle_id=circle_id) + "#answers")
    return _render(g.circle, form, AssessorQuestionsForm(formdata=None), status=422 if form.errors else 200)


@bp.route("/c/<int:circle_id>/assessment/questions", methods=["POST"])
@circle_member_required
def assessor_questions(circle_id):
    questions_form = AssessorQuestionsForm()
    if questions_form.validate_on_submit():
        db = get_db()
        with write(db):
            plan_records.save_assessor_questions(db, circle_id, g.user["id"], questions_form.lines())
        return redirect(url_for("assessment.assessment", circle_id=circle_id) + "#assessor-questions")
    return _render(g.circle, AnswersForm(formdata=None), questions_form, status=422)


# ---------------------------------------------------------------------------
# The brief
# ---------------------------------------------------------------------------
def build_brief(circle):
    """Everything the brief shows: plain data for templates/assessment/_brief.html."""
    groups, found, first, today = questions_view(circle)
    by_id = {q["id"]: q for group in groups for q in group["questions"]}
    dimensions = [{**d, "facts": [fact_words(kind, found[kind]) for kind in d["facts"] if kind in found],
                   "questions": [by_id[q] for q in d["questions"]]} for d in ac.DIMENSIONS]
    levels = [{"name": LEVEL_NAMES.get(e["level"], e["level"]), "since": full_date(e["since"])}
              for e in sorted(records.level_history(circle["id"]), key=lambda e: (e["since"], e["id"]))]
    medication = [{"name": MEDICATION_NAMES.get(e["medication"], e["medication"]), "since": full_date(e["since"])}
                  for e in sorted(records.medication_history(circle["id"]), key=lambda e: (e["since"], e["id"]))]
    logged = len({r["date"] for r in records.checkins_between(circle["id"], first, today)})
    return {"nickname": circle["nickname"], "today": full_date(today), "first": full_date(first),
            "dimensions": dimensions, "levels": _one_per_day(levels), "medication": _one_per_day(medication),
            "questions": assessor_list(circle["id"]), "logged_days": logged,
            "answers": {value: label for value, label in ac.ANSWERS}, "third_edition": ac.ASAM_3RD_EDITION}


def _one_per_day(entries):
    """A later entry for the same day corrects an earlier one; a repeat of the same
    thing is one line."""
    by_day = {}
    for entry in entries:
        by_day[entry["since"]] = entry
    kept = []
    for entry in by_day.values():
        if not kept or kept[-1]["name"] != entry["name"]:
            kept.append(entry)
    return kept


@bp.route("/c/<int:circle_id>/assessment/brief")
@circle_member_required
def brief(circle_id):
    return render("assessment/brief.html", b=build_brief(g.circle))
