"""The audit log: who did what to an account or a circle, and when.

Call `log()` INSIDE the caller's write transaction (`with write(db):`), so an entry
and the change it records are saved together or not at all:

    with write(db):
        db.execute(...)
        audit.log(db, "member.removed", g.user["id"], circle_id, member=user_id)

`detail` is stored as JSON. Never pass a password, token, code or secret: keys
that look like one are refused. Ids of other people go under "member" or "by", so
deleting an account can blank them out (`forget_user`).

Events in use: sign_up, sign_in, sign_in.failed, sign_out, sign_out.everywhere,
password.changed, password.reset (via: recovery-code | owner-link | operator),
password.reset.failed, reset_link.created, recovery_code.used, recovery_codes.created,
two_step.enabled, two_step.disabled, display_name.changed, invite.created,
invite.cancelled, invite.used, member.removed, member.promoted, member.left,
account.deleted, circle.deleted; share_link.created, share_link.opened,
share_link.revoked (caregiver/summary.py).
"""
import json

from flask import has_request_context, request

from .db import now_utc

FORBIDDEN = ("password", "token", "secret", "code", "hash", "otp")
USER_KEYS = ("member", "by")  # detail keys that hold another person's user id
SIGN_IN_EVENTS = ("sign_in", "sign_in.failed")


def log(db, event, user_id=None, circle_id=None, **detail):
    """Add one entry; the caller's write transaction commits it."""
    if not db.conn.in_transaction:
        raise RuntimeError("audit.log() belongs inside the write transaction of the change it records")
    for key in detail:
        if any(word in key.lower() for word in FORBIDDEN):
            raise ValueError(f"audit detail {key!r} looks like a secret: never log one")
    ip = request.remote_addr if has_request_context() else None
    db.execute(
        "INSERT INTO audit_log (at, user_id, circle_id, event, detail, ip) VALUES (?, ?, ?, ?, ?, ?)",
        [now_utc(), user_id, circle_id, event, json.dumps(detail, sort_keys=True, default=str), ip],
    )


def recent_sign_ins(db, user_id, limit=10):
    """The last sign-ins and failed sign-ins to one account, newest first."""
    return [dict(row, detail=json.loads(row["detail"] or "{}")) for row in db.query(
        "SELECT at, event, detail, ip FROM audit_log WHERE user_id = ? AND event IN (?, ?)"
        " ORDER BY at DESC, id DESC LIMIT ?", [user_id, *SIGN_IN_EVENTS, limit])]


def forget_user(db, user_id):
    """Before an account is deleted: drop its own account events (sign-ins, password
    changes: they name it and its addresses) and blank its id in other entries.
    Entries in circles that remain keep what happened, as "a former member"."""
    db.execute("DELETE FROM audit_log WHERE user_id = ? AND circle_id IS NULL", [user_id])
    db.execute("UPDATE audit_log SET ip = NULL WHERE user_id = ?", [user_id])  # their addresses go too
    for key in USER_KEYS:
        db.execute(f"UPDATE audit_log SET detail = json_set(detail, '$.{key}', 'a former member')"
                   f" WHERE json_extract(detail, '$.{key}') = ?", [user_id])
