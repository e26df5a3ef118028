"""Offline in a real browser: kept pages, the outbox, sign-out, two people on one phone.

context.set_offline(True) cuts the page and the service worker off; Background Sync
stays pending while offline and fires when the context is back online (docs/testing).
Every POST that reaches the server is recorded (a WSGI middleware), so "sent once"
means one request per entry, not only one row.
"""
import re
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from db_helpers import rows

TZ = "Pacific/Pago_Pago"  # UTC-11, while the phone is at UTC+14 (conftest)
PASSWORD = "a long enough passphrase"


# --- helpers (test_pwa.py uses them too) -------------------------------------------------

class PostRecorder:
    """Wraps the live app: every POST that reaches the server, as (path, client_id)."""

    def __init__(self, app):
        self.inner = app.wsgi_app
        self.posts = []
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            self.posts.append(environ["PATH_INFO"])
        return self.inner(environ, start_response)

    def to(self, fragment):
        return [p for p in self.posts if fragment in p]


def csrf_from(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def seed(app, username, name, circle=None, care_team=None, emergency_number="911"):
    """An account (and a circle) made through HTTP, so browser tests start signed out
    and sign in like a person. Returns the circle id, if any."""
    client = app.test_client()
    assert _post(client, "/sign-up", {"username": username, "display_name": name,
                                      "password": PASSWORD}).status_code == 302
    return None if circle is None else _new_circle(client, circle, care_team, emergency_number)


def add_circle(app, username, circle, care_team=None, emergency_number="911"):
    """One more circle for an account made by seed()."""
    client = app.test_client()
    assert _post(client, "/sign-in", {"username": username, "password": PASSWORD}).status_code == 302
    return _new_circle(client, circle, care_team, emergency_number)


def _post(client, path, data):
    data = {"csrf_token": csrf_from(client.get(path).get_data(as_text=True)), **data}
    return client.post(path, data=data)


def _new_circle(client, circle, care_team, emergency_number):
    data = {"nickname": circle, "level_of_care": "outpatient", "level_since": "2026-11-01",
            "living_situation": "home", "timezone": TZ, "emergency_number": emergency_number}
    for i, (label, number) in enumerate(care_team or []):
        data[f"care_team-{i}-label"] = label
        data[f"care_team-{i}-number"] = number
    response = _post(client, "/circles/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/c/(\d+)/", response.headers["Location"]).group(1))


def sign_in(page, username, path="/sign-in"):
    page.goto(path)
    page.get_by_label("Email or user name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def wait_until(page, script, arg=None, timeout=10.0, message=None):
    """Poll an async page function until it returns true. (page.wait_for_function takes
    the Promise an async function returns for a true value, so it cannot wait on
    caches or IndexedDB.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        if time.monotonic() > deadline:
            pytest.fail(message or f"still false after {timeout} s: {script}", pytrace=False)
        time.sleep(0.05)


def wait_for_worker(page):
    """Until the service worker controls the page and its shell is precached."""
    wait_until(page, """async () => navigator.serviceWorker.controller !== null
        && (await caches.keys()).some(n => n.startsWith('caregiver-shell-'))""",
               message="the service worker never took control")


def kept_urls(page):
    """The URLs in the kept-pages caches, by cache name."""
    return page.evaluate("""async () => {
        const out = {};
        for (const name of await caches.keys()) {
            if (!name.startsWith('caregiver-pages-')) continue;
            out[name] = (await (await caches.open(name)).keys()).map(r => new URL(r.url).pathname);
        }
        return out;
    }""")


def wait_until_kept(page, path):
    wait_until(page, """async (path) => {
        for (const name of await caches.keys()) {
            if (!name.startsWith('caregiver-pages-')) continue;
            if (await (await caches.open(name)).match(location.origin + path)) return true;
        }
        return false;
    }""", path, message=f"{path} was never kept for offline use")


def outbox_entries(page):
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('caregiver-outbox', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('entries', {keyPath: 'client_id'});
        open.onsuccess = () => {
            const db = open.result;
            const get = db.transaction('entries').objectStore('entries').getAll();
            get.onsuccess = () => { db.close(); resolve(get.result); };
            get.onerror = () => reject(get.error);
        };
        open.onerror = () => reject(open.error);
    })""")


def wait_until_sent(page):
    """Until the outbox in IndexedDB is empty (the status region alone can be empty
    just because a new page has not filled it in yet)."""
    wait_until(page, """() => new Promise((resolve) => {
        const open = indexedDB.open('caregiver-outbox', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('entries', {keyPath: 'client_id'});
        open.onsuccess = () => {
            const db = open.result;
            const count = db.transaction('entries').objectStore('entries').count();
            count.onsuccess = () => { db.close(); resolve(count.result === 0); };
        };
    })""", message="the outbox was never emptied")


def choose(page, group, option):
    page.get_by_role("group", name=re.compile(group)).get_by_label(option, exact=True).check()


# --- tests --------------------------------------------------------------------------------

ITEM = "coping-practiced"  # the first item of the step-down checklist
ITEM_TEXT = re.compile("used their coping skills when things got hard")


def test_ticks_and_checkins_saved_offline_are_sent_once_when_back_online(page, context, live_server,
                                                                         browser_checks, assert_no_axe_violations):
    browser_checks.allow_console_error(r"net::ERR_")  # the offline loads, on purpose
    circle = seed(live_server.app, "ann", "Ann", "Sam", care_team=[("Dr. Lee", "555-0100")])
    sign_in(page, "ann")
    recorder = PostRecorder(live_server.app)
    wait_for_worker(page)
    for path in (f"/c/{circle}/", f"/c/{circle}/history", f"/c/{circle}/checklists",
                 f"/c/{circle}/checkins/new", "/emergency"):
        page.goto(path)
        wait_until_kept(page, path)

    context.set_offline(True)
    # A kept page: from the worker's cache, with the time it was made.
    response = page.goto(f"/c/{circle}/")
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1, name="Sam")).to_be_visible()
    expect(page.locator("[data-offline-banner]")).to_contain_text(re.compile(r"Offline copy from \w+"))
    # The emergency page as this person saw it: with the circle's care team number.
    response = page.goto("/emergency")
    assert response.from_service_worker
    expect(page.get_by_role("link", name=re.compile("555-0100")).first).to_be_visible()

    # A checklist tick without signal: the kept checklist page, one tap.
    response = page.goto(f"/c/{circle}/checklists")
    assert response.from_service_worker
    tick = page.get_by_role("button", name=ITEM_TEXT)
    expect(tick).to_have_attribute("aria-pressed", "false")
    tick.click()
    status = page.locator("[data-outbox-status]")
    expect(status).to_contain_text("Saved on this phone; will send when you are back online. 1 entry waiting")
    expect(tick).to_have_attribute("aria-pressed", "true")  # shown as done
    pending = page.locator(f"#item-{ITEM} [data-outbox-pending]")
    expect(pending).to_have_text("Ticked on this phone, not sent yet")  # on the item itself

    # Two check-ins without signal.
    page.goto(f"/c/{circle}/checkins/new")
    choose(page, "cravings", "6")
    page.get_by_label("Anything else?").fill("First, offline.")
    page.get_by_role("button", name="Save check-in").click()
    expect(status).to_contain_text("2 entries waiting")
    expect(page.locator("[data-outbox-notice]")).to_contain_text("Saved on this phone")
    expect(page.get_by_label("Anything else?")).to_have_value("")  # ready for the next one
    page.get_by_label("Anything else?").fill("Second, offline.")
    page.get_by_role("button", name="Save check-in").click()
    expect(status).to_contain_text("3 entries waiting")
    assert_no_axe_violations(page, "a kept check-in page, offline, with entries waiting")
    entries = outbox_entries(page)
    assert sorted(e["kind"] for e in entries) == ["checkin", "checkin", "tick"]
    assert len({e["client_id"] for e in entries}) == 3, "each entry needs its own client_id"
    assert all("csrf_token" not in dict(e["fields"]) for e in entries)

    # The outbox survives a reload without signal, and shows on other kept pages.
    page.reload()
    expect(page.locator("[data-outbox-status]")).to_contain_text("3 entries waiting")
    page.goto(f"/c/{circle}/history")
    expect(page.locator("[data-outbox-status]")).to_contain_text("3 entries waiting")
    # The outbox page, offline (the copy for no one): Ann's own entries, in full.
    page.goto("/outbox")
    expect(page.locator(".outbox-entry").filter(has_text="First, offline.")).to_have_count(1)
    # The kept checklist shows the tap as made, not sent yet, until it is sent.
    page.goto(f"/c/{circle}/checklists")
    expect(tick).to_have_attribute("aria-pressed", "true")
    expect(pending).to_be_visible()
    assert recorder.posts == []

    # Back online: the `online` event, Background Sync and a page load all ask for a
    # replay at once; each entry still reaches the server once.
    context.set_offline(False)
    page.reload()
    wait_until_sent(page)
    expect(page.locator("[data-outbox-status]")).to_be_empty()
    expect(pending).to_have_count(0)  # sent: no longer "not sent yet"
    page.wait_for_timeout(500)  # room for a late second replay, which must send nothing
    assert len(recorder.to("/checkins/new")) == 2, recorder.posts
    assert recorder.to("/checklists/") == [f"/c/{circle}/checklists/{ITEM}"], recorder.posts
    assert rows(live_server.app, "SELECT item_id, ticked FROM checklist_state WHERE circle_id = ?",
                [circle]) == [(ITEM, 1)]
    notes = [r[0] for r in rows(live_server.app, "SELECT notes FROM checkins WHERE circle_id = ? ORDER BY id",
                                [circle])]
    assert notes == ["First, offline.", "Second, offline."]
    assert outbox_entries(page) == []


def local_today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


def set_field_in_outbox(page, name, value):
    """Change one field of every kept entry, as if it had waited on the phone for long."""
    page.evaluate("""([name, value]) => new Promise((resolve, reject) => {
        const open = indexedDB.open('caregiver-outbox', 1);
        open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction('entries', 'readwrite');
            const store = tx.objectStore('entries');
            store.getAll().onsuccess = (event) => {
                for (const entry of event.target.result) {
                    entry.fields = entry.fields.map(([n, v]) => [n, n === name ? value : v]);
                    store.put(entry);
                }
            };
            tx.oncomplete = () => { db.close(); resolve(); };
            tx.onerror = () => reject(tx.error);
        };
    })""", [name, value])


def save_checkin_offline(page, circle, note):
    page.goto(f"/c/{circle}/checkins/new")
    page.get_by_label("Anything else?").fill(note)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("[data-outbox-notice]")).to_contain_text("Saved on this phone")


def test_an_offline_untick_says_so_and_hides_who_ticked_it(page, context, live_server, browser_checks):
    browser_checks.allow_console_error(r"net::ERR_")
    circle = seed(live_server.app, "ann", "Ann", "Sam")
    sign_in(page, "ann")
    wait_for_worker(page)
    page.goto(f"/c/{circle}/checklists")
    tick = page.get_by_role("button", name=ITEM_TEXT)
    tick.click()  # online: ticked, "Ticked by Ann, ..."
    item = page.locator(f"#item-{ITEM}")
    expect(item.locator(".who")).to_contain_text("Ticked by Ann")
    page.reload()  # the kept copy now shows the tick
    wait_until(page, """async (path) => {
        for (const name of await caches.keys()) {
            const hit = name.startsWith('caregiver-pages-') && await (await caches.open(name)).match(location.origin + path);
            if (hit && (await hit.text()).includes('Ticked by Ann')) return true;
        }
        return false;
    }""", f"/c/{circle}/checklists", message="the kept checklist never showed the tick")
    context.set_offline(True)
    page.reload()
    tick = page.get_by_role("button", name=ITEM_TEXT)
    tick.click()
    expect(tick).to_have_attribute("aria-pressed", "false")
    expect(item.locator("[data-outbox-pending]")).to_have_text("Unticked on this phone, not sent yet")
    expect(item.locator(".who")).to_be_hidden()  # the line saying who ticked it is not true any more


def test_a_refused_entry_shows_why_and_can_be_fixed_or_discarded(page, context, live_server, browser_checks,
                                                                 assert_no_axe_violations):
    browser_checks.allow_console_error(r"net::ERR_")
    circle = seed(live_server.app, "ann", "Ann", "Sam")
    sign_in(page, "ann")
    wait_for_worker(page)
    page.goto(f"/c/{circle}/checkins/new")
    wait_until_kept(page, f"/c/{circle}/checkins/new")

    context.set_offline(True)
    save_checkin_offline(page, circle, "Kept too long.")
    save_checkin_offline(page, circle, "Fix me.")
    # The phone stayed offline for weeks: the day is now too far back for the server.
    set_field_in_outbox(page, "date", (local_today() - timedelta(days=20)).isoformat())

    context.set_offline(False)
    page.reload()
    status = page.locator("[data-outbox-status]")
    expect(status).to_contain_text("2 saved entries could not be sent", timeout=10000)
    assert rows(live_server.app, "SELECT count(*) FROM checkins") == [(0,)]
    assert all(e["status"] == "refused" for e in outbox_entries(page))  # kept, not dropped

    status.get_by_role("link", name="See why and fix").click()
    expect(page.get_by_role("heading", level=1, name="Saved on this phone")).to_be_visible()
    entries = page.locator(".outbox-entry")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("check-ins can go back at most 14 days")
    expect(entries.first).to_contain_text("Kept too long.")
    assert_no_axe_violations(page, "the outbox page with refused entries")

    # Discard asks twice, then the entry is gone.
    discard = entries.first.get_by_role("button", name="Discard")
    discard.click()
    entries.first.get_by_role("button", name="Yes, discard it").click()
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Fix me.")

    # Edit and send again: the check-in form, filled in, with the reason.
    entries.first.get_by_role("link", name="Edit and send again").click()
    expect(page.locator("[data-outbox-notice]")).to_contain_text("check-ins can go back at most 14 days")
    expect(page.get_by_label("Anything else?")).to_have_value("Fix me.")
    page.get_by_label("Day", exact=True).fill(local_today().isoformat())
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(status).to_be_empty()
    assert outbox_entries(page) == []
    assert rows(live_server.app, "SELECT notes, date FROM checkins") == [("Fix me.", local_today().isoformat())]


def test_signed_out_replay_keeps_the_entries_and_asks_to_sign_in(page, context, live_server, browser_checks):
    browser_checks.allow_console_error(r"net::ERR_")
    circle = seed(live_server.app, "ann", "Ann", "Sam")
    sign_in(page, "ann")
    wait_for_worker(page)
    page.goto(f"/c/{circle}/checkins/new")
    wait_until_kept(page, f"/c/{circle}/checkins/new")

    context.set_offline(True)
    save_checkin_offline(page, circle, "Made while the session ended.")
    context.clear_cookies()  # the session ends on the server's side while offline
    recorder = PostRecorder(live_server.app)
    context.set_offline(False)

    link = page.get_by_role("link", name="Sign in to send 1 saved entry")
    expect(link).to_be_visible(timeout=10000)
    assert recorder.posts == []  # nothing sent without a session...
    assert [e["status"] for e in outbox_entries(page)] == ["waiting"]  # ...and nothing lost
    link.click()
    page.get_by_label("Email or user name").fill("ann")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(f"/c/{circle}/checkins/new$"))  # back where they were
    wait_until_sent(page)
    expect(page.locator("[data-outbox-status]")).to_be_empty()
    assert rows(live_server.app, "SELECT notes FROM checkins") == [("Made while the session ended.",)]
    assert recorder.to("/checkins/new") == [f"/c/{circle}/checkins/new"]


def page_caches(page):
    """Every cache of the app, with the paths it holds and whether any holds `text`."""
    return page.evaluate("""async () => {
        const out = {};
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            out[name] = [];
            for (const request of await cache.keys()) {
                const body = await (await cache.match(request)).clone().text();
                out[name].push([new URL(request.url).pathname, body.includes('555-0100') || body.includes('Sam')]);
            }
        }
        return out;
    }""")


def test_sign_out_clears_the_phone_and_the_next_person_sees_nothing_offline(page, context, live_server,
                                                                           browser_checks, assert_no_axe_violations):
    browser_checks.allow_console_error(r"net::ERR_")
    circle = seed(live_server.app, "ann", "Ann", "Sam", care_team=[("Dr. Lee", "555-0100")])
    seed(live_server.app, "bob", "Bob")
    sign_in(page, "ann")
    wait_for_worker(page)
    for path in (f"/c/{circle}/", f"/c/{circle}/history", "/emergency"):
        page.goto(path)
        wait_until_kept(page, path)

    # An entry still waits: signing out warns first, and asks for a second press.
    page.goto("/sign-out")
    page.evaluate("""() => CaregiverOutbox.put({client_id: 'waiting-1', url: '/c/1/checkins/new',
        fields: [['date', '2026-11-20']], kind: 'checkin', created_at: new Date().toISOString(),
        status: 'waiting', error: null, user: ''})""")
    warning = page.locator("[data-outbox-warning]")
    expect(warning).to_be_hidden()
    page.get_by_role("button", name="Sign out").click()
    expect(warning).to_be_visible()
    expect(warning).to_be_focused()
    assert_no_axe_violations(page, "the sign-out page warning about unsent entries")
    page.get_by_role("button", name="Sign out and delete 1 unsent entry").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()

    # Nothing of Ann's stays: no kept pages, an empty outbox. (The worker may have put
    # its shell back already: files, and pages fetched without cookies.)
    assert outbox_entries(page) == []
    for name, held in page_caches(page).items():
        assert name.startswith("caregiver-shell-"), name
        assert not any(has_ann for _, has_ann in held), (name, held)

    # Clear-Site-Data also removed the worker: the signed-out page installs it again at
    # once, so the emergency page opens offline right after signing out.
    wait_for_worker(page)
    context.set_offline(True)
    response = page.goto("/emergency")
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1, name=re.compile("Overdose"))).to_be_visible()
    expect(page.locator('a[href="tel:911"]').first).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("555-0100")
    context.set_offline(False)

    # Bob signs in on the same phone, then loses signal and opens Ann's circle.
    sign_in(page, "bob")
    wait_for_worker(page)
    context.set_offline(True)
    response = page.goto(f"/c/{circle}/")
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Sam")
    page.goto("/emergency")
    expect(page.locator("body")).not_to_contain_text("555-0100")


def test_signing_out_offline_clears_this_persons_data_but_never_the_emergency_page(page, context, live_server,
                                                                                 browser_checks):
    browser_checks.allow_console_error(r"net::ERR_")
    circle = seed(live_server.app, "ann", "Ann", "Sam", care_team=[("Dr. Lee", "555-0100")])
    sign_in(page, "ann")
    wait_for_worker(page)
    for path in (f"/c/{circle}/", "/emergency"):
        page.goto(path)
        wait_until_kept(page, path)
    page.goto("/sign-out")

    context.set_offline(True)  # the signal drops before the press
    page.get_by_role("button", name="Sign out").click()
    warning = page.locator("[data-outbox-warning]")
    expect(warning).to_contain_text("saved pages and entries are deleted")
    expect(warning).to_contain_text("You're offline: press the button again once you have a connection")
    assert kept_urls(page) == {}  # Ann's pages are gone...
    assert outbox_entries(page) == []
    # ...but the shell stays: the emergency page (the one for anyone) still opens.
    response = page.goto("/emergency")
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1, name=re.compile("Overdose"))).to_be_visible()
    expect(page.locator('a[href="tel:911"]').first).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("555-0100")


def test_a_session_that_ended_without_sign_out_still_keeps_the_pages_from_the_next_person(
        page, context, live_server, browser_checks):
    # No sign-out, so no Clear-Site-Data: the worker alone must drop Ann's pages as
    # soon as an answer shows that she is no longer the one signed in.
    browser_checks.allow_console_error(r"net::ERR_")
    circle = seed(live_server.app, "ann", "Ann", "Sam", care_team=[("Dr. Lee", "555-0100")])
    seed(live_server.app, "bob", "Bob")
    sign_in(page, "ann")
    wait_for_worker(page)
    for path in (f"/c/{circle}/", "/emergency"):
        page.goto(path)
        wait_until_kept(page, path)
    page.evaluate("""(user) => CaregiverOutbox.put({client_id: 'ann-1', url: '/c/1/checkins/new',
        fields: [['date', '2026-11-20'], ['notes', 'Ann private note']], kind: 'checkin',
        created_at: new Date().toISOString(), status: 'refused', error: 'Too far back.', user})""",
                  page.locator("#main").get_attribute("data-cache-key"))
    context.clear_cookies()  # the session expired

    sign_in(page, "bob")
    assert kept_urls(page) == {} or all(f"/c/{circle}/" not in urls for urls in kept_urls(page).values())
    # Ann's entry waits on the phone, but Bob sees only that there is one.
    page.evaluate("""(user) => CaregiverOutbox.put({client_id: 'bob-1', url: '/c/9/checkins/new',
        fields: [['notes', 'Bob own note']], kind: 'checkin', created_at: new Date().toISOString(),
        status: 'refused', error: 'Not his circle.', user})""", page.locator("#main").get_attribute("data-cache-key"))
    page.goto("/outbox")
    entries = page.locator(".outbox-entry")
    expect(entries).to_have_count(2)
    expect(entries.filter(has_text="Bob own note")).to_have_count(1)
    other = entries.filter(has_text="1 entry was saved on this phone by an account that is not signed in now")
    expect(other).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("Ann private note")
    expect(page.locator("main")).not_to_contain_text("Too far back.")
    other.get_by_role("button", name="Discard it").click()
    other.get_by_role("button", name="Yes, discard it").click()
    expect(entries).to_have_count(1)
    assert [e["client_id"] for e in outbox_entries(page)] == ["bob-1"]
    context.set_offline(True)
    page.goto(f"/c/{circle}/")
    expect(page.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Sam")
    page.goto("/emergency")
    expect(page.locator("body")).not_to_contain_text("555-0100")


def test_each_circle_keeps_its_own_emergency_page_offline(page, context, live_server, browser_checks,
                                                          assert_no_axe_violations):
    browser_checks.allow_console_error(r"net::ERR_")
    sam = seed(live_server.app, "ann", "Ann", "Sam", care_team=[("Dr. Lee", "555-0100")], emergency_number="112")
    alex = add_circle(live_server.app, "ann", "Alex", care_team=[("Clinic", "555-0199")])
    robin = add_circle(live_server.app, "ann", "Robin")  # never opened on this phone
    sign_in(page, "ann")
    wait_for_worker(page)
    # Opening a circle keeps its emergency page too, though it was never tapped.
    for circle in (sam, alex):
        page.goto(f"/c/{circle}/checklists")
        wait_until_kept(page, f"/c/{circle}/emergency")
    # Every circle's pages are kept from sign-in on (test_offline_from_sign_in.py): as
    # if the background keep had not reached Robin's emergency page yet.
    expect(page.locator("#main")).to_have_attribute("data-offline-kept", "done", timeout=20000)
    page.evaluate("""async (path) => {
        for (const name of await caches.keys()) {
            if (name.startsWith('caregiver-pages-')) await (await caches.open(name)).delete(location.origin + path);
        }
    }""", f"/c/{robin}/emergency")

    context.set_offline(True)
    page.goto(f"/c/{sam}/checklists")
    page.get_by_role("link", name="Emergency", exact=True).click()  # the header: one tap
    expect(page).to_have_url(re.compile(f"/c/{sam}/emergency$"))
    expect(page.locator(".lead")).to_contain_text("call 112 first")
    expect(page.get_by_role("link", name="Dr. Lee: 555-0100").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("555-0199")
    assert_no_axe_violations(page, "a circle's emergency page, offline")
    page.goto(f"/c/{alex}/emergency")
    expect(page.get_by_role("link", name="Clinic: 555-0199").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("555-0100")
    # Not kept yet: the page for anyone, never an error.
    response = page.goto(f"/c/{robin}/emergency")
    assert response.from_service_worker
    expect(page.locator(".lead")).to_contain_text("call 911 first")
    expect(page.locator("main")).not_to_contain_text("555-01")
    # The offline page names each kept page's circle: two "Checklists" are told apart.
    page.goto(f"/c/{robin}/history")
    kept = page.locator("[data-offline-pages-list] a")
    expect(kept.filter(has_text="Sam: Checklists")).to_have_attribute("href", f"/c/{sam}/checklists")
    expect(kept.filter(has_text="Alex: Checklists")).to_have_attribute("href", f"/c/{alex}/checklists")

    # Online again, but the session ended: the Emergency button never leads to sign-in.
    context.set_offline(False)
    context.clear_cookies()
    page.goto(f"/c/{sam}/emergency")
    expect(page).to_have_url(re.compile(f"/c/{sam}/emergency$"))
    expect(page.get_by_role("heading", level=1, name=re.compile("Overdose"))).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("555-0100")


def test_sign_out_everywhere_and_account_deletion_warn_about_unsent_entries(page, live_server,
                                                                           assert_no_axe_violations):
    seed(live_server.app, "ann", "Ann")
    sign_in(page, "ann")
    page.goto("/account")
    page.evaluate("""() => CaregiverOutbox.put({client_id: 'waiting-1', url: '/c/1/checkins/new',
        fields: [['date', '2026-11-20']], kind: 'checkin', created_at: new Date().toISOString(),
        status: 'waiting', error: null, user: ''})""")
    everywhere = page.locator("form[data-sign-out]")
    everywhere.get_by_role("button", name="Sign out everywhere").click()
    expect(everywhere.locator("[data-outbox-warning]")).to_be_focused()
    expect(everywhere.get_by_role("button", name="Sign out everywhere and delete 1 unsent entry")).to_be_visible()
    expect(page).to_have_url(re.compile("/account$"))  # nothing sent yet
    assert_no_axe_violations(page, "the account page warning about unsent entries")

    page.goto("/account/delete")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.locator("[data-outbox-warning]")).to_be_focused()
    page.get_by_role("button", name="Delete my account and 1 unsent entry").click()
    expect(page.get_by_role("heading", level=1, name="Your account was deleted")).to_be_visible()
    assert outbox_entries(page) == []
