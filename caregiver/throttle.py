"""Slowing down repeated failures: wrong passwords, codes, share tokens, and sign-ups.

Counters live in the database (`login_failures`), so every worker process shares
them. Each key counts on its own ("account:<hash of the typed name>",
"address:<ip>", "share:<ip>", "sign-up:<ip>"); past LOGIN_MAX_FAILURES, each further
failure doubles the wait, up to an hour. The purge (retention.py) forgets a counter a
day after its last failure.
"""
import hashlib
from datetime import datetime, timedelta, timezone

from flask import current_app, request

from .db import write
from .i18n import ngettext

MAX_LOCK_SECONDS = 60 * 60


def account_key(username):
    """The key of a typed name: hashed, since the name box sometimes gets the password."""
    return "account:" + hashlib.sha256((username or "").lower().encode()).hexdigest()[:32]


def address_key(kind="address"):
    return f"{kind}:{request.remote_addr or '?'}"


def sign_in_keys(username):
    """The account and the address: both count every wrong password or code."""
    return [account_key(username), address_key()]


def wait(db, keys):
    """Seconds until the longest lock on `keys` ends (0 when none is running)."""
    now = datetime.now(timezone.utc)
    remaining = 0
    for key in keys:  # one or two keys: a lookup each on the primary key
        row = db.execute("SELECT locked_until FROM login_failures WHERE key = ?", [key]).fetchone()
        if row and row[0]:
            left = (datetime.fromisoformat(row[0]) - now).total_seconds()
            remaining = max(remaining, int(left) + 1 if left > 0 else 0)
    return remaining


def fail(db, keys, limit=None):
    """Count one failure on each key (inside a write); past `limit` (LOGIN_MAX_FAILURES
    by default) each one locks the keys for longer."""
    cfg = current_app.config
    limit = limit or cfg["LOGIN_MAX_FAILURES"]
    now = datetime.now(timezone.utc)
    for key in keys:
        row = db.execute("SELECT failures FROM login_failures WHERE key = ?", [key]).fetchone()
        failures = (row[0] if row else 0) + 1
        locked_until = None
        if failures >= limit:
            seconds = min(cfg["LOGIN_LOCK_SECONDS"] * 2 ** min(failures - limit, 20),
                          MAX_LOCK_SECONDS)
            locked_until = (now + timedelta(seconds=seconds)).isoformat()
        db.execute(
            "INSERT INTO login_failures (key, failures, last_failed_at, locked_until) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET failures = excluded.failures,"
            " last_failed_at = excluded.last_failed_at, locked_until = excluded.locked_until",
            [key, failures, now.isoformat(), locked_until],
        )


def reserve(db, keys):
    """Before a slow check (a password hash): count it as a failure now, in one write,
    unless a key is locked. Returns the seconds to wait (0: reserved, go on). A burst of
    parallel guesses thus checks at most the limit, whatever the workers and threads;
    a check that succeeds is forgiven."""
    with write(db):
        seconds = wait(db, keys)
        if not seconds:
            fail(db, keys)
    return seconds


def forgive(db, keys):
    """Take back one reserved failure on `keys` after a right answer (inside a write).
    The keys were not locked when it was reserved, so no lock is left either."""
    for key in keys:
        db.execute("UPDATE login_failures SET failures = max(failures - 1, 0), locked_until = NULL"
                   " WHERE key = ?", [key])


def clear(db, keys):
    """Forget the counters of `keys` (inside a write)."""
    for key in keys:
        db.execute("DELETE FROM login_failures WHERE key = ?", [key])


def refuse_if_locked(db, keys, form):
    """True, with the wait said on the form, when one of `keys` is locked."""
    seconds = wait(db, keys)
    if seconds:
        form.form_errors.append(too_many_tries(seconds))
    return bool(seconds)


def too_many_tries(seconds, field=None):
    """The wait, said on the form; with `field`, said on that field and naming it."""
    if field is None:
        return ngettext("Too many unsuccessful tries. For your safety, wait %(num)d second and try again.",
                        "Too many unsuccessful tries. For your safety, wait %(num)d seconds and try again.",
                        seconds)
    return ngettext("%(field)s: Too many unsuccessful tries. For your safety, wait %(num)d second and "
                    "try again.",
                    "%(field)s: Too many unsuccessful tries. For your safety, wait %(num)d seconds and "
                    "try again.", seconds, field=field)
