"""Small helpers shared by the blueprints: rendering, access checks, menus."""
import functools

from flask import abort, g, make_response, redirect, render_template, request, session, url_for

from . import content, signals, vocabulary
from .dates import day_words
from .db import one
from .forms import ConfirmForm
from .i18n import _l


def htmx_request():
    """(is an htmx request, is boosted navigation): the one place that reads htmx's
    request headers."""
    return request.headers.get("HX-Request") == "true", request.headers.get("HX-Boosted") == "true"


def wants_partial():
    """A partial for htmx requests that target part of a page; boosted navigation
    gets the whole page."""
    is_htmx, boosted = htmx_request()
    return is_htmx and not boosted


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


def own_history_entry(table, circle_id, entry_id):
    """An entry of a circle's level or medication history that the signed-in caregiver
    recorded (only they can take it back): 404 outside the circle, 403 for another's,
    400 without the form's token."""
    entry = one(f"SELECT * FROM {table} WHERE id = ? AND circle_id = ?", [entry_id, circle_id])
    if entry is None:
        abort(404)
    if entry["recorded_by"] != g.user["id"]:
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return entry


def owner_required(view):
    @functools.wraps(view)
    def wrapped(circle_id, *args, **kwargs):
        if g.circle["role"] != "owner":
            abort(403)
        return view(circle_id, *args, **kwargs)
    return wrapped


def tel(number):
    """A phone number as a tel: link target: digits and a leading plus only."""
    number = str(number or "")
    return ("+" if number.startswith("+") else "") + "".join(ch for ch in number if ch.isdigit())


# A circle's menus, in their order: the tab bar (after Home and Check in) and the
# "More" page.
CIRCLE_TABS = (
    {"endpoint": "checklists.index", "label": _l("Checklists")},
)
MORE_LINKS = (
    {"endpoint": "levels.continuum", "label": _l("Levels of care, explained")},
    {"endpoint": "levels.level", "label": _l("Level of care: record a change, see the history")},
    {"endpoint": "medication.record", "label": _l("Medication: record a change, see the history")},
    {"endpoint": "summary.summary", "label": _l("Summary for the care team")},
    {"endpoint": "share.share_links", "label": _l("Share links")},
    {"endpoint": "transfer.import_checkins", "label": _l("Export / import")},
)


def template_globals():
    return {"content": content, "signals": signals, "vocabulary": vocabulary, "nice_date": day_words,
            "circle_tabs": CIRCLE_TABS, "more_links": MORE_LINKS}
