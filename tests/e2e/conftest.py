"""Real-browser tests: the app on 127.0.0.1, Debian's Chromium driven by Playwright.

What every test under tests/e2e gets, without asking:
- the `browser` marker (deselect with `-m "not browser"`);
- `browser_checks` (autouse): the test fails at teardown, with one message listing
  them all, if a page, frame or service worker requested a host other than the live
  server, threw an uncaught JS error, logged a console error (CSP violations
  included), or if a view raised. `browser_checks.allow_console_error(regex)` lets an
  expected console error through (never a CSP violation).

Fixtures to ask for:
- `live_server`: the app on a fresh database, `.url` ("http://127.0.0.1:PORT"),
  `.app` (the Flask app), `.errors` (exceptions raised by views; the test fails at
  teardown unless it empties the list).
- `page` / `context` / `new_context` (pytest-playwright's): a 390x844 phone-sized
  context with `base_url` = live_server.url, so `page.goto("/emergency")` works.
- `assert_no_axe_violations(page, "label")`: axe-core, WCAG 2.0/2.1/2.2 A and AA.
"""
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

E2E_DIR = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # Without these Chromium keeps trying to reach Google's servers.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected item, not only those below this folder.
    for item in items:
        if Path(str(item.path)).resolve().is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.browser)


# --- the browser -----------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (`playwright install` cannot download browsers here)."""
    executable = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        # Fail, never skip: a skipped browser suite must not look like a pass.
        pytest.fail(
            f"Chromium not found at {executable}: run scripts/install-test-tools "
            "or set CHROMIUM_PATH", pytrace=False,
        )
    return {
        **browser_type_launch_args,  # keeps --slowmo
        "executable_path": executable,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,  # keeps --video
        "viewport": {"width": 390, "height": 844},  # a phone
        "base_url": live_server.url,
        "service_workers": "allow",
        # The phone's clock far from the circles' zones (UTC+14): a date taken from
        # the phone instead of the circle's time zone shows up in every run.
        "timezone_id": "Pacific/Kiritimati",
    }


# --- the app -----------------------------------------------------------------------

class LiveServer:
    def __init__(self, app, server):
        self.app = app
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"
        self.errors = []  # exceptions raised by views while serving this test

    def __repr__(self):
        return f"<LiveServer {self.url}>"


@pytest.fixture
def live_server(tmp_path, browser_checks):
    """The app on a fresh database, served in a thread on a free port of 127.0.0.1."""
    from flask import got_request_exception

    from caregiver import create_app

    app = create_app({
        "TESTING": True,
        "DATABASE": str(tmp_path / "app.db"),
        "SECRET_KEY": "test",
        "SESSION_COOKIE_SECURE": False,  # plain http: the cookie drops the __Host- prefix
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(app, server)
    browser_checks.server = live  # reports live.errors at teardown

    def record(sender, exception, **extra):
        live.errors.append(exception)

    got_request_exception.connect(record, app, weak=False)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05},
        name=f"live-server-{server.server_port}", daemon=True,
    )
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        got_request_exception.disconnect(record, app)


# --- what every browser test checks --------------------------------------------------

class BrowserChecks:
    """What the browser contexts (pages, frames, service workers) of one test did wrong."""

    def __init__(self):
        self.origins = set()  # the live server's origin, once a context exists
        self.third_party = []  # "METHOD url (from where)"
        self.console_errors = []
        self.page_errors = []
        self._allowed = []
        self.server = None  # the LiveServer, if the test has one

    def attach(self, context, origin):
        self.origins.add(origin)
        context.on("request", self._on_request)
        context.on("console", self._on_console)
        context.on("weberror", self._on_weberror)

    def allow_console_error(self, pattern):
        """Let console errors matching `pattern` (a regex) pass, e.g. the browser's
        "Failed to load resource: ... 404" in a test that asks for a missing page.
        CSP violations can never be allowed."""
        self._allowed.append(re.compile(pattern))

    def _on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https", "ws", "wss"):
            return  # data:, blob:, about:
        if f"{parts.scheme}://{parts.netloc}" in self.origins:
            return
        where = "service worker" if request.service_worker else request.frame.url
        self.third_party.append(f"{request.method} {request.url} (from {where})")

    def _on_console(self, message):
        if message.type != "error":
            return
        location = message.location or {}
        where = location.get("url") or (message.page.url if message.page else "service worker")
        line = location.get("lineNumber")
        self.console_errors.append(f"{message.text}  [{where}{f':{line}' if line else ''}]")

    def _on_weberror(self, web_error):
        page = web_error.page.url if web_error.page else "?"
        self.page_errors.append(f"{web_error.error}  [{page}]")

    def problems(self):
        console = [
            text for text in self.console_errors
            if "Content Security Policy" in text
            or not any(p.search(text) for p in self._allowed)
        ]
        return (
            [f"third-party request (the app must make none): {r}" for r in self.third_party]
            + [f"uncaught JS error: {e}" for e in self.page_errors]
            + [f"console error: {e}" for e in console]
        )


@pytest.fixture(autouse=True)
def browser_checks():
    """Every e2e test: fails at teardown on a third-party request, an uncaught JS error,
    a console error (CSP violations included) or an exception in a view, all in one
    message. `browser_checks.allow_console_error(regex)` lets an expected one pass."""
    checks = BrowserChecks()
    yield checks
    problems = checks.problems()
    if checks.server is not None:
        problems += [f"exception in a view: {type(e).__name__}: {e}"
                     for e in checks.server.errors]
    if problems:
        pytest.fail("\n  ".join(["the browser or the app misbehaved:", *problems]),
                    pytrace=False)


@pytest.fixture
def new_context(new_context, browser_checks, live_server):
    """pytest-playwright's `new_context`, with every context watched (so `context`,
    `page`, and any extra context a test opens for a second user)."""
    def make(**kwargs):
        context = new_context(**kwargs)
        browser_checks.attach(context, live_server.url)
        return context
    return make


# --- accessibility ---------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()  # axe-core bundled in the package: runs offline


def axe_violations(page, include=None, disable=()):
    """axe-core's violations (a list of dicts) for WCAG 2.0/2.1/2.2 A and AA."""
    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "resultTypes": ["violations"],
    }
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    return _axe.run(page, context=include, options=options).response["violations"]


def format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v.get('impact')}] {v['help']}  ({v['helpUrl']})")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            html = re.sub(r"\s+", " ", node.get("html", ""))[:120]
            lines.append(f"    at {target}: {html}")
    return "\n".join(lines)


def assert_no_axe_violations(page, context_label, include=None, disable=()):
    """Fails with a readable list if axe-core finds WCAG A/AA violations on the page.

    include: a CSS selector to check only part of the page (e.g. an htmx partial).
    disable: rule ids to skip; say why in the test.
    """
    violations = axe_violations(page, include=include, disable=disable)
    if violations:
        pytest.fail(
            f"accessibility violations on {context_label} ({page.url}):\n"
            + format_violations(violations),
            pytrace=False,
        )


@pytest.fixture(name="assert_no_axe_violations")
def _assert_no_axe_violations_fixture():
    """The same check as a fixture, so tests need not import from a conftest."""
    return assert_no_axe_violations
