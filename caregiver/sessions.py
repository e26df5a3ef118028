"""Server-side sessions stored in the database.

The cookie holds only a random id; the data (signed-in user, CSRF token, current
circle) lives in the `sessions` table, so signing out really ends a session and
"sign out everywhere" is one DELETE.

Someone not signed in (the sign-in page's CSRF token, nothing else) gets no row: their
few values ride in a signed cookie, so a crawler or a flood of page views writes
nothing to the database. Signing in (or the half-way two-step state) moves the
session into the database with a new random id and a fresh CSRF token.
"""
import hashlib
import json
import secrets
from datetime import datetime, timedelta, timezone

from flask import request
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict

from .db import get_db, now_utc, write

TOUCH_EVERY = timedelta(minutes=1)  # don't write last_seen_at on every request


def token_hash(token):
    """How a random id or token is stored: its SHA-256 (sessions, invites, share and
    reset links). The tokens have 256 bits, so a fast hash is enough; a copy of the
    database then opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()




class DbSession(CallbackDict, SessionMixin):
    def __init__(self, data=None, sid=None, last_seen_at=None):
        def on_update(self):
            self.modified = True
        super().__init__(data or {}, on_update)
        self.sid = sid
        self.last_seen_at = last_seen_at
        self.modified = False
        self.rotate = False  # set at sign-in: a new id, so a planted one is useless
        self.ended = False  # set at sign-out


def cookie_name(app):
    # The __Host- prefix needs Secure, so plain-http development uses a plain name.
    return "__Host-session" if app.config["SESSION_COOKIE_SECURE"] else "session"


def anonymous_cookie_name(app):
    return "__Host-visit" if app.config["SESSION_COOKIE_SECURE"] else "visit"


SIGNED_IN_KEYS = ("uid", "two_step")  # a session holding one of these lives in the database
ANONYMOUS_MAX_AGE = 24 * 60 * 60  # seconds a signed-out visit's cookie (its CSRF token) is trusted


def _signer(app):
    return URLSafeTimedSerializer(app.secret_key, salt="caregiver-signed-out-visit")


def _anonymous(app, request):
    raw = request.cookies.get(anonymous_cookie_name(app))
    if not raw or len(raw) > 2000:
        return DbSession()
    try:
        data = _signer(app).loads(raw, max_age=ANONYMOUS_MAX_AGE)
    except BadData:
        return DbSession()
    if not isinstance(data, dict) or any(key in data for key in SIGNED_IN_KEYS):
        return DbSession()
    return DbSession(data)


class DbSessionInterface(SessionInterface):
    def open_session(self, app, request):
        sid = request.cookies.get(cookie_name(app))
        if not sid or len(sid) > 100:
            return _anonymous(app, request)
        row = get_db().execute(
            "SELECT data, created_at, last_seen_at FROM sessions WHERE id_hash = ?",
            [token_hash(sid)],
        ).fetchone()
        if row is None:
            return _anonymous(app, request)
        data, created_at, last_seen_at = row
        now = datetime.now(timezone.utc)
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        lifetime = timedelta(days=app.config["SESSION_MAX_DAYS"])
        if (now - datetime.fromisoformat(last_seen_at) > idle
                or now - datetime.fromisoformat(created_at) > lifetime):
            with write(get_db()) as db:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", [token_hash(sid)])
            return DbSession()
        return DbSession(json.loads(data), sid=sid, last_seen_at=last_seen_at)

    def save_session(self, app, session, response):
        name = cookie_name(app)
        secure = app.config["SESSION_COOKIE_SECURE"]
        anonymous = anonymous_cookie_name(app)
        carried = None  # a new id for the same signed-in person keeps this phone's alerts
        if session.ended or (session.rotate and session.sid):
            if session.sid and not session.ended and session.get("uid"):
                carried = session.sid
            elif session.sid:
                with write(get_db()) as db:  # opened only when there is a row to write
                    db.execute("DELETE FROM sessions WHERE id_hash = ?", [token_hash(session.sid)])
            if session.ended:
                response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="Lax")
                if anonymous in request.cookies:
                    response.delete_cookie(anonymous, path="/", secure=secure, httponly=True, samesite="Lax")
                return
            session.sid = None
        if not session.sid and not any(key in session for key in SIGNED_IN_KEYS):
            # Not signed in: a signed cookie (or none), never a row.
            if not session:
                if anonymous in request.cookies:
                    response.delete_cookie(anonymous, path="/", secure=secure, httponly=True, samesite="Lax")
            elif session.modified or anonymous not in request.cookies:
                response.set_cookie(anonymous, _signer(app).dumps(dict(session)), path="/", secure=secure,
                                    httponly=True, samesite="Lax")
            return
        if anonymous in request.cookies:  # moving into the database
            response.delete_cookie(anonymous, path="/", secure=secure, httponly=True, samesite="Lax")
        now = now_utc()
        data = json.dumps(dict(session))
        if not session.sid:
            session.sid = secrets.token_urlsafe(32)
            with write(get_db()) as db:
                db.execute(
                    "INSERT INTO sessions (id_hash, user_id, data, created_at, last_seen_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [token_hash(session.sid), session.get("uid"), data, now, now],
                )
                if carried:  # (the alerts of a phone belong to its session: migrations/012)
                    db.execute("UPDATE push_subscriptions SET session_hash = ? WHERE session_hash = ?"
                               " AND user_id = ?", [token_hash(session.sid), token_hash(carried), session.get("uid")])
                    db.execute("DELETE FROM sessions WHERE id_hash = ?", [token_hash(carried)])
        elif session.modified or _stale(session.last_seen_at):
            with write(get_db()) as db:
                db.execute(
                    "UPDATE sessions SET data = ?, user_id = ?, last_seen_at = ? WHERE id_hash = ?",
                    [data, session.get("uid"), now, token_hash(session.sid)],
                )
        else:
            return
        response.set_cookie(
            name, session.sid, path="/", secure=secure, httponly=True, samesite="Lax",
            max_age=int(timedelta(days=app.config["SESSION_MAX_DAYS"]).total_seconds()),
        )


def _stale(last_seen_at):
    if not last_seen_at:
        return True
    return datetime.now(timezone.utc) - datetime.fromisoformat(last_seen_at) > TOUCH_EVERY


def end_user_sessions(db, user_id, keep_sid=None):
    """Sign a user out everywhere (optionally keeping the current session).

    Call inside a write transaction. A request still in flight on another device
    cannot bring its session back: saving it only UPDATEs a row that is gone."""
    if keep_sid:
        db.execute("DELETE FROM sessions WHERE user_id = ? AND id_hash != ?",
                   [user_id, token_hash(keep_sid)])
    else:
        db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])

