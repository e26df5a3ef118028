"""Alerts: how many one sender delivers in a second, and what saving a check-in costs
with the outbox in place compared with before it (`python bench/alerts.py`, and a step
of bench/run.py).

1. Delivery: N urgent alerts queued to phones of a local push receiver
   (tests/push_receiver.py, which checks each VAPID signature and decrypts each body,
   as a push service would), then one sender (`sender.send_due`) empties the outbox.
   Alerts per second = N / that time. The receiver runs in the same process and takes
   its share of the CPU, so a real sender, whose push services run elsewhere, does
   at least this well (network latency aside: each POST waits for its answer).
2. Saving a check-in, in process (bench/inprocess.py's timing), interleaved A B A B in
   the same run: "before" is the same app with the outbox hook replaced by the no-op it
   amounts to without alerts. An ordinary check-in and an overdose check-in (which
   reads the rules twice more and queues the alerts) are measured apart.
Only 127.0.0.1 is contacted; nothing is timed in the tests.
"""
import contextlib
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)


def _app(tmp):
    from caregiver import create_app
    return create_app({"TESTING": True, "DATABASE": str(Path(tmp) / "alerts.db"), "SECRET_KEY": "bench",
                       "SESSION_COOKIE_SECURE": False, "SERVER_NAME": "localhost", "PUSH_ALLOW_LOCAL_FOR_TESTS": True})


def delivery_rate(n=300):
    """Alerts per second that one sender hands to the local receiver."""
    from caregiver import alerts, push, sender
    from caregiver.db import connect, write
    from tests.push_receiver import Receiver
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(tmp)
        receiver = Receiver(push.public_key(app.config["VAPID_PRIVATE_KEY"]))
        try:
            with app.app_context():
                db = connect(app.config["DATABASE"])
                now = datetime.now(timezone.utc)
                with write(db):
                    db.execute("INSERT INTO users (id, username, display_name, password_hash, created_at)"
                               " VALUES (1, 'a', 'A', 'x', ?)", [now.isoformat()])
                    db.execute("INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES ('s', 1, ?, ?)",
                               [now.isoformat(), now.isoformat()])
                    for i in range(10):  # ten phones, as a few circles would have
                        phone = receiver.phone(f"p{i}")
                        db.execute("INSERT INTO push_subscriptions (id, user_id, session_hash, endpoint, p256dh, auth,"
                                   " browser, created_at) VALUES (?, 1, 's', ?, ?, ?, 'bench', ?)",
                                   [i + 1, phone.endpoint, phone.p256dh, phone.auth, now.isoformat()])
                    for k in range(n):
                        alerts.enqueue(db, k % 10 + 1, 1, None, "test", f"bench-{k}",
                                       {"title": "Sam", "body": "An urgent sign was logged: open for the steps.",
                                        "url": "/"}, now)
                t = time.perf_counter()
                counts = sender.send_due(db, sender="bench")
                seconds = time.perf_counter() - t
                db.close()
        finally:
            receiver.close()
        assert counts.get("delivered") == n == len(receiver.received), (counts, len(receiver.received))
        return {"alerts": n, "seconds": round(seconds, 3), "alerts_per_second": round(n / seconds, 1)}


def _checkin_requests(app, client, circle_id, token, overdose, count, group):
    """POSTs of new check-ins, each with its own client id (so each one is stored)."""
    from caregiver.dates import today_in
    day = today_in("America/New_York").isoformat()
    base = {"csrf_token": token, "date": day, "craving": "3", "stress": "4"}
    if overdose:
        base.update(overdose="y", naloxone_given="y")
    return [base | {"client_id": f"bench-{group}-{i:06d}"} for i in range(count)]


def checkin_cost(n=60):
    """Median ms to save a check-in with the outbox hook, and with a no-op in its place."""
    from caregiver import records
    from tests.conftest import Actions, csrf_from
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(tmp)
        alice = Actions(app.test_client())
        alice.sign_up("alice")
        circle = alice.create_circle("Sam")
        bea_client = app.test_client()
        bea = Actions(bea_client)
        alice.post(f"/c/{circle}/invites", token_from=f"/c/{circle}/members")
        html = alice.client.get(f"/c/{circle}/members").get_data(as_text=True)
        bea.sign_up("bea")
        bea.post(re.search(r'readonly value="http://localhost(/invite/[^"]+)"', html).group(1))
        token = csrf_from(bea_client.get(f"/c/{circle}/checkins/new").get_data(as_text=True))
        path = f"/c/{circle}/checkins/new"
        real = records.urgent_alerts

        @contextlib.contextmanager
        def without_alerts(db, circle_id, user_id, checkin):
            yield {}
        groups = {(kind, hook): _checkin_requests(app, bea_client, circle, token, kind == "overdose", n + 5,
                                                  f"{kind}-{hook.replace(' ', '-')}")
                  for kind in ("ordinary", "overdose") for hook in ("before", "with alerts")}
        walls = {key: [] for key in groups}
        for i in range(n + 5):
            for key in (list(groups)[i % 4:] + list(groups)[:i % 4]):
                records.urgent_alerts = real if key[1] == "with alerts" else without_alerts
                t = time.perf_counter()
                status = bea_client.post(path, data=groups[key][i], headers={"Accept": "application/json"}).status_code
                if i >= 5:
                    walls[key].append((time.perf_counter() - t) * 1000)
                assert status == 201, status
        records.urgent_alerts = real
        med = {key: statistics.median(v) for key, v in walls.items()}
        return {kind: {"before_ms": round(med[(kind, "before")], 3), "with_alerts_ms": round(med[(kind, "with alerts")], 3),
                       "ratio": round(med[(kind, "with alerts")] / med[(kind, "before")], 3)}
                for kind in ("ordinary", "overdose")}


def run(n_alerts=300, n_checkins=60):
    return {"delivery": delivery_rate(n_alerts), "checkin_save": checkin_cost(n_checkins)}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
