"""The benchmark, in one command: `make bench` (or .venv/bin/python bench/run.py).

1. Seeds bench/out/bench.db (bench/seed.py), or reuses it when it matches the
   requested size and is less than 3 days old; --reseed forces a new one.
2. Serves the app with gunicorn on 127.0.0.1 (2 workers x 4 threads by default),
   on that database, with a bench-only secret key (so CSRF tokens can be signed here).
3. Prints EXPLAIN QUERY PLAN for the hot queries and sweeps every SQL literal of the
   app for table scans (bench/explain.py).
4. Drives each route with wrk (Debian package; installed when missing) and
   bench/load.lua, spread over every bench session and circle: requests/s,
   p50/p95/p99 latency, errors, and ratios to the /healthz baseline of the same run;
   then the same routes one request at a time in process (bench/inprocess.py); then
   the history-length comparison (circles with the same check-ins going back 14, 45
   and 730 days).
5. Measures a phone's first and repeat visit (bench/client.py, headless Chromium)
   and runs Lighthouse (bench/package.json) on the check-in, home and summary pages.
6. Alerts (bench/alerts.py): how many one sender delivers to a local push receiver in a
   second, and what saving a check-in costs with the outbox against before it (a ratio).
7. Turns the costs into a capacity estimate (docs/capacity.md explains the model).

Everything is bounded in time and talks only to 127.0.0.1. Results: printed, and in
bench/out/results.json and bench/out/results.md (the tables bench/README.md shows).
"""
import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import explain  # noqa: E402
import inprocess  # noqa: E402
import seed as seeding  # noqa: E402

BIN = Path(sys.executable).parent
LUA = BENCH / "load.lua"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
COOKIE = "session"  # the cookie's name when SESSION_COOKIE_SECURE is off (plain http)
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
                "--disable-background-networking --disable-component-update --disable-sync --no-first-run")
RESEED_AFTER_DAYS = 3  # an older seed's last days would be empty: the rules see gaps


def say(*args):
    print(*args, flush=True)


# --- parsing and ratios (tested by tests/test_bench_smoke.py) -----------------------

def parse_wrk(text):
    """The BENCH_JSON line that bench/load.lua prints, as figures in seconds and ms."""
    for line in text.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line[len("BENCH_JSON "):])
            break
    else:
        raise ValueError("no BENCH_JSON line in wrk's output:\n" + text[-2000:])
    seconds = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    e = raw["errors"]
    # wrk counts only statuses >= 400 as errors; load.lua counts every non-200.
    errors = e["connect"] + e["read"] + e["write"] + e["timeout"] + raw["non200"]
    return {
        "requests": raw["requests"], "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": lat["p50"] / 1000, "p90_ms": lat["p90"] / 1000, "p95_ms": lat["p95"] / 1000,
        "p99_ms": lat["p99"] / 1000, "mean_ms": round(lat["mean"] / 1000, 3), "max_ms": lat["max"] / 1000,
        "errors": errors, "non200": raw["non200"], "first_bad_status": raw["first_bad_status"] or None,
        "socket_errors": {k: v for k, v in e.items() if k != "status"},
        "bytes_per_request": round(raw["bytes"] / raw["requests"]) if raw["requests"] else 0,
    }


def ratio(a, b, digits=2):
    return round(a / b, digits) if b else None


def baseline_ratios(route, baseline):
    """rps_ratio: the route's requests/s as a share of /healthz's (1.0 = as fast as doing
    nothing); p50_ratio: its median latency as a multiple of /healthz's."""
    return {"rps_ratio": ratio(route["rps"], baseline["rps"]),
            "p50_ratio": ratio(route["p50_ms"], baseline["p50_ms"], 1)}


def history_ratio(short, long):
    """How much more a 2-year circle costs than a 2-week one: p50 long/short and
    requests/s short/long (both 1.0 when flat; the goal is <= 1.2)."""
    return {"p50_ratio": ratio(long["p50_ms"], short["p50_ms"]),
            "rps_ratio": ratio(short["rps"], long["rps"])}


def lua_table(entries):
    """entries (tuples of plain strings) as a Lua file returning a table."""
    def q(s):
        s = str(s)
        if any(c in s for c in '"\\\n\r'):
            raise ValueError(f"unexpected character in {s!r}")
        return f'"{s}"'
    return "return {\n" + "".join("{" + ", ".join(q(x) for x in e) + "},\n" for e in entries) + "}\n"


# --- tools ----------------------------------------------------------------------------

def _as_root(cmd):
    if os.geteuid() == 0:
        return cmd
    if shutil.which("sudo"):
        return ["sudo", *cmd]
    raise SystemExit(f"need root (or sudo) to run: {' '.join(cmd)}")


def ensure_wrk():
    if shutil.which("wrk"):
        return shutil.which("wrk")
    say("wrk is missing: installing Debian's package (apt-get install wrk)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(_as_root(["apt-get", "update", "-qq"]), check=True, env=env, timeout=300)
    subprocess.run(_as_root(["apt-get", "install", "-y", "-qq", "wrk"]), check=True, env=env, timeout=300)
    return shutil.which("wrk")


def ensure_chromium():
    if Path("/usr/bin/chromium").exists():
        return True
    subprocess.run([str(ROOT / "scripts" / "install-test-tools")], check=True, timeout=600)
    return Path("/usr/bin/chromium").exists()


def ensure_lighthouse():
    if LIGHTHOUSE.exists():
        return True
    if not shutil.which("npm"):
        say("npm not found: Lighthouse skipped")
        return False
    say("installing Lighthouse into bench/node_modules (npm ci, pinned by bench/package-lock.json)")
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, timeout=600,
                       capture_output=True, text=True)
    if r.returncode != 0:
        say("npm ci failed: Lighthouse skipped\n" + r.stderr[-1500:])
    return LIGHTHOUSE.exists()


# --- the database ---------------------------------------------------------------------

def ensure_seed(db_path, args):
    meta_path = OUT / "seed.json"
    wanted = {"circles": args.circles, "days": args.days}
    reason = None
    if args.reseed:
        reason = "--reseed"
    elif not db_path.exists() or not meta_path.exists():
        reason = "no seeded database yet"
    else:
        meta = json.loads(meta_path.read_text())
        if meta.get("format") != seeding.SEED_FORMAT:
            reason = "the seed script changed since"
        elif {k: meta.get(k) for k in wanted} != wanted:
            reason = f"size changed ({meta.get('circles')} circles x {meta.get('days')} days before)"
        elif date.fromisoformat(meta["last_day"]) < date.today() - timedelta(days=RESEED_AFTER_DAYS):
            reason = f"seeded data ends {meta['last_day']}, too old"
    if reason is None:
        meta = json.loads(meta_path.read_text())
        say(f"reusing {db_path.relative_to(ROOT)} (seeded {meta['seeded_at']}, {meta['checkins']:,} check-ins;"
            " --reseed for a new one)")
        return meta
    say(f"seeding {db_path.relative_to(ROOT)}: {args.circles} circles x {args.days} days ({reason})")
    meta_path.unlink(missing_ok=True)
    meta = seeding.seed(db_path, circles=args.circles, days=args.days, progress=say)
    meta_path.write_text(json.dumps(meta, indent=2))
    return meta


def db_figures(db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("circles", "users", "checkins", "checkin_audit", "sessions")}
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    finally:
        conn.close()
    wal = Path(str(db_path) + "-wal")
    size = db_path.stat().st_size
    return {"bytes": size, "wal_bytes": wal.stat().st_size if wal.exists() else 0,
            "page_size": page_size, "pages": pages, "rows": counts,
            "bytes_per_checkin": round(size / counts["checkins"]) if counts["checkins"] else None}


# --- the server -------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db_path, workers, threads):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = OUT / "gunicorn.log"
        env = {**os.environ, "CAREGIVER_DATABASE": str(db_path), "CAREGIVER_SESSION_COOKIE_SECURE": "0",
               "CAREGIVER_SECRET_KEY": seeding.BENCH_SECRET_KEY}
        self.cmd = [str(BIN / "gunicorn"), "-w", str(workers), "--threads", str(threads),
                    "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "--no-control-socket",
                    "--error-logfile", str(self.log), "caregiver:create_app()"]
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=env, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer /healthz within {timeout} s; see {self.log}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group this script started
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(url, cookie=None, data=None, headers=None):
    """(status, body) without following redirects."""
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = f"{COOKIE}={cookie}"
    req = urllib.request.Request(url, data=data.encode() if data else None, headers=h,
                                 method="POST" if data else "GET")
    try:
        with _opener.open(req, timeout=15) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


# --- load -----------------------------------------------------------------------------------

class Route:
    def __init__(self, key, label, entries, mode="get", expect=None, stale_sessions=False):
        self.key, self.label, self.entries, self.mode, self.expect = key, label, entries, mode, expect
        self.stale_sessions = stale_sessions  # every session's next request rewrites last_seen_at
        self.unavailable = None  # a reason, when the route cannot be measured


def checkin_body(csrf, client_id, day):
    return (f"csrf_token={csrf}&client_id={client_id}&date={day}&craving=3&withdrawal=none"
            f"&access=none&stress=4&medication=taken&use=none&notes=Bench+check-in")


OPTIONAL_ROUTES = ("summary", "share", "checklists")  # areas other engineers are adding


def preflight(server, route, day):
    """One request by hand: the route must answer 200 with its page, not a redirect."""
    path, sid, csrf = route.entries[0]
    if route.mode == "checkin":
        status, body = http(server.url + path, sid, checkin_body(csrf, f"bench-preflight-{time.time_ns()}", day),
                            {"HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, body = http(server.url + path, sid)
    if status == 404 and route.key in OPTIONAL_ROUTES:
        return "not available (404: the route is not in the app yet)"
    if status != 200:
        return f"preflight failed: status {status}"
    if route.expect and route.expect not in body:
        return f"preflight failed: {route.expect!r} not in the response"
    return None


def run_wrk(server, route, seconds, args, tag):
    data_file = OUT / f"wrk-{route.key}.lua"
    data_file.write_text(lua_table(route.entries))
    env = {**os.environ, "BENCH_DATA": str(data_file), "BENCH_MODE": route.mode, "BENCH_TAG": tag,
           "BENCH_DATE": args.checkin_day, "BENCH_COOKIE_NAME": COOKIE}
    cmd = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{seconds}s",
           "--timeout", "10s", "-s", str(LUA), server.url]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60)
    if r.returncode != 0:
        raise RuntimeError(f"wrk failed ({r.returncode}): {r.stderr[-1500:]}")
    return parse_wrk(r.stdout)


def measure(server, route, args, db_path, seconds=None, warmup=None):
    """Warm up, then measure. Sessions are made fresh first (no last_seen_at write
    during the run, which lasts well under a minute), or stale for a route that
    measures that write."""
    seconds = seconds or args.duration
    warmup = args.warmup if warmup is None else warmup
    tag = str(int(time.time()))
    seeding.set_last_seen(db_path, 0)
    if warmup:
        run_wrk(server, route, warmup, args, tag + "w")
    if route.stale_sessions:
        seeding.set_last_seen(db_path, 120)
    return run_wrk(server, route, seconds, args, tag)


def combine(runs):
    """Several runs of the same thing: requests/s over all of them, mean latencies."""
    total_req = sum(r["requests"] for r in runs)
    total_s = sum(r["seconds"] for r in runs)
    out = {"requests": total_req, "seconds": round(total_s, 2),
           "rps": round(total_req / total_s, 1) if total_s else 0.0,
           "errors": sum(r["errors"] for r in runs), "runs": len(runs)}
    for k in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "bytes_per_request"):
        out[k] = round(sum(r[k] for r in runs) / len(runs), 3)
    return out


# --- history length ---------------------------------------------------------------------------

HISTORY = (("short", seeding.SHORT_NICKNAME, "14 days"), ("month", seeding.MONTH_NICKNAME, "45 days"),
           ("long", seeding.LONG_NICKNAME, "730 days"))


def history_runs(server, tc, args, db_path, meta, by_circle, day, summary_available):
    """Each page for the three special circles: under load (A B C C B A) and in process
    (interleaved). Ratios of the 730-day circle to the 14-day one and to the 45-day one."""
    out = []
    for key, label, suffix in (("home", "circle home", "/"), ("summary", "30-day summary", "/summary?days=30")):
        h = {"key": key, "label": label}
        out.append(h)
        if key == "summary" and not summary_available:
            h["unavailable"] = "not available (no summary route yet)"
            say(f"{label}: {h['unavailable']}")
            continue
        routes = {which: Route(f"history-{key}-{which}", label,
                               [(f"/c/{meta['special'][name]}{suffix}", s["sid"], "")
                                for s in by_circle[meta["special"][name]]], expect='id="main"')
                  for which, name, _ in HISTORY}
        problem = next(filter(None, (preflight(server, r, day) for r in routes.values())), None)
        if problem:
            h["unavailable"] = problem
            say(f"{label}: {problem}")
            continue
        runs = {which: [] for which in routes}
        order = [which for which, _, _ in HISTORY]
        for which in order + order[::-1]:
            runs[which].append(measure(server, routes[which], args, db_path,
                                       seconds=args.history_duration, warmup=1))
        h["load"] = {which: combine(r) for which, r in runs.items()}
        ip, bad = inprocess.interleaved(tc, COOKIE, {which: [("GET", e[0], e[1], None, None) for e in r.entries]
                                                     for which, r in routes.items()}, args.inprocess_n)
        h["inprocess"], h["inprocess_non200"] = ip, bad
        h["ratios"] = {}
        for base in ("short", "month"):
            h["ratios"][base] = {**history_ratio(h["load"][base], h["load"]["long"]),
                                 "wall_ratio": ratio(ip["long"]["wall_ms"], ip[base]["wall_ms"]),
                                 "cpu_ratio": ratio(ip["long"]["cpu_ms"], ip[base]["cpu_ms"])}
        parts = "; ".join(f"{n}: {h['load'][w]['rps']:,.0f} req/s, p50 {h['load'][w]['p50_ms']:.1f} ms, "
                          f"in process {ip[w]['wall_ms']:.2f} ms ({h['load'][w]['bytes_per_request']:,.0f} B)"
                          for w, _, n in HISTORY)
        say(f"{label}: {parts}")
        for base, n in (("short", "14 days"), ("month", "45 days")):
            r = h["ratios"][base]
            say(f"    730 days vs {n}: in process wall {r['wall_ratio']}x, CPU {r['cpu_ratio']}x; "
                f"under load p50 {r['p50_ratio']}x, req/s {r['rps_ratio']}x (goal <= 1.2)")
    return out


# --- client and Lighthouse ----------------------------------------------------------------

def run_client(server, sid, path, timeout=180):
    r = subprocess.run([sys.executable, str(BENCH / "client.py"), "--json", server.url, sid, path, COOKIE],
                       capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    for line in r.stdout.splitlines():
        if line.startswith("CLIENT_JSON "):
            return json.loads(line[len("CLIENT_JSON "):])
    raise RuntimeError(f"bench/client.py failed ({r.returncode}): {r.stderr[-2000:]}")


def failing_audits(report, category):
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        a = report["audits"].get(ref["id"], {})
        score, mode = a.get("score"), a.get("scoreDisplayMode")
        if score is None or mode in ("notApplicable", "manual", "informative"):
            continue
        if score < (1 if category == "accessibility" else 0.9):
            out.append({"id": ref["id"], "title": a.get("title"), "score": score,
                        "value": a.get("displayValue")})
    return out


def parse_lighthouse(report):
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "flags": failing_audits(report, "performance") + failing_audits(report, "accessibility"),
        "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl"),
    }


def run_lighthouse(server, sid, key, path, timeout=180, attempts=3):
    """Lighthouse on one page. Its trace recording sometimes fails (NO_NAVSTART: "please
    run Lighthouse again"): such a run reports no figures, so it is run again."""
    for attempt in range(attempts):
        report = _lighthouse_once(server, sid, key, path, timeout)
        error = report.get("runtimeError")
        if not error:
            return parse_lighthouse(report)
        say(f"  lighthouse on {path}: {error.get('code')} (attempt {attempt + 1} of {attempts})")
    raise RuntimeError(f"lighthouse: {error.get('code')}: {error.get('message')}")


def _lighthouse_once(server, sid, key, path, timeout):
    out_file = OUT / f"lighthouse-{key}.json"
    out_file.unlink(missing_ok=True)
    cmd = [str(LIGHTHOUSE), server.url + path, "--output=json", f"--output-path={out_file}",
           "--only-categories=performance,accessibility", f"--chrome-flags={CHROME_FLAGS}",
           "--extra-headers=" + json.dumps({"Cookie": f"{COOKIE}={sid}"}), "--quiet"]
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=BENCH)
    if not out_file.exists():
        raise RuntimeError(f"lighthouse failed ({r.returncode}): {r.stderr[-1500:]}")
    return json.loads(out_file.read_text())


# --- reporting --------------------------------------------------------------------------------

def loadavg():
    return round(os.getloadavg()[0], 2)


def wait_quiet(limit_s, threshold=0.6):
    """Wait (at most limit_s) for the 1-minute load average to drop below threshold:
    other work on these 2 cores (a test run, a build) skews every figure."""
    deadline = time.monotonic() + limit_s
    first = loadavg()
    if first < threshold or limit_s <= 0:
        return first
    say(f"load average {first} (other work on this machine): waiting up to {limit_s} s for it to settle")
    while time.monotonic() < deadline and loadavg() >= threshold:
        time.sleep(5)
    return loadavg()


# --- capacity (docs/capacity.md explains the model) --------------------------------------

USAGE = {
    "checkins_per_day": 3,       # per caregiver
    "page_views_per_day": 10,    # per caregiver, the check-in form included
    "stale_share": 0.8,          # page views more than a minute after the last: +1 session write
    "peak_share": 0.40,          # of a day's requests in the busiest 2 evening hours
    "peak_hours": 2,
    "peak_minute_factor": 2.0,   # the busiest minute against that 2-hour average
    "target_utilisation": 0.7,   # of each core at the peak minute, so queues stay short
}
VIEW_MIX = {"home": 0.4, "form": 0.3, "summary": 0.15, "checklists": 0.15}  # pages a caregiver opens


def measure_commit_rate(directory, seconds=2.0):
    """Write transactions per second one writer gets with the app's pragmas (WAL,
    synchronous=FULL: one fsync per commit) on this disk, and ms per commit."""
    path = Path(directory) / "commit-rate.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (v) VALUES (?)", ("x" * 400,))
            conn.execute("COMMIT")
            n += 1
        dt = time.perf_counter() - t0
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return {"commits_per_s": round(n / dt), "ms_per_commit": round(dt / n * 1000, 2)}


def capacity_estimate(routes, cores, commit_rate=None, usage=USAGE, mix=VIEW_MIX):
    """Caregivers one core serves at the evening peak, from the measured costs.

    routes: {key: row} with "rps" (under load, on `cores` cores) and "inprocess"
    {"cpu_ms"}. Two costs per request: "under load" = cores x 1000 / req/s (everything
    the machine spent, wrk and HTTP included: conservative) and "CPU in process"
    (the app's own CPU: optimistic). Pages not measured are left out of the mix.
    """
    u = usage
    views = {k: w for k, w in mix.items() if k in routes and routes[k].get("rps")}
    if "home" not in routes or "checkin" not in routes or not views:
        return None
    wsum = sum(views.values())
    per_req = {}
    for name, cost in (("under_load", lambda r: cores * 1000 / r["rps"]),
                       ("cpu_in_process", lambda r: r["inprocess"]["cpu_ms"])):
        view_ms = sum(cost(routes[k]) * w for k, w in views.items()) / wsum
        touch_ms = 0.0
        if "home_touch" in routes:
            touch_ms = max(0.0, cost(routes["home_touch"]) - cost(routes["home"]))
        day_ms = (u["checkins_per_day"] * cost(routes["checkin"]) + u["page_views_per_day"] * view_ms
                  + u["page_views_per_day"] * u["stale_share"] * touch_ms)
        per_req[name] = {"view_ms": round(view_ms, 2), "checkin_ms": round(cost(routes["checkin"]), 2),
                         "touch_ms": round(touch_ms, 2), "ms_per_caregiver_day": round(day_ms, 1)}
    peak = u["peak_share"] / (u["peak_hours"] * 3600) * u["peak_minute_factor"]  # share of a day per second
    requests_per_day = u["checkins_per_day"] + u["page_views_per_day"]
    writes_per_day = u["checkins_per_day"] + u["page_views_per_day"] * u["stale_share"]
    out = {"usage": dict(u), "mix": views, "per_request": per_req,
           "peak_requests_per_s_per_1000": round(requests_per_day * peak * 1000, 3),
           "peak_writes_per_s_per_1000": round(writes_per_day * peak * 1000, 3)}
    for name, c in per_req.items():
        ms_per_s_per_caregiver = c["ms_per_caregiver_day"] * peak
        out[f"caregivers_per_core_{name}"] = int(u["target_utilisation"] * 1000 / ms_per_s_per_caregiver)
    n = out["caregivers_per_core_under_load"]
    out["peak_writes_per_s_per_core"] = round(writes_per_day * peak * n, 1)
    if commit_rate:
        out["commit_rate"] = commit_rate
        out["write_headroom"] = round(commit_rate["commits_per_s"] / out["peak_writes_per_s_per_core"], 1)
    return out


def machine():
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0)
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"cores": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1), "cpu": model,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "os": platform.platform(terse=True)}


def fmt(v, nd=1):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def markdown(res):
    m, cfg = res["machine"], res["config"]
    lines = [f"Run {res['started_at'][:16].replace('T', ' ')} UTC on {m['cores']} cores / {m['memory_gib']} GiB "
             f"({m['cpu']}; Python {m['python']}, SQLite {m['sqlite']}). "
             f"gunicorn -w {cfg['workers']} --threads {cfg['threads']}; wrk -t{cfg['wrk_threads']} "
             f"-c{cfg['connections']}, {cfg['duration']} s per route after a {cfg['warmup']} s warm-up, "
             "wrk on the same 2 cores as the server. "
             f"1-min load average before the run: {res.get('loadavg_before')} "
             "(above ~0.5 means other work shared the cores).", ""]
    db = res["database"]
    lines += [f"Database: {db['bytes'] / 1e6:,.0f} MB (+ {db['wal_bytes'] / 1e6:,.1f} MB WAL), "
              f"{db['rows']['circles']:,} circles, {db['rows']['users']:,} users, "
              f"{db['rows']['checkins']:,} check-ins (~{db['bytes_per_checkin']} bytes each with its audit row "
              f"and indexes), {db['rows']['sessions']:,} sessions.", ""]
    plans = [x for x in res.get("explain", []) if x["verdict"] != "not available"]
    if plans:
        bad = [x for x in plans if x["verdict"] != "ok"]
        missing = [x["name"] for x in res.get("explain", []) if x["verdict"] == "not available"]
        drift = [x["name"] for x in plans if x["drift"]]
        lines.append(f"Query plans: {len(plans) - len(bad)} of {len(plans)} hot queries reach every table through an "
                     "index (SEARCH)" + (": " if bad else ".")
                     + "; ".join(f"{x['name']} ({x['module']}) does {', '.join(sc['line'] for sc in x['scans'])}"
                                 for x in bad) + ("." if bad else "")
                     + (f" Not available yet: {', '.join(missing)}." if missing else "")
                     + (f" Copied SQL that drifted from the app: {', '.join(drift)}." if drift else ""))
        sw = res.get("sweep")
        if sw:
            lines.append(f"Sweep of every SQL literal in caregiver/*.py: {sw['explained']} explained, "
                         f"{len(sw['scans'])} with a SCAN"
                         + (" (" + "; ".join(f"caregiver/{x['module']}: {x['sql']}" for x in sw["scans"]) + ")"
                            if sw["scans"] else "") + ".")
        lines.append("")
    lines += [f"Under load (wrk, {cfg['connections']} connections, {cfg['duration']} s per route), and one request "
              "at a time in process (server time only, median):", "",
              "| route | req/s | p50 ms | p95 ms | p99 ms | errors | req/s ÷ baseline | p50 ÷ baseline "
              "| in process: wall ms | CPU ms |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in res["routes"]:
        if r.get("unavailable"):
            lines.append(f"| {r['label']} | {r['unavailable']} | | | | | | | | |")
            continue
        ip = r.get("inprocess") or {}
        lines.append(f"| {r['label']} | {fmt(r['rps'])} | {fmt(r['p50_ms'], 2)} | {fmt(r['p95_ms'], 2)} | "
                     f"{fmt(r['p99_ms'], 2)} | {r['errors']} | {fmt(r.get('rps_ratio'), 2)} | "
                     f"{fmt(r.get('p50_ratio'), 1)}× | {fmt(ip.get('wall_ms'), 2)} | {fmt(ip.get('cpu_ms'), 2)} |")
    lines += ["", "History length: three circles with the same check-ins, day for day, going back 14, 45 "
              "and 730 days. Ratios are 730-day ÷ shorter (time) or shorter ÷ 730-day (req/s); goal ≤ 1.2. "
              "In process is the steady figure; under load the runs are short and share the cores with wrk.", "",
              "| page | in process wall ms: 14 d / 45 d / 730 d | 730 d ÷ 45 d: wall, CPU | 730 d ÷ 14 d: wall, CPU "
              "| under load req/s: 14 d / 45 d / 730 d | p50 ms: 14 d / 45 d / 730 d | page bytes: 14 d / 730 d | goal |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for h in res["history"]:
        if h.get("unavailable"):
            lines.append(f"| {h['label']} | {h['unavailable']} | | | | | | |")
            continue
        ip, ld, rt = h["inprocess"], h["load"], h["ratios"]
        ok = "flat" if max(rt["month"]["wall_ratio"] or 0, rt["month"]["cpu_ratio"] or 0) <= 1.2 else "NOT flat"
        lines.append(
            f"| {h['label']} | {ip['short']['wall_ms']:.2f} / {ip['month']['wall_ms']:.2f} / {ip['long']['wall_ms']:.2f} | "
            f"{fmt(rt['month']['wall_ratio'], 2)}, {fmt(rt['month']['cpu_ratio'], 2)} | "
            f"{fmt(rt['short']['wall_ratio'], 2)}, {fmt(rt['short']['cpu_ratio'], 2)} | "
            f"{ld['short']['rps']:,.0f} / {ld['month']['rps']:,.0f} / {ld['long']['rps']:,.0f} | "
            f"{ld['short']['p50_ms']:.1f} / {ld['month']['p50_ms']:.1f} / {ld['long']['p50_ms']:.1f} | "
            f"{ld['short']['bytes_per_request']:,.0f} / {ld['long']['bytes_per_request']:,.0f} | {ok} |")
    cap = res.get("capacity")
    if cap:
        u, pr = cap["usage"], cap["per_request"]
        lines += ["", f"Capacity estimate (docs/capacity.md): {u['checkins_per_day']} check-ins and "
                  f"{u['page_views_per_day']} page views per caregiver a day, {u['peak_share']:.0%} of them in the "
                  f"busiest {u['peak_hours']} evening hours, the busiest minute {u['peak_minute_factor']}× that, "
                  f"{u['target_utilisation']:.0%} of a core at that minute:", "",
                  "| cost per request from | page view ms | check-in ms | session write ms | ms per caregiver-day "
                  "| caregivers per core |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for name, label in (("under_load", "under load (2 cores ÷ req/s, wrk included)"),
                            ("cpu_in_process", "the app's CPU, in process")):
            p = pr[name]
            lines.append(f"| {label} | {p['view_ms']} | {p['checkin_ms']} | {p['touch_ms']} | "
                         f"{p['ms_per_caregiver_day']} | {cap['caregivers_per_core_' + name]:,} |")
        cr = cap.get("commit_rate") or {}
        lines += ["", f"Writes at that peak: {cap['peak_writes_per_s_per_1000']} per second per 1,000 caregivers, "
                  f"{cap['peak_writes_per_s_per_core']} per second for one core's caregivers (under load figure); "
                  f"one SQLite writer commits {cr.get('commits_per_s', '?'):,} times a second on this disk "
                  f"({cr.get('ms_per_commit', '?')} ms per fsync'd commit): "
                  f"{cap.get('write_headroom', '?')}× headroom."]
    c = res.get("client")
    if c and not c.get("error"):
        f, rep = c["first"], c["repeat"]
        kb = lambda n: f"{n / 1024:.1f} KB"  # noqa: E731
        lines += ["", f"Phone, check-in page ({c['page']}), headless Chromium, empty profile "
                  "(transfer sizes: headers + body as received):", "",
                  "| visit | as served (uncompressed) | gzip estimated | requests | detail |",
                  "| --- | ---: | ---: | ---: | --- |"]
        kinds = ", ".join(f"{k} {kb(v)}" for k, v in sorted(f["by_kind"].items()))
        lines.append(f"| first: the page's requests | {kb(f['page_bytes'])} | {kb(f['page_gzip_bytes_est'])} | "
                     f"{len(f['rows'])} | {kinds} |")
        if f["sw_rows"]:
            sw_kinds = ", ".join(f"{k} {kb(v)}" for k, v in sorted(f["sw_by_kind"].items()))
            lines.append(f"| first: service worker install (after load) | {kb(f['sw_bytes'])} | "
                         f"{kb(f['sw_gzip_bytes_est'])} | {len(f['sw_rows'])} | {sw_kinds} |")
            lines.append(f"| **first visit in all** (budget 50 KB) | **{kb(f['bytes'])}** | "
                         f"**{kb(f['gzip_bytes_est'])}** | {len(f['rows']) + len(f['sw_rows'])} | |")
        if f.get("keep_rows"):  # every circle's pages kept for offline, in the background
            lines.append(f"| then: background keep for offline (after load; not in the budget) | "
                         f"{kb(f['keep_bytes'])} | {kb(f['keep_gzip_bytes_est'])} | {len(f['keep_rows'])} | "
                         f"{c.get('keep_state', '?')}: /offline-pages and each circle's pages |")
        sw_state = ("service worker controls the page" if c.get("repeat_controlled")
                    else ("service worker present, not controlling" if c.get("service_worker_route")
                          else "no /sw.js: HTTP cache only"))
        lines.append(f"| repeat ({sw_state}) | {kb(rep['bytes'])} | | {len(rep['rows'])} | "
                     f"static requests on the network: {rep['static_network']} of {rep['static_total']}; "
                     "answered by " + ", ".join(f"{k}: {v}" for k, v in rep["sources"].items()) + " |")
        comp = c.get("compression") or {}
        lines.append("")
        lines.append(f"Static files compressed by the app server: {comp.get('content_encoding', '?')}.")
    elif c:
        lines += ["", f"Phone measurement failed: {c['error']}"]
    lh = res.get("lighthouse") or []
    if lh:
        lines += ["", "Lighthouse (mobile preset, simulated slow 4G and 4x CPU slowdown):", "",
                  "| page | performance | accessibility | LCP | FCP | TBT | CLS | flagged |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for x in lh:
            if x.get("error") or x.get("unavailable"):
                lines.append(f"| {x['label']} | {x.get('unavailable') or 'failed: ' + x['error'][:80]} | | | | | | |")
                continue
            flags = "; ".join(f"{a['id']} ({a['value']})" if a.get("value") else a["id"] for a in x["flags"]) or "–"
            lines.append(f"| {x['label']} | {x['performance']} | {x['accessibility']} | {x['lcp_ms'] / 1000:.1f} s | "
                         f"{x['fcp_ms'] / 1000:.1f} s | {x['tbt_ms']} ms | {x['cls']} | {flags} |")
    return "\n".join(lines) + "\n"


# --- main ---------------------------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(description="Caregiver benchmark (see bench/README.md)")
    p.add_argument("--reseed", action="store_true", help="seed a new database even if one is there")
    p.add_argument("--circles", type=int, default=1000)
    p.add_argument("--days", type=int, default=730)
    p.add_argument("--duration", type=int, default=10, help="seconds per route")
    p.add_argument("--history-duration", type=int, default=3,
                   help="seconds per history-length run under load (6 runs per page: A B C C B A)")
    p.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each route")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--wrk-threads", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--inprocess-n", type=int, default=150, help="requests per in-process median")
    p.add_argument("--skip-client", action="store_true")
    p.add_argument("--skip-lighthouse", action="store_true")
    p.add_argument("--quick", action="store_true",
                   help="a try-out: 60 circles x 60 days, 3 s per route, no warm-up")
    p.add_argument("--db", default=str(OUT / "bench.db"))
    p.add_argument("--wait-quiet", type=int, default=90,
                   help="seconds to wait at most for the load average to settle before measuring")
    args = p.parse_args(argv)
    if args.quick:
        args.circles, args.days, args.duration, args.history_duration, args.warmup = 60, 60, 3, 2, 0
        if args.db == str(OUT / "bench.db"):
            args.db = str(OUT / "quick.db")
    # Check-ins are saved for yesterday (UTC): a valid day in every seeded time zone.
    args.checkin_day = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()

    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = Path(args.db).resolve()
    res = {"started_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(), "machine": machine(),
           "config": {k: getattr(args, k) for k in ("circles", "days", "duration", "history_duration", "warmup",
                                                    "connections", "wrk_threads", "workers", "threads")}}
    ensure_wrk()
    meta = ensure_seed(db_path, args) if not args.quick else None
    if args.quick:
        meta_path = OUT / "quick-seed.json"
        meta = seeding.seed(db_path, circles=args.circles, days=args.days, progress=say)
        meta_path.write_text(json.dumps(meta, indent=2))
    res["seed"] = meta

    res["loadavg_before"] = wait_quiet(args.wait_quiet)
    server = Server(db_path, args.workers, args.threads)
    try:
        server.wait_ready()  # the workers also applied any new migration
        say(f"gunicorn serving {db_path.name} at {server.url} (-w {args.workers} --threads {args.threads})")
        sessions = seeding.make_sessions(db_path)
        special = set(meta["special"].values())
        normal = [s for s in sessions if s["circle_id"] not in special]
        random.Random(1).shuffle(normal)  # consecutive requests hit different circles
        by_circle = {}
        for s in sessions:
            by_circle.setdefault(s["circle_id"], []).append(s)
        share_circles = sorted({s["circle_id"] for s in normal})[:500] + sorted(special)
        tokens = seeding.make_share_links(db_path, share_circles)

        say("\n== EXPLAIN QUERY PLAN of the hot queries ==")
        plans = explain.explain_all(db_path)
        explain.report(plans, out=say)
        swept = explain.sweep(db_path)
        explain.report_sweep(swept, out=say)
        res["explain"] = plans
        res["sweep"] = {"explained": swept[0], "scans": [{"module": m, "sql": q, "plan": p, "tables": t}
                                                         for m, q, p, t in swept[1]],
                        "skipped": [{"module": m, "sql": q, "error": e} for m, q, e in swept[2]]}

        day = args.checkin_day
        routes = [
            Route("baseline", "baseline GET /healthz", [("/healthz", "", "")], expect="ok"),
            Route("home", "circle home GET /c/<id>/", [(f"/c/{s['circle_id']}/", s["sid"], "") for s in normal],
                  expect='id="main"'),
            Route("home_touch", "circle home, each session idle > 1 min (+1 session write)",
                  [(f"/c/{s['circle_id']}/", s["sid"], "") for s in normal], expect='id="main"',
                  stale_sessions=True),
            Route("form", "check-in form GET /c/<id>/checkins/new",
                  [(f"/c/{s['circle_id']}/checkins/new", s["sid"], "") for s in normal], expect="checkin-form"),
            Route("checkin", "save check-in POST (htmx)",
                  [(f"/c/{s['circle_id']}/checkins/new", s["sid"], s["csrf"]) for s in normal],
                  mode="checkin", expect="Saved."),
            Route("summary", "30-day summary GET /c/<id>/summary?days=30",
                  [(f"/c/{s['circle_id']}/summary?days=30", s["sid"], "") for s in normal], expect='id="main"'),
            Route("checklists", "checklists GET /c/<id>/checklists",
                  [(f"/c/{s['circle_id']}/checklists", s["sid"], "") for s in normal], expect='id="main"'),
        ]
        share = Route("share", "share link GET /share/<token>",
                      [(f"/share/{tokens[c]}", "", "") for c in share_circles if c not in special] if tokens else [],
                      expect='id="main"')
        if not tokens:
            share.unavailable = "not available (no share_links table: migration 006 not in the app yet)"
        routes.append(share)

        say(f"\n== Load: wrk -t{args.wrk_threads} -c{args.connections}, {args.duration} s per route "
            f"(+{args.warmup} s warm-up), {len(normal):,} sessions over {len(normal) // 3:,} circles ==")
        res["routes"] = []
        baseline = None
        for route in routes:
            if not route.unavailable:
                route.unavailable = preflight(server, route, day)
            row = {"key": route.key, "label": route.label}
            if route.unavailable:
                row["unavailable"] = route.unavailable
                say(f"{route.label}: {route.unavailable}")
            else:
                row.update(measure(server, route, args, db_path,
                                   warmup=0 if route.stale_sessions else None))
                if route.key == "baseline":
                    baseline = row
                row.update(baseline_ratios(row, baseline))
                say(f"{route.label}: {row['rps']:,.0f} req/s, p50 {row['p50_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms,"
                    f" p99 {row['p99_ms']:.2f} ms, errors {row['errors']}"
                    + (f" (first bad status {row['first_bad_status']})" if row["first_bad_status"] else "")
                    + f"; x{row['rps_ratio']} of baseline req/s, p50 {row['p50_ratio']}x baseline")
            res["routes"].append(row)

        summary_available = not next(r for r in res["routes"] if r["key"] == "summary").get("unavailable")
        say(f"\n== Server time per request, in process (one request at a time, medians of {args.inprocess_n}) ==")
        app = inprocess.make_app(db_path, seeding.BENCH_SECRET_KEY)
        tc = app.test_client()
        form_headers = {"HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"}
        seeding.set_last_seen(db_path, 0)
        for route, row in zip(routes, res["routes"]):
            if row.get("unavailable"):
                continue
            if route.mode == "checkin":
                reqs = [("POST", e[0], e[1], checkin_body(e[2], f"bench-ip-{i}-{time.time_ns()}", day), form_headers)
                        for i, e in enumerate(route.entries[:args.inprocess_n + 10])]
            else:
                reqs = [("GET", e[0], e[1], None, None) for e in route.entries[-(args.inprocess_n + 10):]]
            if route.stale_sessions:
                seeding.set_last_seen(db_path, 120)
            cost = inprocess.median_cost(tc, COOKIE, reqs, args.inprocess_n)
            seeding.set_last_seen(db_path, 0)
            row["inprocess"] = cost
            say(f"{route.label}: {cost['wall_ms']:.2f} ms wall, {cost['cpu_ms']:.2f} ms CPU"
                + (f" ({cost['non200']} not 200!)" if cost["non200"] else ""))

        say(f"\n== History length: circles with the same check-ins going back 14, 45 and 730 days "
            f"({args.history_duration} s each under load, A B C C B A) ==")
        res["history"] = history_runs(server, tc, args, db_path, meta, by_circle, day, summary_available)

        # The phone: a circle the load did not write to much, with a session of its own.
        page_circle = normal[0]["circle_id"]
        fresh = [s for s in sessions if s["circle_id"] == page_circle]
        if not args.skip_client and ensure_chromium():
            say("\n== Phone: first and repeat visit of the check-in page (headless Chromium) ==")
            try:
                c = run_client(server, fresh[0]["sid"], f"/c/{page_circle}/checkins/new")
                import client as client_mod
                for line in client_mod.summary_lines(c):
                    say(line)
                res["client"] = c
            except Exception as exc:  # noqa: BLE001 - report it, keep the other figures
                res["client"] = {"error": str(exc)[:500]}
                say(f"client measurement failed: {exc}")
        if not args.skip_lighthouse and ensure_chromium() and ensure_lighthouse():
            say("\n== Lighthouse (mobile preset; performance and accessibility) ==")
            res["lighthouse"] = []
            pages = [("form", "check-in", f"/c/{page_circle}/checkins/new"),
                     ("home", "home", f"/c/{page_circle}/"),
                     ("summary", "30-day summary", f"/c/{page_circle}/summary?days=30")]
            for key, label, path in pages:
                x = {"key": key, "label": label, "path": path}
                if key == "summary" and not summary_available:
                    x["unavailable"] = "not available (no summary route yet)"
                else:
                    try:
                        x.update(run_lighthouse(server, fresh[1 % len(fresh)]["sid"], key, path))
                    except Exception as exc:  # noqa: BLE001
                        x["error"] = str(exc)[:500]
                res["lighthouse"].append(x)
                if x.get("unavailable") or x.get("error"):
                    say(f"{label}: {x.get('unavailable') or 'failed: ' + x['error']}")
                else:
                    say(f"{label}: performance {x['performance']}, accessibility {x['accessibility']}, "
                        f"LCP {x['lcp_ms'] / 1000:.1f} s, FCP {x['fcp_ms'] / 1000:.1f} s, TBT {x['tbt_ms']} ms")
                    for a in x["flags"]:
                        say(f"    flagged: {a['id']}: {a['title']}" + (f" ({a['value']})" if a.get("value") else ""))
    finally:
        server.stop()

    say("\n== Alerts: one sender to a local push receiver; saving a check-in with and without the outbox ==")
    import alerts as alerts_bench  # bench/alerts.py
    res["alerts"] = alerts_bench.run()
    a = res["alerts"]
    say(f"one sender: {a['delivery']['alerts_per_second']} alerts/s ({a['delivery']['alerts']} alerts)")
    for kind, c in a["checkin_save"].items():
        say(f"saving an {kind} check-in: {c['with_alerts_ms']} ms with alerts, {c['before_ms']} ms before"
            f" (x{c['ratio']})")
    res["database"] = db_figures(db_path)
    res["commit_rate"] = measure_commit_rate(db_path.parent)
    measured = {r["key"]: r for r in res["routes"] if not r.get("unavailable")}
    res["capacity"] = capacity_estimate(measured, res["machine"]["cores"], res["commit_rate"])
    res["seconds"] = round(time.monotonic() - started, 1)
    (OUT / "results.json").write_text(json.dumps(res, indent=1))
    md = markdown(res)
    (OUT / "results.md").write_text(md)
    say(f"\n== Results ({res['seconds']:.0f} s in all; bench/out/results.json, bench/out/results.md) ==\n")
    say(md)


if __name__ == "__main__":
    main()
