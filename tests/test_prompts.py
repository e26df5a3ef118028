"""The circle home page: prompts with their evidence, urgent steps, what the family did."""
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from caregiver import prompts

TZ = "America/New_York"


def today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


@pytest.fixture
def circle(auth):
    auth.sign_up()
    return auth.create_circle(tz=TZ, level="iop", since="2026-01-01")


def log(auth, circle, days_ago, **fields):
    day = (today() - timedelta(days=days_ago)).isoformat()
    response = auth.checkin(circle, date=day, **fields)
    assert response.status_code == 200, response.get_data(as_text=True)


def home(client, circle):
    return client.get(f"/c/{circle}/").get_data(as_text=True)


def test_more_structure_card_names_the_days_values_and_levels(auth, client, circle):
    for days_ago in (2, 1, 0):
        log(auth, circle, days_ago, craving="8")
    html = home(client, circle)
    card = html.split('id="prompt-cravings-high"')[1].split("</li>")[0]
    assert "Consider more structure" in card
    for days_ago in (2, 1, 0):
        day = today() - timedelta(days=days_ago)
        assert f"{day:%a} {day.day} {day:%b}" in card
    assert "Partial hospitalization" in card and "Inpatient" in card  # suggested from iop
    assert "care team" in card


def test_urgent_prompt_shows_the_emergency_steps_and_number_inline(auth, client, circle):
    log(auth, circle, 0, overdose="y", naloxone_given="y")
    html = home(client, circle)
    card = html.split('id="prompt-overdose-recent"')[1].split("</li>\n</ul>")[0]
    assert "Urgent" in card
    assert 'href="tel:911"' in card
    assert "naloxone" in card.lower()
    # Most serious first: the urgent card comes before any more-structure card.
    assert html.index('id="prompt-overdose-recent"') < html.index('id="prompt-overdose-history"')


def test_no_prompts_says_so_plainly(auth, client, circle):
    log(auth, circle, 0, craving="1", use="none")
    assert "No warning signs add up right now" in home(client, circle)


def test_recording_what_the_family_did(app, auth, client, circle):
    for days_ago in (2, 1, 0):
        log(auth, circle, days_ago, craving="9")
    response = auth.post(f"/c/{circle}/prompt-responses",
                         {"rule": "cravings-high", "action": "talked-with-care-team",
                          "note": "Counselor moved the session up."}, token_from=f"/c/{circle}/")
    assert response.status_code == 302
    html = home(client, circle)
    assert "We talked with the care team" in html and "Counselor moved the session up." in html


@pytest.mark.parametrize("fields, message", [
    ({"rule": "made-up", "action": "other"}, "About: choose one of the signs listed."),
    ({"rule": "cravings-high", "action": "nothing"}, "What did you do: choose one of the options."),
    ({"rule": "cravings-high", "action": "other", "note": "x" * 501}, "Note: at most 500 characters."),
])
def test_bad_response_is_refused_and_nothing_written(app, auth, circle, fields, message):
    response = auth.post(f"/c/{circle}/prompt-responses", fields, token_from=f"/c/{circle}/")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        assert conn.execute("SELECT count(*) FROM prompt_responses").fetchone()[0] == 0


def test_evaluation_reads_only_the_last_30_days(app, auth, circle, monkeypatch):
    # Enough old overdoses to trigger overdose-history if they were read at all.
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        old = (today() - timedelta(days=30)).isoformat()
        conn.execute("INSERT INTO checkins (circle_id, date, overdose, created_at, updated_at)"
                     " VALUES (?, ?, 1, 'x', 'x')", [circle, old])
    seen = []
    real = prompts.signals.evaluate

    def spy(day, checkins, **kwargs):
        seen.extend(c["date"] for c in checkins)
        return real(day, checkins, **kwargs)
    monkeypatch.setattr(prompts.signals, "evaluate", spy)
    with app.test_request_context():
        from flask import g
        from caregiver.views import one
        g.user = {"id": 1}
        circle_row = one("SELECT * FROM circles WHERE id = ?", [circle])
        result = prompts.circle_signals(circle_row)
    assert old not in seen
    assert all(p["rule"] != "overdose-history" for p in result["prompts"])


def test_the_30_day_query_uses_the_circle_date_index(app):
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT c.* FROM checkins c WHERE c.circle_id = ? AND c.date BETWEEN ? AND ?",
            [1, "2026-01-01", "2026-01-30"]).fetchall()
    assert any("USING INDEX checkins_circle_date" in row[-1] for row in plan), plan


def test_step_down_panel_lists_all_criteria_and_never_says_ready(auth, client, circle):
    html = home(client, circle)
    panel = html.split('id="stepdown-heading"')[1]
    assert panel.count('class="criterion ') == 11
    assert "Not yet, because" in panel
    assert " ready" not in panel.lower().replace("already", "")
