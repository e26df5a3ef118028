"""Every form of the app: the one place that validates input from people.

Each error names its field; a view writes nothing unless its form validates.
"""
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

from flask import has_request_context, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import (BooleanField, FieldList, FormField, HiddenField, PasswordField,
                     RadioField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms import FileField as AnyFileField
from wtforms import Form as PlainForm
from wtforms.validators import DataRequired, Length, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import content, signals

COMMON_PASSWORDS = frozenset("""
1234567890 0123456789 12345678910 1111111111 0000000000 qwertyuiop password1 password12
password123 passwordpassword iloveyou123 qwerty12345 1q2w3e4r5t 1qaz2wsx3edc abcdefghij
abc1234567 football123 baseball12 welcome123 letmein123 sunshine123 princess12 changeme123
administrator
""".split())

TIMEZONES = sorted(available_timezones() - {"localtime", "Factory"})
# At least two digits anywhere (a leading bracket is fine: "(555) 123-4567").
PHONE = Regexp(r"^(?=(?:\D*\d){2})\+?[0-9(][0-9 ()\-.]{1,24}$",
               message="Use digits, spaces, dashes or brackets (e.g. 911 or (555) 123-4567).")


def today_in(zone):
    """Today's date in a time zone of the list (UTC for anything else)."""
    tz = ZoneInfo(zone) if zone in TIMEZONES else timezone.utc
    return datetime.now(timezone.utc).astimezone(tz).date()


def one_line_break(value):
    """Browsers send a textarea's line breaks as CR LF: one character as typed, one here."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def strip(value):
    return value.strip() if isinstance(value, str) else value


# ---------------------------------------------------------------------------
# What every form reads from a request
# ---------------------------------------------------------------------------

SUBMIT_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
# C0 and C1 control characters (NUL, ESC, ...): nobody types them, and stored they would
# travel, invisible, into the CSV export, the printed summary and other caregivers'
# screens. A text area keeps tabs and line breaks.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_CHARACTERS_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_AUTO = object()


def _submitted():
    return has_request_context() and request.method in SUBMIT_METHODS


def _leaves(field):
    """The fields that each read one name of the request, through FieldList and FormField."""
    if isinstance(field, FieldList):
        for entry in field.entries:
            yield from _leaves(entry)
    elif isinstance(field, FormField):
        for sub in field.form:
            yield from _leaves(sub)
    else:
        yield field


def _leaves_of(form):
    for field in form:
        yield from _leaves(field)


class WebForm(FlaskForm):
    """The base of every form: it reads only what a browser's form sends.

    Flask-WTF would also read a JSON body and hand uploaded files to text fields, so a
    number, a list, an object or a file could reach a validator that expects text (a
    500). Here a text field only ever sees text: the form's values come from the
    form-encoded or multipart fields, files only reach a FileField, and a JSON (or
    other) body is not read at all. Then, for every field, named in the message:

    - a file sent for a text field, or several values for a field that takes one
      (which one did the person mean?), is refused;
    - control characters (NUL, ESC, ...) in text are refused.
    """

    class Meta:
        def render_field(self, field, render_kw):
            # Pages hold several forms: their hidden CSRF fields need no (repeated) id.
            if field.type == "CSRFTokenField":
                render_kw.setdefault("id", False)
            return super().render_field(field, render_kw)

    #: field name -> the name its messages use (default: its label up to a bracket)
    field_names = {}
    #: fields whose errors the page does not show next to them: the form shows them
    #: (hidden fields are always among them)
    errors_on_form = ()

    def __init__(self, formdata=_AUTO, **kwargs):
        self._from_request = formdata is _AUTO and _submitted()
        if formdata is _AUTO:
            formdata = self._request_formdata() if self._from_request else None
        super().__init__(formdata=formdata, **kwargs)

    @classmethod
    def _request_formdata(cls):
        data = MultiDict()
        for name, values in request.form.lists():
            data.setlist(name, values)
        for name, unbound in cls._unbound_fields or ():
            if issubclass(unbound.field_class, AnyFileField) and name in request.files:
                data.setlist(name, request.files.getlist(name) + request.form.getlist(name))
        return data

    def field_name(self, field):
        name = self.field_names.get(field.short_name)
        if name is None:
            name = re.split(r" \(|\?", str(field.label.text))[0].strip() or field.short_name
        return name

    def _shape_problems(self, field):
        problems = []
        sent = request.form.getlist(field.name) + request.files.getlist(field.name)
        if field.name in request.files and not isinstance(field, AnyFileField):
            problems.append("send text here, not a file")
        if len(sent) > 1 and not isinstance(field, SelectMultipleField):
            problems.append("send one value, not several")
        if (isinstance(field, StringField) and not isinstance(field, (PasswordField, HiddenField))
                and isinstance(field.data, str)):
            control = (CONTROL_CHARACTERS_MULTILINE if isinstance(field, TextAreaField)
                       else CONTROL_CHARACTERS)
            if control.search(field.data):
                problems.append("remove the invisible control characters (such as NUL) it holds")
        return problems

    def validate(self, extra_validators=None):
        leaves = []
        if self._from_request:
            leaves = [f for f in _leaves_of(self) if f.name != self.meta.csrf_field_name]
            if not getattr(self, "_shape_checked", False):
                self._shape_checked = True
                for field in leaves:
                    # As process errors, they count like any error, also inside a FieldList.
                    field.process_errors.extend(
                        f"{self.field_name(field)}: {problem}." for problem in self._shape_problems(field))
        ok = super().validate(extra_validators)
        if leaves and request.mimetype and request.mimetype not in FORM_TYPES:
            self.form_errors.append("This was not sent as a web form, so nothing in it was read. "
                                    "Please use the form on this page.")
            ok = False
        for field in leaves:
            if field.errors and (isinstance(field, HiddenField) or field.short_name in self.errors_on_form):
                self.form_errors.extend(e for e in field.errors if e not in self.form_errors)
        return ok


class CheckboxField(BooleanField):
    """A checkbox. Ticked, a browser sends its value ("y"); unticked, nothing. A client
    that spells a boolean gets the obvious meaning; any other value is refused (so
    "0" or "no" is never read as ticked)."""

    TRUE = frozenset({"y", "yes", "on", "true", "1"})
    FALSE = frozenset({"", "n", "no", "off", "false", "0"})

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        value = valuelist[0] if valuelist else ""
        self.data = isinstance(value, str) and value.lower() in self.TRUE

    def pre_validate(self, form):
        if self.raw_data and str(self.raw_data[0]).lower() not in self.TRUE | self.FALSE:
            raise ValidationError(self.message or f"{self.label.text}: tick the box or leave it empty.")


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value):
    """A day written YYYY-MM-DD (what a date input sends, and what is stored), else None.

    date.fromisoformat alone also takes 20261120 or 2026-W47-5, which would be stored
    as written and then never found by the date-range queries."""
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def none_if_blank(value):
    return None if value in ("", None) else value


class SignUpForm(WebForm):
    username = StringField("Email or user name", filters=[strip], validators=[
        DataRequired("Enter an email or a user name."),
        Length(3, 120, "Use 3 to 120 characters."),
        Regexp(r"^[^\s]+$", message="No spaces, please."),
    ])
    display_name = StringField("Your first name (what others in the circle see)", filters=[strip],
                               validators=[DataRequired("Enter a name."), Length(max=60, message="At most 60 characters.")])
    password = PasswordField("Password (at least 10 characters)", validators=[
        DataRequired("Choose a password."),
        Length(10, 128, "Use 10 to 128 characters."),
    ])

    def validate_password(self, field):
        if field.data.lower() in COMMON_PASSWORDS or len(set(field.data)) < 4:
            raise ValidationError("This password is too easy to guess. Try a few unrelated words.")


class SignInForm(WebForm):
    username = StringField("Email or user name", filters=[strip],
                           validators=[DataRequired("Enter your email or user name."), Length(max=120)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=128)])


class CareTeamNumberForm(PlainForm):
    label = StringField("Who", filters=[strip], validators=[Length(max=60, message="At most 60 characters.")])
    number = StringField("Phone number", filters=[strip])

    def validate_label(self, field):
        if self.number.data and not field.data:  # said where the name is missing
            raise ValidationError("Give both a name and a number, or neither.")

    def validate_number(self, field):
        if self.label.data and not field.data:
            raise ValidationError("Give both a name and a number, or neither.")
        if field.data:
            PHONE(self, field)


def level_choices(blank="Not sure"):
    return [("", blank)] + [(lvl["id"], lvl["name"]) for lvl in content.LEVELS]


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
    nickname = StringField("First name or nickname of the person in care", filters=[strip], validators=[
        DataRequired("Enter a first name or nickname."), Length(max=40, message="At most 40 characters."),
    ])
    level_of_care = SelectField("Current level of care", choices=level_choices(), validate_choice=False)
    level_since = StringField("Since", filters=[strip, none_if_blank])
    # The weeks after 24/7 care are the riskiest (recent-step-down, use-after-abstinence):
    # a circle made the week after discharge must say where the person came from.
    previous_level = SelectField("Before this level", choices=level_choices("Nowhere else, or not sure"),
                                 validate_choice=False)
    living_situation = SelectField("Living situation", validate_choice=False,
                                   choices=[("", "Not sure")] + list(content.LIVING_SITUATIONS))
    timezone = SelectField("Time zone", choices=[(t, t) for t in TIMEZONES], default="America/New_York",
                           validate_choice=False)
    emergency_number = StringField("Emergency number", filters=[strip], default="911",
                                   validators=[DataRequired("Enter the emergency number (911 in the US)."), PHONE])
    care_team = EntryList(FormField(CareTeamNumberForm), min_entries=3, max_entries=3)

    def validate_level_of_care(self, field):
        if field.data and field.data not in signals.LEVELS:
            raise ValidationError("Choose a level of care from the list.")

    def validate_previous_level(self, field):
        if not field.data:
            return
        if field.data not in signals.LEVELS:
            raise ValidationError("Choose the level before from the list.")
        if not self.level_of_care.data:
            raise ValidationError("Choose the current level of care first.")
        if field.data == self.level_of_care.data:
            raise ValidationError("Choose a level other than the current one, or 'Nowhere else, or not sure'.")

    def validate_living_situation(self, field):
        if field.data and field.data not in dict(content.LIVING_SITUATIONS):
            raise ValidationError("Choose a living situation from the list.")

    def validate_timezone(self, field):
        if field.data not in TIMEZONES:
            raise ValidationError("Choose a time zone from the list.")

    def validate_level_since(self, field):
        if field.data is None:
            if self.level_of_care.data:
                raise ValidationError("Enter the date this level of care started.")
            return
        day = parse_day(field.data)
        if day is None:
            raise ValidationError("Enter a date like 2026-11-02.")
        today = today_in(self.timezone.data)  # the circle's day, not the server's
        if day > today:
            raise ValidationError("This date is in the future.")
        if day < today - timedelta(days=LEVEL_MAX_DAYS_BACK):
            raise ValidationError("This date is more than 10 years ago.")
        field.data = day.isoformat()


def _scale(name):
    return RadioField(content.CHECKIN_LABELS[name]["label"], default="",
                      choices=[("", content.NOT_OBSERVED_LABEL)] + [(str(i), str(i)) for i in range(11)],
                      validate_choice=False)


def _choice(name):
    return RadioField(content.CHECKIN_LABELS[name]["label"], default="",
                      choices=[("", content.NOT_OBSERVED_LABEL)] + list(content.CHOICES[name]), validate_choice=False)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CheckinForm(WebForm):
    """The daily check-in. The same names as the JSON of the rules program."""
    field_names = {"date": "Day", "craving": "Craving", "withdrawal": "Withdrawal",
                   "withdrawal_signs": "Withdrawal signs", "access": "Access", "stress": "Stress",
                   "medication": "Medication", "use": "Signs of use", "overdose": "Overdose",
                   "naloxone_given": "Naloxone given", "notes": "Notes", "client_id": "Client id"}
    errors_on_form = ("overdose", "naloxone_given")  # two checkboxes under one heading
    client_id = HiddenField()
    date = StringField("Day", filters=[strip])
    craving = _scale("craving")
    withdrawal = _choice("withdrawal")
    withdrawal_signs = MultiCheckboxField(content.CHECKIN_LABELS["withdrawal_signs"]["label"],
                                          choices=list(content.WITHDRAWAL_SIGN_LABELS), validate_choice=False)
    access = _choice("access")
    stress = _scale("stress")
    medication = _choice("medication")
    use = _choice("use")
    overdose = CheckboxField(content.CHECKIN_LABELS["overdose"]["label"],
                             message="Overdose: tick the box or leave it empty.")
    naloxone_given = CheckboxField(content.CHECKIN_LABELS["naloxone_given"]["label"],
                                   message="Naloxone given: tick the box or leave it empty.")
    notes = TextAreaField(content.CHECKIN_LABELS["notes"]["label"], filters=[one_line_break, strip])

    def __init__(self, *args, today, max_days_back=14, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.earliest = today - timedelta(days=max_days_back)
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
            self.form_errors.append("Unknown field: " + ", ".join(unknown) + ".")
            ok = False
        return ok

    def validate_client_id(self, field):
        if field.data and not re.fullmatch(r"[A-Za-z0-9\-]{8,64}", field.data):
            raise ValidationError("Client id: this form is damaged. Please reload the page.")

    def validate_date(self, field):
        day = parse_day(field.data)
        if day is None:
            raise ValidationError("Day: enter a date like 2026-11-20.")
        if day > self.today:
            raise ValidationError("Day: this date is in the future.")
        if day < self.earliest:
            raise ValidationError(f"Day: check-ins can go back at most {(self.today - self.earliest).days} days.")

    def _in(self, field, allowed, message):
        if field.data not in ("", None) and field.data not in allowed:
            raise ValidationError(message)

    def validate_craving(self, field):
        self._in(field, [str(i) for i in range(11)], "Craving: choose a number from 0 to 10, or Couldn't tell.")

    def validate_stress(self, field):
        self._in(field, [str(i) for i in range(11)], "Stress: choose a number from 0 to 10, or Couldn't tell.")

    def validate_withdrawal(self, field):
        self._in(field, signals.WITHDRAWAL, "Withdrawal: choose one of the options.")

    def validate_access(self, field):
        self._in(field, signals.ACCESS, "Access: choose one of the options.")

    def validate_medication(self, field):
        self._in(field, signals.MEDICATION, "Medication: choose one of the options.")

    def validate_use(self, field):
        self._in(field, signals.USE, "Signs of use: choose one of the options.")

    def validate_withdrawal_signs(self, field):
        unknown = [s for s in field.data or [] if s not in signals.WITHDRAWAL_SIGNS]
        if unknown:
            raise ValidationError("Withdrawal signs: unknown sign " + ", ".join(unknown)[:80] + ".")

    def validate_notes(self, field):
        if field.data and len(field.data) > 2000:
            raise ValidationError(f"Notes: at most 2,000 characters (this has {len(field.data):,}).")

    def checkin(self):
        """The validated check-in as the rules engine's dict."""
        def num(v):
            return None if v in ("", None) else int(v)
        return {
            "date": self.date.data,
            "craving": num(self.craving.data),
            "withdrawal": self.withdrawal.data or None,
            "withdrawal_signs": [s for s in signals.WITHDRAWAL_SIGNS if s in (self.withdrawal_signs.data or [])],
            "access": self.access.data or None,
            "stress": num(self.stress.data),
            "medication": self.medication.data or None,
            "use": self.use.data or None,
            "overdose": bool(self.overdose.data),
            "naloxone_given": bool(self.naloxone_given.data),
            "notes": self.notes.data or None,
        }


class InviteAcceptForm(WebForm):
    pass


class ConfirmForm(WebForm):
    """A POST with nothing but its CSRF token (remove, delete, sign out)."""


RESPONSE_ACTIONS = [
    ("talked-with-care-team", "We talked with the care team"),
    ("changed-level", "The level of care changed"),
    ("safety-steps", "We took safety steps at home"),
    ("watching", "We are watching closely"),
    ("other", "Something else (see note)"),
]


class PromptResponseForm(WebForm):
    field_names = {"rule": "About", "action": "What did you do"}
    rule = StringField("About")
    action = SelectField("What did you do?", choices=RESPONSE_ACTIONS, validate_choice=False)
    note = TextAreaField("Note (optional)", filters=[one_line_break, strip],
                         validators=[Length(max=500, message="Note: at most 500 characters.")])

    def validate_rule(self, field):
        if field.data not in signals.RULES_BY_ID:
            raise ValidationError("About: choose one of the signs listed.")

    def validate_action(self, field):
        if field.data not in dict(RESPONSE_ACTIONS):
            raise ValidationError("What did you do: choose one of the options.")


# ---------------------------------------------------------------------------
# Levels of care and checklists (caregiver/levels.py, caregiver/checklists.py)
# ---------------------------------------------------------------------------

LEVEL_MAX_DAYS_BACK = 3653  # about 10 years: older than that is a typo, not history


class LevelForm(WebForm):
    """A change of level of care: which level, since when (the circle's local date), a note."""
    level = SelectField("New level of care", choices=level_choices("Choose a level"), validate_choice=False)
    since = StringField("Since", filters=[strip])
    note = TextAreaField("Note (optional)", filters=[one_line_break, strip],
                         validators=[Length(max=500, message="Note: at most 500 characters.")])

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.earliest = today - timedelta(days=LEVEL_MAX_DAYS_BACK)
        if not self.is_submitted():
            self.since.data = self.since.data or today.isoformat()

    def validate_level(self, field):
        if field.data not in signals.LEVELS:
            raise ValidationError("New level of care: choose one from the list.")

    def validate_since(self, field):
        day = parse_day(field.data)
        if day is None:
            raise ValidationError("Since: enter a date like 2026-11-02.")
        if day > self.today:
            raise ValidationError("Since: this date is in the future.")
        if day < self.earliest:
            raise ValidationError("Since: this date is more than 10 years ago.")
        field.data = day.isoformat()


class ChecklistTickForm(WebForm):
    """One tap on a checklist item: ticked=1 ticks it, ticked=0 unticks it.

    client_id is made when the page is rendered, so a form sent twice (a double tap,
    an offline replay) is stored once."""
    field_names = {"client_id": "Client id"}
    ticked = StringField("Ticked")
    client_id = HiddenField()

    def validate_ticked(self, field):
        if field.data not in ("0", "1"):
            raise ValidationError("Ticked: send 1 to tick the item or 0 to untick it.")

    def validate_client_id(self, field):
        if field.data and not re.fullmatch(r"[A-Za-z0-9\-]{8,64}", field.data):
            raise ValidationError("Client id: this form is damaged. Please reload the page.")


# ---------------------------------------------------------------------------
# Summary for the care team, share links, export and import (caregiver/summary.py)
# ---------------------------------------------------------------------------

SUMMARY_WINDOWS = [("7", "Last 7 days"), ("14", "Last 14 days"), ("30", "Last 30 days")]
SHARE_MAX_DAYS = 90


class ShareLinkForm(WebForm):
    """A read-only link to the summary for someone on the care team."""
    errors_on_form = ("include_notes",)
    label = StringField("Who is it for? (e.g. Dr. Lee, clinic)", filters=[strip], validators=[
        DataRequired("Who is it for: enter a name, e.g. Dr. Lee, clinic."),
        Length(max=80, message="Who is it for: at most 80 characters."),
    ])
    expires_days = StringField(f"Works for how many days? (1 to {SHARE_MAX_DAYS})", default="14",
                               filters=[strip])
    days = SelectField("Days in the summary", choices=SUMMARY_WINDOWS, default="14", validate_choice=False)
    include_notes = CheckboxField("Include caregivers' notes",
                                  message="Include caregivers' notes: tick the box or leave it empty.")

    def validate_expires_days(self, field):
        if not re.fullmatch(r"[0-9]{1,3}", field.data or "") or not 1 <= int(field.data) <= SHARE_MAX_DAYS:
            raise ValidationError(f"Works for how many days: a whole number from 1 to {SHARE_MAX_DAYS}.")

    def validate_days(self, field):
        if field.data not in dict(SUMMARY_WINDOWS):
            raise ValidationError("Days in the summary: choose 7, 14 or 30.")


class ImportForm(WebForm):
    """A .json file made by Export (the rules program's input); only its check-ins are read."""
    field_names = {"file": "File"}
    file = FileField("File to import (.json)", validators=[
        FileRequired("File: choose the .json file to import."),
    ])


# ---------------------------------------------------------------------------
# Account security (caregiver/auth.py, caregiver/account.py, caregiver/cli.py)
# ---------------------------------------------------------------------------

def _load_common_passwords():
    """caregiver/common-passwords.txt, read once at import: a few hundred common
    passwords of 10+ characters (shorter ones fail the length rule anyway)."""
    from pathlib import Path
    path = Path(__file__).with_name("common-passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


# SignUpForm.validate_password reads this name when it runs: sign-up, password
# change, both resets and the operator command all refuse the same passwords.
COMMON_PASSWORDS = COMMON_PASSWORDS | _load_common_passwords()


def new_password_field(label="New password (at least 10 characters)"):
    """A new password with exactly the sign-up rules (10 to 128 characters, not common).
    The form that uses it sets `validate_<name> = SignUpForm.validate_password`."""
    return PasswordField(label, validators=SignUpForm.password.kwargs["validators"])


def _current_password(label="Current password", field="Current password"):
    return PasswordField(label, validators=[DataRequired(f"{field}: enter it."),
                                            Length(max=128, message=f"{field}: at most 128 characters.")])


class NewPasswordCheck(PlainForm):
    """The sign-up password rules outside a web form (the operator command)."""
    password = new_password_field("New password")
    validate_password = SignUpForm.validate_password


def password_problems(password):
    """The reasons a new password is refused (an empty list when it is fine)."""
    form = NewPasswordCheck(data={"password": password})
    form.validate()
    return list(form.password.errors)


class DisplayNameForm(WebForm):
    display_name = SignUpForm.display_name


class ChangePasswordForm(WebForm):
    current_password = _current_password()
    new_password = new_password_field()
    validate_new_password = SignUpForm.validate_password


class ForgotPasswordForm(WebForm):
    """Forgot password: the user name, one recovery code and a new password."""
    field_names = {"recovery_code": "Recovery code"}
    username = StringField("Email or user name", filters=[strip], validators=[
        DataRequired("Email or user name: enter it."), Length(max=120, message="Email or user name: too long.")])
    recovery_code = StringField("One of your recovery codes", filters=[strip], validators=[
        DataRequired("Recovery code: enter one of your codes."),
        Length(max=40, message="Recovery code: it has 16 letters and digits.")])
    new_password = new_password_field()
    validate_new_password = SignUpForm.validate_password


class ResetPasswordForm(WebForm):
    """A new password, from a reset link."""
    new_password = new_password_field()
    validate_new_password = SignUpForm.validate_password


class TwoStepCodeForm(WebForm):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    field_names = {"code": "Code"}
    code = StringField("6-digit code from your authenticator app, or a recovery code", filters=[strip],
                       validators=[DataRequired("Code: enter the 6 digits your app shows, or a recovery code."),
                                   Length(max=40, message="Code: at most 40 characters.")])


class PasswordConfirmForm(WebForm):
    """An action that asks for the password again (new recovery codes, delete the account)."""
    password = _current_password("Your password", "Your password")


class TwoStepSetupForm(WebForm):
    field_names = {"code": "Code"}
    password = _current_password("Your password", "Your password")
    code = StringField("6-digit code from your authenticator app", filters=[strip], validators=[
        DataRequired("Code: enter the 6 digits your app shows."),
        Regexp(r"^[0-9]{3} ?[0-9]{3}$", message="Code: enter the 6 digits your app shows."),
    ])


class TwoStepOffForm(WebForm):
    field_names = {"off_code": "Code"}
    off_password = _current_password("Your password", "Your password")
    off_code = StringField("6-digit code from your app, or a recovery code", filters=[strip], validators=[
        DataRequired("Code: enter the 6 digits your app shows, or a recovery code."),
        Length(max=40, message="Code: at most 40 characters.")])


class DeleteCircleForm(WebForm):
    field_names = {"nickname": "Name"}
    nickname = StringField("Type the name of the person in care, exactly as shown", filters=[strip],
                           validators=[DataRequired("Name: type it to confirm."),
                                       Length(max=40, message="Name: at most 40 characters.")])
