"""The accessibility check is real: it reports a broken page and passes a sound one.

These pages are set with page.set_content, so they need neither the app nor a server.
"""
import pytest

from .conftest import assert_no_axe_violations, axe_violations

BROKEN = """<!doctype html><html lang="en"><head><title>Broken</title></head><body><main>
<h1>Broken on purpose</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input type="text" name="who"></form>
</main></body></html>"""

SOUND = """<!doctype html><html lang="en"><head><title>Sound</title></head><body><main>
<h1>Sound</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="A dot">
<form><label for="who">Who</label> <input id="who" type="text" name="who"></form>
</main></body></html>"""


@pytest.fixture
def blank_page(browser):
    """A page in a context of its own, without the app's base_url or live server."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def test_axe_reports_an_image_without_alt_and_an_input_without_label(blank_page):
    blank_page.set_content(BROKEN)
    ids = {v["id"] for v in axe_violations(blank_page)}
    assert {"image-alt", "label"} <= ids


def test_the_helper_fails_with_a_readable_list_of_violations(blank_page):
    blank_page.set_content(BROKEN)
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_no_axe_violations(blank_page, "the broken page")
    message = str(failure.value)
    assert "accessibility violations on the broken page" in message
    assert "image-alt [critical]" in message
    assert "label [critical]" in message
    assert "at img:" in message and "at input" in message  # the nodes, by CSS target


def test_the_helper_passes_a_sound_page(blank_page):
    blank_page.set_content(SOUND)
    assert_no_axe_violations(blank_page, "the sound page")


def test_a_disabled_rule_is_not_reported(blank_page):
    blank_page.set_content(BROKEN)
    ids = {v["id"] for v in axe_violations(blank_page, disable=["image-alt"])}
    assert "image-alt" not in ids and "label" in ids
