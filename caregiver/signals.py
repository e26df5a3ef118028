"""The rules engine: from check-ins to prompts and step-down readiness.

Pure functions of (today, level of care with its start date, the previous level and
the day the person last left 24/7 care, the day medication was stopped, check-ins,
ticked checklist items). No web code, no database, standard library only.

It is also a program for the care team, tests and scripts:

    python -m caregiver.signals < input.json > output.json
    python -m caregiver.signals --lang es < input.json > salida.json

`--lang` changes only the sentences a person reads (each prompt's title, why and action,
and each criterion's why); ids, evidence, dates and every key stay the same.

Invalid input exits with status 2 and one line on stderr naming the first problem.

The engine never diagnoses and never decides a level of care: every prompt says that
the care team decides.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from . import words
from .dates import day_words
from .words import gettext, ngettext
from .vocabulary import _l
from .vocabulary import (ACCESS, CHECKIN_FIELDS, CHECKLIST_ITEMS, CHECKLIST_LABELS,  # noqa: F401
                         CONTROL_CHARACTERS_MULTILINE,
                         KNOWN_CHECKLIST_IDS, LEVEL_NAMES, LEVELS, LOWER_STRUCTURE, MEDICATION,
                         NOTES_MAX, SCALE_MAX, SUGGESTED_LEVELS, TWENTY_FOUR_SEVEN, USE,
                         USE_SIGNS, WITHDRAWAL, WITHDRAWAL_SIGNS)

# The words, levels, fields and checklist ids come from vocabulary.py (re-exported
# here for the engine's readers); what follows is the rules' own knowledge.

#: How concerning each value is (higher is more concerning), for combining a day.
CONCERN = {
    "withdrawal": {"none": 0, "mild": 1, "moderate": 2, "severe": 3},
    "access": {"none": 0, "possible": 1, "easy": 2},
    "use": {"none": 0, "suspected": 1, "confirmed": 2},
    "medication": {"not-prescribed": 0, "taken": 1, "missed": 2},
}
PROMPT_LEVELS = ("urgent", "more-structure", "watch", "info")

# ---------------------------------------------------------------------------
# Every window and threshold, in one place. "days" is the window: "the last N
# days" is today and the N-1 calendar days before it.
# ---------------------------------------------------------------------------
THRESHOLDS = {
    # prompt rules
    "overdose-recent": {"days": 3},
    # use on D in the last `days`; the `before_days` before D hold at least
    # `min_none_days` days with use "none" and none with use; or the level changed
    # from 24/7 care (left_24_7_on) within the `since_days` days ending on D (D and
    # 27 before it), whatever levels came in between.
    "use-after-abstinence": {"days": 3, "before_days": 7, "min_none_days": 5, "since_days": 28},
    "overdose-history": {"days": 30},
    "use-in-lower-structure": {"days": 14},
    "frequent-use": {"days": 7, "min_days": 3},
    "withdrawal-severe": {"days": 3},
    "withdrawal-prolonged": {"days": 7, "min_days": 4},
    "cravings-high": {"days": 5, "min_days": 3, "craving": 7},
    "access-under-stress": {"days": 7, "stress": 7},
    "missed-medication": {"days": 7, "min_days": 2},
    "repeated-relapse": {"days": 30, "min_episodes": 2},
    # mean of the last `days` vs the `before_days` before them; each mean needs
    # `min_values` values; holds when the rise is at least `min_rise`.
    "cravings-rising": {"days": 3, "before_days": 7, "min_values": 2, "min_rise": 2},
    "access-possible": {"days": 7, "min_days": 2},
    "stress-high": {"days": 7, "min_days": 3, "stress": 7},
    "recent-step-down": {"days": 28},
    "medication-stopped": {"days": 28},
    "checkins-missing": {"days": 3},
    # step-down criteria
    "withdrawal-controlled": {"days": 7, "min_values": 5},
    "cravings-manageable": {"days": 7, "craving": 7, "min_values": 5, "max_mean": 4},
    "medication-stable": {"days": 14, "min_values": 10},
    "no-recent-use": {"days": 14, "min_none_days": 10},
    "safe-environment": {"days": 14, "possible_days": 3, "min_values": 10},
    "stress-tolerated": {"days": 14, "stress": 7},
    "coping-practiced": {},
    "medically-stable": {},
    "accountability": {},
    "transition-planned": {},
    "no-warning-prompts": {},
}
#: Step-down readiness reads the check-ins of this many last days.
STEP_DOWN_DAYS = 14


# ---------------------------------------------------------------------------
# Catalogs
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    title: str  # the prompt's title
    description: str  # when it holds, in one plain sentence
    matters: str  # why it matters, 1-2 sentences for caregivers
    todo: str = ""  # what to do, for watch and info prompts


@dataclass(frozen=True)
class Criterion:
    id: str
    description: str  # what it means, in plain words
    because: str  # the reason named in "Not yet, because ..."


RULES = (
    Rule("overdose-recent", "urgent", _l("An overdose in the last 3 days"),
         _l("An overdose happened, or naloxone was given, on one of the last 3 days."),
         _l("After an overdose the danger is not over: another can follow soon, and "
            "naloxone can wear off while fentanyl is still working.")),
    Rule("use-after-abstinence", "urgent", _l("Use after a time without it"),
         _l("Signs of use on one of the last 3 days, after a week that was mostly free of "
            "use or soon after leaving 24/7 care."),
         _l("After days or weeks without opioids the body loses its tolerance. An amount "
            "that once felt ordinary can now stop someone's breathing.")),
    Rule("overdose-history", "more-structure", _l("An overdose in the last 30 days"),
         _l("An overdose happened, or naloxone was given, on one of the last 30 days."),
         _l("Having overdosed recently makes another overdose more likely. It is a common "
            "reason to ask whether the current care gives enough protection.")),
    Rule("use-in-lower-structure", "more-structure", _l("Signs of use outside 24/7 care"),
         _l("Signs of use in the last 14 days while the person is in day treatment, "
            "intensive outpatient, outpatient or recovery support."),
         _l("Outside 24/7 care a person faces cravings and access mostly on their own. "
            "The care team may change the medication, add support, or suggest more structure.")),
    Rule("frequent-use", "more-structure", _l("Signs of use on several days this week"),
         _l("Signs of use on 3 or more of the last 7 days."),
         _l("Use on several days of one week is a pattern rather than a one-time return to use, and "
            "every use of fentanyl carries a risk of overdose.")),
    Rule("withdrawal-severe", "more-structure", _l("Severe withdrawal"),
         _l("Severe withdrawal on one of the last 3 days."),
         _l("Severe withdrawal is hard to get through without medical help, and wanting it "
            "to stop is one of the most common reasons to use again. If it began soon after a "
            "first dose of buprenorphine or naltrexone, or they cannot keep fluids down, call "
            "the prescriber or get medical help now.")),
    Rule("withdrawal-prolonged", "more-structure", _l("Withdrawal that keeps going"),
         _l("Moderate or severe withdrawal on 4 or more of the last 7 days."),
         _l("Withdrawal that drags on wears people down. It can mean the medication or "
            "the care needs adjusting: tell the prescriber.")),
    Rule("cravings-high", "more-structure", _l("Strong cravings on several days"),
         _l("Cravings of 7 or more (out of 10) on 3 or more of the last 5 days."),
         _l("Strong cravings day after day are hard to resist, more so when the drug is "
            "easy to get.")),
    Rule("access-under-stress", "more-structure", _l("Easy access to the drug on a high-stress day"),
         _l("A day in the last 7 with easy access to the drug and stress of 7 or more."),
         _l("High stress and easy access on the same day are a risky mix: the drug is close "
            "just when coping is hardest.")),
    Rule("missed-medication", "more-structure", _l("Missed medication"),
         _l("Medication for opioid use disorder missed on 2 or more of the last 7 days."),
         _l("Medication protects best when it is taken steadily. Missed doses can bring "
            "back cravings and withdrawal and weaken the protection against overdose.")),
    Rule("repeated-relapse", "more-structure", _l("Use again after stopping, more than once"),
         _l("Two or more separate times of use in the last 30 days, with a day without "
            "use between them."),
         _l("Going back to use more than once after stopping can mean they need more "
            "support than they have now, not that they are not trying.")),
    Rule("cravings-rising", "watch", _l("Cravings going up"),
         _l("The average craving of the last 3 days is at least 2 points above the average "
            "of the 7 days before them."),
         _l("Cravings that climb over a few days can come before a return to use. Noticing "
            "it early leaves time to act."),
         _l("Talk about it with the person, keep logging every day, and bring it up with "
            "the care team.")),
    Rule("access-possible", "watch", _l("The drug within reach"),
         _l("Access to the drug possible or easy on 2 or more of the last 7 days."),
         _l("When the drug is within reach, a moment of craving or stress has fewer "
            "barriers on the way to use."),
         _l("See what can be done to put distance between the person and the drug, keep "
            "naloxone at hand, and mention it to the care team.")),
    Rule("stress-high", "watch", _l("High stress on several days"),
         _l("Stress of 7 or more on 3 or more of the last 7 days."),
         _l("Stress that stays high for days drains the energy that coping needs and is a "
            "common trigger for use."),
         _l("Look for ways to take some pressure off, keep logging, and mention it to the "
            "care team.")),
    Rule("recent-step-down", "watch", _l("Recently left 24/7 care"),
         _l("The person left inpatient or residential care within the last 28 days, "
            "whatever levels came after it."),
         _l("The first weeks after leaving 24/7 care are fragile: tolerance is lower and "
            "round-the-clock support is suddenly gone, so overdose risk is at its highest. In a "
            "Norwegian study of people leaving drug-free residential treatment (Ravndal and "
            "Amundsen 2010), the death rate in the first 4 weeks was about 16 times the rate "
            "later on. Medication for opioid use disorder after leaving lowers this risk."),
         _l("Keep naloxone at home and make sure everyone knows where it is, check in every "
            "day, and agree with the care team on when to step back up. Ask the care team "
            "about starting or continuing medication for opioid use disorder, and make sure "
            "a follow-up appointment is booked within days.")),
    Rule("medication-stopped", "watch", _l("Medication for opioid use disorder stopped"),
         _l("Medication for opioid use disorder was stopped within the last 28 days."),
         _l("The first weeks after stopping are dangerous, with a risk of dying several times "
            "higher than while taking it. In a UK study (Cornish, Hickman and colleagues, BMJ "
            "2010), people who had left buprenorphine or methadone treatment were about 8 to 9 "
            "times as likely to die, from any cause, in the first 4 weeks as people still on it. "
            "After naltrexone wears off the body has no tolerance at all, so an amount they "
            "used to take can stop their breathing. Stopping is not a failure, and restarting "
            "is often possible."),
         _l("Call the prescriber about restarting this week, or today if they are using again: "
            "restarting is often possible quickly. Keep naloxone close and make sure everyone "
            "knows where it is, and check in every day.")),
    Rule("checkins-missing", "info", _l("No check-ins for 3 days"),
         _l("None of the last 3 days has a check-in."),
         _l("Warning signs only add up when days are written down; a gap of several days "
            "can hide a change."),
         _l("Add a check-in for today, even a short one with only what you saw.")),
)
RULES_BY_ID = {r.id: r for r in RULES}

CRITERIA = (
    Criterion("withdrawal-controlled",
              _l("Withdrawal is under control: no moderate or severe withdrawal in the last week."),
              _l("withdrawal was moderate or severe in the last 7 days")),
    Criterion("cravings-manageable",
              _l("Cravings are manageable: none of 7 or more in the last week and a low average."),
              _l("cravings were strong in the last 7 days")),
    Criterion("medication-stable",
              _l("Medication is steady: no missed doses and no stop in the last two weeks."),
              _l("medication was missed or stopped in the last 14 days")),
    Criterion("no-recent-use",
              _l("No signs of use in the last two weeks."),
              _l("there were signs of use in the last 14 days")),
    Criterion("safe-environment",
              _l("A safe place to live: the drug is not within easy reach and the home is free of drugs."),
              _l("the drug was within reach or the home is not yet checked free of drugs")),
    Criterion("stress-tolerated",
              _l("Stress can be handled without going back to use."),
              _l("there were signs of use in the last 14 days")),
    Criterion("coping-practiced",
              _l("Coping skills have been used when things got hard, not just learned."),
              _l("coping skills are not yet ticked as practiced")),
    Criterion("medically-stable",
              _l("The care team says the person is medically stable."),
              _l("the care team has not yet said they are medically stable")),
    Criterion("accountability",
              _l("There are people and a check-in plan outside treatment."),
              _l("support and check-ins outside treatment are not yet in place")),
    Criterion("transition-planned",
              _l("The move is planned: medication, first appointment and a warning plan are set."),
              _l("the move is not fully planned yet")),
    Criterion("no-warning-prompts",
              _l("No urgent or more-structure warning sign today."),
              _l("warning prompts hold today")),
)
CRITERIA_BY_ID = {c.id: c for c in CRITERIA}

STATUS_WORDS = {
    "supported": _l("The signs support talking with the care team about stepping down"),
    "not-yet": _l("Not yet, because"),
    "unknown": _l("Not enough check-ins yet to tell"),
}

CARE_TEAM_DECIDES = _l("This app does not decide care: the care team does.")
# The seeds' advice when a family is unsure: an assessment, not assumptions.
# The helpline: samhsa.gov/find-help/national-helpline (free, confidential, 24/7).
START_WITH_ASSESSMENT = _l(
    "When you are unsure, start with an assessment: a clinician decides which level of "
    "care is safest now. Ask the care team for one, or call the SAMHSA National Helpline "
    "(1-800-662-4357, free, 24/7) to find one.")
EMERGENCY_STEPS = _l(
    "If they won't wake up or are not breathing normally: call the emergency number "
    "(911 in the US) on speaker, start chest compressions if they are not breathing "
    "normally or only gasping, and give naloxone as soon as you have it, without "
    "delaying the call or CPR. The goal is normal breathing. Stay with them until help "
    "arrives."
)


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------
class SignalsInputError(ValueError):
    """Invalid input. `field` names the field (None: the object itself)."""

    def __init__(self, field, message, kind=None, value=None, entry=None, entry_field=None):
        self.field = field
        self.message = message
        # What kind of problem, for callers that say it in their own words: "format",
        # "future", "too-old" for a date, "unknown-key"; and the refused value.
        self.kind = kind
        self.value = value
        # For a check-in of the program's input: its place in the list (from 0) and
        # its field (None: the check-in itself).
        self.entry = entry
        self.entry_field = entry_field
        super().__init__(f"{field}: {message}" if field else message)


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _quote(value, limit=40):
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= limit else text[: limit - 4] + '..."'


EARLIEST_TODAY = date(1, 1, 1) + timedelta(days=90)


def parse_date(value, field="date"):
    """A `date` from a date or a YYYY-MM-DD string, else SignalsInputError."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise SignalsInputError(field, "must be a date written YYYY-MM-DD", "format")


def _scale(value, field):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SCALE_MAX:
        raise SignalsInputError(field, f"must be a whole number from 0 to {SCALE_MAX}")
    return value


def _choice(value, field, allowed):
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        words = ", ".join(allowed[:-1]) + " or " + allowed[-1]
        raise SignalsInputError(field, f"must be {words} (or left empty)")
    return value


def _flag(value, field):
    if value is None:
        return False
    if not isinstance(value, bool):
        raise SignalsInputError(field, "must be true or false")
    return value


def validate_checkin(data, today=None, max_days_back=None):
    """A normalized check-in (every field present, date as YYYY-MM-DD) or SignalsInputError.

    `today` (a date) refuses later dates; `max_days_back` (the web forms use 14)
    refuses dates further back.
    """
    if not isinstance(data, dict):
        raise SignalsInputError(None, "a check-in must be an object")
    for key in data:
        if key not in CHECKIN_FIELDS:
            raise SignalsInputError(None, f"unknown field {_quote(key)}")
    if data.get("date") is None:
        raise SignalsInputError("date", "is required (YYYY-MM-DD)")
    day = parse_date(data["date"], "date")
    if today is not None and day > today:
        raise SignalsInputError("date", f"cannot be after today ({today.isoformat()})", "future")
    if today is not None and max_days_back is not None and (today - day).days > max_days_back:
        raise SignalsInputError("date", f"can be at most {max_days_back} days before today", "too-old")
    signs = data.get("withdrawal_signs")
    if signs is None:
        signs = []
    if not isinstance(signs, (list, tuple)):
        raise SignalsInputError("withdrawal_signs", "must be a list of signs")
    for sign in signs:
        if not isinstance(sign, str) or sign not in WITHDRAWAL_SIGNS:
            raise SignalsInputError("withdrawal_signs", f"{_quote(sign)} is not a known sign", value=sign)
    notes = data.get("notes")
    if notes is not None:
        if not isinstance(notes, str):
            raise SignalsInputError("notes", "must be text")
        if CONTROL_CHARACTERS_MULTILINE.search(notes):
            raise SignalsInputError("notes", "must not hold invisible control characters (such as NUL, "
                                             "or marks that reverse the text's direction)")
        if len(notes) > NOTES_MAX:
            raise SignalsInputError("notes", f"must be at most {NOTES_MAX:,} characters", value=notes)
    return {
        "date": day.isoformat(),
        "craving": _scale(data.get("craving"), "craving"),
        "withdrawal": _choice(data.get("withdrawal"), "withdrawal", WITHDRAWAL),
        "withdrawal_signs": [s for s in WITHDRAWAL_SIGNS if s in set(signs)],
        "access": _choice(data.get("access"), "access", ACCESS),
        "stress": _scale(data.get("stress"), "stress"),
        "medication": _choice(data.get("medication"), "medication", MEDICATION),
        "use": _choice(data.get("use"), "use", USE),
        "overdose": _flag(data.get("overdose"), "overdose"),
        "naloxone_given": _flag(data.get("naloxone_given"), "naloxone_given"),
        "notes": notes,
    }


def _level(value, field):
    if value is None:
        return None
    if not isinstance(value, str) or value not in LEVELS:
        raise SignalsInputError(field, "must be one of " + ", ".join(LEVELS) + " (or null)")
    return value


def _ticked(checklist):
    """The set of ticked item ids from a dict id->bool or an iterable of ids."""
    if checklist is None:
        return frozenset()
    if isinstance(checklist, dict):
        for key, value in checklist.items():
            if key not in KNOWN_CHECKLIST_IDS:
                raise SignalsInputError("checklist", f"unknown item {_quote(key)}")
            if not isinstance(value, bool):
                raise SignalsInputError(f"checklist.{key}", "must be true or false")
        return frozenset(k for k, v in checklist.items() if v)
    if isinstance(checklist, str):
        raise SignalsInputError("checklist", "must be an object of item ids to true or false")
    items = frozenset(checklist)
    for key in items:
        if key not in KNOWN_CHECKLIST_IDS:
            raise SignalsInputError("checklist", f"unknown item {_quote(key)}")
    return items


TOP_LEVEL_KEYS = ("today", "level_of_care", "level_since", "previous_level", "left_24_7_on",
                  "medication_stopped_on", "checklist", "checkins")
#: evaluate()'s left_24_7_on when the caller does not know it (older inputs): worked
#: out from the level just before the current one.
FROM_PREVIOUS_LEVEL = object()


def derived_left_24_7_on(level_of_care, level_since, previous_level):
    """What an input without left_24_7_on means: level_since when the level before was
    24/7 care and the level now is below it, else None."""
    if previous_level in TWENTY_FOUR_SEVEN and level_of_care in LOWER_STRUCTURE:
        return level_since
    return None


def _day_not_after(value, field, today):
    if value is None:
        return None
    day = parse_date(value, field)
    if day > today:
        raise SignalsInputError(field, f"cannot be after today ({today.isoformat()})")
    return day


def parse_input(obj):
    """Keyword arguments for evaluate() from the program's JSON input, or SignalsInputError.

    The first problem found is reported; for a check-in the field is prefixed
    with its place, e.g. "checkins[3].craving".
    """
    if not isinstance(obj, dict):
        raise SignalsInputError("input", "must be a JSON object")
    for key in obj:
        if key not in TOP_LEVEL_KEYS:
            raise SignalsInputError("input", f"unknown key {_quote(key)}", "unknown-key", key)
    if obj.get("today") is None:
        raise SignalsInputError("today", "is required (YYYY-MM-DD)")
    today = parse_date(obj["today"], "today")
    if today < EARLIEST_TODAY:
        # The windows look back up to 30 days (and 27 more before a use day): the
        # calendar has to reach that far back.
        raise SignalsInputError("today", f"must be {EARLIEST_TODAY.isoformat()} or later")
    level = _level(obj.get("level_of_care"), "level_of_care")
    since = _day_not_after(obj.get("level_since"), "level_since", today)
    previous = _level(obj.get("previous_level"), "previous_level")
    if "left_24_7_on" in obj:
        left = _day_not_after(obj["left_24_7_on"], "left_24_7_on", today)
        if left is not None and since is not None and left > since:
            raise SignalsInputError("left_24_7_on", f"cannot be after level_since ({since.isoformat()})")
    else:
        left = derived_left_24_7_on(level, since, previous)
    stopped = _day_not_after(obj.get("medication_stopped_on"), "medication_stopped_on", today)
    checklist = obj.get("checklist")
    if checklist is not None and not isinstance(checklist, dict):
        raise SignalsInputError("checklist", "must be an object of item ids to true or false")
    ticked = _ticked(checklist)
    if "checkins" not in obj:
        raise SignalsInputError("checkins", "is required (it may be an empty list)")
    raw = obj["checkins"]
    if not isinstance(raw, list):
        raise SignalsInputError("checkins", "must be a list")
    checkins = []
    for i, item in enumerate(raw):
        try:
            checkins.append(validate_checkin(item, today))
        except SignalsInputError as e:
            where = f"checkins[{i}]" + (f".{e.field}" if e.field else "")
            raise SignalsInputError(where, e.message, e.kind, e.value, i, e.field) from None
    return {
        "today": today,
        "checkins": checkins,
        "level_of_care": level,
        "level_since": since,
        "previous_level": previous,
        "left_24_7_on": left,
        "medication_stopped_on": stopped,
        "checklist": ticked,
    }


# ---------------------------------------------------------------------------
# One day, many check-ins
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DayValues:
    """The most concerning value of each field on one logged day."""
    day: date
    checkins: int = 0
    craving: int | None = None
    withdrawal: str | None = None
    withdrawal_signs: tuple = ()
    access: str | None = None
    stress: int | None = None
    medication: str | None = None
    use: str | None = None
    overdose: bool = False
    naloxone_given: bool = False


def _worst(values, rank=None):
    present = [v for v in values if v is not None]
    if not present:
        return None
    return max(present, key=rank.__getitem__) if rank else max(present)


def aggregate_days(checkins):
    """{date: DayValues} for every logged day, combining that day's check-ins."""
    by_day = {}
    for c in checkins:
        by_day.setdefault(parse_date(c["date"]), []).append(c)
    days = {}
    for day, group in by_day.items():
        signs = set()
        for c in group:
            signs.update(c.get("withdrawal_signs") or ())
        days[day] = DayValues(
            day=day,
            checkins=len(group),
            craving=_worst(c.get("craving") for c in group),
            withdrawal=_worst((c.get("withdrawal") for c in group), CONCERN["withdrawal"]),
            withdrawal_signs=tuple(s for s in WITHDRAWAL_SIGNS if s in signs),
            access=_worst((c.get("access") for c in group), CONCERN["access"]),
            stress=_worst(c.get("stress") for c in group),
            medication=_worst((c.get("medication") for c in group), CONCERN["medication"]),
            use=_worst((c.get("use") for c in group), CONCERN["use"]),
            overdose=any(bool(c.get("overdose")) for c in group),
            naloxone_given=any(bool(c.get("naloxone_given")) for c in group),
        )
    return days


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------
def join_words(items, last="and"):
    """'a, b and c' (or 'a, b or c' with last="or"), in the reader's language."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    values = {"items": ", ".join(items[:-1]), "last": items[-1]}
    if last == "and":
        # TRANSLATORS: the end of a list: "Mon 2 Nov, Tue 3 Nov and Wed 4 Nov".
        return gettext("%(items)s and %(last)s", **values)
    if last == "or":
        # TRANSLATORS: the end of a list of choices: "Mon 2 Nov, Tue 3 Nov or Wed 4 Nov".
        return gettext("%(items)s or %(last)s", **values)
    return f"{values['items']} {last} {values['last']}"


def pgettext(context, text):
    """`text` in the reader's language, told apart by `context` (a short word has many senses)."""
    return words.catalog().pgettext(context, text)


def _value_word(field, value):
    """A check-in value as the rules' sentences say it ("Use suspected on ...")."""
    if field == "use":
        return {"suspected": pgettext("use", "suspected"),
                "confirmed": pgettext("use", "confirmed")}.get(value, value)
    if field == "withdrawal":  # the rules name only these two
        return {"moderate": pgettext("withdrawal", "moderate"),
                "severe": pgettext("withdrawal", "severe")}.get(value, value)
    if field == "medication":
        return {"missed": pgettext("medication", "missed")}.get(value, value)
    if field == "access":
        return {"possible": pgettext("access", "possible"),
                "easy": pgettext("access", "easy")}.get(value, value)
    return value


RUN_MIN = 3  # this many consecutive days with one value read "each day from ... to ..."


def _values_on(pairs, field=None):
    """[(day, value)] oldest first, in words (the values of `field` in the reader's language).

    '8 on Nov 18, 9 on Nov 19 and 7 on Nov 20'; one value on every day reads
    '8 on Nov 18 and Nov 19'; a run of days with one value reads
    '9 each day from Nov 14 to Nov 20'.
    """
    runs = []  # [value, [days]] of consecutive days with the same value
    for d, v in pairs:
        if runs and runs[-1][0] == v and runs[-1][1][-1] == d - timedelta(days=1):
            runs[-1][1].append(d)
        else:
            runs.append([v, [d]])
    segments = []  # (value, "on" | "range", days)
    for v, ds in runs:
        if len(ds) >= RUN_MIN:
            segments.append((v, "range", [ds[0], ds[-1]]))
        else:
            segments.extend((v, "on", [d]) for d in ds)
    one_value = len({v for v, _, _ in segments}) == 1
    parts = []
    for v, kind, ds in segments:
        if one_value and kind == "on" and parts and parts[-1][0] == "on":
            parts[-1][1].extend(ds)
        else:
            parts.append([kind, ds, v])
    out = []
    for i, (kind, ds, v) in enumerate(parts):
        value = _value_word(field, v)
        with_value = i == 0 or not one_value
        if kind == "on":
            days = join_words(day_words(d) for d in ds)
            out.append(gettext("%(value)s on %(days)s", value=value, days=days) if with_value
                       else gettext("on %(days)s", days=days))
        else:
            first, last = day_words(ds[0]), day_words(ds[-1])
            out.append(gettext("%(value)s each day from %(first)s to %(last)s",
                               value=value, first=first, last=last) if with_value
                       else gettext("each day from %(first)s to %(last)s", first=first, last=last))
    return join_words(out)


def _number(f):
    """An exact mean in words: '4', '4.5', 'about 4.3'."""
    f = Fraction(f)
    if f.denominator == 1:
        return str(f.numerator)
    shown = round(f, 1)
    text = f"{float(shown):.1f}"
    # TRANSLATORS: a rounded average, "about 4.3".
    return text if shown == f else gettext("about %(number)s", number=text)


def _level_name(level):
    return LEVEL_NAMES.get(level, _l("an unknown level"))


def _capital(text):
    """The first letter in capitals: a phrase made into a sentence."""
    return text[:1].upper() + text[1:]


def _quoted(label):
    # TRANSLATORS: a checklist item's name quoted in a sentence; use your language's quotes.
    return gettext('"%(item)s"', item=label)


# ---------------------------------------------------------------------------
# Prompt rules
# ---------------------------------------------------------------------------
def last_days(today, n):
    """Today and the n-1 calendar days before it, oldest first."""
    return [today - timedelta(days=i) for i in range(n - 1, -1, -1)]


class _Days:
    """Lookup helpers over the aggregated days."""

    def __init__(self, days):
        self.days = days

    def get(self, d):
        return self.days.get(d)

    def values(self, window, field):
        """[(day, value)] for the days of the window with a value, oldest first."""
        out = []
        for d in window:
            dv = self.days.get(d)
            if dv is not None and getattr(dv, field) is not None:
                out.append((d, getattr(dv, field)))
        return out

    def matching(self, window, test):
        return [d for d in window if d in self.days and test(self.days[d])]


def _is_use(dv):
    return dv.use in USE_SIGNS


def _overdose_words(days, found):
    parts = []
    for d in found:
        dv = days.get(d)
        if dv.overdose and dv.naloxone_given:
            parts.append(gettext("an overdose with naloxone given on %(day)s", day=day_words(d)))
        elif dv.overdose:
            parts.append(gettext("an overdose on %(day)s", day=day_words(d)))
        else:
            parts.append(gettext("naloxone given on %(day)s", day=day_words(d)))
    return join_words(parts)


def _overdose_rule(rule_id):
    def rule(ctx):
        n = THRESHOLDS[rule_id]["days"]
        found = ctx.days.matching(last_days(ctx.today, n), lambda dv: dv.overdose or dv.naloxone_given)
        if not found:
            return None
        why = gettext("In the last %(days)d days, check-ins report %(events)s.",
                      days=n, events=_overdose_words(ctx.days, found))
        return found, why
    return rule


def _use_after_abstinence(ctx):
    t = THRESHOLDS["use-after-abstinence"]
    after_break, after_leaving = [], []
    left = ctx.below_24_7_since()
    for d in last_days(ctx.today, t["days"]):
        dv = ctx.days.get(d)
        if dv is None or not _is_use(dv):
            continue
        before = [ctx.days.get(d - timedelta(days=k)) for k in range(t["before_days"], 0, -1)]
        none_days = sum(1 for b in before if b is not None and b.use == "none")
        use_before = any(b is not None and _is_use(b) for b in before)
        abstinent = none_days >= t["min_none_days"] and not use_before
        since_ok = left is not None and (d - timedelta(days=t["since_days"] - 1)) <= left <= d
        if abstinent:
            after_break.append((d, dv.use))
        if since_ok:
            after_leaving.append((d, dv.use))
    if not (after_break or after_leaving):
        return None
    reasons = []
    if after_break:
        reasons.append(gettext(
            "Use %(values)s, after at least %(none_days)d days noted without use, and none with "
            "use, in the %(before_days)d days before.", values=_values_on(after_break, "use"),
            none_days=t["min_none_days"], before_days=t["before_days"]))
    if after_leaving:
        reasons.append(gettext("Use %(values)s, after %(path)s.",
                               values=_values_on(after_leaving, "use"), path=_path_words(ctx)))
    reasons.append(gettext("Tolerance is lower after time without use, so overdose risk is high."))
    return sorted({d for d, _ in after_break + after_leaving}), " ".join(reasons)


def _use_in_lower_structure(ctx):
    if ctx.level_of_care not in LOWER_STRUCTURE:
        return None
    n = THRESHOLDS["use-in-lower-structure"]["days"]
    pairs = [(d, v) for d, v in ctx.days.values(last_days(ctx.today, n), "use") if v in USE_SIGNS]
    if not pairs:
        return None
    # "now": the level may have changed since the use (the day's level is not known).
    why = gettext("Use %(values)s, in the last %(days)d days; the level of care now is %(level)s.",
                  values=_values_on(pairs, "use"), days=n, level=_level_name(ctx.level_of_care))
    return [d for d, _ in pairs], why


def _count_rule(rule_id, field, test, sentence):
    """Holds when `test(value)` is true on at least `min_days` of the last `days`;
    `sentence(values, count, thresholds)` says what was seen."""
    def rule(ctx):
        t = THRESHOLDS[rule_id]
        pairs = [(d, v) for d, v in ctx.days.values(last_days(ctx.today, t["days"]), field) if test(v, t)]
        if len(pairs) < t.get("min_days", 1):
            return None
        return [d for d, _ in pairs], sentence(_values_on(pairs, field), len(pairs), t)
    return rule


def _access_under_stress(ctx):
    t = THRESHOLDS["access-under-stress"]
    found = ctx.days.matching(
        last_days(ctx.today, t["days"]),
        lambda dv: dv.access == "easy" and dv.stress is not None and dv.stress >= t["stress"])
    if not found:
        return None
    pairs = [(d, ctx.days.get(d).stress) for d in found]
    why = gettext("Easy access to the drug on a day with stress %(values)s (in the last %(days)d days).",
                  values=_values_on(pairs), days=t["days"])
    return found, why


def _repeated_relapse(ctx):
    t = THRESHOLDS["repeated-relapse"]
    episodes, current = [], None
    for d, v in ctx.days.values(last_days(ctx.today, t["days"]), "use"):
        if v in USE_SIGNS:
            if current is None:
                current = []
                episodes.append(current)
            current.append(d)
        else:  # a day with use "none" ends an episode; missing or null days do not
            current = None
    if len(episodes) < t["min_episodes"]:
        return None
    spans = []
    for ep in episodes:
        spans.append(day_words(ep[0]) if len(ep) == 1
                     else gettext("%(first)s to %(last)s", first=day_words(ep[0]), last=day_words(ep[-1])))
    # At least min_episodes (2): always the plural.
    why = gettext("%(num)d separate times of use in the last %(days)d days, with days without use "
                  "between them: %(spans)s.", num=len(episodes), days=t["days"], spans=join_words(spans))
    return [d for ep in episodes for d in ep], why


def _cravings_rising(ctx):
    t = THRESHOLDS["cravings-rising"]
    recent = ctx.days.values(last_days(ctx.today, t["days"]), "craving")
    start = ctx.today - timedelta(days=t["days"])
    before = ctx.days.values(last_days(start, t["before_days"]), "craving")
    if len(recent) < t["min_values"] or len(before) < t["min_values"]:
        return None
    mean_recent = Fraction(sum(v for _, v in recent), len(recent))
    mean_before = Fraction(sum(v for _, v in before), len(before))
    if mean_recent - mean_before < t["min_rise"]:
        return None
    why = gettext("Craving %(values)s: an average of %(recent)s over the last %(days)d days, against "
                  "%(before)s over the %(before_days)d days before them.",
                  values=_values_on(recent), recent=_number(mean_recent), days=t["days"],
                  before=_number(mean_before), before_days=t["before_days"])
    return [d for d, _ in recent], why


def _ago(today, day):
    gap = (today - day).days
    if gap == 0:
        return gettext("today")
    if gap == 1:
        return gettext("yesterday")
    return ngettext("%(num)d day ago", "%(num)d days ago", gap)


# Whole phrases per level: level names differ in gender in other languages, so a phrase
# is never made by putting a level's name in a sentence ("{name} care").
def _left_words(stay, day, ago):
    if stay == "inpatient":
        return gettext("leaving inpatient care on %(day)s (%(ago)s)", day=day, ago=ago)
    if stay == "residential":
        return gettext("leaving residential care on %(day)s (%(ago)s)", day=day, ago=ago)
    return gettext("leaving 24/7 care on %(day)s (%(ago)s)", day=day, ago=ago)


def _since_words(level, day):
    """'intensive outpatient since Tue 10 Nov': the level now, mid-sentence."""
    if level == "php":
        return gettext("partial hospitalization (day treatment) since %(day)s", day=day)
    if level == "iop":
        return gettext("intensive outpatient since %(day)s", day=day)
    if level == "outpatient":
        return gettext("outpatient since %(day)s", day=day)
    if level == "recovery-support":
        return gettext("recovery support since %(day)s", day=day)
    if level == "inpatient":
        return gettext("inpatient since %(day)s", day=day)
    if level == "residential":
        return gettext("residential since %(day)s", day=day)
    return gettext("an unknown level since %(day)s", day=day)


def _path_words(ctx):
    """The way down from 24/7 care in words: 'leaving inpatient care on Mon 2 Nov (18 days
    ago); intensive outpatient since Tue 10 Nov'."""
    left = ctx.left_24_7_on
    stay = (ctx.previous_level
            if ctx.previous_level in TWENTY_FOUR_SEVEN and ctx.level_since == left else None)
    text = _left_words(stay, day_words(left), _ago(ctx.today, left))
    if ctx.level_since is not None and ctx.level_since != left:
        # TRANSLATORS: how the person left 24/7 care, then the level they are at now.
        text = gettext("%(left)s; %(now)s", left=text, now=_since_words(ctx.level_of_care,
                                                                      day_words(ctx.level_since)))
    return text


def _recent_step_down(ctx):
    t = THRESHOLDS["recent-step-down"]
    left = ctx.below_24_7_since()
    if left is None or not 0 <= (ctx.today - left).days < t["days"]:
        return None
    return [left], _capital(gettext("%(path)s, within the last %(days)d days.",
                                    path=_path_words(ctx), days=t["days"]))


def _medication_stopped(ctx):
    t = THRESHOLDS["medication-stopped"]
    stopped = ctx.medication_stopped_on
    if stopped is None or not 0 <= (ctx.today - stopped).days < t["days"]:
        return None
    return [stopped], gettext(
        "Medication for opioid use disorder stopped on %(day)s (%(ago)s), within the last %(days)d days.",
        day=day_words(stopped), ago=_ago(ctx.today, stopped), days=t["days"])


def _checkins_missing(ctx):
    window = last_days(ctx.today, THRESHOLDS["checkins-missing"]["days"])
    if any(d in ctx.days.days for d in window):
        return None
    return [], gettext("No check-in on %(days)s.", days=join_words([day_words(d) for d in window], "or"))


def _atleast(key):
    return lambda v, t: v >= t[key]


_RULE_CHECKS = {
    "overdose-recent": _overdose_rule("overdose-recent"),
    "use-after-abstinence": _use_after_abstinence,
    "overdose-history": _overdose_rule("overdose-history"),
    "use-in-lower-structure": _use_in_lower_structure,
    "frequent-use": _count_rule(
        "frequent-use", "use", lambda v, t: v in USE_SIGNS,
        lambda values, n, t: gettext("Use %(values)s (%(num)d of the last %(days)d days).",
                                     values=values, num=n, days=t["days"])),
    "withdrawal-severe": _count_rule(
        "withdrawal-severe", "withdrawal", lambda v, t: v == "severe",
        lambda values, n, t: gettext("Withdrawal %(values)s (in the last %(days)d days).",
                                     values=values, days=t["days"])),
    "withdrawal-prolonged": _count_rule(
        "withdrawal-prolonged", "withdrawal", lambda v, t: v in ("moderate", "severe"),
        lambda values, n, t: gettext(
            "Withdrawal %(values)s (moderate or severe on %(num)d of the last %(days)d days).",
            values=values, num=n, days=t["days"])),
    "cravings-high": _count_rule(
        "cravings-high", "craving", _atleast("craving"),
        lambda values, n, t: gettext(
            "Craving %(values)s (%(craving)d or more out of 10 on %(num)d of the last %(days)d days).",
            values=values, craving=t["craving"], num=n, days=t["days"])),
    "access-under-stress": _access_under_stress,
    "missed-medication": _count_rule(
        "missed-medication", "medication", lambda v, t: v == "missed",
        lambda values, n, t: gettext("Medication %(values)s (%(num)d of the last %(days)d days).",
                                     values=values, num=n, days=t["days"])),
    "repeated-relapse": _repeated_relapse,
    "cravings-rising": _cravings_rising,
    "access-possible": _count_rule(
        "access-possible", "access", lambda v, t: v in ("possible", "easy"),
        lambda values, n, t: gettext("Access to the drug %(values)s (%(num)d of the last %(days)d days).",
                                     values=values, num=n, days=t["days"])),
    "stress-high": _count_rule(
        "stress-high", "stress", _atleast("stress"),
        lambda values, n, t: gettext(
            "Stress %(values)s (%(stress)d or more out of 10 on %(num)d of the last %(days)d days).",
            values=values, stress=t["stress"], num=n, days=t["days"])),
    "recent-step-down": _recent_step_down,
    "medication-stopped": _medication_stopped,
    "checkins-missing": _checkins_missing,
}


def _such_as(level):
    """A level named after "such as", mid-sentence (an article first where a language needs one)."""
    return {
        "inpatient": pgettext("such as", "inpatient"),
        "residential": pgettext("such as", "residential"),
        "php": pgettext("such as", "partial hospitalization (day treatment)"),
        "iop": pgettext("such as", "intensive outpatient"),
        "outpatient": pgettext("such as", "outpatient"),
        "recovery-support": pgettext("such as", "recovery support"),
    }[level]


def _structure_sentence(level):
    if level == "inpatient":
        return gettext("Review the treatment plan with the care team today and tell them what you "
                       "have seen.")
    names = [_such_as(s) for s in SUGGESTED_LEVELS.get(level, ())]
    if names:
        return gettext("Talk with the care team today about whether a level of care with more "
                       "structure is safer now, such as %(levels)s.", levels=join_words(names, "or"))
    return gettext("Talk with the care team today about whether a level of care with more "
                   "structure is safer now.")


def urgent_follow_up(level_of_care):
    """What to do for an urgent prompt once the emergency steps are taken care of."""
    return " ".join([gettext("If they were not checked at a hospital, get them seen today, at an "
                             "emergency department or urgent care. Replace any naloxone you used: "
                             "pharmacies sell it without a prescription. In the days after, stay "
                             "close, keep naloxone at hand, and make sure a medical follow-up "
                             "happens within days."),
                     _structure_sentence(level_of_care),
                     gettext("Ask the care team or prescriber about starting or continuing "
                             "medication for opioid use disorder (buprenorphine or methadone) now, "
                             "which lowers the risk of dying from an overdose; an emergency "
                             "department can often start buprenorphine."),
                     str(CARE_TEAM_DECIDES)])


def action_words(rule, level_of_care):
    """What to do, for a prompt of `rule` at the current level of care."""
    if rule.level == "urgent":
        return f"{EMERGENCY_STEPS} {urgent_follow_up(level_of_care)}"
    if rule.level == "more-structure":
        parts = [_structure_sentence(level_of_care), START_WITH_ASSESSMENT]
    else:
        parts = [rule.todo]
    parts.append(CARE_TEAM_DECIDES)
    return " ".join(str(p) for p in parts)


class _Context:
    def __init__(self, today, days, level_of_care, level_since, previous_level, left_24_7_on,
                 medication_stopped_on):
        self.today = today
        self.days = _Days(days)
        self.level_of_care = level_of_care
        self.level_since = level_since
        self.previous_level = previous_level
        self.left_24_7_on = left_24_7_on
        self.medication_stopped_on = medication_stopped_on

    def below_24_7_since(self):
        """The day the person left 24/7 care, when the level now is below it; else None."""
        return self.left_24_7_on if self.level_of_care in LOWER_STRUCTURE else None


def evaluate_prompts(ctx):
    prompts = []
    for rule in RULES:
        result = _RULE_CHECKS[rule.id](ctx)
        if result is None:
            continue
        evidence, why = result
        suggested = (list(SUGGESTED_LEVELS.get(ctx.level_of_care, ()))
                     if rule.level in ("urgent", "more-structure") else [])
        prompts.append({
            "rule": rule.id,
            "level": rule.level,
            "title": str(rule.title),
            "why": why,
            "action": action_words(rule, ctx.level_of_care),
            "evidence": [d.isoformat() for d in sorted(evidence)],
            "suggested_levels": suggested,
        })
    prompts.sort(key=lambda p: (PROMPT_LEVELS.index(p["level"]), p["rule"]))
    return prompts


# ---------------------------------------------------------------------------
# Step-down readiness
# ---------------------------------------------------------------------------
def _need(have, need, n, what):
    """'Only 3 of the last 7 days have a craving value; at least 5 are needed to tell.'"""
    v = {"days": n, "need": need}
    # The English is the same for one and many; other languages may need the forms.
    if what == "withdrawal":
        return ngettext("Only %(num)d of the last %(days)d days have a withdrawal value; at least "
                        "%(need)d are needed to tell.",
                        "Only %(num)d of the last %(days)d days have a withdrawal value; at least "
                        "%(need)d are needed to tell.", have, **v)
    if what == "craving":
        return ngettext("Only %(num)d of the last %(days)d days have a craving value; at least "
                        "%(need)d are needed to tell.",
                        "Only %(num)d of the last %(days)d days have a craving value; at least "
                        "%(need)d are needed to tell.", have, **v)
    if what == "medication":
        return ngettext("Only %(num)d of the last %(days)d days have a medication value; at least "
                        "%(need)d are needed to tell.",
                        "Only %(num)d of the last %(days)d days have a medication value; at least "
                        "%(need)d are needed to tell.", have, **v)
    if what == "use":
        return ngettext("Only %(num)d of the last %(days)d days are noted as free of use; at least "
                        "%(need)d are needed to tell.",
                        "Only %(num)d of the last %(days)d days are noted as free of use; at least "
                        "%(need)d are needed to tell.", have, **v)
    return ngettext("Only %(num)d of the last %(days)d days have an access value; at least "
                    "%(need)d are needed to tell.",
                    "Only %(num)d of the last %(days)d days have an access value; at least "
                    "%(need)d are needed to tell.", have, **v)


class _ChecklistOnly(str):
    """A criterion's why that names only a checklist item nobody ticked: a flag the
    status words read, whatever the language the why is written in."""


def _home_unticked(alone=True):
    text = gettext("the checklist item %(item)s is not ticked",
                   item=_quoted(CHECKLIST_LABELS["home-substance-free"]))
    return _ChecklistOnly(_capital(text) + ".") if alone else text


def _c_withdrawal(ctx, ticked, prompts):
    t = THRESHOLDS["withdrawal-controlled"]
    pairs = ctx.days.values(last_days(ctx.today, t["days"]), "withdrawal")
    bad = [(d, v) for d, v in pairs if v in ("moderate", "severe")]
    if bad:
        return "unmet", gettext("Withdrawal %(values)s (in the last %(days)d days).",
                                values=_values_on(bad, "withdrawal"), days=t["days"])
    if len(pairs) >= t["min_values"]:
        return "met", gettext("No moderate or severe withdrawal on the %(num)d of the last %(days)d "
                              "days with a withdrawal value.", num=len(pairs), days=t["days"])
    return "unknown", _need(len(pairs), t["min_values"], t["days"], "withdrawal")


def _c_cravings(ctx, ticked, prompts):
    t = THRESHOLDS["cravings-manageable"]
    pairs = ctx.days.values(last_days(ctx.today, t["days"]), "craving")
    high = [(d, v) for d, v in pairs if v >= t["craving"]]
    if high:
        return "unmet", gettext("Craving %(values)s: %(craving)d or more in the last %(days)d days.",
                                values=_values_on(high), craving=t["craving"], days=t["days"])
    mean = Fraction(sum(v for _, v in pairs), len(pairs)) if pairs else None
    if len(pairs) >= t["min_values"]:
        v = {"mean": _number(mean), "num": len(pairs), "days": t["days"]}
        if mean > t["max_mean"]:
            return "unmet", gettext("Average craving %(mean)s over %(num)d of the last %(days)d days, "
                                    "above %(max)d.", max=t["max_mean"], **v)
        return "met", gettext("Average craving %(mean)s over %(num)d of the last %(days)d days, "
                              "and none %(craving)d or more.", craving=t["craving"], **v)
    return "unknown", _need(len(pairs), t["min_values"], t["days"], "craving")


def _c_medication(ctx, ticked, prompts):
    t = THRESHOLDS["medication-stable"]
    window = last_days(ctx.today, t["days"])
    pairs = ctx.days.values(window, "medication")
    missed = [d for d, v in pairs if v == "missed"]
    problems = []
    if missed:
        problems.append(gettext("medication missed on %(days)s",
                                days=join_words(day_words(d) for d in missed)))
    if ctx.medication_stopped_on in window:
        problems.append(gettext("medication stopped on %(day)s", day=day_words(ctx.medication_stopped_on)))
    if problems:
        return "unmet", _capital(gettext("%(problems)s (in the last %(days)d days).",
                                         problems=join_words(problems), days=t["days"]))
    if len(pairs) >= t["min_values"]:
        return "met", gettext("Medication noted on %(num)d of the last %(days)d days and never missed.",
                              num=len(pairs), days=t["days"])
    return "unknown", _need(len(pairs), t["min_values"], t["days"], "medication")


def _c_no_use(ctx, ticked, prompts):
    t = THRESHOLDS["no-recent-use"]
    pairs = ctx.days.values(last_days(ctx.today, t["days"]), "use")
    used = [(d, v) for d, v in pairs if v in USE_SIGNS]
    if used:
        return "unmet", gettext("Use %(values)s (in the last %(days)d days).",
                                values=_values_on(used, "use"), days=t["days"])
    clean = sum(1 for _, v in pairs if v == "none")
    if clean >= t["min_none_days"]:
        return "met", gettext("No use noted on %(num)d of the last %(days)d days, and no signs of use.",
                              num=clean, days=t["days"])
    return "unknown", _need(clean, t["min_none_days"], t["days"], "use")


def _c_environment(ctx, ticked, prompts):
    t = THRESHOLDS["safe-environment"]
    pairs = ctx.days.values(last_days(ctx.today, t["days"]), "access")
    easy = [d for d, v in pairs if v == "easy"]
    possible = [d for d, v in pairs if v == "possible"]
    problems = []
    if easy:
        problems.append(gettext("easy access to the drug on %(days)s",
                                days=join_words(day_words(d) for d in easy)))
    if len(possible) >= t["possible_days"]:
        problems.append(gettext("access possible on %(num)d of the last %(days)d days",
                                num=len(possible), days=t["days"]))
    if "home-substance-free" not in ticked:
        if not problems:
            return "unmet", _home_unticked()
        problems.append(_home_unticked(alone=False))
    if problems:
        return "unmet", _capital(join_words(problems)) + "."
    if len(pairs) >= t["min_values"]:
        return "met", gettext("Access noted on %(num)d of the last %(days)d days, never easy and "
                              "possible on %(possible)d; the home is checked free of drugs.",
                              num=len(pairs), days=t["days"], possible=len(possible))
    return "unknown", _need(len(pairs), t["min_values"], t["days"], "access")


def _c_stress(ctx, ticked, prompts):
    t = THRESHOLDS["stress-tolerated"]
    window = last_days(ctx.today, t["days"])
    used = [(d, v) for d, v in ctx.days.values(window, "use") if v in USE_SIGNS]
    if used:
        return "unmet", gettext("Use %(values)s (in the last %(days)d days).",
                                values=_values_on(used, "use"), days=t["days"])
    item = _quoted(CHECKLIST_LABELS["stress-handled"])
    if "stress-handled" in ticked:
        return "met", gettext("The checklist item %(item)s is ticked.", item=item)
    calm = ctx.days.matching(
        window, lambda dv: dv.stress is not None and dv.stress >= t["stress"] and dv.use == "none")
    if calm:
        pairs = [(d, ctx.days.get(d).stress) for d in calm]
        return "met", gettext("Stress %(values)s with no use on the same day.", values=_values_on(pairs))
    return "unknown", gettext("No day in the last %(days)d days with stress of %(stress)d or more and "
                              "no use, and the checklist item %(item)s is not ticked.",
                              days=t["days"], stress=t["stress"], item=item)


def _c_items(criterion_id, items):
    def check(ctx, ticked, prompts):
        missing = [i for i in items if i not in ticked]
        shown = missing or items
        labels = join_words(_quoted(CHECKLIST_LABELS[i]) for i in shown)
        if missing:
            return "unmet", ngettext("The checklist item %(items)s is not ticked yet.",
                                     "The checklist items %(items)s are not ticked yet.",
                                     len(shown), items=labels)
        return "met", ngettext("The checklist item %(items)s is ticked.",
                               "The checklist items %(items)s are ticked.", len(shown), items=labels)
    return check


KIND_WORDS = {"urgent": _l("urgent"), "more-structure": _l("consider more structure")}


def _c_prompts(ctx, ticked, prompts):
    warnings = [p for p in prompts if p["level"] in KIND_WORDS]
    if warnings:
        # TRANSLATORS: a prompt's title, then its kind: "Severe withdrawal (consider more structure)".
        names = join_words(gettext("%(title)s (%(kind)s)", title=p["title"], kind=KIND_WORDS[p["level"]])
                           for p in warnings)
        return "unmet", gettext("Warning signs today: %(names)s.", names=names)
    return "met", gettext("No urgent or more-structure warning sign today.")


_CRITERION_CHECKS = {
    "withdrawal-controlled": _c_withdrawal,
    "cravings-manageable": _c_cravings,
    "medication-stable": _c_medication,
    "no-recent-use": _c_no_use,
    "safe-environment": _c_environment,
    "stress-tolerated": _c_stress,
    "coping-practiced": _c_items("coping-practiced", ("coping-practiced",)),
    "medically-stable": _c_items("medically-stable", ("medically-stable",)),
    "accountability": _c_items("accountability", ("accountability",)),
    "transition-planned": _c_items(
        "transition-planned", ("medication-plan", "next-appointment", "warning-plan")),
    "no-warning-prompts": _c_prompts,
}


def evaluate_step_down(ctx, ticked, prompts):
    criteria = []
    for c in CRITERIA:
        status, why = _CRITERION_CHECKS[c.id](ctx, ticked, prompts)
        criteria.append({"id": c.id, "status": status, "why": why})
    statuses = {c["status"] for c in criteria}
    overall = "not-yet" if "unmet" in statuses else ("unknown" if "unknown" in statuses else "supported")
    return {"status": overall, "criteria": criteria}


# When only its checklist item stops `safe-environment`, the reason says so, rather
# than suggesting the drug was within reach when no one saw that.
CHECKLIST_ONLY_BECAUSE = {"safe-environment": _l("the home is not yet checked free of drugs")}
MAX_REASONS = 3  # the overall line stays one short sentence; every criterion is listed below it


def _checklist_only(criterion):
    """The criterion is unmet only because a checklist item is not ticked (a flag, not words)."""
    # The flag is lost when the result went through JSON: then the why is the same
    # sentence, in the language of the moment.
    why = criterion["why"]
    return criterion["id"] in CHECKLIST_CRITERIA or (
        criterion["id"] in CHECKLIST_ONLY_BECAUSE
        and (isinstance(why, _ChecklistOnly) or why == _home_unticked()))


def _because(criterion):
    special = CHECKLIST_ONLY_BECAUSE.get(criterion["id"])
    if special and _checklist_only(criterion):
        return str(special)
    return str(CRITERIA_BY_ID[criterion["id"]].because)


CHECKLIST_CRITERIA = ("coping-practiced", "medically-stable", "accountability", "transition-planned")
CRITERION_STATUS_WORDS = {"met": _l("Met"), "unmet": _l("Not yet"),
                          "unknown": _l("The check-ins don't show this yet")}


def criterion_words(criterion):
    """A criterion's status in words that say only what is known: an item nobody
    ticked is "Not ticked yet", not a verdict about the person."""
    if criterion["status"] == "unmet" and _checklist_only(criterion):
        return gettext("Not ticked yet")
    return str(CRITERION_STATUS_WORDS[criterion["status"]])


def status_words(step_down):
    """The overall step-down wording; never a bare verdict of readiness."""
    status = step_down["status"]
    if status != "not-yet":
        return str(STATUS_WORDS[status])
    reasons = []
    for c in step_down["criteria"]:
        if c["status"] == "unmet" and _because(c) not in reasons:
            reasons.append(_because(c))
    shown = reasons[:MAX_REASONS]
    if len(reasons) > MAX_REASONS:
        more = len(reasons) - MAX_REASONS
        shown.append(ngettext("%(num)d more reason listed below", "%(num)d more reasons listed below", more))
    # TRANSLATORS: the start is the same words as "Not yet, because" on its own.
    return gettext("Not yet, because %(reasons)s", reasons=join_words(shown))


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------
def evaluate(today, checkins, level_of_care=None, level_since=None, previous_level=None,
             checklist=None, left_24_7_on=FROM_PREVIOUS_LEVEL, medication_stopped_on=None):
    """{"prompts": [...], "step_down": {"status", "criteria"}} for `today`.

    `checkins` are normalized check-ins (see validate_checkin); their dates may be
    `date` objects or YYYY-MM-DD strings, and check-ins after `today` are ignored.
    `checklist` is a dict id -> bool or a set of ticked ids. `left_24_7_on` (the first
    day below 24/7 care after the latest inpatient or residential stay) is worked out
    from the previous level when not given; `medication_stopped_on` is the first day
    without medication for opioid use disorder after it was stopped.
    """
    today = parse_date(today, "today")
    level_of_care = _level(level_of_care, "level_of_care")
    previous_level = _level(previous_level, "previous_level")
    if level_since is not None:
        level_since = parse_date(level_since, "level_since")
    if left_24_7_on is FROM_PREVIOUS_LEVEL:
        left_24_7_on = derived_left_24_7_on(level_of_care, level_since, previous_level)
    elif left_24_7_on is not None:
        left_24_7_on = parse_date(left_24_7_on, "left_24_7_on")
    if medication_stopped_on is not None:
        medication_stopped_on = parse_date(medication_stopped_on, "medication_stopped_on")
    ticked = _ticked(checklist)
    ctx = _Context(today, aggregate_days(checkins), level_of_care, level_since, previous_level,
                   left_24_7_on, medication_stopped_on)
    prompts = evaluate_prompts(ctx)
    return {"prompts": prompts, "step_down": evaluate_step_down(ctx, ticked, prompts)}


def _arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python -m caregiver.signals",
        description="Read the input JSON on stdin, write the prompts and step-down readiness "
                    "as JSON on stdout.")
    parser.add_argument("--lang", choices=words.languages(), default=words.ENGLISH,
                        help="the language of the sentences a person reads (title, why, action); "
                             "ids, evidence and keys are the same in every language")
    return parser.parse_args(argv)


def main(argv=None):
    """Read the input JSON on stdin, write the output JSON on stdout; 2 on invalid input.

    `argv` holds the options (`--lang es`); None means none (the defaults)."""
    args = _arguments([] if argv is None else argv)
    with words.using(args.lang):
        return _main()


def _main():
    def fail(message):
        sys.stderr.write(" ".join(message.split()) + "\n")
        return 2

    try:
        raw = sys.stdin.buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return fail("input: is not valid UTF-8")
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as e:
        return fail(f"input: is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})")
    except RecursionError:
        return fail("input: is nested too deeply")
    except ValueError as e:  # e.g. a number with more digits than Python converts
        return fail(f"input: is not valid JSON ({e})")
    try:
        result = evaluate(**parse_input(obj))
    except SignalsInputError as e:
        return fail(str(e))
    sys.stdout.buffer.write((json.dumps(result, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
