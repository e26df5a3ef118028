"""gzip for the app shell, for pages that hold no secret, and for a caregiver's own
pages when the browser says the request came from this site.

BREACH reads a secret (a CSRF token, health data) out of compressed HTTPS answers by
making the victim's browser send many requests that put the attacker's guesses into the
same page, and watching the sizes. Those requests come from the attacker's site, so the
browser marks them `Sec-Fetch-Site: cross-site` (or `same-site`); it sends the session
cookie (SameSite=Lax) only on top-level navigations anyway. So a page with a secret is
compressed only when `Sec-Fetch-Site` is `same-origin` (our own links, forms, htmx and
service worker) or `none` (typed or bookmarked); without the header (an old browser), or
from anywhere else, it goes as it is. The CSRF token itself changes every second
(itsdangerous signs a timestamp), so no two sizes compare one secret for long.
Static file names carry the release version, so each compressed body is made once
per process and kept.
"""
import gzip

from flask import request

from .sessions import anonymous_cookie_name, cookie_name

TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/manifest+json",
              "image/svg+xml")
MIN_BYTES = 500  # below this, gzip's header costs more than it saves
_static_cache = {}  # (path, etag) -> compressed bytes


def _compressible(response):
    return (request.method == "GET" and response.status_code == 200
            and "Content-Encoding" not in response.headers
            and (response.mimetype or "").startswith(TEXT_TYPES)
            and "gzip" in request.headers.get("Accept-Encoding", ""))


# The same for everyone: the app shell.
SHARED = {"static", "pwa.service_worker", "pages.manifest"}


# Requests no other site can make the browser send.
OWN_SITE = {"same-origin", "none"}


def _holds_no_secret(app):
    """The app shell, or a page asked for with no cookie at all (neither a session nor a
    signed-out visit, whose CSRF token is a secret too)."""
    return request.endpoint in SHARED or not (request.cookies.get(cookie_name(app))
                                              or request.cookies.get(anonymous_cookie_name(app)))


def _safe_to_compress(app):
    return _holds_no_secret(app) or request.headers.get("Sec-Fetch-Site") in OWN_SITE


def compress(app, response):
    response.vary.add("Accept-Encoding")
    if not (_compressible(response) and _safe_to_compress(app)):
        return response
    response.direct_passthrough = False  # static files arrive as a file wrapper
    if request.endpoint == "static":
        key = (request.path, response.get_etag()[0])
        body = _static_cache.get(key)
        if body is None:
            body = _static_cache[key] = gzip.compress(response.get_data(), compresslevel=9, mtime=0)
    else:
        data = response.get_data()
        if len(data) < MIN_BYTES:
            return response
        body = gzip.compress(data, compresslevel=6, mtime=0)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)  # same content, other bytes
    return response


def init_app(app):
    app.after_request(lambda response: compress(app, response))
