"""The forms of notifications: a phone's subscription, and a member's choices per circle."""
import re

from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import Length, Optional, ValidationError

from . import push
from .i18n import _l
from .webform import WebForm, strip

B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _b64url_of(size, name):
    def check(form, field):
        value = field.data or ""
        try:
            ok = bool(B64URL.match(value)) and len(push.b64d(value.rstrip("="))) == size
        except ValueError:
            ok = False
        if not ok:
            raise ValidationError(_l("%(name)s: this browser sent a key that is not valid.", name=name))
    return check


class SubscribeForm(WebForm):
    """Filled in by static/js/push.js from the browser's PushSubscription."""
    endpoint = StringField(_l("Push address"), filters=[strip], validators=[
        Length(max=push.MAX_ENDPOINT, message=_l("Push address: it is too long."))])
    p256dh = StringField(_l("Phone key"), filters=[strip], validators=[_b64url_of(65, _l("Phone key"))])
    auth = StringField(_l("Phone secret"), filters=[strip], validators=[_b64url_of(16, _l("Phone secret"))])

    def validate_endpoint(self, field):
        if not field.data:
            raise ValidationError(_l("Push address: this browser did not give one. Notifications need "
                                     "JavaScript and a browser that supports them."))


def _clock(label):
    def check(form, field):
        if field.data and not CLOCK.match(field.data):
            raise ValidationError(_l("%(label)s: write a time like 20:30.", label=label))
    return check


class ChoicesForm(WebForm):
    urgent = BooleanField(_l("Urgent signs (an overdose, or use after a time without it)"))
    structure = BooleanField(_l("A new sign to consider more structure"))
    missing = BooleanField(_l("No check-ins for 3 days"))
    reminder_at = StringField(_l("Daily reminder at (leave empty for none)"), filters=[strip],
                              validators=[Optional(), Length(max=5), _clock(_l("Daily reminder at"))])
    reminder_unless = RadioField(_l("Remind me"), default="me", choices=[
        ("me", _l("only when I have not checked in that day")),
        ("anyone", _l("only when nobody in the circle has checked in that day"))])
    quiet_from = StringField(_l("Quiet hours from"), filters=[strip],
                             validators=[Optional(), Length(max=5), _clock(_l("Quiet hours from"))])
    quiet_until = StringField(_l("Quiet hours until"), filters=[strip],
                              validators=[Optional(), Length(max=5), _clock(_l("Quiet hours until"))])

    def validate_quiet_until(self, field):
        if bool(field.data) != bool(self.quiet_from.data):
            raise ValidationError(_l("Quiet hours until: give both times, or neither."))
