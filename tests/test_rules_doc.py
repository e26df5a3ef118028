"""docs/rules.md and the rules catalog in caregiver/signals.py say the same thing."""
import re
from pathlib import Path

import pytest

from caregiver import signals

DOC = (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")

RULE_HEADING = re.compile(r"^### `([a-z0-9-]+)` \(([a-z-]+)\)\s*$", re.MULTILINE)
CRITERION_HEADING = re.compile(r"^### `([a-z0-9-]+)`\s*$", re.MULTILINE)


def _sections(pattern):
    """{id: (heading groups, body up to the next heading)} in the doc's order."""
    out = {}
    for m in pattern.finditer(DOC):
        nxt = re.compile(r"^#{1,3} ", re.MULTILINE).search(DOC, m.end())
        out[m.group(1)] = (m.groups(), DOC[m.end(): nxt.start() if nxt else len(DOC)])
    return out


RULE_SECTIONS = _sections(RULE_HEADING)
CRITERION_SECTIONS = _sections(CRITERION_HEADING)


def _numbers(text):
    """The whole numbers written in `text`, ignoring "24/7" (a name, not a threshold)."""
    return {int(n) for n in re.findall(r"\d+", text.replace("24/7", ""))}


def _line(body, label):
    m = re.search(rf"^\*\*{label}:\*\*(.*)$", body, re.MULTILINE)
    assert m, f"missing '**{label}:**' line"
    return m.group(1)


def _threshold_numbers(item_id):
    return {v for v in signals.THRESHOLDS[item_id].values()}


def test_every_rule_in_the_code_has_a_heading_with_its_level():
    doc = [(i, groups[1]) for i, (groups, _) in RULE_SECTIONS.items()]
    code = [(r.id, r.level) for r in signals.RULES]
    assert doc == code  # same ids, same levels, same order, nothing extra


def test_every_criterion_in_the_code_has_a_heading():
    assert list(CRITERION_SECTIONS) == [c.id for c in signals.CRITERIA]


def test_rules_and_criteria_headings_are_apart():
    # a rule heading carries its level; a criterion heading carries nothing
    assert not set(RULE_SECTIONS) & set(CRITERION_SECTIONS)
    assert DOC.index("## Prompt rules") < DOC.index("## Step-down readiness")


@pytest.mark.parametrize("rule_id", [r.id for r in signals.RULES])
def test_rule_numbers_match_the_code_thresholds(rule_id):
    holds = _line(RULE_SECTIONS[rule_id][1], "Holds when")
    assert _numbers(holds) == _threshold_numbers(rule_id), holds


@pytest.mark.parametrize("criterion_id", [c.id for c in signals.CRITERIA])
def test_criterion_numbers_match_the_code_thresholds(criterion_id):
    body = CRITERION_SECTIONS[criterion_id][1]
    text = _line(body, "Unmet when") + " " + _line(body, "Met when")
    assert _numbers(text) == _threshold_numbers(criterion_id), text


def test_step_down_window_matches_the_code():
    assert f"check-ins of the last {signals.STEP_DOWN_DAYS} days" in DOC


def test_checklist_items_named_in_criteria_exist():
    for _, body in CRITERION_SECTIONS.values():
        for item in re.findall(r"checklist items? ((?:`[a-z-]+`(?:, | and )?)+)", body):
            for item_id in re.findall(r"`([a-z-]+)`", item):
                assert item_id in signals.CHECKLIST_ITEMS["step-down"], item_id


def test_suggested_levels_table_matches_the_code():
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (.*) \|$", DOC, re.MULTILINE))
    for level in signals.LEVELS:
        assert level in rows, level
        assert tuple(re.findall(r"`([a-z-]+)`", rows[level])) == signals.SUGGESTED_LEVELS[level]
    assert re.search(r"^\| unknown \| none \|$", DOC, re.MULTILINE)


def test_doc_says_what_the_app_never_does():
    assert "## What the app never does" in DOC
    assert "never diagnoses" in DOC and "never decides a level of care" in DOC
    assert "## How days are combined" in DOC
    for word in signals.STATUS_WORDS.values():
        assert word in DOC
