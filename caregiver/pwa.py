"""Installable and offline: the service worker, the offline and outbox pages, a CSRF
token for the outbox, and the static version that ties a page to one release.

How it fits together (docs/offline.md tells the whole story):
- STATIC_VERSION is a hash of every static file (and of templates/pwa/), computed
  at start. Pages link static files as /static/<file>?v=<version> (`static_url`),
  and the service worker is rendered with the same version and the exact list of
  URLs to precache, so a new release changes sw.js, installs a new worker, and
  its activation deletes the old caches.
- Every HTML answer carries `Caregiver-Cache-Key`: an opaque per-user key (or
  "none" when signed out). The service worker keeps the pages of one user only, in
  a cache named for that key, and drops the others as soon as an answer shows that
  someone else (or no one) is signed in. The page gets the same key in a <meta>,
  and the time it was made in <meta name="generated-at">, for the offline banner.
- A tab left open across a release still runs the old CSS and JS: its htmx requests
  say so (`Caregiver-Release`, from base.html) and get a full page load instead of
  new markup under old styles. A static file asked for with another release than
  the current one is never cached under that URL.
"""
import hashlib
import hmac
from datetime import datetime, timezone
from pathlib import Path

from flask import Blueprint, current_app, g, make_response, render_template, request, url_for
from flask_wtf.csrf import generate_csrf

from . import content
from .i18n import _, _l, current_language, js_words
from .records import my_circles
from .vocabulary import FIELDS
from .views import htmx_request

bp = Blueprint("pwa", __name__)

CACHE_KEY_HEADER = "Caregiver-Cache-Key"
RELEASE_HEADER = "Caregiver-Release"  # sent by htmx: the release of the page that asks
# Static files the service worker precaches (the app shell): what pages load.
# Left out: VENDORED.md, the 512 px icons (fetched by the browser only when the app
# is installed) and the Apple touch icon (only Safari asks, when adding to the home
# screen). Chrome reads the manifest's 192 px icon on every page load.
SHELL_SUFFIXES = (".css", ".js", ".svg")
# Kept offline for every circle of a caregiver from sign-in on, visited or not
# (docs/offline.md), with the names the offline page lists them by ("Sam: Home").
OFFLINE_PAGES = (
    ("circles.home", _l("Home")),
    ("checklists.index", _l("Checklists")),
    ("checkins.new", _l("Check in")),
    ("pages.circle_emergency", _l("Emergency")),
    ("medication.record", _l("Medication")),
    ("circles.more", _l("More")),  # the way to Medication from the navigation
    ("plan.plan", _l("If things get worse")),  # the circle's plan: whom to call, naloxone
)
# Names of the other pages the worker keeps once visited.
PAGE_NAMES = dict(OFFLINE_PAGES, **{
    "checkins.history": _l("History"), "levels.continuum": _l("Levels of care"),
    "levels.level": _l("Level of care"), "summary.summary": _l("Summary"),
    "pages.emergency": _l("Emergency: every circle"),
    "assessment.assessment": _l("Prepare for an assessment"), "assessment.brief": _l("Brief for the assessment"),
})
SHELL_EXTRA = ("icons/icon-192.png",)


def _files(folder):
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def static_version(*folders):
    """A short hash of the names and contents of every file under `folders`: any
    change to a static file (or to the service worker template) makes a new release."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in _files(folder):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _pwa_templates(app):
    return Path(app.template_folder) / "pwa"


@bp.record_once
def _setup(state):
    app = state.app
    app.config.setdefault("STATIC_VERSION", static_version(app.static_folder, _pwa_templates(app)))


def current_version():
    app = current_app
    if app.debug:  # a developer editing CSS or JS sees it at the next request
        if "static_version" not in g:
            g.static_version = static_version(app.static_folder, _pwa_templates(app))
        return g.static_version
    return app.config["STATIC_VERSION"]


@bp.app_template_global()
def static_url(filename):
    """url_for('static', ...) with the release version, so a page never loads a
    stale file, and the service worker can precache the exact URL."""
    return url_for("static", filename=filename, v=current_version())


def shell_files():
    folder = Path(current_app.static_folder)
    return [name for name in (p.relative_to(folder).as_posix() for p in _files(folder))
            if name.endswith(SHELL_SUFFIXES) or name in SHELL_EXTRA]


def cache_key(user):
    """An opaque, stable key per user: names this user's page cache on the phone and
    tags the entries of the outbox. Reveals nothing (an HMAC of the user id)."""
    if user is None:
        return "none"
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"offline-cache:{user['id']}".encode(), hashlib.sha256).hexdigest()[:24]


@bp.app_context_processor
def _page_metas():
    user = g.get("user")
    return {"offline_cache_key": "" if user is None else cache_key(user),
            "offline_name": offline_name(),
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "release": current_version()}


def offline_name():
    """How the offline page lists this page once kept: "Sam: Checklists"."""
    name = PAGE_NAMES.get(request.endpoint or "")
    circle = g.get("circle")
    if name is None:
        return ""
    if circle is None or request.endpoint == "pages.emergency":
        return str(name)
    return _circle_page(circle["nickname"], name)


def _circle_page(nickname, name):
    """A circle's page as the offline page lists it: "Sam: Checklists"."""
    return _("%(circle)s: %(page)s", circle=nickname, page=name)


@bp.before_app_request
def _same_release():
    """An htmx GET from a page of an older release: a full page load, so the new page
    never shows under the old CSS and JS. (A POST still runs: what a caregiver sent
    is never dropped, and its answer says what happened; the next GET reloads.)"""
    sent = request.headers.get(RELEASE_HEADER)
    is_htmx, boosted = htmx_request()
    if request.method != "GET" or not is_htmx or sent is None or sent == current_version():
        return None
    response = make_response("", 204)
    response.mimetype = "text/plain"  # not a page: nothing for the worker to file under a key
    if boosted:  # a link: load where it leads
        response.headers["HX-Redirect"] = request.full_path.rstrip("?")
    else:  # a part of the page: load this page again
        response.headers["HX-Refresh"] = "true"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.after_app_request
def _tag_pages(response):
    # Only pages: the service worker reads this on navigations.
    if response.mimetype == "text/html":
        response.headers[CACHE_KEY_HEADER] = cache_key(g.get("user"))
    # /static/<file>?v=<release> may be cached for a year; the same URL with an old
    # (or no) release gets today's file, which must not stay under that name.
    if request.endpoint == "static" and request.args.get("v") != current_version():
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sw.js")
def service_worker():
    """Served from the root so that its scope is the whole app (a worker under
    /static/ would only control /static/)."""
    body = render_template(
        "pwa/sw.js",
        version=current_version(),
        precache=[static_url(f) for f in shell_files()] + [url_for("pages.manifest")],
        # Fetched without cookies: they hold no one's data.
        anonymous_pages=[url_for("pwa.offline"), url_for("pwa.outbox"), url_for("pages.emergency")],
        app_script=static_url("js/app.js"),  # the words of the scripts (CaregiverWords)
        outbox_store_script=static_url("js/outbox-store.js"),
        language=current_language(), js_words=js_words(),
        offline_pages_url=url_for("pwa.offline_pages"),
        cache_key_header=CACHE_KEY_HEADER,
    )
    response = make_response(body)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"  # the browser checks for a new release each time
    return response


@bp.route("/offline")
def offline():
    """What a navigation shows when there is no connection and no saved copy."""
    response = make_response(render_template("pwa/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/outbox")
def outbox():
    """Entries saved on this phone: a static page filled in by outbox.js from IndexedDB."""
    labels = {f.name: f.label for f in FIELDS}
    values = {f.name: dict(f.choices) for f in FIELDS if f.choices}
    items = {item["id"]: item["text"] for checklist in content.CHECKLISTS.values()
             for item in checklist["items"]}
    response = make_response(render_template("pwa/outbox.html", labels=labels, values=values,
                                             items=items))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/csrf")
def csrf():
    """A fresh CSRF token for the outbox replay, and whose it is (the cache key)."""
    if g.user is None:
        response = make_response({"error": "signed-out", "sign_in": url_for("auth.sign_in")}, 401)
    else:
        response = make_response({"csrf_token": generate_csrf(), "user": cache_key(g.user)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/offline-pages")
def offline_pages():
    """What the worker keeps for offline use from sign-in on: for every circle of the
    signed-in caregiver, its home, checklists, check-in form, emergency, medication and
    "More" pages (the worker holds no URL of its own), and whose list it is (the cache key:
    pages are filed under that person's key only)."""
    if g.user is None:
        response = make_response({"error": "signed-out", "sign_in": url_for("auth.sign_in")}, 401)
    else:
        pages = [{"url": url_for(endpoint, circle_id=circle["id"]), "name": _circle_page(circle["nickname"], name)}
                 for circle in my_circles(g.user["id"]) for endpoint, name in OFFLINE_PAGES]
        if pages:  # every circle's numbers on one page, for pages outside a circle
            pages.append({"url": url_for("pages.emergency"), "name": str(PAGE_NAMES["pages.emergency"])})
        response = make_response({"user": cache_key(g.user), "pages": pages})
    response.headers["Cache-Control"] = "no-store"
    return response
