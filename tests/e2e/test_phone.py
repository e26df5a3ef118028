"""A hard moment on a 360x740 phone: after an overdose check-in, the home page's first
screen holds what was seen, the Call button and the first step; every disclosure shows
that it opens; the summary's overdose days need no sideways scrolling; axe on each page.

Screenshots go to /tmp/screens/ (not committed)."""
import re
from pathlib import Path

from playwright.sync_api import expect

from .test_walkthrough import choose, create_circle, local_today, sign_up

SCREENS = Path("/tmp/screens")
PHONE = {"width": 360, "height": 740}


def shot(page, name, full_page=False):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=full_page)


def on_first_screen(page, locator, what):
    """The element is all within the first 740 px of the page (scrolled to the top)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    box = locator.bounding_box()
    assert box is not None, f"{what} is not shown"
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], \
        f"{what} is not on the first screen: {box}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{what} is cut off sideways: {box}"


MARKERS = """() => Array.from(document.querySelectorAll('details > summary'))
  .filter(s => s.getClientRects().length)  // shown (not inside a closed disclosure)
  .map(s => {
    const before = getComputedStyle(s, '::before').content;
    const marker = getComputedStyle(s, '::marker').content;
    return {text: s.textContent.trim().slice(0, 60), before, marker,
            height: s.getBoundingClientRect().height};
  })"""


def assert_disclosures_show_they_open(page, where):
    summaries = page.evaluate(MARKERS)
    assert summaries, f"no disclosure on {where}"
    for s in summaries:
        shows = (s["before"] not in ("none", "normal", "") or s["marker"] not in ("none", "normal", "")
                 or re.search(r"\b(Show|Hide)\b", s["text"]))
        assert shows, f"a disclosure on {where} does not show that it opens: {s}"
        assert s["height"] >= 44, f"a disclosure on {where} is under 44px tall: {s}"


def test_a_hard_moment_on_a_phone(page, assert_no_axe_violations):
    page.set_viewport_size(PHONE)
    sign_up(page, "dana@example.org", "Dana")
    create_circle(page, "Lee")

    # A new circle: one line for the step-down signs, and an ask for the care team's numbers.
    expect(page.get_by_role("heading", name="Add the care team's phone numbers")).to_be_visible()
    expect(page.get_by_text("Nothing to read yet.")).to_be_visible()
    expect(page.locator(".criterion-unknown").first).to_be_hidden()  # one line, not six "can't tell"
    expect(page.locator("details.criteria-unknown > summary")).to_have_text(
        re.compile(r"\d+ more can't be read from the check-ins yet\."))
    assert_disclosures_show_they_open(page, "a new circle's home")
    shot(page, "new-circle-home", full_page=True)
    assert_no_axe_violations(page, "a new circle's home at 360px")
    page.get_by_role("button", name="Not now").click()
    expect(page.get_by_role("heading", level=1, name="Lee")).to_be_visible()
    expect(page.get_by_role("heading", name="Add the care team's phone numbers")).to_have_count(0)

    # The check-in form: the yes/no boxes are real, visible checkboxes.
    page.get_by_role("link", name="Check in", exact=True).click()
    expect(page.get_by_role("heading", name="Check in for Lee")).to_be_visible()
    for label in ("An overdose or a close call?", "Was naloxone given?"):
        box = page.get_by_role("checkbox", name=label)
        expect(box).to_be_visible()
        assert box.evaluate("e => getComputedStyle(e).opacity") == "1"
        size = box.bounding_box()
        assert size["width"] >= 20 and size["height"] >= 20, size
        assert box.evaluate("e => e.closest('label').getBoundingClientRect().height") >= 44
        expect(box).not_to_be_checked()
    assert_disclosures_show_they_open(page, "the check-in form")
    page.locator("details.signs > summary").scroll_into_view_if_needed()
    shot(page, "checkin-signs-disclosure")
    assert_no_axe_violations(page, "check-in form at 360px")
    page.get_by_role("checkbox", name="An overdose or a close call?").check()
    page.get_by_role("checkbox", name="Was naloxone given?").check()
    page.get_by_role("checkbox", name="Was naloxone given?").scroll_into_view_if_needed()
    shot(page, "checkin-overdose-ticked")
    choose(page, "signs of use", "Confirmed")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()

    # Home, first screen: what was seen and when, the Call button, the first step.
    page.goto("/c/1/")
    day = local_today()
    fact = page.locator(".prompt-urgent .urgent-fact")
    expect(fact).to_have_text(f"Overdose, naloxone given: {day:%a} {day.day} {day:%b}")
    call = page.locator(".prompt-urgent a.call").first
    expect(call).to_have_text("Call 911")
    first_step = page.locator(".prompt-urgent .steps > li").first
    shot(page, "home-after-overdose-first-screen")
    shot(page, "home-after-overdose-full", full_page=True)
    on_first_screen(page, fact, "the fact line")
    on_first_screen(page, call, "the Call button")
    on_first_screen(page, first_step, "the first step")
    # In that order.
    assert fact.bounding_box()["y"] < call.bounding_box()["y"] < first_step.bounding_box()["y"]

    # The same overdose is not told twice: the 30-day sign is a line under the urgent card.
    expect(page.locator(".prompt-more-structure #prompt-overdose-history")).to_have_count(0)
    expect(page.locator(".prompt-urgent #prompt-overdose-history")).to_contain_text("Also:")
    expect(page.locator(".prompts > li").filter(has_text=re.compile("An overdose in the last"))).to_have_count(1)
    assert_disclosures_show_they_open(page, "home")
    assert_no_axe_violations(page, "home after an overdose at 360px")

    # The summary: heading, then its controls; the overdose day readable without scrolling sideways.
    page.goto("/c/1/summary")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Lee")
    assert heading.bounding_box()["y"] < page.locator(".summary-tools").bounding_box()["y"]
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= PHONE["width"]
    cell = page.locator(f"#day-{day.isoformat()} td.overdose")
    expect(cell).to_have_text("overdose, naloxone given")
    cell.scroll_into_view_if_needed()
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    use = page.locator(f"#day-{day.isoformat()} td.flag").nth(1)
    ubox = use.bounding_box()
    assert ubox["x"] + ubox["width"] <= PHONE["width"], ubox
    shot(page, "summary-day-table")
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "summary-top")
    assert_no_axe_violations(page, "summary at 360px")
