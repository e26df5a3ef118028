"""Installable, and the service worker's part of the offline mode, in real Chromium.

The outbox and the two-people-one-phone cases are in test_offline.py.
"""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .test_offline import TZ, seed, sign_in, wait_for_worker, wait_until, wait_until_kept


def test_chromium_finds_the_app_installable(page, context):
    page.goto("/")
    wait_for_worker(page)
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == [], manifest["errors"]
    parsed = manifest.get("manifest") or {}
    if parsed:  # newer Chromium also returns the parsed manifest
        assert parsed["id"].endswith("/") and parsed["display"].lower().endswith("standalone")
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito-like: the one error that is about the test.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors


def test_the_worker_controls_every_page_from_the_root_scope(page):
    page.goto("/emergency")
    wait_for_worker(page)
    info = page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        return {scope: registration.scope, script: registration.active.scriptURL,
                caches: await caches.keys()};
    }""")
    assert info["scope"] == page.url.split("/emergency")[0] + "/"
    assert info["script"].endswith("/sw.js")
    # The shell is precached by exact versioned URL: what this page links is there.
    assert len(info["caches"]) == 1 and info["caches"][0].startswith("caregiver-shell-")
    linked = page.evaluate("""() => [...document.querySelectorAll(
        'link[rel=stylesheet], link[rel=icon], script[src]')].map(e => e.href || e.src)""")
    assert linked and all("?v=" in url for url in linked)
    missing = page.evaluate("""async (urls) => {
        const out = [];
        for (const url of urls) if (!(await caches.match(url))) out.push(url);
        return out;
    }""", linked)
    assert missing == []


def test_offline_without_a_kept_copy_shows_the_offline_page(page, context, browser_checks,
                                                           assert_no_axe_violations):
    browser_checks.allow_console_error(r"net::ERR_")
    page.goto("/")
    wait_for_worker(page)
    context.set_offline(True)
    response = page.goto("/c/42/history")
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    expect(page.locator("[data-offline-banner]")).to_have_count(0)  # no "offline copy" here
    assert_no_axe_violations(page, "the offline page")
    # The emergency page works for anyone: the copy fetched without cookies says 911.
    page.get_by_role("link", name="Overdose? All the steps").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Overdose"))).to_be_visible()
    assert page.locator('a[href="tel:911"]').count() >= 1
    # The outbox page too, empty.
    response = page.goto("/outbox")
    assert response.from_service_worker
    expect(page.get_by_text("Nothing is waiting to be sent.")).to_be_visible()
    assert_no_axe_violations(page, "the empty outbox page, offline")


def test_a_tab_link_offline_opens_the_kept_copy_and_the_offline_page_lists_it(page, context, live_server,
                                                                             browser_checks):
    browser_checks.allow_console_error(r"net::ERR_")
    circle = seed(live_server.app, "ann", "Ann", "Sam")
    sign_in(page, "ann")
    wait_for_worker(page)
    # A boosted (htmx) link's answer is the whole page: the worker keeps that very answer.
    gets = []
    inner = live_server.app.wsgi_app

    def count_gets(environ, start_response):
        if environ["REQUEST_METHOD"] == "GET":
            gets.append(environ["PATH_INFO"])
        return inner(environ, start_response)
    live_server.app.wsgi_app = count_gets
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="History")).to_be_visible()
    wait_until_kept(page, f"/c/{circle}/history")
    assert gets.count(f"/c/{circle}/history") == 1  # rendered once, not again to keep it
    live_server.app.wsgi_app = inner
    page.get_by_role("link", name="Home", exact=True).click()
    wait_until_kept(page, f"/c/{circle}/")
    expect(page.locator("#main")).to_have_attribute("data-offline-kept", "done", timeout=20000)  # the background keep

    context.set_offline(True)
    expect(page.locator("[data-offline-banner]")).to_contain_text("Offline copy from")  # the `offline` event
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="History")).to_be_visible()
    expect(page.locator("[data-offline-banner]")).to_contain_text("Offline copy from")
    # "More" is kept from sign-in on (test_offline_from_sign_in.py); what it links to
    # was never opened: the offline page.
    page.get_by_role("link", name="More", exact=True).click()
    page.get_by_role("link", name="Levels of care, explained").click()
    expect(page.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    kept = page.locator("[data-offline-pages-list] a")
    expect(kept.filter(has_text="Sam: History")).to_have_attribute("href", f"/c/{circle}/history")
    expect(kept.filter(has_text="Sam: Home")).to_have_attribute("href", f"/c/{circle}/")

    # The installed app starts at "/": offline, that is the circle home kept last.
    page.goto("/")
    expect(page).to_have_url(re.compile(f"/c/{circle}/$"))
    expect(page.get_by_role("heading", level=1, name="Sam")).to_be_visible()

    # Back online, the kept page says how to get the latest.
    page.goto(f"/c/{circle}/history")
    context.set_offline(False)
    expect(page.locator("[data-offline-banner]")).to_contain_text("You're back online")


def test_a_new_release_replaces_the_old_caches(page, live_server):
    circle = seed(live_server.app, "ann", "Ann", "Sam")
    sign_in(page, "ann")
    wait_for_worker(page)
    page.goto(f"/c/{circle}/history")
    wait_until_kept(page, f"/c/{circle}/history")
    old = page.evaluate("caches.keys()")
    assert any(n.startswith("caregiver-pages-") for n in old)

    live_server.app.config["STATIC_VERSION"] = "nextrelease1"  # as if a static file changed
    page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        await registration.update();
    }""")
    # Kept pages linked the old release's files: they went with it. (The page may keep
    # itself again at once, from the new release: that copy links the new files.)
    wait_until(page, """async () => {
        const names = await caches.keys();
        const shells = names.filter(n => n.startsWith('caregiver-shell-'));
        if (shells.length !== 1 || shells[0] !== 'caregiver-shell-nextrelease1-en') return false;
        for (const name of names.filter(n => n.startsWith('caregiver-pages-'))) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) {
                if (!(await (await cache.match(request)).text()).includes('?v=nextrelease1')) return false;
            }
        }
        return true;
    }""", message="the new release never replaced the old caches")
    # This tab still runs the old CSS and JS: a boosted link loads the whole new page
    # (the server answers the old release's htmx request with HX-Redirect).
    page.get_by_role("link", name="Home", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Sam")).to_be_visible()
    expect(page.locator('link[rel="stylesheet"]')).to_have_attribute("href", re.compile(r"\?v=nextrelease1$"))


class Outage:
    """Wraps the live app: while `on`, every request gets a proxy's 502."""

    def __init__(self, app):
        self.inner, self.on = app.wsgi_app, False
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        if not self.on:
            return self.inner(environ, start_response)
        start_response("502 Bad Gateway", [("Content-Type", "text/html")])
        return [b"<!doctype html><title>502</title><h1>Bad gateway</h1>"]


def test_a_server_error_shows_the_kept_copy_and_says_caregiver_could_not_be_reached(page, live_server,
                                                                                   browser_checks):
    browser_checks.allow_console_error(r"502")
    circle = seed(live_server.app, "ann", "Ann", "Sam", care_team=[("Dr. Lee", "555-0100")])
    sign_in(page, "ann")
    wait_for_worker(page)
    page.goto(f"/c/{circle}/history")
    wait_until_kept(page, f"/c/{circle}/history")
    wait_until_kept(page, f"/c/{circle}/emergency")

    outage = Outage(live_server.app)
    outage.on = True  # the phone is online, but a proxy answers 502
    response = page.goto(f"/c/{circle}/history")
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1, name="History")).to_be_visible()
    banner = page.locator("[data-offline-banner]")
    expect(banner).to_contain_text(re.compile(r"Couldn't reach Caregiver; this is the copy from \w+"))
    expect(banner).not_to_contain_text("back online")
    page.get_by_role("link", name="Emergency", exact=True).click()
    expect(page.get_by_role("link", name="Dr. Lee: 555-0100").first).to_be_visible()
    assert page.goto(f"/c/{circle}/continuum").status == 502  # nothing kept: the server's answer

    page.goto(f"/c/{circle}/history")
    outage.on = False  # the server is back
    banner.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", level=1, name="History")).to_be_visible()
    expect(banner).to_have_count(0)


def test_a_check_in_form_kept_from_an_earlier_day_defaults_to_the_circles_today(page, context, live_server,
                                                                                browser_checks):
    # The phone's clock is in Kiritimati (UTC+14, see conftest) and the circle in
    # Pago Pago (UTC-11): their calendar dates always differ, so a form that took the
    # phone's date would be dated after the circle's today and refused.
    browser_checks.allow_console_error(r"net::ERR_")
    circle = seed(live_server.app, "ann", "Ann", "Sam")
    sign_in(page, "ann")
    wait_for_worker(page)
    page.goto(f"/c/{circle}/checkins/new")
    wait_until_kept(page, f"/c/{circle}/checkins/new")
    day = page.get_by_label("Day", exact=True)
    kept_day = day.input_value()

    context.set_offline(True)
    later = datetime.now(timezone.utc) + timedelta(days=2)  # two days without signal
    page.clock.install(time=later)
    page.reload()
    circle_today = later.astimezone(ZoneInfo(TZ)).date()
    assert circle_today.isoformat() > kept_day
    expect(day).to_have_value(circle_today.isoformat())
    expect(day).to_have_attribute("max", circle_today.isoformat())
    expect(day).to_have_attribute("min", (circle_today - timedelta(days=14)).isoformat())
    expect(page.locator("[data-offline-banner]")).to_contain_text("Offline copy from")
