"""Languages: which one a page is written in, and the words' catalogs.

Every string a person reads goes through gettext: `_()` in templates, and in Python
`_` (at request time) or `_l` (module-level text, translated when rendered). The
catalogs live in translations/<lang>/LC_MESSAGES/messages.po; `make` compiles them.
English is the source language, so it needs no catalog. Flask-Babel serves the pages;
caregiver/words.py serves the Flask-free engine and vocabulary from the same catalogs,
so both are set to the same language for each request.
"""
import functools
from pathlib import Path

from babel.dates import get_day_names, get_month_names
from babel.messages.extract import extract_from_file
from flask import g, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel, get_translations, gettext, ngettext, refresh

from . import words

_ = gettext
_l = words.lazy_gettext  # escaped in pages, unlike Flask-Babel's lazy_gettext
__all__ = ["_", "_l", "ngettext", "init_app", "current_language", "languages", "set_language"]

#: Each language named in itself, as a person looks for it in a list.
NAMES = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = words.ENGLISH
#: Remembers a signed-out visitor's choice on that phone (no account to keep it in).
COOKIE = "language"


def languages():
    """The languages a person can choose: those with a compiled catalog, and English."""
    return {code: NAMES[code] for code in words.languages() if code in NAMES}


def current_language():
    """The language of this request's page (a code from languages())."""
    return g.get("language") or DEFAULT_LANGUAGE


def choose_language():
    """The caregiver's choice; else this phone's (the cookie); else the browser's."""
    offered = languages()
    user = g.get("user")
    if user is not None and user["language"] in offered:
        return user["language"]
    if request.cookies.get(COOKIE) in offered:
        return request.cookies[COOKIE]
    return request.accept_languages.best_match(list(offered), default=DEFAULT_LANGUAGE)


def set_language(code):
    """Write this request's page, and the engine's words, in `code` (a share link's language)."""
    g.language = code
    token = words.language.set(code)
    g.setdefault("_words_before", token)  # the language before this request, put back at its end
    refresh()  # Flask-Babel keeps the first locale it was asked for


def _end_request(exc=None):
    # The request may run in its caller's context (a test client, a CLI): leave it as found.
    token = g.pop("_words_before", None)
    if token is not None:
        words.language.reset(token)


def _start_request():
    set_language(choose_language())


def _vary(response):
    if response.mimetype == "text/html" or request.endpoint == "pwa.service_worker":  # it has words too
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


# --- The words of the JavaScript (static/js): the same catalog, sent with each page ---

JS_FOLDER = Path(__file__).resolve().parent.parent / "static" / "js"
#: How each language writes dates and times in the browser (Intl), as dates.py does on the server.
BROWSER_LOCALES = {"en": "en-US", "es": "es-US"}


@functools.cache
def js_messages():
    """Every message the scripts ask for: (msgid, msgid_plural or None), found as
    `pybabel extract` finds them, once per process."""
    found = set()
    for path in sorted(JS_FOLDER.glob("*.js")):
        for _line, message, _comments, _context in extract_from_file("javascript", str(path)):
            found.add((message, None) if isinstance(message, str) else (message[0], message[1]))
    return sorted(found)


def js_words():
    """What the scripts need to speak this page's language: its translations (a list of
    forms for a plural) and the short day and month names. English needs none: the
    scripts are written in it."""
    code = current_language()
    if code == DEFAULT_LANGUAGE:
        return None
    translations = get_translations()
    messages = {}
    for one, many in js_messages():
        if many is None:
            messages[one] = translations.gettext(one)
        else:
            messages[one] = [translations.ngettext(one, many, 1), translations.ngettext(one, many, 2)]
    locale = BROWSER_LOCALES.get(code, code)
    babel_locale = locale.replace("-", "_")
    days = get_day_names("abbreviated", locale=babel_locale)
    months = get_month_names("abbreviated", locale=babel_locale)
    return {"messages": messages, "locale": locale,
            "days": [days[(i - 1) % 7] for i in range(7)],  # Babel: 0 is Monday; JS: 0 is Sunday
            "months": [months[i] for i in range(1, 13)]}


class JSONProvider(DefaultJSONProvider):
    """`|tojson` and JSON answers read a vocabulary label (words.Lazy) as its text."""

    @staticmethod
    def default(o):
        if isinstance(o, words.Lazy):
            return str(o)
        return DefaultJSONProvider.default(o)


def init_app(app):
    """Call after the user is loaded: the caregiver's own choice comes first."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(words.LOCALEDIR))
    Babel(app, locale_selector=current_language)
    app.json = JSONProvider(app)
    app.jinja_env.policies["json.dumps_function"] = app.json.dumps  # |tojson, made before this
    app.before_request(_start_request)
    app.teardown_request(_end_request)
    app.after_request(_vary)
    app.jinja_env.globals.update(current_language=current_language, languages=languages, js_words=js_words)
