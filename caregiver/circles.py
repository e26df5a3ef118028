"""Circles: create, switch, settings, members and invites; the circle home page."""
import secrets
from datetime import datetime, timedelta, timezone

from flask import Blueprint, abort, current_app, flash, g, redirect, request, session, url_for

from . import audit, plan_records, records
from .dates import circle_today
from .db import get_db, now_utc, one, write
from .forms import RESPONSE_ACTIONS, CircleForm, ConfirmForm, PromptResponseForm
from .i18n import _
from .checkins import urgent_facts
from .records import care_team
from .sealing import seal, unseal
from .sessions import token_hash
from .views import circle_member_required, login_required, owner_required, render

bp = Blueprint("circles", __name__)
RESPONSES_SHOWN_DAYS = 30  # what the family did about prompts, on the home page


@bp.route("/")
def index():
    if g.user is None:
        return render("circles/welcome.html")
    circles = records.my_circles(g.user["id"])
    last = session.get("circle_id")
    if request.args.get("choose") is None:
        # Straight to the circle used last (or the only one): one tap less each day.
        ids = [c["id"] for c in circles]
        if last in ids or len(ids) == 1:
            return redirect(url_for("circles.home", circle_id=last if last in ids else ids[0]))
    return render("circles/index.html", circles=circles)


def _save_care_team(db, circle_id, form):
    records.replace_care_team(db, circle_id, [
        (entry.form.label.data, entry.form.number.data) for entry in form.care_team.entries
        if entry.form.label.data and entry.form.number.data])


@bp.route("/circles/new", methods=["GET", "POST"])
@login_required
def new():
    form = CircleForm()
    if form.validate_on_submit():
        db = get_db()
        now = now_utc()
        with write(db):
            circle_id = db.table("circles").insert({
                "nickname": form.nickname.data,
                "level_of_care": None, "level_since": None, "previous_level": None,  # records.record_start
                "living_situation": form.living_situation.data or None,
                "timezone": form.timezone.data,
                "emergency_number": form.emergency_number.data,
                "created_at": now,
            }).last_pk
            db.table("memberships").insert({"circle_id": circle_id, "user_id": g.user["id"],
                                            "role": "owner", "joined_at": now})
            if form.level_of_care.data:
                records.record_start(db, circle_id, g.user["id"], form.level_of_care.data, form.level_since.data,
                                    previous=form.previous_level.data or None,
                                    previous_note="Given when the circle was made, without its start date.")
            _save_care_team(db, circle_id, form)
        return redirect(url_for("circles.home", circle_id=circle_id))
    return render("circles/new.html", form=form, status=400 if form.errors else 200)


@bp.route("/c/<int:circle_id>/")
@circle_member_required
def home(circle_id):
    return render_home(g.circle)


def render_home(circle, status=200, **extra):
    """The circle home: prompts first, then the step-down readiness and what the family did."""
    result = records.circle_signals(circle)
    today = circle_today(circle)
    logged_today = get_db().execute(
        "SELECT count(*) FROM checkins WHERE circle_id = ? AND date = ?",
        [circle["id"], today.isoformat()]).fetchone()[0]
    # A circle with no check-in at all is new, not neglected: "no check-ins for 3 days"
    # would list days before it existed.
    first_time = not logged_today and get_db().execute(
        "SELECT 1 FROM checkins WHERE circle_id = ? LIMIT 1", [circle["id"]]).fetchone() is None
    responses = records.responses_between(circle["id"], today - timedelta(days=RESPONSES_SHOWN_DAYS), today)
    numbers = care_team(circle["id"])
    # The plan shows on the home page while a sign calls for more structure or help now.
    worried = any(p["level"] in ("urgent", "more-structure") for p in result["prompts"])
    return render("circles/home.html", status=status, result=result, prompts=result["prompts"],
                  step_down=result["step_down"], today=today, logged_today=logged_today,
                  responses=responses, actions=dict(RESPONSE_ACTIONS),
                  response_form=extra.get("response_form") or PromptResponseForm(),
                  response_rule=extra.get("response_rule"),
                  care_team_numbers=numbers,  # in the urgent card, beside the emergency number
                  urgent_facts=urgent_facts(circle, result["prompts"]),  # the urgent card's first line
                  # Until a care-team number is saved, the home page asks for one (dismissable
                  # for this session).
                  ask_numbers=not numbers and circle["id"] not in session.get(NUMBERS_DISMISSED, []),
                  dismiss_form=ConfirmForm(),
                  medication=records.medication_now(circle["id"]),  # next injection
                  plan=plan_records.plan(circle["id"]) if worried else None, show_plan=worried,
                  naloxone_soon=plan_records.naloxone_expiring(circle["id"], today),
                  first_time=first_time)


NUMBERS_DISMISSED = "care_team_prompt_dismissed"  # circle ids, in the session


@bp.route("/c/<int:circle_id>/care-team-prompt/dismiss", methods=["POST"])
@circle_member_required
def dismiss_numbers_prompt(circle_id):
    """"Not now" on the home page's ask for the care team's numbers: hidden until the
    next sign-in."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    dismissed = [c for c in session.get(NUMBERS_DISMISSED, []) if c != circle_id]
    session[NUMBERS_DISMISSED] = dismissed + [circle_id]
    return redirect(url_for("circles.home", circle_id=circle_id))


@bp.route("/c/<int:circle_id>/more")
@circle_member_required
def more(circle_id):
    return render("circles/more.html")


@bp.route("/c/<int:circle_id>/settings", methods=["GET", "POST"])
@circle_member_required
def settings(circle_id):
    circle = g.circle
    form = CircleForm(data={
        "nickname": circle["nickname"], "living_situation": circle["living_situation"] or "",
        "timezone": circle["timezone"], "emergency_number": circle["emergency_number"],
        "care_team": care_team(circle_id),
    } if request.method == "GET" else None)
    # The level of care changes through its own page, with its history.
    del form.level_of_care, form.level_since, form.previous_level
    if form.validate_on_submit():
        db = get_db()
        before = care_team(circle_id)
        with write(db):
            db.execute(
                "UPDATE circles SET nickname = ?, living_situation = ?, timezone = ?, emergency_number = ?"
                " WHERE id = ?",
                [form.nickname.data, form.living_situation.data or None, form.timezone.data,
                 form.emergency_number.data, circle_id])
            _save_care_team(db, circle_id, form)
            # Every member's emergency page (and its offline copy) shows these numbers:
            # who changed them, and from what, stays on record.
            changed = {name: circle[name] for name in ("nickname", "living_situation", "timezone",
                                                        "emergency_number")
                       if (circle[name] or "") != (getattr(form, name).data or "")}
            if care_team(circle_id) != before:
                changed["care_team"] = [f"{n['label']}: {n['number']}" for n in before]
            if changed:
                audit.log(db, "circle.settings_changed", g.user["id"], circle_id, before=changed)
        return redirect(url_for("circles.home", circle_id=circle_id))
    return render("circles/settings.html", form=form, status=400 if form.errors else 200)


@bp.route("/c/<int:circle_id>/members")
@circle_member_required
def members(circle_id):
    rows = list(get_db().query(
        "SELECT u.id, u.display_name, u.username, m.role, m.joined_at FROM memberships m"
        " JOIN users u ON u.id = m.user_id WHERE m.circle_id = ? ORDER BY m.joined_at, m.user_id", [circle_id]))
    invites = list(get_db().query(
        "SELECT i.id, i.created_at, i.expires_at, u.display_name AS created_by FROM invites i"
        " LEFT JOIN users u ON u.id = i.created_by"
        " WHERE i.circle_id = ? AND i.used_at IS NULL AND i.expires_at > ? ORDER BY i.created_at DESC",
        [circle_id, now_utc()]))
    return render("circles/members.html", members=rows, invites=invites, form=ConfirmForm(),
                  new_link=_revealed_invite())


def _revealed_invite():
    token = unseal(session.pop("new_invite", None), "invite") if "new_invite" in session else None
    return url_for("circles.accept_invite", token=token, _external=True) if token else None


@bp.route("/c/<int:circle_id>/invites", methods=["POST"])
@circle_member_required
def invite(circle_id):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    token = secrets.token_urlsafe(32)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    db = get_db()
    with write(db):
        invite_id = db.table("invites").insert({
            "circle_id": circle_id, "token_hash": token_hash(token), "created_by": g.user["id"],
            "created_at": now.isoformat(),
            "expires_at": (now + timedelta(days=current_app.config["INVITE_DAYS"])).isoformat()}).last_pk
        audit.log(db, "invite.created", g.user["id"], circle_id, invite=invite_id)
    # Shown once on the next page: sealed in the session, never in a URL or in clear.
    session["new_invite"] = seal(token, "invite")
    return redirect(url_for("circles.members", circle_id=circle_id))


@bp.route("/c/<int:circle_id>/invites/<int:invite_id>/cancel", methods=["POST"])
@circle_member_required
def cancel_invite(circle_id, invite_id):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_db()
    with write(db):
        if db.execute("DELETE FROM invites WHERE id = ? AND circle_id = ?", [invite_id, circle_id]).rowcount:
            audit.log(db, "invite.cancelled", g.user["id"], circle_id, invite=invite_id)
    return redirect(url_for("circles.members", circle_id=circle_id))


def _member(circle_id, user_id):
    if user_id == g.user["id"]:
        abort(400)  # an owner does not remove themselves; the circle needs an owner
    member = one("SELECT u.id, u.display_name FROM memberships m JOIN users u ON u.id = m.user_id"
                 " WHERE m.circle_id = ? AND m.user_id = ?", [circle_id, user_id])
    if member is None:
        abort(404)
    return member


@bp.route("/c/<int:circle_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
@circle_member_required
@owner_required
def remove_member(circle_id, user_id):
    """Removing someone closes every door they opened, in one transaction: their share
    links and their unused invites; every circle page checks the membership on each
    request, so their sessions lose the circle at once. GET shows what will close."""
    member = _member(circle_id, user_id)
    if request.method == "POST":
        return _remove(circle_id, member, keep_links=False)
    now = now_utc()
    links = list(get_db().query(
        "SELECT label, expires_at FROM share_links WHERE circle_id = ? AND created_by = ? AND revoked_at IS NULL"
        " AND expires_at > ? ORDER BY created_at", [circle_id, user_id, now]))
    invites = get_db().execute("SELECT count(*) FROM invites WHERE circle_id = ? AND created_by = ?"
                               " AND used_at IS NULL", [circle_id, user_id]).fetchone()[0]
    return render("circles/remove.html", member=member, links=links, invites=invites, form=ConfirmForm())


@bp.route("/c/<int:circle_id>/members/<int:user_id>/remove-keeping-links", methods=["POST"])
@circle_member_required
@owner_required
def remove_member_keeping_links(circle_id, user_id):
    """The same, but the share links they made keep working (the owner chose it: the
    care team may be using one)."""
    return _remove(circle_id, _member(circle_id, user_id), keep_links=True)


def _remove(circle_id, member, keep_links):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_db()
    with write(db):
        # Re-checked in the write: two owners removing each other at once leave one.
        if not one("SELECT 1 FROM memberships WHERE circle_id = ? AND user_id = ? AND role = 'owner'",
                   [circle_id, g.user["id"]]):
            abort(403)
        links, invites = records.close_doors(db, circle_id, member["id"], "removed", keep_links=keep_links)
        db.execute("DELETE FROM memberships WHERE circle_id = ? AND user_id = ?", [circle_id, member["id"]])
        audit.log(db, "member.removed", g.user["id"], circle_id, member=member["id"],
                  **({"links_kept": True} if keep_links else {}))
    flash(_("%(name)s is no longer in this circle. Share links withdrawn: %(links)d. Invites cancelled: "
            "%(invites)d.", name=member["display_name"], links=links, invites=invites))
    return redirect(url_for("circles.members", circle_id=circle_id))


def _usable_invite(token):
    if not token or len(token) > 100:
        return None, _("This invite link is not valid.")
    row = one("SELECT i.*, c.nickname FROM invites i JOIN circles c ON c.id = i.circle_id"
              " WHERE i.token_hash = ?", [token_hash(token)])
    if row is None:
        return None, _("This invite link is not valid. Ask for a new one.")
    if row["used_at"]:
        return None, _("This invite link has already been used. Ask for a new one.")
    if row["expires_at"] <= now_utc():
        return None, _("This invite link has expired. Ask for a new one.")
    return row, None


@bp.route("/c/<int:circle_id>/leave", methods=["POST"])
@circle_member_required
def leave(circle_id):
    """A caregiver leaves a circle. The only owner hands it to whoever has been in it
    longest; the last one in deletes it instead (account.delete_circle)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_db()
    with write(db):
        others = list(db.query("SELECT user_id, role FROM memberships WHERE circle_id = ? AND user_id != ?"
                               " ORDER BY joined_at, user_id", [circle_id, g.user["id"]]))
        if not others:
            return redirect(url_for("account.delete_circle", circle_id=circle_id))
        if g.circle["role"] == "owner" and not any(o["role"] == "owner" for o in others):
            records.hand_over(db, circle_id, others[0]["user_id"], g.user["id"], "the only owner left the circle")
        records.close_doors(db, circle_id, g.user["id"], "left")
        db.execute("DELETE FROM memberships WHERE circle_id = ? AND user_id = ?", [circle_id, g.user["id"]])
        audit.log(db, "member.left", g.user["id"], circle_id)
    session.pop("circle_id", None)
    return redirect(url_for("circles.index", choose=1))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token):
    invite_row, problem = _usable_invite(token)
    if problem:
        return render("circles/invite.html", problem=problem, status=410 if invite_row is None else 400)
    if g.user is None:
        return render("circles/invite.html", invite=invite_row, next=request.path)
    if one("SELECT 1 FROM memberships WHERE circle_id = ? AND user_id = ?", [invite_row["circle_id"], g.user["id"]]):
        # Already in (the owner checking the link they made): the link stays for its person.
        return render("circles/invite.html", invite=invite_row, already=True)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        db = get_db()
        with write(db):
            # Re-checked inside the write lock: two people cannot use one link, and one
            # cancelled or expired meanwhile is refused.
            now = now_utc()
            if db.execute("UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL"
                          " AND expires_at > ?", [now, g.user["id"], invite_row["id"], now]).rowcount != 1:
                abort(410)
            db.execute("INSERT OR IGNORE INTO memberships (circle_id, user_id, role, joined_at)"
                       " VALUES (?, ?, 'member', ?)", [invite_row["circle_id"], g.user["id"], now_utc()])
            audit.log(db, "invite.used", g.user["id"], invite_row["circle_id"], invite=invite_row["id"])
        return redirect(url_for("circles.home", circle_id=invite_row["circle_id"]))
    return render("circles/invite.html", invite=invite_row, form=form)
