"""One way of reading and writing days and times, in the reader's language. No web code
(the rules engine writes its days with it too): the standard library, and Babel for the
languages other than English.

Timestamps are stored in UTC (ISO 8601); an observed day is a local date in the
circle's time zone. English days are written here, the same on every server ("Wed 18
Nov"); other languages take their CLDR names from Babel (Spanish: "mié 18 nov").
"""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, available_timezones

from babel.core import UnknownLocaleError
from babel.dates import format_date

from . import words

TIMEZONES = sorted(available_timezones() - {"localtime", "Factory"})
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: The locale whose conventions a language's dates follow. Spanish: US Spanish (es_US),
#: as US readers write it: "sep" (not "sept"), no periods (docs/translating.md, section 3).
FORMAT_LOCALES = {"es": "es_US"}
_DAY = "EEE d MMM"  # "lun 30 nov": weekday and month in lower case, as Spanish writes them
_DAY_YEAR = "EEE d MMM y"


def _in_language(d, pattern):
    """`d` written with a CLDR pattern in the reader's language; None for English."""
    lang = words.language.get()
    if lang == words.ENGLISH:
        return None
    try:
        return format_date(d, pattern, locale=FORMAT_LOCALES.get(lang, lang))
    except (UnknownLocaleError, ValueError):  # a catalog without a CLDR locale: English days
        return None


def as_date(value):
    """A date from a date or an ISO string (a timestamp's day)."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def day_words(value):
    """'Wed 18 Nov', as every page writes a day (whatever the server's locale)."""
    d = as_date(value)
    return _in_language(d, _DAY) or f"{_WEEKDAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]}"


def long_date(value, today):
    """'Sun 1 Nov', with the year when it is not this year."""
    d = as_date(value)
    if d.year == today.year:
        return day_words(d)
    return _in_language(d, _DAY_YEAR) or f"{day_words(d)} {d.year}"


def full_date(value):
    """'Sun 1 Nov 2026': for the printed summary, which may be read years later."""
    d = as_date(value)
    return _in_language(d, _DAY_YEAR) or f"{day_words(d)} {d.year}"


def today_in(zone):
    """Today's date in a time zone of the list (UTC for anything else)."""
    tz = ZoneInfo(zone) if zone in TIMEZONES else timezone.utc
    return datetime.now(timezone.utc).astimezone(tz).date()


def circle_today(circle):
    """The observed day is a local date in the circle's time zone."""
    return today_in(circle["timezone"])


def local_time(timestamp, circle):
    """A UTC timestamp (ISO 8601) as a datetime in the circle's time zone."""
    return datetime.fromisoformat(timestamp).astimezone(ZoneInfo(circle["timezone"]))


def local_date(timestamp, circle):
    """The circle's local date of a UTC timestamp (ISO 8601)."""
    return local_time(timestamp, circle).date()
