"""Bytes on the wire for a signed-in phone: a first visit and a repeat visit.

    .venv/bin/python bench/client.py http://127.0.0.1:PORT SESSION_ID /c/1/checkins/new [COOKIE_NAME]

(bench/run.py runs it for you, against its own server and a fresh session.)

Headless Debian Chromium (Playwright, a fresh empty profile), 390x844, signed in by
the session cookie. Sizes are transfer sizes from the DevTools protocol
(Network.loadingFinished encodedDataLength: headers + body as received). Requests
the service worker makes itself are counted apart, in two parts, both after the page
has loaded: its install (the precache: static files and the pages for anyone) and
the background keep (/offline-pages, then every circle's pages kept for offline use;
docs/offline.md). The bench waits for the keep to end (`data-offline-kept` on <main>).

The repeat visit is a new navigation to the same page in the same profile: with a
service worker in place it waits for the worker to be active and to control the
page first. Each request is put in one bucket: network, HTTP cache (memory or disk)
or service worker.

Flask sends static files uncompressed; a production proxy (nginx) would gzip them.
"gzip est." is that estimate: each text body compressed with gzip level 6 (what
`gzip -c` does), plus the same headers. Images are counted as they are.
"""
import gzip
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
BUDGET_FIRST_VISIT = 50 * 1024
TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/manifest+json",
              "image/svg+xml", "application/xml")


def kind_of(url, mime=""):
    path = urlsplit(url).path
    if path.endswith(".css") or mime == "text/css":
        return "css"
    if path.endswith(".js") or "javascript" in mime:
        return "js"
    if path.endswith((".png", ".svg", ".ico", ".webp")) or mime.startswith("image/"):
        return "icon"
    if path.endswith(".webmanifest") or "manifest" in mime:
        return "manifest"
    if mime == "text/html" or not path.startswith("/static/"):
        return "html"
    return "other"


def is_static(url):
    path = urlsplit(url).path
    return path.startswith("/static/") or path in ("/manifest.webmanifest", "/sw.js")


class Recorder:
    """Collects one visit's requests from the page (CDP) and from service workers."""

    def __init__(self):
        self.reqs = {}  # CDP requestId -> dict
        self.sw_requests = []  # Playwright requests a service worker made itself

    def on_will_send(self, e):
        r = self.reqs.setdefault(e["requestId"], {})
        r.update(url=e["request"]["url"], method=e["request"]["method"], type=e.get("type", ""))

    def on_response(self, e):
        r = self.reqs.setdefault(e["requestId"], {})
        resp = e["response"]
        headers = {k.lower(): v for k, v in resp.get("headers", {}).items()}
        source = "network"
        if resp.get("fromServiceWorker"):
            source = "service worker"
        elif resp.get("fromDiskCache") or resp.get("fromPrefetchCache"):
            source = "HTTP cache"
        r.update(url=resp["url"], status=resp["status"], mime=resp.get("mimeType", ""), source=source,
                 encoding=headers.get("content-encoding", ""), header_bytes=None)

    def on_cached(self, e):
        self.reqs.setdefault(e["requestId"], {})["source"] = "HTTP cache"

    def on_finished(self, e):
        self.reqs.setdefault(e["requestId"], {})["bytes"] = int(e.get("encodedDataLength", 0))

    def on_context_request(self, request):
        if getattr(request, "service_worker", None) is not None:
            self.sw_requests.append(request)

    def sw_rows(self):
        """What the service worker fetched (its precache, network-first pages), with
        transfer sizes (Playwright's encoded body + headers)."""
        out = []
        for req in self.sw_requests:
            try:
                sizes = req.sizes()
                size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                resp = req.response()
                status = resp.status if resp else None
                mime = (resp.headers.get("content-type", "") if resp else "").split(";")[0]
            except Exception:  # noqa: BLE001 - failed or unfinished request
                size, status, mime = 0, None, ""
            out.append({"url": req.url, "kind": kind_of(req.url, mime), "status": status,
                        "source": "network", "by": "service worker", "bytes": size, "encoding": "",
                        "static": is_static(req.url)})
        return out  # in the order asked: keep_split() needs it

    def rows(self):
        out = []
        for r in self.reqs.values():
            if "url" not in r or r["url"].startswith(("data:", "blob:", "chrome")):
                continue
            source = r.get("source", "network")
            out.append({"url": r["url"], "kind": kind_of(r["url"], r.get("mime", "")), "status": r.get("status"),
                        "source": source, "by": "page", "bytes": r.get("bytes", 0) if source == "network" else 0,
                        "encoding": r.get("encoding", ""), "static": is_static(r["url"])})
        return sorted(out, key=lambda x: x["url"])


ANONYMOUS_PAGES = ("/offline", "/outbox", "/emergency")


def keep_split(sw_rows):
    """(install, keep): the install is the precache (static files, and the pages for
    anyone, each once); anything else the worker fetched is the background keep
    (/offline-pages and the pages it lists, /emergency again, this time signed in)."""
    install, keep, seen = [], [], set()
    for row in sw_rows:
        path = urlsplit(row["url"]).path
        if row["static"] or (path in ANONYMOUS_PAGES and path not in seen):
            seen.add(path)
            install.append(row)
        else:
            keep.append(row)
    by_url = lambda x: x["url"]  # noqa: E731
    return sorted(install, key=by_url), sorted(keep, key=by_url)


def _fetch(url, cookie):
    req = urllib.request.Request(url, headers={"Cookie": cookie, "Accept-Encoding": "gzip, br"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.read(), dict(resp.headers)


def gzip_estimate(rows, cookie, out_of=None):
    """For each network row: the body gzipped (level 6) in place of the raw body."""
    total = 0
    for row in rows:
        if row["source"] != "network":
            continue
        try:
            body, headers = _fetch(row["url"], cookie)
        except Exception:  # noqa: BLE001 - an estimate; count it raw
            total += row["bytes"]
            continue
        mime = headers.get("Content-Type", "")
        if headers.get("Content-Encoding") or row["bytes"] < len(body):
            # Already compressed, or not a whole body on the wire (a 304, a cache hit):
            # counted as it was.
            row["gzip_bytes"] = row["bytes"]
        elif mime.startswith(TEXT_TYPES):
            row["gzip_bytes"] = max(0, row["bytes"] - len(body)) + len(gzip.compress(body, 6)) + 24
        else:
            row["gzip_bytes"] = row["bytes"]
        total += row["gzip_bytes"]
    return total


def totals(rows):
    by_kind = {}
    for r in rows:
        if r["source"] == "network":
            by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + r["bytes"]
    return by_kind


def static_compressed(base_url):
    """Does the server compress a static file when asked (Accept-Encoding: gzip, br)?"""
    req = urllib.request.Request(base_url + "/healthz")
    urllib.request.urlopen(req, timeout=5).read()
    page = urllib.request.urlopen(base_url + "/emergency", timeout=5).read().decode()
    import re
    m = re.search(r'src="(/static/[^"]+\.js[^"]*)"', page)
    if not m:
        return None
    req = urllib.request.Request(base_url + m.group(1), headers={"Accept-Encoding": "gzip, br"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return {"url": m.group(1), "content_encoding": resp.headers.get("Content-Encoding") or "none"}


def sw_available(base_url):
    try:
        with urllib.request.urlopen(base_url + "/sw.js", timeout=5) as resp:
            return resp.status == 200
    except Exception:  # noqa: BLE001 - 404 or anything else: not there
        return False


def measure(base_url, sid, path, cookie_name="session", timeout_s=90):
    from playwright.sync_api import sync_playwright

    cookie = f"{cookie_name}={sid}"
    has_sw = sw_available(base_url)
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    result = {"page": path, "service_worker_route": has_sw}
    deadline = time.monotonic() + timeout_s
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                viewport={"width": 390, "height": 844}, service_workers="allow")
            context.set_default_timeout(30_000)
            context.add_cookies([{"name": cookie_name, "value": sid, "url": base_url}])
            page = context.pages[0] if context.pages else context.new_page()
            rec = Recorder()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
            cdp.on("Network.requestWillBeSent", lambda e: rec.on_will_send(e))
            cdp.on("Network.responseReceived", lambda e: rec.on_response(e))
            cdp.on("Network.requestServedFromCache", lambda e: rec.on_cached(e))
            cdp.on("Network.loadingFinished", lambda e: rec.on_finished(e))
            context.on("request", lambda r: rec.on_context_request(r))

            # First visit: empty profile.
            resp = page.goto(base_url + path, wait_until="load")
            result["first_status"] = resp.status if resp else None
            result["first_final_url"] = page.url
            try:
                page.wait_for_load_state("networkidle", timeout=10_000)
            except Exception:  # noqa: BLE001 - keep what we have
                pass
            controlled = False
            if has_sw:
                try:
                    # navigator.serviceWorker.ready never settles if registration
                    # failed: race it against a timer so the bench cannot hang.
                    state = page.evaluate(
                        "() => Promise.race([navigator.serviceWorker.ready.then(() => 'ready'),"
                        " new Promise(r => setTimeout(() => r('timeout'), 15000))])")
                    if state != "ready":
                        result["sw_error"] = "the service worker was not ready after 15 s"
                    for _ in range(50):
                        if page.evaluate("() => !!navigator.serviceWorker.controller"):
                            controlled = True
                            break
                        time.sleep(0.1)
                except Exception as exc:  # noqa: BLE001
                    result["sw_error"] = str(exc)[:200]
                time.sleep(1.0)  # let the install's precache finish its fetches
                try:  # the background keep of every circle's pages, then a moment for its last put
                    page.wait_for_selector("#main[data-offline-kept=done], #main[data-offline-kept=failed]",
                                           state="attached", timeout=30_000)
                    result["keep_state"] = page.get_attribute("#main", "data-offline-kept")
                except Exception:  # noqa: BLE001 - an older app without it, or too slow
                    result["keep_state"] = "not seen"
                time.sleep(0.3)
            first_rows = rec.rows()
            first_sw, first_keep = keep_split(rec.sw_rows())
            page_bytes = sum(r["bytes"] for r in first_rows)
            sw_bytes = sum(r["bytes"] for r in first_sw)
            keep_bytes = sum(r["bytes"] for r in first_keep)
            result["first"] = {"rows": first_rows, "sw_rows": first_sw, "keep_rows": first_keep,
                               "by_kind": totals(first_rows), "sw_by_kind": totals(first_sw),
                               "page_bytes": page_bytes, "sw_bytes": sw_bytes, "keep_bytes": keep_bytes,
                               "bytes": page_bytes + sw_bytes}  # the keep is counted apart, see run.py
            result["first"]["page_gzip_bytes_est"] = gzip_estimate(first_rows, cookie)
            result["first"]["sw_gzip_bytes_est"] = gzip_estimate(first_sw, cookie)
            result["first"]["keep_gzip_bytes_est"] = gzip_estimate(first_keep, cookie)
            result["first"]["gzip_bytes_est"] = (result["first"]["page_gzip_bytes_est"]
                                                 + result["first"]["sw_gzip_bytes_est"])
            result["controlled_before_repeat"] = controlled

            # Repeat visit: a new navigation in the same profile (a second recorder;
            # the first one's numbers are already copied).
            rec2 = Recorder()
            cdp.on("Network.requestWillBeSent", lambda e: rec2.on_will_send(e))
            cdp.on("Network.responseReceived", lambda e: rec2.on_response(e))
            cdp.on("Network.requestServedFromCache", lambda e: rec2.on_cached(e))
            cdp.on("Network.loadingFinished", lambda e: rec2.on_finished(e))
            context.on("request", lambda r: rec2.on_context_request(r))
            page.goto(base_url + path, wait_until="load")
            try:
                page.wait_for_load_state("networkidle", timeout=10_000)
            except Exception:  # noqa: BLE001
                pass
            result["repeat_controlled"] = bool(has_sw and page.evaluate("() => !!navigator.serviceWorker.controller"))
            rows2, sw2 = rec2.rows(), rec2.sw_rows()
            result["repeat"] = {
                "rows": rows2, "sw_rows": sw2, "by_kind": totals(rows2 + sw2),
                "bytes": sum(r["bytes"] for r in rows2 + sw2),
                "static_network": sum(1 for r in rows2 + sw2 if r["static"] and r["source"] == "network"),
                "static_total": sum(1 for r in rows2 if r["static"]),
                "sources": {s: sum(1 for r in rows2 if r["source"] == s)
                            for s in ("network", "HTTP cache", "service worker")},
            }
            if time.monotonic() > deadline:
                result["warning"] = "took longer than the time limit"
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    result["compression"] = static_compressed(base_url)
    return result


def budget(n):
    return "PASS" if n < BUDGET_FIRST_VISIT else "FAIL"


def summary_lines(r):
    kb = lambda n: f"{n / 1024:.1f} KB"  # noqa: E731
    f = r["first"]
    lines = [f"page {r['page']} (status {r.get('first_status')}, landed on {urlsplit(r['first_final_url']).path})"]
    kinds = ", ".join(f"{k} {kb(v)}" for k, v in sorted(f["by_kind"].items()))
    lines.append(f"  first visit, the page's own requests ({len(f['rows'])}): {kb(f['page_bytes'])} as served, "
                 f"uncompressed [{budget(f['page_bytes'])} < 50 KB] ({kinds}); "
                 f"gzip estimated: {kb(f['page_gzip_bytes_est'])} [{budget(f['page_gzip_bytes_est'])}]")
    if f["sw_rows"]:
        sw_kinds = ", ".join(f"{k} {kb(v)}" for k, v in sorted(f["sw_by_kind"].items()))
        lines.append(f"  + the service worker's install ({len(f['sw_rows'])} requests, after load): "
                     f"{kb(f['sw_bytes'])} ({sw_kinds}); gzip estimated {kb(f['sw_gzip_bytes_est'])}")
        lines.append(f"  = first visit in all: {kb(f['bytes'])} as served [{budget(f['bytes'])}], "
                     f"{kb(f['gzip_bytes_est'])} gzip estimated [{budget(f['gzip_bytes_est'])}]")
    if f.get("keep_rows"):
        lines.append(f"  + the background keep for offline ({len(f['keep_rows'])} requests, after load, "
                     f"{r.get('keep_state')}): {kb(f['keep_bytes'])}; gzip estimated {kb(f['keep_gzip_bytes_est'])}")
    rep = r["repeat"]
    sw = ("service worker: " + ("controls the page" if r.get("repeat_controlled") else "present but not controlling")
          if r["service_worker_route"] else "service worker: /sw.js not available (HTTP cache only)")
    ok_rep = "PASS" if rep["static_network"] == 0 else "FAIL"
    lines.append(f"  repeat visit: {kb(rep['bytes'])} on the network ({len(rep['sw_rows'])} fetched by the "
                 f"service worker); static requests on the network: {rep['static_network']} of "
                 f"{rep['static_total']} [{ok_rep}]; page requests answered by {rep['sources']}; {sw}")
    if r.get("sw_error"):
        lines.append(f"  service worker problem: {r['sw_error']}")
    comp = r.get("compression") or {}
    lines.append(f"  static files compressed by the server: {comp.get('content_encoding', '?')} "
                 f"(asked {comp.get('url', '?')} with Accept-Encoding: gzip, br)")
    return lines


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    if len(argv) < 3:
        sys.exit(__doc__)
    r = measure(argv[0].rstrip("/"), argv[1], argv[2], *argv[3:4])
    if as_json:  # for bench/run.py
        print("CLIENT_JSON " + json.dumps(r))
    else:
        print("\n".join(summary_lines(r)))


if __name__ == "__main__":
    main()
