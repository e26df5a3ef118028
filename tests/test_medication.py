"""Medication for opioid use disorder: recording it, the current medication and its
history, the next injection on the home page and in the check-in form, what the rules read."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from caregiver import records, signals
from caregiver.db import one
from caregiver.dates import day_words, long_date
from caregiver.records import medication_state
from caregiver.vocabulary import MEDICATION_NAMES
from db_helpers import rows

TZ = "America/New_York"


def today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


def ago(days):
    return (today() - timedelta(days=days)).isoformat()


def day_text(day):
    return long_date(day, today())


def record(auth, circle, medication, since, next_due="", note=""):
    return auth.post(f"/c/{circle}/medication",
                     {"medication": medication, "since": since, "next_due": next_due, "note": note})


def history(app, circle=None):
    sql = "SELECT medication, since, next_due, note FROM medication_history"
    if circle is not None:
        return rows(app, sql + " WHERE circle_id = ? ORDER BY id", [circle])
    return rows(app, sql + " ORDER BY id")


@pytest.fixture
def circle(auth):
    auth.sign_up("alice", name="Alice")
    return auth.create_circle(level="outpatient", since=ago(30), tz=TZ)


def main_html(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True).split('<main id="main"', 1)[1]


def now_section(html):
    return html.split('id="current-heading"', 1)[1].split('id="change-heading"', 1)[0]


# --- the page ------------------------------------------------------------------------

def test_the_page_is_in_the_more_page_and_starts_empty(client, circle):
    assert f'href="/c/{circle}/medication"' in main_html(client, f"/c/{circle}/more")
    html = main_html(client, f"/c/{circle}/medication")
    assert "Nothing recorded yet." in now_section(html)
    assert ("Since the end of 2022, any clinician whose DEA registration includes Schedule III can prescribe buprenorphine,"
            " where state law allows; no special waiver is needed.") in html


def test_recording_shows_the_current_medication_and_the_history(app, auth, client, circle):
    response = record(auth, circle, "buprenorphine", ago(10), note="8 mg, Dr. Lee")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/c/{circle}/medication#current")
    assert history(app, circle) == [("buprenorphine", ago(10), None, "8 mg, Dr. Lee")]
    assert rows(app, "SELECT u.display_name FROM medication_history h JOIN users u ON u.id = h.recorded_by") == [
        ("Alice",)]
    html = main_html(client, f"/c/{circle}/medication")
    now = now_section(html)
    assert f"<strong>{MEDICATION_NAMES['buprenorphine']}</strong>" in now
    assert f"Since {day_text(ago(10))}." in now
    assert "Stopped on" not in now and "Next injection due" not in now
    past = html.split('id="history-heading"', 1)[1]
    assert f"From {day_text(ago(10))}." in past and "8 mg, Dr. Lee" in past
    assert f"Recorded by Alice on {day_text(today())}." in past
    assert past.count(">Remove</button>") == 1


def test_the_same_entry_sent_twice_is_stored_once(app, auth, circle):
    record(auth, circle, "methadone", ago(3), note="clinic")
    record(auth, circle, "methadone", ago(3), note="clinic")
    assert len(history(app, circle)) == 1


def test_a_correction_on_the_same_day_replaces_the_earlier_entry(app, auth, client, circle):
    record(auth, circle, "naltrexone", ago(4))
    record(auth, circle, "methadone", ago(4), note="it was methadone")
    html = main_html(client, f"/c/{circle}/medication")
    assert f"<strong>{MEDICATION_NAMES['methadone']}</strong>" in now_section(html)
    past = html.split('id="history-heading"', 1)[1]
    assert past.count("Replaced by a later entry for the same day.") == 1
    replaced = re.search(r'<li id="entry-\d+" class="row is-replaced">(.*?)</li>', past, re.S).group(1)
    assert MEDICATION_NAMES["naltrexone"] in replaced


def test_stopping_shows_when_and_a_calm_word_about_the_risk(app, auth, client, circle):
    record(auth, circle, "buprenorphine", ago(40))
    record(auth, circle, "none", ago(5))
    now = now_section(main_html(client, f"/c/{circle}/medication"))
    assert f"<strong>{MEDICATION_NAMES['none']}</strong>" in now
    assert f"Stopped on {day_text(ago(5))}." in now
    assert "much higher risk of overdose" in now and "keep naloxone close" in now
    assert "ask the prescriber about restarting" in now


def capture_evaluate(monkeypatch):
    """What circle_signals hands the rules engine (kwargs), with an empty answer."""
    seen = []
    monkeypatch.setattr(signals, "evaluate",
                        lambda *a, **kw: seen.append(kw) or {"prompts": [], "step_down": {}})
    return seen


def engine_kwargs(app, circle, monkeypatch):
    seen = capture_evaluate(monkeypatch)
    with app.app_context():
        records.circle_signals(one("SELECT * FROM circles WHERE id = ?", [circle]))
    return seen[-1]


def test_stopping_shows_the_prompt_on_home_and_restarting_ends_it(app, auth, client, circle, monkeypatch):
    record(auth, circle, "buprenorphine", ago(40))
    record(auth, circle, "none", ago(5))
    if "medication-stopped" not in signals.RULES_BY_ID:  # (the rule is being added in signals.py)
        assert engine_kwargs(app, circle, monkeypatch)["medication_stopped_on"] == ago(5)
        return
    assert 'id="prompt-medication-stopped"' in main_html(client, f"/c/{circle}/")
    record(auth, circle, "buprenorphine", ago(1))
    assert 'id="prompt-medication-stopped"' not in main_html(client, f"/c/{circle}/")


def test_the_rules_engine_reads_when_medication_stopped(app, auth, circle, monkeypatch):
    assert engine_kwargs(app, circle, monkeypatch)["medication_stopped_on"] is None  # never on medication
    record(auth, circle, "buprenorphine", ago(40))
    record(auth, circle, "none", ago(5))
    assert engine_kwargs(app, circle, monkeypatch)["medication_stopped_on"] == ago(5)
    record(auth, circle, "methadone", ago(1))
    assert engine_kwargs(app, circle, monkeypatch)["medication_stopped_on"] is None


def test_restarting_clears_the_stop(app, auth, client, circle):
    record(auth, circle, "methadone", ago(40))
    record(auth, circle, "none", ago(10))
    record(auth, circle, "methadone", ago(2))
    now = now_section(main_html(client, f"/c/{circle}/medication"))
    assert "Stopped on" not in now and f"Since {day_text(ago(2))}." in now
    with app.app_context():
        assert medication_state(records.medication_history(circle))["stopped_on"] is None


# --- injections -------------------------------------------------------------------------

def test_an_injections_next_due_day_shows_here_on_home_and_in_the_check_in(app, auth, client, circle):
    due = ago(-6)
    assert record(auth, circle, "buprenorphine-injection", ago(20), next_due=due).status_code == 302
    now = now_section(main_html(client, f"/c/{circle}/medication"))
    assert f"Next injection due: {day_text(due)}." in now and "overdue" not in now
    home = main_html(client, f"/c/{circle}/")
    assert (f'<a class="tap" href="/c/{circle}/medication">Next injection due {day_words(due)}</a>') in home
    form = main_html(client, f"/c/{circle}/checkins/new")
    assert "<legend>Injection up to date?</legend>" in form and "Treatment medication?" not in form
    medication = form.split("<legend>Injection up to date?</legend>", 1)[1].split("</fieldset>", 1)[0]
    assert re.findall(r'value="([^"]*)"[^>]*><span>([^<]+)</span>', medication) == [
        ("", "Couldn&#39;t tell"), ("taken", "Up to date"), ("missed", "Overdue"), ("not-prescribed", "Not prescribed")]


def test_an_overdue_injection_says_since_when(app, auth, client, circle):
    due = ago(3)
    record(auth, circle, "naltrexone-injection", ago(40), next_due=due)
    now = now_section(main_html(client, f"/c/{circle}/medication"))
    assert f"The injection is overdue since {day_text(due)}." in now
    home = main_html(client, f"/c/{circle}/")
    assert f"Injection overdue since {day_words(due)}</a>" in home and "Next injection due" not in home


def test_without_an_injection_home_and_check_in_stay_as_they_were(app, auth, client, circle):
    record(auth, circle, "buprenorphine", ago(3))
    home = main_html(client, f"/c/{circle}/")
    assert "injection" not in home.lower()
    form = main_html(client, f"/c/{circle}/checkins/new")
    assert "Treatment medication?" in form and "Injection up to date?" not in form


def test_a_check_in_on_an_injection_stores_the_usual_values(app, auth, circle):
    record(auth, circle, "naltrexone-injection", ago(10), next_due=ago(-20))
    assert auth.checkin(circle, date=today().isoformat(), medication="missed").status_code == 200
    assert rows(app, "SELECT medication FROM checkins") == [("missed",)]
    checkin = rows(app, "SELECT id FROM checkins")[0][0]
    form = main_html(auth.client, f"/c/{circle}/checkins/{checkin}/edit")
    assert "<legend>Injection up to date?</legend>" in form
    assert re.search(r'value="missed" checked><span>Overdue</span>', form)


# --- refused input ------------------------------------------------------------------------

@pytest.mark.parametrize("fields, message", [
    ({"medication": ""}, "Medication: choose one from the list."),
    ({"medication": "suboxone"}, "Medication: choose one from the list."),
    ({"since": ""}, "Since: enter a date like 2026-11-02."),
    ({"since": "yesterday"}, "Since: enter a date like 2026-11-02."),
    ({"since": "2026-02-30"}, "Since: enter a date like 2026-11-02."),
    ({"since": "FUTURE"}, "Since: this date is in the future."),
    ({"since": "TOO_OLD"}, "Since: this date is more than 10 years ago."),
    ({"next_due": "next month"}, "Next injection due: enter a date like 2026-12-08."),
    ({"next_due": "BEFORE_SINCE"}, "Next injection due: this date is before the Since date."),
    ({"next_due": "TOO_FAR"}, "Next injection due: this date is more than 400 days from today."),
    ({"medication": "buprenorphine", "next_due": "SOON"},
     "Next injection due: only for an injection. Leave it empty for this medication."),
    ({"medication": "none", "next_due": "SOON"},
     "Next injection due: only for an injection. Leave it empty for this medication."),
    ({"note": "x" * 501}, "Note: at most 500 characters."),
    ({"note": "a\x00b"}, "Note: remove the invisible control characters"),
], ids=["medication-missing", "medication-unknown", "since-missing", "since-words", "since-impossible",
        "since-future", "since-too-old", "next-due-words", "next-due-before-since", "next-due-too-far",
        "next-due-not-an-injection", "next-due-when-stopped", "note-too-long", "note-control"])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(app, auth, circle, fields, message):
    data = {"medication": "buprenorphine-injection", "since": ago(5), "next_due": ago(-20), "note": "", **fields}
    data["since"] = {"FUTURE": ago(-1), "TOO_OLD": ago(3654)}.get(data["since"], data["since"])
    data["next_due"] = {"BEFORE_SINCE": ago(6), "TOO_FAR": ago(-401), "SOON": ago(-20)}.get(
        data["next_due"], data["next_due"])
    response = auth.post(f"/c/{circle}/medication", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert history(app) == []


def test_the_limits_themselves_are_accepted(app, auth, circle):
    assert record(auth, circle, "buprenorphine-injection", ago(3653), next_due=ago(-400),
                  note="é" * 500).status_code == 302
    assert record(auth, circle, "naltrexone-injection", ago(0), next_due=ago(0)).status_code == 302
    assert record(auth, circle, "methadone", ago(1), next_due=" ").status_code == 302
    assert [r[:3] for r in history(app, circle)] == [
        ("buprenorphine-injection", ago(3653), ago(-400)), ("naltrexone-injection", ago(0), ago(0)),
        ("methadone", ago(1), None)]


# --- removing an entry ---------------------------------------------------------------------

def test_removing_your_own_entry(app, auth, client, circle):
    record(auth, circle, "buprenorphine", ago(10))
    record(auth, circle, "none", ago(2))
    entry = rows(app, "SELECT id FROM medication_history WHERE medication = 'none'")[0][0]
    response = auth.post(f"/c/{circle}/medication/{entry}/remove", token_from=f"/c/{circle}/medication")
    assert response.status_code == 302 and response.headers["Location"].endswith("#history")
    assert history(app, circle) == [("buprenorphine", ago(10), None, None)]
    assert "Stopped on" not in now_section(main_html(client, f"/c/{circle}/medication"))


def test_only_who_recorded_an_entry_can_remove_it(app, auth, client, circle):
    record(auth, circle, "methadone", ago(10))
    entry = rows(app, "SELECT id FROM medication_history")[0][0]
    auth.join_circle(circle, "bob", name="Bob")
    assert ">Remove</button>" not in main_html(client, f"/c/{circle}/medication")
    response = auth.post(f"/c/{circle}/medication/{entry}/remove", token_from=f"/c/{circle}/medication")
    assert response.status_code == 403
    assert len(history(app, circle)) == 1
    assert record(auth, circle, "none", ago(1)).status_code == 302
    assert rows(app, "SELECT u.display_name FROM medication_history h JOIN users u ON u.id = h.recorded_by"
                     " WHERE h.medication = 'none'") == [("Bob",)]


def test_a_member_of_another_circle_gets_404_and_nothing_is_written(app, auth, client, circle):
    record(auth, circle, "methadone", ago(10))
    entry = rows(app, "SELECT id FROM medication_history")[0][0]
    auth.sign_out()
    auth.sign_up("mallory")
    own = auth.create_circle(nickname="Kit", tz=TZ)
    before = history(app)
    assert client.get(f"/c/{circle}/medication").status_code == 404
    response = auth.post(f"/c/{circle}/medication", {"medication": "none", "since": ago(1)},
                         token_from=f"/c/{own}/medication")
    assert response.status_code == 404
    response = auth.post(f"/c/{circle}/medication/{entry}/remove", token_from=f"/c/{own}/medication")
    assert response.status_code == 404
    # An entry of the other circle cannot be reached through one's own circle either.
    response = auth.post(f"/c/{own}/medication/{entry}/remove", token_from=f"/c/{own}/medication")
    assert response.status_code == 404
    assert history(app) == before


# --- deleting a circle or an account -----------------------------------------------------

def test_deleting_the_circle_deletes_its_medication_history(app, auth, circle):
    record(auth, circle, "methadone", ago(10))
    response = auth.post(f"/c/{circle}/delete", {"nickname": "Sam"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert history(app) == []


def test_deleting_an_account_keeps_the_entries_with_no_author(app, auth, client, circle):
    record(auth, circle, "methadone", ago(10))
    auth.join_circle(circle, "bob", name="Bob")  # the circle stays: Bob becomes its owner
    auth.sign_out()
    auth.sign_in("alice")
    response = auth.post("/account/delete", {"password": "correct horse battery"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert rows(app, "SELECT medication, recorded_by FROM medication_history") == [("methadone", None)]
    auth.sign_in("bob")
    html = main_html(client, f"/c/{circle}/medication")
    assert "Recorded by a former member on" in html and ">Remove</button>" not in html


# --- the rule that turns history into the current medication (pure) ----------------------

def entries(*history):
    """(medication, since) or (medication, since, next_due) tuples as history entries."""
    return [{"id": i, "medication": e[0], "since": e[1], "next_due": e[2] if len(e) > 2 else None}
            for i, e in enumerate(history, 1)]


@pytest.mark.parametrize("history, expected", [
    ([], None),
    ([("none", "2026-10-01")], {"medication": "none", "since": "2026-10-01", "next_due": None, "stopped_on": None}),
    ([("methadone", "2026-10-01")],
     {"medication": "methadone", "since": "2026-10-01", "next_due": None, "stopped_on": None}),
    ([("methadone", "2026-10-01"), ("none", "2026-11-01")],
     {"medication": "none", "since": "2026-11-01", "next_due": None, "stopped_on": "2026-11-01"}),
    # "none" again in the same run: still stopped on the first day without
    ([("methadone", "2026-10-01"), ("none", "2026-11-01"), ("none", "2026-11-05")],
     {"medication": "none", "since": "2026-11-01", "next_due": None, "stopped_on": "2026-11-01"}),
    # restarting clears it
    ([("methadone", "2026-10-01"), ("none", "2026-11-01"), ("buprenorphine", "2026-11-09")],
     {"medication": "buprenorphine", "since": "2026-11-09", "next_due": None, "stopped_on": None}),
    # a later entry for the same day replaces the earlier one
    ([("methadone", "2026-10-01"), ("none", "2026-11-01"), ("methadone", "2026-11-01")],
     {"medication": "methadone", "since": "2026-10-01", "next_due": None, "stopped_on": None}),
    # the next injection is the latest entry's
    ([("buprenorphine-injection", "2026-10-01", "2026-10-29"), ("buprenorphine-injection", "2026-10-29", "2026-11-26")],
     {"medication": "buprenorphine-injection", "since": "2026-10-01", "next_due": "2026-11-26", "stopped_on": None}),
], ids=["empty", "never-on-medication", "on", "stopped", "stopped-twice", "restarted", "same-day-correction",
        "injection"])
def test_medication_state_from_history(history, expected):
    assert medication_state(entries(*history)) == expected


def test_an_entry_with_only_a_note_keeps_the_next_injection_due():
    from caregiver.records import medication_state
    entries = [{"id": 1, "medication": "naltrexone-injection", "since": "2026-11-01", "next_due": "2026-12-01"},
               {"id": 2, "medication": "naltrexone-injection", "since": "2026-11-10", "next_due": None}]
    assert medication_state(entries)["next_due"] == "2026-12-01"
