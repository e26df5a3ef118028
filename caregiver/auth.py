"""Sign up, sign in (with optional two-step), sign out, and getting back into an account.

Throttling (caregiver/throttle.py): every wrong password, code or recovery code counts
against the account and the address; a success clears the account's counter only, so
one address cannot try passwords across accounts by signing in between.

Recovery without email: ten recovery codes (shown once after sign-up, regenerable on
the account page), a 15-minute reset link that a circle owner makes for a member
(/reset/<token>), and `flask user reset-password` for the operator (caregiver/cli.py).
"""
import hashlib
import hmac
import json
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for

from . import audit, retention, throttle
from .db import get_db, now_utc, write
from .forms import ConfirmForm, ForgotPasswordForm, ResetPasswordForm, SignInForm, SignUpForm, TwoStepCodeForm
from .sealing import seal, unseal
from .sessions import end_user_sessions, token_hash
from .views import login_required, one, render

bp = Blueprint("auth", __name__)
hasher = PasswordHasher()  # argon2id with the library's current (OWASP-level) parameters
_DUMMY_HASH = hasher.hash("not a real password, used to even out timing")
TWO_STEP_MINUTES = 5  # between the password and the code
RESET_LINK_MINUTES = 15

# Recovery codes: 4 groups of 4 from 30 characters that cannot be mistaken for
# one another (no 0/O, 1/I/L, U/V): about 78 bits each.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_COUNT = 10


def load_user():
    uid = session.get("uid")
    g.user = one("SELECT id, username, display_name FROM users WHERE id = ?", [uid]) if uid else None


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


# --- Passwords ----------------------------------------------------------------------

def verify_password(password_hash, password):
    """True if `password` matches; a missing account costs the same time as a wrong password."""
    try:
        return hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def set_password(db, user_id, new_hash, via, circle_id=None, **detail):
    """A password reset (not a change by the user): the new hash, every session of the
    account ended, its sign-in lock lifted, and an audit entry. Inside a write."""
    user = one("SELECT username FROM users WHERE id = ?", [user_id])
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [new_hash, user_id])
    end_user_sessions(db, user_id)
    throttle.clear(db, [throttle.account_key(user["username"])])
    audit.log(db, "password.reset", user_id, circle_id, via=via, **detail)


# --- Throttling (caregiver/throttle.py) ------------------------------------------

def _account(user):
    """Audit detail for a failure: nothing when the account exists (its id is the
    entry's user), a bare marker when it does not."""
    return {} if user else {"account": "unknown"}


# --- Recovery codes -----------------------------------------------------------------

def normalize_code(code):
    return re.sub(r"[^0-9A-Z]", "", (code or "").upper())


def _hash_code(code, salt):
    return salt + "$" + hashlib.sha256((salt + normalize_code(code)).encode()).hexdigest()


def new_recovery_codes(db, user_id):
    """Ten fresh codes (the old ones stop working). Inside a write; returns them in
    clear, once: only salted hashes are stored."""
    codes = ["-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(4))
             for _ in range(CODE_COUNT)]
    now = now_utc()
    db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
    for code in codes:
        db.execute("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
                   [user_id, _hash_code(code, secrets.token_hex(8)), now])
    audit.log(db, "recovery_codes.created", user_id)
    return codes


def use_recovery_code(db, user_id, code, purpose):
    """Marks one unused code as used and returns True if `code` is one. Inside a write."""
    wanted = normalize_code(code)
    if len(wanted) != 16:
        return False
    for row in db.query("SELECT id, code_hash FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                        [user_id]):
        salt = row["code_hash"].split("$", 1)[0]
        if hmac.compare_digest(_hash_code(wanted, salt), row["code_hash"]):
            if db.execute("UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
                          [now_utc(), row["id"]]).rowcount != 1:
                return False
            audit.log(db, "recovery_code.used", user_id, purpose=purpose,
                      left=unused_recovery_codes(db, user_id))
            return True
    return False


def unused_recovery_codes(db, user_id):
    return db.execute("SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                      [user_id]).fetchone()[0]


def seal_codes(codes):
    return seal(json.dumps(codes), "recovery-codes")


def unseal_codes(sealed):
    text = unseal(sealed, "recovery-codes") if sealed else None
    return json.loads(text) if text else None


# --- Two-step sign-in (TOTP) --------------------------------------------------------

def _clock():
    """Seconds since the epoch (tests move it to step through 30-second windows)."""
    return time.time()


def totp_step(secret, code):
    """The time step whose code `code` is (now, or one step either side for clock
    drift), or None."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"[0-9]{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(_clock()) // totp.interval
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def seal_totp(secret):
    return seal(secret, "totp")


def check_totp(db, user_id, code):
    """True if `code` is the user's current code and was not used before. Inside a
    write, so two requests cannot both use one code."""
    row = one("SELECT totp_secret, totp_last_step FROM users WHERE id = ?", [user_id])
    secret = unseal(row["totp_secret"], "totp") if row and row["totp_secret"] else None
    if not secret:
        return False
    step = totp_step(secret, code)
    if step is None or (row["totp_last_step"] is not None and step <= row["totp_last_step"]):
        return False  # wrong, or a code already used (replayed within its window)
    db.execute("UPDATE users SET totp_last_step = ? WHERE id = ?", [step, user_id])
    return True


def second_factor(db, user_id, code, purpose):
    """'totp' or 'recovery-code' for a right code (which is then spent), else None."""
    if re.fullmatch(r"[0-9]{6}", re.sub(r"\s", "", code or "")):
        return "totp" if check_totp(db, user_id, code) else None
    return "recovery-code" if use_recovery_code(db, user_id, code, purpose) else None


def has_two_step(user_id):
    row = one("SELECT totp_secret FROM users WHERE id = ?", [user_id])
    return bool(row and row["totp_secret"])


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
            form.form_errors.append(f"Many accounts were just made from this network. Please wait {wait} "
                                    "seconds and try again.")
            return render("auth/sign_up.html", form=form, status=429)
        new_hash = hasher.hash(form.password.data)
        with write(db):
            if one("SELECT 1 FROM users WHERE username = ?", [form.username.data]):
                form.username.errors.append("This name is taken. Choose another, or sign in.")
            else:
                uid = db.table("users").insert({
                    "username": form.username.data,
                    "display_name": form.display_name.data,
                    "password_hash": new_hash,
                    "created_at": now_utc(),
                }).last_pk
                audit.log(db, "sign_up", uid)
                codes = new_recovery_codes(db, uid)
                throttle.fail(db, [key], limit=current_app.config["SIGNUP_MAX_PER_ADDRESS"])
        if not form.username.errors:
            start_session(uid)
            # Shown once on the next page; sealed, as the session lives in the database.
            session["new_recovery_codes"] = seal_codes(codes)
            return redirect(url_for("account.new_recovery_codes", next=safe_next(request.args.get("next"))))
    status = 400 if form.errors else 200
    return render("auth/sign_up.html", form=form, status=status)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        db = get_db()
        keys = throttle.sign_in_keys(form.username.data)
        if throttle.refuse_if_locked(db, keys, form):
            return render("auth/sign_in.html", form=form, status=429)
        user = one("SELECT id, password_hash, totp_secret FROM users WHERE username = ?", [form.username.data])
        ok = verify_password(user["password_hash"] if user else None, form.password.data)
        two_step = ok and bool(user["totp_secret"])
        with write(db):
            if not ok:
                throttle.fail(db, keys)
                # Never the name typed for an unknown account: it is often a password
                # typed into the wrong box.
                audit.log(db, "sign_in.failed", user["id"] if user else None, **_account(user))
            else:
                if hasher.check_needs_rehash(user["password_hash"]):
                    db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                               [hasher.hash(form.password.data), user["id"]])
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
        form.form_errors.append("That email or user name and password don't match.")
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
        if throttle.refuse_if_locked(db, keys, form):
            return render("auth/two_step.html", form=form, status=429)
        with write(db):
            method = second_factor(db, user["id"], form.code.data, purpose="sign-in")
            if method:
                throttle.clear(db, keys[:1])  # the account; the address keeps counting
                audit.log(db, "sign_in", user["id"], two_step=method)
            else:
                throttle.fail(db, keys)
                audit.log(db, "sign_in.failed", user["id"], stage="two-step")
        if method:
            start_session(user["id"])
            return redirect(safe_next(pending.get("next")))
        form.code.errors.append("Code: this code is not right, or it was already used. "
                                "Enter the newest code your app shows, or a recovery code.")
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
        if throttle.refuse_if_locked(db, keys, form):
            return render("auth/forgot.html", form=form, status=429)
        user = one("SELECT id FROM users WHERE username = ?", [form.username.data])
        new_hash = hasher.hash(form.new_password.data)
        with write(db):
            ok = user is not None and use_recovery_code(db, user["id"], form.recovery_code.data,
                                                        purpose="password-reset")
            if ok:
                set_password(db, user["id"], new_hash, via="recovery-code")
            else:
                throttle.fail(db, keys)
                audit.log(db, "password.reset.failed", user["id"] if user else None,
                          via="recovery-code", **_account(user))
        if ok:
            session.ended = True
            return redirect(url_for("auth.password_changed"))
        form.form_errors.append("That user name and recovery code don't match, or the code was already used.")
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
        new_hash = hasher.hash(form.new_password.data)
        with write(db):
            # Re-checked inside the write lock: a link works once.
            if db.execute("UPDATE password_resets SET used_at = ? WHERE id = ? AND used_at IS NULL",
                          [now_utc(), reset["id"]]).rowcount != 1:
                abort(410)
            set_password(db, reset["user_id"], new_hash, via="owner-link",
                         circle_id=reset["circle_id"], by=reset["created_by"])
        session.ended = True
        return redirect(url_for("auth.password_changed"))
    return render("auth/reset.html", form=form, reset=reset, two_step=has_two_step(reset["user_id"]),
                  status=400 if form.errors else 200)

