-- wrk script for bench/run.py: cycles over many sessions and circles, and prints one
-- machine-readable line at the end ("BENCH_JSON {...}") that run.py parses.
--
-- Environment (set by run.py):
--   BENCH_DATA  a Lua file returning { {path, session_cookie_or_empty, csrf_or_empty}, ... }
--   BENCH_MODE  "get" (default) or "checkin": POST a new check-in as htmx does
--               (HX-Request: true, form-encoded, a unique client_id each time)
--   BENCH_DATE  the check-in's day (YYYY-MM-DD), for "checkin"
--   BENCH_TAG   makes client_ids unique across runs
--   BENCH_COOKIE_NAME  the session cookie's name ("session" over plain http)
--
-- A response other than 200 counts as "non200" (wrk itself only counts >= 400), so a
-- redirect to the sign-in page can never pass for a fast page.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  entries = dofile(os.getenv("BENCH_DATA"))
  mode = os.getenv("BENCH_MODE") or "get"
  day = os.getenv("BENCH_DATE") or ""
  tag = os.getenv("BENCH_TAG") or tostring(os.time())
  cookie_name = os.getenv("BENCH_COOKIE_NAME") or "session"
  n = #entries
  i = ((tid - 1) * 7919) % n  -- threads start at different places in the list
  counter = 0
  non200 = 0
  first_bad = 0
end

local function headers_for(e)
  local h = {}
  if e[2] ~= "" then h["Cookie"] = cookie_name .. "=" .. e[2] end
  return h
end

function request()
  i = i % n + 1
  local e = entries[i]
  local h = headers_for(e)
  if mode == "checkin" then
    counter = counter + 1
    h["HX-Request"] = "true"
    h["Content-Type"] = "application/x-www-form-urlencoded"
    local body = "csrf_token=" .. e[3]
      .. "&client_id=bench-" .. tag .. "-" .. tid .. "-" .. counter
      .. "&date=" .. day
      .. "&craving=" .. (counter % 8)
      .. "&withdrawal=none&access=none"
      .. "&stress=" .. (counter % 7)
      .. "&medication=taken&use=none"
      .. "&notes=Bench+check-in"
    return wrk.format("POST", e[1], h, body)
  end
  return wrk.format("GET", e[1], h)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_bad == 0 then first_bad = status end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non200") or 0)
    local fb = t:get("first_bad") or 0
    if first == 0 then first = fb end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"non200": %d, "first_bad_status": %d, ' ..
    '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, bad, first,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99)))
end
