"""The sender: `flask --app caregiver notify send` (one pass) and `notify worker`.

    flask --app caregiver notify send     # send what is due, then stop (a timer may run it)
    flask --app caregiver notify worker   # keep sending; read the circles each minute

Any number of senders may run beside any number of web workers: each alert is claimed
by one sender at a time (caregiver/sender.py).
"""
import secrets
import time

import click
from flask import current_app
from flask.cli import AppGroup

from . import alerts, records, sender
from .db import connect

notify_cli = AppGroup("notify", help="Send alerts and reminders (Web Push).")


def one_pass(sender_id, scan=True):
    """Send what is due (and, with scan, first read the circles), on a fresh connection
    and app context: a long-running worker never reads yesterday's cached values."""
    app = current_app._get_current_object()
    with app.app_context():
        db = connect(app.config["DATABASE"])
        from flask import g
        g.db = db  # the rules' readers (records) use the request's connection
        try:
            if scan:
                alerts.scan(db, records.circle_signals)
            return sender.send_due(db, sender_id)
        finally:
            g.pop("db", None)
            db.close()


@notify_cli.command("send")
@click.option("--no-scan", is_flag=True, help="Only send what is queued; read no circle.")
def send_command(no_scan):
    """Send every alert that is due, once."""
    counts = one_pass(secrets.token_hex(8), scan=not no_scan)
    click.echo("sent: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing was due"))


@notify_cli.command("worker")
@click.option("--every", default=2.0, show_default=True, help="Seconds between looks at the outbox.")
def worker_command(every):
    """Keep sending alerts and due reminders until stopped."""
    run_worker(every, say=click.echo)


def run_worker(every, say, stop=None):
    """The worker's loop, until `stop` (a threading.Event) is set or the process ends."""
    sender_id = secrets.token_hex(8)
    say(f"notify worker {sender_id}: sending every {every:g} s; reading the circles every {alerts.SCAN_EVERY} s")
    last_scan = None
    while not (stop and stop.is_set()):
        scan = last_scan is None or time.monotonic() - last_scan >= alerts.SCAN_EVERY
        if scan:
            last_scan = time.monotonic()
        try:
            counts = one_pass(sender_id, scan=scan)
        except Exception as e:  # a bad moment (a locked database) must not stop the alerts
            say(f"notify worker: {type(e).__name__}: {e}")
            counts = {}
        if counts:
            say("sent: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
        if stop:
            stop.wait(every)
        else:
            time.sleep(every)
