"""The application factory: configuration, database, blueprints, headers, errors."""
import os
from pathlib import Path

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import (account, assessment, auth, checkins, checklists, circles, cli, compress, config, db, i18n,
               language, levels, medication, notifications, notify_cli, pages, plan, prompts, push, pwa, share,
               summary, transfer)
from .i18n import _, _l
from .sessions import DbSessionInterface
from .views import template_globals, tel, wants_json

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()

# No inline script, no eval, nothing from another origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class IdConverter(IntegerConverter):
    """<int:...> in URLs: SQLite integers stop at 2**63-1, so a bigger id is a 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(test_config=None):
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(config.DEFAULTS)
    app.config.update(
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_HEADERS=["X-CSRFToken"],
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        SEND_FILE_MAX_AGE_DEFAULT=60 * 60 * 24 * 365,  # static names carry a version
    )
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    for name, value in config.host_settings(app.config["BASE_URL"]).items():
        if name not in (test_config or {}):  # a test may name its own hosts
            app.config[name] = value
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("DATABASE"):
        app.config["DATABASE"] = os.path.join(app.instance_path, "caregiver.db")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)
    if not app.config.get("VAPID_PRIVATE_KEY"):  # signs alerts (caregiver/push.py)
        app.config["VAPID_PRIVATE_KEY"] = config.instance_secret(app.instance_path, "vapid_private_key",
                                                                 push.new_private_key)
    if app.config["TRUST_PROXY"]:
        n = app.config["TRUST_PROXY"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    app.url_map.converters["int"] = IdConverter
    # A token with a "/" in it (/reset/%2F0) is no page, not a redirect to another.
    app.url_map.merge_slashes = False
    db.init_app(app)
    # On start, as `flask db upgrade` does (which then reports what this start applied).
    app.extensions["migrations_applied_at_start"] = db.upgrade(app.config["DATABASE"])
    app.session_interface = DbSessionInterface()

    for blueprint in (auth.bp, circles.bp, checkins.bp, pages.bp, prompts.bp,
                      pwa.bp,  # /sw.js, /offline, /outbox, /csrf, static_url()
                      checklists.bp, levels.bp, summary.bp, share.bp, transfer.bp,
                      medication.bp,  # the medication record and its history
                      assessment.bp, plan.bp,  # prepare for an assessment; the plan if things get worse
                      language.bp,  # choose English or Español
                      account.bp,  # account page, recovery, reset links, deletions
                      notifications.bp):  # notifications on this phone, alert choices
        app.register_blueprint(blueprint)
    app.cli.add_command(cli.user_cli)  # flask user reset-password USERNAME
    app.cli.add_command(notify_cli.notify_cli)  # flask notify send | worker
    app.jinja_env.globals.update(template_globals())
    app.jinja_env.filters["tel"] = tel
    app.before_request(auth.load_user)
    i18n.init_app(app)  # the page's language: after the user, whose choice comes first
    # The CSRF check runs after both, so its error page knows the reader and their language.
    csrf.init_app(app)
    app.after_request(security_headers)
    compress.init_app(app)  # static files, session-less pages, and pages asked for from this site
    register_errors(app)
    return app


# Headers that only a document (a page, an SVG opened as one) acts on. A script, a style
# sheet or a PNG is never one, so they go without: each static file is smaller, and a
# phone's first visit loads seven of them.
DOCUMENT_ONLY = ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Cross-Origin-Opener-Policy")


def _never_a_document(response):
    return request.endpoint == "static" and response.mimetype != "image/svg+xml"


def security_headers(response):
    h = response.headers
    if _never_a_document(response):
        for name in ("Content-Disposition", "Expires"):  # inline anyway; Cache-Control says how long
            h.pop(name, None)
    else:
        h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin: flask-wtf's HTTPS referrer check needs it. A URL with a secret in
    # it (share, invite and reset links) sends no Referer at all.
    h.setdefault("Referrer-Policy", "no-referrer" if "token" in (request.view_args or {}) else "same-origin")
    if not _never_a_document(response):
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if response.mimetype == "text/html" and "Cache-Control" not in h:
        # Pages may show health data: never stored by the browser or a proxy.
        h["Cache-Control"] = "no-store"
    return response


def register_errors(app):
    def page(code, title, message):
        def handler(error):
            return render_template("error.html", code=code, title=title, message=message), code
        return handler

    app.register_error_handler(400, page(400, _l("Something in that request was not right"),
                                         _l("Please go back and try again.")))

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # No page: without a trusted host no link can be built, and none should be.
        return _("This address does not serve the app.") + "\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
    app.register_error_handler(403, page(403, _l("Not allowed"), _l("You don't have access to this page.")))
    app.register_error_handler(404, page(404, _l("Page not found"),
                                         _l("This page does not exist, or you don't have access to it.")))
    app.register_error_handler(405, page(405, _l("Not allowed"), _l("That action is not available here.")))
    app.register_error_handler(410, page(410, _l("No longer available"),
                                         _l("This link has expired or was withdrawn.")))
    app.register_error_handler(413, page(413, _l("Too large"), _l("That was more than this app accepts.")))
    app.register_error_handler(429, page(429, _l("Too many tries"), _l("Please wait a little and try again.")))
    app.register_error_handler(500, page(500, _l("Something went wrong on our side"),
                                         _l("Nothing you entered was half-saved. Please try again.")))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():  # the offline outbox fetches a fresh token and tries once more
            return {"error": "csrf"}, 400
        return render_template(
            "error.html", code=400, title=_("This form expired"),
            message=_("For your safety, forms expire. Please reload the page and send it again."),
        ), 400
