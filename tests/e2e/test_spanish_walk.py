"""A Spanish-speaking caregiver on a 360x740 phone whose browser asks for Spanish: sign-up,
a circle, an overdose check-in and its urgent card, a check-in saved offline, and a share
link made in English for the care team. Every page says lang="es" and axe finds nothing.

The Spanish is read from the catalog, so the test follows the words the family reads."""
import re
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import expect

from caregiver import signals

from .test_offline import wait_for_worker, wait_until
from .test_walkthrough import TZ

CATALOG = Path(__file__).resolve().parents[2] / "translations" / "es" / "LC_MESSAGES" / "messages.po"
PHONE = {"width": 360, "height": 740}


def spanish():
    with open(CATALOG, "rb") as f:
        catalog = read_po(f)
    return lambda english: catalog[english].string


def no_sideways_scroll(page, where):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{where} scrolls sideways"


def test_a_spanish_speaking_caregiver_does_everything_in_spanish(new_context, live_server, assert_no_axe_violations):
    es = spanish()
    context = new_context(locale="es-US")
    page = context.new_page()
    page.set_viewport_size(PHONE)

    page.goto("/sign-up")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_no_axe_violations(page, "sign-up in Spanish")
    page.locator("#username").fill("rosa@example.org")
    page.locator("#display_name").fill("Rosa")
    page.locator("#password").fill("una frase bastante larga")
    page.locator("main button[type=submit]").click()
    page.get_by_role("link", name=es("I have saved them — continue")).click()

    page.goto("/circles/new")
    expect(page.get_by_role("heading", level=1, name=es("Create a circle"))).to_be_visible()
    page.locator("#nickname").fill("Luis")
    page.locator("#level_of_care").select_option("outpatient")
    page.locator("#level_since").fill("2026-11-01")
    page.locator("#timezone").select_option(TZ)
    page.get_by_role("button", name=es("Create circle")).click()
    expect(page.get_by_role("heading", level=1, name="Luis")).to_be_visible()
    circle = re.search(r"/c/(\d+)/", page.url).group(1)
    no_sideways_scroll(page, "the new circle's home")

    # An overdose: the urgent card leads, in Spanish, with the Call button.
    page.goto(f"/c/{circle}/checkins/new")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_no_axe_violations(page, "the check-in form in Spanish")
    page.locator("input[name=overdose]").check()
    page.locator("input[name=naloxone_given]").check()
    page.locator("form[data-outbox=checkin] button[type=submit]").click()
    page.goto(f"/c/{circle}/")
    card = page.locator("article[aria-labelledby=urgent-title]")
    expect(card).to_be_visible()
    overdose_rule = next(r for r in signals.RULES if r.id == "overdose-recent")
    expect(card).not_to_contain_text(str.__str__(overdose_rule.title))  # not the English title
    expect(card.get_by_role("link", name=es("Call %(number)s") % {"number": "911"})).to_be_visible()
    no_sideways_scroll(page, "the home page with an urgent card")
    assert_no_axe_violations(page, "the urgent card in Spanish")

    # Offline, a check-in is kept on the phone and says so in Spanish; back online it is sent.
    wait_for_worker(page)
    page.goto(f"/c/{circle}/checkins/new")
    context.set_offline(True)
    page.locator("input[name=craving][value='4']").check()
    page.locator("form[data-outbox=checkin] button[type=submit]").click()
    expect(page.locator(".outbox-saved")).to_contain_text(es("Saved on this phone"))
    context.set_offline(False)
    wait_until(page, """async () => !(await window.CaregiverOutbox.all()).length""",
               message="the check-in saved offline was never sent")

    # A share link in English for a care team that reads English.
    page.goto(f"/c/{circle}/share")
    page.locator("#label").fill("Dr. Lee")
    page.locator("#language").select_option("en")
    page.get_by_role("button", name=es("Make a share link")).click()
    link = page.locator("input[readonly]").first.input_value()
    assert_no_axe_violations(page, "share links in Spanish")
    reader = new_context(locale="es-US").new_page()
    reader.set_viewport_size(PHONE)
    reader.goto(link)
    expect(reader.locator("html")).to_have_attribute("lang", "en")
    expect(reader.get_by_role("heading", level=1)).to_contain_text("Luis")
    assert_no_axe_violations(reader, "a share link made in English")
