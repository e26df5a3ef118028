"""Prepare for an assessment: the check-ins' facts beside the right questions with their
days, the family's answers kept and edited, the questions for the assessor, the brief,
a share link that carries it, the links that lead there; and two circles kept apart."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from caregiver.dates import day_words
from db_helpers import execute, rows

TZ = "America/New_York"


def today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


def ago(n):
    return today() - timedelta(days=n)


def add_checkin(app, circle, days_ago, **values):
    """A check-in straight into the database (the form takes at most 14 days back)."""
    row = {"withdrawal": "none", "access": "none", "medication": "taken", "use": "none", "craving": 2,
           "stress": 3, "overdose": 0, "naloxone_given": 0, **values}
    names = ", ".join(row)
    execute(app, f"INSERT INTO checkins (circle_id, user_id, date, withdrawal_signs, created_at, updated_at, {names})"
                 f" VALUES (?, 1, ?, '[]', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00',"
                 f" {', '.join('?' for _ in row)})", [circle, ago(days_ago).isoformat(), *row.values()])


@pytest.fixture
def circle(auth):
    auth.sign_up("alice", name="Alice")
    return auth.create_circle("Sam", level="inpatient", since=ago(40).isoformat(), tz=TZ)


@pytest.fixture
def month(app, auth, circle):
    """A month of mixed check-ins: use during inpatient care and after the step down to
    outpatient (15 days ago), an overdose with naloxone, severe and moderate
    withdrawal, easy and possible access, a missed dose; quiet days between."""
    response = auth.post(f"/c/{circle}/level", {"level": "outpatient", "since": ago(15).isoformat()})
    assert response.status_code == 302
    special = {20: {"use": "suspected"}, 19: {"use": "confirmed"}, 10: {"use": "suspected"},
               9: {"overdose": 1, "naloxone_given": 1}, 8: {"withdrawal": "severe"}, 7: {"access": "easy"},
               6: {"access": "possible"}, 5: {"use": "confirmed"}, 4: {"medication": "missed"},
               3: {"withdrawal": "moderate"}, 2: {"withdrawal": "moderate"}}
    for n in range(29, -1, -1):
        add_checkin(app, circle, n, **special.get(n, {}))
    return circle


def question(html, qid):
    """The HTML of one question's fieldset."""
    match = re.search(rf'<fieldset id="q-{qid}".*?</fieldset>', html, re.DOTALL)
    assert match, qid
    return match.group(0)


def page(client, circle):
    response = client.get(f"/c/{circle}/assessment")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_month_of_check_ins_puts_each_fact_beside_its_question_with_its_days(client, month):
    html = page(client, month)
    relapse = question(html, "relapse")  # use while at an outpatient level: not the inpatient days
    assert "Signs of use on 2 days while at an outpatient level (Outpatient)" in relapse
    assert day_words(ago(10)) in relapse and day_words(ago(5)) in relapse
    assert day_words(ago(20)) not in relapse and day_words(ago(19)) not in relapse
    daily = question(html, "daily_use")
    assert "Signs of use on 4 days of the 30 with a check-in" in daily
    assert all(day_words(ago(n)) in daily for n in (20, 19, 10, 5))
    overdose = question(html, "overdose")
    assert f"An overdose or a close call on 1 day: {day_words(ago(9))}." in overdose
    assert f"Naloxone given on 1 day: {day_words(ago(9))}." in overdose
    assert f"Signs of use on 1 day after the overdose or naloxone: {day_words(ago(5))}." in question(
        html, "cannot_stop")
    withdrawal = question(html, "withdrawal")
    assert f"Severe withdrawal on 1 day: {day_words(ago(8))}." in withdrawal
    assert f"Moderate withdrawal on 2 days: {day_words(ago(3))}, {day_words(ago(2))}." in withdrawal
    assert f"Fentanyl easy to get on 1 day: {day_words(ago(7))}." in question(html, "easy_access")
    home = question(html, "safe_home")
    assert day_words(ago(7)) in home and f"maybe within reach on 1 day: {day_words(ago(6))}" in home
    assert f"Medication missed on 1 day: {day_words(ago(4))}." in question(html, "medication")
    assert f"Moderate or severe withdrawal on 2 days of the last week: {day_words(ago(3))}, " \
           f"{day_words(ago(2))}." in question(html, "stable")
    assert "2 separate runs of use while at an outpatient level" in question(html, "no_relapses")
    # No fact where the check-ins cannot know; checklist items where one matches.
    assert "What the check-ins show" not in question(html, "accountability")
    assert 'href="/c/1/checklists#item-accountability"' in question(html, "accountability")
    assert 'href="/c/1/checklists#item-medically-stable"' in question(html, "stable")
    # The app never answers for them.
    assert 'value="" checked' in question(html, "relapse")


def test_runs_of_three_days_or_more_are_written_from_to(app, client, circle):
    for n in (6, 5, 4, 1):
        add_checkin(app, circle, n, access="easy")
    expected = f"Fentanyl easy to get on 4 days: {day_words(ago(6))} to {day_words(ago(4))}, {day_words(ago(1))}."
    assert expected in question(page(client, circle), "easy_access")


def test_without_check_ins_the_page_says_nothing_is_written_down(client, circle):
    html = page(client, circle)
    assert "Nothing about this in the check-ins of the last 30 days." in question(html, "relapse")
    assert "What the check-ins show" not in html


def test_answers_are_kept_with_who_and_when_and_another_member_can_change_them(app, auth, client, circle):
    response = auth.post(f"/c/{circle}/assessment", {"answer_relapse": "yes", "note_relapse": "Twice since June.",
                                                     "answer_stable": "not-sure"})
    assert response.status_code == 302
    html = page(client, circle)
    assert 'value="yes" checked' in question(html, "relapse") and "Twice since June." in html
    assert "Answered by Alice" in question(html, "relapse")
    assert 'value="not-sure" checked' in question(html, "stable")
    assert "Answered by" not in question(html, "overdose")
    auth.join_circle(circle, "bob", name="Bob")
    auth.post(f"/c/{circle}/assessment", {"answer_relapse": "no", "note_relapse": "Twice since June.",
                                          "answer_stable": "not-sure"})
    html = page(client, circle)
    assert 'value="no" checked' in question(html, "relapse") and "Answered by Bob" in question(html, "relapse")
    assert "Answered by Alice" in question(html, "stable")  # unchanged: still Alice's
    # Cleared: answer and note both empty is no row.
    auth.post(f"/c/{circle}/assessment", {"answer_relapse": "", "note_relapse": "", "answer_stable": "not-sure"})
    assert rows(app, "SELECT question_id FROM assessment_answers") == [("stable",)]


def test_a_bad_answer_names_its_question_and_nothing_is_saved(app, auth, circle):
    response = auth.post(f"/c/{circle}/assessment", {"answer_relapse": "yes", "answer_overdose": "maybe",
                                                     "note_stable": "x" * 501})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="answer_overdose-error"' in html and "Have they overdosed, or come close?: choose Yes" in html
    assert 'id="note_stable-error"' in html and "at most 500 characters" in html
    assert rows(app, "SELECT * FROM assessment_answers") == []


def test_the_questions_for_the_assessor_start_from_the_default_list_and_can_be_edited(app, auth, client, circle):
    html = page(client, circle)
    assert "Which level of care is safest now, and why?" in html
    assert "What should we do if warning signs come back?" in html
    response = auth.post(f"/c/{circle}/assessment/questions", {"questions": "Is detox needed first?\r\n\r\nHow long?"},
                         token_from=f"/c/{circle}/assessment")
    assert response.status_code == 302
    assert rows(app, "SELECT questions FROM assessor_questions") == [("Is detox needed first?\nHow long?",)]
    brief = client.get(f"/c/{circle}/assessment/brief").get_data(as_text=True)
    assert "<li>Is detox needed first?</li>" in brief and "Which level of care is safest" not in brief
    for bad, message in (("", "write at least one question"), ("\n".join("q" * 11), "at most 10 lines"),
                         ("a" * 201, "line 1 is longer than 200 characters")):
        response = auth.post(f"/c/{circle}/assessment/questions", {"questions": bad},
                             token_from=f"/c/{circle}/assessment")
        assert response.status_code == 422
        assert f"Questions for the assessor: {message}" in response.get_data(as_text=True)
    assert rows(app, "SELECT questions FROM assessor_questions") == [("Is detox needed first?\nHow long?",)]


def test_where_to_get_an_assessment_lists_the_care_team_the_helpline_and_a_plain_link(auth, client):
    auth.sign_up("carol")
    circle = auth.create_circle("Sam", **{"care_team-0-label": "Dr. Lee", "care_team-0-number": "555-0100"})
    html = page(client, circle)
    assert '<a href="tel:5550100">Dr. Lee: 555-0100</a>' in html
    assert '<a href="tel:18006624357">SAMHSA National Helpline: 1-800-662-4357</a>' in html
    assert '<a href="https://findtreatment.gov">' in html


def test_the_brief_groups_facts_and_answers_by_the_asam_dimensions_and_says_who_wrote_it(auth, client, month):
    auth.post(f"/c/{month}/assessment", {"answer_overdose": "yes", "note_overdose": "Found on the bathroom floor."})
    auth.post(f"/c/{month}/medication", {"medication": "buprenorphine", "since": ago(30).isoformat()})
    html = client.get(f"/c/{month}/assessment/brief").get_data(as_text=True)
    assert "For the assessment: Sam" in html
    assert "It is not an assessment and decides nothing: the assessment decides the level of care." in html
    assert "are not an ASAM assessment" in html
    for n, name in ((1, "Intoxication, Withdrawal, and Addiction Medications"), (2, "Biomedical Conditions"),
                    (3, "Psychiatric and Cognitive Conditions"), (4, "Substance Use-Related Risks"),
                    (5, "Recovery Environment Interactions"), (6, "Person-Centered Considerations")):
        assert re.search(rf'<h2 id="brief-d{n}">{n}\. [^<]+<span class="asam-name">\(<span lang="en">{re.escape(name)}</span>\)', html), name
    assert "Readiness to Change" in html  # named only among the 3rd edition's dimensions
    d4 = html[html.index('id="brief-d4"'):html.index('id="brief-d5"')]
    assert "Have they overdosed, or come close? <strong>Yes</strong>" in d4 and "Found on the bathroom floor." in d4
    assert f"An overdose or a close call on 1 day: {day_words(ago(9))}." in d4
    d1 = html[html.index('id="brief-d1"'):html.index('id="brief-d2"')]
    assert f"Severe withdrawal on 1 day: {day_words(ago(8))}." in d1
    assert "Inpatient from" in html and "Outpatient from" in html
    assert "Buprenorphine, taken daily" in html
    assert "Check-ins on 30 of the days" in html


def test_a_share_link_carries_the_brief_only_when_chosen(auth, client, circle):
    auth.post(f"/c/{circle}/assessment", {"answer_relapse": "yes"})
    without = auth.share_link(circle)
    with_brief = auth.share_link(circle, label="Intake nurse", include_brief="y")
    auth.sign_out()
    assert "For the assessment: Sam" not in client.get(without).get_data(as_text=True)
    shared = client.get(with_brief).get_data(as_text=True)
    assert "For the assessment: Sam" in shared and "Did they go back to using after outpatient treatment?" in shared
    assert "It is not an assessment" in shared


def test_the_continuum_the_summary_and_every_more_structure_card_lead_here(app, client, circle):
    assert f'href="/c/{circle}/assessment"' in client.get(f"/c/{circle}/continuum").get_data(as_text=True)
    assert 'href="assessment"' in client.get(f"/c/{circle}/summary").get_data(as_text=True)
    home = client.get(f"/c/{circle}/").get_data(as_text=True)
    assert f'href="/c/{circle}/assessment"' not in home  # no warning sign: no card
    for n in (2, 1, 0):
        add_checkin(app, circle, n, craving=9)  # cravings-high: more structure
    home = client.get(f"/c/{circle}/").get_data(as_text=True)
    card = home[home.index("prompt-more-structure"):]
    assert f'href="/c/{circle}/assessment"' in card[:card.index("</li>")]


def test_another_circle_sees_none_of_it_and_cannot_write_it(app, auth, client, circle):
    auth.post(f"/c/{circle}/assessment", {"answer_relapse": "yes", "note_relapse": "Alice's circle only"})
    auth.sign_out()
    auth.sign_up("bea", name="Bea")
    other = auth.create_circle("Robin")
    assert "Alice's circle only" not in page(client, other)
    token = auth.token(f"/c/{other}/assessment")
    before = rows(app, "SELECT * FROM assessment_answers")
    for path, data in ((f"/c/{circle}/assessment", {"answer_relapse": "no"}),
                       (f"/c/{circle}/assessment/questions", {"questions": "Mine?"})):
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 404
    assert client.get(f"/c/{circle}/assessment/brief").status_code == 404
    assert rows(app, "SELECT * FROM assessment_answers") == before
    assert rows(app, "SELECT * FROM assessor_questions") == []


def test_the_facts_module_counts_episodes_as_the_rules_do():
    from caregiver.assessment_facts import use_episodes
    from caregiver.signals import aggregate_days
    days = aggregate_days([{"date": ago(n).isoformat(), "use": u} for n, u in
                           ((6, "suspected"), (5, None), (4, "confirmed"), (3, "none"), (2, "suspected"))])
    assert [len(e) for e in use_episodes(set(days), days)] == [2, 1]  # a day without a value does not separate


def test_a_refused_form_leaves_the_other_form_showing_what_is_stored(auth, circle):
    auth.post(f"/c/{circle}/assessment", {"answer_relapse": "yes"})
    response = auth.post(f"/c/{circle}/assessment/questions", {"questions": ""}, token_from=f"/c/{circle}/assessment")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="yes" checked' in question(html, "relapse")  # not blanked: a save would have wiped it
    response = auth.post(f"/c/{circle}/assessment", {"answer_relapse": "maybe"})
    assert "Which level of care is safest now, and why?" in response.get_data(as_text=True)
