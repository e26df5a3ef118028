"""Levels of care: the continuum page, recording changes, the history and what the rules read."""
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caregiver import content
from caregiver.dates import long_date
from caregiver.records import level_state
from db_helpers import rows

TZ = "America/New_York"


def today(tz=TZ):
    return datetime.now(timezone.utc).astimezone(ZoneInfo(tz)).date()


def ago(days, tz=TZ):
    return (today(tz) - timedelta(days=days)).isoformat()


def day_text(day):
    """How the pages write a day: 'Sun 1 Nov', with the year when it is not this year."""
    return long_date(day, today())


def current(app, circle):
    return rows(app, "SELECT level_of_care, level_since, previous_level FROM circles WHERE id = ?", [circle])[0]


def record(auth, circle, level, since, note=""):
    return auth.post(f"/c/{circle}/level", {"level": level, "since": since, "note": note})


@pytest.fixture
def circle(auth):
    auth.sign_up("alice", name="Alice")
    return auth.create_circle(level="inpatient", since=ago(30), tz=TZ)


def main_html(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True).split('<main id="main"', 1)[1]


# --- the continuum page -------------------------------------------------------

def test_continuum_lists_the_six_levels_most_structure_first_and_highlights_the_current_one(client, circle):
    html = main_html(client, f"/c/{circle}/continuum")
    positions = [html.index(f'id="level-{lvl["id"]}"') for lvl in content.LEVELS]
    assert positions == sorted(positions) and len(positions) == 6
    for lvl in content.LEVELS:
        assert lvl["how_often"] in html
    current = re.search(r'<li id="level-(\S+)" class="level is-current" aria-current="true">(.*?)</li>', html, re.S)
    assert current.group(1) == "inpatient"
    assert f"Current level</strong>, since {day_text(ago(30))}, 30 days" in current.group(2)
    assert html.count("aria-current") == 1
    # Things that go alongside a level are explained apart from the levels.
    alongside = html.split("Alongside a level, not a level", 1)[1]
    for item in content.ALONGSIDE:
        assert item["name"] in alongside
    assert f'href="/c/{circle}/level"' in html
    # Everything is in the page: nothing fetched by script later (readable offline).
    assert "hx-get" not in html and "<script" not in html


def test_continuum_and_level_pages_are_in_the_more_page(client, circle):
    html = main_html(client, f"/c/{circle}/more")
    assert f'href="/c/{circle}/continuum"' in html and f'href="/c/{circle}/level"' in html


def test_home_page_level_line_links_to_change_it(client, circle):
    html = main_html(client, f"/c/{circle}/")
    assert re.search(rf'Inpatient since [^<]* · <a class="tap" href="/c/{circle}/level">Change</a>', html)


def test_an_unset_level_can_be_set(app, auth, client):
    auth.sign_up()
    circle = auth.create_circle(level="", since="", tz=TZ)
    assert f'<a class="tap" href="/c/{circle}/level">Set it</a>' in main_html(client, f"/c/{circle}/")
    assert "not set yet" in main_html(client, f"/c/{circle}/continuum")
    assert record(auth, circle, "iop", ago(2)).status_code == 302
    assert current(app, circle) == ("iop", ago(2), None)


# --- recording a change ---------------------------------------------------------

def test_recording_a_change_updates_current_previous_since_and_history(app, auth, client, circle):
    response = record(auth, circle, "outpatient", ago(3), "Clinic on Main St, Tuesdays")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/c/{circle}/level#current")
    assert current(app, circle) == ("outpatient", ago(3), "inpatient")
    assert rows(app, "SELECT h.level, h.since, h.note, u.display_name FROM level_history h"
                     " JOIN users u ON u.id = h.recorded_by ORDER BY h.id") == [
        ("inpatient", ago(30), None, "Alice"), ("outpatient", ago(3), "Clinic on Main St, Tuesdays", "Alice")]
    html = main_html(client, f"/c/{circle}/level")
    assert f"<strong>Outpatient</strong>, since {day_text(ago(3))}, 3 days." in html
    assert "Before that: Inpatient." in html
    history = html.split('id="history-heading"', 1)[1]
    newest, oldest = history.index("Outpatient</strong> from"), history.index("Inpatient</strong> from")
    assert newest < oldest  # newest first
    assert "Clinic on Main St, Tuesdays" in history
    assert history.count(f"Recorded by Alice, {day_text(today())}") == 2


def test_a_change_recorded_today_says_since_today(app, auth, client, circle):
    record(auth, circle, "php", ago(0))
    assert "<strong>Partial hospitalization (day treatment)</strong>, since today" in main_html(
        client, f"/c/{circle}/level")


def test_leaving_inpatient_shows_the_recent_step_down_prompt_on_home(auth, client, circle):
    assert 'id="prompt-recent-step-down"' not in main_html(client, f"/c/{circle}/")
    record(auth, circle, "outpatient", ago(5))
    assert 'id="prompt-recent-step-down"' in main_html(client, f"/c/{circle}/")
    # Stepping back up to 24/7 care ends it.
    record(auth, circle, "residential", ago(1))
    assert 'id="prompt-recent-step-down"' not in main_html(client, f"/c/{circle}/")


def test_recording_the_same_level_again_keeps_its_start_and_previous_level(app, auth, circle):
    record(auth, circle, "outpatient", ago(10))
    record(auth, circle, "outpatient", ago(2), "new therapist, same clinic")
    assert current(app, circle) == ("outpatient", ago(10), "inpatient")
    assert rows(app, "SELECT count(*) FROM level_history") == [(3,)]


def test_an_older_entry_recorded_late_lands_in_its_place(app, auth, client, circle):
    record(auth, circle, "outpatient", ago(5))
    # Forgotten earlier: a residential stay between inpatient and outpatient.
    record(auth, circle, "residential", ago(15))
    assert current(app, circle) == ("outpatient", ago(5), "residential")
    record(auth, circle, "iop", ago(10))
    assert current(app, circle) == ("outpatient", ago(5), "iop")
    history = main_html(client, f"/c/{circle}/level").split('id="history-heading"', 1)[1]
    names = re.findall(r"<strong>([^<]+)</strong> from", history)
    assert names == ["Outpatient", "Intensive outpatient", "Residential", "Inpatient"]


def test_a_second_entry_for_the_same_day_corrects_a_mistake(app, auth, client, circle):
    record(auth, circle, "iop", ago(4))
    record(auth, circle, "php", ago(4), "it was day treatment, not IOP")
    assert current(app, circle) == ("php", ago(4), "inpatient")  # the mistaken IOP is not "previous"
    html = main_html(client, f"/c/{circle}/level")
    assert html.count("replaced by a later entry") == 1


def test_the_same_form_sent_twice_is_stored_once(app, auth, circle):
    record(auth, circle, "outpatient", ago(3), "note")
    record(auth, circle, "outpatient", ago(3), "note")
    assert rows(app, "SELECT count(*) FROM level_history") == [(2,)]


def test_a_note_of_500_characters_is_accepted(app, auth, circle):
    assert record(auth, circle, "iop", ago(1), "é" * 500).status_code == 302
    assert rows(app, "SELECT length(note) FROM level_history WHERE level = 'iop'") == [(500,)]


@pytest.mark.parametrize("fields, message", [
    ({"level": "rehab"}, "New level of care: choose one from the list."),
    ({"level": ""}, "New level of care: choose one from the list."),
    ({"since": ""}, "Since: enter a date like 2026-11-02."),
    ({"since": "last week"}, "Since: enter a date like 2026-11-02."),
    ({"since": "2026-02-30"}, "Since: enter a date like 2026-11-02."),
    ({"since": "FUTURE"}, "Since: this date is in the future."),
    ({"since": "TOO_OLD"}, "Since: this date is more than 10 years ago."),
    ({"note": "x" * 501}, "Note: at most 500 characters."),
], ids=["level-unknown", "level-missing", "since-missing", "since-words", "since-impossible", "since-future",
        "since-too-old", "note-too-long"])
def test_an_invalid_change_is_refused_naming_the_field_and_nothing_is_written(app, auth, circle, fields, message):
    data = {"level": "outpatient", "since": ago(1), "note": "", **fields}
    if data["since"] == "FUTURE":
        data["since"] = ago(-1)
    if data["since"] == "TOO_OLD":
        data["since"] = ago(3654)
    before = current(app, circle)
    response = auth.post(f"/c/{circle}/level", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert current(app, circle) == before
    assert rows(app, "SELECT count(*) FROM level_history") == [(1,)]


def test_the_future_is_judged_in_the_circles_time_zone(app, auth):
    auth.sign_up()
    ahead = auth.create_circle(nickname="Ahead", level="", since="", tz="Pacific/Kiritimati")  # UTC+14
    behind = auth.create_circle(nickname="Behind", level="", since="", tz="Pacific/Pago_Pago")  # UTC-11
    their_today = today("Pacific/Kiritimati").isoformat()  # always after Pago Pago's today
    assert record(auth, ahead, "iop", their_today).status_code == 302
    response = record(auth, behind, "iop", their_today)
    assert response.status_code == 422 and "Since: this date is in the future." in response.get_data(as_text=True)


# --- taking back an entry ---------------------------------------------------------

def test_removing_your_own_mistaken_entry_recomputes_the_level(app, auth, circle):
    record(auth, circle, "outpatient", ago(3))
    entry = rows(app, "SELECT id FROM level_history WHERE level = 'outpatient'")[0][0]
    response = auth.post(f"/c/{circle}/level/{entry}/remove", token_from=f"/c/{circle}/level")
    assert response.status_code == 302
    assert current(app, circle) == ("inpatient", ago(30), None)


def test_only_who_recorded_an_entry_can_remove_it(app, auth, circle):
    auth.join_circle(circle, "bob", name="Bob")
    entry = rows(app, "SELECT id FROM level_history")[0][0]
    response = auth.post(f"/c/{circle}/level/{entry}/remove", token_from=f"/c/{circle}/level")
    assert response.status_code == 403
    assert rows(app, "SELECT count(*) FROM level_history") == [(1,)]
    # Bob can still record a change, and it shows as his.
    record(auth, circle, "outpatient", ago(1))
    assert rows(app, "SELECT u.display_name FROM level_history h JOIN users u ON u.id = h.recorded_by"
                     " WHERE h.level = 'outpatient'") == [("Bob",)]


# --- other circles ------------------------------------------------------------------

def test_a_member_of_another_circle_gets_404_and_nothing_is_written(app, auth, client, circle):
    entry = rows(app, "SELECT id FROM level_history WHERE circle_id = ?", [circle])[0][0]
    auth.sign_out()
    auth.sign_up("mallory")
    own = auth.create_circle(nickname="Kit", tz=TZ)
    before = rows(app, "SELECT * FROM circles WHERE id = ?", [circle]), rows(app, "SELECT * FROM level_history")
    assert client.get(f"/c/{circle}/continuum").status_code == 404
    assert client.get(f"/c/{circle}/level").status_code == 404
    response = auth.post(f"/c/{circle}/level", {"level": "php", "since": ago(1), "note": ""},
                         token_from=f"/c/{own}/level")
    assert response.status_code == 404
    response = auth.post(f"/c/{circle}/level/{entry}/remove", token_from=f"/c/{own}/level")
    assert response.status_code == 404
    # An entry of circle A cannot be reached through the member's own circle either.
    response = auth.post(f"/c/{own}/level/{entry}/remove", token_from=f"/c/{own}/level")
    assert response.status_code == 404
    assert (rows(app, "SELECT * FROM circles WHERE id = ?", [circle]), rows(app, "SELECT * FROM level_history")) \
        == before


# --- the rule that turns history into the current level (pure) -----------------------

def entries(*triples):
    return [{"id": i, "level": level, "since": since} for i, (level, since) in enumerate(triples, 1)]


@pytest.mark.parametrize("history, expected", [
    ([], (None, None, None)),
    ([("inpatient", "2026-10-01")], ("inpatient", "2026-10-01", None)),
    ([("inpatient", "2026-10-01"), ("outpatient", "2026-11-01")], ("outpatient", "2026-11-01", "inpatient")),
    # recorded late, with an older date
    ([("inpatient", "2026-10-01"), ("outpatient", "2026-11-01"), ("php", "2026-10-20")],
     ("outpatient", "2026-11-01", "php")),
    # the same level again does not restart it
    ([("inpatient", "2026-10-01"), ("iop", "2026-11-01"), ("iop", "2026-11-10")], ("iop", "2026-11-01", "inpatient")),
    # a later entry for the same day replaces the earlier one
    ([("inpatient", "2026-10-01"), ("iop", "2026-11-01"), ("php", "2026-11-01")], ("php", "2026-11-01", "inpatient")),
    ([("inpatient", "2026-10-01"), ("iop", "2026-11-01"), ("inpatient", "2026-11-01")],
     ("inpatient", "2026-10-01", None)),
    # up, down and up again
    ([("outpatient", "2026-09-01"), ("inpatient", "2026-10-01"), ("outpatient", "2026-11-01")],
     ("outpatient", "2026-11-01", "inpatient")),
], ids=["empty", "one", "change", "late-older-entry", "same-level", "same-day-correction", "correction-undoes",
        "round-trip"])
def test_level_state_from_history(history, expected):
    assert level_state(entries(*history)) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(since=st.one_of(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12),
                       st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)).map(date.isoformat)))
def test_any_since_stores_only_real_past_dates_and_the_level_follows_history(app, auth, circle, since):
    count = rows(app, "SELECT count(*) FROM level_history")[0][0]
    response = record(auth, circle, "iop", since)
    assert response.status_code in (302, 422)
    if response.status_code == 422:
        assert "Since: " in response.get_data(as_text=True)
        assert rows(app, "SELECT count(*) FROM level_history")[0][0] == count
    for (stored,) in rows(app, "SELECT since FROM level_history"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", stored) and stored <= today().isoformat()
    # The circle row always follows from its history.
    history = [{"id": i, "level": lvl, "since": s}
               for i, lvl, s in rows(app, "SELECT id, level, since FROM level_history")]
    assert current(app, circle) == level_state(history)
