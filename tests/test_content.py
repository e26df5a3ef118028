"""The plain-language content matches the spec's ids, in the spec's order."""
import re

from caregiver import content, signals, vocabulary

LEVEL_IDS = ["inpatient", "residential", "php", "iop", "outpatient", "recovery-support"]
SIGN_IDS = [
    "sweating", "runny-nose-or-eyes", "yawning", "gooseflesh", "restlessness",
    "anxiety-or-irritability", "aches", "stomach-upset", "tremor", "trouble-sleeping",
    "large-pupils", "chills-or-flushing",
]
STEP_DOWN_ITEMS = [
    "coping-practiced", "stress-handled", "home-substance-free", "medication-plan",
    "next-appointment", "accountability", "warning-plan", "medically-stable",
]
HOME_SAFETY_ITEMS = ["naloxone-home", "naloxone-trained", "meds-locked", "crisis-numbers", "transport"]
RULE_IDS = [
    "overdose-recent", "use-after-abstinence", "overdose-history", "use-in-lower-structure",
    "frequent-use", "withdrawal-severe", "withdrawal-prolonged", "cravings-high",
    "access-under-stress", "missed-medication", "repeated-relapse", "cravings-rising",
    "access-possible", "stress-high", "recent-step-down", "checkins-missing",
]
CRITERION_IDS = [
    "withdrawal-controlled", "cravings-manageable", "medication-stable", "no-recent-use",
    "safe-environment", "stress-tolerated", "coping-practiced", "medically-stable",
    "accountability", "transition-planned", "no-warning-prompts",
]
CHECKIN_FIELDS = [
    "craving", "withdrawal", "withdrawal_signs", "access", "stress", "medication",
    "use", "overdose", "naloxone_given", "notes",
]


def filled(s):
    return isinstance(s, str) and s.strip() != ""


def test_levels():
    assert [lv["id"] for lv in content.LEVELS] == LEVEL_IDS
    assert list(content.LEVEL_BY_ID) == LEVEL_IDS
    for lv in content.LEVELS:
        for key in ("name", "short", "what", "how_often", "fits"):
            assert filled(lv[key]), (lv["id"], key)
        assert len(lv["short"].split()) <= 4
        assert lv["twenty_four_seven"] is (lv["id"] in ("inpatient", "residential"))
    assert content.LEVEL_BY_ID["php"]["name"] == "Partial hospitalization (day treatment)"


def test_alongside_and_living():
    assert {a["id"] for a in content.ALONGSIDE} >= {"support-groups", "counseling", "medication", "sober-living"}
    assert all(filled(a["name"]) and filled(a["text"]) for a in content.ALONGSIDE)
    assert [i for i, _ in vocabulary.LIVING_SITUATIONS] == ["home", "sober-living", "facility"]


def test_checkin_form():
    assert list(vocabulary.FIELD) == ["date"] + CHECKIN_FIELDS
    for f in CHECKIN_FIELDS:
        assert filled(vocabulary.FIELD[f].label) and filled(vocabulary.FIELD[f].hint)
    values = {f.name: [v for v, _ in f.choices] for f in vocabulary.FIELDS if f.kind == "choice"}
    assert values == {
        "withdrawal": ["none", "mild", "moderate", "severe"],
        "access": ["none", "possible", "easy"],
        "medication": ["taken", "missed", "not-prescribed"],
        "use": ["none", "suspected", "confirmed"],
    }
    assert [i for i, _ in vocabulary.FIELD["withdrawal_signs"].choices] == SIGN_IDS
    assert all(filled(label) for _, label in vocabulary.FIELD["withdrawal_signs"].choices)


def test_checklists():
    assert set(content.CHECKLISTS) == {"step-down", "home-safety"}
    expected = {"step-down": STEP_DOWN_ITEMS, "home-safety": HOME_SAFETY_ITEMS}
    for key, ids in expected.items():
        cl = content.CHECKLISTS[key]
        assert filled(cl["title"]) and filled(cl["intro"])
        assert [item["id"] for item in cl["items"]] == ids
        for item in cl["items"]:
            assert filled(item["text"]) and filled(item["why"]), item["id"]


def test_emergency():
    em = content.EMERGENCY
    assert len(em["signs"]) >= 6 and all(filled(s) for s in em["signs"])
    assert len(em["steps"]) == 5
    assert all(filled(s["title"]) and filled(s["detail"]) for s in em["steps"])
    assert "naloxone" in em["steps"][1]["title"].lower()
    assert "2 to 3 minutes" in em["steps"][1]["detail"]
    assert all(filled(d) for d in em["donts"])
    assert all(filled(s["name"]) and filled(s["publisher"]) for s in em["sources"])
    tels = [n["tel"] for n in em["numbers"]]
    assert tels == ["911", "988", "18006624357", "18002221222", "18004843731"]
    for n in em["numbers"]:
        assert re.fullmatch(r"[0-9]+", n["tel"]), n
        assert re.sub(r"\D", "", n["number"]) == n["tel"]
        assert filled(n["label"]) and filled(n["note"])


def test_criteria_labels():
    assert list(content.CRITERION_LABELS) == CRITERION_IDS
    assert all(filled(t) for t in content.CRITERION_LABELS.values())


def test_never_says_ready():
    verdicts = list(signals.STATUS_WORDS.values()) + list(content.CRITERION_LABELS.values())
    verdicts.append(content.CHECKLISTS["step-down"]["title"])
    for text in verdicts:
        assert filled(text)
        assert not re.search(r"\bready\b", text, re.IGNORECASE), text
    assert signals.STATUS_WORDS["supported"] == (
        "The signs support talking with the care team about stepping down"
    )


def test_disclaimer():
    assert "care team" in content.DISCLAIMER and "diagnose" in content.DISCLAIMER
