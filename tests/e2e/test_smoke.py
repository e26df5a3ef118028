"""Smoke test: the app serves a real page to a real browser, signed out."""
import re


def test_emergency_page_opens_signed_out_with_an_overdose_heading(page, assert_no_axe_violations):
    response = page.goto("/emergency")
    assert response is not None and response.ok, f"/emergency answered {response and response.status}"
    headings = page.get_by_role("heading").filter(has_text=re.compile("overdose", re.IGNORECASE))
    assert headings.count() >= 1, "no heading mentions an overdose on /emergency"
    assert_no_axe_violations(page, "the emergency page")
