"""Small helpers shared by the blueprints: rendering, access checks, dates."""
import functools
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import abort, g, make_response, redirect, render_template, request, session, url_for

from .db import get_db


def one(sql, params=()):
    """The first row of a query as a dict, or None."""
    return next(get_db().query(sql, params), None)


def wants_partial():
    """The one place that reads htmx headers: a partial for htmx requests that
    target part of a page; boosted navigation gets the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def wants_json():
    """Scripts (the offline outbox) ask for JSON; browsers get HTML."""
    return request.accept_mimetypes.best == "application/json"


def render(template, partial=None, status=200, **context):
    """Render the whole page, or only its partial for an htmx request."""
    name = partial if (partial and wants_partial()) else template
    response = make_response(render_template(name, **context), status)
    response.vary.add("HX-Request")
    return response


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            if wants_json():  # the offline outbox: keep the entry, ask to sign in
                return {"error": "signed-out", "sign_in": url_for("auth.sign_in")}, 401
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def circle_member_required(view):
    """Loads g.circle and g.membership for <circle_id>; 404 for non-members, so a
    circle's existence is not revealed to people outside it."""
    @functools.wraps(view)
    @login_required
    def wrapped(circle_id, *args, **kwargs):
        g.circle = one(
            "SELECT c.*, m.role FROM circles c JOIN memberships m ON m.circle_id = c.id"
            " WHERE c.id = ? AND m.user_id = ?",
            [circle_id, g.user["id"]],
        )
        if g.circle is None:
            abort(404)
        if session.get("circle_id") != circle_id:  # (a write only when it changes)
            session["circle_id"] = circle_id  # "/" opens the circle used last
        return view(circle_id, *args, **kwargs)
    return wrapped


def owner_required(view):
    @functools.wraps(view)
    def wrapped(circle_id, *args, **kwargs):
        if g.circle["role"] != "owner":
            abort(403)
        return view(circle_id, *args, **kwargs)
    return wrapped


def circle_today(circle):
    """The observed day is a local date in the circle's time zone."""
    return datetime.now(timezone.utc).astimezone(ZoneInfo(circle["timezone"])).date()


def nice_date(value):
    """'Fri 20 Nov' for dates, in a format that reads well on a phone."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value:%a} {value.day} {value:%b}"


def tel(number):
    """A phone number as a tel: link target: digits and a leading plus only."""
    number = str(number or "")
    return ("+" if number.startswith("+") else "") + "".join(ch for ch in number if ch.isdigit())


# Circle pages that later areas add to the tab bar and to the "More" page.
CIRCLE_TABS = []
MORE_LINKS = []


def template_globals():
    from . import content, signals
    return {"content": content, "signals": signals, "nice_date": nice_date,
            "circle_tabs": CIRCLE_TABS, "more_links": MORE_LINKS}
