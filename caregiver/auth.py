"""Sign up, sign in and out, with throttling of repeated failures."""
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, current_app, g, redirect, request, session, url_for

from .db import get_db, now_utc, write
from .forms import ConfirmForm, SignInForm, SignUpForm
from .views import login_required, one, render

bp = Blueprint("auth", __name__)
hasher = PasswordHasher()  # argon2id with the library's current (OWASP-level) parameters
_DUMMY_HASH = hasher.hash("not a real password, used to even out timing")
MAX_LOCK_SECONDS = 60 * 60


def load_user():
    uid = session.get("uid")
    g.user = one("SELECT id, username, display_name FROM users WHERE id = ?", [uid]) if uid else None


def start_session(user_id):
    session.rotate = True  # a new id at sign-in: a planted session id is useless
    session.clear()
    session["uid"] = user_id


def safe_next(target):
    """Only follow a same-site path after sign-in, never another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("circles.index")


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        db = get_db()
        with write(db):
            if one("SELECT 1 FROM users WHERE username = ?", [form.username.data]):
                form.username.errors.append("This name is taken. Choose another, or sign in.")
            else:
                uid = db.table("users").insert({
                    "username": form.username.data,
                    "display_name": form.display_name.data,
                    "password_hash": hasher.hash(form.password.data),
                    "created_at": now_utc(),
                }).last_pk
        if not form.username.errors:
            start_session(uid)
            return redirect(safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render("auth/sign_up.html", form=form, status=status)


def _lock_remaining(db, keys):
    now = datetime.now(timezone.utc)
    remaining = 0
    for row in db.query("SELECT locked_until FROM login_failures WHERE key IN (?, ?)", keys):
        if row["locked_until"]:
            left = (datetime.fromisoformat(row["locked_until"]) - now).total_seconds()
            remaining = max(remaining, int(left) + 1 if left > 0 else 0)
    return remaining


def _record_failure(db, keys):
    cfg = current_app.config
    now = datetime.now(timezone.utc)
    for key in keys:
        row = one("SELECT failures FROM login_failures WHERE key = ?", [key])
        failures = (row["failures"] if row else 0) + 1
        locked_until = None
        if failures >= cfg["LOGIN_MAX_FAILURES"]:
            # Each failure past the limit doubles the wait, up to an hour.
            seconds = min(cfg["LOGIN_LOCK_SECONDS"] * 2 ** (failures - cfg["LOGIN_MAX_FAILURES"]),
                          MAX_LOCK_SECONDS)
            locked_until = (now + timedelta(seconds=seconds)).isoformat()
        db.execute(
            "INSERT INTO login_failures (key, failures, last_failed_at, locked_until) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET failures = excluded.failures,"
            " last_failed_at = excluded.last_failed_at, locked_until = excluded.locked_until",
            [key, failures, now.isoformat(), locked_until],
        )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        db = get_db()
        keys = ["account:" + form.username.data.lower(), "address:" + (request.remote_addr or "?")]
        wait = _lock_remaining(db, keys)
        if wait:
            form.form_errors.append(
                f"Too many unsuccessful tries. For your safety, wait {wait} seconds and try again.")
            return render("auth/sign_in.html", form=form, status=429)
        user = one("SELECT id, password_hash FROM users WHERE username = ?", [form.username.data])
        try:
            hasher.verify(user["password_hash"] if user else _DUMMY_HASH, form.password.data)
            ok = user is not None
        except (VerificationError, InvalidHashError):
            ok = False
        with write(db):
            if not ok:
                _record_failure(db, keys)
            else:
                db.execute("DELETE FROM login_failures WHERE key IN (?, ?)", keys)
                if hasher.check_needs_rehash(user["password_hash"]):
                    db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                               [hasher.hash(form.password.data), user["id"]])
                _purge_expired_sessions(db)
        if ok:
            start_session(user["id"])
            return redirect(safe_next(request.args.get("next")))
        form.form_errors.append("That email or user name and password don't match.")
        return render("auth/sign_in.html", form=form, status=400)
    return render("auth/sign_in.html", form=form, status=400 if form.errors else 200)


def _purge_expired_sessions(db):
    cfg = current_app.config
    now = datetime.now(timezone.utc)
    db.execute(
        "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
        [(now - timedelta(minutes=cfg["SESSION_IDLE_MINUTES"])).isoformat(),
         (now - timedelta(days=cfg["SESSION_MAX_DAYS"])).isoformat()],
    )


@bp.route("/sign-out", methods=["GET", "POST"])
@login_required
def sign_out():
    form = ConfirmForm()
    if form.validate_on_submit():
        session.ended = True
        response = redirect(url_for("auth.signed_out"))
        # Also clears this app's caches and storage on the phone (offline copies).
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return response
    return render("auth/sign_out.html", form=form)


@bp.route("/signed-out")
def signed_out():
    return render("auth/signed_out.html")
