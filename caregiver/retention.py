"""How long what has ended is kept, and the purge that enforces it (docs/privacy.md).

The purge runs at a successful sign-in (at most once an hour in each process, so a
busy evening does not repeat it) and as `flask --app caregiver db purge`, e.g. from a
daily timer. Check-ins, notes and circles are never purged: they stay until someone
deletes them.
"""
import time
from datetime import datetime, timedelta, timezone

from flask import current_app

FAILURES_FORGOTTEN_AFTER = timedelta(days=1)  # sign-in counters, once no lock is running
RESET_LINKS_KEPT = timedelta(days=1)  # after they expire (they work 15 minutes)
ENDED_LINKS_KEPT = timedelta(days=90)  # invites and share links after they expire or are withdrawn
ALERTS_KEPT = timedelta(days=30)  # sent or given-up alerts, their attempts, and reminders sent
EVERY = 60 * 60  # seconds between purges at sign-in, per process


def purge(db, now=None):
    """Delete what has ended and is past keeping. Inside a write; returns the counts."""
    cfg = current_app.config
    now = now or datetime.now(timezone.utc)
    at = lambda delta: (now - delta).isoformat()  # noqa: E731
    statements = {
        "sessions": ("DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
                     [at(timedelta(minutes=cfg["SESSION_IDLE_MINUTES"])), at(timedelta(days=cfg["SESSION_MAX_DAYS"]))]),
        "sign-in counters": ("DELETE FROM login_failures WHERE last_failed_at < ?"
                             " AND (locked_until IS NULL OR locked_until < ?)",
                             [at(FAILURES_FORGOTTEN_AFTER), now.isoformat()]),
        "reset links": ("DELETE FROM password_resets WHERE expires_at < ?", [at(RESET_LINKS_KEPT)]),
        "invites": ("DELETE FROM invites WHERE expires_at < ?", [at(ENDED_LINKS_KEPT)]),
        "share links": ("DELETE FROM share_links WHERE expires_at < ? OR revoked_at < ?",
                        [at(ENDED_LINKS_KEPT), at(ENDED_LINKS_KEPT)]),
        "audit entries": ("DELETE FROM audit_log WHERE at < ?", [at(timedelta(days=cfg["AUDIT_KEEP_DAYS"]))]),
        # (their attempts go with them: ON DELETE CASCADE)
        "alerts sent": ("DELETE FROM push_outbox WHERE state != 'pending' AND done_at < ?", [at(ALERTS_KEPT)]),
        "reminders sent": ("DELETE FROM reminders_sent WHERE at < ?", [at(ALERTS_KEPT)]),
    }
    return {name: db.execute(sql, params).rowcount for name, (sql, params) in statements.items()}


def purge_now_and_then(db):
    """purge() if this app, in this process, has not run it in the last hour. Inside a write."""
    state = current_app.extensions.setdefault("retention", {"last_run": None})
    if state["last_run"] is None or time.monotonic() - state["last_run"] >= EVERY:
        state["last_run"] = time.monotonic()
        purge(db)
