"""The account page and what it offers, reset links from owners, and deletions.

/account: display name, password change (ends the other sessions), sign out
everywhere, recovery codes, two-step sign-in (TOTP), recent sign-ins, delete account.
/c/<id>/members/<user>/reset-link: an owner makes a 15-minute reset link for a member.
/c/<id>/delete: an owner deletes a circle with everything in it.

Deleted means gone: rows are deleted (the foreign keys cascade; check-ins a deleted
caregiver wrote in a circle that remains keep their content with no author, shown as
"a former member"), with SQLite's secure_delete on so the freed pages are zeroed.
"""
import json
import secrets
import sqlite3
from datetime import datetime, timedelta, timezone

import pyotp
import segno
from flask import Blueprint, abort, flash, g, redirect, request, session, url_for
from markupsafe import Markup

from . import audit, auth, credentials, throttle
from .account_forms import (ChangePasswordForm, DeleteCircleForm, DisplayNameForm, PasswordConfirmForm,
                            TwoStepOffForm, TwoStepSetupForm)
from .db import get_db, one, write
from .forms import ConfirmForm
from .i18n import _
from .records import close_doors, hand_over, my_circles
from .sealing import seal, unseal
from .sessions import end_user_sessions, token_hash
from .views import circle_member_required, login_required, owner_required, render

bp = Blueprint("account", __name__)
ISSUER = "Caregiver"


# --- Helpers ------------------------------------------------------------------------

def _user():
    return one("SELECT id, username, display_name, password_hash, totp_secret FROM users WHERE id = ?",
               [g.user["id"]])


def _check_password(field, label=None):
    """Checks the signed-in user's password typed in `field`, throttled like sign-in.
    Returns None when right, else the status to answer (400, or 429 while locked),
    with the error added to the field. `label` names the field (default "Your password")."""
    label = label or _("Your password")
    db = get_db()
    keys = throttle.sign_in_keys(g.user["username"])
    wait = throttle.reserve(db, keys)  # counted as a failure until it proves right
    if wait:
        field.errors.append(throttle.too_many_tries(wait, field=label))
        return 429
    if credentials.verify_password(_user()["password_hash"], field.data):
        with write(db):
            throttle.forgive(db, keys)
        return None
    field.errors.append(_("%(field)s: this is not your current password.", field=label))
    return 400


def _other_forms(**given):
    """The account page's forms; those not submitted are blank (formdata=None)."""
    forms = {
        "name_form": DisplayNameForm(formdata=None, data={"display_name": g.user["display_name"]}),
        "password_form": ChangePasswordForm(formdata=None),
        "codes_form": PasswordConfirmForm(formdata=None),
        "off_form": TwoStepOffForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
    }
    forms.update(given)
    return forms


def _page(status=200, **given):
    db = get_db()
    uid = g.user["id"]
    user = _user()
    return render(
        "account/index.html", status=status,
        user=user, two_step=bool(user["totp_secret"]),
        codes_left=credentials.unused_recovery_codes(db, uid),
        sessions=db.execute("SELECT count(*) FROM sessions WHERE user_id = ?", [uid]).fetchone()[0],
        sign_ins=audit.recent_sign_ins(db, uid),
        circles=my_circles(g.user["id"]),
        **_other_forms(**given),
    )


# --- The account page ---------------------------------------------------------------

@bp.route("/account")
@login_required
def index():
    return _page()


def _back_to_account(anchor):
    """A GET of a form's address (a reload after an error was shown there): the page."""
    return redirect(url_for("account.index", _anchor=anchor))


@bp.route("/account/name", methods=["GET", "POST"])
@login_required
def change_name():
    if request.method == "GET":
        return _back_to_account("name")
    form = DisplayNameForm()
    if not form.validate_on_submit():
        return _page(400, name_form=form)
    db = get_db()
    with write(db):
        db.execute("UPDATE users SET display_name = ? WHERE id = ?", [form.display_name.data, g.user["id"]])
        audit.log(db, "display_name.changed", g.user["id"])
    flash(_("Your name was changed."))
    return redirect(url_for("account.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    if request.method == "GET":
        return _back_to_account("change-password")
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _page(400, password_form=form)
    status = _check_password(form.current_password, _("Current password"))
    if status:
        return _page(status, password_form=form)
    if form.new_password.data == form.current_password.data:
        form.new_password.errors.append(_("New password: it is the same as the current one."))
        return _page(400, password_form=form)
    db = get_db()
    new_hash = credentials.hasher.hash(form.new_password.data)
    with write(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [new_hash, g.user["id"]])
        end_user_sessions(db, g.user["id"], keep_sid=session.sid)  # every other phone signs in again
        audit.log(db, "password.changed", g.user["id"])
    session.rotate = True  # and this one gets a new session id
    flash(_("Your password was changed. You were signed out on your other devices."))
    return redirect(url_for("account.index"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_db()
    with write(db):
        end_user_sessions(db, g.user["id"])  # this one included
        audit.log(db, "sign_out.everywhere", g.user["id"])
    session.ended = True
    return auth.signed_out_response()


# --- Recovery codes -----------------------------------------------------------------

@bp.route("/account/recovery-codes/new")
@login_required
def new_recovery_codes():
    """The codes just made, shown once (after sign-up, or after making new ones)."""
    codes = credentials.unseal_codes(session.pop("new_recovery_codes", None)) if "new_recovery_codes" in session else None
    return render("account/recovery_codes.html", codes=codes,
                  next=auth.safe_next(request.args.get("next") or url_for("account.index")))


@bp.route("/account/recovery-codes", methods=["GET", "POST"])
@login_required
def regenerate_recovery_codes():
    if request.method == "GET":
        return _back_to_account("recovery-codes")
    form = PasswordConfirmForm()
    if not form.validate_on_submit():
        return _page(400, codes_form=form)
    status = _check_password(form.password)
    if status:
        return _page(status, codes_form=form)
    db = get_db()
    with write(db):
        codes = credentials.new_recovery_codes(db, g.user["id"])
    session["new_recovery_codes"] = credentials.seal_codes(codes)
    return redirect(url_for("account.new_recovery_codes", next=url_for("account.index")))


# --- Two-step sign-in ---------------------------------------------------------------

def _grouped(secret):
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
def two_step():
    user = _user()
    if user["totp_secret"]:
        return redirect(url_for("account.index", _anchor="two-step"))
    # The secret being set up waits in the session, sealed, until a code confirms it.
    secret = unseal(session.get("totp_pending") or "", "totp-pending")
    if not secret:
        secret = pyotp.random_base32()
        session["totp_pending"] = seal(secret, "totp-pending")
    form = TwoStepSetupForm()
    status = 200
    if form.validate_on_submit():
        status = _check_password(form.password)
        step = credentials.totp_step(secret, form.code.data) if not status else None
        if not status and step is None:
            form.code.errors.append(_("Code: this code is not right. Check the key in your app "
                                      "and enter the newest code."))
            status = 400
        if not status:
            db = get_db()
            with write(db):
                db.execute("UPDATE users SET totp_secret = ?, totp_last_step = ? WHERE id = ?",
                           [credentials.seal_totp(secret), step, user["id"]])
                audit.log(db, "two_step.enabled", user["id"])
            session.pop("totp_pending", None)
            flash(_("Two-step sign-in is on. Keep your recovery codes somewhere safe: "
                    "they work if you lose your phone."))
            return redirect(url_for("account.index"))
    elif form.errors:
        status = 400
    uri = pyotp.TOTP(secret).provisioning_uri(name=user["username"], issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000000", light="#ffffff",
                                               omitsize=False, title=_("QR code of the key"))
    return render("account/two_step.html", form=form, secret=_grouped(secret), uri=uri, qr=Markup(qr),
                  status=status)


@bp.route("/account/two-step/off", methods=["GET", "POST"])
@login_required
def two_step_off():
    if request.method == "GET":
        return _back_to_account("two-step")
    form = TwoStepOffForm()
    if not form.validate_on_submit():
        return _page(400, off_form=form)
    if not credentials.has_two_step(g.user["id"]):
        return redirect(url_for("account.index"))
    status = _check_password(form.off_password)
    if status:
        return _page(status, off_form=form)
    db = get_db()
    keys = throttle.sign_in_keys(g.user["username"])
    with write(db):
        seconds = throttle.wait(db, keys)  # read in the write that counts
        if seconds:
            form.off_code.errors.append(throttle.too_many_tries(seconds, field=_("Code")))
            return _page(429, off_form=form)
        method = credentials.second_factor(db, g.user["id"], form.off_code.data, purpose="two-step-off")
        if method:
            db.execute("UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE id = ?", [g.user["id"]])
            audit.log(db, "two_step.disabled", g.user["id"], via=method)
        else:
            throttle.fail(db, keys)
    if not method:
        form.off_code.errors.append(_("Code: this code is not right, or it was already used."))
        return _page(400, off_form=form)
    flash(_("Two-step sign-in is off."))
    return redirect(url_for("account.index"))


# --- Password reset links made by a circle owner ------------------------------------

def _member(circle_id, user_id):
    return one("SELECT u.id, u.display_name, u.username FROM memberships m JOIN users u ON u.id = m.user_id"
               " WHERE m.circle_id = ? AND m.user_id = ?", [circle_id, user_id])


def may_reset(owner_id, member_id):
    """An owner may make a reset link for a member only if they own every circle the
    member is in: the new password opens the whole account, and an owner of one circle
    must not get into another circle through it."""
    return one("SELECT 1 FROM memberships m WHERE m.user_id = ? AND NOT EXISTS ("
               " SELECT 1 FROM memberships o WHERE o.circle_id = m.circle_id AND o.user_id = ?"
               " AND o.role = 'owner') LIMIT 1", [member_id, owner_id]) is None


@bp.route("/c/<int:circle_id>/members/<int:user_id>/reset-link", methods=["GET", "POST"])
@circle_member_required
@owner_required
def reset_link(circle_id, user_id):
    member = _member(circle_id, user_id)
    if member is None or user_id == g.user["id"]:
        abort(404)
    if not may_reset(g.user["id"], user_id):
        return render("account/reset_link.html", member=member, link=None, form=ConfirmForm(),
                      minutes=auth.RESET_LINK_MINUTES, elsewhere=True, status=403)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        token = secrets.token_urlsafe(32)  # 256 bits
        now = datetime.now(timezone.utc).replace(microsecond=0)
        db = get_db()
        with write(db):
            # One live link per person: a new one replaces any unused one.
            db.execute("DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL", [user_id])
            db.execute(
                "INSERT INTO password_resets (token_hash, user_id, circle_id, created_by, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [token_hash(token), user_id, circle_id, g.user["id"], now.isoformat(),
                 (now + timedelta(minutes=auth.RESET_LINK_MINUTES)).isoformat()])
            audit.log(db, "reset_link.created", g.user["id"], circle_id, member=user_id)
        # Shown once on the next page: sealed in the session, never stored in clear.
        session["new_reset_link"] = seal(json.dumps({"user_id": user_id, "t": token}), "reset-link")
        return redirect(url_for("account.reset_link", circle_id=circle_id, user_id=user_id))
    link = None
    revealed = unseal(session.pop("new_reset_link", ""), "reset-link") if "new_reset_link" in session else None
    if revealed:
        data = json.loads(revealed)
        if data.get("user_id") == user_id:
            link = url_for("auth.reset_with_link", token=data["t"], _external=True)
    return render("account/reset_link.html", member=member, link=link, form=ConfirmForm(),
                  minutes=auth.RESET_LINK_MINUTES)


# --- Deleting a circle --------------------------------------------------------------

def delete_circle_rows(db, circle_id):
    """Deletes a circle and, through ON DELETE CASCADE, everything in it. Inside a write."""
    # Sessions remember the circle used last (for the emergency page): forget it. Only
    # its members' sessions can hold it, found through an index before they go.
    db.execute("UPDATE sessions SET data = json_remove(data, '$.circle_id')"
               " WHERE user_id IN (SELECT user_id FROM memberships WHERE circle_id = ?)"
               " AND json_valid(data) AND json_extract(data, '$.circle_id') = ?", [circle_id, circle_id])
    db.execute("DELETE FROM circles WHERE id = ?", [circle_id])


def _forget_freed_pages(db):
    """After a deletion: copy the WAL into the database and empty it, so the old
    versions of the deleted rows' pages do not linger in the -wal file. Best effort:
    when other connections are busy, the next checkpoint does it."""
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:
        pass


def _circle_counts(circle_id):
    db = get_db()
    count = lambda table: db.execute(f"SELECT count(*) FROM {table} WHERE circle_id = ?",  # noqa: E731
                                     [circle_id]).fetchone()[0]
    return {"members": count("memberships"), "checkins": count("checkins")}


@bp.route("/c/<int:circle_id>/delete", methods=["GET", "POST"])
@circle_member_required
@owner_required
def delete_circle(circle_id):
    form = DeleteCircleForm()
    if form.validate_on_submit():
        if form.nickname.data != g.circle["nickname"]:
            form.nickname.errors.append(_("Name: it does not match. Type it exactly as shown above."))
        else:
            db = get_db()
            db.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, not left readable
            with write(db):
                members = _circle_counts(circle_id)["members"]
                delete_circle_rows(db, circle_id)
                audit.log(db, "circle.deleted", g.user["id"], None, members=members)
            _forget_freed_pages(db)
            session.pop("circle_id", None)
            return redirect(url_for("circles.index", choose=1))
    return render("account/delete_circle.html", form=form, counts=_circle_counts(circle_id),
                  status=400 if form.errors else 200)


# --- Deleting an account ------------------------------------------------------------

def deletion_plan(db, user_id):
    """What deleting this account does to each of its circles:
    'delete' (no one else is in it), 'hand-over' (they are its only owner: the
    longest-standing other member becomes owner) or 'leave'."""
    plan = []
    for c in db.query(
            "SELECT c.id, c.nickname, m.role,"
            " (SELECT count(*) FROM memberships o WHERE o.circle_id = c.id AND o.user_id != :u) AS others,"
            " (SELECT count(*) FROM memberships o WHERE o.circle_id = c.id AND o.user_id != :u"
            "  AND o.role = 'owner') AS other_owners"
            " FROM circles c JOIN memberships m ON m.circle_id = c.id AND m.user_id = :u"
            " ORDER BY c.nickname COLLATE NOCASE, c.id", {"u": user_id}):
        c = dict(c, successor=None)
        if c["others"] == 0:
            c["action"] = "delete"
        elif c["role"] == "owner" and c["other_owners"] == 0:
            c["action"] = "hand-over"
            c["successor"] = next(db.query(
                "SELECT u.id, u.display_name FROM memberships m JOIN users u ON u.id = m.user_id"
                " WHERE m.circle_id = ? AND m.user_id != ? ORDER BY m.joined_at, m.user_id LIMIT 1",
                [c["id"], user_id]))
        else:
            c["action"] = "leave"
        plan.append(c)
    return plan


def delete_account_rows(db, user_id):
    """Deletes an account as its plan says. Inside a write; returns the plan carried out."""
    user = one("SELECT username FROM users WHERE id = ?", [user_id])
    plan = deletion_plan(db, user_id)
    for c in plan:
        if c["action"] == "delete":
            delete_circle_rows(db, c["id"])
            audit.log(db, "circle.deleted", None, None, reason="its last member deleted their account")
            continue
        if c["action"] == "hand-over":
            hand_over(db, c["id"], c["successor"]["id"], None, "the only owner deleted their account")
        close_doors(db, c["id"], user_id, "account-deleted")
        audit.log(db, "member.left", None, c["id"], reason="account deleted")
    audit.forget_user(db, user_id)
    throttle.clear(db, [throttle.account_key(user["username"])])
    # Cascades: memberships, sessions, recovery codes, reset links. Check-ins, notes and
    # ticks in circles that remain keep their content with no author (SET NULL).
    db.execute("DELETE FROM users WHERE id = ?", [user_id])
    audit.log(db, "account.deleted", None, None,
              circles_deleted=sum(c["action"] == "delete" for c in plan),
              circles_handed_over=sum(c["action"] == "hand-over" for c in plan))
    return plan


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    db = get_db()
    form = PasswordConfirmForm()
    status = 200
    if form.validate_on_submit():
        status = _check_password(form.password)
        if not status:
            db.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, not left readable
            with write(db):
                delete_account_rows(db, g.user["id"])
            _forget_freed_pages(db)
            session.ended = True
            response = redirect(url_for("account.deleted"))
            response.headers["Clear-Site-Data"] = '"cache", "storage"'
            return response
    elif form.errors:
        status = 400
    return render("account/delete.html", form=form, plan=deletion_plan(db, g.user["id"]), status=status)


@bp.route("/account/deleted")
def deleted():
    return render("account/deleted.html")
