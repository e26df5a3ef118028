"""The rules engine (caregiver/signals.py) against the contract in the product spec.

Every rule at its boundaries, day aggregation, step-down criteria, validation and the
command line program. Day offsets are "days before today": 0 is today.
"""
import io
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from caregiver import signals
from caregiver.signals import (
    SignalsInputError, aggregate_days, evaluate, parse_input, status_words, validate_checkin,
)

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 20)
STEP_DOWN_ITEMS = set(signals.CHECKLIST_ITEMS["step-down"])


def day(n):
    return TODAY - timedelta(days=n)


def iso(n):
    return day(n).isoformat()


def ci(n, **fields):
    """A normalized check-in n days before today."""
    return validate_checkin({"date": iso(n), **fields}, TODAY)


def many(offsets, **fields):
    return [ci(n, **fields) for n in offsets]


def run(checkins, **kw):
    return evaluate(TODAY, checkins, **kw)


def prompt_for(checkins, rule, **kw):
    return {p["rule"]: p for p in run(checkins, **kw)["prompts"]}.get(rule)


def criterion(checkins, cid, checklist=STEP_DOWN_ITEMS, **kw):
    result = run(checkins, checklist=checklist, **kw)
    return {c["id"]: c for c in result["step_down"]["criteria"]}[cid]


LOWER = {"level_of_care": "outpatient", "previous_level": "inpatient"}


# ---------------------------------------------------------------------------
# Every rule at its boundaries: (rule, check-ins, evaluate kwargs, evidence offsets
# or None when the rule must not hold)
# ---------------------------------------------------------------------------
def P(rule, checkins, kw, evidence, id):
    return pytest.param(rule, checkins, kw, evidence, id=f"{rule}: {id}")


RULE_CASES = [
    # overdose-recent: last 3 days = offsets 0..2
    P("overdose-recent", [ci(0, overdose=True)], {}, [0], "overdose today holds"),
    P("overdose-recent", [ci(2, overdose=True)], {}, [2], "first day of the 3-day window holds"),
    P("overdose-recent", [ci(3, overdose=True)], {}, None, "one day outside the window does not"),
    P("overdose-recent", [ci(1, naloxone_given=True)], {}, [1], "naloxone alone holds"),
    P("overdose-recent", [ci(0, overdose=False, naloxone_given=False)], {}, None, "false does not"),
    P("overdose-recent", [ci(0, overdose=True), ci(2, naloxone_given=True)], {}, [2, 0],
      "evidence is every such day, oldest first"),
    # use-after-abstinence, abstinence branch: D in 0..2, D-7..D-1 hold >= 5 none, no use
    P("use-after-abstinence", [ci(0, use="suspected")] + many(range(1, 6), use="none"), {}, [0],
      "exactly 5 none days in the 7 before D holds"),
    P("use-after-abstinence", [ci(0, use="confirmed")] + many(range(1, 5), use="none"), {}, None,
      "4 none days is one below the threshold"),
    P("use-after-abstinence", [ci(0, use="suspected")] + many(range(1, 5), use="none") + [ci(5)],
      {}, None, "a day with use null does not count as none"),
    P("use-after-abstinence", [ci(0, use="suspected")] + many(range(3, 8), use="none"), {}, [0],
      "none days on D-7 (last day looked at) count"),
    P("use-after-abstinence", [ci(0, use="suspected")] + many(range(4, 9), use="none"), {}, None,
      "none on D-8 is outside the 7 days before D"),
    P("use-after-abstinence", [ci(0, use="suspected"), ci(7, use="suspected")]
      + many(range(1, 7), use="none"), {}, None, "use on D-7 breaks the abstinence"),
    P("use-after-abstinence", [ci(0, use="suspected"), ci(8, use="suspected")]
      + many(range(1, 8), use="none"), {}, [0], "use on D-8 is outside the 7 days"),
    P("use-after-abstinence", [ci(2, use="confirmed")] + many(range(3, 10), use="none"), {}, [2],
      "D on the first day of the 3-day window holds"),
    P("use-after-abstinence", [ci(3, use="confirmed")] + many(range(4, 11), use="none"), {}, None,
      "D one day before the window does not"),
    P("use-after-abstinence", [ci(0, use="suspected"), ci(1, use="suspected")]
      + many(range(2, 9), use="none"), {}, [1],
      "each D on its own: today has use on D-1, yesterday does not"),
    P("use-after-abstinence", [ci(0, use="none")] + many(range(1, 8), use="none"), {}, None,
      "no use on D, no prompt"),
    # use-after-abstinence, left-24/7 branch: level_since in D-27..D
    P("use-after-abstinence", [ci(0, use="suspected")], {**LOWER, "level_since": day(0)}, [0],
      "left inpatient on D itself holds"),
    P("use-after-abstinence", [ci(0, use="suspected")], {**LOWER, "level_since": day(27)}, [0],
      "left on D-27 holds"),
    P("use-after-abstinence", [ci(0, use="suspected")], {**LOWER, "level_since": day(28)}, None,
      "left on D-28 does not"),
    P("use-after-abstinence", [ci(2, use="suspected")], {**LOWER, "level_since": day(1)}, None,
      "a level change after D does not count for D"),
    P("use-after-abstinence", [ci(1, use="suspected")],
      {"level_of_care": "recovery-support", "previous_level": "residential", "level_since": day(5)},
      [1], "residential to recovery-support holds"),
    P("use-after-abstinence", [ci(1, use="suspected")],
      {"level_of_care": "php", "previous_level": "iop", "level_since": day(5)}, None,
      "previous level not 24/7 does not"),
    P("use-after-abstinence", [ci(1, use="suspected")],
      {"level_of_care": "residential", "previous_level": "inpatient", "level_since": day(5)}, None,
      "moving between 24/7 levels does not"),
    P("use-after-abstinence", [ci(1, use="suspected")], LOWER, None, "no level_since does not"),
    # overdose-history: last 30 days = offsets 0..29
    P("overdose-history", [ci(29, overdose=True)], {}, [29], "first day of the 30-day window holds"),
    P("overdose-history", [ci(30, overdose=True)], {}, None, "day 31 back does not"),
    P("overdose-history", [ci(10, naloxone_given=True), ci(0, overdose=True)], {}, [10, 0],
      "naloxone or overdose, every day as evidence"),
    # use-in-lower-structure: last 14 days = offsets 0..13, lower levels only
    P("use-in-lower-structure", [ci(13, use="suspected")], {"level_of_care": "outpatient"}, [13],
      "first day of the 14-day window holds"),
    P("use-in-lower-structure", [ci(14, use="suspected")], {"level_of_care": "outpatient"}, None,
      "one day outside does not"),
    P("use-in-lower-structure", [ci(0, use="none")], {"level_of_care": "outpatient"}, None,
      "use none does not"),
    *[P("use-in-lower-structure", [ci(0, use="confirmed")], {"level_of_care": lv}, [0],
        f"holds at {lv}") for lv in signals.LOWER_STRUCTURE],
    *[P("use-in-lower-structure", [ci(0, use="confirmed")], {"level_of_care": lv}, None,
        f"not at {lv}") for lv in ("inpatient", "residential", None)],
    # frequent-use: >= 3 of the last 7 (offsets 0..6)
    P("frequent-use", many((0, 3, 6), use="suspected"), {}, [6, 3, 0], "exactly 3 days holds"),
    P("frequent-use", many((0, 3, 7), use="suspected"), {}, None, "third day outside the window"),
    P("frequent-use", many((0, 3), use="confirmed") + [ci(5, use="none")], {}, None,
      "2 use days is one below"),
    # withdrawal-severe: last 3 days
    P("withdrawal-severe", [ci(2, withdrawal="severe")], {}, [2], "first day of the window holds"),
    P("withdrawal-severe", [ci(3, withdrawal="severe")], {}, None, "one day outside does not"),
    P("withdrawal-severe", [ci(0, withdrawal="moderate")], {}, None, "moderate is not severe"),
    # withdrawal-prolonged: moderate or severe on >= 4 of the last 7
    P("withdrawal-prolonged", many((0, 1, 2), withdrawal="moderate") + [ci(6, withdrawal="severe")],
      {}, [6, 2, 1, 0], "exactly 4 days holds, severe counts"),
    P("withdrawal-prolonged", many((0, 1, 2), withdrawal="moderate") + [ci(7, withdrawal="severe")],
      {}, None, "fourth day outside the window"),
    P("withdrawal-prolonged", many((0, 1, 2), withdrawal="moderate") + [ci(4, withdrawal="mild")],
      {}, None, "mild does not count"),
    # cravings-high: craving >= 7 on >= 3 of the last 5 (offsets 0..4)
    P("cravings-high", many((0, 2, 4), craving=7), {}, [4, 2, 0], "exactly 7 on exactly 3 days"),
    P("cravings-high", many((0, 2), craving=7) + [ci(4, craving=6)], {}, None, "6 is one below"),
    P("cravings-high", many((0, 2), craving=9) + [ci(5, craving=9)], {}, None,
      "third day outside the 5-day window"),
    P("cravings-high", many((0, 1), craving=8) + [ci(2, craving=3), ci(2, craving=8)], {},
      [2, 1, 0], "the highest craving of the day counts"),
    # access-under-stress: a day in the last 7 with access easy and stress >= 7
    P("access-under-stress", [ci(6, access="easy", stress=7)], {}, [6], "last day of window, stress 7"),
    P("access-under-stress", [ci(7, access="easy", stress=9)], {}, None, "one day outside"),
    P("access-under-stress", [ci(0, access="easy", stress=6)], {}, None, "stress 6 is one below"),
    P("access-under-stress", [ci(0, access="possible", stress=9)], {}, None, "possible is not easy"),
    P("access-under-stress", [ci(0, access="easy")], {}, None, "stress null does not count"),
    P("access-under-stress", [ci(1, access="easy"), ci(1, stress=8)], {}, [1],
      "easy access and high stress from two caregivers the same day"),
    P("access-under-stress", [ci(1, access="easy"), ci(0, stress=8)], {}, None,
      "on different days they do not combine"),
    # missed-medication: >= 2 of the last 7
    P("missed-medication", many((0, 6), medication="missed"), {}, [6, 0], "2 days, first and last"),
    P("missed-medication", many((0, 7), medication="missed"), {}, None, "second day outside"),
    P("missed-medication", [ci(0, medication="missed"), ci(1, medication="taken")], {}, None,
      "1 day is one below"),
    P("missed-medication", [ci(0, medication="missed"), ci(1, medication="taken"),
                            ci(1, medication="missed")], {}, [1, 0],
      "missed beats taken on the same day"),
    # repeated-relapse: >= 2 episodes in the last 30 days, separated only by a use-none day
    P("repeated-relapse", [ci(29, use="suspected"), ci(20, use="none"), ci(0, use="confirmed")], {},
      [29, 0], "2 episodes, first on the window's first day"),
    P("repeated-relapse", [ci(29, use="suspected"), ci(0, use="confirmed")], {}, None,
      "days without check-ins do not separate"),
    P("repeated-relapse", [ci(29, use="suspected"), ci(15), ci(0, use="confirmed")], {}, None,
      "a day with use null does not separate"),
    P("repeated-relapse", [ci(30, use="suspected"), ci(20, use="none"), ci(0, use="confirmed")], {},
      None, "use 30 days back is outside the window"),
    P("repeated-relapse", [ci(31, use="none"), ci(29, use="suspected"), ci(0, use="suspected")], {},
      None, "a none day before the window does not separate"),
    P("repeated-relapse", [ci(5, use="suspected"), ci(4, use="confirmed"), ci(3, use="none"),
                           ci(0, use="suspected")], {}, [5, 4, 0],
      "evidence is every use day, including the whole first episode"),
    P("repeated-relapse", [ci(3, use="suspected"), ci(3, use="none"), ci(2, use="none"),
                           ci(0, use="suspected")], {}, [3, 0],
      "a day with use from one caregiver and none from another is a use day"),
    # cravings-rising: mean of 0..2 at least 2 above mean of 3..9, each >= 2 values
    P("cravings-rising", [ci(3, craving=3), ci(9, craving=3), ci(2, craving=5), ci(0, craving=5)],
      {}, [2, 0], "rise of exactly 2, values on the first and last day of each window"),
    P("cravings-rising", [ci(3, craving=3), ci(9, craving=4), ci(2, craving=5), ci(0, craving=5)],
      {}, None, "rise of 1.5 does not"),
    P("cravings-rising", [ci(3, craving=3), ci(10, craving=3), ci(2, craving=5), ci(0, craving=5)],
      {}, None, "a value 10 days back is outside the 7 days before"),
    P("cravings-rising", [ci(3, craving=1), ci(4, craving=1), ci(0, craving=9)], {}, None,
      "one recent value is not enough"),
    P("cravings-rising", [ci(3, craving=1), ci(1, craving=9), ci(0, craving=9)], {}, None,
      "one earlier value is not enough"),
    P("cravings-rising", [ci(2, craving=0), ci(1, craving=1), ci(0, craving=10),
                          ci(3, craving=0), ci(4, craving=0), ci(5, craving=5)], {}, [2, 1, 0],
      "exact fractions: 11/3 - 5/3 = 2 holds (floating point would say 1.999...)"),
    P("cravings-rising", [ci(4, craving=2), ci(5, craving=2), ci(1, craving=6), ci(0, craving=4),
                          ci(0, craving=1)], {}, [1, 0], "evidence is only the days with a value"),
    # access-possible: possible or easy on >= 2 of the last 7
    P("access-possible", [ci(0, access="possible"), ci(6, access="easy")], {}, [6, 0],
      "possible and easy, first and last day"),
    P("access-possible", [ci(0, access="possible"), ci(7, access="possible")], {}, None,
      "second day outside"),
    P("access-possible", [ci(0, access="possible"), ci(1, access="none")], {}, None, "none does not count"),
    # stress-high: stress >= 7 on >= 3 of the last 7
    P("stress-high", many((0, 3, 6), stress=7), {}, [6, 3, 0], "exactly 7 on exactly 3 days"),
    P("stress-high", many((0, 3), stress=7) + [ci(6, stress=6)], {}, None, "6 is one below"),
    P("stress-high", many((0, 3), stress=7) + [ci(7, stress=9)], {}, None, "third day outside"),
    # recent-step-down: level_since in the last 28 days (offsets 0..27)
    P("recent-step-down", [ci(0)], {**LOWER, "level_since": day(0)}, [0], "stepped down today"),
    P("recent-step-down", [ci(0)], {**LOWER, "level_since": day(27)}, [27], "first day of window"),
    P("recent-step-down", [ci(0)], {**LOWER, "level_since": day(28)}, None, "one day outside"),
    P("recent-step-down", [ci(0)],
      {"level_of_care": "php", "previous_level": "residential", "level_since": day(3)}, [3],
      "residential to php"),
    P("recent-step-down", [ci(0)],
      {"level_of_care": "outpatient", "previous_level": "iop", "level_since": day(3)}, None,
      "previous level not 24/7"),
    P("recent-step-down", [ci(0)],
      {"level_of_care": "residential", "previous_level": "inpatient", "level_since": day(3)}, None,
      "current level 24/7"),
    P("recent-step-down", [ci(0)], {"level_of_care": "outpatient", "level_since": day(3)}, None,
      "previous level unknown"),
    P("recent-step-down", [ci(0)], LOWER, None, "no level_since"),
    # ...and through left_24_7_on, whatever levels came in between
    P("recent-step-down", [ci(0)], {"level_of_care": "iop", "previous_level": "outpatient",
                                    "level_since": day(10), "left_24_7_on": day(18)}, [18],
      "inpatient, outpatient, IOP: the chain still holds"),
    P("recent-step-down", [ci(0)], {"level_of_care": "iop", "previous_level": "outpatient",
                                    "level_since": day(10), "left_24_7_on": day(28)}, None,
      "left 24/7 care one day outside the window"),
    P("recent-step-down", [ci(0)], {**LOWER, "level_since": day(3), "left_24_7_on": None}, None,
      "an explicit null: no 24/7 stay on record"),
    P("recent-step-down", [ci(0)], {"level_of_care": "inpatient", "previous_level": "iop",
                                    "level_since": day(3), "left_24_7_on": day(10)}, None,
      "back in 24/7 care"),
    # medication-stopped: medication_stopped_on in the last 28 days
    P("medication-stopped", [ci(0)], {"medication_stopped_on": day(0)}, [0], "stopped today"),
    P("medication-stopped", [ci(0)], {"medication_stopped_on": day(27)}, [27], "first day of window"),
    P("medication-stopped", [ci(0)], {"medication_stopped_on": day(28)}, None, "one day outside"),
    P("medication-stopped", [ci(0)], {"medication_stopped_on": None}, None, "not stopped"),
    # checkins-missing: none of the last 3 days has a check-in
    P("checkins-missing", [], {}, [], "no check-ins at all, no evidence"),
    P("checkins-missing", [ci(3, craving=2)], {}, [], "last check-in one day before the window"),
    P("checkins-missing", [ci(2)], {}, None, "an empty check-in on the window's first day is a logged day"),
]


@pytest.mark.parametrize("rule, checkins, kw, evidence", RULE_CASES)
def test_rule_boundaries(rule, checkins, kw, evidence):
    found = prompt_for(checkins, rule, **kw)
    if evidence is None:
        assert found is None
    else:
        assert found is not None, f"{rule} should hold"
        assert found["evidence"] == [iso(n) for n in evidence]
        assert found["level"] == signals.RULES_BY_ID[rule].level


def test_every_rule_has_boundary_cases():
    covered = {p.values[0] for p in RULE_CASES}
    assert covered == {r.id for r in signals.RULES}


def test_catalog_matches_the_spec_table():
    assert [(r.id, r.level) for r in signals.RULES] == [
        ("overdose-recent", "urgent"), ("use-after-abstinence", "urgent"),
        ("overdose-history", "more-structure"), ("use-in-lower-structure", "more-structure"),
        ("frequent-use", "more-structure"), ("withdrawal-severe", "more-structure"),
        ("withdrawal-prolonged", "more-structure"), ("cravings-high", "more-structure"),
        ("access-under-stress", "more-structure"), ("missed-medication", "more-structure"),
        ("repeated-relapse", "more-structure"), ("cravings-rising", "watch"),
        ("access-possible", "watch"), ("stress-high", "watch"), ("recent-step-down", "watch"),
        ("medication-stopped", "watch"), ("checkins-missing", "info"),
    ]
    assert [c.id for c in signals.CRITERIA] == [
        "withdrawal-controlled", "cravings-manageable", "medication-stable", "no-recent-use",
        "safe-environment", "stress-tolerated", "coping-practiced", "medically-stable",
        "accountability", "transition-planned", "no-warning-prompts",
    ]
    for r in signals.RULES:
        assert r.title and r.description and r.matters
        assert r.todo or r.level in ("urgent", "more-structure")


# ---------------------------------------------------------------------------
# Prompt contents
# ---------------------------------------------------------------------------
def test_prompt_has_exactly_the_seven_keys_and_plain_why():
    p = prompt_for([ci(2, craving=8), ci(1, craving=9), ci(0, craving=7)], "cravings-high",
                   level_of_care="outpatient")
    assert list(p) == ["rule", "level", "title", "why", "action", "evidence", "suggested_levels"]
    assert p["why"].startswith("Craving 8 on Wed 18 Nov, 9 on Thu 19 Nov and 7 on Fri 20 Nov")
    assert p["evidence"] == ["2026-11-18", "2026-11-19", "2026-11-20"]
    assert "intensive outpatient" in p["action"] and "partial hospitalization" in p["action"]
    assert p["action"].startswith("Talk with the care team today")
    assert p["action"].endswith(signals.CARE_TEAM_DECIDES)


def test_urgent_action_puts_emergency_steps_first():
    p = prompt_for([ci(0, overdose=True)], "overdose-recent", level_of_care="iop")
    assert p["action"].startswith(signals.EMERGENCY_STEPS)
    for step in ("emergency number", "naloxone", "chest compressions", "without delaying the call or CPR",
                 "normal breathing", "Stay with them", "get them seen today", "Replace any naloxone",
                 "starting or continuing medication"):
        assert step in p["action"]
    assert p["action"].endswith(signals.CARE_TEAM_DECIDES)
    assert p["suggested_levels"] == ["php", "inpatient"]


def test_use_after_abstinence_why_names_the_reason():
    p = prompt_for([ci(0, use="suspected")] + many(range(1, 6), use="none"), "use-after-abstinence")
    assert "Use suspected on Fri 20 Nov, after at least 5 days noted without use" in p["why"]
    p = prompt_for([ci(0, use="confirmed")], "use-after-abstinence", **LOWER, level_since=day(4))
    assert "Use confirmed on Fri 20 Nov, after leaving inpatient care on Mon 16 Nov (4 days ago)" in p["why"]
    assert "overdose risk is high" in p["why"]


@pytest.mark.parametrize("checkins, rule, words", [
    (many(range(7), use="confirmed"), "frequent-use", "Use confirmed each day from Sat 14 Nov to Fri 20 Nov (7 of"),
    ([ci(1, use="suspected"), ci(0, use="confirmed"), ci(4, use="suspected")], "frequent-use",
     "Use suspected on Mon 16 Nov, suspected on Thu 19 Nov and confirmed on Fri 20 Nov (3 of the last 7 days)."),
    (many((0, 2), medication="missed"), "missed-medication", "Medication missed on Wed 18 Nov and Fri 20 Nov (2 of"),
    (many((0, 1, 2, 4), craving=9) + [ci(3, craving=8)], "cravings-high",
     "Craving 9 on Mon 16 Nov, 8 on Tue 17 Nov and 9 each day from Wed 18 Nov to Fri 20 Nov (7 or more out of 10 on 5"),
    ([ci(6, stress=9)] + many((0, 1, 2), stress=9), "stress-high",
     "Stress 9 on Sat 14 Nov and each day from Wed 18 Nov to Fri 20 Nov (7 or more"),
], ids=["a run of days", "mixed values", "one value, two days", "run after mixed values",
        "single day then a run"])
def test_why_words_for_days_and_values(checkins, rule, words):
    assert prompt_for(checkins, rule)["why"].startswith(words)


def test_cravings_rising_why_states_both_means():
    p = prompt_for([ci(3, craving=1), ci(4, craving=2), ci(1, craving=5), ci(0, craving=4)],
                   "cravings-rising")
    assert "average of 4.5" in p["why"] and "against 1.5" in p["why"]


def test_repeated_relapse_why_lists_episodes():
    p = prompt_for([ci(5, use="suspected"), ci(4, use="confirmed"), ci(3, use="none"),
                    ci(0, use="suspected")], "repeated-relapse")
    assert "2 separate times of use" in p["why"] and "Sun 15 Nov to Mon 16 Nov and Fri 20 Nov" in p["why"]


@pytest.mark.parametrize("level, suggested", [
    pytest.param(level, suggested, id=f"from {level or 'unknown'}: {', '.join(suggested) or 'none'}")
    for level, suggested in [
        ("recovery-support", ["outpatient", "iop"]),
        ("outpatient", ["iop", "php"]),
        ("iop", ["php", "inpatient"]),
        ("php", ["inpatient", "residential"]),
        ("residential", ["inpatient"]),
        ("inpatient", []),
        (None, []),
    ]])
def test_suggested_levels_for_each_level(level, suggested):
    checkins = many((0, 1, 2), craving=9) + [ci(0, overdose=True)] + many((3, 4, 5), stress=9)
    prompts = run(checkins, level_of_care=level)["prompts"]
    for p in prompts:
        if p["level"] in ("urgent", "more-structure"):
            assert p["suggested_levels"] == suggested, p["rule"]
            for lv in suggested:
                assert signals.LEVEL_NAMES[lv].lower() in p["action"]  # named mid-sentence
            if level == "inpatient":
                assert "Review the treatment plan with the care team" in p["action"]
        else:
            assert p["suggested_levels"] == [], p["rule"]
    assert {p["level"] for p in prompts} >= {"urgent", "more-structure", "watch"}


def test_unknown_level_name_is_refused_by_evaluate():
    with pytest.raises(SignalsInputError) as e:
        run([], level_of_care="rehab")
    assert e.value.field == "level_of_care"


def test_prompts_ordered_by_level_then_rule_id():
    checkins = (many(range(0, 7), use="confirmed", craving=9, stress=9, access="easy",
                     withdrawal="severe", medication="missed")
                + [ci(0, overdose=True), ci(10, use="none"), ci(12, use="suspected")])
    prompts = run(checkins, level_of_care="iop", previous_level="inpatient",
                  level_since=day(20))["prompts"]
    assert [p["rule"] for p in prompts] == [
        "overdose-recent", "use-after-abstinence",
        "access-under-stress", "cravings-high", "frequent-use", "missed-medication",
        "overdose-history", "repeated-relapse", "use-in-lower-structure", "withdrawal-prolonged",
        "withdrawal-severe",
        "access-possible", "recent-step-down", "stress-high",
    ]


def test_info_prompt_comes_last():
    prompts = run([ci(5, stress=9), ci(6, stress=9), ci(4, stress=9)])["prompts"]
    assert [p["rule"] for p in prompts] == ["stress-high", "checkins-missing"]
    assert prompts[-1]["evidence"] == [] and prompts[-1]["suggested_levels"] == []


def test_checkins_after_today_and_string_or_date_inputs():
    checkins = [{**ci(0, craving=8), "date": day(0)}, ci(1, craving=8), ci(2, craving=8)]
    by_date = evaluate(TODAY, checkins)
    by_text = evaluate(TODAY.isoformat(), [ci(0, craving=8), ci(1, craving=8), ci(2, craving=8)])
    assert by_date == by_text
    later = {**ci(0, craving=8), "date": (TODAY + timedelta(days=1)).isoformat()}
    assert prompt_for([later, ci(1, craving=8), ci(2, craving=8)], "cravings-high") is None


# ---------------------------------------------------------------------------
# One day, many check-ins
# ---------------------------------------------------------------------------
def test_most_concerning_value_of_the_day_from_several_caregivers():
    day0 = [
        ci(0, craving=3, stress=9, withdrawal="mild", access="none", medication="taken", use="none",
           withdrawal_signs=["yawning", "sweating"]),
        ci(0, craving=8, stress=None, withdrawal="severe", access="easy", medication="missed",
           use="suspected", overdose=True, withdrawal_signs=["tremor", "sweating"]),
        ci(0, craving=None, stress=2, withdrawal="moderate", access="possible",
           medication="not-prescribed", use="confirmed", naloxone_given=True),
    ]
    v = aggregate_days(day0 + [ci(1)])[day(0)]
    assert (v.craving, v.stress, v.withdrawal, v.access, v.medication, v.use) == (
        8, 9, "severe", "easy", "missed", "confirmed")
    assert v.overdose and v.naloxone_given and v.checkins == 3
    assert v.withdrawal_signs == ("sweating", "yawning", "tremor")


@pytest.mark.parametrize("field, values, expected", [
    ("withdrawal", ["none", "moderate", "mild"], "moderate"),
    ("withdrawal", ["none", None], "none"),
    ("access", ["none", "possible"], "possible"),
    ("use", ["suspected", "none"], "suspected"),
    ("medication", ["not-prescribed", "taken"], "taken"),
    ("medication", ["taken", "missed"], "missed"),
    ("craving", [0, None], 0),
    ("stress", [None, None], None),
], ids=lambda v: str(v))
def test_aggregation_order_per_field(field, values, expected):
    v = aggregate_days([ci(0, **{field: x}) for x in values])[day(0)]
    assert getattr(v, field) == expected


def test_a_day_with_only_null_values_is_logged_but_has_no_values():
    v = aggregate_days([ci(3)])[day(3)]
    assert v.craving is None and v.use is None and not v.overdose and v.withdrawal_signs == ()


# ---------------------------------------------------------------------------
# Step-down readiness
# ---------------------------------------------------------------------------
def calm_days(n=14, **override):
    fields = dict(withdrawal="none", craving=2, medication="taken", use="none", access="none",
                  stress=3)
    fields.update(override)
    return many(range(n), **fields)


def C(cid, checkins, checklist, status, id, **kw):
    return pytest.param(cid, checkins, checklist, kw, status, id=f"{cid}: {id}")


FULL = STEP_DOWN_ITEMS
CRITERION_CASES = [
    C("withdrawal-controlled", many(range(5), withdrawal="none"), FULL, "met", "5 of 7 with a value"),
    C("withdrawal-controlled", many(range(4), withdrawal="mild"), FULL, "unknown", "4 values is too few"),
    C("withdrawal-controlled", many(range(5), withdrawal="none") + [ci(6, withdrawal="moderate")],
      FULL, "unmet", "moderate on the 7th day back"),
    C("withdrawal-controlled", many(range(5), withdrawal="none") + [ci(7, withdrawal="severe")],
      FULL, "met", "severe 8 days back is outside"),
    C("withdrawal-controlled", many(range(5), withdrawal="none") + many(range(5, 7)), FULL, "met",
      "null days just do not count"),
    C("cravings-manageable", many(range(5), craving=4), FULL, "met", "mean exactly 4"),
    C("cravings-manageable", many(range(4), craving=4) + [ci(4, craving=5)], FULL, "unmet",
      "mean 4.2 is above 4"),
    C("cravings-manageable", many(range(4), craving=1), FULL, "unknown", "4 values is too few"),
    C("cravings-manageable", many(range(4), craving=1) + [ci(6, craving=7)], FULL, "unmet",
      "a 7 is unmet even with few values"),
    C("cravings-manageable", many(range(5), craving=1) + [ci(7, craving=10)], FULL, "met",
      "a 10 eight days back is outside"),
    C("medication-stable", many(range(10), medication="taken"), FULL, "met", "10 of 14 with a value"),
    C("medication-stable", many(range(10), medication="not-prescribed"), FULL, "met",
      "not prescribed is a value"),
    C("medication-stable", many(range(9), medication="taken"), FULL, "unknown", "9 values is too few"),
    C("medication-stable", many(range(10), medication="taken") + [ci(13, medication="missed")], FULL,
      "unmet", "missed on the 14th day back"),
    C("medication-stable", many(range(10), medication="taken") + [ci(14, medication="missed")], FULL,
      "met", "missed 15 days back is outside"),
    C("no-recent-use", many(range(10), use="none"), FULL, "met", "10 days with use none"),
    C("no-recent-use", many(range(9), use="none") + many(range(9, 14)), FULL, "unknown",
      "9 none and 5 null: null never counts as none"),
    C("no-recent-use", many(range(14)), FULL, "unknown", "14 days all null"),
    C("no-recent-use", many(range(10), use="none") + [ci(13, use="suspected")], FULL, "unmet",
      "suspected on the 14th day back"),
    C("no-recent-use", many(range(10), use="none") + [ci(14, use="confirmed")], FULL, "met",
      "use 15 days back is outside"),
    C("safe-environment", many(range(8), access="none") + many((8, 9), access="possible"), FULL,
      "met", "10 values, possible on 2"),
    C("safe-environment", many(range(7), access="none") + many((8, 9, 13), access="possible"), FULL,
      "unmet", "possible on 3"),
    C("safe-environment", many(range(10), access="none") + [ci(13, access="easy")], FULL, "unmet",
      "easy on the 14th day back"),
    C("safe-environment", many(range(10), access="none") + [ci(14, access="easy")], FULL, "met",
      "easy 15 days back is outside"),
    C("safe-environment", many(range(9), access="none"), FULL, "unknown", "9 values is too few"),
    C("safe-environment", many(range(10), access="none"), FULL - {"home-substance-free"}, "unmet",
      "home-substance-free not ticked"),
    C("stress-tolerated", [], FULL, "met", "stress-handled ticked"),
    C("stress-tolerated", [ci(13, stress=7, use="none")], FULL - {"stress-handled"}, "met",
      "stress 7 with use none on the 14th day back"),
    C("stress-tolerated", [ci(13, stress=7)], FULL - {"stress-handled"}, "unknown",
      "stress 7 with use null is not enough"),
    C("stress-tolerated", [ci(3, stress=6, use="none")], FULL - {"stress-handled"}, "unknown",
      "stress 6 is one below"),
    C("stress-tolerated", [ci(3, stress=7), ci(3, use="none")], FULL - {"stress-handled"}, "met",
      "stress and no use from two caregivers the same day"),
    C("stress-tolerated", [ci(13, use="suspected")], FULL, "unmet", "use beats the ticked item"),
    *[C(item, [], FULL, "met", "ticked") for item in ("coping-practiced", "medically-stable",
                                                      "accountability")],
    *[C(item, [], FULL - {item}, "unmet", "not ticked") for item in
      ("coping-practiced", "medically-stable", "accountability")],
    C("coping-practiced", [], {"coping-practiced": False}, "unmet", "ticked false is not ticked"),
    C("transition-planned", [], FULL, "met", "all three ticked"),
    *[C("transition-planned", [], FULL - {item}, "unmet", f"{item} missing")
      for item in ("medication-plan", "next-appointment", "warning-plan")],
    C("no-warning-prompts", [], FULL, "met", "only the info prompt holds"),
    C("no-warning-prompts", many((0, 1, 2), stress=9), FULL, "met", "a watch prompt is fine"),
    C("no-warning-prompts", [ci(29, overdose=True)], FULL, "unmet", "overdose 30 days back"),
    C("no-warning-prompts", [ci(0, use="suspected")] + many(range(1, 6), use="none"), FULL, "unmet",
      "an urgent prompt"),
]


@pytest.mark.parametrize("cid, checkins, checklist, kw, status", CRITERION_CASES)
def test_step_down_criteria(cid, checkins, checklist, kw, status):
    c = criterion(checkins, cid, checklist, **kw)
    assert c["status"] == status
    assert c["why"] and c["why"].endswith(".")


def test_every_criterion_has_cases_for_each_status():
    seen = {(p.values[0], p.values[4]) for p in CRITERION_CASES}
    for c in signals.CRITERIA:
        statuses = {s for cid, s in seen if cid == c.id}
        expected = {"met", "unmet", "unknown"} if c.id in (
            "withdrawal-controlled", "cravings-manageable", "medication-stable", "no-recent-use",
            "safe-environment", "stress-tolerated") else {"met", "unmet"}
        assert statuses == expected, c.id


def test_all_eleven_criteria_always_listed_in_order():
    result = run([])
    assert [c["id"] for c in result["step_down"]["criteria"]] == [c.id for c in signals.CRITERIA]
    assert list(result) == ["prompts", "step_down"]
    assert list(result["step_down"]) == ["status", "criteria"]


def test_overall_supported_when_every_criterion_is_met():
    result = run(calm_days(), checklist=FULL, level_of_care="outpatient")
    assert result["prompts"] == []
    assert {c["status"] for c in result["step_down"]["criteria"]} == {"met"}
    assert result["step_down"]["status"] == "supported"
    assert status_words(result["step_down"]) == (
        "The signs support talking with the care team about stepping down")


def test_overall_unknown_when_nothing_unmet_but_something_unknown():
    result = run(calm_days(4), checklist=FULL)
    assert result["step_down"]["status"] == "unknown"
    assert status_words(result["step_down"]) == "Not enough check-ins yet to tell"


def test_overall_not_yet_names_the_reasons():
    result = run(calm_days() + [ci(1, use="suspected")], checklist=FULL - {"accountability"},
                 level_of_care="iop")
    assert result["step_down"]["status"] == "not-yet"
    words = status_words(result["step_down"])
    assert words.startswith("Not yet, because ")
    assert "signs of use" in words and "outside treatment" in words
    assert words.count("there were signs of use") == 1  # one reason, said once


def test_status_words_never_say_ready_as_a_verdict():
    import re
    texts = list(signals.STATUS_WORDS.values()) + [c.because for c in signals.CRITERIA]
    assert not any(re.search(r"\bready\b", t, re.IGNORECASE) for t in texts)


# ---------------------------------------------------------------------------
# Validation of one check-in
# ---------------------------------------------------------------------------
def test_validate_fills_defaults_and_sorts_signs():
    c = validate_checkin({"date": "2026-11-20", "withdrawal_signs": ["tremor", "sweating", "tremor"],
                          "overdose": None}, TODAY)
    assert c == {"date": "2026-11-20", "craving": None, "withdrawal": None,
                 "withdrawal_signs": ["sweating", "tremor"], "access": None, "stress": None,
                 "medication": None, "use": None, "overdose": False, "naloxone_given": False,
                 "notes": None}
    assert validate_checkin({"date": "2026-11-19", "withdrawal_signs": None})["withdrawal_signs"] == []


def test_validate_accepts_the_limits():
    c = validate_checkin({"date": "2026-01-01", "craving": 0, "stress": 10, "notes": "\U0001F600" * 2000},
                         TODAY)
    assert (c["craving"], c["stress"], len(c["notes"])) == (0, 10, 2000)
    assert validate_checkin({"date": iso(14)}, TODAY, max_days_back=14)["date"] == iso(14)


@pytest.mark.parametrize("data, field, words", [
    ({"craving": 3.5}, "craving", "whole number from 0 to 10"),
    ({"craving": 3.0}, "craving", "whole number"),
    ({"craving": True}, "craving", "whole number"),
    ({"craving": "3"}, "craving", "whole number"),
    ({"craving": 11}, "craving", "whole number"),
    ({"craving": -1}, "craving", "whole number"),
    ({"stress": 11}, "stress", "whole number from 0 to 10"),
    ({"withdrawal": "bad"}, "withdrawal", "none, mild, moderate or severe"),
    ({"access": "hard"}, "access", "none, possible or easy"),
    ({"medication": "skipped"}, "medication", "taken, missed or not-prescribed"),
    ({"use": "yes"}, "use", "none, suspected or confirmed"),
    ({"withdrawal_signs": "sweating"}, "withdrawal_signs", "list"),
    ({"withdrawal_signs": ["sweating", "fever"]}, "withdrawal_signs", '"fever" is not a known sign'),
    ({"overdose": "yes"}, "overdose", "true or false"),
    ({"naloxone_given": 0}, "naloxone_given", "true or false"),
    ({"notes": "x" * 2001}, "notes", "at most 2,000 characters"),
    ({"notes": 5}, "notes", "text"),
    ({"mood": 3}, None, 'unknown field "mood"'),
    ({"date": None}, "date", "required"),
    ({"date": "2026-11-21"}, "date", "after today"),
    ({"date": "2026/11/20"}, "date", "YYYY-MM-DD"),
    ({"date": "20261120"}, "date", "YYYY-MM-DD"),
    ({"date": "2026-02-30"}, "date", "YYYY-MM-DD"),
    ({"date": iso(15)}, "date", "at most 14 days"),
], ids=lambda v: repr(v)[:40] if isinstance(v, dict) else None)
def test_validation_errors_name_the_field(data, field, words):
    with pytest.raises(SignalsInputError) as e:
        validate_checkin({"date": "2026-11-20", **data}, TODAY, max_days_back=14)
    assert e.value.field == field and words in str(e.value)
    assert isinstance(e.value, ValueError)
    if field:
        assert str(e.value).startswith(f"{field}: ")


def test_validate_without_today_accepts_any_date():
    assert validate_checkin({"date": "2099-01-01"})["date"] == "2099-01-01"


def test_not_an_object():
    with pytest.raises(SignalsInputError):
        validate_checkin(["date"], TODAY)


# ---------------------------------------------------------------------------
# parse_input and the program
# ---------------------------------------------------------------------------
GOOD = {
    "today": "2026-11-20", "level_of_care": "outpatient", "level_since": "2026-11-02",
    "previous_level": "inpatient", "checklist": {"coping-practiced": True, "naloxone-home": False},
    "checkins": [{"date": "2026-11-19", "craving": 8, "stress": 9, "access": "easy"}],
}


def test_parse_input_gives_evaluate_kwargs():
    kw = parse_input(GOOD)
    assert kw["today"] == TODAY and kw["level_since"] == date(2026, 11, 2)
    assert kw["checklist"] == {"coping-practiced"}
    assert kw["checkins"][0]["overdose"] is False
    out = evaluate(**kw)
    assert out["prompts"][0]["rule"] == "access-under-stress"
    assert out["prompts"][0]["evidence"] == ["2026-11-19"]
    assert out["prompts"][0]["suggested_levels"] == ["iop", "php"]


def test_parse_input_minimal_and_nulls():
    kw = parse_input({"today": "2026-11-20", "checkins": [], "level_of_care": None,
                      "level_since": None, "previous_level": None})
    assert kw["level_of_care"] is None and kw["checklist"] == frozenset()


def bad(**change):
    obj = {k: v for k, v in GOOD.items() if change.get(k, 0) is not None}
    obj.update({k: v for k, v in change.items() if v is not None})
    return json.dumps(obj)


BAD_INPUTS = [
    pytest.param("{not json", "input: is not valid JSON", id="malformed JSON"),
    pytest.param(b"\xff\xfe{}", "input: is not valid UTF-8", id="not UTF-8"),
    pytest.param("[1, 2]", "input: must be a JSON object", id="not an object"),
    pytest.param(bad(extra=1), 'input: unknown key "extra"', id="unknown top-level key"),
    pytest.param(bad(checkins=None), "checkins: is required", id="missing checkins"),
    pytest.param(bad(checkins={}), "checkins: must be a list", id="checkins not a list"),
    pytest.param(bad(today=None), "today: is required", id="missing today"),
    pytest.param(bad(today="Fri 20 Nov"), "today: must be a date", id="today not a date"),
    pytest.param(bad(today="0001-01-05", level_since=None), "today: must be 0001-04-01 or later",
                 id="today too early to look back"),
    pytest.param(bad(level_of_care="rehab"), "level_of_care: must be one of", id="unknown level"),
    pytest.param(bad(previous_level="detox"), "previous_level: must be one of", id="unknown previous level"),
    pytest.param(bad(level_since="2026-11-21"), "level_since: cannot be after today",
                 id="level_since after today"),
    pytest.param(bad(checklist={"pray": True}), 'checklist: unknown item "pray"', id="unknown checklist id"),
    pytest.param(bad(checklist={"coping-practiced": 1}), "checklist.coping-practiced: must be true or false",
                 id="checklist value not a boolean"),
    pytest.param(bad(checklist=["coping-practiced"]), "checklist: must be an object",
                 id="checklist not an object"),
    pytest.param(bad(checkins=[{"date": "2026-11-19"}, {"date": "2026-11-18"}, {"date": "2026-11-17"},
                               {"date": "2026-11-16", "craving": 3.5}]),
                 "checkins[3].craving: must be a whole number from 0 to 10", id="invalid check-in field"),
    pytest.param(bad(checkins=[{"date": "2026-11-21"}]), "checkins[0].date: cannot be after today",
                 id="check-in after today"),
    pytest.param(bad(checkins=[{"date": "2026-11-20", "mood\nx": 1}]), 'checkins[0]: unknown field "mood\\nx"',
                 id="unknown check-in field, newline kept on one line"),
    pytest.param(bad(checkins=[5]), "checkins[0]: a check-in must be an object", id="check-in not an object"),
    pytest.param(bad(extra=1, today=None), 'input: unknown key "extra"', id="first problem only"),
    pytest.param('{"today": "2026-11-20", "checkins": [{"date": "2026-11-20", "craving": 1%s}]}'
                 % ("0" * 5000), "input: is not valid JSON", id="number too long to read"),
]


def _run_main(stdin_bytes, monkeypatch):
    out, err = io.BytesIO(), io.StringIO()

    class Stdout:
        buffer = out

        @staticmethod
        def flush():
            pass

    class Stdin:
        buffer = io.BytesIO(stdin_bytes)

    monkeypatch.setattr(sys, "stdin", Stdin)
    monkeypatch.setattr(sys, "stdout", Stdout)
    monkeypatch.setattr(sys, "stderr", err)
    return signals.main(), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("stdin, message", BAD_INPUTS)
def test_main_in_process_refuses_bad_input(stdin, message, monkeypatch):
    data = stdin if isinstance(stdin, bytes) else stdin.encode()
    code, out, err = _run_main(data, monkeypatch)
    assert code == 2 and out == b""
    assert err.endswith("\n") and err.count("\n") == 1
    assert err.startswith(message), err


def test_main_in_process_good_input(monkeypatch):
    code, out, err = _run_main(json.dumps(GOOD).encode(), monkeypatch)
    assert code == 0 and err == ""
    assert json.loads(out) == evaluate(**parse_input(GOOD))


# The program itself, in its own process. Starting one costs about half a second
# (the caregiver package imports Flask), so the good input and one case of each kind
# of failure (bytes, JSON, input object, check-in) run as real processes, side by
# side with the other tests; every bad input also runs through main() above.
CLI_BAD = ("malformed JSON", "not UTF-8", "unknown top-level key", "invalid check-in field",
           "check-in after today")
SPEC_EXAMPLE = {
    "today": "2026-11-20", "level_of_care": "outpatient", "level_since": "2026-11-02",
    "previous_level": "inpatient", "checklist": {"coping-practiced": True},
    "checkins": [{"date": "2026-11-19", "craving": 8, "stress": 9, "access": "easy"}],
}
CLI_CASES = {"good": json.dumps(SPEC_EXAMPLE).encode()}
CLI_CASES.update({p.id: (p.values[0] if isinstance(p.values[0], bytes) else p.values[0].encode())
                  for p in BAD_INPUTS if p.id in CLI_BAD})


@pytest.fixture(scope="module", autouse=True)
def _cli_processes():
    """Start the programs with the module's first test, so they run while the rest does."""
    procs = {}
    for name, stdin in CLI_CASES.items():
        proc = subprocess.Popen([sys.executable, "-m", "caregiver.signals"], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        proc.stdin.write(stdin)  # small: fits the pipe, no deadlock
        proc.stdin.close()
        procs[name] = proc
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def cli_results(_cli_processes):
    results = {}
    for name, proc in _cli_processes.items():
        out, err = proc.stdout.read(), proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
        results[name] = subprocess.CompletedProcess(proc.args, proc.wait(timeout=60), out, err)
    return results


def test_cli_good_input_prints_json_and_exits_0(cli_results):
    r = cli_results["good"]
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    out = json.loads(r.stdout)
    assert out == evaluate(**parse_input(SPEC_EXAMPLE))
    rules = [p["rule"] for p in out["prompts"]]
    assert rules == ["access-under-stress", "recent-step-down"]
    assert out["step_down"]["status"] == "not-yet"
    assert out["step_down"]["criteria"][-1] == {
        "id": "no-warning-prompts", "status": "unmet", "why": out["step_down"]["criteria"][-1]["why"]}


@pytest.mark.parametrize("stdin, message", [p for p in BAD_INPUTS if p.id in CLI_BAD])
def test_cli_bad_input_exits_2_with_one_line(stdin, message, cli_results, request):
    r = cli_results[request.node.callspec.id]
    assert r.returncode == 2
    assert r.stdout == b""
    err = r.stderr.decode()
    assert err.count("\n") == 1 and err.endswith("\n")
    assert err.startswith(message), err


def test_not_yet_blames_only_the_checklist_when_no_one_saw_the_drug_within_reach():
    result = run(calm_days(), checklist=FULL - {"home-substance-free"}, level_of_care="iop")
    words = status_words(result["step_down"])
    assert words == "Not yet, because the home is not yet checked free of drugs"


def test_not_yet_names_at_most_three_reasons_and_counts_the_rest():
    result = run([], level_of_care="iop")  # nothing ticked: five checklist-based reasons
    words = status_words(result["step_down"])
    assert words == ("Not yet, because the home is not yet checked free of drugs, coping skills are not yet "
                     "ticked as practiced, the care team has not yet said they are medically stable and "
                     "2 more reasons listed below")



def test_the_program_loads_no_web_code():
    """`python -m caregiver.signals` starts without Flask or WTForms: the engine and the
    package's __init__ import only the standard library."""
    code = ("import sys, caregiver.signals; "
            "print(sorted(m for m in ('flask', 'wtforms', 'werkzeug', 'sqlite_utils') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------
# The whole level path (left_24_7_on) and a stopped medication
# ---------------------------------------------------------------------------
CHAIN = {"level_of_care": "iop", "level_since": day(10), "previous_level": "outpatient",
         "left_24_7_on": day(18)}


def test_use_after_a_chain_of_step_downs_is_urgent_while_tolerance_is_low():
    """Inpatient -> outpatient (18 days ago) -> IOP (10 days ago): the level just before
    IOP is outpatient, yet the person left 24/7 care 18 days ago."""
    p = prompt_for([ci(0, use="suspected")], "use-after-abstinence", **CHAIN)
    assert p["evidence"] == [iso(0)]
    assert "after leaving 24/7 care on Mon 2 Nov (18 days ago); intensive outpatient since Tue 10 Nov" in p["why"]
    # Without left_24_7_on, only the previous level is read: outpatient is not 24/7 care.
    without = {k: v for k, v in CHAIN.items() if k != "left_24_7_on"}
    assert prompt_for([ci(0, use="suspected")], "use-after-abstinence", **without) is None


def test_use_27_days_after_leaving_is_urgent_and_28_is_not():
    base = {"level_of_care": "outpatient", "previous_level": "iop", "level_since": day(5)}
    assert prompt_for([ci(0, use="confirmed")], "use-after-abstinence", **base, left_24_7_on=day(27))
    assert prompt_for([ci(0, use="confirmed")], "use-after-abstinence", **base, left_24_7_on=day(28)) is None


def test_recent_step_down_names_the_path():
    p = prompt_for([ci(0)], "recent-step-down", **CHAIN)
    assert p["why"] == ("Leaving 24/7 care on Mon 2 Nov (18 days ago); intensive outpatient since "
                        "Tue 10 Nov, within the last 28 days.")
    p = prompt_for([ci(0)], "recent-step-down", **LOWER, level_since=day(4))
    assert p["why"].startswith("Leaving inpatient care on Mon 16 Nov (4 days ago)")
    assert "follow-up appointment is booked within days" in p["action"]


def test_older_inputs_keep_their_meaning_through_the_program():
    """An input without left_24_7_on reads the previous level, as before; with it, the path."""
    old = {"today": TODAY.isoformat(), "level_of_care": "outpatient", "level_since": iso(3),
           "previous_level": "inpatient", "checkins": []}
    assert "recent-step-down" in [p["rule"] for p in evaluate(**parse_input(old))["prompts"]]
    assert "recent-step-down" not in [p["rule"] for p in evaluate(**parse_input({**old, "left_24_7_on": None}))["prompts"]]
    chain = {**old, "level_of_care": "iop", "previous_level": "outpatient", "left_24_7_on": iso(20)}
    assert "recent-step-down" in [p["rule"] for p in evaluate(**parse_input(chain))["prompts"]]


@pytest.mark.parametrize("extra, message", [
    ({"left_24_7_on": "2026-11-21"}, "left_24_7_on: cannot be after today"),
    ({"left_24_7_on": "2026-11-19", "level_since": "2026-11-10"}, "left_24_7_on: cannot be after level_since"),
    ({"left_24_7_on": "yesterday"}, "left_24_7_on: must be a date written YYYY-MM-DD"),
    ({"medication_stopped_on": "2026-11-21"}, "medication_stopped_on: cannot be after today"),
    ({"medication_stopped_on": 5}, "medication_stopped_on: must be a date written YYYY-MM-DD"),
])
def test_the_new_dates_are_checked(extra, message):
    obj = {"today": TODAY.isoformat(), "level_of_care": "iop", "checkins": [], **extra}
    with pytest.raises(signals.SignalsInputError) as e:
        parse_input(obj)
    assert str(e.value).startswith(message)


def test_a_stopped_medication_is_a_watch_sign_that_names_the_studies_and_restarting():
    p = prompt_for([ci(0)], "medication-stopped", medication_stopped_on=day(3))
    assert p["level"] == "watch" and p["evidence"] == [iso(3)]
    assert p["why"] == ("Medication for opioid use disorder stopped on Tue 17 Nov (3 days ago), "
                        "within the last 28 days.")
    matters = signals.RULES_BY_ID["medication-stopped"].matters
    assert "several times higher" in matters and "Cornish, Hickman" in matters
    assert "restarting" in p["action"] and "naloxone" in p["action"]


@pytest.mark.parametrize("stopped, status", [(13, "unmet"), (14, "met")])
def test_medication_stable_is_unmet_while_a_stop_is_within_14_days(stopped, status):
    checkins = many(range(14), medication="taken")
    c = criterion(checkins, "medication-stable", medication_stopped_on=day(stopped))
    assert c["status"] == status
    if status == "unmet":
        assert c["why"] == "Medication stopped on Sat 7 Nov (in the last 14 days)."


def test_the_program_reads_the_new_keys():
    obj = {"today": TODAY.isoformat(), "medication_stopped_on": iso(2), "checkins": []}
    out = subprocess.run([sys.executable, "-m", "caregiver.signals"], cwd=ROOT, input=json.dumps(obj),
                         capture_output=True, text=True, check=True)
    assert "medication-stopped" in [p["rule"] for p in json.loads(out.stdout)["prompts"]]


def test_criterion_words_say_what_is_known_never_a_verdict():
    result = run([], checklist=set())
    words = {c["id"]: signals.criterion_words(c) for c in result["step_down"]["criteria"]}
    assert words["medically-stable"] == "Not ticked yet"
    assert words["safe-environment"] == "Not ticked yet"  # only the checklist item stops it
    assert words["withdrawal-controlled"] == "The check-ins don't show this yet"
    used = run([ci(0, use="confirmed")], checklist=STEP_DOWN_ITEMS)["step_down"]["criteria"]
    assert {c["id"]: signals.criterion_words(c) for c in used}["no-recent-use"] == "Not yet"
