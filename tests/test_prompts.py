"""The circle home page: prompts with their evidence, urgent steps, what the family did."""
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from caregiver import records

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


def card(html, level):
    """The card of one level of prompts: from its <li> to the end of its article."""
    return html.split(f'<li class="prompt prompt-{level}">')[1].split("</article>")[0]


def test_more_structure_card_names_the_days_values_and_levels(auth, client, circle):
    for days_ago in (2, 1, 0):
        log(auth, circle, days_ago, craving="8")
    html = home(client, circle)
    card_html = card(html, "more-structure")
    assert 'id="prompt-cravings-high"' in card_html
    sign = card_html.split('id="prompt-cravings-high"')[1]
    assert "Consider more structure" in card_html
    for days_ago in (2, 1, 0):
        day = today() - timedelta(days=days_ago)
        assert f"{day:%a} {day.day} {day:%b}" in sign
    assert "Partial hospitalization" in sign and "Inpatient" in sign  # suggested from iop
    assert "care team" in sign


def test_several_more_structure_signs_share_one_card_with_one_thing_to_do(auth, client, circle):
    for days_ago in (2, 1, 0):
        log(auth, circle, days_ago, craving="9", use="suspected", medication="missed")
    html = home(client, circle)
    card_html = card(html, "more-structure")
    signs = ["cravings-high", "frequent-use", "missed-medication", "use-in-lower-structure"]
    assert all(f'id="prompt-{rule}"' in card_html for rule in signs)
    assert html.count('<li class="prompt prompt-more-structure">') == 1
    assert "4 warning signs add up" in card_html
    assert card_html.count("What to do:") == 1 and card_html.count("Levels to ask the care team about") == 1


def test_urgent_prompt_shows_the_emergency_steps_and_number_inline(auth, client, circle):
    log(auth, circle, 0, overdose="y", naloxone_given="y")
    html = home(client, circle)
    urgent = card(html, "urgent")
    assert "Urgent" in urgent and 'id="prompt-overdose-recent"' in urgent
    assert 'href="tel:911"' in urgent
    assert "naloxone" in urgent.lower()
    # The call button comes before anything else to read, and the steps show once.
    assert urgent.index('href="tel:911"') < urgent.index('id="prompt-overdose-recent"')
    assert html.count('class="steps"') == 1
    # Most serious first: the urgent card comes before any more-structure card.
    assert html.index('id="prompt-overdose-recent"') < html.index('id="prompt-overdose-history"')


def test_urgent_card_calls_the_care_team_too(auth, client, circle):
    auth.post(f"/c/{circle}/settings", {"nickname": "Sam", "living_situation": "home", "timezone": TZ,
                                        "emergency_number": "911", "care_team-0-label": "Counselor Dana",
                                        "care_team-0-number": "+1 555 0100"})
    day = today().isoformat()
    saved = auth.post(f"/c/{circle}/checkins/new", {"date": day, "overdose": "y"},
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'href="tel:+15550100"' in card(saved, "urgent")  # right after saving, in the swapped-in result
    urgent = card(home(client, circle), "urgent")
    assert 'href="tel:+15550100"' in urgent and "Counselor Dana" in urgent


def test_no_prompts_says_so_plainly(auth, client, circle):
    log(auth, circle, 0, craving="1", use="none")
    assert "No warning signs add up from what was written down. That does not mean all is well" in home(client, circle)


def test_recording_what_the_family_did(app, auth, client, circle):
    for days_ago in (2, 1, 0):
        log(auth, circle, days_ago, craving="9")
    response = auth.post(f"/c/{circle}/prompt-responses",
                         {"rule": "cravings-high", "action": "talked-with-care-team",
                          "note": "Counselor moved the session up."}, token_from=f"/c/{circle}/")
    assert response.status_code == 302
    html = home(client, circle)
    assert "We talked with the care team" in html and "Counselor moved the session up." in html
    assert "Saved what you did about “Strong cravings on several days”" in html  # said once, then gone
    sign = html.split('id="prompt-cravings-high"')[1].split("</div>")[0]
    assert "Done so far: We talked with the care team" in sign
    assert "Saved what you did" not in home(client, circle)


def test_the_record_form_starts_blank_so_nothing_is_claimed_by_default(auth, client, circle):
    for days_ago in (2, 1, 0):
        log(auth, circle, days_ago, craving="9", use="suspected")
    form = card(home(client, circle), "more-structure").split('class="respond"')[1]
    assert '<option value="">Choose the sign</option>' in form
    assert '<option value="">Choose what you did</option>' in form
    assert " selected" not in form


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
    real = records.signals.evaluate

    def spy(day, checkins, **kwargs):
        seen.extend(c["date"] for c in checkins)
        return real(day, checkins, **kwargs)
    monkeypatch.setattr(records.signals, "evaluate", spy)
    with app.test_request_context():
        from flask import g
        from caregiver.views import one
        g.user = {"id": 1}
        circle_row = one("SELECT * FROM circles WHERE id = ?", [circle])
        result = records.circle_signals(circle_row)
    assert old not in seen
    assert all(p["rule"] != "overdose-history" for p in result["prompts"])


def test_the_30_day_query_uses_the_circle_date_index(app):
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT c.* FROM checkins c WHERE c.circle_id = ? AND c.date BETWEEN ? AND ?",
            [1, "2026-01-01", "2026-01-30"]).fetchall()
    assert any("USING INDEX checkins_circle_date" in row[-1] for row in plan), plan


def test_step_down_panel_lists_all_criteria_and_never_says_ready(auth, client, circle):
    log(auth, circle, 0, craving="2")
    html = home(client, circle)
    panel = html.split('id="stepdown-heading"')[1]
    assert panel.count('class="criterion ') == 11
    assert "Not yet, because" in panel
    assert " ready" not in panel.lower().replace("already", "")


def test_a_new_circle_says_once_that_the_step_down_signs_wait_for_a_check_in(auth, client, circle):
    panel = home(client, circle).split('id="stepdown-heading"')[1]
    assert panel.count("Nothing to read yet.") == 1 and "Not yet, because" not in panel
    assert f'href="/c/{circle}/checkins/new">Add the first check-in</a>' in panel
    # What the checklists already tell shows; the rest is one line, not six "can't tell".
    shown, folded = panel.split('<details class="criteria-unknown">')
    assert "criterion-unknown" not in shown and 'class="criterion criterion-unmet"' in shown
    unknown = folded.count('class="criterion criterion-unknown"')
    assert unknown >= 2 and f"<summary>{unknown} more can't be read from the check-ins yet.</summary>" in folded


def test_criteria_the_check_ins_cant_show_yet_are_one_line(auth, client, circle):
    log(auth, circle, 0, craving="2", use="none")
    panel = home(client, circle).split('id="stepdown-heading"')[1]
    folded = panel.split('<details class="criteria-unknown">')[1].split("</details>")[0]
    shown = panel.split('<details class="criteria-unknown">')[0]
    unknown = folded.count('class="criterion criterion-unknown"')
    summary = re.search(r"<summary>(\d+) more can't be read from the check-ins yet\.</summary>", folded)
    assert summary and int(summary.group(1)) == unknown
    assert unknown >= 2 and unknown + shown.count('class="criterion ') == 11
    assert "criterion-unknown" not in shown


def test_a_new_circle_is_asked_for_its_first_check_in_not_told_of_missing_days(auth, client, circle):
    html = home(client, circle)
    assert "No check-ins yet" in html and "No check-ins for 3 days" not in html
    log(auth, circle, 5, craving="2")  # once there is a check-in, a gap is a gap
    assert "No check-ins for 3 days" in home(client, circle)


def test_the_urgent_card_opens_with_what_was_seen_then_call_then_steps_then_the_days_after(auth, client, circle):
    log(auth, circle, 1, overdose="y", naloxone_given="y")
    log(auth, circle, 0, naloxone_given="y")
    urgent = card(home(client, circle), "urgent")
    d0, d1 = today(), today() - timedelta(days=1)
    words = lambda d: f"{d:%a} {d.day} {d:%b}"  # noqa: E731
    fact = re.search(r'<h3 id="urgent-title" class="urgent-fact">(.*?)</h3>', urgent).group(1)
    # One line, newest first, one fact per kind of day.
    assert fact == (f"<span>Naloxone given: {words(d0)}</span>; "
                    f"<span>Overdose, naloxone given: {words(d1)}</span>")
    order = [urgent.index(s) for s in ('class="urgent-fact"', 'href="tel:911"', 'class="steps"',
                                        'class="urgent-then"', 'id="prompt-overdose-recent"')]
    assert order == sorted(order)


def test_a_more_structure_sign_on_the_same_days_is_a_line_under_the_urgent_card(auth, client, circle):
    log(auth, circle, 0, overdose="y")
    html = home(client, circle)
    urgent = card(html, "urgent")
    also = re.search(r'<p class="also" id="prompt-overdose-history">(.*?)</p>', urgent).group(1)
    assert also == ("<strong>Also:</strong> An overdose in the last 30 days. This is one more reason to talk "
                    "with the care team about more structure.")
    assert '<li class="prompt prompt-more-structure">' not in html  # not a second card about it
    assert html.count('id="prompt-overdose-history"') == 1
    # What the family did can still be recorded about it.
    assert '<option value="overdose-history">' in urgent


def test_an_older_overdose_keeps_its_own_card(auth, client, circle):
    log(auth, circle, 10, overdose="y")
    log(auth, circle, 0, overdose="y")
    html = home(client, circle)
    assert 'id="prompt-overdose-history"' in card(html, "more-structure")
    assert 'class="also"' not in card(html, "urgent")


def test_with_an_urgent_sign_the_card_comes_right_under_the_name(auth, client, circle):
    log(auth, circle, 0, overdose="y")
    html = home(client, circle)
    main = html.split('<main')[1]
    h1 = main.index("<h1>")
    assert main.index('<li class="prompt prompt-urgent">') < main.index("Today has 1 check-in")
    assert main.index('<li class="prompt prompt-urgent">') < main.index("Add the care team")
    between = main[h1:main.index('<li class="prompt prompt-urgent">')]
    assert "Check in for today" not in between and "since" not in between


def test_a_new_circle_is_never_told_there_are_no_warning_signs(auth, client):
    """Before any check-in, "no urgent or more-structure warning sign today" would
    reassure about nothing: the home page leaves that criterion out until a day is logged."""
    auth.sign_up("alice", name="Alice")
    circle = auth.create_circle("Sam")
    page = client.get(f"/c/{circle}/").get_data(as_text=True)
    assert "No current warning signs" not in page
    assert auth.checkin(circle, date=today().isoformat(), craving="2").status_code in (200, 302)
    assert "No current warning signs" in client.get(f"/c/{circle}/").get_data(as_text=True)
