"""Offline from sign-in, not from a visit (docs/offline.md, product point 3).

Once a caregiver has signed in, the worker keeps every circle's home, checklists,
check-in form, medication, "More" and emergency pages in the background, though
none was opened. `<main data-offline-kept="done">` says the background keep ended.
Also: a save answered 503 by a gateway is kept on the phone like one with no answer.
"""
import re

from playwright.sync_api import expect
from db_helpers import rows

from .test_offline import (ITEM, ITEM_TEXT, PostRecorder, add_circle, choose, kept_urls,
                           outbox_entries, seed, sign_in, wait_for_worker, wait_until_sent)

PAGES = ("/", "/checklists", "/checkins/new", "/emergency", "/medication", "/more")


def wait_until_kept_all(page):
    """Until this page's background keep has finished."""
    expect(page.locator("#main")).to_have_attribute("data-offline-kept", "done", timeout=20000)


def circle_pages(circle):
    return {f"/c/{circle}{p}" for p in PAGES}


def test_every_circle_opens_offline_after_sign_in_without_a_visit(page, context, live_server, browser_checks):
    browser_checks.allow_console_error(r"net::ERR_")  # the offline loads, on purpose
    sam = seed(live_server.app, "ann", "Ann", "Sam", care_team=[("Dr. Lee", "555-0100")], emergency_number="112")
    alex = add_circle(live_server.app, "ann", "Alex", care_team=[("Clinic", "555-0199")])
    sign_in(page, "ann")  # a fresh profile: no worker yet on the sign-in page
    wait_for_worker(page)
    wait_until_kept_all(page)
    kept = kept_urls(page)
    assert len(kept) == 1, kept  # one person's cache
    assert circle_pages(sam) | circle_pages(alex) <= set(next(iter(kept.values())))
    recorder = PostRecorder(live_server.app)

    context.set_offline(True)  # nothing else opened
    tabs = page.get_by_role("navigation", name="Circle")
    for circle, name, number in ((sam, "Sam", "555-0100"), (alex, "Alex", "555-0199")):
        response = page.goto(f"/c/{circle}/")
        assert response.from_service_worker
        expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
        tabs.get_by_role("link", name="Checklists").click()
        expect(page).to_have_url(re.compile(f"/c/{circle}/checklists$"))
        expect(page.get_by_role("button", name=ITEM_TEXT)).to_be_visible()
        tabs.get_by_role("link", name="Check in").click()
        expect(page).to_have_url(re.compile(f"/c/{circle}/checkins/new$"))
        expect(page.get_by_role("button", name="Save check-in")).to_be_visible()
        tabs.get_by_role("link", name="More").click()
        expect(page).to_have_url(re.compile(f"/c/{circle}/more$"))
        page.get_by_role("link", name=re.compile("^Medication")).click()
        expect(page).to_have_url(re.compile(f"/c/{circle}/medication$"))
        expect(page.get_by_role("heading", level=1, name=re.compile("Medication"))).to_be_visible()
        page.get_by_role("link", name="Emergency", exact=True).click()  # the header: one tap
        expect(page).to_have_url(re.compile(f"/c/{circle}/emergency$"))
        expect(page.get_by_role("link", name=re.compile(number)).first).to_be_visible()

    # The offline page names what is kept plainly, circle first.
    page.goto(f"/c/{sam}/history")  # never kept: the offline page
    listed = page.locator("[data-offline-pages-list] a")
    for circle, name in ((sam, "Sam"), (alex, "Alex")):
        for label, path in (("Home", "/"), ("Checklists", "/checklists"), ("Check in", "/checkins/new"),
                            ("Emergency", "/emergency"), ("Medication", "/medication")):
            expect(listed.filter(has_text=re.compile(f"^{name}: {label}$"))).to_have_attribute(
                "href", f"/c/{circle}{path}")

    # A tick in Sam's checklists, a check-in for Alex, both offline.
    page.goto(f"/c/{sam}/checklists")
    page.get_by_role("button", name=ITEM_TEXT).click()
    status = page.locator("[data-outbox-status]")
    expect(status).to_contain_text("1 entry waiting")
    page.goto(f"/c/{alex}/checkins/new")
    choose(page, "cravings", "3")
    page.get_by_label("Anything else?").fill("Offline, never opened before.")
    page.get_by_role("button", name="Save check-in").click()
    expect(status).to_contain_text("2 entries waiting")
    assert recorder.posts == []

    context.set_offline(False)
    page.reload()
    wait_until_sent(page)
    page.wait_for_timeout(500)  # room for a late second replay, which must send nothing
    assert recorder.to("/checklists/") == [f"/c/{sam}/checklists/{ITEM}"], recorder.posts
    assert recorder.to("/checkins/new") == [f"/c/{alex}/checkins/new"], recorder.posts
    assert rows(live_server.app, "SELECT circle_id, item_id, ticked FROM checklist_state") == [(sam, ITEM, 1)]
    assert rows(live_server.app, "SELECT circle_id, notes FROM checkins") == [(alex, "Offline, never opened before.")]


def all_cached(page):
    """Every kept-pages cache: {name: [(path, body mentions Sam or 555-0100)]}."""
    return page.evaluate("""async () => {
        const out = {};
        for (const name of await caches.keys()) {
            if (!name.startsWith('caregiver-pages-')) continue;
            const cache = await caches.open(name);
            out[name] = [];
            for (const request of await cache.keys()) {
                const body = await (await cache.match(request)).text();
                out[name].push([new URL(request.url).pathname, /\bSam\b|555-0100/.test(body)]);
            }
        }
        return out;
    }""")


def test_the_next_caregiver_on_the_phone_never_gets_the_first_ones_pages(page, context, live_server,
                                                                         browser_checks):
    browser_checks.allow_console_error(r"net::ERR_")
    sam = seed(live_server.app, "ann", "Ann", "Sam", care_team=[("Dr. Lee", "555-0100")])
    robin = seed(live_server.app, "bob", "Bob", "Robin")
    sign_in(page, "ann")
    wait_for_worker(page)
    wait_until_kept_all(page)
    ann_key = page.locator("#main").get_attribute("data-cache-key")
    assert circle_pages(sam) <= set(kept_urls(page)[f"caregiver-pages-{ann_key}"])

    page.goto("/sign-out")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    assert kept_urls(page) == {}

    sign_in(page, "bob")
    wait_for_worker(page)
    wait_until_kept_all(page)
    bob_key = page.locator("#main").get_attribute("data-cache-key")
    assert bob_key != ann_key
    page.goto(f"/c/{robin}/checklists")  # an ordinary visit too, then its own keep
    wait_until_kept_all(page)
    cached = all_cached(page)
    assert list(cached) == [f"caregiver-pages-{bob_key}"], cached
    assert circle_pages(robin) <= {path for path, _ in cached[f"caregiver-pages-{bob_key}"]}
    assert not any(f"/c/{sam}/" in path or has_ann for path, has_ann in cached[f"caregiver-pages-{bob_key}"]), cached

    context.set_offline(True)
    page.goto(f"/c/{sam}/checklists")
    expect(page.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Sam")


def test_a_save_answered_503_stays_on_the_phone_and_is_sent_once_later(page, context, live_server,
                                                                      browser_checks):
    # The browser logs the 503s, and htmx its responseError: expected here.
    browser_checks.allow_console_error(r"status of 503|Response Status Error Code 503|net::ERR_")
    circle = seed(live_server.app, "ann", "Ann", "Sam")
    sign_in(page, "ann")
    wait_for_worker(page)
    wait_until_kept_all(page)
    recorder = PostRecorder(live_server.app)

    def outage(route):
        if route.request.method == "POST":
            route.fulfill(status=503, content_type="text/html", body="<h1>503 Service Unavailable</h1>")
        else:
            route.fallback()

    # context.route: the page's saves and the worker's replays alike.
    context.route(re.compile(r"/c/\d+/(checklists/[^/]+|checkins/new)$"), outage)
    page.goto(f"/c/{circle}/checklists")
    tick = page.get_by_role("button", name=ITEM_TEXT)
    tick.click()
    status = page.locator("[data-outbox-status]")
    expect(status).to_contain_text("Saved on this phone; will send when you are back online. 1 entry waiting")
    expect(tick).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#item-{ITEM} [data-outbox-pending]")).to_have_text("Ticked on this phone, not sent yet")

    page.goto(f"/c/{circle}/checkins/new")
    page.get_by_label("Anything else?").fill("Sent during an outage.")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("[data-outbox-notice]")).to_contain_text("Saved on this phone")
    expect(status).to_contain_text("2 entries waiting")
    # A replay during the outage (a page load asks for one) is answered 503 too: kept, untouched.
    page.reload()
    expect(status).to_contain_text("2 entries waiting")
    result = page.evaluate("() => CaregiverOutbox.replay()")
    assert result["networkError"] and result["left"] == 2 and result["refused"] == 0, result
    entries = outbox_entries(page)
    assert sorted(e["kind"] for e in entries) == ["checkin", "tick"]
    assert all(e["status"] == "waiting" and e["error"] is None for e in entries), entries
    assert recorder.posts == []
    assert rows(live_server.app, "SELECT count(*) FROM checkins") == [(0,)]

    context.unroute_all()  # the server answers again
    page.reload()  # a page load sends what waits
    wait_until_sent(page)
    page.wait_for_timeout(500)
    assert recorder.to("/checklists/") == [f"/c/{circle}/checklists/{ITEM}"], recorder.posts
    assert recorder.to("/checkins/new") == [f"/c/{circle}/checkins/new"], recorder.posts
    assert rows(live_server.app, "SELECT item_id, ticked FROM checklist_state") == [(ITEM, 1)]
    assert rows(live_server.app, "SELECT notes FROM checkins") == [("Sent during an outage.",)]


def test_a_circle_one_is_no_longer_in_leaves_the_phone_at_the_next_online_load(page, live_server):
    """Leaving closes the offline copy too: the next background keep drops every kept page
    of a circle the server no longer lists for this person."""
    sam = seed(live_server.app, "ann", "Ann", "Sam")
    alex = add_circle(live_server.app, "ann", "Alex")
    sign_in(page, "ann")
    wait_for_worker(page)
    wait_until_kept_all(page)
    assert circle_pages(alex) <= set(next(iter(kept_urls(page).values())))
    with live_server.app.app_context():
        from caregiver.db import get_db, write
        db = get_db()
        with write(db):  # removed by the owner, elsewhere
            db.execute("DELETE FROM memberships WHERE circle_id = ?", [alex])
    page.goto(f"/c/{sam}/")
    wait_until_kept_all(page)
    kept = set(next(iter(kept_urls(page).values())))
    assert not {url for url in kept if url.startswith(f"/c/{alex}/")}, kept
    assert circle_pages(sam) <= kept
