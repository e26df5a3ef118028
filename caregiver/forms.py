"""The forms of the circle's pages (account_forms.py has the account's; webform.py the
base that every form stands on).

Each error names its field; a view writes nothing unless its form validates.
"""
import re
import uuid
from datetime import timedelta

from flask import request
from flask_wtf.file import FileField, FileRequired
from wtforms import FieldList, FormField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms import Form as PlainForm
from wtforms.validators import DataRequired, Length, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import signals
from .dates import TIMEZONES, today_in
from .i18n import _, _l, current_language, languages, ngettext
from .vocabulary import FIELD, LEVEL_NAMES, LEVELS, LIVING_SITUATIONS, NOT_OBSERVED_LABEL, SCALE_MAX
from .vocabulary import INJECTIONS, MEDICATION_NAMES, MEDICATIONS
from .webform import CheckboxField, WebForm, none_if_blank, one_line_break, parse_day, strip

# At least two digits anywhere (a leading bracket is fine: "(555) 123-4567").
PHONE = Regexp(r"^(?=(?:\D*\d){2})\+?[0-9(][0-9 ()\-.]{1,24}$",
               message=_l("Use digits, spaces, dashes or brackets (e.g. 911 or (555) 123-4567)."))


class CareTeamNumberForm(PlainForm):
    label = StringField(_l("Who"), filters=[strip], validators=[Length(max=60, message=_l("At most 60 characters."))])
    number = StringField(_l("Phone number"), filters=[strip])

    def validate_label(self, field):
        if self.number.data and not field.data:  # said where the name is missing
            raise ValidationError(_("Give both a name and a number, or neither."))

    def validate_number(self, field):
        if self.label.data and not field.data:
            raise ValidationError(_("Give both a name and a number, or neither."))
        if field.data:
            PHONE(self, field)


def level_choices(blank=_l("Not sure")):
    return [("", blank)] + list(LEVEL_NAMES.items())


class EntryList(FieldList):
    """A fixed number of rows (care_team-0 to care_team-2): each row reads its own
    names, whatever else is sent.

    WTForms' FieldList takes the row numbers from the names sent: int() of
    "care_team-²-label" (str.isdigit() says yes) or of a number with 5,000 digits was a
    500, and rows sent as 5 and 7 were renamed 0 and 1, so the page showed an error
    under another row than the one checked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assert self.max_entries, "an EntryList has a fixed number of rows"

    def _extract_indices(self, prefix, formdata):
        return iter(range(self.max_entries))


class CircleForm(WebForm):
    nickname = StringField(_l("First name or nickname of the person in care"), filters=[strip], validators=[
        DataRequired(_l("Enter a first name or nickname.")), Length(max=40, message=_l("At most 40 characters.")),
    ])
    level_of_care = SelectField(_l("Current level of care"), choices=level_choices(), validate_choice=False)
    level_since = StringField(_l("Since"), filters=[strip, none_if_blank])
    # The weeks after 24/7 care are the riskiest (recent-step-down, use-after-abstinence):
    # a circle made the week after discharge must say where the person came from.
    previous_level = SelectField(_l("Before this level"), choices=level_choices(_l("Nowhere else, or not sure")),
                                 validate_choice=False)
    living_situation = SelectField(_l("Living situation"), validate_choice=False,
                                   choices=[("", _l("Not sure"))] + list(LIVING_SITUATIONS))
    timezone = SelectField(_l("Time zone"), choices=[(t, t) for t in TIMEZONES], default="America/New_York",
                           validate_choice=False)
    emergency_number = StringField(_l("Emergency number"), filters=[strip], default="911",
                                   validators=[DataRequired(_l("Enter the emergency number (911 in the US).")), PHONE])
    care_team = EntryList(FormField(CareTeamNumberForm), min_entries=3, max_entries=3)

    def validate_level_of_care(self, field):
        if field.data and field.data not in LEVELS:
            raise ValidationError(_("Choose a level of care from the list."))

    def validate_previous_level(self, field):
        if not field.data:
            return
        if field.data not in LEVELS:
            raise ValidationError(_("Choose the level before from the list."))
        if not self.level_of_care.data:
            raise ValidationError(_("Choose the current level of care first."))
        if field.data == self.level_of_care.data:
            raise ValidationError(_("Choose a level other than the current one, or 'Nowhere else, or not sure'."))

    def validate_living_situation(self, field):
        if field.data and field.data not in dict(LIVING_SITUATIONS):
            raise ValidationError(_("Choose a living situation from the list."))

    def validate_timezone(self, field):
        if field.data not in TIMEZONES:
            raise ValidationError(_("Choose a time zone from the list."))

    def validate_level_since(self, field):
        if field.data is None:
            if self.level_of_care.data:
                raise ValidationError(_("Enter the date this level of care started."))
            return
        day = parse_day(field.data)
        if day is None:
            raise ValidationError(_("Enter a date like 2026-11-02."))
        today = today_in(self.timezone.data)  # the circle's day, not the server's
        if day > today:
            raise ValidationError(_("This date is in the future."))
        if day < today - timedelta(days=LEVEL_MAX_DAYS_BACK):
            raise ValidationError(_("This date is more than 10 years ago."))
        field.data = day.isoformat()


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _checkin_field(spec):
    """The form field for a check-in field of the catalog, by its kind."""
    if spec.kind in ("scale", "choice"):  # one answer, "Couldn't tell" (not observed) first
        choices = spec.choices or [(str(i), str(i)) for i in range(SCALE_MAX + 1)]
        return RadioField(spec.label, default="", choices=[("", NOT_OBSERVED_LABEL)] + list(choices),
                          validate_choice=False)
    if spec.kind == "signs":
        return MultiCheckboxField(spec.label, choices=list(spec.choices), validate_choice=False)
    if spec.kind == "flag":
        return CheckboxField(spec.label, message=_l("%(field)s: %(problem)s.", field=spec.called, problem=spec.problem))
    if spec.kind == "text":
        return TextAreaField(spec.label, filters=[one_line_break, strip])
    return StringField(spec.label, filters=[strip])  # the date


SCALE_ANSWERS = {str(i) for i in range(SCALE_MAX + 1)}


def _engine_value(spec, data):
    """What the form read, as the rules engine's value; a value that is not one goes to
    the engine as sent, for it to refuse ("3.5", "ten", "2026-02-30")."""
    if spec.kind == "scale":
        if data in ("", None):
            return None
        return int(data) if data in SCALE_ANSWERS else data  # "05" and "٣" are not answers
    if spec.kind == "signs":
        return list(data or [])
    if spec.kind == "flag":
        return bool(data)
    if spec.kind == "date":
        return parse_day(data) or data
    return data or None


class CheckinForm(WebForm):
    """The daily check-in, with the same names as the JSON of the rules program.

    The rules engine's validate_checkin is the one check of the values; this form
    reads them from the request and says the engine's refusal in its own words."""
    field_names = {**{f.name: f.called for f in FIELD.values()}, "client_id": _l("Client id")}
    errors_on_form = tuple(f.name for f in FIELD.values() if f.kind == "flag")  # checkboxes under one heading
    client_id = HiddenField()
    # One field per entry of the catalog (vocabulary.FIELDS), added below the class.

    def __init__(self, *args, today, max_days_back=14, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.max_days_back = max_days_back
        self.earliest = today - timedelta(days=max_days_back)  # the date input's min
        self.valid_checkin = None
        if not self.is_submitted():
            self.date.data = self.date.data or today.isoformat()
        if not self.client_id.data:
            # Also for forms sent without JavaScript: a resubmitted form is stored once.
            self.client_id.data = str(uuid.uuid4())

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        sent = set(request.form.keys()) | set(request.files.keys()) if self._from_request else set()
        unknown = sorted(sent - set(self._fields))
        if unknown:
            self.form_errors.append(_("Unknown field: %(names)s.", names=", ".join(unknown)))
            ok = False
        return self._validate_values() and ok

    def _validate_values(self):
        """The engine checks the values; its refusal is said here, on the field."""
        sent = {spec.name: _engine_value(spec, getattr(self, spec.name).data) for spec in FIELD.values()}
        # Each field on its own (beside a valid day), so that every refused field is named.
        ok = True
        for name, value in sent.items():
            if getattr(self, name).errors:  # refused already (a file, several values, control characters)
                ok = False
                continue
            alone = {"date": self.today.isoformat(), name: value}
            try:
                signals.validate_checkin(alone, self.today, self.max_days_back)
            except signals.SignalsInputError as e:
                getattr(self, name).errors = list(getattr(self, name).errors) + [self._problem(e)]
                ok = False
        if ok:
            self.valid_checkin = signals.validate_checkin(sent, self.today, self.max_days_back)
        return ok

    def _problem(self, e):
        spec = FIELD[e.field]
        if spec.kind == "date":
            if e.kind == "future":
                return _("Day: this date is in the future.")
            if e.kind == "too-old":
                return ngettext("Day: check-ins can go back at most %(num)d day.",
                                "Day: check-ins can go back at most %(num)d days.", self.max_days_back)
            return _("Day: enter a date like 2026-11-20.")
        value = e.value if isinstance(e.value, str) else ""
        return _("%(field)s: %(problem)s.", field=spec.called,
                 problem=spec.problem.format(value=value[:80], length=len(value)))

    def validate_client_id(self, field):
        if field.data and not re.fullmatch(r"[A-Za-z0-9\-]{8,64}", field.data):
            raise ValidationError(_("Client id: this form is damaged. Please reload the page."))

    def checkin(self):
        """The validated check-in as the rules engine's dict."""
        return self.valid_checkin


for _spec in FIELD.values():
    setattr(CheckinForm, _spec.name, _checkin_field(_spec))


class InviteAcceptForm(WebForm):
    pass


class ConfirmForm(WebForm):
    """A POST with nothing but its CSRF token (remove, delete, sign out)."""


RESPONSE_ACTIONS = [
    ("talked-with-care-team", _l("We talked with the care team")),
    ("changed-level", _l("The level of care changed")),
    ("safety-steps", _l("We took safety steps at home")),
    ("watching", _l("We are watching closely")),
    ("other", _l("Something else (see note)")),
]


class PromptResponseForm(WebForm):
    field_names = {"rule": _l("About"), "action": _l("What did you do")}
    rule = StringField(_l("About"))
    action = SelectField(_l("What did you do?"), choices=RESPONSE_ACTIONS, validate_choice=False)
    note = TextAreaField(_l("Note (optional)"), filters=[one_line_break, strip],
                         validators=[Length(max=500, message=_l("Note: at most 500 characters."))])

    def validate_rule(self, field):
        if field.data not in signals.RULES_BY_ID:
            raise ValidationError(_("About: choose one of the signs listed."))

    def validate_action(self, field):
        if field.data not in dict(RESPONSE_ACTIONS):
            raise ValidationError(_("What did you do: choose one of the options."))


# ---------------------------------------------------------------------------
# Levels of care and checklists (caregiver/levels.py, caregiver/checklists.py)
# ---------------------------------------------------------------------------

LEVEL_MAX_DAYS_BACK = 3653  # about 10 years: older than that is a typo, not history


class HistoryEntryForm(WebForm):
    """An entry of a circle's history (a level of care, a medication): since when (the
    circle's local date, at most about 10 years back) and a note."""
    since = StringField(_l("Since"), filters=[strip])
    note = TextAreaField(_l("Note (optional)"), filters=[one_line_break, strip],
                         validators=[Length(max=500, message=_l("Note: at most 500 characters."))])

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.earliest = today - timedelta(days=LEVEL_MAX_DAYS_BACK)
        if not self.is_submitted():
            self.since.data = self.since.data or today.isoformat()

    def validate_since(self, field):
        day = parse_day(field.data)
        if day is None:
            raise ValidationError(_("Since: enter a date like 2026-11-02."))
        if day > self.today:
            raise ValidationError(_("Since: this date is in the future."))
        if day < self.earliest:
            raise ValidationError(_("Since: this date is more than 10 years ago."))
        field.data = day.isoformat()


class LevelForm(HistoryEntryForm):
    """A change of level of care: which level, since when, a note."""
    level = SelectField(_l("New level of care"), choices=level_choices(_l("Choose a level")), validate_choice=False)

    def validate_level(self, field):
        if field.data not in LEVELS:
            raise ValidationError(_("New level of care: choose one from the list."))


NEXT_DUE_MAX_DAYS_AHEAD = 400  # the longest-acting injections are monthly: further is a typo


class MedicationForm(HistoryEntryForm):
    """A medication entry (caregiver/medication.py): which medication, or none now; since
    when; for an injection, the day the next one is due; a note."""
    medication = SelectField(_l("Medication"), choices=[("", _l("Choose one"))] + list(MEDICATIONS),
                             validate_choice=False)
    next_due = StringField(_l("Next injection due (optional)"), filters=[strip, none_if_blank])

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, today=today, **kwargs)
        self.latest_due = today + timedelta(days=NEXT_DUE_MAX_DAYS_AHEAD)

    def validate_medication(self, field):
        if field.data not in MEDICATION_NAMES:
            raise ValidationError(_("Medication: choose one from the list."))

    def validate_next_due(self, field):
        if field.data is None:
            return
        # Said only when the medication chosen is clearly not an injection.
        if not self.medication.errors and self.medication.data not in INJECTIONS:
            raise ValidationError(_("Next injection due: only for an injection. Leave it empty for this medication."))
        day = parse_day(field.data)
        if day is None:
            raise ValidationError(_("Next injection due: enter a date like 2026-12-08."))
        since = None if self.since.errors else parse_day(self.since.data)
        if since and day < since:
            raise ValidationError(_("Next injection due: this date is before the Since date."))
        if day > self.latest_due:
            raise ValidationError(_("Next injection due: this date is more than %(num)s days from today.",
                                    num=NEXT_DUE_MAX_DAYS_AHEAD))
        field.data = day.isoformat()


class ChecklistTickForm(WebForm):
    """One tap on a checklist item: ticked=1 ticks it, ticked=0 unticks it.

    client_id is made when the page is rendered, so a form sent twice (a double tap,
    an offline replay) is stored once."""
    field_names = {"client_id": _l("Client id")}
    ticked = StringField(_l("Ticked"))
    client_id = HiddenField()

    def validate_ticked(self, field):
        if field.data not in ("0", "1"):
            raise ValidationError(_("Ticked: send 1 to tick the item or 0 to untick it."))

    def validate_client_id(self, field):
        if field.data and not re.fullmatch(r"[A-Za-z0-9\-]{8,64}", field.data):
            raise ValidationError(_("Client id: this form is damaged. Please reload the page."))


# ---------------------------------------------------------------------------
# Summary for the care team, share links, export and import (caregiver/summary.py)
# ---------------------------------------------------------------------------

SUMMARY_WINDOWS = [(str(n), _l("Last %(num)s days", num=n)) for n in (7, 14, 30)]
SHARE_MAX_DAYS = 90


class ShareLinkForm(WebForm):
    """A read-only link to the summary for someone on the care team."""
    errors_on_form = ("include_notes", "include_brief")
    field_names = {"label": _l("Who is it for"), "expires_days": _l("Works for how many days"),
                   "days": _l("Days in the summary"), "include_notes": _l("Include caregivers' notes"),
                   "include_brief": _l("Include the brief for an assessment"),
                   "language": _l("Language of the summary")}
    label = StringField(_l("Who is it for? (e.g. Dr. Lee, clinic)"), filters=[strip], validators=[
        DataRequired(_l("Who is it for: enter a name, e.g. Dr. Lee, clinic.")),
        Length(max=80, message=_l("Who is it for: at most 80 characters.")),
    ])
    expires_days = StringField(_l("Works for how many days? (1 to %(max)s)", max=SHARE_MAX_DAYS), default="14",
                               filters=[strip])
    days = SelectField(_l("Days in the summary"), choices=SUMMARY_WINDOWS, default="14", validate_choice=False)
    include_notes = CheckboxField(_l("Include caregivers' notes"),
                                  message=_l("Include caregivers' notes: tick the box or leave it empty."))
    # The brief for an assessment (caregiver/assessment.py), after the summary.
    include_brief = CheckboxField(_l("Include the brief for an assessment"),
                                  message=_l("Include the brief for an assessment: tick the box or leave it empty."))
    # The care team may read another language than the family: the caregiver's by default.
    language = SelectField(_l("Language of the summary"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = list(languages().items())
        if not self.language.data:
            self.language.data = current_language()

    def validate_language(self, field):
        if field.data not in languages():
            raise ValidationError(_("Language of the summary: choose one of the languages listed."))

    def validate_expires_days(self, field):
        if not re.fullmatch(r"[0-9]{1,3}", field.data or "") or not 1 <= int(field.data) <= SHARE_MAX_DAYS:
            raise ValidationError(_("Works for how many days: a whole number from 1 to %(max)s.", max=SHARE_MAX_DAYS))

    def validate_days(self, field):
        if field.data not in dict(SUMMARY_WINDOWS):
            raise ValidationError(_("Days in the summary: choose 7, 14 or 30."))


#: A stored value in a few words, as the history's record of edits and the summary's
#: table show it (the form's own labels are questions and answers: too long there).
VALUE_WORDS = {
    "withdrawal": {"none": _l("none"), "mild": _l("mild"), "moderate": _l("moderate"), "severe": _l("severe")},
    "access": {"none": _l("none"), "possible": _l("possible"), "easy": _l("easy")},
    "medication": {"taken": _l("taken"), "missed": _l("missed"), "not-prescribed": _l("not prescribed")},
    "use": {"none": _l("none"), "suspected": _l("suspected"), "confirmed": _l("confirmed")},
}


def value_words(field, value):
    """`value` of check-in `field` in a few words; "–" for a value nobody could tell."""
    if value in (None, ""):
        return "–"
    return VALUE_WORDS.get(field, {}).get(value, str(value))


class ImportForm(WebForm):
    """A .json file made by Export (the rules program's input); only its check-ins are read."""
    field_names = {"file": _l("File")}
    file = FileField(_l("File to import (.json)"), validators=[
        FileRequired(_l("File: choose the .json file to import.")),
    ])
