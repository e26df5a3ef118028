"""What is sent compressed: the app shell, session-less pages, and a signed-in caregiver's
pages only when the request came from this site (BREACH)."""
import gzip
import re
from pathlib import Path

from caregiver.pwa import static_url

STATIC = Path(__file__).resolve().parent.parent / "static"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def versioned(app, name):
    with app.test_request_context():
        return static_url(name)


def test_static_files_are_sent_gzipped_with_a_long_lifetime(app, client):
    for name in ("vendor/htmx-2.0.11.min.js", "css/app.css", "js/outbox.js", "icons/icon.svg"):
        response = client.get(versioned(app, name), headers=GZIP)
        assert response.headers["Content-Encoding"] == "gzip", name
        assert "Accept-Encoding" in response.vary
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert gzip.decompress(response.data) == (STATIC / name).read_bytes(), name
        assert int(response.headers["Content-Length"]) == len(response.data) < (STATIC / name).stat().st_size


def test_a_client_without_gzip_gets_the_plain_file(app, client):
    response = client.get(versioned(app, "css/app.css"))
    assert "Content-Encoding" not in response.headers
    assert response.data == (STATIC / "css/app.css").read_bytes()


def test_a_conditional_request_for_a_compressed_file_is_a_304(app, client):
    url = versioned(app, "js/outbox.js")
    etag = client.get(url, headers=GZIP).headers["ETag"]
    assert client.get(url, headers={**GZIP, "If-None-Match": etag}).status_code == 304


def test_images_already_compressed_are_sent_as_they_are(app, client):
    response = client.get(versioned(app, "icons/icon-192.png"), headers=GZIP)
    assert "Content-Encoding" not in response.headers


def test_the_service_worker_and_pages_without_a_session_are_compressed(app):
    for path in ("/sw.js", "/emergency", "/offline", "/outbox", "/sign-in"):
        response = app.test_client().get(path, headers=GZIP)  # no cookie, as the worker fetches them
        assert response.headers.get("Content-Encoding") == "gzip", path
        assert gzip.decompress(response.data)


def tokenless(page):
    return re.sub(r"[A-Za-z0-9_.-]{40,}|[0-9a-f-]{36}", "TOKEN", page)  # CSRF tokens, client ids


SIGNED_IN_PAGES = ("/c/{circle}/", "/c/{circle}/history", "/c/{circle}/checkins/new", "/emergency", "/csrf")


def test_a_signed_in_page_asked_from_another_site_or_an_old_browser_is_never_compressed(auth, client):
    # CSRF token and health data beside text others influence: an attacker's site that
    # makes the browser ask again and again could read them by size (BREACH).
    auth.sign_up()
    circle = auth.create_circle()
    auth.checkin(circle, craving="8", notes="hello")
    for site in (None, "cross-site", "same-site", "nonsense"):
        headers = dict(GZIP, **({"Sec-Fetch-Site": site} if site else {}))
        for path in SIGNED_IN_PAGES:
            response = client.get(path.format(circle=circle), headers=headers)
            assert response.status_code == 200, path
            assert "Content-Encoding" not in response.headers, (site, path)
            assert "Accept-Encoding" in response.vary


def test_a_signed_in_page_asked_from_this_site_is_compressed(auth, client):
    auth.sign_up()
    circle = auth.create_circle()
    auth.checkin(circle, craving="8", notes="hello")
    for site in ("same-origin", "none"):  # our own links and forms; a typed address
        for path in SIGNED_IN_PAGES[:-1]:  # /csrf is too small to gain
            plain = client.get(path.format(circle=circle)).get_data(as_text=True)
            response = client.get(path.format(circle=circle), headers=dict(GZIP, **{"Sec-Fetch-Site": site}))
            assert response.headers.get("Content-Encoding") == "gzip", (site, path)
            # the same page (CSRF tokens aside: they carry the second they were made)
            assert tokenless(gzip.decompress(response.data).decode()) == tokenless(plain), path
            assert len(response.data) < len(plain.encode()), path


def test_public_pages_without_a_form_start_no_session(app, client):
    for path in ("/emergency", "/offline", "/outbox", "/manifest.webmanifest", "/sw.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
    with app.app_context():
        from caregiver.db import get_db
        assert get_db().execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
