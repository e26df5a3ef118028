"""WebForm, the base of every form: the one place that reads input from people, and
the small fields and filters the forms share.

Each error names its field; a view writes nothing unless its form validates.
"""
import re
from datetime import date

from flask import has_request_context, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FieldList, FormField, HiddenField, PasswordField, SelectMultipleField
from wtforms import FileField as AnyFileField
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

from .i18n import _
from .vocabulary import CONTROL_CHARACTERS, CONTROL_CHARACTERS_MULTILINE


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

    @property
    def from_request(self):
        """Whether this form read the request (a form made with formdata=None did not,
        whatever the method): such a form shows the stored values instead."""
        return self._from_request

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
            # "¿" opens a Spanish question: the name is the words after it
            name = re.split(r" \(|\?", str(field.label.text))[0].strip().lstrip("¿") or field.short_name
        return str(name)

    def _shape_problems(self, field):
        """What is wrong with the shape of what was sent for `field`: whole messages naming it."""
        problems = []
        name = self.field_name(field)
        sent = request.form.getlist(field.name) + request.files.getlist(field.name)
        if field.name in request.files and not isinstance(field, AnyFileField):
            problems.append(_("%(field)s: send text here, not a file.", field=name))
        if len(sent) > 1 and not isinstance(field, SelectMultipleField):
            problems.append(_("%(field)s: send one value, not several.", field=name))
        if (isinstance(field, StringField) and not isinstance(field, (PasswordField, HiddenField))
                and isinstance(field.data, str)):
            control = (CONTROL_CHARACTERS_MULTILINE if isinstance(field, TextAreaField)
                       else CONTROL_CHARACTERS)
            if control.search(field.data):
                problems.append(_("%(field)s: remove the invisible control characters (such as NUL, or "
                                  "marks that reverse the text's direction) it holds.", field=name))
        return problems

    def validate(self, extra_validators=None):
        leaves = []
        if self._from_request:
            leaves = [f for f in _leaves_of(self) if f.name != self.meta.csrf_field_name]
            if not getattr(self, "_shape_checked", False):
                self._shape_checked = True
                for field in leaves:
                    # As process errors, they count like any error, also inside a FieldList.
                    field.process_errors.extend(self._shape_problems(field))
        ok = super().validate(extra_validators)
        if leaves and request.mimetype and request.mimetype not in FORM_TYPES:
            self.form_errors.append(_("This was not sent as a web form, so nothing in it was read. "
                                      "Please use the form on this page."))
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
            raise ValidationError(self.message or _("%(field)s: tick the box or leave it empty.",
                                                    field=self.label.text))


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
