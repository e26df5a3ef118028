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
        for key in ("name", "short", "what", "how_often", "fits", "medication"):
            assert filled(lv[key]), (lv["id"], key)
        assert len(lv["short"].split()) <= 4
        assert lv["twenty_four_seven"] is (lv["id"] in ("inpatient", "residential"))
    assert content.LEVEL_BY_ID["php"]["name"] == "Partial hospitalization (day treatment)"


# The seed's six signs that often point to inpatient care, and a phrase of each as
# the inpatient level's "fits" and the continuum page's list say it.
INPATIENT_SIGNS = [
    ("after outpatient treatment", "after outpatient treatment"),
    ("withdrawal is severe or lasts a long time", "withdrawal is severe, or it lasts a long time"),
    ("daily or unpredictable use", "every day, or in ways no one can predict"),
    ("an overdose or a close call", "overdosed, or come close"),
    ("despite serious harm", "even after serious harm"),
    ("fentanyl is easy to get", "fentanyl is easy for them to get"),
]


def test_inpatient_fits_and_the_list_name_all_six_signs():
    fits = content.LEVEL_BY_ID["inpatient"]["fits"].lower()
    assert len(content.INPATIENT_SIGNS) == 6
    for (in_fits, in_list), item in zip(INPATIENT_SIGNS, content.INPATIENT_SIGNS):
        assert in_fits in fits, in_fits
        assert in_list in item.lower(), (in_list, item)
        assert item.endswith("."), item  # whole sentences, to be translated


def test_medication_by_setting():
    def med(level):
        return content.LEVEL_BY_ID[level]["medication"].lower()
    assert "every day" in med("inpatient") and "staff give each dose" in med("inpatient")
    for level in ("iop", "outpatient"):
        assert "at home" in med(level) and "appointments" in med(level)
    assert "less often" in med("iop")


def test_assessment_block():
    a = content.ASSESSMENT
    assert "assessment" in a["title"].lower()
    assert "safest right now" in a["text"] and "care team" in a["text"]
    assert a["helpline"]["tel"] == "18006624357" == re.sub(r"\D", "", a["helpline"]["number"])
    assert a["find_treatment"]["url"] == "https://findtreatment.gov"


def test_alongside_and_living():
    assert {a["id"] for a in content.ALONGSIDE} >= {"support-groups", "counseling", "medication", "sober-living"}
    assert all(filled(a["name"]) and filled(a["text"]) for a in content.ALONGSIDE)
    assert [i for i, _ in vocabulary.LIVING_SITUATIONS] == ["home", "sober-living", "facility"]
    medication = next(a["text"] for a in content.ALONGSIDE if a["id"] == "medication")
    # The MAT Act: no waiver; a DEA registration with Schedule III, where the state allows.
    assert "Since the end of 2022, no special waiver" in medication and "Schedule III" in medication
    assert "where state law allows" in medication
    assert "opioid treatment program" in medication


def test_naloxone_checklist_items():
    home = content.CHECKLIST_TEXT["naloxone-home"]
    assert "expiry date" in home["text"] and "room temperature" in home["text"]
    assert home["text"].count(".") == 1 and filled(home["why"])
    assert "CPR" in content.CHECKLIST_TEXT["naloxone-trained"]["text"]


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
    assert len(em["steps"]) == 6
    assert all(filled(s["title"]) and filled(s["detail"]) for s in em["steps"])
    # Call, CPR, naloxone, normal breathing, recovery position, stay: in that order.
    assert "call" in em["steps"][0]["title"].lower()
    assert "CPR" in em["steps"][1]["title"]
    assert "naloxone" in em["steps"][2]["title"].lower()
    assert "2 to 3 minutes" in em["steps"][2]["detail"]
    assert "normal breathing" in em["steps"][3]["title"].lower()
    assert "side" in em["steps"][4]["title"].lower() and "recovery position" in em["steps"][4]["detail"]
    assert "stay" in em["steps"][5]["title"].lower() and "30 to 90 minutes" in em["steps"][5]["detail"]
    assert all(filled(d) for d in em["donts"])
    assert all(filled(s["name"]) and filled(s["publisher"]) and re.search(r"\b20\d\d\b", s["year"])
               for s in em["sources"])
    assert all(filled(p) for p in em["naloxone"]["paragraphs"]) and filled(em["naloxone"]["title"])
    assert "Kansas" in em["good_samaritan"] and "Wyoming" in em["good_samaritan"]
    tels = [n["tel"] for n in em["numbers"]]
    assert tels == ["911", "988", "18006624357", "18002221222", "18553784373", "18004843731"]
    assert em["find_treatment"]["url"] == "https://findtreatment.gov"
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


def test_the_continuum_page_shows_assessment_signs_and_medication(auth, client):
    auth.sign_up()
    circle = auth.create_circle(level="iop", since="2026-01-01")
    page = client.get(f"/c/{circle}/continuum").get_data(as_text=True)
    main = page.split('<main id="main"', 1)[1]
    # The assessment block comes first, before the levels.
    assert main.index(content.ASSESSMENT["title"].replace("'", "&#39;")) < main.index('id="level-inpatient"')
    assert 'href="tel:18006624357"' in main and '<a href="https://findtreatment.gov">' in main
    for sign in content.INPATIENT_SIGNS:
        assert sign in main
    for level in content.LEVELS:
        assert level["medication"] in main
