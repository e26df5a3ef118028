"""The one vocabulary of the app: check-in fields with their limits and words, levels
of care, checklist ids and withdrawal signs.

Everything else reads it: the rules engine, the forms, the CSV export, the charts,
the templates and the import. A new check-in field is one entry here (then a
migration, the form's template and the rules that read it). Standard library only,
because the rules engine (`python -m caregiver.signals`) imports it.
"""
import re
from dataclasses import dataclass

from .words import ReadTranslated, gettext


class Text(ReadTranslated, str):
    """Text written at import time (a label, a rule's sentence), read in the language of
    the moment.

    It is the English text as a `str` (so ids, comparisons, sorting and the English tests
    see plain English), and gives the translation wherever it is read: str(), f-strings,
    `%`, `+`, a page (`__html__`) and every str method (.lower(), .startswith(), ...).
    Unlike words.Lazy it can go where only a str may (str.join, dict keys, re); there it
    is English, so code that shows it calls str() first. JSON writes the English: call
    str() before json.dumps (the engine does).
    """
    __slots__ = ()

    def __str__(self):
        return gettext(str.__str__(self))

    def __contains__(self, part):
        return part in str(self)

    def __iter__(self):
        return iter(str(self))

    def __getitem__(self, key):
        return str(self)[key]

    def __getattribute__(self, name):  # .lower(), .split() ... of the translated text
        if not name.startswith("_") and hasattr(str, name):
            return getattr(str(self), name)
        return super().__getattribute__(name)

    def __repr__(self):
        return f"Text({str.__str__(self)!r})"


#: Marks text for translation (`pybabel extract` looks for `_l`); it is read translated.
_l = Text

# ---------------------------------------------------------------------------
# Levels of care, most structure first
# ---------------------------------------------------------------------------
LEVEL_NAMES = {
    "inpatient": _l("Inpatient"),
    "residential": _l("Residential"),
    "php": _l("Partial hospitalization (day treatment)"),
    "iop": _l("Intensive outpatient"),
    "outpatient": _l("Outpatient"),
    "recovery-support": _l("Recovery support"),
}
LEVELS = tuple(LEVEL_NAMES)
TWENTY_FOUR_SEVEN = ("inpatient", "residential")
LOWER_STRUCTURE = ("php", "iop", "outpatient", "recovery-support")
#: The levels above each level to talk about when more structure may be safer.
SUGGESTED_LEVELS = {
    "recovery-support": ("outpatient", "iop"),
    "outpatient": ("iop", "php"),
    "iop": ("php", "inpatient"),
    "php": ("inpatient", "residential"),
    "residential": ("inpatient",),
    "inpatient": (),
}

# ---------------------------------------------------------------------------
# Medication for opioid use disorder: the circle's record (what, since when)
# ---------------------------------------------------------------------------
MEDICATIONS = (
    ("none", _l("None now")),
    ("buprenorphine", _l("Buprenorphine, taken daily (Suboxone and others)")),
    ("methadone", _l("Methadone, usually daily from an opioid treatment program")),
    ("naltrexone", _l("Naltrexone pill, taken daily")),
    ("buprenorphine-injection", _l("Long-acting buprenorphine injection (weekly or monthly)")),
    ("naltrexone-injection", _l("Extended-release naltrexone injection (monthly, Vivitrol)")),
)
MEDICATION_NAMES = dict(MEDICATIONS)
INJECTIONS = ("buprenorphine-injection", "naltrexone-injection")

LIVING_SITUATIONS = (
    ("home", _l("At home")),
    ("sober-living", _l("Sober living home")),
    ("facility", _l("In a treatment facility")),
)

# ---------------------------------------------------------------------------
# Withdrawal signs (after the items of the COWS and SOWS scales), in the spec's order,
# with their labels on the form
# ---------------------------------------------------------------------------
SIGNS = (
    ("sweating", _l("Sweating")),
    ("runny-nose-or-eyes", _l("Runny nose or watery eyes")),
    ("yawning", _l("Yawning a lot")),
    ("gooseflesh", _l("Goosebumps")),
    ("restlessness", _l("Restless, can't sit still")),
    ("anxiety-or-irritability", _l("Anxious or irritable")),
    ("aches", _l("Aching bones or muscles")),
    ("stomach-upset", _l("Upset stomach or diarrhea")),
    ("tremor", _l("Shaking hands")),
    ("trouble-sleeping", _l("Trouble sleeping")),
    ("large-pupils", _l("Large pupils")),
    ("chills-or-flushing", _l("Chills or hot flashes")),
)
WITHDRAWAL_SIGNS = tuple(sign for sign, _ in SIGNS)
SIGN_LABELS = dict(SIGNS)
#: A few words each, so a day of the printed summary's table fits one or two lines.
SIGN_WORDS = {
    "sweating": _l("sweating"), "runny-nose-or-eyes": _l("runny nose/eyes"), "yawning": _l("yawning"),
    "gooseflesh": _l("goosebumps"), "restlessness": _l("restless"), "anxiety-or-irritability": _l("anxious/irritable"),
    "aches": _l("aches"), "stomach-upset": _l("upset stomach"), "tremor": _l("tremor"),
    "trouble-sleeping": _l("poor sleep"), "large-pupils": _l("large pupils"), "chills-or-flushing": _l("chills/flushes"),
}

# ---------------------------------------------------------------------------
# The check-in
# ---------------------------------------------------------------------------
SCALE_MAX = 10
NOTES_MAX = 2000
# Characters nobody types and that, stored, would travel invisibly into the CSV export,
# the printed summary and other caregivers' screens: C0 and C1 controls (NUL, ESC, ...)
# and the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), with
# which a name could reorder the text around it. Multi-line text keeps tabs and line
# breaks.
_BIDI = "\u202a-\u202e\u2066-\u2069"
CONTROL_CHARACTERS = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
CONTROL_CHARACTERS_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
#: Shown for an empty choice: null means "not observed", never "fine".
NOT_OBSERVED_LABEL = _l("Couldn't tell")


@dataclass(frozen=True)
class Field:
    """One field of a check-in: its JSON name and kind, and the words people see."""
    name: str
    kind: str  # date | scale | choice | signs | flag | text
    called: str  # its name in error messages ("Signs of use: ...")
    short: str  # its name in the record of edits ("use 1 -> 2")
    label: str = ""  # the form's question
    hint: str = ""
    choices: tuple = ()  # (value, label), in the spec's order
    problem: str = ""  # the form's message for a refused value (after "called: ")


# Read with .format(value=..., length=...) by the forms: the braces stay as they are.
SCALE_PROBLEM = _l("choose a number from 0 to 10, or Couldn't tell")
CHOICE_PROBLEM = _l("choose one of the options")

FIELDS = (
    Field("date", "date", _l("Day"), _l("day"), _l("Day")),
    Field("craving", "scale", _l("Craving"), _l("craving"), _l("How strong were cravings?"),
          _l("0 is none, 10 is the strongest. Choose Couldn't tell if you're not sure."),
          problem=SCALE_PROBLEM),
    Field("withdrawal", "choice", _l("Withdrawal"), _l("withdrawal"), _l("Withdrawal, overall?"),
          _l("How sick from withdrawal they seemed that day."),
          (("none", _l("None")), ("mild", _l("Mild")), ("moderate", _l("Moderate")), ("severe", _l("Severe"))),
          CHOICE_PROBLEM),
    Field("withdrawal_signs", "signs", _l("Withdrawal signs"), _l("signs"), _l("Which signs did you see?"),
          _l("Tick only what you noticed yourself."), SIGNS,
          _l("unknown sign {value}")),
    Field("access", "choice", _l("Access"), _l("access"), _l("Could they get fentanyl?"),
          _l("How easy it would have been for them that day."),
          (("none", _l("No")), ("possible", _l("Maybe")), ("easy", _l("Yes, easily"))), CHOICE_PROBLEM),
    Field("stress", "scale", _l("Stress"), _l("stress"), _l("How high was stress?"),
          _l("0 is calm, 10 is the worst. Choose Couldn't tell if you're not sure."),
          problem=SCALE_PROBLEM),
    Field("medication", "choice", _l("Medication"), _l("medication"), _l("Treatment medication?"),
          _l("Buprenorphine (Suboxone, Sublocade), methadone, or naltrexone (Vivitrol)."),
          (("taken", _l("Taken")), ("missed", _l("Missed")), ("not-prescribed", _l("Not prescribed"))),
          CHOICE_PROBLEM),
    Field("use", "choice", _l("Signs of use"), _l("use"), _l("Any signs of use?"),
          _l("A suspicion is worth writing down. Facts, not blame."),
          (("none", _l("No signs")), ("suspected", _l("Suspected")), ("confirmed", _l("Confirmed"))),
          CHOICE_PROBLEM),
    Field("overdose", "flag", _l("Overdose"), _l("overdose"), _l("An overdose or a close call?"),
          _l("Tick a box for yes. Leave it empty for no."),
          problem=_l("tick the box or leave it empty")),
    Field("naloxone_given", "flag", _l("Naloxone given"), _l("naloxone"), _l("Was naloxone given?"),
          _l("Naloxone is also sold as Narcan."), problem=_l("tick the box or leave it empty")),
    Field("notes", "text", _l("Notes"), _l("note"), _l("Anything else?"),
          _l("What happened, what helped. The care team may read this."),
          problem=_l("at most 2,000 characters (this has {length:,})")),
)
FIELD = {f.name: f for f in FIELDS}
CHECKIN_FIELDS = tuple(f.name for f in FIELDS)


def _values(name):
    return tuple(value for value, _ in FIELD[name].choices)


WITHDRAWAL = _values("withdrawal")
ACCESS = _values("access")
MEDICATION = _values("medication")
USE = _values("use")
#: The words of each choice, as the form says them ("Not prescribed").
CHOICE_LABELS = {f.name: dict(f.choices) for f in FIELDS if f.kind == "choice"}
#: "use" in the rules means one of these.
USE_SIGNS = ("suspected", "confirmed")

#: The columns of export.csv, in order (docs/export.md describes each one).
CSV_COLUMNS = ("date", "caregiver") + CHECKIN_FIELDS[1:] + ("created_at",)

# ---------------------------------------------------------------------------
# Checklists: (id, short label used in the engine's own sentences), in the spec's order.
# The full sentences people tick live in content.py.
# ---------------------------------------------------------------------------
CHECKLIST_CATALOG = {
    "step-down": (
        ("coping-practiced", _l("coping skills practiced")),
        ("stress-handled", _l("a stressful time handled without use")),
        ("home-substance-free", _l("home free of drugs")),
        ("medication-plan", _l("medication plan set")),
        ("next-appointment", _l("first appointment at the next level booked")),
        ("accountability", _l("people and a check-in plan outside treatment")),
        ("warning-plan", _l("a plan for whom to call and when to step back up")),
        ("medically-stable", _l("the care team says they are medically stable")),
    ),
    "home-safety": (
        ("naloxone-home", _l("naloxone at home")),
        ("naloxone-trained", _l("everyone at home can give naloxone")),
        ("meds-locked", _l("medicines locked away")),
        ("crisis-numbers", _l("crisis numbers saved")),
        ("transport", _l("rides to appointments arranged")),
    ),
}
CHECKLIST_ITEMS = {key: tuple(i for i, _ in items) for key, items in CHECKLIST_CATALOG.items()}
CHECKLIST_LABELS = {i: label for items in CHECKLIST_CATALOG.values() for i, label in items}
KNOWN_CHECKLIST_IDS = CHECKLIST_ITEMS["step-down"] + CHECKLIST_ITEMS["home-safety"]
