"""Installable and offline, at the HTTP level: the manifest, /sw.js, the versioned
static files, /offline, /outbox, /csrf and the per-user cache key.

What the browser does with them is tested in tests/e2e/test_pwa.py and test_offline.py.
"""
import json
import re
import struct
from datetime import datetime

import pytest

from caregiver.pwa import CACHE_KEY_HEADER, static_version


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def sw_constant(body, name):
    return json.loads(re.search(rf"const {name} = (.+);\n", body).group(1))


# --- installable -------------------------------------------------------------------------

def test_manifest_has_what_chrome_needs_to_install(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    m = response.get_json()
    assert m["id"] == "/"
    assert m["start_url"] == "/" and m["scope"] == "/"
    assert m["display"] == "standalone"
    assert m["name"] and m["short_name"] and len(m["short_name"]) <= 12
    assert m["theme_color"] and m["background_color"]
    assert "orientation" not in m  # WCAG 1.3.4: never locked to one orientation


def test_manifest_icons_exist_with_their_stated_sizes(client):
    icons = client.get("/manifest.webmanifest").get_json()["icons"]
    purposes = {(icon["sizes"], icon.get("purpose", "any")) for icon in icons}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in icons:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        assert response.mimetype == icon["type"] == "image/png"
        width, height = png_size(response.data)
        assert f"{width}x{height}" == icon["sizes"], icon["src"]


@pytest.mark.parametrize("path", ["/", "/sign-in", "/emergency", "/offline", "/outbox"])
def test_every_page_links_the_manifest_and_versioned_static_files(client, app, path):
    html = client.get(path).get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    static = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert static, "no static files linked"
    version = app.config["STATIC_VERSION"]
    assert all(url.endswith(f"?v={version}") for url in static), static
    assert f'src="/static/js/outbox-store.js?v={version}" defer' in html
    assert f'src="/static/js/outbox.js?v={version}" defer' in html


def test_a_circle_page_links_versioned_files_too(auth, client, app):
    auth.sign_up()
    circle = auth.create_circle()
    html = client.get(f"/c/{circle}/").get_data(as_text=True)
    assert f"/static/css/app.css?v={app.config['STATIC_VERSION']}" in html


# --- the service worker -------------------------------------------------------------------

def test_the_worker_is_served_from_the_root_never_from_a_stale_cache(client, app):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Service-Worker-Allowed" not in response.headers  # not needed at the root
    body = response.get_data(as_text=True)
    assert sw_constant(body, "VERSION") == app.config["STATIC_VERSION"]


def test_the_worker_precaches_existing_versioned_urls(client, app):
    body = client.get("/sw.js").get_data(as_text=True)
    version = app.config["STATIC_VERSION"]
    precache = sw_constant(body, "PRECACHE")
    for needed in ("css/app.css", "js/app.js", "js/outbox-store.js", "js/outbox.js", "vendor/htmx-2.0.11.min.js",
                   "icons/icon.svg", "icons/icon-192.png"):
        assert f"/static/{needed}?v={version}" in precache, needed
    # Install-time icons: the browser fetches them when installing, never offline.
    assert not any("icon-512" in url or "maskable" in url or "apple-touch" in url for url in precache)
    assert "/manifest.webmanifest" in precache
    assert not any(url.endswith(".md") or "VENDORED" in url for url in precache)
    for url in precache + sw_constant(body, "ANONYMOUS_PAGES"):
        assert client.get(url).status_code == 200, url
    assert f'importScripts("/static/js/app.js?v={version}", "/static/js/outbox-store.js?v={version}")' in body


def kept_patterns(client):
    body = client.get("/sw.js").get_data(as_text=True)
    block = re.search(r"const KEPT = \[(.*?)\];", body, re.DOTALL).group(1)
    return [re.compile(p) for p in re.findall(r"/(\^.*?\$)/", block)]


@pytest.mark.parametrize("path", ["/c/1/", "/c/1/checkins/new", "/c/1/history", "/c/1/checklists",
                                  "/c/1/continuum", "/c/1/level", "/c/1/summary", "/c/1/more",
                                  "/c/1/emergency", "/c/1/medication", "/c/1/plan", "/c/1/assessment",
                                  "/c/1/assessment/brief", "/emergency"])
def test_the_worker_keeps_the_pages_of_a_circle(client, path):
    assert any(p.match(path) for p in kept_patterns(client)), path


@pytest.mark.parametrize("path", ["/share/abc", "/c/1/share", "/c/1/share/xyz", "/sign-in", "/sign-out",
                                  "/sign-up", "/signed-out", "/account", "/account/password",
                                  "/c/1/members", "/c/1/settings", "/c/1/checkins/3/edit", "/invite/t",
                                  "/c/1/summary.csv", "/", "/csrf"])
def test_the_worker_never_keeps_share_sign_in_or_account_pages(client, path):
    assert not any(p.match(path) for p in kept_patterns(client)), path


def test_the_version_changes_when_any_static_file_changes(tmp_path):
    static, pwa = tmp_path / "static", tmp_path / "pwa"
    (static / "css").mkdir(parents=True)
    pwa.mkdir()
    (static / "css" / "app.css").write_text("body { color: black; }")
    (pwa / "sw.js").write_text("// worker")
    first = static_version(static, pwa)
    assert first == static_version(static, pwa)  # stable
    (static / "css" / "app.css").write_text("body { color: navy; }")
    second = static_version(static, pwa)
    assert second != first
    (pwa / "sw.js").write_text("// worker, fixed")
    assert static_version(static, pwa) != second
    (static / "new.js").write_text("")
    assert len({first, second, static_version(static, pwa)}) == 3


# --- one release per tab ---------------------------------------------------------------------

def release_of(html):
    return json.loads(re.search(r"<html lang=\"en\" hx-headers='([^']+)'>", html).group(1))["Caregiver-Release"]


def test_every_page_tells_htmx_its_release_signed_in_or_not(auth, client, app):
    assert release_of(client.get("/emergency").get_data(as_text=True)) == app.config["STATIC_VERSION"]
    auth.sign_up()
    circle = auth.create_circle()
    assert release_of(client.get(f"/c/{circle}/").get_data(as_text=True)) == app.config["STATIC_VERSION"]


def test_an_htmx_get_from_an_older_release_gets_a_full_page_load(auth, client, app):
    auth.sign_up()
    circle = auth.create_circle()
    old = {"HX-Request": "true", "Caregiver-Release": "oldrelease00"}
    # A boosted link: a real navigation to where it leads, under the new CSS and JS.
    link = client.get(f"/c/{circle}/history", headers={**old, "HX-Boosted": "true"})
    assert link.status_code == 204 and link.data == b""
    assert link.headers["HX-Redirect"] == f"/c/{circle}/history"
    assert client.get("/emergency?x=1", headers={**old, "HX-Boosted": "true"}).headers["HX-Redirect"] == "/emergency?x=1"
    # A part of the page: the page again.
    part = client.get(f"/c/{circle}/checklists", headers=old)
    assert part.status_code == 204 and part.headers["HX-Refresh"] == "true"
    # The current release, and requests that are not htmx's, are answered as always.
    same = client.get(f"/c/{circle}/history", headers={"HX-Request": "true", "HX-Boosted": "true",
                                                        "Caregiver-Release": app.config["STATIC_VERSION"]})
    assert same.status_code == 200 and "HX-Redirect" not in same.headers
    assert client.get(f"/c/{circle}/history", headers={"Caregiver-Release": "oldrelease00"}).status_code == 200


def test_a_post_from_an_older_release_is_still_saved(auth, client, app):
    auth.sign_up()
    circle = auth.create_circle()
    response = auth.post(f"/c/{circle}/checklists/coping-practiced", {"ticked": "1"}, token_from=f"/c/{circle}/checklists",
                         headers={"HX-Request": "true", "Caregiver-Release": "oldrelease00"})
    assert response.status_code == 200 and "HX-Refresh" not in response.headers
    assert 'aria-pressed="true"' in response.get_data(as_text=True)


def test_a_static_file_asked_for_with_another_release_is_never_kept_under_that_name(client, app):
    current = client.get(f"/static/css/app.css?v={app.config['STATIC_VERSION']}")
    assert "max-age=31536000" in current.headers["Cache-Control"]
    for url in ("/static/css/app.css?v=oldrelease00", "/static/css/app.css"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", url


# --- the offline and outbox pages ----------------------------------------------------------

def test_the_offline_page_says_what_still_works_and_links_the_emergency_page(client):
    response = client.get("/offline")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>You're offline</h1>" in html
    assert 'href="/emergency"' in html
    assert "What still works" in html and 'href="/outbox"' in html


def test_the_outbox_page_is_static_and_knows_the_field_labels(client):
    html = client.get("/outbox").get_data(as_text=True)
    assert "data-outbox-list" in html and "Nothing is waiting to be sent." in html
    labels = json.loads(re.search(r'data-labels="([^"]+)"', html).group(1).replace("&#34;", '"'))
    assert labels["date"] == "Day" and labels["craving"]


# --- the outbox's server side --------------------------------------------------------------

def test_csrf_is_401_json_when_signed_out_and_never_stored(client):
    response = client.get("/csrf")
    assert response.status_code == 401
    assert response.get_json() == {"error": "signed-out", "sign_in": "/sign-in"}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_fresh_csrf_token_lets_the_outbox_send_once(auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    response = client.get("/csrf")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["user"] == client.get("/").headers[CACHE_KEY_HEADER]
    headers = {"Accept": "application/json", "X-CSRFToken": data["csrf_token"]}
    entry = {"client_id": "0b6f2c1e-0000-4000-8000-000000000001", "date": "", "notes": "From the outbox."}
    entry["date"] = re.search(r'name="date" type="date" value="([^"]+)"',
                              client.get(f"/c/{circle}/checkins/new").get_data(as_text=True)).group(1)
    first = client.post(f"/c/{circle}/checkins/new", data=entry, headers=headers)
    again = client.post(f"/c/{circle}/checkins/new", data=entry, headers=headers)
    assert (first.status_code, first.get_json()["created"]) == (201, True)
    assert (again.status_code, again.get_json()) == (200, {"id": first.get_json()["id"], "created": False})


def test_a_bad_csrf_token_answers_json_to_the_outbox_and_a_page_to_people(auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    path = f"/c/{circle}/checkins/new"
    as_json = client.post(path, data={"date": "2026-11-20"},
                          headers={"Accept": "application/json", "X-CSRFToken": "expired"})
    assert (as_json.status_code, as_json.get_json()) == (400, {"error": "csrf"})
    as_page = client.post(path, data={"date": "2026-11-20"}, headers={"X-CSRFToken": "expired"})
    assert as_page.status_code == 400 and as_page.mimetype == "text/html"
    assert "This form expired" in as_page.get_data(as_text=True)


def test_a_replay_without_a_session_is_kept_not_lost(client):
    response = client.post("/c/1/checkins/new", data={"date": "2026-11-20"},
                           headers={"Accept": "application/json"})
    assert response.status_code in (400, 401)  # CSRF or signed out: never a redirect
    assert response.is_json


# --- whose pages: the cache key ------------------------------------------------------------

def test_each_page_says_whose_it_is_with_an_opaque_key(auth, client, app):
    anonymous = client.get("/emergency")
    assert anonymous.headers[CACHE_KEY_HEADER] == "none"
    assert 'data-cache-key=""' in anonymous.get_data(as_text=True)

    auth.sign_up("alice")
    alice = client.get("/emergency")
    key = alice.headers[CACHE_KEY_HEADER]
    assert re.fullmatch(r"[0-9a-f]{24}", key)
    assert f'data-cache-key="{key}"' in alice.get_data(as_text=True)
    auth.sign_out()
    auth.sign_up("bob")
    bob_key = client.get("/emergency").headers[CACHE_KEY_HEADER]
    assert bob_key != key
    auth.sign_out()
    auth.sign_in("alice")
    assert client.get("/emergency").headers[CACHE_KEY_HEADER] == key  # stable for one person
    assert CACHE_KEY_HEADER not in client.get("/sw.js").headers  # pages only


def test_pages_carry_the_time_they_were_made_for_the_offline_banner(client):
    html = client.get("/emergency").get_data(as_text=True)
    made = re.search(r'data-generated-at="([^"]+)"', html).group(1)
    assert datetime.fromisoformat(made).utcoffset().total_seconds() == 0


def test_sign_out_asks_the_browser_to_clear_caches_and_storage(auth, client):
    auth.sign_up()
    response = auth.sign_out()
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


# --- offline from sign-in: what the worker keeps for every circle ---------------------------

def test_offline_pages_is_401_json_when_signed_out_and_never_stored(client):
    response = client.get("/offline-pages")
    assert response.status_code == 401
    assert response.is_json and response.get_json()["error"] == "signed-out"
    assert response.headers["Cache-Control"] == "no-store"


def test_offline_pages_lists_every_circle_of_the_caregiver_and_no_one_elses(auth, client, app):
    auth.sign_up("bob")
    bobs = auth.create_circle("Robin")
    auth.sign_out()
    auth.sign_up("alice")
    sam = auth.create_circle("Sam")
    alex = auth.create_circle("Alex")
    response = client.get("/offline-pages")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["user"] == client.get("/emergency").headers[CACHE_KEY_HEADER]  # whose list
    pages = {page["url"]: page["name"] for page in data["pages"]}
    for circle, name in ((sam, "Sam"), (alex, "Alex")):
        assert {url: n for url, n in pages.items() if url.startswith(f"/c/{circle}/")} == {
            f"/c/{circle}/": f"{name}: Home", f"/c/{circle}/checklists": f"{name}: Checklists",
            f"/c/{circle}/checkins/new": f"{name}: Check in", f"/c/{circle}/emergency": f"{name}: Emergency",
            f"/c/{circle}/medication": f"{name}: Medication", f"/c/{circle}/more": f"{name}: More",
            f"/c/{circle}/plan": f"{name}: If things get worse"}
    assert not any(url.startswith(f"/c/{bobs}/") for url in pages)
    assert set(pages) - {u for u in pages if u.startswith((f"/c/{sam}/", f"/c/{alex}/"))} == {"/emergency"}
    for url in pages:  # every one a page the worker keeps, and that opens
        assert any(p.match(url) for p in kept_patterns(client)), url
        assert client.get(url).status_code == 200, url


def test_a_caregiver_without_a_circle_has_nothing_to_keep(auth, client):
    auth.sign_up("carol")
    assert client.get("/offline-pages").get_json()["pages"] == []


def test_a_kept_page_names_itself_for_the_offline_list(auth, client):
    auth.sign_up("alice")
    sam = auth.create_circle("Sam")
    for path, name in (("/", "Sam: Home"), ("/checklists", "Sam: Checklists"), ("/checkins/new", "Sam: Check in"),
                       ("/emergency", "Sam: Emergency"), ("/medication", "Sam: Medication")):
        html = client.get(f"/c/{sam}{path}").get_data(as_text=True)
        assert f'data-offline-name="{name}"' in html, path


def test_the_offline_page_calls_911_and_says_the_first_steps(client):
    page = client.get("/offline").get_data(as_text=True)
    assert '<a class="button call" href="tel:911">Call 911</a>' in page
    assert "push hard and fast on the center of the chest" in page and "Give naloxone as soon as you have it" in page
