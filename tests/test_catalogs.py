"""The word catalogs: every message a person can read has a checked translation."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = sorted(p.parent.parent.name for p in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
TAG = re.compile(r"</?[a-z][a-z0-9]*")


def catalog(language):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


def forms(message):
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def translations(message):
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages of the code as it is now, found as `scripts/translations update` finds them."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "extract", "-F", "babel.cfg", "-o", str(pot),
                    "."], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as f:
        return {forms(m) for m in read_po(f) if m.id}


def test_spanish_is_offered():
    assert "es" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_code_is_in_the_catalog_and_nothing_else(language, extracted):
    listed = {forms(m) for m in catalog(language) if m.id}
    assert not extracted - listed, f"not in translations/{language}: run scripts/translations update"
    assert not listed - extracted, "no longer in the code: run scripts/translations update"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_is_done_checked_and_keeps_placeholders_and_markup(language):
    problems = []
    for m in catalog(language):
        if not m.id:
            continue
        if m.fuzzy:
            problems.append(("fuzzy", m.id))
        for english in forms(m):
            for text in translations(m):
                if not text.strip():
                    problems.append(("empty", m.id))
                elif sorted(set(PLACEHOLDER.findall(english))) != sorted(set(PLACEHOLDER.findall(text))):
                    if not (len(forms(m)) > 1 and "%(num)d" in english and "%(num)d" not in text):
                        problems.append(("placeholders", m.id, text))
                elif sorted(TAG.findall(english)) != sorted(TAG.findall(text)):
                    problems.append(("markup", m.id, text))
    assert not problems, problems[:20]
