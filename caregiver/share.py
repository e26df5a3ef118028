"""Share links: a read-only, expiring, revocable summary for the care team.

/c/<id>/share makes, lists and withdraws links; /share/<token> opens one without an
account. Only the SHA-256 of a token is stored; the link is shown once (sealed in
the session with a key the database does not hold, see sealing.py).
"""
import re
import secrets
from datetime import datetime, timedelta, timezone

from flask import Blueprint, abort, g, make_response, redirect, render_template, request, session, url_for

from . import audit, throttle
from .assessment import build_brief
from .dates import local_time
from .db import get_db, now_utc, one, write
from .forms import ConfirmForm, ShareLinkForm
from .i18n import _l, languages, set_language
from .sealing import seal, unseal
from .sessions import token_hash
from .summary import build_summary, window
from .views import circle_member_required, render

bp = Blueprint("share", __name__)

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}\Z")  # secrets.token_urlsafe(32)
SHARE_FAILURES_FORGOTTEN = timedelta(hours=24)  # wrong share tokens from one address
GONE = {  # what a share link that does not open says: never any data
    "locked": (_l("Too many tries"), _l("Too many links that do not work were opened from this address. "
                                        "Please wait a little and try again.")),
    "gone": (_l("This link is no longer available"), _l("This share link has expired or the family withdrew "
                                                        "it. Ask them for a new link if you still need the summary.")),
    "unknown": (_l("This link does not work"), _l("This share link is not valid. Check that the whole link "
                                                  "was copied, or ask the family for a new one.")),
}
SHARE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def _link_status(link, now):
    if link["revoked_at"]:
        return "revoked"
    if link["expires_at"] <= now:
        return "expired"
    return "active"


@bp.route("/c/<int:circle_id>/share", methods=["GET", "POST"])
@circle_member_required
def share_links(circle_id):
    form = ShareLinkForm()
    if form.validate_on_submit():
        token = secrets.token_urlsafe(32)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        db = get_db()
        with write(db):
            link_id = db.table("share_links").insert({
                "circle_id": circle_id, "token_hash": token_hash(token), "label": form.label.data,
                "created_by": g.user["id"], "created_at": now.isoformat(),
                "expires_at": (now + timedelta(days=int(form.expires_days.data))).isoformat(),
                "revoked_at": None, "revoked_by": None,
                "include_notes": int(bool(form.include_notes.data)), "days": int(form.days.data),
                "include_brief": int(bool(form.include_brief.data)), "language": form.language.data,
                "open_count": 0, "last_opened_at": None}).last_pk
            audit.log(db, "share_link.created", g.user["id"], circle_id, link=link_id,
                      days=int(form.days.data), notes=bool(form.include_notes.data),
                      brief=bool(form.include_brief.data), language=form.language.data,
                      expires_days=int(form.expires_days.data))
        # Shown once on the next page: kept server-side in the session (sealed), never in a URL.
        session["new_share_link"] = {"id": link_id, "sealed": seal(token, "share-link")}
        return redirect(url_for("share.share_links", circle_id=circle_id))
    new_link = None
    pending = session.pop("new_share_link", None) if request.method == "GET" else None
    if isinstance(pending, dict):
        token = unseal(pending.get("sealed"), "share-link")
        row = one("SELECT label FROM share_links WHERE id = ? AND circle_id = ?",
                  [pending.get("id"), circle_id])
        if token and row:
            new_link = {"url": url_for("share.shared", token=token, _external=True), "label": row["label"]}
    now = now_utc()
    links = []
    for link in get_db().query(
            "SELECT s.*, u.display_name AS created_by_name, r.display_name AS revoked_by_name"
            " FROM share_links s LEFT JOIN users u ON u.id = s.created_by"
            " LEFT JOIN users r ON r.id = s.revoked_by WHERE s.circle_id = ?"
            " ORDER BY s.created_at DESC, s.id DESC", [circle_id]):
        status = _link_status(link, now)
        links.append({**link, "status": status,
                      "created": local_time(link["created_at"], g.circle),
                      "expires": local_time(link["expires_at"], g.circle),
                      "revoked": local_time(link["revoked_at"], g.circle) if link["revoked_at"] else None,
                      "last_opened": local_time(link["last_opened_at"], g.circle) if link["last_opened_at"] else None})
    return render("share/share_links.html", form=form, links=links, new_link=new_link,
                  confirm=ConfirmForm(), status=400 if form.errors else 200)


@bp.route("/c/<int:circle_id>/share/<int:link_id>/revoke", methods=["POST"])
@circle_member_required
def revoke_link(circle_id, link_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_db()
    with write(db):
        link = one("SELECT id, revoked_at FROM share_links WHERE id = ? AND circle_id = ?", [link_id, circle_id])
        if link is None:
            abort(404)
        if not link["revoked_at"]:
            db.execute("UPDATE share_links SET revoked_at = ?, revoked_by = ? WHERE id = ?",
                       [now_utc(), g.user["id"], link_id])
            audit.log(db, "share_link.revoked", g.user["id"], circle_id, link=link_id)
    return redirect(url_for("share.share_links", circle_id=circle_id) + f"#link-{link_id}")


def _share_page(template, status, **context):
    if "reason" in context:
        context["heading"], context["message"] = GONE[context.pop("reason")]
    response = make_response(render_template(template, **context), status)
    response.headers.update(SHARE_HEADERS)  # before the app's after_request, which uses setdefault
    return response


def _find_link(token):
    """The share link of `token`, or None. Only well-formed tokens reach the database.
    The lookup is by the token's SHA-256, so its timing tells nothing about the token:
    a guess and a near miss hash to unrelated values."""
    if not TOKEN_RE.match(token):
        return None
    return one("SELECT * FROM share_links WHERE token_hash = ?", [token_hash(token)])


@bp.route("/share/", defaults={"token": ""})
@bp.route("/share/<path:token>")
def shared(token):
    """The summary for someone on the care team: read-only, no account, nothing else.

    The token is looked up first: a link that exists opens (or answers 410) whatever
    the address did before, so a clinic behind one router is not locked out by a few
    mistyped links. Only failures count, and only they are refused while locked."""
    db = get_db()
    link = _find_link(token)
    if link is None:
        key = throttle.address_key("share")  # the sign-in throttle, with this address's own key
        if throttle.wait(db, [key]):
            return _share_page("share/share_gone.html", 429, reason="locked")
        # A wrong token counts against the address. A valid link never resets the count
        # (one good link must not let someone keep guessing); a day without failures does.
        now = datetime.now(timezone.utc)
        with write(db):
            db.execute("DELETE FROM login_failures WHERE key = ? AND last_failed_at < ?"
                       " AND (locked_until IS NULL OR locked_until < ?)",
                       [key, (now - SHARE_FAILURES_FORGOTTEN).isoformat(), now.isoformat()])
            throttle.fail(db, [key])
        return _share_page("share/share_gone.html", 404, reason="unknown")
    if _link_status(link, now_utc()) != "active":
        return _share_page("share/share_gone.html", 410, reason="gone")
    circle = one("SELECT * FROM circles WHERE id = ?", [link["circle_id"]])
    if circle is None:
        return _share_page("share/share_gone.html", 410, reason="gone")
    if link["language"] in languages():  # made in the care team's language
        set_language(link["language"])
    if request.method == "GET":  # a HEAD request is not someone reading it
        with write(db):
            db.execute("UPDATE share_links SET open_count = open_count + 1, last_opened_at = ? WHERE id = ?",
                       [now_utc(), link["id"]])
            audit.log(db, "share_link.opened", None, link["circle_id"], link=link["id"])  # by someone without an account
    return _share_page("share/share.html", 200,
                       s=build_summary(circle, window(link["days"]), bool(link["include_notes"])),
                       b=build_brief(circle) if link["include_brief"] else None,
                       expires=local_time(link["expires_at"], circle))
