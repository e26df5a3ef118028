"""Words in the reader's language, with the standard library only.

The rules engine (`python -m caregiver.signals`) runs without Flask, so its words, and
the vocabulary's labels, are translated here, from the same compiled catalogs
(translations/<lang>/LC_MESSAGES/messages.mo) that Flask-Babel reads for the pages.
The language is a context variable: the app sets it for each request (caregiver/i18n.py),
the command line for its run (`--lang`), a share page for its link (`using`).
"""
import contextvars
import gettext as _gettext
from contextlib import contextmanager
from pathlib import Path

from markupsafe import escape

LOCALEDIR = Path(__file__).resolve().parent.parent / "translations"
ENGLISH = "en"  # the language the words are written in: it needs no catalog
language = contextvars.ContextVar("language", default=ENGLISH)
_catalogs = {}


def catalog(lang=None):
    lang = lang or language.get()
    if lang not in _catalogs:
        _catalogs[lang] = _gettext.translation("messages", LOCALEDIR, [lang], fallback=True)
    return _catalogs[lang]


def gettext(text, **values):
    """`text` in the current language; `%(name)s` filled from `values` (as Flask-Babel does)."""
    out = catalog().gettext(text)
    return out % values if values else out


def ngettext(one, many, num, **values):
    """The form for `num` (`%(num)d` is filled too)."""
    return catalog().ngettext(one, many, num) % dict(values, num=num)


class ReadTranslated:
    """What text translated when read does wherever it is read: in a format, a page, `+`,
    `%` and len() it is the translation (str(self)). Shared by Lazy and vocabulary.Text."""
    __slots__ = ()

    def __format__(self, spec):
        return format(str(self), spec)

    def __html__(self):
        return escape(str(self))

    def __add__(self, other):
        return str(self) + other

    def __radd__(self, other):
        return other + str(self)

    def __mod__(self, values):
        return str(self) % values

    def __len__(self):
        return len(str(self))


class Lazy(ReadTranslated):
    """Text written at import time (a label, a choice, a form message), translated each
    time it is read, with `%(name)s` values. In a page it is escaped like any text
    (Flask-Babel's own lazy string is not: an apostrophe reached the HTML raw)."""
    __slots__ = ("text", "values")

    def __init__(self, text, **values):
        self.text = text
        self.values = values

    def __str__(self):
        return gettext(self.text, **self.values)

    def __getattr__(self, name):  # .lower(), .startswith() ... of the translated text
        return getattr(str(self), name)

    def __eq__(self, other):
        return str(self) == str(other)

    def __lt__(self, other):
        return str(self) < str(other)

    def __hash__(self):
        return hash(self.text)

    def __repr__(self):
        return f"Lazy({self.text!r})"


lazy_gettext = Lazy


@contextmanager
def using(lang):
    """Words in `lang` inside the block (a share link's language, the CLI's --lang)."""
    token = language.set(lang)
    try:
        yield
    finally:
        language.reset(token)


def languages():
    """The languages with a compiled catalog, and English."""
    found = {p.parent.parent.name for p in LOCALEDIR.glob("*/LC_MESSAGES/messages.mo")}
    return sorted(found | {ENGLISH})
