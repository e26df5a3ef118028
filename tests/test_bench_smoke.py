"""The benchmark's scripts still work: they import, seed a tiny database, and compute
their figures right. Fast, no server, no network, no browser (bench/run.py is the
real thing; see bench/README.md)."""
import json
import sqlite3
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import client  # noqa: E402
import explain  # noqa: E402
import run  # noqa: E402
import seed  # noqa: E402

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000
  1 threads and 8 connections
BENCH_JSON {"requests": 2000, "duration_us": 10000000, "bytes": 4000000, \
"errors": {"connect": 0, "read": 1, "write": 0, "status": 2, "timeout": 1}, "non200": 3, \
"first_bad_status": 500, "latency_us": {"mean": 4000.5, "max": 90000, "p50": 3500, "p90": 8000, \
"p95": 12000, "p99": 30000}}
"""


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "bench.db"
    summary = seed.seed(path, circles=3, days=10)
    return path, summary


def test_seed_makes_circles_caregivers_and_daily_checkins(tiny_db):
    path, summary = tiny_db
    conn = sqlite3.connect(path)
    assert summary["circles"] == 3 and summary["users"] == 6 * 3
    assert conn.execute("SELECT count(*) FROM circles").fetchone()[0] == 6  # + the 3 special ones
    per_circle = dict(conn.execute(
        "SELECT c.nickname, count(k.id) FROM circles c JOIN checkins k ON k.circle_id = c.id GROUP BY c.id"))
    for i in (1, 2, 3):
        assert 10 <= per_circle[f"Circle {i}"] <= 20  # 1-2 a day for 10 days
    # Same daily pattern, only the length differs: 1 on even days back, 2 on odd ones.
    assert per_circle[seed.SHORT_NICKNAME] == 14 + 7
    assert per_circle[seed.MONTH_NICKNAME] == 45 + 22
    assert per_circle[seed.LONG_NICKNAME] == 730 + 365
    # ... and the same values for the same days.
    def last_days(name, n):
        return conn.execute(
            "SELECT k.date, k.craving, k.use, k.stress FROM checkins k JOIN circles c ON c.id = k.circle_id"
            " WHERE c.nickname = ? ORDER BY k.date DESC, k.created_at LIMIT ?", [name, n]).fetchall()
    assert last_days(seed.MONTH_NICKNAME, 67) == last_days(seed.LONG_NICKNAME, 67)
    assert last_days(seed.SHORT_NICKNAME, 21) == last_days(seed.LONG_NICKNAME, 21)
    assert conn.execute("SELECT count(*) FROM checkin_audit").fetchone()[0] == summary["checkins"]
    assert conn.execute("SELECT count(DISTINCT password_hash) FROM users").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_seeded_sessions_and_csrf_tokens_work_in_the_app(tiny_db):
    from caregiver import create_app
    path, summary = tiny_db
    sessions = seed.make_sessions(path)
    assert len(sessions) == 18
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": seed.BENCH_SECRET_KEY,
                      "SESSION_COOKIE_SECURE": False})
    s = sessions[0]
    http = app.test_client()
    http.set_cookie(run.COOKIE, s["sid"])
    page = http.get(f"/c/{s['circle_id']}/")
    assert page.status_code == 200 and 'id="main"' in page.get_data(as_text=True)
    saved = http.post(f"/c/{s['circle_id']}/checkins/new",
                      data=run.checkin_body(s["csrf"], "bench-smoke-0001", summary["last_day"]),
                      headers={"HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"})
    assert saved.status_code == 200, saved.get_data(as_text=True)[:500]
    assert "Saved." in saved.get_data(as_text=True)


def test_explain_runs_and_the_checkin_range_query_uses_its_index(tiny_db):
    path, _ = tiny_db
    results = explain.explain_all(path)
    by_name = {r["name"]: r for r in results}
    assert all(r["plan"] for r in results if r["verdict"] != "not available")
    rng = by_name["check-ins between (30 days)"]
    assert rng["verdict"] == "ok" and any(line.startswith("SEARCH") for line in rng["plan"])
    assert explain.verdict(["SCAN checkins"]) == ("SCAN", ["SCAN checkins"])
    assert explain.verdict(["SEARCH c USING INDEX checkins_circle_date (circle_id=?)"])[0] == "ok"


def test_wrk_output_is_parsed_into_rates_latencies_and_errors():
    r = run.parse_wrk(WRK_OUTPUT)
    assert r["requests"] == 2000 and r["rps"] == 200.0
    assert (r["p50_ms"], r["p95_ms"], r["p99_ms"]) == (3.5, 12.0, 30.0)
    assert r["errors"] == 1 + 1 + 3  # read + timeout + every non-200 (wrk's "status" is among them)
    assert r["first_bad_status"] == 500
    with pytest.raises(ValueError):
        run.parse_wrk("no summary here")


def test_ratios_to_the_baseline_and_between_history_lengths():
    baseline = {"rps": 1000.0, "p50_ms": 2.0}
    route = {"rps": 250.0, "p50_ms": 9.0}
    assert run.baseline_ratios(route, baseline) == {"rps_ratio": 0.25, "p50_ratio": 4.5}
    short, long = {"rps": 120.0, "p50_ms": 10.0}, {"rps": 100.0, "p50_ms": 11.0}
    assert run.history_ratio(short, long) == {"p50_ratio": 1.1, "rps_ratio": 1.2}
    assert run.ratio(1, 0) is None
    runs = [{"requests": 100, "seconds": 1.0, "errors": 0, "p50_ms": 2.0, "p95_ms": 4.0, "p99_ms": 6.0,
             "mean_ms": 2.5, "bytes_per_request": 10},
            {"requests": 300, "seconds": 1.0, "errors": 1, "p50_ms": 4.0, "p95_ms": 8.0, "p99_ms": 10.0,
             "mean_ms": 4.5, "bytes_per_request": 10}]
    both = run.combine(runs)
    assert both["rps"] == 200.0 and both["p50_ms"] == 3.0 and both["errors"] == 1


def test_load_script_data_is_a_lua_table():
    text = run.lua_table([("/c/1/", "abc_-", ""), ("/healthz", "", "")])
    assert text == 'return {\n{"/c/1/", "abc_-", ""},\n{"/healthz", "", ""},\n}\n'
    with pytest.raises(ValueError):
        run.lua_table([('bad"quote',)])


def test_client_sorts_requests_into_kinds_and_checks_the_budget():
    assert client.kind_of("http://x/static/css/app.css?v=1") == "css"
    assert client.kind_of("http://x/static/vendor/htmx-2.0.11.min.js?v=1") == "js"
    assert client.kind_of("http://x/static/icons/icon.svg?v=1") == "icon"
    assert client.kind_of("http://x/manifest.webmanifest", "application/manifest+json") == "manifest"
    assert client.kind_of("http://x/c/1/checkins/new", "text/html") == "html"
    assert client.is_static("http://x/static/js/app.js") and not client.is_static("http://x/c/1/")
    assert client.budget(50 * 1024 - 1) == "PASS" and client.budget(50 * 1024) == "FAIL"


def test_share_link_rows_are_filled_by_column_name():
    columns = [{"name": "id", "type": "INTEGER", "notnull": 0, "dflt": None, "pk": 1},
               {"name": "circle_id", "type": "INTEGER", "notnull": 1, "dflt": None, "pk": 0},
               {"name": "token_hash", "type": "TEXT", "notnull": 1, "dflt": None, "pk": 0},
               {"name": "expires_at", "type": "TEXT", "notnull": 1, "dflt": None, "pk": 0},
               {"name": "revoked_at", "type": "TEXT", "notnull": 0, "dflt": None, "pk": 0}]
    row = seed.share_link_row(columns, 7, 21, "tok", "2026-01-01T00:00:00+00:00", "2036-01-01T00:00:00+00:00")
    assert row == {"circle_id": 7, "token_hash": seed.sha256_hex("tok"),
                   "expires_at": "2036-01-01T00:00:00+00:00"}
    with pytest.raises(ValueError):
        seed.share_link_row(columns + [{"name": "mystery", "type": "TEXT", "notnull": 1, "dflt": None,
                                        "pk": 0}], 7, 21, "tok", "a", "b")
    json.dumps(row)  # plain data


def test_capacity_estimate_turns_costs_into_caregivers_per_core():
    routes = {"home": {"rps": 200.0, "inprocess": {"cpu_ms": 5.0}},
              "home_touch": {"rps": 100.0, "inprocess": {"cpu_ms": 6.0}},
              "form": {"rps": 400.0, "inprocess": {"cpu_ms": 3.0}},
              "checkin": {"rps": 100.0, "inprocess": {"cpu_ms": 8.0}}}
    usage = dict(run.USAGE, checkins_per_day=3, page_views_per_day=10, stale_share=1.0, peak_share=0.5,
                 peak_hours=1, peak_minute_factor=1.0, target_utilisation=1.0)
    cap = run.capacity_estimate(routes, cores=2, commit_rate={"commits_per_s": 400, "ms_per_commit": 2.5},
                                usage=usage, mix={"home": 0.5, "form": 0.5})
    load = cap["per_request"]["under_load"]
    # 2 cores: home 10 ms, form 5 ms, a check-in 20 ms, a session write 20 - 10 = 10 ms.
    assert (load["view_ms"], load["checkin_ms"], load["touch_ms"]) == (7.5, 20.0, 10.0)
    assert load["ms_per_caregiver_day"] == 3 * 20 + 10 * 7.5 + 10 * 10.0
    # Half of the day's 13 requests in one hour: 235 ms a day -> 235 * 0.5 / 3600 ms per second.
    assert cap["caregivers_per_core_under_load"] == int(1000 / (235 * 0.5 / 3600))
    assert cap["peak_writes_per_s_per_1000"] == round(13 * 0.5 / 3600 * 1000, 3)
    assert cap["write_headroom"] > 1
    assert run.capacity_estimate({"home": routes["home"]}, cores=2) is None
