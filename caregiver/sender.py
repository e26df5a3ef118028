"""The sender: claims due alerts from the outbox, hands each to its push service, and
records every attempt.

Rows are claimed inside a write, so any number of senders (and web workers queueing
beside them) hand each alert over once; a sender that dies leaves its claim to run out,
and the next one sends the rest (a tag and a Topic make a resend replace, not double).
Sending happens outside any transaction. 429, 5xx and no answer are tried again with
backoff, honouring Retry-After, for up to 24 hours; 404 and 410 delete the phone.
"""
import hashlib
import json
import secrets
from datetime import datetime, timedelta

from flask import current_app

from . import push
from .alerts import iso, utc
from .db import write

BATCH = 10


def topic(tag):
    """RFC 8030 Topic: at most 32 URL-safe characters, the same for the same alert."""
    return push.b64e(hashlib.sha256(tag.encode()).digest()[:24])


def backoff(attempts):
    """Seconds before the next try: 30 s, 1, 2, 4 ... minutes, at most an hour."""
    return min(30 * 2 ** (attempts - 1), 60 * 60)


def claim(db, sender, now, limit=BATCH, lease=None):
    """Take up to `limit` due alerts for this sender: in a write, so two senders never
    take the same row. A row whose sender died is taken again when its lease ends."""
    lease = lease or limit * push_timeout() + 30
    with write(db):
        db.execute("UPDATE push_outbox SET state = 'failed', done_at = ? WHERE state = 'pending'"
                   " AND subscription_id IS NULL", [iso(now)])  # the phone turned alerts off
        # Never to someone who has left the circle since (a test alert has no circle).
        ids = [r["id"] for r in db.query(
            "SELECT o.id FROM push_outbox o WHERE o.state = 'pending' AND o.due_at <= :now"
            " AND (o.claimed_until IS NULL OR o.claimed_until <= :now)"
            " AND (o.circle_id IS NULL OR EXISTS (SELECT 1 FROM memberships m"
            "      WHERE m.circle_id = o.circle_id AND m.user_id = o.user_id))"
            " ORDER BY o.urgency = 'high' DESC, o.due_at, o.id LIMIT :limit",
            {"now": iso(now), "limit": limit})]
        if not ids:
            return []
        marks = ",".join("?" for _ in ids)
        db.execute(f"UPDATE push_outbox SET claimed_by = ?, claimed_until = ? WHERE id IN ({marks})",
                   [sender, iso(now + timedelta(seconds=lease)), *ids])
        return list(db.query(
            "SELECT o.*, s.endpoint, s.p256dh, s.auth FROM push_outbox o"
            f" JOIN push_subscriptions s ON s.id = o.subscription_id WHERE o.id IN ({marks}) ORDER BY o.id", ids))


def push_timeout():
    return current_app.config.get("PUSH_TIMEOUT", 10)


def settings():
    cfg = current_app.config
    return {"allowed": cfg["PUSH_HOSTS"].split(), "allow_local": bool(cfg.get("PUSH_ALLOW_LOCAL_FOR_TESTS")),
            "private_key": cfg["VAPID_PRIVATE_KEY"],
            "subject": cfg["VAPID_SUBJECT"] or cfg["BASE_URL"] or "mailto:operator@caregiver.invalid"}


def deliver(row, conf):
    """Hand one claimed alert to its push service; the push service's Answer."""
    try:
        target = push.vet_endpoint(row["endpoint"], conf["allowed"], conf["allow_local"])
    except push.Refused as e:
        return push.Answer(None, None, f"refused: {e}"), True
    except push.NotResolved as e:  # tried again later, like a timeout
        return push.Answer(None, None, str(e)), False
    answer = push.post(target, json.loads(row["payload"]), p256dh=row["p256dh"], auth=row["auth"],
                       private_key=conf["private_key"], subject=conf["subject"], ttl=row["ttl"],
                       urgency=row["urgency"], topic=topic(row["tag"]), timeout=push_timeout())
    return answer, False


def record(db, row, sender, answer, refused, now):
    """The attempt, and what follows from it: delivered, tried again later, or given up
    (404/410: the phone's subscription is gone, so it is deleted)."""
    with write(db):
        if not db.execute("SELECT 1 FROM push_outbox WHERE id = ? AND claimed_by = ? AND state = 'pending'",
                          [row["id"], sender]).fetchone():
            return "lost"  # its lease ran out and another sender took it
        db.execute("INSERT INTO push_attempts (outbox_id, at, status, error, retry_after) VALUES (?, ?, ?, ?, ?)",
                   [row["id"], iso(now), answer.status, answer.error, answer.retry_after])
        attempts = row["attempts"] + 1
        status = answer.status
        if status is not None and 200 <= status < 300:
            db.execute("UPDATE push_outbox SET state = 'delivered', attempts = ?, done_at = ?, claimed_by = NULL,"
                       " claimed_until = NULL WHERE id = ?", [attempts, iso(now), row["id"]])
            db.execute("UPDATE push_subscriptions SET last_delivered_at = ? WHERE id = ?",
                       [iso(now), row["subscription_id"]])
            return "delivered"
        retry = not refused and (status is None or status == 429 or status >= 500)
        next_try = now + timedelta(seconds=max(backoff(attempts), answer.retry_after or 0))
        if retry and next_try <= datetime.fromisoformat(row["give_up_at"]):
            db.execute("UPDATE push_outbox SET attempts = ?, due_at = ?, claimed_by = NULL, claimed_until = NULL"
                       " WHERE id = ?", [attempts, iso(next_try), row["id"]])
            return "retry"
        db.execute("UPDATE push_outbox SET state = 'failed', attempts = ?, done_at = ?, claimed_by = NULL,"
                   " claimed_until = NULL WHERE id = ?", [attempts, iso(now), row["id"]])
        if status in (404, 410) or refused:
            db.execute("DELETE FROM push_subscriptions WHERE id = ?", [row["subscription_id"]])
            return "gone"
        return "failed"


def send_due(db, sender=None, now=None, limit=BATCH, clock=None):
    """Claim and send due alerts until none is due. Returns {outcome: count}."""
    sender = sender or secrets.token_hex(8)
    conf = settings()
    counts = {}
    while True:
        rows = claim(db, sender, utc(now or (clock and clock())), limit)
        if not rows:
            return counts
        for row in rows:
            answer, refused = deliver(row, conf)
            outcome = record(db, row, sender, answer, refused, utc(now or (clock and clock())))
            counts[outcome] = counts.get(outcome, 0) + 1
