"""The forms of accounts: sign-up, sign-in, passwords, two-step sign-in, recovery and
deletions (auth.py, account.py, cli.py). Every new password meets the sign-up rules."""
from pathlib import Path

from wtforms import Form as PlainForm
from wtforms import PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from .i18n import _l
from .webform import WebForm, strip

COMMON_PASSWORDS = frozenset("""
1234567890 0123456789 12345678910 1111111111 0000000000 qwertyuiop password1 password12
password123 passwordpassword iloveyou123 qwerty12345 1q2w3e4r5t 1qaz2wsx3edc abcdefghij
abc1234567 football123 baseball12 welcome123 letmein123 sunshine123 princess12 changeme123
administrator
""".split())


class SignUpForm(WebForm):
    username = StringField(_l("Email or user name"), filters=[strip], validators=[
        DataRequired(_l("Enter an email or a user name.")),
        Length(3, 120, _l("Use 3 to 120 characters.")),
        Regexp(r"^[^\s]+$", message=_l("No spaces, please.")),
    ])
    display_name = StringField(_l("Your first name (what others in the circle see)"), filters=[strip],
                               validators=[DataRequired(_l("Enter a name.")),
                                           Length(max=60, message=_l("At most 60 characters."))])
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[
        DataRequired(_l("Choose a password.")),
        Length(10, 128, _l("Use 10 to 128 characters.")),
    ])

    def validate_password(self, field):
        if field.data.lower() in COMMON_PASSWORDS or len(set(field.data)) < 4:
            raise ValidationError(_l("This password is too easy to guess. Try a few unrelated words."))


class SignInForm(WebForm):
    username = StringField(_l("Email or user name"), filters=[strip],
                           validators=[DataRequired(_l("Enter your email or user name.")),
                                       Length(max=120, message=_l("Email or user name: too long."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=128, message=_l("Password: too long."))])



def _load_common_passwords():
    """caregiver/common-passwords.txt, read once at import: a few hundred common
    passwords of 10+ characters (shorter ones fail the length rule anyway)."""
    path = Path(__file__).with_name("common-passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


# SignUpForm.validate_password reads this name when it runs: sign-up, password
# change, both resets and the operator command all refuse the same passwords.
COMMON_PASSWORDS = COMMON_PASSWORDS | _load_common_passwords()


def new_password_field(label=_l("New password (at least 10 characters)")):
    """A new password with exactly the sign-up rules (10 to 128 characters, not common).
    The form that uses it sets `validate_<name> = SignUpForm.validate_password`."""
    return PasswordField(label, validators=SignUpForm.password.kwargs["validators"])


def _current_password(label, required, too_long):
    return PasswordField(label, validators=[DataRequired(required), Length(max=128, message=too_long)])


def _your_password():
    return _current_password(_l("Your password"), _l("Your password: enter it."),
                             _l("Your password: at most 128 characters."))


class NewPasswordCheck(PlainForm):
    """The sign-up password rules outside a web form (the operator command)."""
    password = new_password_field(_l("New password"))
    validate_password = SignUpForm.validate_password


def password_problems(password):
    """The reasons a new password is refused (an empty list when it is fine)."""
    form = NewPasswordCheck(data={"password": password})
    form.validate()
    return [str(e) for e in form.password.errors]  # lazy texts, read now


class DisplayNameForm(WebForm):
    display_name = SignUpForm.display_name


class ChangePasswordForm(WebForm):
    current_password = _current_password(_l("Current password"), _l("Current password: enter it."),
                                         _l("Current password: at most 128 characters."))
    new_password = new_password_field()
    validate_new_password = SignUpForm.validate_password


class ForgotPasswordForm(WebForm):
    """Forgot password: the user name, one recovery code and a new password."""
    field_names = {"recovery_code": _l("Recovery code")}
    username = StringField(_l("Email or user name"), filters=[strip], validators=[
        DataRequired(_l("Email or user name: enter it.")),
        Length(max=120, message=_l("Email or user name: too long."))])
    recovery_code = StringField(_l("One of your recovery codes"), filters=[strip], validators=[
        DataRequired(_l("Recovery code: enter one of your codes.")),
        Length(max=40, message=_l("Recovery code: it has 16 letters and digits."))])
    new_password = new_password_field()
    validate_new_password = SignUpForm.validate_password


class ResetPasswordForm(WebForm):
    """A new password, from a reset link."""
    new_password = new_password_field()
    validate_new_password = SignUpForm.validate_password


class TwoStepCodeForm(WebForm):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    field_names = {"code": _l("Code")}
    code = StringField(_l("6-digit code from your authenticator app, or a recovery code"), filters=[strip],
                       validators=[DataRequired(_l("Code: enter the 6 digits your app shows, or a recovery code.")),
                                   Length(max=40, message=_l("Code: at most 40 characters."))])


class PasswordConfirmForm(WebForm):
    """An action that asks for the password again (new recovery codes, delete the account)."""
    password = _your_password()


class TwoStepSetupForm(WebForm):
    field_names = {"code": _l("Code")}
    password = _your_password()
    code = StringField(_l("6-digit code from your authenticator app"), filters=[strip], validators=[
        DataRequired(_l("Code: enter the 6 digits your app shows.")),
        Regexp(r"^[0-9]{3} ?[0-9]{3}$", message=_l("Code: enter the 6 digits your app shows.")),
    ])


class TwoStepOffForm(WebForm):
    field_names = {"off_code": _l("Code")}
    off_password = _your_password()
    off_code = StringField(_l("6-digit code from your app, or a recovery code"), filters=[strip], validators=[
        DataRequired(_l("Code: enter the 6 digits your app shows, or a recovery code.")),
        Length(max=40, message=_l("Code: at most 40 characters."))])


class DeleteCircleForm(WebForm):
    field_names = {"nickname": _l("Name")}
    nickname = StringField(_l("Type the name of the person in care, exactly as shown"), filters=[strip],
                           validators=[DataRequired(_l("Name: type it to confirm.")),
                                       Length(max=40, message=_l("Name: at most 40 characters."))])


class LanguageForm(WebForm):
    """The language a caregiver reads the app in; "" follows each phone's browser."""
    language = RadioField(_l("Language"), default="", validate_choice=False)

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [("", _l("As this phone's language setting"))] + list(offered)

    def validate_language(self, field):
        # WTForms' own "Not a valid choice." would not name the field, nor be translated.
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Language: choose one of the languages listed."))
