"""Checklists: one-tap ticks by several caregivers, stored once, feeding step-down readiness."""
import re
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from caregiver import content
from caregiver.dates import day_words as nice_date
from db_helpers import rows

TZ = "America/New_York"
JSON = {"Accept": "application/json"}
HTMX = {"HX-Request": "true"}


def today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


def written(app):
    """Everything a tick can write."""
    return rows(app, "SELECT (SELECT count(*) FROM checklist_events), (SELECT count(*) FROM checklist_state)")[0]


@pytest.fixture
def circle(auth):
    auth.sign_up("alice", name="Alice")
    return auth.create_circle(tz=TZ)


def page(client, circle):
    response = client.get(f"/c/{circle}/checklists")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def item_html(html, item_id):
    return re.search(rf'<li id="item-{item_id}".*?</li>', html, re.S).group(0)


def criterion(html, label):
    """The status of a step-down criterion on the home page, found by its label."""
    pattern = rf'<li class="criterion criterion-(\w+)"><span class="badge">[^<]*</span> <strong>{label}</strong>'
    return re.search(pattern, html).group(1)


def test_checklists_page_shows_both_lists_with_text_why_progress_and_one_tap_forms(client, circle):
    html = page(client, circle)
    for checklist in content.CHECKLISTS.values():
        assert checklist["title"] in html
        for item in checklist["items"]:
            li = item_html(html, item["id"])
            assert str(escape(item["text"])) in li and str(escape(item["why"])) in li
            assert 'aria-pressed="false"' in li and 'name="ticked" value="1"' in li
            assert f'hx-post="/c/{circle}/checklists/{item["id"]}"' in li and 'data-outbox="tick"' in li
    assert "0 of 8" in html and "0 of 5" in html
    client_ids = re.findall(r'name="client_id" value="([^"]+)"', html)
    assert len(client_ids) == 13 and len(set(client_ids)) == 13
    assert all(uuid.UUID(c) for c in client_ids)
    assert f'href="/c/{circle}/checklists" aria-current="page">Checklists</a>' in html  # a tab
    assert " style=" not in html  # the CSP forbids inline styles


def test_a_tick_without_javascript_comes_back_to_the_item_and_shows_who_and_when(app, auth, client, circle):
    response = auth.tick(circle, "naloxone-home")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/c/{circle}/checklists#item-naloxone-home")
    user = rows(app, "SELECT id FROM users WHERE username = 'alice'")[0][0]
    assert rows(app, "SELECT item_id, ticked, changed_by FROM checklist_state") == [("naloxone-home", 1, user)]
    assert rows(app, "SELECT item_id, ticked, user_id FROM checklist_events") == [("naloxone-home", 1, user)]
    html = page(client, circle)
    li = item_html(html, "naloxone-home")
    assert 'aria-pressed="true"' in li and 'name="ticked" value="0"' in li
    assert f"Ticked by Alice, {nice_date(today())}" in li
    assert "1 of 5" in html and "0 of 8" in html


def test_two_caregivers_tick_and_untick_and_every_change_is_recorded(app, auth, client, circle):
    auth.tick(circle, "meds-locked")
    auth.join_circle(circle, "bob", name="Bob")
    html = page(client, circle)
    assert f"Ticked by Alice, {nice_date(today())}" in item_html(html, "meds-locked")

    assert auth.tick(circle, "meds-locked", 0).status_code == 302
    li = item_html(page(client, circle), "meds-locked")
    assert 'aria-pressed="false"' in li and f"Unticked by Bob, {nice_date(today())}" in li

    auth.tick(circle, "meds-locked", 1)
    html = page(client, circle)
    assert "Ticked by Bob" in item_html(html, "meds-locked") and "1 of 5" in html
    assert rows(app, "SELECT e.ticked, u.display_name FROM checklist_events e JOIN users u ON u.id = e.user_id"
                     " ORDER BY e.id") == [(1, "Alice"), (0, "Bob"), (1, "Bob")]
    assert rows(app, "SELECT count(*) FROM checklist_state") == [(1,)]


def test_ticking_a_ticked_item_again_keeps_who_ticked_it_first(app, auth, client, circle):
    auth.tick(circle, "transport")
    auth.join_circle(circle, "bob", name="Bob")
    auth.tick(circle, "transport", 1)  # e.g. queued offline before Bob saw Alice's tick
    assert "Ticked by Alice" in item_html(page(client, circle), "transport")
    assert rows(app, "SELECT count(*) FROM checklist_events") == [(2,)]


def test_a_replayed_tick_is_stored_once_and_answers_success(app, auth, circle):
    cid = str(uuid.uuid4())
    first = auth.tick(circle, "crisis-numbers", 1, client_id=cid, headers=JSON)
    assert first.status_code == 201
    assert first.get_json() == {"item": "crisis-numbers", "ticked": True, "created": True}
    again = auth.tick(circle, "crisis-numbers", 1, client_id=cid, headers=JSON)
    assert again.status_code == 200
    assert again.get_json() == {"item": "crisis-numbers", "ticked": True, "created": False}
    # A plain form sent twice (back button, double tap) is also stored once.
    assert auth.tick(circle, "crisis-numbers", 1, client_id=cid).status_code == 302
    assert rows(app, "SELECT count(*) FROM checklist_events") == [(1,)]


def test_a_late_replay_does_not_undo_a_later_change(app, auth, circle):
    tick_id, untick_id = str(uuid.uuid4()), str(uuid.uuid4())
    auth.tick(circle, "transport", 1, client_id=tick_id, headers=JSON)
    auth.tick(circle, "transport", 0, client_id=untick_id, headers=JSON)
    assert auth.tick(circle, "transport", 1, client_id=tick_id, headers=JSON).status_code == 200
    assert rows(app, "SELECT ticked FROM checklist_state") == [(0,)]
    assert rows(app, "SELECT ticked FROM checklist_events ORDER BY id") == [(1,), (0,)]


def test_a_client_id_used_for_another_item_is_refused(app, auth, circle):
    cid = str(uuid.uuid4())
    auth.tick(circle, "transport", 1, client_id=cid, headers=JSON)
    response = auth.tick(circle, "meds-locked", 1, client_id=cid, headers=JSON)
    assert response.status_code == 422
    assert "client_id" in response.get_json()["errors"]
    assert written(app) == (1, 1)


def test_an_htmx_tick_swaps_only_the_item_and_updates_the_progress(auth, circle):
    cid = str(uuid.uuid4())
    response = auth.tick(circle, "coping-practiced", 1, client_id=cid, headers=HTMX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert html.strip().startswith('<li id="item-coping-practiced"') and "<html" not in html
    assert 'aria-pressed="true"' in html and "Ticked by Alice" in html
    assert re.search(r'<p class="progress" id="progress-step-down" hx-swap-oob="true"><strong>1 of 8</strong>', html)
    # The next tap is a new change: it carries a new client id.
    assert cid not in html and re.search(r'name="client_id" value="[0-9a-f-]{36}"', html)


@pytest.mark.parametrize("ticked", ["2", "", "yes", "true", None])
def test_a_bad_ticked_value_is_refused_naming_the_field_and_nothing_is_written(app, auth, circle, ticked):
    path = f"/c/{circle}/checklists/transport"
    data = {} if ticked is None else {"ticked": ticked}
    response = auth.post(path, data, token_from=f"/c/{circle}/checklists")
    assert response.status_code == 422
    assert "Ticked: send 1 to tick the item or 0 to untick it." in response.get_data(as_text=True)
    response = auth.post(path, data, token_from=f"/c/{circle}/checklists", headers=JSON)
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"ticked": ["Ticked: send 1 to tick the item or 0 to untick it."]}}
    response = auth.post(path, data, token_from=f"/c/{circle}/checklists", headers=HTMX)
    assert response.status_code == 422 and 'id="item-transport"' in response.get_data(as_text=True)
    assert written(app) == (0, 0)


def test_a_damaged_client_id_is_refused(app, auth, circle):
    response = auth.tick(circle, "transport", 1, client_id="<script>", headers=JSON)
    assert response.status_code == 422 and "client_id" in response.get_json()["errors"]
    assert written(app) == (0, 0)


def test_an_unknown_item_is_404_and_nothing_is_written(app, auth, circle):
    assert auth.tick(circle, "sunscreen", 1).status_code == 404
    response = auth.tick(circle, "sunscreen", 1, headers=JSON)
    assert response.status_code == 404 and "item" in response.get_json()["errors"]
    assert written(app) == (0, 0)


def test_a_tick_from_a_signed_out_phone_asks_to_sign_in(app, auth, client, circle):
    auth.sign_out()
    response = auth.post(f"/c/{circle}/checklists/transport", {"ticked": "1"}, token_from="/sign-in",
                         headers=JSON)
    assert response.status_code == 401 and response.get_json()["error"] == "signed-out"
    assert written(app) == (0, 0)


def test_ticks_change_the_step_down_readiness_on_the_home_page(auth, client, circle):
    home = f"/c/{circle}/"
    html = client.get(home).get_data(as_text=True)
    assert criterion(html, "Coping skills practiced") == "unmet"
    assert criterion(html, "Safe, drug-free home") == "unmet"
    # An unmet checklist criterion links to its item.
    assert f'href="/c/{circle}/checklists#item-home-substance-free"' in html

    auth.tick(circle, "coping-practiced")
    assert criterion(client.get(home).get_data(as_text=True), "Coping skills practiced") == "met"

    # With enough check-ins of access "none", the home checklist item decides it.
    for back in range(10):
        assert auth.checkin(circle, date=(today() - timedelta(days=back)).isoformat(),
                            access="none").status_code == 200
    assert criterion(client.get(home).get_data(as_text=True), "Safe, drug-free home") == "unmet"
    auth.tick(circle, "home-substance-free")
    html = client.get(home).get_data(as_text=True)
    assert criterion(html, "Safe, drug-free home") == "met"
    assert f'href="/c/{circle}/checklists#item-home-substance-free"' not in html
    auth.tick(circle, "home-substance-free", 0)
    assert criterion(client.get(home).get_data(as_text=True), "Safe, drug-free home") == "unmet"


def test_a_member_of_another_circle_gets_404_and_nothing_is_written(app, auth, client, circle):
    auth.tick(circle, "transport")
    auth.sign_out()
    auth.sign_up("mallory")
    own = auth.create_circle(nickname="Kit", tz=TZ)
    before = written(app)
    assert client.get(f"/c/{circle}/checklists").status_code == 404
    for headers in ({}, JSON, HTMX):
        response = auth.post(f"/c/{circle}/checklists/transport", {"ticked": "0"},
                             token_from=f"/c/{own}/checklists", headers=headers)
        assert response.status_code == 404
    assert written(app) == before
    assert rows(app, "SELECT ticked, circle_id FROM checklist_state") == [(1, circle)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ticked=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12))
def test_any_ticked_value_but_0_or_1_is_refused_and_writes_nothing(app, auth, circle, ticked):
    before = written(app)
    response = auth.tick(circle, "transport", ticked, headers=JSON)
    if ticked in ("0", "1"):
        assert response.status_code == 201
    else:
        assert response.status_code == 422 and list(response.get_json()["errors"]) == ["ticked"]
        assert written(app) == before
