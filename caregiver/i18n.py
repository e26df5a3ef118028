"""Languages: which one a page is written in, and the words' catalogs.

Every string a person reads goes through gettext: `_()` in templates, and in Python
`_` (at request time) or `_l` (module-level text, translated when rendered). The
catalogs live in translations/<lang>/LC_MESSAGES/messages.po; `make` compiles them.
English is the source language, so it needs no catalog.
"""
from flask import g
from flask_babel import Babel, gettext, lazy_gettext, ngettext

_ = gettext
_l = lazy_gettext
__all__ = ["_", "_l", "ngettext", "LANGUAGES", "init_app", "current_language"]

#: The languages a person can choose, each named in itself.
LANGUAGES = {"en": "English"}
DEFAULT_LANGUAGE = "en"


def current_language():
    """The language of this request's page (a code from LANGUAGES)."""
    return g.get("language") or DEFAULT_LANGUAGE


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/../translations"))
    Babel(app, locale_selector=current_language)
    app.jinja_env.globals["current_language"] = current_language
