"""The check-in form: every validation rule, saving once, history, edit and delete."""
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

TZ = "America/New_York"


def today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


def count(app, table="checkins"):
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def circle(auth):
    auth.sign_up()
    return auth.create_circle(tz=TZ)


def post_checkin(auth, circle, **fields):
    fields.setdefault("date", today().isoformat())
    return auth.checkin(circle, **fields)


# Each case: the field values, the message the caregiver reads.
INVALID = [
    pytest.param({"date": "tomorrow"}, "Day: enter a date like", id="date-not-a-date"),
    pytest.param({"date": ""}, "Day: enter a date like", id="date-missing"),
    pytest.param({"date": "2026-02-30"}, "Day: enter a date like", id="date-impossible"),
    pytest.param({"date": "FUTURE"}, "Day: this date is in the future", id="date-future"),
    pytest.param({"date": "TOO_OLD"}, "Day: check-ins can go back at most 14 days", id="date-15-days-back"),
    pytest.param({"craving": "11"}, "Craving: choose a number from 0 to 10", id="craving-above-10"),
    pytest.param({"craving": "-1"}, "Craving: choose a number from 0 to 10", id="craving-negative"),
    pytest.param({"craving": "3.5"}, "Craving: choose a number from 0 to 10", id="craving-fraction"),
    pytest.param({"stress": "ten"}, "Stress: choose a number from 0 to 10", id="stress-word"),
    pytest.param({"withdrawal": "extreme"}, "Withdrawal: choose one of the options", id="withdrawal-unknown"),
    pytest.param({"access": "always"}, "Access: choose one of the options", id="access-unknown"),
    pytest.param({"medication": "skipped"}, "Medication: choose one of the options", id="medication-unknown"),
    pytest.param({"use": "maybe"}, "Signs of use: choose one of the options", id="use-unknown"),
    pytest.param({"withdrawal_signs": ["sweating", "hiccups"]}, "Withdrawal signs: unknown sign hiccups",
                 id="sign-unknown"),
    pytest.param({"notes": "x" * 2001}, "Notes: at most 2,000 characters", id="notes-too-long"),
    pytest.param({"mood": "low"}, "Unknown field: mood", id="unknown-field"),
]


@pytest.mark.parametrize("fields, message", INVALID)
def test_invalid_checkin_is_refused_with_a_message_and_nothing_is_written(app, auth, circle, fields, message):
    fields = dict(fields)
    if fields.get("date") == "FUTURE":
        fields["date"] = (today() + timedelta(days=1)).isoformat()
    if fields.get("date") == "TOO_OLD":
        fields["date"] = (today() - timedelta(days=15)).isoformat()
    response = post_checkin(auth, circle, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app) == 0
    assert count(app, "checkin_audit") == 0


def test_boundaries_of_the_date_window_are_accepted(app, auth, circle):
    assert post_checkin(auth, circle, date=today().isoformat()).status_code == 200
    assert post_checkin(auth, circle, date=(today() - timedelta(days=14)).isoformat()).status_code == 200
    assert count(app) == 2


def test_notes_of_exactly_2000_code_points_are_accepted(app, auth, circle):
    assert post_checkin(auth, circle, notes="é" * 2000).status_code == 200
    assert count(app) == 1


def test_a_full_checkin_is_stored_with_every_field(app, auth, circle):
    response = post_checkin(auth, circle, craving="7", withdrawal="moderate",
                            withdrawal_signs=["yawning", "sweating"], access="possible", stress="8",
                            medication="missed", use="suspected", overdose="y", naloxone_given="y",
                            notes="Rough evening.")
    assert response.status_code == 200
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM checkins").fetchone()
    assert (row["craving"], row["withdrawal"], row["access"], row["stress"], row["medication"], row["use"],
            row["overdose"], row["naloxone_given"], row["notes"]) == (
        7, "moderate", "possible", 8, "missed", "suspected", 1, 1, "Rough evening.")
    assert json.loads(row["withdrawal_signs"]) == ["sweating", "yawning"]  # the spec's order


def test_blank_choices_are_stored_as_not_observed(app, auth, circle):
    post_checkin(auth, circle)
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        row = conn.execute("SELECT craving, withdrawal, access, stress, medication, use FROM checkins").fetchone()
    assert row == (None,) * 6


def test_the_form_defaults_to_today_in_the_circles_time_zone(auth, circle, client):
    html = client.get(f"/c/{circle}/checkins/new").get_data(as_text=True)
    assert f'value="{today().isoformat()}"' in html
    assert f'min="{(today() - timedelta(days=14)).isoformat()}"' in html


def test_a_replayed_form_with_the_same_client_id_is_stored_once(app, auth, circle):
    first = post_checkin(auth, circle, client_id="phone-1234-abcd", craving="5")
    again = post_checkin(auth, circle, client_id="phone-1234-abcd", craving="5")
    assert first.status_code == again.status_code == 200
    assert "nothing was doubled" in again.get_data(as_text=True)
    assert count(app) == 1


def test_json_clients_get_json_answers(app, auth, circle):
    headers = {"Accept": "application/json"}
    ok = auth.post(f"/c/{circle}/checkins/new", {"date": today().isoformat(), "client_id": "abcdefgh-1"},
                   headers=headers)
    assert ok.status_code == 201 and ok.get_json()["created"] is True
    replay = auth.post(f"/c/{circle}/checkins/new", {"date": today().isoformat(), "client_id": "abcdefgh-1"},
                       headers=headers)
    assert replay.status_code == 200 and replay.get_json() == {"id": ok.get_json()["id"], "created": False}
    bad = auth.post(f"/c/{circle}/checkins/new", {"date": today().isoformat(), "craving": "12"}, headers=headers)
    assert bad.status_code == 422
    assert "Craving" in bad.get_json()["errors"]["craving"][0]
    assert count(app) == 1


def test_saving_with_htmx_returns_the_partial_with_prompts(auth, circle):
    for days_ago in (0, 1, 2):
        response = auth.post(f"/c/{circle}/checkins/new",
                             {"date": (today() - timedelta(days=days_ago)).isoformat(), "craving": "8"},
                             headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html  # only the partial
    assert "HX-Request" in response.headers["Vary"]
    assert "Saved." in html
    assert 'id="prompt-cravings-high"' in html


def test_without_htmx_saving_returns_the_whole_page(auth, circle):
    html = post_checkin(auth, circle).get_data(as_text=True)
    assert "<html" in html and "Saved." in html


def test_history_shows_the_most_concerning_value_of_the_day(auth, client, circle):
    day = today().isoformat()
    post_checkin(auth, circle, craving="3", use="none", access="easy", notes="Calm morning")
    auth.sign_out()
    auth.sign_up("bob")
    # Bob joins through an invite made by Alice.
    auth.sign_out()
    auth.sign_in("alice")
    auth.post(f"/c/{circle}/invites", token_from=f"/c/{circle}/members")
    link = client.get(f"/c/{circle}/members").get_data(as_text=True).split('readonly value="')[1].split('"')[0]
    path = link.split("localhost", 1)[1]
    auth.sign_out()
    auth.sign_in("bob")
    auth.post(path)
    post_checkin(auth, circle, craving="8", use="suspected", access="none")
    html = client.get(f"/c/{circle}/history").get_data(as_text=True)
    section = html.split(f'id="day-{day}"')[1].split("</section>")[0]
    values = section.split("<details>")[0]
    assert "<dt>Craving</dt><dd>8</dd>" in values
    assert "Suspected" in values and "Yes, easily" in values  # the form's words, never raw ids
    assert "Alice" in section and "Bob" in section and "Calm morning" in section


def test_edit_own_checkin_keeps_an_audit_trail(app, auth, client, circle):
    post_checkin(auth, circle, craving="2")
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        checkin_id = conn.execute("SELECT id FROM checkins").fetchone()[0]
    path = f"/c/{circle}/checkins/{checkin_id}/edit"
    response = auth.post(path, {"date": today().isoformat(), "craving": "9"})
    assert response.status_code == 302
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        assert conn.execute("SELECT craving FROM checkins").fetchone()[0] == 9
        trail = conn.execute("SELECT action, before_json, after_json FROM checkin_audit ORDER BY id").fetchall()
    assert [t[0] for t in trail] == ["create", "update"]
    assert json.loads(trail[1][1])["craving"] == 2 and json.loads(trail[1][2])["craving"] == 9


def test_delete_own_checkin_keeps_a_copy_in_the_audit_trail(app, auth, circle):
    post_checkin(auth, circle, craving="4")
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        checkin_id = conn.execute("SELECT id FROM checkins").fetchone()[0]
    response = auth.post(f"/c/{circle}/checkins/{checkin_id}/delete",
                         token_from=f"/c/{circle}/checkins/{checkin_id}/edit")
    assert response.status_code == 302
    assert count(app) == 0
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        action, before = conn.execute(
            "SELECT action, before_json FROM checkin_audit ORDER BY id DESC").fetchone()
    assert action == "delete" and json.loads(before)["craving"] == 4


def test_history_shows_every_edit_and_deletion_to_the_whole_circle(app, auth, client, circle):
    post_checkin(auth, circle, craving="8", use="confirmed", notes="private words")
    post_checkin(auth, circle, craving="3")
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        first, second = [r[0] for r in conn.execute("SELECT id FROM checkins ORDER BY id")]
    auth.post(f"/c/{circle}/checkins/{second}/edit", {"date": today().isoformat(), "craving": "6"})
    auth.post(f"/c/{circle}/checkins/{first}/delete", token_from=f"/c/{circle}/checkins/{first}/edit")
    auth.join_circle(circle, "bea")  # another caregiver sees the same record
    html = client.get(f"/c/{circle}/history").get_data(as_text=True)
    changes = html.split('aria-label="Changes to this day\'s check-ins"')[1].split("</ul>")[0]
    assert "Alice edited a check-in: craving 3 → 6" in changes
    assert "Alice deleted a check-in (craving 8, use confirmed, overdose no, naloxone no)" not in changes
    assert "Alice deleted a check-in (craving 8, use confirmed)" in changes
    assert "private words" not in changes  # a deleted note is not quoted back


def test_a_day_whose_only_check_in_was_deleted_still_shows_the_deletion(app, auth, client, circle):
    post_checkin(auth, circle, date=(today() - timedelta(days=2)).isoformat(), use="suspected")
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        checkin_id = conn.execute("SELECT id FROM checkins").fetchone()[0]
    auth.post(f"/c/{circle}/checkins/{checkin_id}/delete", token_from=f"/c/{circle}/checkins/{checkin_id}/edit")
    html = client.get(f"/c/{circle}/history").get_data(as_text=True)
    day = today() - timedelta(days=2)
    section = html.split(f'id="day-{day.isoformat()}"')[1].split("</section>")[0]
    assert "deleted a check-in (use suspected)" in section


def test_line_breaks_count_once_in_a_note(app, auth, circle):
    # Browsers send a textarea's line breaks as CR LF: 2,000 characters typed must fit.
    note = ("x" * 99 + "\r\n") * 20  # 2,000 characters as typed, 2,020 as sent
    assert post_checkin(auth, circle, notes=note).status_code == 200
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        stored = conn.execute("SELECT notes FROM checkins").fetchone()[0]
    assert "\r" not in stored and len(stored) == 1999  # (the last line break is stripped)


def test_a_caregiver_cannot_edit_or_delete_someone_elses_checkin(app, auth, client, circle):
    post_checkin(auth, circle, craving="4")
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        checkin_id = conn.execute("SELECT id FROM checkins").fetchone()[0]
    auth.post(f"/c/{circle}/invites", token_from=f"/c/{circle}/members")
    link = client.get(f"/c/{circle}/members").get_data(as_text=True).split('readonly value="')[1].split('"')[0]
    auth.sign_out()
    auth.sign_up("bob")
    auth.post(link.split("localhost", 1)[1])
    edit = f"/c/{circle}/checkins/{checkin_id}/edit"
    assert client.get(edit).status_code == 403
    response = auth.post(f"/c/{circle}/checkins/{checkin_id}/delete", token_from=f"/c/{circle}/history")
    assert response.status_code == 403
    assert count(app) == 1


def test_the_form_explains_each_question_and_names_the_circles_own_emergency_number(auth, client):
    auth.sign_up("eva")
    circle = auth.create_circle("Noor", tz="Europe/Berlin", emergency_number="112")
    html = client.get(f"/c/{circle}/checkins/new").get_data(as_text=True)
    assert '<a href="tel:112">Call 112</a> first' in html and "call 911" not in html.lower()
    assert "How sick from withdrawal they seemed that day." in html
    assert "Tick only what you noticed yourself." in html
    assert "Naloxone is also sold as Narcan." in html


@pytest.mark.parametrize("until", ["0001-01-05", "0001-01-01", "9999-12-31", "nonsense", "2026-02-30"])
def test_any_history_window_answers_a_page(auth, client, circle, until):
    assert client.get(f"/c/{circle}/history?until={until}").status_code == 200


def test_editing_or_deleting_says_what_was_done_once(app, auth, client, circle):
    post_checkin(auth, circle, craving="2")
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        checkin_id = conn.execute("SELECT id FROM checkins").fetchone()[0]
    day = today()
    auth.post(f"/c/{circle}/checkins/{checkin_id}/edit", {"date": day.isoformat(), "craving": "3"})
    html = client.get(f"/c/{circle}/history").get_data(as_text=True)
    assert f"Saved your changes to the check-in of {day:%a} {day.day} {day:%b}." in html
    assert "Saved your changes" not in client.get(f"/c/{circle}/history").get_data(as_text=True)
    auth.post(f"/c/{circle}/checkins/{checkin_id}/delete", token_from=f"/c/{circle}/checkins/{checkin_id}/edit")
    assert f"Deleted your check-in of {day:%a} {day.day} {day:%b}." in client.get(
        f"/c/{circle}/history").get_data(as_text=True)


def test_overdose_and_naloxone_are_visible_yes_no_checkboxes_that_submit_as_before(app, auth, client, circle):
    html = client.get(f"/c/{circle}/checkins/new").get_data(as_text=True)
    flags = html.split('<fieldset class="choices flags">')[1].split("</fieldset>")[0]
    # One checkbox each, sending "y" when ticked and nothing otherwise; none ticked at first.
    for name in ("overdose", "naloxone_given"):
        assert f'<input type="checkbox" name="{name}" value="y" >' in flags
    assert "checked" not in flags
    assert "Tick a box for yes. Leave it empty for no." in flags
    post_checkin(auth, circle, overdose="y")
    post_checkin(auth, circle, naloxone_given="y")
    post_checkin(auth, circle)  # neither ticked: the browser sends neither
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        assert conn.execute("SELECT overdose, naloxone_given FROM checkins ORDER BY id").fetchall() == [
            (1, 0), (0, 1), (0, 0)]


def test_the_withdrawal_signs_disclosure_is_a_details_with_a_summary(client, circle):
    html = client.get(f"/c/{circle}/checkins/new").get_data(as_text=True)
    assert '<details class="signs" >' in html and "<summary>Which signs did you see?" in html


def test_after_an_overdose_the_saved_partial_opens_with_what_was_seen(auth, circle):
    day = today()
    html = auth.post(f"/c/{circle}/checkins/new", {"date": day.isoformat(), "overdose": "y", "naloxone_given": "y"},
                     headers={"HX-Request": "true"}).get_data(as_text=True)
    urgent = html.split('<li class="prompt prompt-urgent">')[1]
    fact = f"Overdose, naloxone given: {day:%a} {day.day} {day:%b}"
    assert f'class="urgent-fact"><span>{fact}</span></h3>' in urgent
    assert urgent.index(fact) < urgent.index('href="tel:911"') < urgent.index('class="steps"')
