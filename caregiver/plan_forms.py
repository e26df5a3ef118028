"""The forms of "Prepare for an assessment" and of the plan for when things get worse.

Each error names its field; a view writes nothing unless its form validates.
"""
import re
from datetime import timedelta

from wtforms import FormField, HiddenField, StringField, TextAreaField
from wtforms import Form as PlainForm
from wtforms.validators import Length, ValidationError

from .assessment_content import (ANSWERS, ASSESSOR_QUESTION_MAX_CHARS, ASSESSOR_QUESTIONS_MAX, QUESTIONS)
from .forms import PHONE, CareTeamNumberForm, EntryList
from .i18n import _, _l
from .webform import WebForm, none_if_blank, one_line_break, parse_day, strip

NOTE_MAX = 500  # as every other note of the app (levels, medication, prompt responses)
SHORT_MAX = 120
SIGNS_MAX_LINES = 12
SIGN_MAX_CHARS = 200
CALL_ROWS = 5
NALOXONE_ROWS = 4
EXPIRY_YEARS = 10  # an expiry date further back or ahead than this is a typo


def lines_of(text):
    """The non-empty lines of a textarea, each stripped."""
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def _check_lines(field, name, max_lines, max_chars):
    lines = lines_of(field.data)
    if len(lines) > max_lines:
        raise ValidationError(_("%(name)s: at most %(n)d lines (this has %(has)d).", name=name, n=max_lines,
                                has=len(lines)))
    for number, line in enumerate(lines, 1):
        if len(line) > max_chars:
            raise ValidationError(_("%(name)s: line %(line)d is longer than %(n)d characters.", name=name,
                                    line=number, n=max_chars))
    return lines


# ---------------------------------------------------------------------------
# Prepare for an assessment (caregiver/assessment.py)
# ---------------------------------------------------------------------------
class AnswersForm(WebForm):
    """The family's answer to each question: yes / no / not sure (or none yet) and a
    note. Fields answer_<id> and note_<id>, one pair per question, added below."""
    errors_on_form = ()

    def answers(self):
        """{question id: (answer or None, note or None)}."""
        return {q["id"]: (self[f"answer_{q['id']}"].data or None, self[f"note_{q['id']}"].data or None)
                for q in QUESTIONS}


def _answer_validator(question):
    def check(form, field):
        if field.data not in ("", None) and field.data not in dict(ANSWERS):
            raise ValidationError(_("%(question)s: choose Yes, No or Not sure.", question=question["text"]))
    return check


def _note_validator(question):
    def check(form, field):
        if field.data and len(field.data) > NOTE_MAX:
            raise ValidationError(_("Note on “%(question)s”: at most %(n)d characters.",
                                    question=question["text"], n=NOTE_MAX))
    return check


AnswersForm.field_names = {}
for _q in QUESTIONS:
    setattr(AnswersForm, f"answer_{_q['id']}",
            StringField(_q["text"], filters=[strip], validators=[_answer_validator(_q)]))
    setattr(AnswersForm, f"note_{_q['id']}", TextAreaField(_l("Note (optional)"), filters=[one_line_break, strip],
                                                            validators=[_note_validator(_q)]))
    AnswersForm.field_names[f"answer_{_q['id']}"] = _q["text"]
    AnswersForm.field_names[f"note_{_q['id']}"] = _l("Note")


class AssessorQuestionsForm(WebForm):
    """The questions to ask the assessor, one per line."""
    questions = TextAreaField(_l("Questions for the assessor (one per line)"), filters=[one_line_break, strip])

    def validate_questions(self, field):
        name = _("Questions for the assessor")
        if not lines_of(field.data):
            raise ValidationError(_("%(name)s: write at least one question.", name=name))
        _check_lines(field, name, ASSESSOR_QUESTIONS_MAX, ASSESSOR_QUESTION_MAX_CHARS)

    def lines(self):
        return lines_of(self.questions.data)


# ---------------------------------------------------------------------------
# The plan (caregiver/plan.py)
# ---------------------------------------------------------------------------
class NaloxoneForm(PlainForm):
    place = StringField(_l("Where it is kept"), filters=[strip],
                        validators=[Length(max=80, message=_l("Where it is kept: at most 80 characters."))])
    expires_on = StringField(_l("Expires on (optional)"), filters=[strip, none_if_blank])

    def validate_place(self, field):
        if self.expires_on.data and not field.data:
            raise ValidationError(_("Where it is kept: say where, or leave its expiry date empty too."))

    def validate_expires_on(self, field):
        if field.data is None:
            return
        day = parse_day(field.data)
        if day is None:
            raise ValidationError(_("Expires on: enter a date like 2027-03-31."))
        today = self.meta.today
        if not today - timedelta(days=365 * EXPIRY_YEARS) <= day <= today + timedelta(days=365 * EXPIRY_YEARS):
            raise ValidationError(_("Expires on: this date is more than %(n)d years away.", n=EXPIRY_YEARS))
        field.data = day.isoformat()


def _optional_text(label, name, max_chars, area=False):
    field = TextAreaField if area else StringField
    return field(label, filters=[one_line_break, strip] if area else [strip], validators=[Length(
        max=max_chars, message=_l("%(name)s: at most %(n)d characters.", name=name, n=max_chars))])


class PlanForm(WebForm):
    """The whole plan, saved as one new version. `version` is the version the page
    showed: a save over a newer one (another caregiver's) is refused, not lost."""
    field_names = {"version": "Version"}
    calls = EntryList(FormField(CareTeamNumberForm), min_entries=CALL_ROWS, max_entries=CALL_ROWS)
    after_hours = StringField(_l("The care team's after-hours number (optional)"), filters=[strip])
    step_up_program = _optional_text(_l("The program to call to step back up"), _l("Program"), SHORT_MAX)
    step_up_how = _optional_text(_l("How to step back up"), _l("How to step back up"), NOTE_MAX, area=True)
    prescriber = _optional_text(_l("Prescriber"), _l("Prescriber"), SHORT_MAX)
    pharmacy = _optional_text(_l("Pharmacy"), _l("Pharmacy"), SHORT_MAX)
    naloxone = EntryList(FormField(NaloxoneForm), min_entries=NALOXONE_ROWS, max_entries=NALOXONE_ROWS)
    step_up_signs = TextAreaField(_l("When we step back up: the signs we agreed on (one per line)"),
                                  filters=[one_line_break, strip])
    version = HiddenField()

    def __init__(self, *args, today, current_version, **kwargs):
        self.today, self.current_version = today, current_version
        super().__init__(*args, **kwargs)
        for entry in self.naloxone.entries:
            entry.form.meta.today = today
        if not self.from_request:
            self.version.data = str(current_version)

    def validate_after_hours(self, field):
        if field.data:
            try:
                PHONE(self, field)
            except ValidationError as e:
                raise ValidationError(_("After-hours number: %(problem)s", problem=str(e)))

    def validate_step_up_signs(self, field):
        _check_lines(field, _("When we step back up"), SIGNS_MAX_LINES, SIGN_MAX_CHARS)

    def validate_version(self, field):
        if not re.fullmatch(r"[0-9]{1,9}", field.data or ""):
            raise ValidationError(_("Version: this form is damaged. Please reload the page."))
        if int(field.data) != self.current_version:
            raise ValidationError(self.stale_message())

    @staticmethod
    def stale_message():
        return _("Someone else saved the plan while you were editing it. Your changes are below and were not "
                 "saved yet: check them against the plan and save again.")

    def values(self):
        """The plan as plan_records.save_plan stores it."""
        return {
            "after_hours": self.after_hours.data or None,
            "step_up_program": self.step_up_program.data or None,
            "step_up_how": self.step_up_how.data or None,
            "prescriber": self.prescriber.data or None,
            "pharmacy": self.pharmacy.data or None,
            "step_up_signs": "\n".join(lines_of(self.step_up_signs.data)),
            "calls": [{"who": e.form.label.data, "number": e.form.number.data} for e in self.calls.entries
                      if e.form.label.data and e.form.number.data],
            "naloxone": [{"place": e.form.place.data, "expires_on": e.form.expires_on.data}
                         for e in self.naloxone.entries if e.form.place.data],
        }


class PlanSeenForm(WebForm):
    """"I have read this version": the version the page showed."""
    field_names = {"version": "Version"}
    version = HiddenField()

    def __init__(self, *args, current_version, **kwargs):
        self.current_version = current_version
        super().__init__(*args, **kwargs)
        if not self.from_request:
            self.version.data = str(current_version)

    def validate_version(self, field):
        if self.current_version == 0:
            raise ValidationError(_("There is no plan to read yet: save one first."))
        if not re.fullmatch(r"[0-9]{1,9}", field.data or "") or int(field.data) != self.current_version:
            raise ValidationError(_("The plan changed since this page was opened: read the new version, "
                                    "then mark it as read."))
