"""Sign up, sign in (with optional two-step), sign out, and getting back into an account.

Throttling (caregiver/throttle.py): every wrong password, code or recovery code counts
against the account and the address; a success clears the account's counter only, so
one address cannot try passwords across accounts by signing in between.

Recovery without email: ten recovery codes (shown once after sign-up, regenerable on
the account page), a 15-minute reset link that a circle owner makes for a member
(/reset/<token>), and `flask user reset-password` for the operator (caregiver/cli.py).
"""
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for

from . import audit, credentials, retention, throttle
from .account_forms import ForgotPasswordForm, ResetPasswordForm, SignInForm, SignUpForm, TwoStepCodeForm
from .db import get_db, now_utc, one, write
from .forms import ConfirmForm
from .i18n import _, ngettext
from .sessions import token_hash
from .views import login_required, render

bp = Blueprint("auth", __name__)
TWO_STEP_MINUTES = 5  # between the password and the code
RESET_LINK_MINUTES = 15


def load_user():
    uid = session.get("uid")
    g.user = one("SELECT id, username, display_name, language FROM users WHERE id = ?", [uid]) if uid else None


def start_session(user_id):
    session.rotate = True  # a new id at sign-in: a planted session id is useless
    session.clear()
    session["uid"] = user_id


def safe_next(target):
    """Only follow a same-site path after sign-in, never another host. Browsers drop
    tabs and line breaks from a URL ("/\t/evil" is "//evil"), so any control
    character refuses it too, as does anything that parses with a scheme or host."""
    if (isinstance(target, str) and target.startswith("/") and not target.startswith("//")
            and "\\" not in target and not any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("circles.index")


# --- Throttling (caregiver/throttle.py) ------------------------------------------

def _account(user):
    """Audit detail for a failure: nothing when the account exists (its id is the
    entry's user), a bare marker when it does not."""
    return {} if user else {"account": "unknown"}


# --- Sign up, sign in, sign out -----------------------------------------------------

@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        db = get_db()
        # Each sign-up costs an argon2 hash and a new account: one address gets a few,
        # then waits (a family signing up together never notices).
        key = throttle.address_key("sign-up")
        wait = throttle.wait(db, [key])
        if wait:
            form.form_errors.append(ngettext(
                "Many accounts were just made from this network. Please wait %(num)d second and try again.",
                "Many accounts were just made from this network. Please wait %(num)d seconds and try again.",
                wait))
            return render("auth/sign_up.html", form=form, status=429)
        new_hash = credentials.hasher.hash(form.password.data)
        with write(db):
            if one("SELECT 1 FROM users WHERE username = ?", [form.username.data]):
                form.username.errors.append(_("This name is taken. Choose another, or sign in."))
            else:
                uid = db.table("users").insert({
                    "username": form.username.data,
                    "display_name": form.display_name.data,
                    "password_hash": new_hash,
                    "created_at": now_utc(),
                }).last_pk
                audit.log(db, "sign_up", uid)
                codes = credentials.new_recovery_codes(db, uid)
                throttle.fail(db, [key], limit=current_app.config["SIGNUP_MAX_PER_ADDRESS"])
        if not form.username.errors:
            start_session(uid)
            # Shown once on the next page; sealed, as the session lives in the database.
            session["new_recovery_codes"] = credentials.seal_codes(codes)
            return redirect(url_for("account.new_recovery_codes", next=safe_next(request.args.get("next"))))
    status = 400 if form.errors else 200
    return render("auth/sign_up.html", form=form, status=status)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        db = get_db()
        keys = throttle.sign_in_keys(form.username.data)
        seconds = throttle.reserve(db, keys)  # counted as a failure until it proves right
        if seconds:
            form.form_errors.append(throttle.too_many_tries(seconds))
            return render("auth/sign_in.html", form=form, status=429)
        user = one("SELECT id, password_hash, totp_secret FROM users WHERE username = ?", [form.username.data])
        ok = credentials.verify_password(user["password_hash"] if user else None, form.password.data)
        two_step = ok and bool(user["totp_secret"])
        with write(db):
            if not ok:
                # Never the name typed for an unknown account: it is often a password
                # typed into the wrong box.
                audit.log(db, "sign_in.failed", user["id"] if user else None, **_account(user))
            else:
                throttle.forgive(db, keys)
                if credentials.hasher.check_needs_rehash(user["password_hash"]):
                    db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                               [credentials.hasher.hash(form.password.data), user["id"]])
                if not two_step:  # with two-step, the counters are cleared only after the code
                    throttle.clear(db, keys[:1])  # the account; the address keeps counting
                    audit.log(db, "sign_in", user["id"])
                retention.purge_now_and_then(db)
        if two_step:
            # Half signed in: no uid in the session until the code is right.
            session.rotate = True
            session.clear()
            session["two_step"] = {"user_id": user["id"], "since": now_utc(),
                                   "next": safe_next(request.args.get("next"))}
            return redirect(url_for("auth.two_step"))
        if ok:
            start_session(user["id"])
            return redirect(safe_next(request.args.get("next")))
        form.form_errors.append(_("That email or user name and password don't match."))
        return render("auth/sign_in.html", form=form, status=400)
    return render("auth/sign_in.html", form=form, status=400 if form.errors else 200)


def _pending_two_step():
    pending = session.get("two_step")
    if not isinstance(pending, dict):
        return None, None
    try:
        since = datetime.fromisoformat(pending["since"])
    except (KeyError, TypeError, ValueError):
        return None, None
    if datetime.now(timezone.utc) - since > timedelta(minutes=TWO_STEP_MINUTES):
        return None, None
    user = one("SELECT id, username FROM users WHERE id = ?", [pending.get("user_id")])
    return (pending, user) if user else (None, None)


@bp.route("/sign-in/two-step", methods=["GET", "POST"])
def two_step():
    pending, user = _pending_two_step()
    if user is None:
        session.pop("two_step", None)
        return redirect(url_for("auth.sign_in"))
    form = TwoStepCodeForm()
    if form.validate_on_submit():
        db = get_db()
        keys = throttle.sign_in_keys(user["username"])
        with write(db):  # the lock is read in the write that counts: a burst checks at most the limit
            if throttle.refuse_if_locked(db, keys, form):
                return render("auth/two_step.html", form=form, status=429)
            method = credentials.second_factor(db, user["id"], form.code.data, purpose="sign-in")
            if method:
                throttle.clear(db, keys[:1])  # the account; the address keeps counting
                audit.log(db, "sign_in", user["id"], two_step=method)
            else:
                throttle.fail(db, keys)
                audit.log(db, "sign_in.failed", user["id"], stage="two-step")
        if method:
            start_session(user["id"])
            return redirect(safe_next(pending.get("next")))
        form.code.errors.append(_("Code: this code is not right, or it was already used. "
                                  "Enter the newest code your app shows, or a recovery code."))
        return render("auth/two_step.html", form=form, status=400)
    return render("auth/two_step.html", form=form, status=400 if form.errors else 200)


@bp.route("/sign-out", methods=["GET", "POST"])
@login_required
def sign_out():
    form = ConfirmForm()
    if form.validate_on_submit():
        db = get_db()
        with write(db):
            audit.log(db, "sign_out", g.user["id"])
        session.ended = True
        return signed_out_response()
    return render("auth/sign_out.html", form=form)


def signed_out_response():
    response = redirect(url_for("auth.signed_out"))
    # Also clears this app's caches and storage on the phone (offline copies).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/signed-out")
def signed_out():
    return render("auth/signed_out.html")


# --- Getting back in: recovery code, owner's reset link ------------------------------

@bp.route("/sign-in/forgot", methods=["GET", "POST"])
def forgot_password():
    """Forgot password: user name + one recovery code + a new password."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        db = get_db()
        keys = throttle.sign_in_keys(form.username.data)
        user = one("SELECT id FROM users WHERE username = ?", [form.username.data])
        new_hash = credentials.hasher.hash(form.new_password.data)
        with write(db):  # the lock is read in the write that counts: a burst checks at most the limit
            if throttle.refuse_if_locked(db, keys, form):
                return render("auth/forgot.html", form=form, status=429)
            ok = user is not None and credentials.use_recovery_code(db, user["id"], form.recovery_code.data,
                                                        purpose="password-reset")
            if ok:
                credentials.set_password(db, user["id"], new_hash, via="recovery-code")
            else:
                throttle.fail(db, keys)
                audit.log(db, "password.reset.failed", user["id"] if user else None,
                          via="recovery-code", **_account(user))
        if ok:
            session.ended = True
            return redirect(url_for("auth.password_changed"))
        form.form_errors.append(_("That user name and recovery code don't match, or the code was already used."))
        return render("auth/forgot.html", form=form, status=400)
    return render("auth/forgot.html", form=form, status=400 if form.errors else 200)


@bp.route("/password-changed")
def password_changed():
    return render("auth/password_changed.html")


def _usable_reset(token):
    """A reset link that is unused, not expired, made by someone who is still an owner
    of the circle, for someone who is still a member of it."""
    if not token or len(token) > 100:
        return None
    return one(
        "SELECT r.id, r.user_id, r.circle_id, r.created_by, u.display_name, u.username FROM password_resets r"
        " JOIN users u ON u.id = r.user_id"
        " JOIN memberships mo ON mo.circle_id = r.circle_id AND mo.user_id = r.created_by AND mo.role = 'owner'"
        " JOIN memberships mm ON mm.circle_id = r.circle_id AND mm.user_id = r.user_id"
        " WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ?"
        # ...and who still owns every circle the member is in (account.may_reset).
        " AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = r.user_id AND NOT EXISTS ("
        "  SELECT 1 FROM memberships o WHERE o.circle_id = m.circle_id AND o.user_id = r.created_by"
        "  AND o.role = 'owner'))",
        [token_hash(token), now_utc()])


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_link(token):
    """A reset link that a circle owner made: set a new password; every session ends."""
    reset = _usable_reset(token)
    if reset is None:
        return render("auth/reset.html", problem=True, status=410)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        db = get_db()
        new_hash = credentials.hasher.hash(form.new_password.data)
        with write(db):
            # Re-checked inside the write lock: a link works once.
            if db.execute("UPDATE password_resets SET used_at = ? WHERE id = ? AND used_at IS NULL",
                          [now_utc(), reset["id"]]).rowcount != 1:
                abort(410)
            credentials.set_password(db, reset["user_id"], new_hash, via="owner-link",
                         circle_id=reset["circle_id"], by=reset["created_by"])
        session.ended = True
        return redirect(url_for("auth.password_changed"))
    return render("auth/reset.html", form=form, reset=reset, two_step=credentials.has_two_step(reset["user_id"]),
                  status=400 if form.errors else 200)

