"""The care-team summary and a share link, in a real browser, with axe."""
import re

from playwright.sync_api import expect

from .test_walkthrough import choose, create_circle, sign_up


def test_summary_share_link_and_revoke(page, new_context, assert_no_axe_violations, browser_checks):
    sign_up(page, "dana", "Dana")
    create_circle(page, "Lee")
    for craving in ("8", "6"):
        page.get_by_role("link", name="Check in", exact=True).click()
        expect(page.get_by_role("heading", name="Check in for Lee")).to_be_visible()
        choose(page, "cravings", craving)
        choose(page, "stress", "7")
        page.get_by_role("button", name="Save check-in").click()
        expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()

    page.get_by_role("link", name="More").click()
    page.get_by_role("link", name=re.compile("Summary for the care team")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lee")
    # Reached by a boosted link (no page script runs): the print button still shows.
    expect(page.get_by_role("button", name="Print / save as PDF")).to_be_visible()
    charts = page.locator("svg[role=img]")
    expect(charts.first).to_be_visible()
    # No sideways scrolling on a phone.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_no_axe_violations(page, "summary")

    page.get_by_role("link", name="More").click()
    page.get_by_role("link", name=re.compile("Share links")).click()
    page.get_by_label(re.compile("Who is it for|Label|For")).first.fill("Dr. Park, clinic")
    page.get_by_role("button", name="Make a share link").click()
    link = page.get_by_label("Share link").input_value()
    assert "/share/" in link
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = page.locator("button[data-copy=\"#share-link\"]")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    assert_no_axe_violations(page, "share links page")

    # The care team opens it with no account.
    clinic = new_context().new_page()
    clinic.goto(link)
    expect(clinic.get_by_role("heading", level=1)).to_contain_text("Lee")
    expect(clinic.locator("svg[role=img]").first).to_be_visible()
    expect(clinic.get_by_role("button", name="Print / save as PDF")).to_be_visible()
    assert clinic.get_by_role("link", name="Check in").count() == 0  # read-only: no circle pages
    assert_no_axe_violations(clinic, "shared summary")

    # Withdrawn: the link answers 410 and shows no data.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("Withdraw the link for Dr. Park")).click()
    expect(page.get_by_text("Withdrawn", exact=True)).to_be_visible()
    browser_checks.allow_console_error(r"status of 410")
    response = clinic.goto(link)
    assert response.status == 410
    expect(clinic.locator("body")).not_to_contain_text("Lee")
