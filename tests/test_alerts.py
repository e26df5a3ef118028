"""Alerts end to end: a check-in that makes an urgent rule hold reaches the other
members' phones through a real (local) push service, once, with no health value."""
import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest

from caregiver import alerts, push, sender
from caregiver.dates import today_in
from caregiver.db import connect
from tests.push_receiver import Receiver

TZ = "America/New_York"


@pytest.fixture
def app(tmp_path):
    from caregiver import create_app
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "test.db"), "SECRET_KEY": "test-secret",
                       "SESSION_COOKIE_SECURE": False, "SERVER_NAME": "localhost",
                       "PUSH_ALLOW_LOCAL_FOR_TESTS": True, "PUSH_TIMEOUT": 2})


@pytest.fixture
def receiver(app):
    r = Receiver(push.public_key(app.config["VAPID_PRIVATE_KEY"]))
    yield r
    r.close()


def rows(app, sql, params=()):
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def send(app, now=None, name=None):
    with app.app_context():
        db = connect(app.config["DATABASE"])
        try:
            return sender.send_due(db, sender=name, now=now)
        finally:
            db.close()


def subscribe(auth, phone):
    return auth.post("/account/notifications/subscribe", phone.form(), token_from="/account/notifications")


def invite(alice, circle_id, name, app):
    """Alice invites `name`, who joins on their own phone (another client): Alice stays signed in."""
    import re
    from tests.conftest import Actions
    alice.post(f"/c/{circle_id}/invites", token_from=f"/c/{circle_id}/members")
    html = alice.client.get(f"/c/{circle_id}/members").get_data(as_text=True)
    path = re.search(r'readonly value="http://localhost(/invite/[^"]+)"', html).group(1)
    other = Actions(app.test_client())
    other.sign_up(name)
    assert other.post(path).status_code == 302
    return other


@pytest.fixture
def alice(auth):
    return auth


@pytest.fixture
def circle_and_bea(app, alice, receiver):
    """Alice and Bea in one circle, each on their own phone; Alice's has notifications on."""
    alice.sign_up("alice")
    circle_id = alice.create_circle("Sam", tz=TZ)
    assert subscribe(alice, receiver.phone("alice-phone")).status_code == 302
    return circle_id, invite(alice, circle_id, "bea", app)


@pytest.fixture
def circle(circle_and_bea):
    return circle_and_bea[0]


@pytest.fixture
def bea(circle_and_bea):
    return circle_and_bea[1]


def overdose(actions, circle_id, **extra):
    return actions.checkin(circle_id, date=today_in(TZ).isoformat(), overdose="y", naloxone_given="y",
                        craving="9", notes="private words", **extra)


def test_an_overdose_check_in_reaches_the_other_members_phone_encrypted_with_no_health_value(app, bea, receiver,
                                                                                            circle):
    response = overdose(bea, circle)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Alert sent to 1 phone of another member; 0 handed to its push service so far." in page
    outbox = rows(app, "SELECT * FROM push_outbox")
    assert len(outbox) == 1 and outbox[0]["kind"] == "urgent" and outbox[0]["urgency"] == "high"
    assert send(app) == {"delivered": 1}
    [(name, headers, message)] = receiver.received
    assert name == "alice-phone"
    assert message["title"] == "Sam"
    assert message["body"] == "An urgent sign was logged: open for the steps."
    assert message["url"] == f"/c/{circle}/#urgent-title"
    text = str(message).lower()
    for value in ("overdose", "naloxone", "9", "private"):
        assert value not in text
    assert headers["Urgency"] == "high" and int(headers["TTL"]) <= 3600
    assert len(headers["Topic"]) <= 32
    # The saved page, read again, says it was handed over.
    html = bea.client.get(f"/c/{circle}/checkins/{outbox[0]['checkin_id']}/alerts").get_data(as_text=True)
    assert "Alert sent to 1 phone of another member; 1 handed to its push service so far." in html
    assert rows(app, "SELECT last_delivered_at FROM push_subscriptions")[0]["last_delivered_at"]


def test_each_phone_reads_its_alert_in_the_language_it_subscribed_in(app, alice, receiver):
    from babel.messages.pofile import read_po
    from caregiver.words import LOCALEDIR
    with open(LOCALEDIR / "es" / "LC_MESSAGES" / "messages.po", "rb") as f:
        spanish = read_po(f)["An urgent sign was logged: open for the steps."].string
    alice.sign_up("alice")
    circle_id = alice.create_circle("Sam", tz=TZ)
    assert alice.post("/account/notifications/subscribe", receiver.phone("alice-phone").form(),
                      token_from="/account/notifications", headers={"Accept-Language": "es"}).status_code == 302
    bea = invite(alice, circle_id, "bea", app)
    assert subscribe(bea, receiver.phone("bea-phone")).status_code == 302  # in English
    carl = invite(alice, circle_id, "carl", app)
    overdose(carl, circle_id)  # Carl reads English; each phone gets its own language
    assert send(app) == {"delivered": 2}
    bodies = {name: message["body"] for name, _headers, message in receiver.received}
    assert bodies == {"alice-phone": spanish, "bea-phone": "An urgent sign was logged: open for the steps."}
    assert spanish != bodies["bea-phone"]


def test_the_author_is_not_alerted_and_an_ordinary_check_in_alerts_nobody(app, bea, receiver, circle):
    subscribe(bea, receiver.phone("bea-phone"))
    bea.checkin(circle, date=today_in(TZ).isoformat(), craving="3")
    assert rows(app, "SELECT * FROM push_outbox") == []
    overdose(bea, circle)
    assert [r["user_id"] for r in rows(app, "SELECT user_id FROM push_outbox")] == \
        [rows(app, "SELECT id FROM users WHERE username = 'alice'")[0]["id"]]


def test_a_second_overdose_while_the_rule_holds_does_not_alert_again(app, bea, receiver, circle):
    overdose(bea, circle)
    overdose(bea, circle, client_id="second-one-1234")
    assert len(rows(app, "SELECT * FROM push_outbox")) == 1


def test_a_push_service_answering_500_then_201_delivers_once(app, bea, receiver, circle):
    receiver.answers["alice-phone"] = [500]
    overdose(bea, circle)
    assert send(app) == {"retry": 1}
    row = rows(app, "SELECT * FROM push_outbox")[0]
    assert row["state"] == "pending" and row["attempts"] == 1
    assert send(app) == {}  # not due yet: backoff
    later = datetime.now(timezone.utc) + timedelta(minutes=5)
    assert send(app, now=later) == {"delivered": 1}
    assert len(receiver.received) == 1
    assert [a["status"] for a in rows(app, "SELECT status FROM push_attempts ORDER BY id")] == [500, 201]


def test_retry_after_is_honoured_and_retries_stop_after_24_hours(app, bea, receiver, circle):
    receiver.answers["alice-phone"] = [429] + [503] * 40
    overdose(bea, circle)
    now = datetime.now(timezone.utc)
    send(app, now=now)
    due = datetime.fromisoformat(rows(app, "SELECT due_at FROM push_outbox")[0]["due_at"])
    assert due >= now.replace(microsecond=0) + timedelta(seconds=120)  # Retry-After: 120, not 30 s
    for hours in range(1, 30):
        send(app, now=now + timedelta(hours=hours))
    row = rows(app, "SELECT * FROM push_outbox")[0]
    assert row["state"] == "failed" and receiver.received == []
    assert all(a["at"] <= row["give_up_at"] for a in rows(app, "SELECT at FROM push_attempts"))


def test_410_deletes_the_subscription_and_keeps_the_record(app, bea, receiver, circle):
    del receiver.phones["alice-phone"]  # the receiver answers 410 for a phone it does not know
    overdose(bea, circle)
    assert send(app) == {"gone": 1}
    assert rows(app, "SELECT * FROM push_subscriptions") == []
    assert rows(app, "SELECT state FROM push_outbox") == [{"state": "failed"}]
    assert rows(app, "SELECT status FROM push_attempts") == [{"status": 410}]


def test_a_sender_that_dies_mid_batch_loses_nothing_and_doubles_nothing(app, bea, receiver, circle):
    db_path = app.config["DATABASE"]
    # Five queued alerts: one sender claims them all, sends two, then dies.
    with app.app_context():
        db = connect(db_path)
        sub = dict(next(db.query("SELECT * FROM push_subscriptions")))
        now = datetime.now(timezone.utc)
        from caregiver.db import write
        with write(db):
            for n in range(5):
                alerts.enqueue(db, sub["id"], sub["user_id"], circle, "urgent", f"t{n}",
                               {"title": "Sam", "body": "b", "url": "/"}, now)
        claimed = sender.claim(db, "dead-sender", now, limit=5, lease=60)
        conf = sender.settings()
        for row in claimed[:2]:
            answer, refused = sender.deliver(row, conf)
            sender.record(db, row, "dead-sender", answer, refused, now)
        # (the process ends here: three rows stay claimed)
        assert sender.send_due(db, sender="other", now=now) == {}  # the lease still runs
        after = now + timedelta(seconds=61)
        assert sender.send_due(db, sender="other", now=after) == {"delivered": 3}
        db.close()
    tags = sorted(m["tag"] for m in receiver.messages())
    assert tags == ["t0", "t1", "t2", "t3", "t4"]


def test_two_web_workers_and_two_senders_send_each_alert_once(app, bea, receiver, circle):
    from caregiver import create_app
    # Two web workers: two apps on the same database, each saving overdoses.
    config = {k: app.config[k] for k in ("DATABASE", "SECRET_KEY", "VAPID_PRIVATE_KEY")}
    config.update(TESTING=True, SESSION_COOKIE_SECURE=False, SERVER_NAME="localhost", PUSH_ALLOW_LOCAL_FOR_TESTS=True)
    other = create_app(config)
    from tests.conftest import Actions
    second = Actions(other.test_client())
    second.sign_in("bea")
    receiver.delay = 0.02
    # Several circles' worth of alerts: more urgent check-ins through both workers.
    errors = []

    def save(actions, n):
        try:
            for i in range(n):
                r = actions.checkin(circle, date=(today_in(TZ) - timedelta(days=i)).isoformat(), overdose="y")
                assert r.status_code == 200
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=save, args=(a, 3)) for a in (bea, second)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    # Each check-in that began the rule queued one alert; queue more by hand for volume.
    with app.app_context():
        db = connect(app.config["DATABASE"])
        sub = dict(next(db.query("SELECT * FROM push_subscriptions")))
        from caregiver.db import write
        with write(db):
            for n in range(20):
                alerts.enqueue(db, sub["id"], sub["user_id"], circle, "urgent", f"bulk-{n}",
                               {"title": "Sam", "body": "b", "url": "/"}, datetime.now(timezone.utc))
        db.close()
    queued = len(rows(app, "SELECT id FROM push_outbox"))
    results = []
    senders = [threading.Thread(target=lambda s=s: results.append(send(app, name=s))) for s in ("s1", "s2")]
    [t.start() for t in senders]
    [t.join() for t in senders]
    tags = [m["tag"] for m in receiver.messages()]
    assert len(tags) == queued and len(set(tags)) == queued
    assert sum(r.get("delivered", 0) for r in results) == queued
    assert all(r.get("delivered") for r in results), "both senders took a share"


@pytest.mark.parametrize("url, why", [
    ("http://fcm.googleapis.com/fcm/send/x", "not https"),
    ("https://10.0.0.1/push", "bare IP"),
    ("https://[::1]/push", "bare IP"),
    ("https://localhost/push", "private address"),
    ("https://fcm.googleapis.com/" + "x" * 1100, "too long"),
    ("https://evil.example.com/push", "not a known push service"),
    ("https://user@fcm.googleapis.com/x", "user name"),
])
def test_ssrf_rules_refuse_endpoints(url, why):
    allowed = ["fcm.googleapis.com", "localhost", ".push.apple.com"]
    with pytest.raises(push.Refused, match=why):
        push.vet_endpoint(url, allowed)


def test_a_name_resolving_to_a_private_address_is_refused_and_a_public_one_is_pinned():
    def fake(address):
        return lambda host, port, type=None: [(2, 1, 6, "", (address, port))]
    with pytest.raises(push.Refused, match="private"):
        push.vet_endpoint("https://web.push.apple.com/x", [".push.apple.com"], resolve=fake("127.0.0.1"))
    with pytest.raises(push.Refused, match="private"):
        push.vet_endpoint("https://web.push.apple.com/x", [".push.apple.com"], resolve=fake("169.254.169.254"))
    target = push.vet_endpoint("https://web.push.apple.com/x?y=1", [".push.apple.com"], resolve=fake("17.1.2.3"))
    assert (target.host, target.address, target.path, target.origin) == \
        ("web.push.apple.com", "17.1.2.3", "/x?y=1", "https://web.push.apple.com")
    assert not push.host_allowed("push.apple.com.evil.com", [".push.apple.com"])


def test_the_local_exception_is_only_for_127_0_0_1_and_only_when_set():
    with pytest.raises(push.Refused):
        push.vet_endpoint("http://127.0.0.1:9/x", ["fcm.googleapis.com"])
    with pytest.raises(push.Refused):
        push.vet_endpoint("http://localhost:9/x", ["fcm.googleapis.com"], allow_local=True)
    assert push.vet_endpoint("http://127.0.0.1:9/x", [], allow_local=True).address == "127.0.0.1"


def test_subscribing_refuses_an_endpoint_outside_the_push_services(app, auth, receiver):
    auth.sign_up("alice")
    form = receiver.phone("p").form()
    form["endpoint"] = "https://10.0.0.1/push"
    response = auth.post("/account/notifications/subscribe", form, token_from="/account/notifications")
    assert response.status_code == 400
    assert "Push address: this server sends alerts only to the browsers" in response.get_data(as_text=True)
    assert rows(app, "SELECT * FROM push_subscriptions") == []


def test_with_the_worker_running_an_overdose_saved_by_bea_reaches_alices_phone(app, bea, receiver, circle):
    """The issue's "done when", in one process: the worker of `make run` (its loop, in a
    thread), Bea saving an overdose, Alice's phone (the local receiver) getting it. The
    wait is a timeout of 60 s (the issue's promise), not a measured time."""
    import time
    from caregiver.notify_cli import run_worker
    stop = threading.Event()
    said = []

    def work():
        with app.app_context():
            run_worker(0.2, said.append, stop)
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        overdose(bea, circle)
        deadline = time.monotonic() + 60
        while not receiver.messages("alice-phone") and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(10)
    assert [m["kind"] for m in receiver.messages("alice-phone")] == ["urgent"]
    assert any(line.startswith("sent: 1 delivered") for line in said), said


def test_a_passing_dns_failure_is_retried_and_keeps_the_phone(app, bea, receiver, circle, monkeypatch):
    overdose(bea, circle)

    def not_now(*args, **kwargs):
        raise push.NotResolved("web.push.apple.com does not resolve")
    monkeypatch.setattr(sender.push, "vet_endpoint", not_now)
    assert send(app) == {"retry": 1}
    assert len(rows(app, "SELECT * FROM push_subscriptions")) == 1
    monkeypatch.undo()
    assert send(app, now=datetime.now(timezone.utc) + timedelta(minutes=5)) == {"delivered": 1}
