"""Notifications in headless Chromium: the subscribe flow of the account page, and the
service worker's real `push` and `notificationclick` handlers.

What is not real here, and why:
- `PushManager.prototype.subscribe` is replaced (an init script) by one that returns
  a subscription made by the test (its endpoint on the local push receiver, its key
  pair and auth secret): headless Chromium has no push service to reach. Everything
  else of the page's flow runs: the permission, the form, its CSRF token, the POST.
- The push message is delivered with the DevTools call ServiceWorker.deliverPushMessage
  (unencrypted: the browser decrypts before the worker sees it).
- Whether headless Chromium lists shown notifications (`registration.getNotifications()`)
  is checked and recorded below; the worker also tells open pages what it showed (a
  postMessage), which the test reads either way.
- The notification's click is dispatched in the worker (Playwright evaluates in its
  scope) with the notification the worker showed: no tap exists headless.
"""
import json
import re

from playwright.sync_api import expect

from caregiver import push
from db_helpers import rows
from tests.push_receiver import Receiver

from .conftest import assert_no_axe_violations
from .test_offline import seed, sign_in, wait_for_worker, wait_until

FAKE_SUBSCRIBE = r"""([endpoint, p256dh, auth]) => {
  const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')
      + '==='.slice((text.length + 3) % 4)), c => c.charCodeAt(0)).buffer;
  PushManager.prototype.subscribe = async function (options) {
    // Kept across the form's navigation: the key the page subscribed with, base64url.
    sessionStorage.setItem('subscribedWith', btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)))
        .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    return { endpoint, getKey: (name) => bytes(name === 'p256dh' ? p256dh : auth) };
  };
}"""


def registration_id(cdp):
    found = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda e: found.update({r["scopeURL"]: r["registrationId"] for r in e["registrations"]}))
    cdp.send("ServiceWorker.enable")
    return found


def test_subscribe_then_push_and_click_open_the_circle_home_at_the_urgent_card(page, context, live_server,
                                                                              browser_checks):
    app = live_server.app
    app.config["PUSH_ALLOW_LOCAL_FOR_TESTS"] = True
    receiver = Receiver(push.public_key(app.config["VAPID_PRIVATE_KEY"]))
    try:
        phone = receiver.phone("chromium")
        circle = seed(app, "ann", "Ann", "Sam")
        context.grant_permissions(["notifications"], origin=live_server.url)
        context.add_init_script(f"({FAKE_SUBSCRIBE})({json.dumps([phone.endpoint, phone.p256dh, phone.auth])})")
        sign_in(page, "ann")
        wait_for_worker(page)

        page.goto("/account/notifications")
        assert_no_axe_violations(page, "notifications page")
        page.get_by_role("button", name="Turn on notifications on this phone").click()
        expect(page.get_by_text("Notifications are on for this phone.")).to_be_visible()
        expect(page.get_by_text("this phone", exact=True)).to_be_visible()
        # The page subscribed with the server's public key, and posted what it got.
        key = page.evaluate("() => sessionStorage.getItem('subscribedWith')")
        assert key == push.public_key(app.config["VAPID_PRIVATE_KEY"])
        [(endpoint, p256dh, auth, browser)] = rows(app, "SELECT endpoint, p256dh, auth, browser FROM push_subscriptions")
        assert (endpoint, p256dh, auth) == (phone.endpoint, phone.p256dh, phone.auth)
        assert "Chrome" in browser

        page.goto(f"/c/{circle}/alerts")
        assert_no_axe_violations(page, "alert choices page")
        page.get_by_label("Daily reminder at (leave empty for none)").fill("20:30")
        page.get_by_role("button", name="Save choices").click()
        expect(page.get_by_text("Saved your alert choices for Sam.")).to_be_visible()

        # The circle's home is kept for offline reading (visited once here).
        page.goto(f"/c/{circle}/")
        page.evaluate("""() => { window.__shown = [];
            navigator.serviceWorker.addEventListener('message', (e) => {
              if (e.data && e.data.type === 'push-shown') window.__shown.push(e.data); }); }""")
        cdp = context.new_cdp_session(page)
        registrations = registration_id(cdp)
        wait_until(page, "() => true")
        scope = live_server.url + "/"
        message = {"title": "Sam", "body": "An urgent sign was logged: open for the steps.",
                   "url": f"/c/{circle}/#urgent-title", "tag": f"urgent-{circle}-1", "kind": "urgent"}
        page.wait_for_timeout(200)
        assert scope in registrations, registrations
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url, "registrationId":
                                                      registrations[scope], "data": json.dumps(message)})
        wait_until(page, "() => window.__shown.length > 0", message="the worker showed nothing")
        shown = page.evaluate("() => window.__shown")
        assert shown == [{"type": "push-shown", "title": "Sam", "body": message["body"], "tag": message["tag"]}]
        listed = page.evaluate("""async () => (await (await navigator.serviceWorker.ready).getNotifications())
            .map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url}))""")
        # The spike's answer, kept as a check: headless Chromium lists it (if this ever
        # changes, the postMessage above still proves what was shown).
        assert listed == [{"title": "Sam", "body": message["body"], "tag": message["tag"], "url": message["url"]}]

        # A tap, with no signal, on another page: the circle home opens at the urgent card
        # from the copy the phone keeps.
        page.goto(f"/c/{circle}/checklists")
        browser_checks.allow_console_error(r"net::ERR_")
        context.set_offline(True)
        served = []
        page.on("response", lambda r: served.append((r.url, r.from_service_worker)))
        [worker] = context.service_workers
        worker.evaluate("""async () => {
            const [notification] = await self.registration.getNotifications();
            try { self.dispatchEvent(new NotificationEvent('notificationclick', { notification })); }
            catch (e) { /* waitUntil refuses an untrusted event; the handler has run */ }
        }""")
        expect(page).to_have_url(re.compile(f"/c/{circle}/#urgent-title$"))
        expect(page.get_by_role("heading", level=1, name="Sam")).to_be_visible()
        assert (f"{live_server.url}/c/{circle}/", True) in served  # the kept copy, offline
        context.set_offline(False)
    finally:
        receiver.close()
