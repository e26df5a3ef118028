"""Issue 17 in a real browser: the plan opens offline after sign-in, never visited; the
assessment page, the brief and the plan are axe-clean at 360px; the brief with a
month of check-ins prints on at most two pages on A4 and Letter."""
import re
import sqlite3

from playwright.sync_api import expect

from .test_offline import seed, sign_in, wait_for_worker, wait_until_kept
from .test_print import add_a_month, assert_prints_on_two_pages

LONG_NOTE = "We saw this more than once and want the assessor to ask about it. " * 4


def add_plan(database, circle_id, user_id=1):
    """A saved plan, as the plan page stores it (version 1)."""
    conn = sqlite3.connect(database)
    with conn:
        conn.execute("INSERT INTO plans (circle_id, version, after_hours, step_up_program, step_up_how, prescriber,"
                     " pharmacy, step_up_signs, changed_by, changed_at) VALUES (?, 1, '555-0122', 'Hillside IOP',"
                     " 'Call intake first.', 'Dr. Ames', 'Main St Pharmacy', 'Any use\nMissed doses', ?,"
                     " '2026-12-01T12:00:00+00:00')", [circle_id, user_id])
        conn.execute("INSERT INTO plan_calls VALUES (?, 0, 'Dana (mother)', '555-0111')", [circle_id])
        conn.execute("INSERT INTO plan_naloxone VALUES (?, 0, 'Kitchen drawer', '2030-01-31')", [circle_id])
        conn.execute("INSERT INTO plan_edits (circle_id, version, user_id, at, plan_json) VALUES"
                     " (?, 1, ?, '2026-12-01T12:00:00+00:00', '{}')", [circle_id, user_id])
    conn.close()


def add_answers(database, circle_id, user_id=1):
    """Every question answered, each with a long note: the brief's longest case."""
    conn = sqlite3.connect(database)
    with conn:
        for question in ("relapse", "withdrawal", "daily_use", "overdose", "cannot_stop", "easy_access", "stable",
                         "medication", "safe_home", "no_relapses", "accountability"):
            conn.execute("INSERT INTO assessment_answers VALUES (?, ?, 'not-sure', ?, ?, '2026-12-01T12:00:00+00:00')",
                         [circle_id, question, LONG_NOTE, user_id])
    conn.close()


def test_the_plan_opens_offline_after_sign_in_without_a_visit(page, context, live_server, browser_checks):
    browser_checks.allow_console_error(r"net::ERR_")  # the offline loads, on purpose
    circle = seed(live_server.app, "ann", "Ann", "Sam", care_team=[("Dr. Lee", "555-0100")])
    add_plan(live_server.app.config["DATABASE"], circle)
    sign_in(page, "ann")
    wait_for_worker(page)
    wait_until_kept(page, f"/c/{circle}/plan")
    context.set_offline(True)
    response = page.goto(f"/c/{circle}/plan")
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1, name="If things get worse")).to_be_visible()
    expect(page.get_by_role("link", name="Dana (mother): 555-0111")).to_have_attribute("href", "tel:5550111")
    expect(page.get_by_text("Hillside IOP")).to_be_visible()


def test_the_assessment_pages_and_the_plan_are_axe_clean_at_360px(page, live_server, assert_no_axe_violations):
    circle = seed(live_server.app, "ann", "Ann", "Sam", care_team=[("Dr. Lee", "555-0100")])
    add_a_month(live_server.app.config["DATABASE"], circle)
    add_plan(live_server.app.config["DATABASE"], circle)
    sign_in(page, "ann")
    page.set_viewport_size({"width": 360, "height": 800})
    for path, heading in (("assessment", "Prepare for an assessment"), ("assessment/brief", "For the assessment"),
                          ("plan", "If things get worse")):
        page.goto(f"/c/{circle}/{path}")
        expect(page.get_by_role("heading", level=1, name=re.compile(heading))).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        assert_no_axe_violations(page, f"{path} at 360px")
    # An answer chosen and saved without typing anything else.
    page.goto(f"/c/{circle}/assessment")
    question = page.get_by_role("group", name="Have they overdosed, or come close?")
    question.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save our answers").click()
    expect(page.get_by_role("group", name="Have they overdosed, or come close?").get_by_label(
        "Yes", exact=True)).to_be_checked()
    expect(page.get_by_text("Answered by Ann")).to_be_visible()


def test_the_brief_with_a_month_prints_on_at_most_two_pages(page, live_server):
    circle = seed(live_server.app, "ann", "Ann", "Sam")
    database = live_server.app.config["DATABASE"]
    add_a_month(database, circle)
    add_answers(database, circle)
    sign_in(page, "ann")
    page.goto(f"/c/{circle}/assessment/brief")
    expect(page.get_by_role("heading", level=1)).to_contain_text("For the assessment: Sam")
    page.emulate_media(media="print")
    assert_prints_on_two_pages(page, "the brief for an assessment")
