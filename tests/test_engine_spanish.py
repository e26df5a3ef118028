"""The engine, the vocabulary, the days and the emergency words in Spanish (issue 18).

The Spanish comes from translations/es/LC_MESSAGES/messages.po, compiled here into a temporary
folder, so these tests need no merged catalog. English stays as it was (tests/test_signals.py
checks every English sentence; here only that the languages differ where they should).
"""
import io
import json
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from caregiver import content, dates, emergency, signals, vocabulary, words

ROOT = Path(__file__).resolve().parent.parent
PART = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"  # the Spanish catalog
# The files whose words this part translates.
SOURCES = ["caregiver/signals.py", "caregiver/vocabulary.py", "caregiver/dates.py",
           "caregiver/content.py", "caregiver/emergency.py", "caregiver/charts.py"]
TODAY = date(2026, 11, 20)


def read_part():
    with open(PART, "rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("locale")
    (folder / "es" / "LC_MESSAGES").mkdir(parents=True)
    with open(folder / "es" / "LC_MESSAGES" / "messages.mo", "wb") as f:
        write_mo(f, read_part())
    return folder


@pytest.fixture
def es(compiled, monkeypatch):
    """Spanish available (the compiled part); the test switches to it with words.using."""
    monkeypatch.setattr(words, "LOCALEDIR", compiled)
    monkeypatch.setattr(words, "_catalogs", {})
    return "es"


# ---------------------------------------------------------------------------
# No English left: two texts share no run of 4 words (numbers and dates aside)
# ---------------------------------------------------------------------------
def runs(text, n=4):
    ws = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
    return {tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)}


def assert_translated(english, spanish):
    assert english != spanish, english
    shared = runs(english) & runs(spanish)
    assert not shared, (shared, spanish)


def test_the_run_check_finds_english_left_in_a_sentence():
    assert runs("Not yet, because the care team said so") & runs("Todavía no, because the care team")
    assert not runs("Todavía no, porque el equipo") & runs("Not yet, because the care team")


# ---------------------------------------------------------------------------
# Every rule, in Spanish
# ---------------------------------------------------------------------------
def ci(n, **fields):
    return signals.validate_checkin({"date": (TODAY - timedelta(days=n)).isoformat(), **fields}, TODAY)


def many(offsets, **fields):
    return [ci(n, **fields) for n in offsets]


def day(n):
    return TODAY - timedelta(days=n)


STEPPED_DOWN = {"level_of_care": "outpatient", "previous_level": "inpatient", "level_since": day(5)}
# An input that makes each rule hold.
HOLDS = {
    "overdose-recent": ([ci(0, overdose=True, naloxone_given=True), ci(1, overdose=True)], {}),
    "use-after-abstinence": ([ci(0, use="suspected")] + many(range(1, 6), use="none"), STEPPED_DOWN),
    "overdose-history": ([ci(10, naloxone_given=True)], {}),
    "use-in-lower-structure": ([ci(0, use="confirmed"), ci(3, use="suspected")], {"level_of_care": "iop"}),
    "frequent-use": (many(range(3), use="suspected"), {}),
    "withdrawal-severe": ([ci(0, withdrawal="severe")], {}),
    "withdrawal-prolonged": (many(range(4), withdrawal="moderate"), {}),
    "cravings-high": (many(range(3), craving=8), {}),
    "access-under-stress": ([ci(0, access="easy", stress=8)], {}),
    "missed-medication": (many(range(2), medication="missed"), {}),
    "repeated-relapse": ([ci(0, use="suspected"), ci(1, use="none"), ci(2, use="confirmed"),
                          ci(3, use="confirmed")], {}),
    "cravings-rising": (many(range(3), craving=8) + many(range(3, 10), craving=3), {}),
    "access-possible": (many(range(2), access="possible"), {}),
    "stress-high": (many(range(3), stress=8), {}),
    "recent-step-down": ([ci(0)], {**STEPPED_DOWN, "left_24_7_on": day(12)}),
    "medication-stopped": ([ci(0)], {"medication_stopped_on": day(3)}),
    "checkins-missing": ([], {"level_of_care": "residential"}),
}


def test_every_rule_has_an_input_that_makes_it_hold():
    assert set(HOLDS) == set(signals.RULES_BY_ID)


def prompt(rule_id, lang=None):
    checkins, kw = HOLDS[rule_id]
    with words.using(lang or words.ENGLISH):
        found = {p["rule"]: p for p in signals.evaluate(TODAY, checkins, **kw)["prompts"]}
    assert rule_id in found
    return found[rule_id]


@pytest.mark.parametrize("rule_id", list(HOLDS))
def test_each_rule_reads_in_spanish_and_keeps_everything_else(rule_id, es):
    english, spanish = prompt(rule_id), prompt(rule_id, es)
    for key in ("title", "why", "action"):
        assert_translated(english[key], spanish[key])
    for key in ("rule", "level", "evidence", "suggested_levels"):
        assert spanish[key] == english[key]
    assert list(spanish) == list(english)


def test_the_spanish_words_say_the_days_and_values_the_spanish_way(es):
    why = prompt("cravings-high", es)["why"]
    assert why.startswith("Deseo de consumir de 8 cada día del mié 18 nov al vie 20 nov")
    assert prompt("missed-medication", es)["why"].startswith("Medicamento sin tomar el jue 19 nov y vie 20 nov")
    assert "hace 12 días" in prompt("recent-step-down", es)["why"]
    assert prompt("checkins-missing", es)["why"] == "No hay registro del día el mié 18 nov, jue 19 nov o vie 20 nov."


def test_level_names_mid_sentence_keep_their_gender_and_acronyms(es):
    assert ", como " not in prompt("frequent-use", es)["action"]  # no level now: no examples
    with words.using(es):
        text = signals.action_words(signals.RULES_BY_ID["frequent-use"], "outpatient")
    assert "como un programa ambulatorio intensivo (IOP) o una hospitalización parcial (tratamiento de día)" in text
    why = prompt("use-after-abstinence", es)["why"]
    assert "la salida del tratamiento hospitalario el dom 15 nov (hace 5 días)" in why


def test_the_cli_writes_spanish_sentences_and_the_same_data(es, monkeypatch):
    data = {"today": TODAY.isoformat(), "level_of_care": "outpatient", "level_since": "2026-11-02",
            "previous_level": "inpatient", "checklist": {"coping-practiced": True},
            "checkins": [{"date": "2026-11-19", "craving": 8, "stress": 9, "access": "easy",
                          "use": "suspected"}]}
    english, spanish = run_main([], data, monkeypatch), run_main(["--lang", "es"], data, monkeypatch)
    assert [p["rule"] for p in english["prompts"]] == [p["rule"] for p in spanish["prompts"]]
    assert english["prompts"]
    for e, s in zip(english["prompts"], spanish["prompts"]):
        assert {k: v for k, v in e.items() if k not in ("title", "why", "action")} == \
               {k: v for k, v in s.items() if k not in ("title", "why", "action")}
        for key in ("title", "why", "action"):
            assert_translated(e[key], s[key])
    assert spanish["step_down"]["status"] == english["step_down"]["status"]
    for e, s in zip(english["step_down"]["criteria"], spanish["step_down"]["criteria"]):
        assert (s["id"], s["status"]) == (e["id"], e["status"])
        assert_translated(e["why"], s["why"])


def run_main(argv, data, monkeypatch):
    out = io.BytesIO()

    class Stdout:
        buffer = out

        @staticmethod
        def flush():
            pass

    class Stdin:
        buffer = io.BytesIO(json.dumps(data).encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    monkeypatch.setattr(sys, "stdout", Stdout)
    assert signals.main(argv) == 0
    return json.loads(out.getvalue())


def test_the_cli_offers_only_languages_with_a_catalog(es, monkeypatch, capsys):
    with pytest.raises(SystemExit) as stop:
        run_main(["--lang", "fr"], {}, monkeypatch)
    assert stop.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_the_program_in_its_own_process_refuses_a_language_without_a_catalog():
    out = subprocess.run([sys.executable, "-m", "caregiver.signals", "--lang", "xx"], cwd=ROOT,
                         input=b"{}", capture_output=True)
    assert out.returncode == 2 and b"--lang" in out.stderr and out.stdout == b""


# ---------------------------------------------------------------------------
# Step-down readiness, in Spanish
# ---------------------------------------------------------------------------
FULL = set(signals.CHECKLIST_ITEMS["step-down"])
CALM = dict(withdrawal="none", craving=2, medication="taken", use="none", access="none", stress=8)
READINESS = {  # each input, and a status every criterion has in it
    "met": (many(range(14), **CALM), FULL),
    "unknown": ([], set()),
    "unmet": ([ci(0, withdrawal="severe", craving=9, medication="missed", use="suspected", access="easy",
                  overdose=True)] + many(range(1, 6), craving=6, access="possible"), set()),
}


@pytest.mark.parametrize("case", list(READINESS))
def test_every_criterion_reads_in_spanish(case, es):
    checkins, ticked = READINESS[case]
    english = signals.evaluate(TODAY, checkins, checklist=ticked)["step_down"]
    with words.using(es):
        spanish = signals.evaluate(TODAY, checkins, checklist=ticked)["step_down"]
        status = signals.status_words(spanish)
        badges = [signals.criterion_words(c) for c in spanish["criteria"]]
        labels = [str(content.CRITERION_LABELS[c["id"]]) for c in spanish["criteria"]]
    assert_translated(signals.status_words(english), status)
    for e, s, badge, label in zip(english["criteria"], spanish["criteria"], badges, labels):
        assert (s["id"], s["status"]) == (e["id"], e["status"])
        assert_translated(e["why"], s["why"])
        assert badge != signals.criterion_words(e) and label != content.CRITERION_LABELS[e["id"]]
    if case == "met":
        assert {c["status"] for c in spanish["criteria"]} == {"met"}
        assert status == "Las señales apoyan hablar con el equipo de atención médica sobre pasar a un nivel con menos apoyo"
    if case == "unmet":
        assert status.startswith("Todavía no, porque ") and "razones más en la lista de abajo" in status


def test_an_unticked_checklist_item_is_not_a_verdict_in_spanish_either(es):
    # Only the checklist item holds safe-environment back: its reason says so in Spanish too,
    # told by a flag rather than by the English words of the why.
    checkins = many(range(14), **CALM)
    ticked = FULL - {"home-substance-free"}
    with words.using(es):
        step_down = signals.evaluate(TODAY, checkins, checklist=ticked)["step_down"]
        env = {c["id"]: c for c in step_down["criteria"]}["safe-environment"]
        assert env["status"] == "unmet"
        assert signals.criterion_words(env) == "Sin marcar todavía"
        assert signals.status_words(step_down) == (
            "Todavía no, porque aún no se ha revisado que la casa esté libre de drogas")
        # The same after the result went through JSON (the flag is then lost).
        assert signals.criterion_words(json.loads(json.dumps(env))) == "Sin marcar todavía"


def test_the_criteria_and_status_words_are_all_translated(es):
    texts = ([(c.description, c.because) for c in signals.CRITERIA]
             + [(w, w) for w in signals.STATUS_WORDS.values()]
             + [(w, w) for w in signals.CRITERION_STATUS_WORDS.values()]
             + [(w, w) for w in content.CRITERION_LABELS.values()])
    english = [tuple(str(t) for t in pair) for pair in texts]
    with words.using(es):
        spanish = [tuple(str(t) for t in pair) for pair in texts]
    for e_pair, s_pair in zip(english, spanish):
        for e, s in zip(e_pair, s_pair):
            assert e != s, e
            assert not re.search(r"\blist[oa]s?\b", s), s  # never "ready", in Spanish either


# ---------------------------------------------------------------------------
# Module-level text (vocabulary.Text): English as a str, Spanish where it is read
# ---------------------------------------------------------------------------
def test_a_label_is_a_str_in_english_and_reads_in_the_language_of_the_moment(es):
    name = vocabulary.LEVEL_NAMES["iop"]
    assert isinstance(name, str) and name == "Intensive outpatient"
    with words.using(es):
        assert str(name) == "Programa ambulatorio intensivo (IOP)"
        assert f"{name}." == "Programa ambulatorio intensivo (IOP)."
        assert name.lower() == "programa ambulatorio intensivo (iop)"
        assert "Nivel: " + name == "Nivel: Programa ambulatorio intensivo (IOP)"
        assert name.__html__() == "Programa ambulatorio intensivo (IOP)"
        assert len(name) == len("Programa ambulatorio intensivo (IOP)")
        problem = vocabulary.FIELD["notes"].problem.format(length=2345)
        assert problem == "como máximo 2,000 caracteres (esto tiene 2,345)"
        assert name == "Intensive outpatient"  # ids and comparisons stay English
    assert str(name) == "Intensive outpatient"


def test_the_limits_in_the_problem_words_are_the_vocabulary_limits():
    assert str(vocabulary.SCALE_MAX) in vocabulary.SCALE_PROBLEM
    assert vocabulary.NOT_OBSERVED_LABEL in vocabulary.SCALE_PROBLEM
    assert f"{vocabulary.NOTES_MAX:,}" in vocabulary.FIELD["notes"].problem


def test_the_form_words_and_withdrawal_signs_follow_the_glossary(es):
    with words.using(es):
        assert str(vocabulary.FIELD["craving"].called) == "Deseo intenso de consumir"
        assert str(vocabulary.SIGN_LABELS["gooseflesh"]) == "Piel de gallina"
        assert str(vocabulary.LEVEL_NAMES["php"]) == "Hospitalización parcial (tratamiento de día)"
        # The hint names the choice by its Spanish label.
        assert str(vocabulary.NOT_OBSERVED_LABEL) in str(vocabulary.FIELD["stress"].hint)


# ---------------------------------------------------------------------------
# Days
# ---------------------------------------------------------------------------
def test_days_are_written_the_spanish_way():
    with words.using("es"):
        assert dates.day_words(date(2026, 11, 30)) == "lun 30 nov"
        assert dates.day_words("2026-09-02T10:00:00+00:00") == "mié 2 sep"  # es_US: "sep"
        assert dates.long_date(date(2026, 3, 3), TODAY) == "mar 3 mar"
        assert dates.long_date(date(2025, 5, 3), TODAY) == "sáb 3 may 2025"
        assert dates.full_date(date(2026, 11, 1)) == "dom 1 nov 2026"


def test_days_in_english_are_unchanged():
    assert dates.day_words(date(2026, 11, 30)) == "Mon 30 Nov"
    assert dates.long_date(date(2025, 5, 3), TODAY) == "Sat 3 May 2025"
    assert dates.full_date(date(2026, 11, 1)) == "Sun 1 Nov 2026"
    with words.using("xx"):  # a language Babel does not know: English days, never an error
        assert dates.day_words(date(2026, 11, 30)) == "Mon 30 Nov"


# ---------------------------------------------------------------------------
# The charts' words (the name comes from the page, already in its language)
# ---------------------------------------------------------------------------
def test_the_chart_words_read_in_spanish(es):
    from caregiver import charts
    points = [(day(n), v) for n, v in zip(range(9, -1, -1), [3, 3, 4, 3, 3, 4, 3, 8, 9, 8])]
    markers = {"use": [day(1)], "missed": [day(0), day(2)]}
    english = charts.trend_chart("craving", "Craving", points, markers)
    with words.using(es):
        spanish = charts.trend_chart("craving", "Deseo de consumir", points, markers)
        few = charts.describe("Estrés", points[-2:])
        none = charts.describe("Estrés", [(day(0), None)])
    assert spanish.words.startswith("Deseo de consumir: 10 datos del mié 11 nov al vie 20 nov, subiendo")
    assert "Marcado: señales de consumo el jue 19 nov; no tomó el medicamento el mié 18 nov y vie 20 nov." \
        in spanish.words
    assert "Deseo de consumir, de 0 a 10, por día, del mié 11 nov al vie 20 nov" in spanish.svg
    assert ">Dosis perdida</text>" in spanish.svg and ">Consumo</text>" in spanish.svg
    assert_translated(english.words, spanish.words)
    assert few == "Estrés: 2 datos (9 el jue 19 nov y 8 el vie 20 nov), muy pocos para saber hacia dónde va."
    assert none == "Estrés: ningún dato en este 1 día."


# ---------------------------------------------------------------------------
# Help in Spanish on the emergency lines
# ---------------------------------------------------------------------------
def test_the_emergency_data_says_how_to_reach_spanish_on_each_line():
    help_ = emergency.EMERGENCY["spanish_help"]
    lines = {line["tel"]: line for line in help_["lines"]}
    assert list(lines) == ["911", "988", "18006624357", "18002221222"]
    for line in help_["lines"]:
        assert re.sub(r"\D", "", line["number"]) == line["tel"]
    assert '"Spanish"' in lines["911"]["note"] and "stay on the line" in lines["911"]["note"]
    assert "press 2" in lines["988"]["note"] and "AYUDA" in lines["988"]["note"]
    assert (lines["988"]["sms"], lines["988"]["sms_body"]) == ("988", "AYUDA")
    assert "English and Spanish" in lines["18006624357"]["note"]
    assert not re.search(r"\b(press|marque)\b", lines["18006624357"]["note"])  # no menu number is published
    assert "161 languages" in lines["18002221222"]["note"]


def test_the_emergency_help_reads_in_spanish(es):
    lines = emergency.EMERGENCY["spanish_help"]["lines"]
    with words.using(es):
        notes = [str(line["note"]) for line in lines]
        assert str(emergency.EMERGENCY["spanish_help"]["title"]) == "Ayuda en español"
    assert notes[0].startswith('Diga «Spanish» y no cuelgue')
    assert "marque 2" in notes[1] and "AYUDA" in notes[1]
    assert "inglés y en español" in notes[2]
    assert "161 idiomas" in notes[3]
    for line, note in zip(lines, notes):
        assert_translated(line["note"], note)


def test_every_emergency_and_content_sentence_reads_in_spanish(es):
    def texts(value):
        if isinstance(value, vocabulary.Text):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from texts(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from texts(v)
    found = list(texts([emergency.EMERGENCY, content.LEVELS, content.CHECKLISTS, content.ALONGSIDE,
                        content.ASSESSMENT, content.INPATIENT_SIGNS, content.TELL_AT_ONCE,
                        content.DISCLAIMER, content.MEDICATION_BY_LEVEL_LEAD]))
    assert len(found) > 150
    with words.using(es):
        spanish = [str(t) for t in found]
    for english, translated in zip(found, spanish):
        if english in ("Never Use Alone", "Poison Help"):  # names, glossed in Spanish
            assert translated.startswith(english + " (")
            continue
        if english.startswith("Partnership to End Addiction"):  # a name, then Spanish
            english = english.replace("Partnership to End Addiction", "")
        assert_translated(english, translated)


# ---------------------------------------------------------------------------
# The catalog part: every message from these files, translated, none fuzzy
# ---------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+(?::[^}]*)?\}")


def extracted(tmp_path):
    pot = tmp_path / "engine.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-o", str(pot), *SOURCES], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as f:
        return {(m.id, m.context) for m in read_po(f) if m.id}


def test_every_translation_is_done_and_keeps_the_placeholders():
    catalog = read_part()
    assert catalog.num_plurals == 3
    for m in catalog:
        if not m.id:
            continue
        assert not m.fuzzy, m.id
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert len(strings) == (3 if isinstance(m.id, tuple) else 1), m.id
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            assert s.strip(), m.id
            assert set(PLACEHOLDER.findall(s)) == wanted, (m.id, s)
