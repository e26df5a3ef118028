"""Every form of the app: the one place that validates input from people.

Each error names its field; a view writes nothing unless its form validates.
"""
import re
import uuid
from datetime import date, timedelta
from zoneinfo import available_timezones

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, FieldList, FormField, HiddenField, PasswordField,
                     RadioField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
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
PHONE = Regexp(r"^\+?[0-9][0-9 ()\-.]{1,24}$",
               message="Use digits, spaces, dashes or brackets (e.g. 911 or 555-123-4567).")


def strip(value):
    return value.strip() if isinstance(value, str) else value


def none_if_blank(value):
    return None if value in ("", None) else value


class SignUpForm(FlaskForm):
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


class SignInForm(FlaskForm):
    username = StringField("Email or user name", filters=[strip],
                           validators=[DataRequired("Enter your email or user name."), Length(max=120)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=128)])


class CareTeamNumberForm(PlainForm):
    label = StringField("Who", filters=[strip], validators=[Length(max=60, message="At most 60 characters.")])
    number = StringField("Phone number", filters=[strip])

    def validate_number(self, field):
        if bool(self.label.data) != bool(field.data):
            raise ValidationError("Give both a name and a number, or neither.")
        if field.data:
            PHONE(self, field)


def level_choices(blank="Not sure"):
    return [("", blank)] + [(lvl["id"], lvl["name"]) for lvl in content.LEVELS]


class CircleForm(FlaskForm):
    nickname = StringField("First name or nickname of the person in care", filters=[strip], validators=[
        DataRequired("Enter a first name or nickname."), Length(max=40, message="At most 40 characters."),
    ])
    level_of_care = SelectField("Current level of care", choices=level_choices(), validate_choice=False)
    level_since = StringField("Since", filters=[strip, none_if_blank])
    living_situation = SelectField("Living situation", validate_choice=False,
                                   choices=[("", "Not sure")] + list(content.LIVING_SITUATIONS))
    timezone = SelectField("Time zone", choices=[(t, t) for t in TIMEZONES], default="America/New_York",
                           validate_choice=False)
    emergency_number = StringField("Emergency number", filters=[strip], default="911",
                                   validators=[DataRequired("Enter the emergency number (911 in the US)."), PHONE])
    care_team = FieldList(FormField(CareTeamNumberForm), min_entries=3, max_entries=3)

    def validate_level_of_care(self, field):
        if field.data and field.data not in signals.LEVELS:
            raise ValidationError("Choose a level of care from the list.")

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
        try:
            field.data = date.fromisoformat(field.data).isoformat()
        except ValueError:
            raise ValidationError("Enter a date like 2026-11-02.") from None
        if date.fromisoformat(field.data) > date.today() + timedelta(days=1):
            raise ValidationError("This date is in the future.")


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


class CheckinForm(FlaskForm):
    """The daily check-in. The same names as the JSON of the rules program."""
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
    overdose = BooleanField(content.CHECKIN_LABELS["overdose"]["label"])
    naloxone_given = BooleanField(content.CHECKIN_LABELS["naloxone_given"]["label"])
    notes = TextAreaField(content.CHECKIN_LABELS["notes"]["label"], filters=[strip])

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
        unknown = sorted(set(request.form.keys()) - set(self._fields)) if request else []
        if unknown:
            self.form_errors.append("Unknown field: " + ", ".join(unknown) + ".")
            ok = False
        return ok

    def validate_client_id(self, field):
        if field.data and not re.fullmatch(r"[A-Za-z0-9\-]{8,64}", field.data):
            raise ValidationError("This form is damaged. Please reload the page.")

    def validate_date(self, field):
        try:
            day = date.fromisoformat(field.data or "")
        except ValueError:
            raise ValidationError("Day: enter a date like 2026-11-20.") from None
        if day > self.today:
            raise ValidationError("Day: this date is in the future.")
        if day < self.earliest:
            raise ValidationError(f"Day: check-ins can go back at most {(self.today - self.earliest).days} days.")

    def _in(self, field, allowed, message):
        if field.data not in ("", None) and field.data not in allowed:
            raise ValidationError(message)

    def validate_craving(self, field):
        self._in(field, [str(i) for i in range(11)], "Craving: choose a number from 0 to 10, or Not sure.")

    def validate_stress(self, field):
        self._in(field, [str(i) for i in range(11)], "Stress: choose a number from 0 to 10, or Not sure.")

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


class InviteAcceptForm(FlaskForm):
    pass


class ConfirmForm(FlaskForm):
    """A POST with nothing but its CSRF token (remove, delete, sign out)."""


RESPONSE_ACTIONS = [
    ("talked-with-care-team", "We talked with the care team"),
    ("changed-level", "The level of care changed"),
    ("safety-steps", "We took safety steps at home"),
    ("watching", "We are watching closely"),
    ("other", "Something else (see note)"),
]


class PromptResponseForm(FlaskForm):
    rule = StringField("About")
    action = SelectField("What did you do?", choices=RESPONSE_ACTIONS, validate_choice=False)
    note = TextAreaField("Note (optional)", filters=[strip],
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


class LevelForm(FlaskForm):
    """A change of level of care: which level, since when (the circle's local date), a note."""
    level = SelectField("New level of care", choices=level_choices("Choose a level"), validate_choice=False)
    since = StringField("Since", filters=[strip])
    note = TextAreaField("Note (optional)", filters=[strip],
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
        try:
            day = date.fromisoformat(field.data or "")
        except ValueError:
            raise ValidationError("Since: enter a date like 2026-11-02.") from None
        if day > self.today:
            raise ValidationError("Since: this date is in the future.")
        if day < self.earliest:
            raise ValidationError("Since: this date is more than 10 years ago.")
        field.data = day.isoformat()


class ChecklistTickForm(FlaskForm):
    """One tap on a checklist item: ticked=1 ticks it, ticked=0 unticks it.

    client_id is made when the page is rendered, so a form sent twice (a double tap,
    an offline replay) is stored once."""
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


class ShareLinkForm(FlaskForm):
    """A read-only link to the summary for someone on the care team."""
    label = StringField("Who is it for? (e.g. Dr. Lee, clinic)", filters=[strip], validators=[
        DataRequired("Who is it for: enter a name, e.g. Dr. Lee, clinic."),
        Length(max=80, message="Who is it for: at most 80 characters."),
    ])
    expires_days = StringField(f"Works for how many days? (1 to {SHARE_MAX_DAYS})", default="14",
                               filters=[strip])
    days = SelectField("Days in the summary", choices=SUMMARY_WINDOWS, default="14", validate_choice=False)
    include_notes = BooleanField("Include caregivers' notes")

    def validate_expires_days(self, field):
        if not re.fullmatch(r"[0-9]{1,3}", field.data or "") or not 1 <= int(field.data) <= SHARE_MAX_DAYS:
            raise ValidationError(f"Works for how many days: a whole number from 1 to {SHARE_MAX_DAYS}.")

    def validate_days(self, field):
        if field.data not in dict(SUMMARY_WINDOWS):
            raise ValidationError("Days in the summary: choose 7, 14 or 30.")


class ImportForm(FlaskForm):
    """A .json file made by Export (the rules program's input); only its check-ins are read."""
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


class DisplayNameForm(FlaskForm):
    display_name = SignUpForm.display_name


class ChangePasswordForm(FlaskForm):
    current_password = _current_password()
    new_password = new_password_field()
    validate_new_password = SignUpForm.validate_password


class ForgotPasswordForm(FlaskForm):
    """Forgot password: the user name, one recovery code and a new password."""
    username = StringField("Email or user name", filters=[strip], validators=[
        DataRequired("Email or user name: enter it."), Length(max=120, message="Email or user name: too long.")])
    recovery_code = StringField("One of your recovery codes", filters=[strip], validators=[
        DataRequired("Recovery code: enter one of your codes."),
        Length(max=40, message="Recovery code: it has 16 letters and digits.")])
    new_password = new_password_field()
    validate_new_password = SignUpForm.validate_password


class ResetPasswordForm(FlaskForm):
    """A new password, from a reset link."""
    new_password = new_password_field()
    validate_new_password = SignUpForm.validate_password


class TwoStepCodeForm(FlaskForm):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    code = StringField("6-digit code from your authenticator app, or a recovery code", filters=[strip],
                       validators=[DataRequired("Code: enter the 6 digits your app shows, or a recovery code."),
                                   Length(max=40, message="Code: at most 40 characters.")])


class PasswordConfirmForm(FlaskForm):
    """An action that asks for the password again (new recovery codes, delete the account)."""
    password = _current_password("Your password", "Your password")


class TwoStepSetupForm(FlaskForm):
    password = _current_password("Your password", "Your password")
    code = StringField("6-digit code from your authenticator app", filters=[strip], validators=[
        DataRequired("Code: enter the 6 digits your app shows."),
        Regexp(r"^[0-9]{3} ?[0-9]{3}$", message="Code: enter the 6 digits your app shows."),
    ])


class TwoStepOffForm(FlaskForm):
    off_password = _current_password("Your password", "Your password")
    off_code = StringField("6-digit code from your app, or a recovery code", filters=[strip], validators=[
        DataRequired("Code: enter the 6 digits your app shows, or a recovery code."),
        Length(max=40, message="Code: at most 40 characters.")])


class DeleteCircleForm(FlaskForm):
    nickname = StringField("Type the name of the person in care, exactly as shown", filters=[strip],
                           validators=[DataRequired("Name: type it to confirm."),
                                       Length(max=40, message="Name: at most 40 characters.")])
