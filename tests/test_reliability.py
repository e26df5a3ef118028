"""Reliability against real servers: many writers at once, SIGKILL mid-write, backup and restore.

The app runs as production runs it (gunicorn -w 2 --threads 4, a subprocess on 127.0.0.1)
and is driven over HTTP with the standard library only: each caregiver is a `Phone`
with its own cookies and CSRF token, saving check-ins the way the offline outbox does
(Accept: application/json, X-CSRFToken header): 201 {"created": true} for a new entry,
200 {"created": false} for a replay of a client_id already stored.

Run with -s to see the figures each test prints.
"""
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest

from caregiver import create_app
from caregiver import db as cdb
from caregiver import signals

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable  # the virtualenv's python: its gunicorn and flask
SECRET = "reliability-test-secret"
PASSWORD = "a long enough passphrase"
TZ = "America/New_York"
BOOT_TIMEOUT = 60  # seconds; generous, the 2 cores are shared
HTTP_TIMEOUT = 30
WAIT_TIMEOUT = 90
STRACE = shutil.which("strace")
BAD_LOG = ("database is locked", "Traceback", "Exception on", "WORKER TIMEOUT")


# --- servers -------------------------------------------------------------------------------

def strace_works():
    """strace with seccomp-bpf needs ptrace; some containers forbid it (then only the
    pragmas are checked). Not installed is a failure, never a silent pass."""
    if not STRACE:
        pytest.fail("strace not found: run scripts/install-test-tools", pytrace=False)
    probe = subprocess.run([STRACE, "-f", "-qq", "--seccomp-bpf", "-e", "trace=fdatasync", "-o", os.devnull,
                            "true"], capture_output=True, timeout=WAIT_TIMEOUT)
    return probe.returncode == 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(db_path):
    return {**os.environ, "CAREGIVER_DATABASE": str(db_path), "CAREGIVER_SECRET_KEY": SECRET,
            "CAREGIVER_SESSION_COOKIE_SECURE": "0", "PYTHONUNBUFFERED": "1"}


def group_pids(pgid):
    """{pid: parent pid} of the live processes of a process group (zombies left out)."""
    pids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # it just ended
        state, ppid, group = stat[stat.rindex(")") + 2:].split()[:3]  # after "pid (comm) "
        if int(group) == pgid and state != "Z":
            pids[int(entry)] = int(ppid)
    return pids


class Server:
    """gunicorn in its own process group. With trace=True it runs under strace, which
    records every fsync/fdatasync the workers make (seccomp-bpf: nothing else slows down)."""

    def __init__(self, db_path, log_path, trace_path=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path, self.trace_path = Path(log_path), trace_path
        # --no-control-socket: gunicorn 27 otherwise shares one socket in ~/.gunicorn
        # with every other gunicorn on the machine.
        cmd = [PY, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{self.port}",
               "--no-control-socket", "--error-logfile", "-", "--graceful-timeout", "10",
               "caregiver:create_app()"]
        if trace_path:
            cmd = [STRACE, "-f", "-qq", "-y", "--seccomp-bpf", "-e", "trace=fsync,fdatasync",
                   "-o", str(trace_path), *cmd]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=app_env(db_path), stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self):
        deadline = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn exited ({self.proc.returncode}):\n{self.log_text()}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.05)  # poll interval, not a synchronisation
        pytest.fail(f"gunicorn did not answer /healthz in {BOOT_TIMEOUT} s:\n{self.log_text()}")

    def gunicorn_pids(self):
        """Master first: a dead master cannot fork a replacement worker."""
        pids = group_pids(self.proc.pid)
        if self.trace_path:
            pids.pop(self.proc.pid, None)  # strace itself
            master = [p for p, parent in pids.items() if parent == self.proc.pid]
        else:
            master = [self.proc.pid] if self.proc.pid in pids else []
        return master + [p for p in pids if p not in master]

    def kill(self):
        """SIGKILL every gunicorn process, as a crash or the OOM killer would. strace (if
        any) is spared so it writes out its trace, then exits on its own."""
        deadline = time.monotonic() + WAIT_TIMEOUT
        while (pids := self.gunicorn_pids()) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, FileNotFoundError):
                    pass
        self.proc.wait(timeout=WAIT_TIMEOUT)
        self.log.close()

    def stop(self):
        """A graceful stop (SIGTERM to the master: in-flight requests finish)."""
        pids = self.gunicorn_pids()
        if pids:
            os.kill(pids[0], signal.SIGTERM)
        self.proc.wait(timeout=WAIT_TIMEOUT)
        self.log.close()

    def close(self):
        """Whatever happened, nothing of ours is left running."""
        if group_pids(self.proc.pid):
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group this fixture started
        self.proc.wait(timeout=WAIT_TIMEOUT)
        if not self.log.closed:
            self.log.close()

    def log_text(self):
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def syncs(self):
        """{file name: fsync/fdatasync calls on it} the server made (strace -y names the fd)."""
        counts = {}
        for path in re.findall(r"\b(?:fsync|fdatasync)\(\d+<([^>]*)>\)\s+= 0", Path(self.trace_path).read_text()):
            counts[Path(path).name] = counts.get(Path(path).name, 0) + 1
        return counts


@pytest.fixture
def servers(tmp_path):
    started = []

    def start(db_path, trace=False):
        n = len(started)
        server = Server(db_path, tmp_path / f"gunicorn-{n}.log",
                        trace_path=tmp_path / f"strace-{n}.txt" if trace else None)
        started.append(server)
        return server.wait_ready()

    start.all = started
    yield start
    for server in started:
        server.close()


def assert_clean_logs(servers):
    for server in servers:
        log = server.log_text()
        for bad in BAD_LOG:
            assert bad not in log, f"{bad!r} in {server.log_path.name}:\n{log[-3000:]}"


# --- caregivers over HTTP ----------------------------------------------------------------

def csrf_from(html):
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


class Phone:
    """One caregiver's phone: its own cookie jar and CSRF token. A new connection per
    request (Connection: close), so a lost answer can only mean the server died."""

    def __init__(self, url):
        self.url = url
        self.cookies = {}
        self.token = None
        self.user_id = None
        self.lock = threading.Lock()

    def request(self, method, path, form=None, headers=None):
        u = urlsplit(self.url)
        headers = {"Connection": "close", **(headers or {})}
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode()
        finally:
            conn.close()
        for raw in resp.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(raw)
            with self.lock:
                for name, morsel in cookie.items():
                    if not morsel.value or morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        return resp.status, resp.headers, text

    def post_form(self, path, data, token_from=None):
        status, _, html = self.request("GET", token_from or path)
        assert status == 200, (path, status)
        return self.request("POST", path, {"csrf_token": csrf_from(html), **data})

    def sign_up(self, username):
        status, headers, body = self.post_form("/sign-up", {
            "username": username, "display_name": username.title(), "password": PASSWORD})
        assert status == 302, body[:2000]

    def ready(self, circle_id):
        """Open the circle once (stores it in the session) and take the outbox's CSRF token."""
        assert self.request("GET", f"/c/{circle_id}/checkins/new")[0] == 200
        status, _, body = self.request("GET", "/csrf")
        assert status == 200, body
        self.token = json.loads(body)["csrf_token"]

    def checkin(self, circle_id, values):
        """Save a check-in as the outbox does. Returns (status, parsed JSON or text)."""
        status, _, body = self.request(
            "POST", f"/c/{circle_id}/checkins/new", values,
            headers={"Accept": "application/json", "X-CSRFToken": self.token})
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body[:500]


def make_circle(url, n):
    """n caregivers, all signed up over HTTP; the first makes a circle and invites the others."""
    owner = Phone(url)
    owner.sign_up("carer0")
    status, headers, body = owner.post_form("/circles/new", {
        "nickname": "Sam", "level_of_care": "outpatient", "level_since": "2026-11-01",
        "living_situation": "home", "timezone": TZ, "emergency_number": "911"})
    assert status == 302, body[:2000]
    circle_id = int(re.search(r"/c/(\d+)/", headers["Location"]).group(1))
    phones = [owner]
    for i in range(1, n):
        status, _, _ = owner.post_form(f"/c/{circle_id}/invites", {}, token_from=f"/c/{circle_id}/members")
        assert status == 302
        html = owner.request("GET", f"/c/{circle_id}/members")[2]
        path = re.search(r'readonly value="https?://[^/"]+(/invite/[^"]+)"', html).group(1)
        phone = Phone(url)
        phone.sign_up(f"carer{i}")
        assert phone.post_form(path, {})[0] == 302
        phones.append(phone)
    for phone in phones:
        phone.ready(circle_id)
    return phones, circle_id


def user_ids(db_path, phones):
    conn = sqlite3.connect(db_path)
    try:
        for i, phone in enumerate(phones):
            phone.user_id = conn.execute("SELECT id FROM users WHERE username = ?", [f"carer{i}"]).fetchone()[0]
    finally:
        conn.close()


# --- check-ins and what the database must hold ------------------------------------------

def new_values(rng, client_id=None):
    """A check-in as the form sends it, different every time, dated in the last days."""
    client_id = client_id or str(uuid.UUID(int=rng.getrandbits(128), version=4))
    day = datetime.now(ZoneInfo(TZ)).date() - timedelta(days=rng.randint(0, 3))
    values = {
        "client_id": client_id, "date": day.isoformat(),
        "craving": str(rng.randint(0, 10)), "stress": rng.choice(["", str(rng.randint(0, 10))]),
        "withdrawal": rng.choice(signals.WITHDRAWAL), "access": rng.choice(signals.ACCESS),
        "medication": rng.choice(signals.MEDICATION), "use": rng.choice(signals.USE),
        "withdrawal_signs": rng.sample(signals.WITHDRAWAL_SIGNS, rng.randint(0, 3)),
        "notes": f"note {client_id}",
    }
    if rng.random() < 0.1:
        values["overdose"] = "y"
    if rng.random() < 0.1:
        values["naloxone_given"] = "y"
    return values


def expected_row(values, user_id):
    """The row save_checkin must store for these form values."""
    return {
        "user_id": user_id, "client_id": values["client_id"], "date": values["date"],
        "craving": int(values["craving"]), "stress": int(values["stress"]) if values["stress"] else None,
        "withdrawal": values["withdrawal"], "access": values["access"],
        "medication": values["medication"], "use": values["use"],
        "withdrawal_signs": json.dumps([s for s in signals.WITHDRAWAL_SIGNS if s in values["withdrawal_signs"]]),
        "overdose": int("overdose" in values), "naloxone_given": int("naloxone_given" in values),
        "notes": values["notes"],
    }


def stored_checkins(db_path, circle_id):
    """client_id -> row, after checking the file is sound and every check-in came with
    its audit row (both are written in one transaction, so neither exists alone)."""
    conn = sqlite3.connect(db_path)  # what a restarted app does first: replay the WAL
    conn.row_factory = sqlite3.Row
    try:
        assert [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"]
        rows = [dict(r) for r in conn.execute("SELECT * FROM checkins WHERE circle_id = ?", [circle_id])]
        audited = [r[0] for r in conn.execute(
            "SELECT checkin_id FROM checkin_audit WHERE circle_id = ? AND action = 'create'", [circle_id])]
    finally:
        conn.close()
    assert sorted(audited) == sorted(r["id"] for r in rows), "a check-in without its audit row, or the reverse"
    by_client = {r["client_id"]: r for r in rows}
    assert len(by_client) == len(rows), "a client_id stored twice"
    return by_client


def assert_stored(by_client, client_id, values, user_id, checkin_id=None):
    row = by_client.get(client_id)
    assert row is not None, f"acknowledged check-in {client_id} is not in the database"
    assert {k: row[k] for k in expected_row(values, user_id)} == expected_row(values, user_id)
    if checkin_id is not None:
        assert row["id"] == checkin_id


class Writers:
    """Caregivers saving check-ins without pause, each phone from `per_phone` threads,
    until stopped or until the server goes away."""

    def __init__(self, phones, circle_id, per_phone=3, seed=0):
        self.phones, self.circle_id = phones, circle_id
        self.acked = {}  # client_id -> (phone, values, id): answered 201
        self.in_doubt = {}  # client_id -> (phone, values): sent, no answer (the server died)
        self.failures = []  # any other answer
        self.cond = threading.Condition()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(phone, random.Random(f"{seed}-{i}")), daemon=True)
                        for i, phone in enumerate(phones * per_phone)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def _run(self, phone, rng):
        while not self.stop.is_set():
            values = new_values(rng)
            cid = values["client_id"]
            try:
                status, body = phone.checkin(self.circle_id, values)
            except ConnectionRefusedError:
                return  # the server is gone: this one was never sent
            except (OSError, http.client.HTTPException):
                with self.cond:
                    self.in_doubt[cid] = (phone, values)
                return
            with self.cond:
                if status == 201 and body["created"]:
                    self.acked[cid] = (phone, values, body["id"])
                else:
                    self.failures.append((status, body))
                self.cond.notify_all()
            if status != 201:
                return

    def wait_for(self, n):
        with self.cond:
            done = self.cond.wait_for(lambda: len(self.acked) >= n or self.failures, WAIT_TIMEOUT)
            assert not self.failures, self.failures[:5]
            assert done, f"only {len(self.acked)} of {n} check-ins acknowledged in {WAIT_TIMEOUT} s"
            return set(self.acked)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(WAIT_TIMEOUT)
            assert not t.is_alive(), "a client thread hung"
        assert not self.failures, self.failures[:5]


# --- 1. concurrency ------------------------------------------------------------------------

CAREGIVERS = 4
THREADS = 12  # 3 per caregiver: one phone's outbox and two open tabs, say
STEPS = 25  # unique check-ins per thread
RACES = 40  # the same client_id sent by two threads at the same instant
LATE_REPLAYS = 40  # an entry sent again later (the phone never saw the answer)


def test_many_caregivers_saving_at_once_store_each_checkin_exactly_once(tmp_path, servers):
    started = time.monotonic()
    db_path = tmp_path / "app.db"
    server = servers(db_path)
    phones, circle_id = make_circle(server.url, CAREGIVERS)
    rng = random.Random(20261201)

    # Per-thread job lists. A race is a Barrier(2) shared by two threads of one phone;
    # races are appended to both lists in one global order, so no two threads can wait
    # on each other's barriers in opposite orders (no deadlock).
    jobs = [[] for _ in range(THREADS)]
    sent = {}  # client_id -> (phone, values)
    races = late = 0
    for step in range(STEPS):
        for t in range(THREADS):
            values = new_values(rng)
            sent[values["client_id"]] = (phones[t % CAREGIVERS], values)
            jobs[t].append((None, values))
        for _ in range(2):
            if races < RACES:
                a = rng.randrange(THREADS)
                b = (a + CAREGIVERS * rng.randint(1, THREADS // CAREGIVERS - 1)) % THREADS  # same phone
                values = new_values(rng)
                sent[values["client_id"]] = (phones[a % CAREGIVERS], values)
                barrier = threading.Barrier(2, timeout=WAIT_TIMEOUT)
                jobs[a].append((barrier, values))
                jobs[b].append((barrier, values))
                races += 1
        if step >= 3 and late < LATE_REPLAYS:
            for _ in range(2):  # an earlier entry of thread t, sent again from another of its phone's threads
                t = rng.randrange(THREADS)
                _, values = jobs[t][rng.randrange(len(jobs[t]) - 3)]
                jobs[(t + CAREGIVERS) % THREADS].append((None, values))
                late += 1

    answers = []  # (client_id, status, body)
    in_flight = [0, 0]  # now, peak
    lock = threading.Lock()
    go = threading.Event()

    def run(t):
        phone = phones[t % CAREGIVERS]
        go.wait()
        for barrier, values in jobs[t]:
            if barrier:
                barrier.wait()
            with lock:
                in_flight[0] += 1
                in_flight[1] = max(in_flight)
            try:
                status, body = phone.checkin(circle_id, values)
            except Exception as e:  # noqa: BLE001 - every request must be answered
                status, body = None, repr(e)
            with lock:
                in_flight[0] -= 1
                answers.append((values["client_id"], status, body))

    threads = [threading.Thread(target=run, args=(t,), daemon=True) for t in range(THREADS)]
    for t in threads:
        t.start()
    load_started = time.monotonic()
    go.set()
    for t in threads:
        t.join(WAIT_TIMEOUT)
        assert not t.is_alive(), "a client thread hung"
    load_seconds = time.monotonic() - load_started
    server.stop()

    requests = len(answers)
    assert requests == sum(len(j) for j in jobs)
    bad = [a for a in answers if a[1] not in (200, 201)]
    examples = [(status, str(body)[:120]) for _, status, body in bad[:3]]
    assert not bad, f"{len(bad)} of {requests} requests not answered 2xx, e.g. {examples}"
    assert_clean_logs([server])

    # Exactly one 201 {"created": true} per client_id; every other answer for it is the
    # documented replay answer, 200 {"created": false}, with the same id.
    by_client = {}
    for cid, status, body in answers:
        by_client.setdefault(cid, []).append((status, body["created"], body["id"]))
    for cid, got in by_client.items():
        assert sorted(s for s, _, _ in got) == [200] * (len(got) - 1) + [201], (cid, got)
        assert all(created == (status == 201) for status, created, _ in got), (cid, got)
        assert len({i for _, _, i in got}) == 1, (cid, got)
    assert set(by_client) == set(sent)

    user_ids(db_path, phones)
    stored = stored_checkins(db_path, circle_id)
    assert set(stored) == set(sent), "the database holds other check-ins than those sent"
    for cid, (phone, values) in sent.items():
        assert_stored(stored, cid, values, phone.user_id, checkin_id=by_client[cid][0][2])
    assert in_flight[1] >= 8, f"at most {in_flight[1]} requests were ever in flight together"

    print(f"\nconcurrency: {CAREGIVERS} caregivers, {THREADS} threads, {requests} requests "
          f"({len(sent)} check-ins, {races} racing replays, {late} late replays), "
          f"peak {in_flight[1]} in flight, {requests / load_seconds:.0f} req/s, "
          f"test {time.monotonic() - started:.1f} s")


# --- 2. crash ------------------------------------------------------------------------------

KILLS = 3


def test_sigkill_mid_write_keeps_every_acknowledged_checkin_and_a_sound_file(tmp_path, servers):
    """SIGKILL shows atomicity and that nothing is half-written. It cannot show
    synchronous=FULL (the kernel keeps a killed process's writes), so each round also
    counts, under strace, that the server synced at least once per acknowledged check-in:
    with synchronous=NORMAL or OFF a WAL commit is not synced, and a power cut loses it."""
    started = time.monotonic()
    db_path = tmp_path / "app.db"
    trace = strace_works()
    server = servers(db_path, trace=trace)
    phones, circle_id = make_circle(server.url, 2)
    user_ids(db_path, phones)
    acked = {}  # client_id -> (phone, values, id), over every round
    in_doubt = {}
    figures = []
    for kill in range(KILLS + 1):
        if kill:
            server = servers(db_path, trace=trace)
            for phone in phones:  # the same cookies and CSRF token: sessions survived too
                phone.url = server.url
        # What the outbox does after a lost answer: send again. Each is stored once,
        # whether the kill came before its commit (201) or after (200).
        for cid, (phone, values) in list(in_doubt.items()):
            status, body = phone.checkin(circle_id, values)
            assert status in (200, 201), (status, body)
            figures[-1]["in doubt, saved before the kill"] += status == 200
            acked[cid] = (phone, values, body["id"])
            del in_doubt[cid]
        if kill == KILLS:
            break
        writers = Writers(phones, circle_id, per_phone=3, seed=kill).start()
        writers.wait_for(40 + 10 * kill)  # then kill, while 6 requests are in flight
        server.kill()
        writers.finish()
        acked.update(writers.acked)
        in_doubt.update(writers.in_doubt)

        stored = stored_checkins(db_path, circle_id)  # integrity_check "ok" is asserted there
        for cid, (phone, values, checkin_id) in acked.items():
            assert_stored(stored, cid, values, phone.user_id, checkin_id)
        syncs = server.syncs() if trace else None
        if trace:
            # synchronous=FULL syncs the WAL at every commit; NORMAL and OFF sync it only
            # when a checkpoint copies it into the database file, which is synced then too.
            commit_syncs = syncs.get(db_path.name + "-wal", 0) - syncs.get(db_path.name, 0)
            assert commit_syncs >= len(writers.acked), (
                f"fsyncs {syncs} for {len(writers.acked)} acknowledged commits: not synchronous=FULL")
        figures.append({"acknowledged": len(writers.acked), "in doubt (no answer)": len(writers.in_doubt),
                        "in doubt, saved before the kill": 0,
                        "fsyncs (wal, db)": syncs and (syncs.get(db_path.name + "-wal"), syncs.get(db_path.name))})

    # Belt and braces, and the only check where strace cannot run: every app connection's pragmas.
    conn = cdb.connect(str(db_path)).conn
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()

    # The restarted app serves the history with everything acknowledged in it.
    status, _, html = phones[1].request("GET", f"/c/{circle_id}/history")
    assert status == 200
    missing = [cid for cid in acked if f"note {cid}" not in html]
    assert not missing, f"{len(missing)} acknowledged check-ins not on the history page"
    server.stop()
    assert_clean_logs(servers.all)
    stored = stored_checkins(db_path, circle_id)
    assert set(stored) == set(acked), "after replays every entry is stored once, nothing else"

    print(f"\ncrash: {KILLS} SIGKILLs survived, {len(acked)} check-ins stored in the end; per kill: "
          f"{figures}; strace {'on' if trace else 'unavailable'}; test {time.monotonic() - started:.1f} s")
    assert sum(f["in doubt (no answer)"] for f in figures) >= 1, "no kill landed while requests were in flight"


# --- 3. backup and restore ---------------------------------------------------------------

def flask_cli(*args, db_path):
    """The command an operator types, in a subprocess."""
    return subprocess.run([PY, "-m", "flask", "--app", "caregiver", *args], cwd=ROOT,
                          env=app_env(db_path), capture_output=True, text=True, timeout=WAIT_TIMEOUT)


def dump(db_path):
    """Every row of every table, in rowid order."""
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        conn.close()


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_backup_while_writing_is_a_consistent_snapshot_and_restore_reproduces_it(tmp_path, servers):
    started = time.monotonic()
    live, backup = tmp_path / "live.db", tmp_path / "backup.db"
    server = servers(live)
    phones, circle_id = make_circle(server.url, 2)
    writers = Writers(phones, circle_id, per_phone=2, seed="backup").start()
    before = writers.wait_for(30)
    result = flask_cli("db", "backup", str(backup), db_path=live)
    during = writers.wait_for(0)
    writers.wait_for(len(during) + 10)  # the app kept saving after the backup, too
    writers.finish()
    server.stop()
    assert_clean_logs([server])
    assert result.returncode == 0, result.stderr
    assert "integrity: ok" in result.stdout
    assert len(during) > len(before), "no check-in was saved while the backup ran"

    # A snapshot: sound, holding everything acknowledged before it started, and exactly
    # the first N check-ins of the live database (ids are given in commit order).
    user_ids(live, phones)
    snap = stored_checkins(backup, circle_id)
    final = stored_checkins(live, circle_id)
    assert set(final) == set(writers.acked)
    assert before <= set(snap), "the backup lacks check-ins acknowledged before it started"
    assert len(snap) < len(final), "the backup holds check-ins saved after it ended"
    last_id = max(r["id"] for r in snap.values())
    assert sorted(snap.values(), key=lambda r: r["id"]) == \
        sorted((r for r in final.values() if r["id"] <= last_id), key=lambda r: r["id"])
    copy = dump(backup)
    assert len(copy["users"]) == 2 and len(copy["memberships"]) == 2

    # Restore into a fresh path, as onto a new machine: the same rows, table by table.
    restored = tmp_path / "new-machine" / "caregiver.db"
    restored.parent.mkdir()
    result = flask_cli("db", "restore", "--yes", str(backup), db_path=restored)
    assert result.returncode == 0, result.stderr
    assert "restored from" in result.stdout
    assert dump(restored) == copy

    # The restored database opens in the app: a caregiver signs in and sees the history.
    app = create_app({"DATABASE": str(restored), "SECRET_KEY": SECRET, "SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"csrf_token": token, "username": "carer1", "password": PASSWORD})
    assert response.status_code == 302
    html = client.get(f"/c/{circle_id}/history").get_data(as_text=True)
    assert all(f"note {cid}" in html for cid in snap), "a restored check-in is missing from the history page"
    assert not any(f"note {cid}" in html for cid in set(final) - set(snap))

    # Refusals: each leaves the current database byte for byte as it was.
    (tmp_path / "notes.txt").write_text("not a database\n" * 500)
    (tmp_path / "empty.db").write_bytes(b"")  # passes integrity_check; restoring it wiped everything
    data = backup.read_bytes()
    (tmp_path / "cut-short.db").write_bytes(data[:len(data) // 2])  # an interrupted copy
    damaged = bytearray(data)
    damaged[4096 * 2:4096 * 6] = random.Random(7).randbytes(4096 * 4)  # pages 3-6 overwritten
    (tmp_path / "damaged.db").write_bytes(bytes(damaged))
    rows, digest = dump(restored), sha256(restored)
    procs = {name: subprocess.Popen(  # in parallel: each start-up costs a second
        [PY, "-m", "flask", "--app", "caregiver", "db", "restore", "--yes", str(tmp_path / name)],
        cwd=ROOT, env=app_env(restored), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("notes.txt", "empty.db", "cut-short.db", "damaged.db")}
    try:
        outputs = {name: p.communicate(timeout=WAIT_TIMEOUT) + (p.returncode,) for name, p in procs.items()}
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()
    accepted = [name for name, (_, _, code) in outputs.items() if code == 0]
    assert not accepted, f"restore accepted {accepted}"
    for name, (out, err, code) in outputs.items():
        assert "not restoring from" in err and "The current database was not changed." in err, (name, err)
        assert "Traceback" not in err, (name, err)
    assert sha256(restored) == digest
    assert dump(restored) == rows

    print(f"\nbackup: {len(snap)} of {len(final)} check-ins in the snapshot ({len(before)} acknowledged "
          f"before it began, {len(during)} when it ended); restore reproduced {sum(map(len, copy.values()))} "
          f"rows; refused: {', '.join(outputs)}; test {time.monotonic() - started:.1f} s")


def test_a_burst_of_wrong_passwords_checks_at_most_the_limit(servers, tmp_path):
    """30 wrong passwords at once against 2 workers x 4 threads: each attempt is counted
    before its (slow) argon2 check, in the same write that reads the lock, so at most
    LOGIN_MAX_FAILURES (5) passwords are checked; the rest wait without a check."""
    db_path = tmp_path / "burst.db"
    server = servers(db_path)
    url = server.url
    Phone(url).sign_up("victim")
    phones = [Phone(url) for _ in range(30)]
    tokens = [csrf_from(p.request("GET", "/sign-in")[2]) for p in phones]
    start = threading.Barrier(len(phones))
    statuses = []

    def guess(phone, token):
        start.wait()
        status, _, _ = phone.request("POST", "/sign-in", {"csrf_token": token, "username": "victim",
                                                          "password": "not the password at all"})
        statuses.append(status)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(phones, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT_TIMEOUT)
    checked = statuses.count(400)  # a checked wrong password; 429 is a refusal before any check
    assert len(statuses) == 30 and set(statuses) <= {400, 429}, statuses
    assert 1 <= checked <= 5, statuses
    with sqlite3.connect(db_path) as conn:
        logged = conn.execute("SELECT count(*) FROM audit_log WHERE event = 'sign_in.failed'").fetchone()[0]
    assert logged == checked
    assert_clean_logs([server])
    print(f"\n30 parallel wrong passwords: {checked} checked, {statuses.count(429)} refused")
