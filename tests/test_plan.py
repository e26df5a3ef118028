"""If things get worse: the plan prefilled, saved as versions with who and when, read
receipts, a stale save refused, bad input named and nothing half-saved, naloxone near
its expiry, the home page and the checklist that lead to it; and two circles kept apart."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from caregiver import plan_records
from caregiver.dates import day_words
from caregiver.signals import RULES
from db_helpers import execute, rows

TZ = "America/New_York"


def today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


@pytest.fixture
def circle(auth):
    auth.sign_up("alice", name="Alice")
    return auth.create_circle("Sam", tz=TZ, **{"care_team-0-label": "Dr. Lee", "care_team-0-number": "555-0100",
                                               "care_team-1-label": "Clinic", "care_team-1-number": "555-0199"})


def plan_data(version="0", **fields):
    data = {"calls-0-label": "Dana (mother)", "calls-0-number": "555-0111", "calls-1-label": "Dr. Lee",
            "calls-1-number": "555-0100", "after_hours": "555-0122", "step_up_program": "Hillside IOP",
            "step_up_how": "Call intake; they need the last discharge letter.", "prescriber": "Dr. Ames",
            "pharmacy": "Main St Pharmacy", "naloxone-0-place": "Kitchen drawer",
            "naloxone-0-expires_on": (today() + timedelta(days=400)).isoformat(),
            "naloxone-1-place": "Car glovebox", "step_up_signs": "Any use\nMissed doses two days running",
            "version": version}
    data.update(fields)
    return data


def save(auth, circle, **kwargs):
    return auth.post(f"/c/{circle}/plan", plan_data(**kwargs))


def page(client, circle):
    response = client.get(f"/c/{circle}/plan")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_new_plan_starts_from_the_care_team_numbers_and_the_rules_warning_signs(client, circle):
    html = page(client, circle)
    assert "There is no plan yet." in html
    assert 'name="calls-0-label" type="text" value="Dr. Lee"' in html
    assert 'name="calls-1-number" type="tel" value="555-0199"' in html
    signs = re.search(r'name="step_up_signs"[^>]*>([^<]*)</textarea>', html).group(1)
    assert signs.split("\n") == [r.title for r in RULES if r.level in ("urgent", "more-structure")]


def test_saving_makes_a_version_with_who_and_when_and_the_page_shows_the_plan(app, auth, client, circle):
    assert save(auth, circle).status_code == 302
    html = page(client, circle)
    assert "Version 1, saved by Alice on" in html
    assert '<a href="tel:5550111">Dana (mother): 555-0111</a>' in html
    assert '<a href="tel:5550122">555-0122</a>' in html
    assert "Hillside IOP" in html and "Call intake; they need the last discharge letter." in html
    assert "Dr. Ames" in html and "Main St Pharmacy" in html and "Car glovebox" in html
    assert "<li>Missed doses two days running</li>" in html
    assert "Everyone in the circle has read this version." in html  # the one who saved it has
    assert rows(app, "SELECT version, user_id FROM plan_edits") == [(1, 1)]
    # The same plan sent again (a double tap) is no new version.
    assert save(auth, circle, version="1").status_code == 302
    assert rows(app, "SELECT count(*) FROM plan_edits") == [(1,)]


def test_each_member_can_edit_and_the_page_says_who_has_read_the_latest(app, auth, client, circle):
    save(auth, circle)
    auth.join_circle(circle, "bob", name="Bob")  # now signed in as Bob
    html = page(client, circle)
    assert "Who has read this version: Alice. Not yet: Bob." in html
    assert save(auth, circle, version="1", step_up_program="Riverside PHP").status_code == 302
    html = page(client, circle)
    assert "Version 2, saved by Bob" in html and "Riverside PHP" in html
    assert "Who has read this version: Bob. Not yet: Alice." in html
    assert re.search(r"Version 2: Bob, .*Version 1: Alice, ", html, re.DOTALL)  # the record of edits
    assert "I have read this version" not in html  # Bob has
    auth.sign_out()
    auth.sign_in("alice")
    html = page(client, circle)
    assert "I have read this version" in html
    response = auth.post(f"/c/{circle}/plan/seen", {"version": "2"}, token_from=f"/c/{circle}/plan")
    assert response.status_code == 302
    assert "Everyone in the circle has read this version." in page(client, circle)
    assert rows(app, "SELECT version FROM plan_seen ORDER BY user_id") == [(2,), (2,)]


def test_marking_an_older_version_as_read_is_refused(app, auth, client, circle):
    save(auth, circle)
    save(auth, circle, version="1", pharmacy="Other pharmacy")
    execute(app, "DELETE FROM plan_seen")
    response = auth.post(f"/c/{circle}/plan/seen", {"version": "1"}, token_from=f"/c/{circle}/plan")
    assert response.status_code == 422
    assert "The plan changed since this page was opened" in response.get_data(as_text=True)
    assert rows(app, "SELECT * FROM plan_seen") == []


def test_a_save_over_someone_elses_newer_version_is_refused_and_kept_on_the_form(app, auth, circle):
    save(auth, circle)
    save(auth, circle, version="1", pharmacy="Second pharmacy")
    response = save(auth, circle, version="1", pharmacy="My stale edit")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Someone else saved the plan while you were editing it" in html
    assert 'value="My stale edit"' in html and 'name="version" value="2"' in html  # a second save goes through
    assert rows(app, "SELECT version, pharmacy FROM plans") == [(2, "Second pharmacy")]


@pytest.mark.parametrize("field, value, message", [
    ("calls-0-number", "call me", "Use digits, spaces, dashes or brackets"),
    ("calls-1-label", "", "Give both a name and a number, or neither."),
    ("after_hours", "x", "After-hours number: Use digits"),
    ("step_up_program", "p" * 121, "Program: at most 120 characters."),
    ("step_up_how", "h" * 501, "How to step back up: at most 500 characters."),
    ("naloxone-0-expires_on", "2027-02-30", "Expires on: enter a date like 2027-03-31."),
    ("naloxone-0-expires_on", "2199-01-01", "Expires on: this date is more than 10 years away."),
    ("naloxone-1-place", "", None),  # fine: an empty row
    ("step_up_signs", "\n".join(f"sign {i}" for i in range(13)), "When we step back up: at most 12 lines"),
])
def test_bad_input_names_the_field_and_nothing_is_saved(app, auth, circle, field, value, message):
    response = save(auth, circle, **{field: value})
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    for table in ("plans", "plan_calls", "plan_naloxone", "plan_edits", "plan_seen"):
        assert rows(app, f"SELECT * FROM {table}") == [], table


def test_an_expiry_date_without_a_place_is_refused_on_the_place(app, auth, circle):
    response = save(auth, circle, **{"naloxone-2-expires_on": today().isoformat()})
    assert response.status_code == 422
    assert 'id="naloxone-2-place-error"' in response.get_data(as_text=True)


def test_naloxone_near_or_past_its_expiry_shows_on_the_plan_and_the_home_page(app, auth, client, circle):
    soon, past, far = today() + timedelta(days=20), today() - timedelta(days=2), today() + timedelta(days=31)
    save(auth, circle, **{"naloxone-0-expires_on": soon.isoformat(), "naloxone-1-expires_on": far.isoformat(),
                          "naloxone-2-place": "Bathroom cabinet", "naloxone-2-expires_on": past.isoformat()})
    with app.test_request_context():
        found = plan_records.naloxone_expiring(circle, today())
    assert found == [{"place": "Bathroom cabinet", "expires_on": past, "expired": True},
                     {"place": "Kitchen drawer", "expires_on": soon, "expired": False}]
    html = page(client, circle)
    assert f"The naloxone kept at Kitchen drawer expires on {day_words(soon)}." in html
    assert f"The naloxone kept at Bathroom cabinet expired on {day_words(past)}." in html
    assert "Car glovebox expires" not in html
    home = client.get(f"/c/{circle}/").get_data(as_text=True)
    assert f"The naloxone at Kitchen drawer expires on {day_words(soon)}" in home
    assert "The naloxone at Bathroom cabinet expired on" in home


def test_the_home_page_shows_the_plan_while_a_more_structure_sign_holds(app, auth, client, circle):
    save(auth, circle)
    assert "Our plan if things get worse" not in client.get(f"/c/{circle}/").get_data(as_text=True)
    for n in (2, 1, 0):
        execute(app, "INSERT INTO checkins (circle_id, user_id, date, craving, withdrawal_signs, created_at,"
                     " updated_at) VALUES (?, 1, ?, 9, '[]', 'x', 'x')",
                [circle, (today() - timedelta(days=n)).isoformat()])
    home = client.get(f"/c/{circle}/").get_data(as_text=True)
    card = home[home.index('class="notice plan-card"'):]
    card = card[:card.index("</aside>")]
    assert '<a href="tel:5550111">Dana (mother): 555-0111</a>' in card
    assert "To step back up: Hillside IOP" in card and f'href="/c/{circle}/plan"' in card


def test_without_a_plan_the_home_card_asks_to_make_one(app, client, circle):
    execute(app, "INSERT INTO checkins (circle_id, user_id, date, overdose, withdrawal_signs, created_at, updated_at)"
                 " VALUES (?, 1, ?, 1, '[]', 'x', 'x')", [circle, today().isoformat()])
    home = client.get(f"/c/{circle}/").get_data(as_text=True)
    assert "There is no plan yet for whom to call and when to step back up." in home


def test_the_warning_plan_checklist_item_opens_the_plan(client, circle):
    html = client.get(f"/c/{circle}/checklists").get_data(as_text=True)
    item = html[html.index('id="item-warning-plan"'):]
    assert f'href="/c/{circle}/plan"' in item[:item.index("</li>")]


def test_the_plan_is_kept_offline_from_sign_in(client, circle):
    pages = client.get("/offline-pages").get_json()["pages"]
    assert {"url": f"/c/{circle}/plan", "name": "Sam: If things get worse"} in pages


def test_another_circle_cannot_read_edit_or_mark_the_plan(app, auth, client, circle):
    save(auth, circle)
    auth.sign_out()
    auth.sign_up("bea", name="Bea")
    other = auth.create_circle("Robin")
    assert "Hillside IOP" not in page(client, other)
    token = auth.token(f"/c/{other}/plan")
    before = {t: rows(app, f"SELECT * FROM {t}") for t in ("plans", "plan_calls", "plan_edits", "plan_seen")}
    assert client.get(f"/c/{circle}/plan").status_code == 404
    assert client.post(f"/c/{circle}/plan", data={"csrf_token": token, **plan_data("1")}).status_code == 404
    assert client.post(f"/c/{circle}/plan/seen", data={"csrf_token": token, "version": "1"}).status_code == 404
    assert {t: rows(app, f"SELECT * FROM {t}") for t in before} == before


def test_a_member_who_left_no_longer_counts_as_a_reader(app, auth, client, circle):
    save(auth, circle)
    auth.join_circle(circle, "bob", name="Bob")
    auth.sign_out()
    auth.sign_in("alice")
    assert "Not yet: Bob." in page(client, circle)
    bob = rows(app, "SELECT id FROM users WHERE username = 'bob'")[0][0]
    path = f"/c/{circle}/members/{bob}/remove"
    assert auth.post(path).status_code == 302
    assert "Everyone in the circle has read this version." in page(client, circle)


def test_after_a_refused_form_the_other_form_still_carries_the_version(auth, circle):
    save(auth, circle)
    auth.join_circle(circle, "bob", name="Bob")  # Bob has not read version 1
    response = auth.post(f"/c/{circle}/plan/seen", {"version": "7"}, token_from=f"/c/{circle}/plan")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'name="version" value="1"' in html and 'value="Hillside IOP"' in html  # the plan's form
    response = save(auth, circle, version="7")
    assert response.status_code == 422
    seen_form = re.search(r'action="/c/\d+/plan/seen">(.*?)</form>', response.get_data(as_text=True), re.DOTALL)
    assert 'name="version" value="1"' in seen_form.group(1)


def test_a_save_that_loses_the_race_inside_the_write_is_refused_too(app, auth, circle, monkeypatch):
    """Two saves at once both pass the form's check: the write lock lets only the first through."""
    save(auth, circle)
    real_plan = plan_records.plan

    def someone_saved_meanwhile(circle_id):
        found = real_plan(circle_id)
        return found and {**found, "version": found["version"] + 1}
    calls = {"n": 0}

    def second_read_is_newer(circle_id):
        calls["n"] += 1
        return real_plan(circle_id) if calls["n"] == 1 else someone_saved_meanwhile(circle_id)
    monkeypatch.setattr(plan_records, "plan", second_read_is_newer)
    response = save(auth, circle, version="1", pharmacy="Lost in the race")
    assert response.status_code == 422
    assert "Someone else saved the plan while you were editing it" in response.get_data(as_text=True)
    assert rows(app, "SELECT version, pharmacy FROM plans") == [(1, "Main St Pharmacy")]
