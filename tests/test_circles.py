"""Circles: creating, settings, invites (one-time, expiring), members, switching."""
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from db_helpers import rows


def make_invite(auth, client, circle):
    auth.post(f"/c/{circle}/invites", token_from=f"/c/{circle}/members")
    html = client.get(f"/c/{circle}/members").get_data(as_text=True)
    return re.search(r'readonly value="http://localhost(/invite/[^"]+)"', html).group(1)


def test_create_circle_stores_level_history_and_owner(app, auth):
    auth.sign_up()
    circle = auth.create_circle(level="iop", since="2026-11-10", **{
        "care_team-0-label": "Dr. Lee", "care_team-0-number": "555-123-4567"})
    assert rows(app, "SELECT nickname, level_of_care, level_since, timezone, emergency_number FROM circles") == [
        ("Sam", "iop", "2026-11-10", "America/New_York", "911")]
    assert rows(app, "SELECT level, since FROM level_history") == [("iop", "2026-11-10")]
    assert rows(app, "SELECT role FROM memberships WHERE circle_id = ?", [circle]) == [("owner",)]
    assert rows(app, "SELECT label, number FROM care_team_numbers") == [("Dr. Lee", "555-123-4567")]


@pytest.mark.parametrize("fields, message", [
    ({"nickname": ""}, "Enter a first name or nickname."),
    ({"level_of_care": "rehab"}, "Choose a level of care from the list."),
    ({"level_since": ""}, "Enter the date this level of care started."),
    ({"level_since": "soon"}, "Enter a date like 2026-11-02."),
    ({"timezone": "Mars/Olympus"}, "Choose a time zone from the list."),
    ({"emergency_number": "call mom"}, "Use digits, spaces, dashes or brackets"),
    ({"care_team-0-label": "Dr. Lee"}, "Give both a name and a number, or neither."),
    ({"previous_level": "outpatient"}, "Choose a level other than the current one"),
    ({"previous_level": "rehab"}, "Choose the level before from the list."),
    ({"level_since": "2099-01-01"}, "This date is in the future."),
], ids=["nickname", "level", "since-missing", "since-bad", "timezone", "phone", "care-team-pair",
        "previous-same", "previous-unknown", "since-future"])
def test_invalid_circle_is_refused_and_nothing_written(app, auth, fields, message):
    auth.sign_up()
    data = {"nickname": "Sam", "level_of_care": "outpatient", "level_since": "2026-11-01",
            "timezone": "America/New_York", "emergency_number": "911", **fields}
    response = auth.post("/circles/new", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert rows(app, "SELECT count(*) FROM circles") == [(0,)]


def test_a_circle_made_after_discharge_knows_where_the_person_came_from(app, auth, client):
    # The week after inpatient care is the riskiest: the rules need the level before.
    auth.sign_up()
    since = (datetime.now(timezone.utc).astimezone(ZoneInfo("America/New_York")).date() - timedelta(days=5))
    circle = auth.create_circle(level="outpatient", since=since.isoformat(), previous_level="inpatient",
                                **{"care_team-0-label": "Clinic", "care_team-0-number": "(555) 123-4567"})
    assert rows(app, "SELECT level_of_care, level_since, previous_level FROM circles") == [
        ("outpatient", since.isoformat(), "inpatient")]
    assert rows(app, "SELECT level, since FROM level_history ORDER BY since") == [
        ("inpatient", (since - timedelta(days=1)).isoformat()), ("outpatient", since.isoformat())]
    assert rows(app, "SELECT number FROM care_team_numbers") == [("(555) 123-4567",)]
    home = client.get(f"/c/{circle}/").get_data(as_text=True)
    assert 'id="prompt-recent-step-down"' in home


def test_settings_update_circle_and_care_team(app, auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    response = auth.post(f"/c/{circle}/settings", {
        "nickname": "Sammy", "living_situation": "sober-living", "timezone": "Europe/Paris",
        "emergency_number": "112", "care_team-1-label": "Clinic", "care_team-1-number": "+33 1 23 45 67 89"})
    assert response.status_code == 302
    assert rows(app, "SELECT nickname, living_situation, timezone, emergency_number FROM circles") == [
        ("Sammy", "sober-living", "Europe/Paris", "112")]
    html = client.get("/emergency").get_data(as_text=True)
    assert 'href="tel:112"' in html and 'href="tel:+33123456789"' in html


def test_invite_link_lets_a_second_caregiver_join_once(app, auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    path = make_invite(auth, client, circle)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 32
    # Only the hash is stored.
    assert not rows(app, "SELECT 1 FROM invites WHERE token_hash = ?", [token])
    # The link is shown once.
    assert path not in client.get(f"/c/{circle}/members").get_data(as_text=True)
    auth.sign_out()
    assert "Sign in or create an account" in client.get(path).get_data(as_text=True)
    auth.sign_up("bob")
    assert auth.post(path).status_code == 302
    assert rows(app, "SELECT role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.username = 'bob'") \
        == [("member",)]
    # Reused by a third person: refused.
    auth.sign_out()
    auth.sign_up("carol")
    response = client.get(path)
    assert response.status_code == 410 and "already been used" in response.get_data(as_text=True)
    response = auth.post(path, token_from="/sign-in")
    assert response.status_code == 410
    assert client.get(f"/c/{circle}/").status_code == 404


def test_expired_invite_is_refused(app, auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    path = make_invite(auth, client, circle)
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.execute("UPDATE invites SET expires_at = '2020-01-01T00:00:00+00:00'")
    auth.sign_out()
    auth.sign_up("bob")
    response = client.get(path)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert rows(app, "SELECT count(*) FROM memberships") == [(1,)]


def test_invite_joins_only_its_own_circle(app, auth, client):
    auth.sign_up()
    circle_a = auth.create_circle("Sam")
    circle_b = auth.create_circle("Alex")
    path = make_invite(auth, client, circle_a)
    auth.sign_out()
    auth.sign_up("bob")
    auth.post(path)
    assert client.get(f"/c/{circle_a}/").status_code == 200
    assert client.get(f"/c/{circle_b}/").status_code == 404


def test_invite_links_expire_after_seven_days(app, auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    make_invite(auth, client, circle)
    (created, expires), = rows(app, "SELECT created_at, expires_at FROM invites")
    from datetime import datetime
    assert (datetime.fromisoformat(expires) - datetime.fromisoformat(created)).days == 7


def test_made_up_invite_token_is_refused(client):
    response = client.get("/invite/not-a-real-token")
    assert response.status_code == 410
    assert "not valid" in response.get_data(as_text=True)


def test_owner_removes_a_member_and_members_cannot(app, auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    path = make_invite(auth, client, circle)
    auth.sign_out()
    auth.sign_up("bob")
    auth.post(path)
    (alice_id,), = rows(app, "SELECT id FROM users WHERE username = 'alice'")
    (bob_id,), = rows(app, "SELECT id FROM users WHERE username = 'bob'")
    # Bob (a member) cannot remove Alice.
    response = auth.post(f"/c/{circle}/members/{alice_id}/remove", token_from=f"/c/{circle}/members")
    assert response.status_code == 403
    auth.sign_out()
    auth.sign_in("alice")
    response = auth.post(f"/c/{circle}/members/{bob_id}/remove", token_from=f"/c/{circle}/members")
    assert response.status_code == 302
    assert rows(app, "SELECT user_id FROM memberships") == [(alice_id,)]
    auth.sign_out()
    auth.sign_in("bob")
    assert client.get(f"/c/{circle}/").status_code == 404


def test_a_caregiver_switches_between_circles(auth, client):
    auth.sign_up()
    sam = auth.create_circle("Sam")
    alex = auth.create_circle("Alex")
    html = client.get("/?choose=1").get_data(as_text=True)
    assert f'href="/c/{sam}/"' in html and f'href="/c/{alex}/"' in html
    client.get(f"/c/{alex}/")
    # The start page goes to the circle used last.
    assert client.get("/").headers["Location"].endswith(f"/c/{alex}/")


def test_emergency_page_is_reachable_signed_out_and_from_every_page(auth, client):
    response = client.get("/emergency")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="tel:911"' in html and 'href="tel:988"' in html and 'href="tel:18006624357"' in html
    assert "naloxone" in html.lower()
    auth.sign_up()
    circle = auth.create_circle()
    for path in ["/", f"/c/{circle}/", f"/c/{circle}/checkins/new", f"/c/{circle}/history",
                 f"/c/{circle}/members", "/sign-out"]:
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        # On a circle's pages, that circle's own numbers (kept offline per circle).
        expected = "/emergency" if path == "/sign-out" else f"/c/{circle}/emergency"
        assert f'class="emergency-link" href="{expected}"' in page, path


def test_a_new_invite_token_is_never_stored_in_clear(app, auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    path = make_invite(auth, client, circle)
    token = path.rsplit("/", 1)[1].encode()
    db_path = app.config["DATABASE"]
    for suffix in ("", "-wal", "-shm"):
        try:
            with open(db_path + suffix, "rb") as f:
                assert token not in f.read(), f"token in clear in {db_path + suffix}"
        except FileNotFoundError:
            pass


def test_a_member_leaves_and_sees_nothing_of_the_circle_after(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle()
    auth.join_circle(circle, "bea")
    response = auth.post(f"/c/{circle}/leave", token_from=f"/c/{circle}/members")
    assert response.status_code == 302
    assert client.get(f"/c/{circle}/").status_code == 404
    assert rows(app, "SELECT u.username, m.role FROM memberships m JOIN users u ON u.id = m.user_id") == [
        ("alice", "owner")]


def test_the_only_owner_who_leaves_hands_the_circle_to_the_longest_member(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle()
    auth.join_circle(circle, "bea")
    auth.sign_out()
    auth.sign_in("alice")
    members_page = client.get(f"/c/{circle}/members").get_data(as_text=True)
    assert "Bea becomes its owner." in members_page
    auth.post(f"/c/{circle}/leave", token_from=f"/c/{circle}/members")
    assert rows(app, "SELECT u.username, m.role FROM memberships m JOIN users u ON u.id = m.user_id") == [
        ("bea", "owner")]


def test_the_last_one_in_a_circle_is_sent_to_delete_it_instead(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle()
    assert "Leave this circle" not in client.get(f"/c/{circle}/members").get_data(as_text=True)
    response = auth.post(f"/c/{circle}/leave", token_from=f"/c/{circle}/members")
    assert response.headers["Location"].endswith(f"/c/{circle}/delete")
    assert rows(app, "SELECT count(*) FROM memberships") == [(1,)]


def test_someone_already_in_the_circle_does_not_use_up_its_invite(app, auth, client):
    auth.sign_up("alice")
    circle = auth.create_circle()
    path = make_invite(auth, client, circle)
    html = client.get(path).get_data(as_text=True)
    assert "You are already in Sam's circle" in html
    auth.post(path, token_from=path)  # even a posted form changes nothing
    assert rows(app, "SELECT used_at FROM invites") == [(None,)]
    auth.sign_out()
    auth.sign_up("bea")
    assert auth.post(path).status_code == 302  # still works for the person it was for


def test_a_circle_without_care_team_numbers_asks_for_them_until_one_is_saved(auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    home = client.get(f"/c/{circle}/").get_data(as_text=True)
    ask = home.split('<aside class="notice ask-numbers"')[1].split("</aside>")[0]
    assert "Add the care team's phone numbers" in ask and "this app shows only 911" in ask
    assert f'href="/c/{circle}/settings#care-team"' in ask
    assert 'id="care-team"' in client.get(f"/c/{circle}/settings").get_data(as_text=True)
    auth.post(f"/c/{circle}/settings", {"nickname": "Sam", "living_situation": "home",
                                        "timezone": "America/New_York", "emergency_number": "911",
                                        "care_team-0-label": "Counselor", "care_team-0-number": "555 0100"})
    assert "ask-numbers" not in client.get(f"/c/{circle}/").get_data(as_text=True)


def test_a_circle_made_with_a_care_team_number_is_not_asked(auth, client):
    auth.sign_up()
    circle = auth.create_circle(**{"care_team-0-label": "Dr. Lee", "care_team-0-number": "555-123-4567"})
    assert "ask-numbers" not in client.get(f"/c/{circle}/").get_data(as_text=True)


def test_not_now_hides_the_ask_for_numbers_for_this_session_only(auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    other = auth.create_circle("Kim")
    path = f"/c/{circle}/care-team-prompt/dismiss"
    assert client.post(path).status_code == 400  # no CSRF token: refused, nothing hidden
    assert "ask-numbers" in client.get(f"/c/{circle}/").get_data(as_text=True)
    response = auth.post(path, token_from=f"/c/{circle}/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/c/{circle}/")
    assert "ask-numbers" not in client.get(f"/c/{circle}/").get_data(as_text=True)
    assert "ask-numbers" in client.get(f"/c/{other}/").get_data(as_text=True)  # that circle only
    auth.sign_out()
    auth.sign_in()
    assert "ask-numbers" in client.get(f"/c/{circle}/").get_data(as_text=True)  # a new session asks again


def test_only_a_member_can_dismiss_the_ask_for_numbers(auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    auth.sign_out()
    auth.sign_up("bob")
    assert auth.post(f"/c/{circle}/care-team-prompt/dismiss", token_from="/").status_code == 404
