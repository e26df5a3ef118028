"""A new caregiver's whole first path on a phone-sized screen, with axe on every page."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

TZ = "America/New_York"


def local_today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


def choose(page, group, option):
    """Tick a radio option in the fieldset whose legend matches `group`."""
    page.get_by_role("group", name=re.compile(group)).get_by_label(option, exact=True).check()


def sign_up(page, username, name, password="a long enough passphrase", go=True, axe=None):
    if go:
        page.goto("/sign-up")
    page.get_by_label("Email or user name").fill(username)
    page.get_by_label("Your first name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
    # Recovery codes are shown once, right after sign-up, before going on.
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    if axe:
        axe(page, "recovery codes after sign-up")
    page.get_by_role("link", name="I have saved them — continue").click()


def create_circle(page, nickname="Sam"):
    page.goto("/circles/new")
    page.get_by_label("First name or nickname").fill(nickname)
    page.get_by_label("Current level of care").select_option("outpatient")
    page.get_by_label("Since").fill("2026-11-01")
    page.get_by_label("Time zone").select_option(TZ)
    page.get_by_role("button", name="Create circle").click()
    expect(page.get_by_role("heading", level=1, name=nickname)).to_be_visible()


def test_sign_up_circle_invite_checkin_history_emergency(page, new_context, assert_no_axe_violations,
                                                         live_server):
    page.goto("/")
    assert_no_axe_violations(page, "welcome page")
    sign_up(page, "ann@example.org", "Ann", axe=assert_no_axe_violations)
    expect(page.get_by_role("heading", name="Your circles")).to_be_visible()
    assert_no_axe_violations(page, "circle list")

    page.goto("/circles/new")
    assert_no_axe_violations(page, "new circle form")
    create_circle(page)
    assert_no_axe_violations(page, "circle home")

    # Invite a second caregiver with a one-time link.
    page.get_by_role("link", name="More").click()
    page.get_by_role("link", name=re.compile("People in this circle")).click()
    page.get_by_role("button", name="Make an invite link").click()
    link = page.get_by_label("Invite link").input_value()
    assert "/invite/" in link
    assert_no_axe_violations(page, "members page with a new invite")

    # A check-in in one screen, saved with htmx (no page reload).
    page.get_by_role("link", name="Check in", exact=True).click()
    assert_no_axe_violations(page, "check-in form")
    page.evaluate("() => { window.__notReloaded = true; }")
    choose(page, "cravings", "6")
    choose(page, "Withdrawal, overall", "Mild")
    page.get_by_text(re.compile("Which signs did you see")).click()
    page.get_by_label("Yawning a lot").check()
    choose(page, "stress", "4")
    choose(page, "medication", "Taken")
    page.get_by_label("Anything else?").fill("Went to group.")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    assert page.evaluate("() => window.__notReloaded") is True, "the save reloaded the page"
    assert_no_axe_violations(page, "check-in saved")

    # The second caregiver joins and adds a check-in for the same day.
    other = new_context().new_page()
    other.goto(link)
    other.get_by_role("link", name="Create an account").click()
    sign_up(other, "ben", "Ben", go=False)  # the link keeps the invite as "next"
    other.get_by_role("button", name="Join the circle").click()
    expect(other.get_by_role("heading", level=1, name="Sam")).to_be_visible()
    other.get_by_role("link", name="Check in", exact=True).click()
    choose(other, "cravings", "8")
    choose(other, "Any signs of use", "Suspected")
    other.get_by_role("button", name="Save check-in").click()
    expect(other.get_by_role("status").filter(has_text="Saved.")).to_be_visible()

    # History: one row for the day with the most concerning values, both entries inside.
    page.get_by_role("link", name="History").click()
    day = page.locator(f"#day-{local_today().isoformat()}")
    expect(day.locator("dl.values").first).to_contain_text("Craving8")
    expect(day.locator("dl.values").first).to_contain_text("Suspected")
    day.get_by_text(re.compile("2 check-ins by")).click()
    expect(day).to_contain_text("Went to group.")
    assert_no_axe_violations(page, "history")

    # Edit one's own check-in.
    day.get_by_role("link", name=re.compile("Edit or delete")).click()
    choose(page, "cravings", "7")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()

    # The emergency page is one tap away from here, with tel: links.
    page.get_by_role("link", name="Emergency").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overdose")
    assert page.locator('a[href="tel:911"]').count() >= 1
    assert_no_axe_violations(page, "emergency page")

    # Sign out really ends the session.
    page.goto("/sign-out")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Create an account")).to_be_visible()


def test_three_high_craving_days_show_the_more_structure_card_with_dates(page, assert_no_axe_violations):
    sign_up(page, "cara", "Cara")
    create_circle(page, "Jo")
    today = local_today()
    days = [today - timedelta(days=2), today - timedelta(days=1), today]
    for day in days:
        page.get_by_role("link", name="Check in", exact=True).click()
        expect(page.get_by_role("heading", name="Check in for Jo")).to_be_visible()
        page.get_by_label("Day", exact=True).fill(day.isoformat())
        choose(page, "cravings", "8")
        page.get_by_role("button", name="Save check-in").click()
        expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    # Right after the third save, the prompt shows in the swapped-in result.
    card = page.locator("li.prompt-more-structure").filter(has=page.locator("#prompt-cravings-high"))
    expect(card).to_contain_text("Consider more structure")
    page.get_by_role("link", name="Home", exact=True).click()
    expect(card).to_be_visible()
    expect(card).to_contain_text("care team")
    for day in days:
        expect(card.locator("#prompt-cravings-high")).to_contain_text(f"{day:%a} {day.day} {day:%b}")
    expect(card).to_contain_text("Intensive outpatient")  # a suggested level, by name

    # Recording what the family did: blank until chosen, then a notice and "Done so far".
    card.get_by_text("Record what you did").click()
    card.get_by_label("What did you do?").select_option("talked-with-care-team")
    card.get_by_role("button", name="Save what you did").click()
    expect(page.get_by_role("status").filter(has_text="Saved what you did")).to_be_visible()
    expect(page.locator("#prompt-cravings-high")).to_contain_text("Done so far: We talked with the care team")
    assert_no_axe_violations(page, "home with prompts")
