"""Spanish on the check-in, checklist, level, prompt, summary, share and import pages.

Each page is rendered in English and in Spanish with the same data (showing its
conditional parts); no English sentence of these pages' own words may be left in the
Spanish page. The Spanish comes from the catalog (translations/es/LC_MESSAGES/messages.po,
compiled by `make` or by conftest.py); its completeness is tests/test_catalogs.py's.
"""
import dataclasses
import html
import io
import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from caregiver import content, signals, summary, vocabulary, words
from caregiver.db import one
from conftest import Actions

ROOT = Path(__file__).resolve().parent.parent
PART = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"  # the Spanish catalog
#: The files whose words this part translates.
MINE = ("templates/checkins/", "templates/checklists/", "templates/levels/", "templates/prompts/",
        "templates/summary/", "templates/share/", "templates/transfer/",
        "caregiver/checkins.py", "caregiver/checklists.py", "caregiver/levels.py", "caregiver/prompts.py",
        "caregiver/summary.py", "caregiver/share.py", "caregiver/transfer.py", "caregiver/forms.py",
        "caregiver/records.py")
TZ = "America/New_York"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
TAG = re.compile(r"<[^>]+>")
EN, ES = {"Accept-Language": "en"}, {"Accept-Language": "es"}


def ago(days):
    return (datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date() - timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """Every message of the project, as `pybabel extract` finds it today."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-o", str(pot), "."], cwd=ROOT,
                   check=True, capture_output=True)
    with open(pot, "rb") as f:
        return [m for m in read_po(f) if m.id]


def is_mine(message):
    return any(loc[0].startswith(MINE) for loc in message.locations)


@pytest.fixture(scope="module")
def extracted(everything):
    """The messages of this part's files."""
    return [m for m in everything if is_mine(m)]


@pytest.fixture(scope="module")
def others(everything):
    """The English runs of the other parts' messages, longest first (see without_others)."""
    runs = {run for m in everything if not is_mine(m) for run in sentences(m, words_needed=1)}
    return sorted(runs, key=len, reverse=True)


def strings_in(value, found):
    """Every text inside `value` (dicts, lists, dataclasses, lazy labels), whitespace collapsed."""
    if isinstance(value, (str, words.Lazy)) or type(value).__name__ == "LazyString":
        found.add(re.sub(r"\s+", " ", str(value)).strip())
    elif isinstance(value, dict):
        for item in value.values():
            strings_in(item, found)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            strings_in(item, found)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            strings_in(getattr(value, field.name), found)
    return found


def engine_words(app, circle_id):
    """The texts that the vocabulary, the content and the rules engine give these pages, in
    Spanish as far as their own catalogs go (other work translates them at their source)."""
    found = set()
    for module in (vocabulary, content, signals):
        strings_in([v for k, v in vars(module).items() if k.isupper()], found)
    with app.test_request_context("/", headers=ES):
        app.preprocess_request()
        circle = one("SELECT * FROM circles WHERE id = ?", [circle_id])
        built = summary.build_summary(circle, 30, True)
        strings_in(built, found)
        strings_in([signals.criterion_words(c) for c in built["step_down"]["criteria"]], found)
        strings_in(signals.status_words(built["step_down"]), found)
        strings_in(signals.urgent_follow_up(circle["level_of_care"]), found)
    return sorted((t for t in found if len(t) > 3), key=len, reverse=True)


def without_others(page_text, runs):
    """The page's text without the other parts' sentences: a level name or a rule's words
    (translated at their source, by other work) may hold a few words of this part, "naloxone
    given" in "Was naloxone given?". Only this part's own sentences are judged here."""
    for run in runs:
        page_text = page_text.replace(run, " ")
    return page_text


@pytest.fixture(scope="module")
def part():
    with open(PART, "rb") as f:
        return read_po(f)


def forms(message):
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def test_every_message_of_these_pages_has_a_checked_spanish_translation(extracted, part):
    assert len(extracted) > 300  # the pages' words were found at all
    for message in extracted:
        spanish = part.get(message.id)
        assert spanish is not None, f"no Spanish for {message.id!r}"
        assert not spanish.fuzzy, message.id
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = forms(spanish)
        if message.pluralizable:
            assert len(strings) == part.num_plurals == 3, message.id
        for string in strings:
            assert string.strip(), f"empty Spanish for {message.id!r}"
            for english in ids:
                # The same placeholders, and the same markup (a link keeps its href).
                assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(english)), message.id
                assert sorted(TAG.findall(string)) == sorted(TAG.findall(english)), message.id


def build(client):
    """A circle whose pages show their conditional parts: two caregivers, urgent and
    more-structure signs, an edit and a deletion, a level change, ticks, a response,
    an injection, share links active and withdrawn."""
    auth = Actions(client)
    auth.sign_up()
    c = auth.create_circle(tz=TZ, level="iop", since=ago(20), previous_level="inpatient")
    auth.join_circle(c, "bob", name="Bob")
    auth.checkin(c, date=ago(3), craving="6", notes="Bob saw it")
    auth.sign_out()
    auth.sign_in()
    for n in (4, 3, 2, 1):
        auth.checkin(c, date=ago(n), craving="9", stress="8", use="suspected", medication="missed", access="easy",
                     withdrawal="moderate", withdrawal_signs=["sweating", "runny-nose-or-eyes"], notes=f"Day {n}")
    auth.checkin(c, date=ago(0), overdose="y", naloxone_given="y", craving="7", notes="Hard day")
    first = re.search(r"/checkins/(\d+)/edit", client.get(f"/c/{c}/history").get_data(as_text=True)).group(1)
    auth.post(f"/c/{c}/checkins/{first}/edit", {"date": ago(0), "craving": "8", "overdose": "y",
                                                 "naloxone_given": "y", "notes": "Hard day, later"})
    auth.checkin(c, date=ago(5), craving="2", use="confirmed")
    newest = max(map(int, re.findall(r"/checkins/(\d+)/edit", client.get(f"/c/{c}/history").get_data(as_text=True))))
    auth.post(f"/c/{c}/checkins/{newest}/delete", token_from=f"/c/{c}/checkins/{newest}/edit")
    auth.post(f"/c/{c}/level", {"level": "iop", "since": ago(6)})
    auth.post(f"/c/{c}/level", {"level": "php", "since": ago(6), "note": "Program said so"})  # a correction
    auth.tick(c, "medically-stable", 1)
    auth.tick(c, "coping-practiced", 1)
    auth.tick(c, "coping-practiced", 0)
    auth.post(f"/c/{c}/prompt-responses", {"rule": "cravings-high", "action": "talked-with-care-team",
                                           "note": "Called the counselor"}, token_from=f"/c/{c}/")
    auth.post(f"/c/{c}/prompt-responses", {"rule": "cravings-rising", "action": "watching"},
              token_from=f"/c/{c}/")
    auth.post(f"/c/{c}/medication", {"medication": "naltrexone-injection", "since": ago(3), "next_due": ago(-20)})
    # A share link is read in the language it was made in: one for each.
    share = {"en": auth.share_link(c, include_notes="y", language="en"),
             "es": auth.share_link(c, label="Clínica", include_notes="y", language="es")}
    auth.share_link(c, label="Old clinic")
    old = re.findall(r"/share/(\d+)/revoke", client.get(f"/c/{c}/share").get_data(as_text=True))[0]
    auth.post(f"/c/{c}/share/{old}/revoke", token_from=f"/c/{c}/share")
    client.get(share["en"])  # opened once
    return auth, c, share


def lang_of(page):
    return re.search(r'<html lang="([^"]+)"', page.get_data(as_text=True)).group(1)


def text(page):
    """What a person reads (and hears: attributes with words) in the page's title and main
    part, tags removed (the menus around it are base.html's, another part's words)."""
    whole = page.get_data(as_text=True)
    body = re.search(r"<title>.*?</title>", whole, re.S).group(0) + whole.split("<main", 1)[1].split(">", 1)[1].split("</main>")[0]
    said = " ".join(re.findall(r'(?:aria-label|data-confirm|data-outbox-label|title)="([^"]*)"', body))
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(TAG.sub(" ", body) + " " + said))


def sentences(message, words_needed=2):
    """The English runs of a msgid that a page shows as they are: the pieces between its
    placeholders and tags with at least two words (one word alone, "Day", is no proof)."""
    runs = []
    for english in ([message.id] if isinstance(message.id, str) else message.id):
        for piece in re.split(r"%\(\w+\)[sd]|<[^>]+>", english):
            piece = re.sub(r"\s+", " ", piece).strip(" .,:;()·")
            if len([w for w in piece.split() if re.search("[A-Za-z]", w)]) >= words_needed:
                runs.append(piece)
    return runs


def each_page(client, auth, c, share, headers):
    """Every page of this part as `headers` asks, some more than once (a link or an import
    result is shown once)."""
    get = lambda path: client.get(path, headers=headers)  # noqa: E731
    history = get(f"/c/{c}/history")
    mine = re.findall(r"/checkins/(\d+)/edit", history.get_data(as_text=True))[0]
    pages = {"new": get(f"/c/{c}/checkins/new"), "history": history, "edit": get(f"/c/{c}/checkins/{mine}/edit"),
             "checklists": get(f"/c/{c}/checklists"), "continuum": get(f"/c/{c}/continuum"),
             "level": get(f"/c/{c}/level"), "home": get(f"/c/{c}/"),
             "summary": get(f"/c/{c}/summary?notes=1&days=30"), "summary-7": get(f"/c/{c}/summary?days=7"),
             "share": get(share[headers["Accept-Language"][:2]]), "share-unknown": get("/share/not-a-link")}
    replay = {"date": ago(0), "craving": "9", "client_id": f"replay-{headers['Accept-Language']}-1"}
    pages["saved"] = auth.post(f"/c/{c}/checkins/new", replay, headers=headers)
    pages["saved-again"] = auth.post(f"/c/{c}/checkins/new", replay, headers=headers)
    pages["checkin-errors"] = auth.post(f"/c/{c}/checkins/new", {"date": "2099-01-01", "craving": "11",
                                                                   "overdose": "maybe", "bogus": "1"}, headers=headers)
    pages["level-errors"] = auth.post(f"/c/{c}/level", {"level": "x", "since": "nope", "note": "n" * 600},
                                      headers=headers)
    auth.post(f"/c/{c}/share", {"label": "Nurse Kim", "expires_days": "7", "days": "7"}, headers=headers)
    pages["share-links"] = get(f"/c/{c}/share")
    pages["share-errors"] = auth.post(f"/c/{c}/share", {"label": "", "expires_days": "500", "days": "9"},
                                      headers=headers)
    # An import into a circle without a level of care: its level and ticks are taken.
    data = json.loads(client.get(f"/c/{c}/export.json").get_data())
    data["checklist"] = {"home-substance-free": True, "medically-stable": True}
    other = auth.create_circle(nickname="Ana", level="", since="", tz=TZ)
    auth.tick(other, "medically-stable", 0)
    auth.post(f"/c/{other}/import", {"file": (io.BytesIO(json.dumps(data).encode()), "export.json")},
              content_type="multipart/form-data", headers=headers)
    pages["import"] = get(f"/c/{other}/import")
    pages["imported-history"] = get(f"/c/{other}/history")
    bad = b'{"checkins": [{"date": "2026-01-01", "craving": 12}]}'
    pages["import-problem"] = auth.post(f"/c/{other}/import", {"file": (io.BytesIO(bad), "export.json")},
                                        content_type="multipart/form-data", headers=headers)
    return pages


def test_every_page_reads_in_spanish_with_no_english_sentence_of_its_own_left(app, extracted, others):
    client = app.test_client()
    auth, c, share = build(client)
    english = each_page(client, auth, c, share, EN)
    spanish = each_page(client, auth, c, share, ES)
    others = others + engine_words(app, c)
    checked = set()
    for name, page in spanish.items():
        assert page.status_code < 500, name
        assert english[name].status_code == page.status_code, name
        assert lang_of(page) == "es" and lang_of(english[name]) == "en", name
        en_text, es_text = text(english[name]), without_others(text(page), others)
        for message in extracted:
            for run in sentences(message):
                if run in en_text:
                    checked.add(run)
                    assert run not in es_text, f"{name}: still in English: {run!r}"
    # The data showed the pages' conditional parts: many of their sentences were compared.
    missing = [run for run in ("Already saved; nothing was doubled", "withdrawn by", "replaced by a later entry",
                "warning signs add up", "Record what you did", "Nothing was imported",
                "Level of care from the file", "last on", "Before that", "check-ins by",
                "Injection up to date?", "Unknown field", "Who is it for: enter a name, e.g. Dr",
                "next injection due", "Other steps the family recorded in these days",
                "edited a check-in", "deleted a check-in", "This link does not work")
               if not any(run in seen for seen in checked)]
    assert not missing
    assert len(checked) > 150


def test_spanish_pages_say_the_dates_values_and_counts_in_whole_spanish_sentences(app):
    client = app.test_client()
    auth, c, share = build(client)
    history = text(client.get(f"/c/{c}/history", headers=ES))
    assert "Alice cambió un registro: " in history and "la nota" in history
    assert "Alice borró un registro (" in history
    assert re.search(r"\b2 registros de (Alice, Bob|Bob, Alice)\b", history)
    level = text(client.get(f"/c/{c}/level", headers=ES))
    assert re.search(r", desde el .+, 6 días\.", level)
    summary = text(client.get(f"/c/{c}/summary?days=30", headers=ES))
    assert "(los últimos 30 días)" in summary and "no tomó" in summary and "sospecha" in summary
    assert "No incluye las notas de los cuidadores." in summary
    links = text(client.get(f"/c/{c}/share", headers=ES))
    assert "Se abrió 1 vez; la última, el " in links and "Se abrió 0 veces." in links
    shared = client.get(share["es"], headers=ES)
    assert lang_of(shared) == "es"
    assert "Compartido con el equipo de atención médica" in shared.get_data(as_text=True)  # its header
    # The CSV keeps its machine-readable English (docs/export.md), whatever the page's language.
    other = auth.create_circle(nickname="Ana", level="", since="", tz=TZ)
    auth.post(f"/c/{other}/import", {"file": (io.BytesIO(client.get(f"/c/{c}/export.json").get_data()),
                                              "export.json")}, content_type="multipart/form-data", headers=ES)
    assert "Importado" in text(client.get(f"/c/{other}/history", headers=ES))
    csv_text = client.get(f"/c/{other}/export.csv", headers=ES).get_data(as_text=True)
    assert ",Imported," in csv_text and "Importado" not in csv_text
