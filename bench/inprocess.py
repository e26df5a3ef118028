"""Server time per request, in process: no HTTP, no concurrency, no other clients.

The load test (wrk against gunicorn) says what the server does under load on these
2 cores; this says what one request costs, which is steadier when other work shares
the machine: the app (caregiver.create_app) answers Flask test-client requests one at
a time, and each request's wall time and CPU time (this thread's) are recorded.
Medians are reported. bench/run.py uses it for a per-route cost table and for the
history-length comparison (2-week vs 2-year circle, requests interleaved A B A B).
"""
import statistics
import time


def make_app(db_path, secret_key):
    from caregiver import create_app
    return create_app({"DATABASE": str(db_path), "SECRET_KEY": secret_key, "SESSION_COOKIE_SECURE": False})


def timed(client, cookie_name, req):
    """One request: (wall ms, cpu ms, status). req = (method, path, sid, data, headers)."""
    method, path, sid, data, headers = req
    if sid:
        client.set_cookie(cookie_name, sid)
    else:
        client.delete_cookie(cookie_name)
    t, c = time.perf_counter(), time.thread_time()
    resp = client.open(path, method=method, data=data, headers=headers or {})
    status = resp.status_code
    resp.close()
    return (time.perf_counter() - t) * 1000, (time.thread_time() - c) * 1000, status


def median_cost(client, cookie_name, requests, n, warmup=5):
    """Median wall and CPU ms over n requests, cycling through `requests`."""
    for i in range(min(warmup, n)):
        timed(client, cookie_name, requests[i % len(requests)])
    walls, cpus, bad = [], [], 0
    for i in range(n):
        w, c, status = timed(client, cookie_name, requests[i % len(requests)])
        walls.append(w)
        cpus.append(c)
        bad += status != 200
    return {"n": n, "wall_ms": round(statistics.median(walls), 3), "cpu_ms": round(statistics.median(cpus), 3),
            "non200": bad}


def interleaved(client, cookie_name, groups, n, warmup=5):
    """Several groups of requests (name -> list), one of each in turn, n of each, the
    order rotating every round so drift falls on all alike. Medians per group, and the
    number of answers that were not 200."""
    names = list(groups)
    for i in range(warmup):
        for name in names:
            timed(client, cookie_name, groups[name][i % len(groups[name])])
    walls = {name: [] for name in names}
    cpus = {name: [] for name in names}
    bad = 0
    for i in range(n):
        order = names[i % len(names):] + names[:i % len(names)]
        for name in order:
            w, c, status = timed(client, cookie_name, groups[name][i % len(groups[name])])
            walls[name].append(w)
            cpus[name].append(c)
            bad += status != 200
    return ({name: {"n": n, "wall_ms": round(statistics.median(walls[name]), 3),
                    "cpu_ms": round(statistics.median(cpus[name]), 3)} for name in names}, bad)
