"""Languages: which one a page is written in, and the words' catalogs.

Every string a person reads goes through gettext: `_()` in templates, and in Python
`_` (at request time) or `_l` (module-level text, translated when rendered). The
catalogs live in translations/<lang>/LC_MESSAGES/messages.po; `make` compiles them.
English is the source language, so it needs no catalog. Flask-Babel serves the pages;
caregiver/words.py serves the Flask-free engine and vocabulary from the same catalogs,
so both are set to the same language for each request.
"""
from flask import g
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel, gettext, lazy_gettext, ngettext

from . import words

_ = gettext
_l = lazy_gettext
__all__ = ["_", "_l", "ngettext", "LANGUAGES", "init_app", "current_language"]

#: The languages a person can choose, each named in itself.
LANGUAGES = {"en": "English"}
DEFAULT_LANGUAGE = "en"


def current_language():
    """The language of this request's page (a code from LANGUAGES)."""
    return g.get("language") or DEFAULT_LANGUAGE


def _start_request():
    words.language.set(current_language())


class JSONProvider(DefaultJSONProvider):
    """`|tojson` and JSON answers read a vocabulary label (words.Lazy) as its text."""

    @staticmethod
    def default(o):
        if isinstance(o, words.Lazy):
            return str(o)
        return DefaultJSONProvider.default(o)


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(words.LOCALEDIR))
    Babel(app, locale_selector=current_language)
    app.json = JSONProvider(app)
    app.jinja_env.policies["json.dumps_function"] = app.json.dumps  # |tojson, made before this
    app.before_request(_start_request)
    app.jinja_env.globals["current_language"] = current_language
