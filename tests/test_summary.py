"""The summary for the care team: window, prompts and what the family did, readiness,
checklists, the day-by-day table, charts with a text alternative, print; and access."""
import re
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caregiver import charts
from caregiver.summary import window

TZ = "America/New_York"


def today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


@pytest.fixture
def circle(auth):
    auth.sign_up("alice@example.com", name="Alice")
    return auth.create_circle(nickname="Sam", tz=TZ, level="iop", since="2026-01-01")


def log(auth, circle, days_ago, **fields):
    day = (today() - timedelta(days=days_ago)).isoformat()
    response = auth.checkin(circle, date=day, **fields)
    assert response.status_code == 200, response.get_data(as_text=True)


def summary(client, circle, query=""):
    response = client.get(f"/c/{circle}/summary{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def table_rows(html):
    body = html.split('<table class="day-table">')[1].split("</tbody>")[0].split("<tbody>")[1]
    return re.findall(r'<tr id="day-(\d{4}-\d{2}-\d{2})"', body)


def day_row(html, day):
    return html.split(f'<tr id="day-{day.isoformat()}"')[1].split("</tr>")[0]


def test_summary_shows_nickname_level_since_range_and_when_made(auth, client, circle):
    html = summary(client, circle)
    assert "Summary for the care team: Sam" in html
    assert "Intensive outpatient" in html and "since Thu 1 Jan 2026" in html
    first = today() - timedelta(days=13)
    assert f"{first:%a} {first.day} {first:%b}" in html and "(the last 14 days)" in html
    assert "Made " in html and TZ in html
    assert "does not diagnose" in html


@pytest.mark.parametrize("query, days", [
    ("", 14), ("?days=7", 7), ("?days=14", 14), ("?days=30", 30),
    ("?days=15", 14), ("?days=abc", 14), ("?days=-7", 14), ("?days=" + "9" * 400, 14), ("?days=7.0", 14),
    ("?days=%00", 14),
])
def test_the_window_is_7_14_or_30_days_and_anything_else_is_14(client, circle, query, days):
    rows = table_rows(summary(client, circle, query))
    assert len(rows) == days
    assert rows[0] == (today() - timedelta(days=days - 1)).isoformat()
    assert rows[-1] == today().isoformat()


def test_window_helper():
    assert [window(v) for v in ("7", "14", "30", None, "", "8", "x", 7)] == [7, 14, 30, 14, 14, 14, 14, 7]


def test_days_without_a_check_in_are_shown_as_such(auth, client, circle):
    log(auth, circle, 1, craving="4")
    html = summary(client, circle, "?days=7")
    assert "No check-in" in day_row(html, today())
    assert "No check-in" not in day_row(html, today() - timedelta(days=1))
    assert html.count("No check-in</td>") == 6


def test_a_day_shows_the_most_concerning_value_of_each_field(auth, client, circle):
    log(auth, circle, 0, craving="3", stress="8", use="none", medication="taken", withdrawal="mild",
        withdrawal_signs=["yawning"], access="none")
    log(auth, circle, 0, craving="8", stress="2", use="suspected", medication="missed", withdrawal="severe",
        withdrawal_signs=["tremor"], access="easy", naloxone_given="y")
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", day_row(summary(client, circle), today()))
    # Overdose, use and medication first: on a phone they show without scrolling sideways.
    assert cells == ["naloxone given", "suspected", "missed", "2", "8", "8", "severe", "yawning, tremor", "easy"]


def test_prompts_that_hold_today_show_evidence_and_what_the_family_did(auth, client, circle):
    for days_ago in (2, 1, 0):
        log(auth, circle, days_ago, craving="9")
    response = auth.post(f"/c/{circle}/prompt-responses",
                         {"rule": "cravings-high", "action": "talked-with-care-team",
                          "note": "Counselor moved the session up."}, token_from=f"/c/{circle}/")
    assert response.status_code == 302
    html = summary(client, circle)
    card = html.split('id="summary-prompt-cravings-high"')[1].split("</ul>")[0]
    assert "Strong cravings on several days" in card and "Consider more structure" in card
    for days_ago in (2, 1, 0):
        day = today() - timedelta(days=days_ago)
        assert f"{day:%a} {day.day} {day:%b}" in card
    assert "We talked with the care team (Alice)" in card
    # A response note is a caregiver's note: left out unless chosen.
    assert "Counselor moved the session up." not in html
    assert "Counselor moved the session up." in summary(client, circle, "?notes=1")


def test_responses_about_prompts_that_no_longer_hold_are_listed_too(auth, client, circle):
    log(auth, circle, 0, craving="1", use="none")
    auth.post(f"/c/{circle}/prompt-responses", {"rule": "stress-high", "action": "watching"},
              token_from=f"/c/{circle}/")
    html = summary(client, circle)
    assert "Other steps the family recorded" in html
    assert "High stress on several days" in html and "We are watching closely" in html


def test_no_prompt_says_so(auth, client, circle):
    log(auth, circle, 0, craving="1", use="none")
    assert "No warning signs add up today from what was written down." in summary(client, circle)


def test_notes_are_left_out_unless_chosen(auth, client, circle):
    log(auth, circle, 0, craving="2", notes="He talked about his old friend Mike.")
    html = summary(client, circle)
    assert "old friend Mike" not in html and "notes are left out" in html
    for query in ("?notes=0", "?notes=yes", "?notes=", "?notes=11"):
        assert "old friend Mike" not in summary(client, circle, query)
    html = summary(client, circle, "?notes=1")
    assert "old friend Mike" in html and "notes are included" in html
    assert "<strong>Alice:</strong> He talked about his old friend Mike." in html


def test_step_down_panel_and_checklist_progress(auth, client, circle):
    auth.tick(circle, "coping-practiced")
    auth.tick(circle, "naloxone-home")
    auth.tick(circle, "meds-locked")
    html = summary(client, circle)
    assert "Stepping down: what the check-ins show" in html and "Not yet, because" in html
    assert html.count('class="criterion ') == 11
    assert "Before a step down: 1 of 8" in html
    assert "Home safety: 2 of 5" in html
    assert "Not ticked yet:" in html


def test_charts_are_inline_svg_with_a_text_alternative_in_words(auth, client, circle):
    log(auth, circle, 2, craving="3", stress="5", use="suspected")
    log(auth, circle, 1, craving="6", medication="missed")
    log(auth, circle, 0, craving="8", stress="9", overdose="y")
    html = summary(client, circle, "?days=7")
    assert html.count('<svg class="chart-svg"') == 2
    for chart_id in ("craving", "stress"):
        svg = html.split(f'aria-labelledby="chart-{chart_id}-title chart-{chart_id}-words"')[1].split("</svg>")[0]
        assert f'id="chart-{chart_id}-title"' in svg
        assert f'<p id="chart-{chart_id}-words">' in html
    d = [today() - timedelta(days=k) for k in (2, 1, 0)]
    words = (f"Craving: 3 values (3 on {d[0]:%a} {d[0].day} {d[0]:%b}, 6 on {d[1]:%a} {d[1].day} {d[1]:%b} and 8 on "
             f"{d[2]:%a} {d[2].day} {d[2]:%b}), too few to tell a direction.")
    assert words in html
    assert f"Stress: 2 values (5 on {d[0]:%a} {d[0].day} {d[0]:%b} and 9 on {d[2]:%a} {d[2].day} {d[2]:%b})" in html
    assert f"signs of use on {d[0]:%a} {d[0].day} {d[0]:%b}" in html
    assert f"medication missed on {d[1]:%a} {d[1].day} {d[1]:%b}" in html
    assert 'role="img"' in html
    svgs = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
    assert all("style=" not in s and "<script" not in s for s in svgs)


def test_levels_to_ask_about_are_said_once_and_kept_in_print(auth, client, circle):
    for days_ago in (2, 1, 0):
        log(auth, circle, days_ago, craving="9", use="confirmed")
    html = summary(client, circle)
    assert html.count("Levels of care the family may ask the care team about") == 1
    assert ("<strong>Partial hospitalization (day treatment) or Inpatient</strong>" in html)
    css = (Path(client.application.static_folder) / "css/app.css").read_text()
    print_css = css[css.rindex("@media print"):]
    assert not re.search(r"\.suggested[^{]*\{[^}]*display:\s*none", print_css)


def test_no_level_suggested_means_no_line(auth, client, circle):
    log(auth, circle, 0, craving="1", use="none")
    assert "may ask the care team about" not in summary(client, circle)


def test_the_summary_never_shows_an_emergency_number_other_than_the_circles(app, auth, client):
    auth.sign_up("eu@example.com", name="Eva")
    circle = auth.create_circle(nickname="Jo", tz=TZ, emergency_number="112")
    for days_ago in (1, 0):
        log(auth, circle, days_ago, craving="9", use="confirmed", overdose="y", naloxone_given="y", notes="x")
    path = auth.share_link(circle, include_notes="y", days="30")
    pages = [summary(client, circle, "?days=30&notes=1"), app.test_client().get(path).get_data(as_text=True)]
    for html in pages:
        assert 'id="summary-prompt-overdose-recent"' in html
        assert "911" not in html


def test_every_printed_page_of_the_table_repeats_nickname_range_and_when_made(client, circle):
    html = summary(client, circle, "?days=30")
    thead = html.split('<table class="day-table">')[1].split("</thead>")[0]
    first = today() - timedelta(days=29)
    name, made = re.search(r'<tr class="print-running"><th colspan="5" scope="colgroup">([^<]*)</th>'
                           r'<th colspan="5" scope="colgroup">([^<]*)</th></tr>', thead).groups()
    assert name.startswith(f"Sam, {first:%a} {first.day} {first:%b}") and name.endswith("(the last 30 days)")
    assert made.startswith("made ") and TZ in made


def test_the_summary_page_has_no_inline_script_or_style(client, circle):
    html = summary(client, circle)
    assert "style=" not in html
    assert re.search(r'<script src="/static/js/app\.js\?v=[0-9a-f]+" defer></script>', html)
    assert all(m.strip() == "" for m in re.findall(r"<script[^>]*>(.*?)</script>", html, re.DOTALL))
    # Without JavaScript the print button stays hidden and the page says what to do.
    assert '<button type="button" data-print hidden>Print / save as PDF</button>' in html
    assert "browser's Print menu" in html


def test_the_print_button_script_and_the_print_stylesheet(app):
    from pathlib import Path
    static = Path(app.static_folder)
    js = (static / "js/app.js").read_text()
    assert "window.print()" in js and "data-print" in js
    css = (static / "css/app.css").read_text()
    last = css[css.rindex("@media print"):]
    assert ".summary" in last and "@page" in last and ".summary-tools" in last


def test_the_more_page_links_the_summary_share_links_and_export(client, circle):
    html = client.get(f"/c/{circle}/more").get_data(as_text=True)
    assert f'href="/c/{circle}/summary"' in html and "Summary for the care team" in html
    assert f'href="/c/{circle}/share"' in html and "Share links" in html
    assert f'href="/c/{circle}/import"' in html and "Export / import" in html


def test_older_check_ins_fill_the_30_day_window(app, client, circle):
    day = today() - timedelta(days=25)
    db = sqlite3.connect(app.config["DATABASE"])
    with db:
        db.execute("INSERT INTO checkins (circle_id, user_id, date, craving, withdrawal_signs, created_at,"
                   " updated_at) VALUES (?, 1, ?, 7, '[]', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
                   [circle, day.isoformat()])
    db.close()
    assert day.isoformat() not in table_rows(summary(client, circle))
    html = summary(client, circle, "?days=30")
    assert "No check-in" not in day_row(html, day)


# -- charts.py: pure functions ----------------------------------------------------------
D = [date(2026, 11, 9) + timedelta(days=i) for i in range(12)]


def points_of(values):
    """[(day, value)] from Mon 9 Nov on, for values oldest first (None: no value that day)."""
    return list(zip(D, values))


def test_describe_says_rising_and_names_the_peak_days():
    points = points_of([2, 3, None, 2, 3, 2, 3, 2, 9, 7, 9, 8])
    assert charts.describe("Craving", points) == (
        "Craving: 11 values from Mon 9 Nov to Fri 20 Nov, rising lately: the last 3 values average 8, "
        "the 7 before them 3.4. Highest 9, on Tue 17 Nov and Thu 19 Nov; lowest 2.")


def test_describe_says_falling():
    points = points_of([8, 9, 8, 7, 9, 8, 8, 3, 2, 1])
    assert charts.describe("Stress", points) == (
        "Stress: 10 values from Mon 9 Nov to Wed 18 Nov, falling lately: the last 3 values average 2, "
        "the 7 before them 8.1. Highest 9, on Tue 10 Nov and Fri 13 Nov; lowest 1.")


def test_describe_says_steady_when_the_means_are_less_than_a_point_apart():
    points = points_of([5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 6, 5])
    words = charts.describe("Craving", points)
    assert "steady lately: the last 3 values average 5.7, the 7 before them 5.4." in words
    assert "Highest 6, on 6 days (the last Thu 19 Nov); lowest 5." in words
    # One point apart is no longer steady; the mean compares exactly (no rounding).
    assert "rising lately" in charts.describe("Craving", points_of([4] * 7 + [5, 5, 5]))
    assert "steady lately" in charts.describe("Craving", points_of([4] * 7 + [5, 5, 4]))


def test_describe_lists_the_values_when_too_few_to_tell_a_direction():
    assert charts.describe("Stress", [(d, None) for d in D]) == "Stress: no values in these 12 days."
    assert charts.describe("Stress", [(D[0], None), (D[1], 4)]) == "Stress: 1 value, 4 on Tue 10 Nov."
    # A direction needs the last 3 values and at least 2 before them.
    assert charts.describe("Craving", points_of([3, None, None, 5, 8, None, 9])) == \
        "Craving: 4 values (3 on Mon 9 Nov, 5 on Thu 12 Nov, 8 on Fri 13 Nov and 9 on Sun 15 Nov), too few to tell a direction."
    assert "rising lately: the last 3 values average 7.3, the 2 before them 3." in \
        charts.describe("Craving", points_of([3, 3, 5, 8, 9]))
    assert [charts.direction(v) for v in ([], [1, 2], [1, 1, 9, 9], [1, 1, 9, 9, 9])] == [None, None, None, "rising"]


def test_markers_have_their_own_shapes_and_labels():
    points = [(d, 5) for d in D[:7]]
    chart = charts.trend_chart("craving", "Craving", points,
                               {"use": [D[1], D[3]], "missed": [D[2]], "overdose": [D[6]]})
    svg = chart.svg
    assert svg.count("<rect ") == 1  # missed medication: a square
    assert svg.count("<polygon ") == 3  # use: triangles (2), overdose: a diamond (1)
    for label in ("Use", "Med. missed", "Overdose"):
        assert f">{label}</text>" in svg
    assert chart.words.endswith("Marked: signs of use on Tue 10 Nov and Thu 12 Nov; medication missed on Wed 11 Nov; "
                                "an overdose or naloxone given on Sun 15 Nov.")
    assert "style=" not in svg and 'role="img"' in svg and "<title" in svg and "<desc>" in svg


def test_a_day_without_a_value_breaks_the_line():
    points = [(D[0], 1), (D[1], 2), (D[2], None), (D[3], 4), (D[4], 5)]
    svg = charts.trend_chart("stress", "Stress", points, {}).svg
    assert svg.count("<polyline ") == 2 and svg.count("<circle ") == 4


def test_chart_text_is_escaped_and_ids_are_checked():
    svg = charts.trend_chart("craving", "<b>&", [(D[0], 1)], {}).svg
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg
    with pytest.raises(ValueError):
        charts.trend_chart('x" onload="alert(1)', "X", [(D[0], 1)], {})


# -- access ------------------------------------------------------------------------------
def test_signed_out_visitors_are_sent_to_sign_in(auth, client, circle):
    auth.sign_out()
    for path in ("summary", "share", "export.csv", "export.json", "import"):
        response = client.get(f"/c/{circle}/{path}")
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_member_of_circle_a_gets_404_on_every_route_of_circle_b(app, auth, client):
    auth.sign_up("bob", name="Bob")
    circle_b = auth.create_circle(nickname="Robin", tz=TZ)
    auth.checkin(circle_b, date=today().isoformat(), craving="5", notes="Robin's private note")
    auth.share_link(circle_b, label="Robin's doctor")
    link_b = sqlite3.connect(app.config["DATABASE"]).execute("SELECT id FROM share_links").fetchone()[0]
    auth.sign_out()
    auth.sign_up("alice", name="Alice")
    circle_a = auth.create_circle(nickname="Sam", tz=TZ)
    token_from = f"/c/{circle_a}/share"
    for path in ("summary", "summary?days=30&notes=1", "share", "export.csv", "export.json", "import"):
        response = client.get(f"/c/{circle_b}/{path}")
        assert response.status_code == 404, path
        assert "Robin" not in response.get_data(as_text=True)
    posts = [
        (f"/c/{circle_b}/share", {"label": "Me", "expires_days": "14", "days": "14"}),
        (f"/c/{circle_b}/share/{link_b}/revoke", {}),
        (f"/c/{circle_a}/share/{link_b}/revoke", {}),  # B's link through A's circle
    ]
    for path, data in posts:
        assert auth.post(path, data, token_from=token_from).status_code == 404, path
    response = auth.post(f"/c/{circle_b}/import", {"file": (__import__("io").BytesIO(b'{"checkins": []}'), "x.json")},
                         token_from=token_from, content_type="multipart/form-data")
    assert response.status_code == 404
    db = sqlite3.connect(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM share_links").fetchone()[0] == 1
    assert db.execute("SELECT revoked_at FROM share_links").fetchone()[0] is None


def test_ids_beyond_64_bits_are_404_not_500(auth, client, circle):
    huge = "9" * 25
    assert client.get(f"/c/{huge}/summary").status_code == 404
    assert client.get(f"/c/{huge}/export.csv").status_code == 404
    response = auth.post(f"/c/{circle}/share/{huge}/revoke", token_from=f"/c/{circle}/share")
    assert response.status_code == 404


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.text(max_size=30), notes=st.text(max_size=10))
def test_any_query_shows_a_summary_never_a_500(client, circle, days, notes):
    response = client.get(f"/c/{circle}/summary", query_string={"days": days, "notes": notes})
    assert response.status_code == 200


def test_a_level_that_started_today_says_today_not_0_days(auth, client):
    auth.sign_up("bea")
    circle = auth.create_circle(nickname="Noor", tz=TZ, level="outpatient", since=today().isoformat())
    html = summary(client, circle)
    assert "(today)" in html and "(0 days)" not in html
