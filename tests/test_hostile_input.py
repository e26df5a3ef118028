"""Hostile input on every form: every POST route of the URL map, fuzzed with Hypothesis.

The bar: bad input gets a clear message and nothing is written. Every form validates
server-side, errors name the field, no 500 on any input, no partial writes.

Every route that accepts POST is fuzzed here (registered with @fuzzes) or listed in
COVERED_ELSEWHERE with the file that fuzzes it: test_every_post_route_is_fuzzed reads
app.url_map, so a new POST route fails until someone fuzzes it.

How each property works:
- a strategy draws what a client sends: field names and values in order (valid ones,
  hostile ones: very long, NUL and control characters, lone surrogates, odd Unicode,
  numbers out of range, floats, huge integers, impossible and far dates; fields
  repeated, missing, unknown, or sent as a file), as a urlencoded or multipart body, or
  as a JSON or text body that the forms must not read;
- `received()` models what the server gets out of those bytes (a lone surrogate
  arrives as "%ED%A0%80" in a urlencoded body, as U+FFFD in a multipart one);
- an oracle written from the spec (the product spec's table of check-in fields, the
  forms' documented rules) says which fields are wrong, and what an accepted request
  stores.
Then: never a 5xx (TESTING is on, so an exception in a view fails the test itself);
something wrong answers 4xx, the page (or JSON) names each wrong field, and every
table except sessions, login_failures and audit_log is exactly as before; nothing
wrong is accepted and stores what the spec says.

Passwords are hashed with cheap argon2 parameters here (the rules are the same), the
sign-in lock is out of the way and the TOTP clock stands still, so the file runs in
well under a minute.
"""
import json
import re
import secrets
import shutil
import sqlite3
import urllib.parse
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
import pytest
import werkzeug.formparser  # noqa: F401  (registers the "werkzeug.url_quote" error handler)
from argon2 import PasswordHasher
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jinja2 import BytecodeCache
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from caregiver import create_app
from caregiver import credentials
from caregiver.account_forms import COMMON_PASSWORDS
from caregiver.dates import TIMEZONES
from caregiver.sessions import token_hash
from conftest import csrf_from

TZ = "America/New_York"
PASSWORD = "correct horse battery"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CHEAP_HASH = CHEAP.hash(PASSWORD)
NOW = 1_800_000_000  # the TOTP clock
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                        HealthCheck.too_slow, HealthCheck.data_too_large])

# --- The spec's values (the product spec: levels, check-in fields, rules, checklists) ---

LEVELS = ["inpatient", "residential", "php", "iop", "outpatient", "recovery-support"]
MEDICATIONS = ["none", "buprenorphine", "methadone", "naltrexone", "buprenorphine-injection", "naltrexone-injection"]
INJECTIONS = ["buprenorphine-injection", "naltrexone-injection"]
NEXT_DUE_DAYS_AHEAD = 400
LIVING = ["home", "sober-living", "facility"]
WITHDRAWAL = ["none", "mild", "moderate", "severe"]
ACCESS = ["none", "possible", "easy"]
MEDICATION = ["taken", "missed", "not-prescribed"]
USE = ["none", "suspected", "confirmed"]
SIGNS = ["sweating", "runny-nose-or-eyes", "yawning", "gooseflesh", "restlessness", "anxiety-or-irritability",
         "aches", "stomach-upset", "tremor", "trouble-sleeping", "large-pupils", "chills-or-flushing"]
RULES = ["overdose-recent", "use-after-abstinence", "overdose-history", "use-in-lower-structure", "frequent-use",
         "withdrawal-severe", "withdrawal-prolonged", "cravings-high", "access-under-stress", "missed-medication",
         "repeated-relapse", "cravings-rising", "access-possible", "stress-high", "recent-step-down",
         "checkins-missing"]
ACTIONS = ["talked-with-care-team", "changed-level", "safety-steps", "watching", "other"]
CHECKLIST_ITEMS = ["coping-practiced", "stress-handled", "home-substance-free", "medication-plan",
                   "next-appointment", "accountability", "warning-plan", "medically-stable",
                   "naloxone-home", "naloxone-trained", "meds-locked", "crisis-numbers", "transport"]
TRUE = {"y", "yes", "on", "true", "1"}  # a checkbox (the form sends "y")
FALSE = {"", "n", "no", "off", "false", "0"}
SCALE = [str(i) for i in range(11)]
PHONE = re.compile(r"\+?[0-9(][0-9 ()\-.]{1,24}")  # and at least two digits (phone_bad)
CLIENT_ID = re.compile(r"[A-Za-z0-9\-]{8,64}")
# Refused in any text: C0/C1 controls and the bidirectional overrides and isolates.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LEVEL_DAYS_BACK = 3653
CHECKIN_DAYS_BACK = 14


def circle_today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


# --- Registry: which POST routes are fuzzed where -------------------------------------

FUZZED = {}  # endpoint -> the test of this file that fuzzes it
# endpoint -> the test file that fuzzes it, for a POST route fuzzed outside this file.
# Empty for now: every POST route is fuzzed here (test_share.py and test_export.py
# also fuzz the share-link form's values and the import file's JSON).
COVERED_ELSEWHERE = {
    # The notification forms: fuzzed beside the local push receiver they need.
    "notifications.subscribe": "tests/test_notifications.py",
    "notifications.choices": "tests/test_notifications.py",
    "notifications.send_test": "tests/test_notifications.py",
    "notifications.turn_off": "tests/test_notifications.py",
}


def fuzzes(*endpoints):
    def register(test):
        for endpoint in endpoints:
            FUZZED[endpoint] = test.__name__
        return test
    return register


def post_endpoints(app):
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}


def test_every_post_route_is_fuzzed(app):
    routes = post_endpoints(app)
    missing = routes - set(FUZZED) - set(COVERED_ELSEWHERE)
    assert not missing, f"POST routes nobody fuzzes (add them here or to COVERED_ELSEWHERE): {sorted(missing)}"
    stale = (set(FUZZED) | set(COVERED_ELSEWHERE)) - routes
    assert not stale, f"no longer POST routes: {sorted(stale)}"
    from pathlib import Path
    for endpoint, path in COVERED_ELSEWHERE.items():
        text = (Path(__file__).parent.parent / path).read_text()
        assert "@given" in text, f"{path} is listed as fuzzing {endpoint} but has no @given"


# --- The database -----------------------------------------------------------------------

UNWATCHED = {"sessions", "login_failures", "audit_log"}
_CONNECTIONS = {}  # one per test's database, held open (see `fast_and_unlocked`)


def connect(app):
    """The test's own connection. Held open for the whole test: then no connection
    closing (the app's, after each request) is the last one, which would checkpoint
    the WAL, and the test's writes skip the fsync (the app's keep theirs)."""
    path = app.config["DATABASE"]
    if path not in _CONNECTIONS:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = OFF")
        _CONNECTIONS[path] = conn
    return _CONNECTIONS[path]


def rows(app, sql, params=()):
    return connect(app).execute(sql, params).fetchall()


def execute(app, sql, params=()):
    conn = connect(app)
    cursor = conn.execute(sql, params)
    conn.commit()
    return cursor.lastrowid


def snapshot(app):
    """Every row of every table (but sessions, login_failures and audit_log)."""
    conn = connect(app)
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names if name not in UNWATCHED}


def changed_tables(before, after):
    return {name for name in after if before.get(name) != after[name]}


def now_iso(days=0):
    return (datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=days)).isoformat()


def add_user(app, username, name="Bob"):
    return execute(app, "INSERT INTO users (username, display_name, password_hash, created_at)"
                        " VALUES (?, ?, ?, ?)", [username, name, CHEAP_HASH, now_iso()])


def add_circle(app, owner, nickname="Sam", members=()):
    circle = execute(app, "INSERT INTO circles (nickname, timezone, emergency_number, created_at)"
                          " VALUES (?, ?, '911', ?)", [nickname, TZ, now_iso()])
    execute(app, "INSERT INTO memberships VALUES (?, ?, 'owner', ?)", [circle, owner, now_iso()])
    for member in members:
        execute(app, "INSERT INTO memberships VALUES (?, ?, 'member', ?)", [circle, member, now_iso()])
    return circle


def add_checkin(app, circle, user, day, client_id=None):
    return execute(app, "INSERT INTO checkins (circle_id, user_id, client_id, date, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)", [circle, user, client_id, day, now_iso(), now_iso()])


def user_id(app, username):
    return rows(app, "SELECT id FROM users WHERE username = ?", [username])[0][0]


# --- Fixtures -----------------------------------------------------------------------------

APP_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "SESSION_COOKIE_SECURE": False,
              "SERVER_NAME": "localhost"}  # as conftest's


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A migrated, empty database, made once for this file."""
    path = tmp_path_factory.mktemp("pristine") / "test.db"
    create_app({**APP_CONFIG, "DATABASE": str(path)})
    return path


@pytest.fixture
def app(tmp_path, pristine):
    """conftest's app (a fresh database), on a copy of `pristine` rather than migrated anew."""
    shutil.copyfile(pristine, tmp_path / "test.db")
    return create_app({**APP_CONFIG, "DATABASE": str(tmp_path / "test.db")})


class SharedBytecode(BytecodeCache):
    """Templates compiled once for the whole file, not once per test's app."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedBytecode()


@pytest.fixture(autouse=True)
def fast_and_unlocked(app, monkeypatch):
    app.jinja_env.bytecode_cache = TEMPLATES
    monkeypatch.setattr(credentials, "hasher", CHEAP)
    monkeypatch.setattr(credentials, "_DUMMY_HASH", CHEAP_HASH)
    monkeypatch.setattr(credentials, "_clock", lambda: NOW)
    app.config["LOGIN_MAX_FAILURES"] = 10 ** 9  # 429s are tested in test_auth
    app.config["SIGNUP_MAX_PER_ADDRESS"] = 10 ** 9
    connect(app)
    yield
    _CONNECTIONS.pop(app.config["DATABASE"]).close()


class Caregiver:
    """A test client, signed in or not, with its CSRF token at hand."""

    def __init__(self, app, client, username=None, password=PASSWORD):
        self.app, self.client, self.username, self.password = app, client, username, password
        self.token = None

    def refresh(self):
        self.token = csrf_from(self.client.get("/sign-in").get_data(as_text=True))
        return self

    def sign_up(self, username="alice", password=PASSWORD, name="Alice"):
        self.refresh()
        response = self.client.post("/sign-up", data={"csrf_token": self.token, "username": username,
                                                      "display_name": name, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.username, self.password = username, password
        return self.refresh()

    def sign_in(self, username=None, password=None):
        self.refresh()
        response = self.client.post("/sign-in", data={"csrf_token": self.token, "username": username or self.username,
                                                      "password": password or self.password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return self.refresh()

    @property
    def id(self):
        return user_id(self.app, self.username)

    def create_circle(self, nickname="Sam"):
        response = self.client.post("/circles/new", data={
            "csrf_token": self.token, "nickname": nickname, "timezone": TZ, "emergency_number": "911",
            "level_of_care": "outpatient", "level_since": (circle_today() - timedelta(days=20)).isoformat()})
        assert response.status_code == 302, response.get_data(as_text=True)
        return int(re.search(r"/c/(\d+)/", response.headers["Location"]).group(1))


@pytest.fixture
def me(app, client):
    return Caregiver(app, client).sign_up()


@pytest.fixture
def circle(me):
    return me.create_circle()


# --- What a client sends, and what the server receives ------------------------------------

class Sentinel:
    """A value known only when the request is sent (this session's CSRF token...)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


TOKEN = Sentinel("TOKEN")  # this session's CSRF token
TOKEN_TAMPERED = Sentinel("TOKEN_TAMPERED")
STRANGER_TOKEN = Sentinel("STRANGER_TOKEN")  # a good token of another session
RIGHT = Sentinel("RIGHT")  # the right password, code or name (each test says which)
RECOVERY = Sentinel("RECOVERY")  # an unused recovery code, as shown
RECOVERY_TYPED = Sentinel("RECOVERY_TYPED")  # the same, typed in lower case with spaces
CODE_NOW = Sentinel("CODE_NOW")  # the code the authenticator app shows now
STRANGER = {}  # STRANGER_TOKEN's value in the running test (see `stranger`)


@pytest.fixture(autouse=True)
def stranger(app):
    STRANGER[STRANGER_TOKEN] = csrf_from(app.test_client().get("/sign-in").get_data(as_text=True))


class File:
    """A multipart part with a file name (werkzeug puts it in request.files)."""

    def __init__(self, data=b"", filename="notes.txt"):
        self.data, self.filename = data, filename

    def __repr__(self):
        return f"File({self.data[:40]!r}, {self.filename!r})"


def _utf8(text):
    return text.encode("utf-8", "surrogatepass")


def _part_safe(text):
    """What a browser puts in a multipart header: valid UTF-8, and no quote, backslash,
    percent sign or line break (browsers escape those); so the model stays exact."""
    return "".join("_" if ch in '"\\%\r\n' or 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)


class Request:
    """One request: pairs in order (values are str, File or Sentinel), as a urlencoded
    ("form") or multipart body, or as a JSON or text body that no form may read."""

    def __init__(self, pairs, shape="form", headers=None, header_token=TOKEN):
        if shape == "form" and any(isinstance(v, File) for _, v in pairs):
            shape = "multipart"
        if shape == "multipart":
            pairs = [(_part_safe(k), File(v.data, _part_safe(v.filename)) if isinstance(v, File) else v)
                     for k, v in pairs]
        self.pairs, self.shape, self.headers, self.header_token = pairs, shape, dict(headers or {}), header_token
        self.values = self.raw_json = None

    def __repr__(self):
        return (f"Request({self.shape}, {self.pairs!r}, headers={self.headers}, header_token={self.header_token}"
                + (f", raw_json={self.raw_json!r})" if self.raw_json is not None else ")"))

    def prepare(self, caregiver, extra=None):
        """Fix the sentinels' values (`extra` gives RIGHT's); then received() works."""
        self.values = {TOKEN: caregiver.token, TOKEN_TAMPERED: caregiver.token[:-3] + "xyz", **STRANGER,
                       RECOVERY: RECOVERY_CODE, RECOVERY_TYPED: RECOVERY_CODE.lower().replace("-", " "),
                       **(extra or {})}
        return self

    def send(self, caregiver, path, extra=None):
        """POST it to `path`."""
        self.prepare(caregiver, extra)
        body, content_type = self.body()
        headers = dict(self.headers)
        if self.shape in ("json", "text") and self.header_token is not None:
            headers["X-CSRFToken"] = self.values[self.header_token]
        return caregiver.client.post(path, data=body, content_type=content_type, headers=headers)

    def resolved(self):
        return [(k, self.values[v] if isinstance(v, Sentinel) else v) for k, v in self.pairs]

    def body(self):
        pairs = self.resolved()
        if self.shape == "form":
            text = "&".join(urllib.parse.quote(_utf8(k), safe="") + "=" + urllib.parse.quote(_utf8(v), safe="")
                            for k, v in pairs)
            return text.encode("ascii"), "application/x-www-form-urlencoded"
        if self.shape == "multipart":
            boundary = "----hostile-input-boundary"
            out = b""
            for k, v in pairs:
                disposition = f'form-data; name="{k}"'
                if isinstance(v, File):
                    disposition += f'; filename="{v.filename}"'
                out += _utf8(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n")
                out += (v.data if isinstance(v, File) else _utf8(v)) + b"\r\n"
            return out + _utf8(f"--{boundary}--\r\n"), f"multipart/form-data; boundary={boundary}"
        if self.shape == "json" and self.raw_json is not None:
            return _utf8(self.raw_json), "application/json"
        if self.shape == "json":
            data = {}
            for k, v in pairs:
                if not isinstance(v, File):
                    data.setdefault(k, []).append(v)
            body = {k: v[0] if len(v) == 1 else v for k, v in data.items()}
            return json.dumps(body).encode(), "application/json"
        return _utf8("&".join(f"{k}={v}" for k, v in pairs if not isinstance(v, File))), "text/plain"

    def received(self):
        """(form, files) as the server parses the body."""
        form, files = MultiDict(), MultiDict()
        if self.shape == "form":
            # A byte sequence that is not UTF-8 (a lone surrogate) stays percent-encoded.
            for k, v in urllib.parse.parse_qsl(self.body()[0].decode("ascii"), keep_blank_values=True,
                                               errors="werkzeug.url_quote"):
                form.add(k, v)
        elif self.shape == "multipart":
            for k, v in self.resolved():
                if isinstance(v, File):
                    files.add(k, v)
                else:  # ... and becomes U+FFFD in a multipart part
                    form.add(k, _utf8(v).decode("utf-8", "replace"))
        return form, files

    def csrf_ok(self):
        form, _ = self.received()
        token = form.get("csrf_token")
        if not token and self.shape in ("json", "text") and self.header_token is not None:
            token = self.values[self.header_token]
        return token == self.values[TOKEN]


def first(form, name, default=None):
    values = form.getlist(name)
    return values[0] if values else default


def shape_problems(form, files, scalars, multi=()):
    """Fields sent as a file, or several times when they take one value."""
    bad = set()
    for name in list(scalars) + list(multi):
        if name in files:
            bad.add(name)
        if len(form.getlist(name)) + len(files.getlist(name)) > 1 and name not in multi:
            bad.add(name)
    return bad


def text_bad(value, required=False, max_len=None, min_len=0, multiline=False, strip=True):
    """Whether a text field's rule refuses `value` (None: not sent)."""
    v = value or ""
    if strip:
        v = v.strip()
    if not v:
        return required
    if (max_len is not None and len(v) > max_len) or len(v) < min_len:
        return True
    return bool((CONTROL_MULTILINE if multiline else CONTROL).search(v))


def strict_day(value):
    """A day as the spec writes it, YYYY-MM-DD, or None."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def password_bad(value):
    """The sign-up rules for a new password: 10 to 128 characters, not a common one, at
    least 4 different characters."""
    v = value or ""
    return (not v.strip()  # DataRequired: only spaces is nothing
            or not 10 <= len(v) <= 128 or v.lower() in COMMON_PASSWORDS or len(set(v)) < 4)


def current_password_bad(value):
    """A password typed to confirm: required (only spaces is nothing), at most 128."""
    return not (value or "").strip() or len(value) > 128


def ascii_lower(text):
    """What SQLite's NOCASE compares (ASCII letters only)."""
    return "".join(ch.lower() if "A" <= ch <= "Z" else ch for ch in text)


# --- Hostile values -------------------------------------------------------------------------

ODD = ["", " ", "\t", "\r\n", "\x00", "a\x00b", "\x1b[31mred", "\x7f", "\x85", "\x1f", "\u2028", "\u202e",
       "\ufeff", "\u200b", "\ufffd", "\ufffe", "\U0010ffff", "\ud800", "\udfff", "x\ud83dy", "é", "e\u0301",
       "İ", "ß", "ǅ", "👨‍👩‍👧", "שלום", "𝟘", "٣", "²", "①", "null", "None", "undefined", "true", "false",
       "[]", "{}", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "%ED%A0%80", "../../etc/passwd",
       "NaN", "Infinity", "-0", "1e308", "0x10", "1_000", "+5", " 5 ", "5.0", "-1", "11", "3.5",
       str(2 ** 63), str(2 ** 64), "9" * 30, "-" + "9" * 30, "1" * 5000]
DATES = ["0000-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "2026-02-29", "2024-02-29", "2026-13-01",
         "2026-00-10", "2026-1-1", "20261120", "2026-W47-5", "2026-324", "2026-11-20T00:00", "2026/11/20",
         "２０２６-１１-２０", "٢٠٢٦-١١-٢٠", "-2026-11-20", "+2026-11-20", "12026-11-20", "2026-11-20\x00"]


def relative_day(low, high):
    """A day `low` to `high` days from the circle's today, sometimes with spaces around."""
    return st.tuples(st.integers(low, high), st.sampled_from(["", "", " ", "\t"])).map(
        lambda t: t[1] + (circle_today() + timedelta(days=t[0])).isoformat() + t[1])


TEXT = st.text(max_size=20)
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=20)  # lone surrogates too
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))
LONG = st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "é", "👍", "\x00", " ", "\ud800", "9"]),
                 st.sampled_from([39, 40, 41, 59, 60, 61, 79, 80, 81, 119, 120, 121, 129, 499, 500, 501,
                                  1999, 2000, 2001, 20000]))
HOSTILE = st.one_of(st.sampled_from(ODD), st.sampled_from(DATES), TEXT, ANY_TEXT, LONG,
                    st.integers(-2 ** 70, 2 ** 70).map(str), st.floats().map(repr))
UNKNOWN_NAMES = st.one_of(st.sampled_from([
    "x", "is_admin", "user_id", "circle_id", "role", "id", "csrf", "DATE", "date ", "notes[]", "", "\x00",
    "\ud800", "care_team-²-label", "care_team-١-number", "care_team-99999-label", "care_team-3-number",
    "care_team-" + "9" * 5000 + "-label", "care_team--1-label", "care_team-0", "withdrawal_signs[]"]), TEXT)
HEADERS = st.sampled_from([{}, {}, {"Accept": "application/json"}, {"HX-Request": "true"}])


def values(valid, hostile=HOSTILE):
    """A field's values: its valid ones, often hostile ones."""
    return st.one_of(valid, hostile, hostile)


@st.composite
def submission(draw, fields, hostile=None, csrf=True, headers=None, mutate=None, only=None):
    """What a client sends. Every field of `fields` (name -> strategy of valid values;
    None leaves it out, a list sends it several times); unless all stay valid, 1 to 3
    fields are made hostile (a hostile value, missing, repeated, or sent as a file),
    unknown fields are added, and the order is shuffled. The CSRF token is mostly right
    (always, with csrf=False). The body is urlencoded or multipart, or JSON or text
    (which no form reads). With `only`, that field alone is made hostile, and nothing
    else is odd."""
    hostile = hostile or {}
    names = list(fields)
    if only:
        mutate, csrf, bad = False, False, {only}
    else:
        if mutate is None:
            mutate = draw(st.booleans())
        bad = draw(st.sets(st.sampled_from(names), min_size=1, max_size=min(3, len(names)))) \
            if mutate and names else set()

    def add(name, value):
        for v in value if isinstance(value, list) else [value]:
            pairs.append((name, v))

    pairs = []
    for name in names:
        if name not in bad:
            value = draw(fields[name])
            if value is not None:
                add(name, value)
            continue
        how = draw(st.sampled_from(["value", "value", "value", "missing", "repeat", "file"]))
        strategy = hostile.get(name, values(fields[name]))
        if how == "missing":
            continue
        if how == "file":
            pairs.append((name, File(_utf8(draw(TEXT)), draw(st.sampled_from(["a.txt", "x.json", "é.csv"])))))
            continue
        value = draw(strategy)
        add(name, "" if value is None else value)
        if how == "repeat":
            again = draw(st.one_of(fields[name], strategy))
            add(name, "" if again is None else again)
    if mutate:
        for _ in range(draw(st.integers(0, 2))):
            pairs.insert(draw(st.integers(0, len(pairs))), (draw(UNKNOWN_NAMES), draw(HOSTILE)))
        pairs = draw(st.permutations(pairs))
    header_token = TOKEN
    if not csrf:
        pairs.insert(0, ("csrf_token", TOKEN))
    else:
        token = draw(st.sampled_from([TOKEN] * 40 + [None, "", "garbage", TOKEN_TAMPERED, STRANGER_TOKEN, "twice"]))
        if token == "twice":  # the first one counts
            pairs.insert(0, ("csrf_token", draw(st.sampled_from([TOKEN, "x", STRANGER_TOKEN]))))
            pairs.insert(1, ("csrf_token", draw(st.sampled_from([TOKEN, "x"]))))
        elif token is not None:
            pairs.insert(draw(st.integers(0, len(pairs))), ("csrf_token", token))
        header_token = draw(st.sampled_from([TOKEN, TOKEN, TOKEN, TOKEN_TAMPERED, None]))
    shapes = ["form"] * 6 + ["multipart"] * 2 + (["json", "text"] if mutate else [])
    request = Request(pairs, draw(st.sampled_from(shapes)), draw(headers) if headers is not None else None,
                      header_token)
    if request.shape == "json" and draw(st.booleans()):
        # Any JSON at all, even none: Flask-WTF used to hand it to the fields (a 500).
        request.raw_json = draw(st.one_of(st.sampled_from(["", "{", "[1,", "\ud800", "nul\u0000l"]),
                                          json_values(names).map(json.dumps)))
    return request


def json_values(names):
    return st.recursive(
        st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats(allow_nan=False) | TEXT,
        lambda children: st.lists(children, max_size=3) | st.dictionaries(
            st.sampled_from(list(names) + ["csrf_token", "x"]), children, max_size=4),
        max_leaves=8)


# --- Checking an answer -------------------------------------------------------------------

def field(name, label=None):
    """Ways a page names a field: its error next to it (the form macros give it the id
    NAME-error), its key in JSON errors, or, where errors are listed in one alert, its
    name at the start of the message ("Notes: ...")."""
    evidence = [f'id="{name}-error"', f'"{name}":[']
    if label:
        evidence.append(str(escape(label + ":")))
    return tuple(evidence)


def text(*options):
    """A message in HTML, or in JSON."""
    return tuple(str(escape(o)) for o in options) + tuple(json.dumps(o)[1:-1] for o in options)


CSRF_PROBLEM = ("This form expired", '{"error":"csrf"}')
NOT_A_FORM = text("This was not sent as a web form")


def refused(app, response, before, problems, statuses=(400, 422)):
    event(f"refused with {response.status_code}" + (" (CSRF)" if problems == [CSRF_PROBLEM] else ""))
    page = response.get_data(as_text=True)
    assert response.status_code in statuses, (response.status_code, problems, page[:3000])
    for evidence in problems:
        assert any(e in page for e in evidence), (f"no message names {evidence}", page)
    assert snapshot(app) == before, "a refused request wrote something"


def accepted(response, statuses=(302,)):
    event(f"accepted with {response.status_code}")
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:3000])


def csrf_refused(app, request, response, before):
    """The CSRF check comes first: a bad token is a 400 whatever else was sent."""
    if request.csrf_ok():
        return False
    refused(app, response, before, [CSRF_PROBLEM], statuses=(400,))
    return True


def problems_of(request, bad, labels=None, form_errors_shown=True):
    """The evidence to find for each wrong field, and for a body that is not a form."""
    labels = labels or {}
    problems = [field(name, labels.get(name)) for name in sorted(bad)]
    if request.shape in ("json", "text") and form_errors_shown:
        problems.append(NOT_A_FORM)
    return problems


class Sent:
    """One request POSTed to a form, with what checking its answer needs: the tables
    before it, the answer, and the form and files as the server received them. Every
    fuzz test below goes the same way: the CSRF check first, then the oracle's wrong
    fields, then `answered` (refused and nothing written, or accepted)."""

    def __init__(self, app, caregiver, request, path, extra=None):
        self.app, self.request = app, request
        self.before = snapshot(app)
        self.response = request.send(caregiver, path, extra)
        self.form, self.files = request.received()

    def first(self, name, default=None):
        return first(self.form, name, default)

    def csrf_refused(self):
        """The CSRF check comes first: a bad token is a 400 whatever else was sent."""
        return csrf_refused(self.app, self.request, self.response, self.before)

    def no_route(self, statuses=(404,)):
        """A URL that matches no route: refused before anything is read, nothing written."""
        assert self.response.status_code in statuses and snapshot(self.app) == self.before

    def refused(self, problems, statuses):
        refused(self.app, self.response, self.before, problems, statuses=statuses)

    def wrong_fields(self, **wrong):
        """The fields sent as a file or repeated (shape_problems), and those whose rule
        refuses them (name=True: the oracle's rule for that field says wrong)."""
        bad = shape_problems(self.form, self.files, list(wrong))
        return bad | {name for name, is_wrong in wrong.items() if is_wrong}

    def answered(self, problems, refuse=(400, 422), accept=(302,)):
        """Whether the request was accepted: with a problem, a 4xx in `refuse` whose page
        names each problem and nothing written; without, an answer in `accept`."""
        if problems:
            self.refused(problems, refuse)
            return False
        accepted(self.response, statuses=accept)
        return True

    def changed(self):
        return changed_tables(self.before, snapshot(self.app))


CHECKIN_PAGES = ("/history", "/summary?days=30&notes=1", "/export.csv")  # (the answer showed the prompts)
CIRCLE_PAGES = ("/", "/settings", "/level", "/summary")


def pages_render(client, circle, paths=CHECKIN_PAGES):
    """What was stored shows everywhere it is read."""
    for path in paths:
        response = client.get(f"/c/{circle}{path}")
        assert response.status_code == 200, (path, response.status_code)
    if paths is CIRCLE_PAGES:
        assert client.get("/emergency").status_code == 200


@pytest.fixture
def visitor(app):
    """Someone signed out, on another phone."""
    return Caregiver(app, app.test_client()).refresh()


# --- Sign up, sign in, two-step sign-in, forgot password, reset link ------------------------

USERNAMES = st.one_of(st.sampled_from(["bob", "Bob", "ALICE", "alice", "carol@example.com", " dave ", "ab",
                                       "a" * 120, "a" * 121, "é" * 3, "ünïcödé", "x\u00a0y", "K\u212aK"]),
                      st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF), min_size=3, max_size=30))
NAMES = st.one_of(st.sampled_from(["Bob", " Bob ", "É" * 60, "x" * 61, "👨‍👩‍👧", "שלום", "Anne-Marie O'Neil"]),
                  st.text(PRINTABLE, min_size=1, max_size=30))
PASSWORDS = st.one_of(st.sampled_from(["correct horse battery", "another long passphrase", "password123",
                                       "aaaaaaaaaaaa", "abababababab", "short", "x" * 128 + "y", "ünicode pässwörd",
                                       "tab\tin\tpassword", "nul\x00in the password", "  spaces around  "]),
                      st.text(min_size=10, max_size=40))
RECOVERY_CODE = "ABCD-EFGH-JKMN-PQRS"


@fuzzes("auth.sign_up")
@settings(max_examples=40, **SETTINGS)
@given(request=submission({"username": USERNAMES, "display_name": NAMES, "password": PASSWORDS}))
def test_sign_up(app, client, request):
    taken = {ascii_lower(name) for (name,) in rows(app, "SELECT username FROM users")}
    sent = Sent(app, Caregiver(app, client).refresh(), request, "/sign-up")
    if sent.csrf_refused():
        return
    username = (sent.first("username") or "").strip()
    bad = sent.wrong_fields(
        username=text_bad(username, required=True, max_len=120, min_len=3) or re.search(r"\s", username),
        display_name=text_bad(sent.first("display_name"), required=True, max_len=60),
        password=password_bad(sent.first("password")))
    if not bad and ascii_lower(username) in taken:
        bad.add("username")  # taken, whatever its case
    if not sent.answered(problems_of(request, bad)):
        return
    uid = user_id(app, username)
    assert rows(app, "SELECT display_name FROM users WHERE id = ?", [uid]) == [(sent.first("display_name").strip(),)]
    assert rows(app, "SELECT count(*) FROM recovery_codes WHERE user_id = ?", [uid]) == [(10,)]
    assert sent.changed() == {"users", "recovery_codes"}


@fuzzes("auth.sign_in")
@settings(max_examples=35, **SETTINGS)
@given(request=submission({"username": st.one_of(st.sampled_from(["alice", "ALICE", " alice "]), USERNAMES),
                           "password": st.one_of(st.just(PASSWORD), PASSWORDS)}))
def test_sign_in(app, me, visitor, request):
    """Right password or not, nothing in the watched tables changes."""
    sent = Sent(app, visitor, request, "/sign-in")
    if sent.csrf_refused():
        return
    username, password = (sent.first("username") or "").strip(), sent.first("password")
    bad = sent.wrong_fields(username=text_bad(username, required=True, max_len=120),
                            password=current_password_bad(password))
    right = ascii_lower(username) == "alice" and password == PASSWORD
    if not sent.answered(problems_of(request, bad) or ([] if right else [text("don't match")])):
        return
    assert snapshot(app) == sent.before
    visitor.refresh()  # a new session


def enable_totp(app, username):
    """Two-step sign-in on, with a new secret and no step used yet."""
    secret = pyotp.random_base32()
    with app.app_context():
        sealed = credentials.seal_totp(secret)
    execute(app, "UPDATE users SET totp_secret = ?, totp_last_step = NULL WHERE username = ?", [sealed, username])
    return pyotp.TOTP(secret)


def add_recovery_code(app, uid):
    """RECOVERY_CODE as an unused recovery code of the user (again, if it was used)."""
    execute(app, "DELETE FROM recovery_codes WHERE user_id = ? AND code_hash LIKE 'fixed$%'", [uid])
    execute(app, "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
            [uid, credentials._hash_code(RECOVERY_CODE, "fixed"), now_iso()])


def right_totp(app, totp, uid):
    """The code the server takes now (the clock stands still, and a used step is spent),
    and whether there is still one; else the current code, which is refused."""
    last = rows(app, "SELECT totp_last_step FROM users WHERE id = ?", [uid])[0][0]
    step = NOW // 30
    free = [s for s in (step - 1, step, step + 1) if last is None or s > last]
    return (totp.generate_otp(free[0]), True) if free else (totp.generate_otp(step), False)


CODES = st.one_of(st.sampled_from([CODE_NOW, CODE_NOW, RECOVERY, RECOVERY_TYPED, "000000", "123 456", "12345",
                                   "1234567", "ABCD EFGH JKMN PQRT", "٣٣٣٣٣٣", "１２３４５６",
                                   "ABCD-EFGH-JKMN-PQRS-X"]),
                  st.from_regex(r"[0-9]{6}", fullmatch=True), st.from_regex(r"[A-Z0-9\-]{16,19}", fullmatch=True))


def second_factor_right(code, totp_code, usable):
    """Whether the server takes `code` (the field's value) as the second factor."""
    v = re.sub(r"\s", "", (code or "").strip())
    if re.fullmatch(r"[0-9]{6}", v):
        return usable and v == totp_code
    return re.sub(r"[^0-9A-Z]", "", v.upper()) == RECOVERY_CODE.replace("-", "")


@fuzzes("auth.two_step")
@settings(max_examples=30, **SETTINGS)
@given(request=submission({"code": CODES}))
def test_two_step_sign_in(app, me, visitor, request):
    """Half signed in (the password was right): the code."""
    if getattr(visitor, "totp", None) is None:  # (a wrong code leaves the sign-in half done)
        visitor.totp = enable_totp(app, me.username)
        visitor.refresh()
        response = visitor.client.post("/sign-in", data={"csrf_token": visitor.token, "username": me.username,
                                                         "password": me.password})
        assert response.headers["Location"].endswith("/sign-in/two-step")
        visitor.refresh()
    add_recovery_code(app, me.id)
    code, usable = right_totp(app, visitor.totp, me.id)
    sent = Sent(app, visitor, request, "/sign-in/two-step", {CODE_NOW: code})
    if sent.csrf_refused():
        return
    bad = sent.wrong_fields(code=text_bad(sent.first("code"), required=True, max_len=40))
    right = second_factor_right(sent.first("code"), code, usable)
    if not sent.answered(problems_of(request, bad) or ([] if right else [field("code", "Code")])):
        return
    assert sent.changed() <= {"users", "recovery_codes"}
    visitor.totp = None  # signed in now: next time, sign in again


@fuzzes("auth.forgot_password")
@settings(max_examples=35, **SETTINGS)
@given(request=submission({"username": st.one_of(st.sampled_from(["alice", "ALICE", " alice "]), USERNAMES),
                           "recovery_code": st.one_of(st.sampled_from([RECOVERY, RECOVERY_TYPED]), CODES),
                           "new_password": PASSWORDS}))
def test_forgot_password(app, me, visitor, request):
    add_recovery_code(app, me.id)
    sent = Sent(app, visitor, request, "/sign-in/forgot", {CODE_NOW: "000000"})
    if sent.csrf_refused():
        return
    username, code = sent.first("username"), sent.first("recovery_code")
    bad = sent.wrong_fields(username=text_bad(username, required=True, max_len=120),
                            recovery_code=text_bad(code, required=True, max_len=40),
                            new_password=password_bad(sent.first("new_password")))
    right = (ascii_lower((username or "").strip()) == "alice"
             and re.sub(r"[^0-9A-Z]", "", (code or "").strip().upper()) == RECOVERY_CODE.replace("-", ""))
    if not sent.answered(problems_of(request, bad) or ([] if right else [text("don't match")])):
        return
    assert sent.changed() == {"users", "recovery_codes"}
    execute(app, "UPDATE users SET password_hash = ? WHERE id = ?", [CHEAP_HASH, me.id])
    visitor.refresh()


RESET_TOKENS = st.one_of(st.sampled_from(["VALID", "VALID", "VALID", "USED", "EXPIRED", "x" * 101, "a/b", "..",
                                          "\x00", "é", "\ud800", "?", "#"]), st.text(min_size=1, max_size=60))


@fuzzes("auth.reset_with_link")
@settings(max_examples=35, **SETTINGS)
@given(request=submission({"new_password": PASSWORDS}), token=RESET_TOKENS)
def test_reset_link(app, me, circle, visitor, request, token):
    """A reset link an owner made for a member: only a usable link and a good new
    password change anything."""
    found = rows(app, "SELECT id FROM users WHERE username = 'bob'")
    bob = found[0][0] if found else add_user(app, "bob")
    execute(app, "INSERT OR IGNORE INTO memberships VALUES (?, ?, 'member', ?)", [circle, bob, now_iso()])
    usable = token == "VALID"
    if token in ("VALID", "USED", "EXPIRED"):
        real = secrets.token_urlsafe(32)
        execute(app, "INSERT INTO password_resets (token_hash, user_id, circle_id, created_by, created_at,"
                     " expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [token_hash(real), bob, circle, me.id, now_iso(),
                 now_iso(-1 if token == "EXPIRED" else 1), now_iso() if token == "USED" else None])
        token = real
    sent = Sent(app, visitor, request, "/reset/" + urllib.parse.quote(_utf8(token), safe=""))
    if "/" in token:  # no such page
        return sent.no_route()
    if sent.csrf_refused():
        return
    if not usable:
        return sent.refused([text("This link does not work")], statuses=(410,))
    bad = sent.wrong_fields(new_password=password_bad(sent.first("new_password")))
    if not sent.answered(problems_of(request, bad)):
        return
    assert sent.changed() == {"users", "password_resets"}
    visitor.refresh()


# --- The account page -------------------------------------------------------------------------

CURRENT = st.one_of(st.just(RIGHT), st.just(RIGHT), PASSWORDS)  # RIGHT: the account's password


@fuzzes("account.change_name")
@settings(max_examples=30, **SETTINGS)
@given(request=submission({"display_name": NAMES}))
def test_change_name(app, me, request):
    sent = Sent(app, me, request, "/account/name")
    if sent.csrf_refused():
        return
    bad = sent.wrong_fields(display_name=text_bad(sent.first("display_name"), required=True, max_len=60))
    if not sent.answered(problems_of(request, bad)):
        return
    assert rows(app, "SELECT display_name FROM users WHERE id = ?", [me.id]) == [(sent.first("display_name").strip(),)]


# The languages offered: English, and each language whose catalog is compiled.
LANGUAGE_VALUES = {"", "en"} | ({"es"} if (Path(__file__).resolve().parent.parent / "translations" / "es"
                                           / "LC_MESSAGES" / "messages.mo").exists() else set())


@fuzzes("language.choose")
@settings(max_examples=30, **SETTINGS)
@given(request=submission({"language": st.sampled_from(["", "en", "es", "fr", "EN", " es", "es-MX"])}))
def test_choose_language(app, me, request):
    sent = Sent(app, me, request, "/account/language")
    if sent.csrf_refused():
        return
    chosen = sent.first("language")
    bad = sent.wrong_fields(language=(chosen or "") not in LANGUAGE_VALUES)
    if not sent.answered(problems_of(request, bad)):
        return
    assert rows(app, "SELECT language FROM users WHERE id = ?", [me.id]) == [(chosen or None,)]


@fuzzes("account.change_password")
@settings(max_examples=30, **SETTINGS)
@given(request=submission({"current_password": CURRENT, "new_password": st.one_of(PASSWORDS, st.just(RIGHT))}))
def test_change_password(app, me, request):
    sent = Sent(app, me, request, "/account/password", {RIGHT: me.password})
    if sent.csrf_refused():
        return
    current, new = sent.first("current_password"), sent.first("new_password")
    bad = sent.wrong_fields(current_password=current_password_bad(current), new_password=password_bad(new))
    if not bad and current != me.password:
        bad.add("current_password")
    elif not bad and new == current:
        bad.add("new_password")
    if not sent.answered(problems_of(request, bad)):
        return
    assert sent.changed() == {"users"}
    me.password = new
    me.refresh()


@fuzzes("account.regenerate_recovery_codes", "account.delete_account")
@pytest.mark.parametrize("path", ["/account/recovery-codes", "/account/delete"],
                         ids=["new_recovery_codes", "delete_account"])
@settings(max_examples=25, **SETTINGS)
@given(request=submission({"password": CURRENT}))
def test_password_confirmed_form(app, me, request, path):
    """A form with only the account's password to confirm: wrong unless it is the one."""
    sent = Sent(app, me, request, path, {RIGHT: me.password})
    if sent.csrf_refused():
        return
    password = sent.first("password")
    bad = sent.wrong_fields(password=current_password_bad(password) or password != me.password)
    if not sent.answered(problems_of(request, bad)):
        return
    if path == "/account/recovery-codes":
        assert sent.changed() == {"recovery_codes"}
        assert rows(app, "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                    [me.id]) == [(10,)]
    else:
        assert rows(app, "SELECT count(*) FROM users WHERE username = ?", [me.username]) == [(0,)]
        me.sign_up(me.username, me.password)


@fuzzes("account.two_step")
@settings(max_examples=20, **SETTINGS)  # (each refusal draws the QR code again)
@given(request=submission({"password": CURRENT, "code": CODES}))
def test_two_step_setup(app, me, request):
    execute(app, "UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE id = ?", [me.id])
    html = me.client.get("/account/two-step").get_data(as_text=True)
    secret = re.search(r'id="totp-key" type="text" readonly value="([A-Z2-7 ]+)"', html).group(1)
    totp = pyotp.TOTP(secret.replace(" ", ""))
    sent = Sent(app, me, request, "/account/two-step", {RIGHT: me.password, CODE_NOW: totp.at(NOW)})
    if sent.csrf_refused():
        return
    password, code = sent.first("password"), (sent.first("code") or "").strip()
    bad = sent.wrong_fields(password=current_password_bad(password),
                            code=text_bad(code, required=True) or not re.fullmatch(r"[0-9]{3} ?[0-9]{3}", code))
    if not bad and password != me.password:
        bad.add("password")
    elif not bad and code.replace(" ", "") not in {totp.generate_otp(NOW // 30 + d) for d in (-1, 0, 1)}:
        bad.add("code")
    if not sent.answered(problems_of(request, bad)):
        return
    assert sent.changed() == {"users"}


@fuzzes("account.two_step_off")
@settings(max_examples=30, **SETTINGS)
@given(request=submission({"off_password": CURRENT, "off_code": CODES}))
def test_two_step_off(app, me, request):
    totp = enable_totp(app, me.username)
    add_recovery_code(app, me.id)
    sent = Sent(app, me, request, "/account/two-step/off", {RIGHT: me.password, CODE_NOW: totp.at(NOW)})
    if sent.csrf_refused():
        return
    password, code = sent.first("off_password"), sent.first("off_code")
    bad = sent.wrong_fields(off_password=current_password_bad(password),
                            off_code=text_bad(code, required=True, max_len=40))
    if not bad and password != me.password:
        bad.add("off_password")
    elif not bad and not second_factor_right(code, totp.at(NOW), True):
        bad.add("off_code")
    if not sent.answered(problems_of(request, bad)):
        return
    assert sent.changed() <= {"users", "recovery_codes"}
    assert rows(app, "SELECT totp_secret FROM users WHERE id = ?", [me.id]) == [(None,)]


NICKNAME_SPACED = Sentinel("NICKNAME_SPACED")


@fuzzes("account.delete_circle")
@settings(max_examples=30, **SETTINGS)
@given(request=submission({"nickname": st.one_of(st.sampled_from([RIGHT, RIGHT, NICKNAME_SPACED, "sam", "Sam2"]),
                                                  NAMES)}),
       nickname=st.sampled_from(["Sam", "Zoë 👍", "x" * 40]), target=st.sampled_from(["own"] * 6 + ["member",
                                                                                               "stranger", "huge"]))
def test_delete_circle(app, me, request, nickname, target):
    """Only the owner, typing the name exactly (spaces around do not count), deletes."""
    circle = add_circle(app, me.id, nickname)
    if target in ("member", "stranger"):
        other = add_user(app, f"owner-{circle}")
        circle = add_circle(app, other, nickname, members=[me.id] if target == "member" else [])
    elif target == "huge":
        circle = 2 ** 63
    sent = Sent(app, me, request, f"/c/{circle}/delete", {RIGHT: nickname, NICKNAME_SPACED: f"  {nickname} "})
    if target == "huge":
        return sent.no_route()
    if sent.csrf_refused():
        return
    if target != "own":
        return sent.refused([], statuses=(403,) if target == "member" else (404,))
    typed = (sent.first("nickname") or "").strip()
    bad = sent.wrong_fields(nickname=text_bad(typed, required=True, max_len=40) or typed != nickname)
    if not sent.answered(problems_of(request, bad)):
        return
    assert rows(app, "SELECT count(*) FROM circles WHERE id = ?", [circle]) == [(0,)]


# --- Circles: new, settings -----------------------------------------------------------------

CIRCLE_NAMES = st.one_of(st.sampled_from(["Sam", " Sam ", "Zoë", "👨‍👩‍👧", "x" * 40, "É" * 40, "שלום"]),
                         st.text(PRINTABLE, min_size=1, max_size=40))
PHONES = st.one_of(st.sampled_from(["911", "112", "+44 20 7946 0958", "(555) 123-4567", "555.123.4567",
                                    " 911 ", "1" * 26, "+", "12", "911 ext. 2", "٩١١", "+1 555\n123"]),
                   st.from_regex(r"\+?[0-9(][0-9 ()\-.]{1,24}", fullmatch=True))
CARE_TEAM = st.sampled_from([(None, None)] * 3 + [("", ""), ("Dr. Lee", "555-123-4567"),
                                                    (" Counselor ", "+1 (555) 123-4567"), ("é" * 60, "911")])


def circle_fields(with_level=True):
    fields = {"nickname": CIRCLE_NAMES}
    if with_level:
        fields["level_of_care"] = st.sampled_from([None, ""] + LEVELS)
        fields["level_since"] = st.one_of(st.none(), relative_day(-3650, 0))
        fields["previous_level"] = st.sampled_from([None, "", "rehab"] + LEVELS)
    fields["living_situation"] = st.sampled_from([None, ""] + LIVING)
    fields["timezone"] = st.one_of(st.none(), st.sampled_from(TIMEZONES), st.sampled_from(
        ["Mars/Olympus", "utc", "America/New_York ", "localtime", "Factory", "../etc/passwd"]))
    fields["emergency_number"] = st.one_of(st.none(), PHONES)
    for k in range(3):  # (pairs from one list: often both or neither)
        fields[f"care_team-{k}-label"] = CARE_TEAM.map(lambda pair: pair[0])
        fields[f"care_team-{k}-number"] = st.one_of(CARE_TEAM.map(lambda pair: pair[1]), PHONES)
    return fields


CIRCLE_HOSTILE = {"level_since": values(st.sampled_from(DATES), st.one_of(relative_day(-4000, 400), HOSTILE)),
                  "emergency_number": values(PHONES)}


def typed(text):
    """A textarea's text as typed: browsers send each line break as CR LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def phone_bad(value):
    return (not PHONE.fullmatch(value) or sum(ch.isdigit() for ch in value) < 2
            or bool(CONTROL.search(value)))


def circle_oracle(form, files, with_level=True):
    """(wrong fields, what is stored): the circle form's rules."""
    names = list(circle_fields(with_level))
    bad = shape_problems(form, files, names)
    got = {name: first(form, name) for name in names}
    nickname = (got["nickname"] or "").strip()
    if text_bad(nickname, required=True, max_len=40):
        bad.add("nickname")
    level, since = None, None
    if with_level:
        level = got["level_of_care"] or ""
        if level and level not in LEVELS:
            bad.add("level_of_care")
        since = (got["level_since"] or "").strip()
        day = strict_day(since)
        zone = ZoneInfo(got["timezone"]) if got["timezone"] in TIMEZONES else timezone.utc
        today = datetime.now(timezone.utc).astimezone(zone).date()  # the circle's today
        if not since:
            if level:
                bad.add("level_since")
        elif day is None or day > today or day < today - timedelta(LEVEL_DAYS_BACK):
            bad.add("level_since")
        previous = got["previous_level"] or ""
        if previous and (previous not in LEVELS or not level or previous == level):
            bad.add("previous_level")
    living = got["living_situation"] or ""
    if living and living not in LIVING:
        bad.add("living_situation")
    tz = "America/New_York" if got["timezone"] is None else got["timezone"]  # the default
    if tz not in TIMEZONES:
        bad.add("timezone")
    emergency = ("911" if got["emergency_number"] is None else got["emergency_number"]).strip()
    if not emergency or phone_bad(emergency):
        bad.add("emergency_number")
    team = []
    for k in range(3):
        label = (got[f"care_team-{k}-label"] or "").strip()
        number = (got[f"care_team-{k}-number"] or "").strip()
        if text_bad(label, max_len=60) or (number and not label):
            bad.add(f"care_team-{k}-label")
        if (label and not number) or (number and phone_bad(number)):
            bad.add(f"care_team-{k}-number")
        if label and number:
            team.append((label, number))
    stored = {"nickname": nickname, "level_of_care": level or None, "level_since": since if level else None,
              "living_situation": living or None, "timezone": tz, "emergency_number": emergency}
    if with_level:
        stored["previous_level"] = previous or None
    return bad, stored, team


def circle_row(app, circle):
    names = ["nickname", "level_of_care", "level_since", "living_situation", "timezone", "emergency_number"]
    row = rows(app, f"SELECT {', '.join(names)} FROM circles WHERE id = ?", [circle])[0]
    return dict(zip(names, row))


@fuzzes("circles.new")
@settings(max_examples=45, **SETTINGS)
@given(request=submission(circle_fields(), CIRCLE_HOSTILE))
def test_new_circle(app, me, request):
    sent = Sent(app, me, request, "/circles/new")
    if sent.csrf_refused():
        return
    bad, stored, team = circle_oracle(sent.form, sent.files)
    if not sent.answered(problems_of(request, bad), refuse=(400,)):
        return
    circle = int(re.search(r"/c/(\d+)/", sent.response.headers["Location"]).group(1))
    previous = stored.pop("previous_level")
    assert circle_row(app, circle) == stored
    assert rows(app, "SELECT previous_level FROM circles WHERE id = ?", [circle]) == [(previous,)]
    assert rows(app, "SELECT label, number FROM care_team_numbers WHERE circle_id = ? ORDER BY position",
                [circle]) == team
    history = [(stored["level_of_care"], stored["level_since"])] if stored["level_of_care"] else []
    if previous:  # recorded for the day before, its start not being known
        history.insert(0, (previous, (date.fromisoformat(stored["level_since"]) - timedelta(days=1)).isoformat()))
    assert rows(app, "SELECT level, since FROM level_history WHERE circle_id = ? ORDER BY since", [circle]) == history
    assert rows(app, "SELECT user_id, role FROM memberships WHERE circle_id = ?", [circle]) == [(me.id, "owner")]
    pages_render(me.client, circle, CIRCLE_PAGES)


@fuzzes("circles.settings")
@settings(max_examples=40, **SETTINGS)
@given(request=submission({**circle_fields(with_level=False),
                           "level_of_care": st.sampled_from([None, "iop", "rehab"])},  # not on this page
                          CIRCLE_HOSTILE))
def test_circle_settings(app, me, circle, request):
    level = circle_row(app, circle)["level_of_care"]
    sent = Sent(app, me, request, f"/c/{circle}/settings")
    if sent.csrf_refused():
        return
    bad, stored, team = circle_oracle(sent.form, sent.files, with_level=False)
    if not sent.answered(problems_of(request, bad), refuse=(400,)):
        return
    assert circle_row(app, circle) == {**stored, "level_of_care": level, "level_since": circle_row(app, circle)[
        "level_since"]}
    assert rows(app, "SELECT label, number FROM care_team_numbers WHERE circle_id = ? ORDER BY position",
                [circle]) == team
    assert sent.changed() <= {"circles", "care_team_numbers"}
    pages_render(me.client, circle, CIRCLE_PAGES)


# --- Check-ins: every field of the spec -------------------------------------------------------

def choice(options):
    return st.sampled_from([None, None, ""] + options)


CHECKIN_FIELDS = {
    "client_id": st.one_of(st.none(), st.uuids().map(str), st.from_regex(r"[A-Za-z0-9\-]{8,64}", fullmatch=True)),
    "date": relative_day(-CHECKIN_DAYS_BACK, 0),
    "craving": choice(SCALE),
    "withdrawal": choice(WITHDRAWAL),
    "withdrawal_signs": st.lists(st.sampled_from(SIGNS), max_size=4),
    "access": choice(ACCESS),
    "stress": choice(SCALE),
    "medication": choice(MEDICATION),
    "use": choice(USE),
    "overdose": st.sampled_from([None, None, "y", "", "0", "false", "on", "true", "1", "no", "YES", "Off"]),
    "naloxone_given": st.sampled_from([None, None, "y", "", "0", "false", "on", "true", "1", "no", "YES"]),
    "notes": st.one_of(st.none(), st.text(st.one_of(PRINTABLE, st.sampled_from("\n\r\t")), max_size=40),
                       st.sampled_from(["é" * 2000, "👍" * 2000, " x " * 600, "line 1\r\nline 2\ttab"])),
}
NUMBERS = st.one_of(st.sampled_from(["-1", "11", "3.5", "1e1", "0x5", " 5", "5 ", "05", "+5", "٥", "²", "Ⅴ",
                                     "five", str(2 ** 63), "9" * 400, "NaN", "-0"]),
                    st.integers(-10 ** 30, 10 ** 30).map(str), st.floats().map(repr))


def other_words(options):
    """Values of the other fields, other spellings, and anything."""
    return values(st.sampled_from([w for w in ACCESS + USE + MEDICATION + WITHDRAWAL + ["None", "EASY", " none",
                                                                                      "none ", "Severe", "yes"]
                                   if w not in options]))


CHECKIN_HOSTILE = {
    "client_id": values(st.sampled_from(["short", "a" * 65, "has space 123", "ééééééééé", "../../../..",
                                         "abc\x00defgh", "%00%00%00%00"])),
    "date": values(st.sampled_from(DATES), st.one_of(relative_day(-400, 400), HOSTILE)),
    "craving": values(NUMBERS), "stress": values(NUMBERS),
    "withdrawal": other_words(WITHDRAWAL), "access": other_words(ACCESS),
    "medication": other_words(MEDICATION), "use": other_words(USE),
    "withdrawal_signs": st.lists(st.one_of(st.sampled_from(SIGNS), st.sampled_from(["Sweating", "hiccups", "",
                                                                                     " tremor", "tremor,aches"]),
                                           HOSTILE), min_size=1, max_size=5),
    "overdose": values(st.sampled_from(["maybe", "2", "-1", "y ", "oui", "√", "None", "null"])),
    "naloxone_given": values(st.sampled_from(["maybe", "2", "-1", "y ", "oui", "√", "None", "null"])),
    "notes": values(LONG),
}
CHECKIN_NAMES = {"date": "Day", "craving": "Craving", "withdrawal": "Withdrawal",
                 "withdrawal_signs": "Withdrawal signs", "access": "Access", "stress": "Stress",
                 "medication": "Medication", "use": "Signs of use", "overdose": "Overdose",
                 "naloxone_given": "Naloxone given", "notes": "Notes", "client_id": "Client id"}


def checkin_oracle(form, files, earliest):
    """(wrong fields, the check-in stored): the spec's table of check-in fields."""
    today = circle_today()
    bad = shape_problems(form, files, [n for n in CHECKIN_FIELDS if n != "withdrawal_signs"],
                         multi=["withdrawal_signs"])
    unknown = (set(form) | set(files)) - set(CHECKIN_FIELDS) - {"csrf_token"}
    got = {name: first(form, name) for name in CHECKIN_FIELDS}
    day = strict_day((got["date"] or "").strip())
    if day is None or not earliest <= day <= today:
        bad.add("date")
    for name, allowed in (("craving", SCALE), ("stress", SCALE), ("withdrawal", WITHDRAWAL), ("access", ACCESS),
                          ("medication", MEDICATION), ("use", USE)):
        if got[name] not in (None, "") and got[name] not in allowed:
            bad.add(name)
    signs = form.getlist("withdrawal_signs")
    if any(s not in SIGNS for s in signs):
        bad.add("withdrawal_signs")
    for name in ("overdose", "naloxone_given"):
        if got[name] is not None and got[name].lower() not in TRUE | FALSE:
            bad.add(name)
    notes = typed(got["notes"] or "").strip()
    if text_bad(notes, max_len=2000, multiline=True):
        bad.add("notes")
    if got["client_id"] and not CLIENT_ID.fullmatch(got["client_id"]):
        bad.add("client_id")
    number = lambda v: int(v) if v in SCALE else None  # noqa: E731
    stored = {"date": day.isoformat() if day else None, "craving": number(got["craving"]),
              "withdrawal": got["withdrawal"] or None, "withdrawal_signs": [s for s in SIGNS if s in signs],
              "access": got["access"] or None, "stress": number(got["stress"]),
              "medication": got["medication"] or None, "use": got["use"] or None,
              "overdose": (got["overdose"] or "").lower() in TRUE,
              "naloxone_given": (got["naloxone_given"] or "").lower() in TRUE, "notes": notes or None}
    return bad, unknown, stored


def checkin_problems(request, bad, unknown):
    problems = problems_of(request, bad, CHECKIN_NAMES)
    if unknown:
        page_names = tuple(str(escape(n)) for n in unknown if n.isprintable() and "%" not in n)
        problems.append(text("Unknown field:"))
        if page_names and request.headers.get("Accept") != "application/json":
            problems.append(page_names)
    return problems


def stored_checkin(app, checkin_id):
    names = ["date", "craving", "withdrawal", "withdrawal_signs", "access", "stress", "medication", "use",
             "overdose", "naloxone_given", "notes"]
    row = dict(zip(names, rows(app, f"SELECT {', '.join(names)} FROM checkins WHERE id = ?", [checkin_id])[0]))
    row["withdrawal_signs"] = json.loads(row["withdrawal_signs"])
    row["overdose"], row["naloxone_given"] = bool(row["overdose"]), bool(row["naloxone_given"])
    return row


@fuzzes("checkins.new")
@settings(max_examples=100, **SETTINGS)
@given(request=submission(CHECKIN_FIELDS, CHECKIN_HOSTILE, headers=HEADERS))
def test_new_checkin(app, me, circle, request):
    known = {cid for (cid,) in rows(app, "SELECT client_id FROM checkins WHERE circle_id = ?", [circle])}
    sent = Sent(app, me, request, f"/c/{circle}/checkins/new")
    if sent.csrf_refused():
        return
    bad, unknown, stored = checkin_oracle(sent.form, sent.files, circle_today() - timedelta(days=CHECKIN_DAYS_BACK))
    as_json = request.headers.get("Accept") == "application/json"
    replay = sent.first("client_id") in known
    if not sent.answered(checkin_problems(request, bad, unknown), refuse=(422,),
                         accept=((200,) if replay else (201,)) if as_json else (200,)):
        if as_json:  # what the offline outbox shows: each field's errors, and the form's
            assert set(sent.response.get_json()["errors"]) <= set(CHECKIN_FIELDS) | {"form"}
        return
    if replay:  # sent again (a double tap, the offline outbox): stored once
        assert snapshot(app) == sent.before
        return
    before, after = sent.before, snapshot(app)
    assert changed_tables(before, after) == {"checkins", "checkin_audit"}
    assert len(after["checkins"]) == len(before["checkins"]) + 1
    assert len(after["checkin_audit"]) == len(before["checkin_audit"]) + 1
    checkin_id = rows(app, "SELECT max(id) FROM checkins")[0][0]
    assert stored_checkin(app, checkin_id) == stored
    pages_render(me.client, circle)


@fuzzes("checkins.edit")
@settings(max_examples=50, **SETTINGS)
@given(request=submission(CHECKIN_FIELDS, CHECKIN_HOSTILE), target=st.sampled_from(["mine"] * 8 + [
    "theirs", "missing", "other circle", "huge"]))
def test_edit_checkin(app, me, circle, request, target):
    """A caregiver's own check-in; an older one keeps its own date as the window's start."""
    mine = rows(app, "SELECT id, date FROM checkins WHERE client_id = 'edit-target'")
    if not mine:
        add_checkin(app, circle, me.id, (circle_today() - timedelta(days=20)).isoformat(), "edit-target")
        mine = rows(app, "SELECT id, date FROM checkins WHERE client_id = 'edit-target'")
    checkin_id, day = mine[0]
    status = None
    if target == "theirs":
        bob = rows(app, "SELECT id FROM users WHERE username = 'bob'")
        bob = bob[0][0] if bob else add_user(app, "bob")
        execute(app, "INSERT OR IGNORE INTO memberships VALUES (?, ?, 'member', ?)", [circle, bob, now_iso()])
        checkin_id, status = add_checkin(app, circle, bob, circle_today().isoformat()), 403
    elif target == "missing":
        checkin_id, status = checkin_id + 10 ** 6, 404
    elif target == "other circle":
        checkin_id, status = add_checkin(app, add_circle(app, me.id), me.id, circle_today().isoformat()), 404
    elif target == "huge":
        checkin_id, status = 2 ** 64, 404
    sent = Sent(app, me, request, f"/c/{circle}/checkins/{checkin_id}/edit")
    if target == "huge":
        return sent.no_route()
    if sent.csrf_refused():
        return
    if status:
        return sent.refused([], statuses=(status,))
    today = circle_today()
    earliest = today - timedelta(days=max(CHECKIN_DAYS_BACK, (today - date.fromisoformat(day)).days))
    bad, unknown, stored = checkin_oracle(sent.form, sent.files, earliest)
    if not sent.answered(checkin_problems(request, bad, unknown), refuse=(422,)):
        return
    assert stored_checkin(app, checkin_id) == stored
    changed = sent.changed()  # checkins too, unless sent unchanged within a second
    assert "checkin_audit" in changed and changed <= {"checkins", "checkin_audit"}
    pages_render(me.client, circle)


@pytest.mark.parametrize("name", list(CHECKIN_FIELDS))
@settings(max_examples=8, **SETTINGS)
@given(data=st.data())
def test_each_checkin_field_alone(app, me, circle, name, data):
    """Every field of the spec, made hostile on its own (the other fields valid)."""
    request = data.draw(submission(CHECKIN_FIELDS, CHECKIN_HOSTILE, only=name))
    sent = Sent(app, me, request, f"/c/{circle}/checkins/new")
    bad, unknown, stored = checkin_oracle(sent.form, sent.files, circle_today() - timedelta(days=CHECKIN_DAYS_BACK))
    assert bad <= {name} and not unknown  # (and the body is a form: refused exactly when `bad`)
    if sent.answered(checkin_problems(request, bad, unknown), refuse=(422,), accept=(200,)):
        assert stored_checkin(app, rows(app, "SELECT max(id) FROM checkins")[0][0]) == stored


# --- Levels of care, prompt responses, checklists ----------------------------------------------

NOTES = st.one_of(st.none(), st.text(st.one_of(PRINTABLE, st.sampled_from("\n\r\t")), max_size=30),
                  st.sampled_from(["é" * 500, " note "]))


@fuzzes("levels.level")
@settings(max_examples=40, **SETTINGS)
@given(request=submission(
    {"level": st.sampled_from(LEVELS), "since": relative_day(-LEVEL_DAYS_BACK, 0), "note": NOTES},
    {"level": values(st.sampled_from(["", "Inpatient", "rehab", " iop", "iop ", "detox", "IOP"])),
     "since": values(st.sampled_from(DATES), st.one_of(relative_day(-4000, 400), HOSTILE)),
     "note": values(LONG)}))
def test_record_level(app, me, circle, request):
    existing = set(rows(app, "SELECT level, since, note FROM level_history WHERE circle_id = ?", [circle]))
    sent = Sent(app, me, request, f"/c/{circle}/level")
    if sent.csrf_refused():
        return
    level, since, note = sent.first("level"), (sent.first("since") or "").strip(), typed(sent.first("note"))
    today, day = circle_today(), strict_day(since)
    bad = sent.wrong_fields(
        level=level not in LEVELS,
        since=day is None or not today - timedelta(days=LEVEL_DAYS_BACK) <= day <= today,
        note=text_bad(note, max_len=500, multiline=True))
    if not sent.answered(problems_of(request, bad), refuse=(422,)):
        return
    entry = (level, since, (note or "").strip() or None)
    after = set(rows(app, "SELECT level, since, note FROM level_history WHERE circle_id = ?", [circle]))
    assert after == existing | {entry}  # once, even when sent twice
    assert sent.changed() <= {"level_history", "circles"}


@fuzzes("medication.record")
@settings(max_examples=40, **SETTINGS)
@given(request=submission(
    {"medication": st.sampled_from(MEDICATIONS), "since": relative_day(-LEVEL_DAYS_BACK, 0),
     "next_due": st.one_of(st.none(), st.just(""), relative_day(0, NEXT_DUE_DAYS_AHEAD)), "note": NOTES},
    {"medication": values(st.sampled_from(["", "Methadone", "suboxone", " none", "none ", "vivitrol"])),
     "since": values(st.sampled_from(DATES), st.one_of(relative_day(-4000, 400), HOSTILE)),
     "next_due": values(st.sampled_from(DATES), st.one_of(relative_day(-30, 500), HOSTILE)),
     "note": values(LONG)}))
def test_record_medication(app, me, circle, request):
    existing = set(rows(app, "SELECT medication, since, next_due, note FROM medication_history"
                             " WHERE circle_id = ?", [circle]))
    sent = Sent(app, me, request, f"/c/{circle}/medication")
    if sent.csrf_refused():
        return
    medication, since = sent.first("medication"), (sent.first("since") or "").strip()
    next_due, note = (sent.first("next_due") or "").strip() or None, typed(sent.first("note"))
    today, day = circle_today(), strict_day(since)
    bad = sent.wrong_fields(
        medication=medication not in MEDICATIONS,
        since=day is None or not today - timedelta(days=LEVEL_DAYS_BACK) <= day <= today,
        next_due=False,
        note=text_bad(note, max_len=500, multiline=True))
    # Next injection due: only for an injection (said when the medication is one of the
    # list), a day, not before Since (when that is right), at most 400 days ahead.
    due = strict_day(next_due)
    if next_due is not None and (("medication" not in bad and medication not in INJECTIONS) or due is None
                                 or ("since" not in bad and due < day)
                                 or due > today + timedelta(days=NEXT_DUE_DAYS_AHEAD)):
        bad.add("next_due")
    if not sent.answered(problems_of(request, bad), refuse=(422,)):
        return
    entry = (medication, since, next_due, (note or "").strip() or None)
    after = set(rows(app, "SELECT medication, since, next_due, note FROM medication_history WHERE circle_id = ?",
                     [circle]))
    assert after == existing | {entry}  # once, even when sent twice
    assert sent.changed() <= {"medication_history"}
    pages_render(me.client, circle, ("/medication", "/", "/checkins/new"))


@fuzzes("prompts.respond")
@settings(max_examples=35, **SETTINGS)
@given(request=submission(
    {"rule": st.sampled_from(RULES), "action": st.sampled_from(ACTIONS), "note": NOTES},
    {"rule": values(st.sampled_from(["", "Overdose-recent", "overdose-recent ", "no-such-rule", "checkins_missing"])),
     "action": values(st.sampled_from(["", "Watching", "watching ", "nothing", "talked"])),
     "note": values(LONG)}))
def test_prompt_response(app, me, circle, request):
    sent = Sent(app, me, request, f"/c/{circle}/prompt-responses")
    if sent.csrf_refused():
        return
    rule, action, note = sent.first("rule"), sent.first("action"), typed(sent.first("note"))
    bad = sent.wrong_fields(rule=rule not in RULES, action=action not in ACTIONS,
                            note=text_bad(note, max_len=500, multiline=True))
    labels = {"rule": "About", "action": "What did you do", "note": "Note"}
    if not sent.answered(problems_of(request, bad, labels), refuse=(422,)):
        return
    assert sent.changed() == {"prompt_responses"}
    assert rows(app, "SELECT rule, action, note FROM prompt_responses ORDER BY id DESC LIMIT 1") == [
        (rule, action, (note or "").strip() or None)]


ITEMS = st.one_of(*[st.sampled_from(CHECKLIST_ITEMS)] * 4, st.sampled_from(
    ["unknown", "Transport", "transport ", "..", "a/b", "\x00", "é", "%2F", "\ud800", "x" * 300]), TEXT)


@fuzzes("checklists.tick")
@settings(max_examples=45, **SETTINGS)
@given(request=submission({"ticked": st.sampled_from(["0", "1"]), "client_id": CHECKIN_FIELDS["client_id"]},
                          {"ticked": values(st.sampled_from(["", "2", "01", "1 ", " 1", "true", "on", "١", "1.0"])),
                           "client_id": CHECKIN_HOSTILE["client_id"]}, headers=HEADERS),
       item=ITEMS)
def test_tick(app, me, circle, request, item):
    seen = {cid: (i, t) for cid, i, t in rows(app, "SELECT client_id, item_id, ticked FROM checklist_events"
                                                   " WHERE circle_id = ?", [circle])}
    sent = Sent(app, me, request, f"/c/{circle}/checklists/" + urllib.parse.quote(_utf8(item), safe=""))
    if "/" in item or not item:
        return sent.no_route(statuses=(404, 405))
    if sent.csrf_refused():
        return
    if item not in CHECKLIST_ITEMS:
        return sent.refused([], statuses=(404,))
    ticked, client_id = sent.first("ticked"), sent.first("client_id") or ""
    bad = sent.wrong_fields(ticked=ticked not in ("0", "1"),
                            client_id=bool(client_id) and not CLIENT_ID.fullmatch(client_id))
    replay = client_id in seen
    if not bad and replay and seen[client_id] != (item, int(ticked)):
        bad.add("client_id")  # already used for another tap
    problems = problems_of(request, bad, {"ticked": "Ticked", "client_id": "Client id"}, form_errors_shown=False)
    as_json, htmx = request.headers.get("Accept") == "application/json", "HX-Request" in request.headers
    if not sent.answered(problems, refuse=(422,),
                         accept=((200,) if replay else (201,)) if as_json else (200,) if htmx else (302,)):
        if as_json:
            assert set(sent.response.get_json()["errors"]) <= {"ticked", "client_id"}
        return
    if replay:
        assert snapshot(app) == sent.before
        return
    assert sent.changed() <= {"checklist_events", "checklist_state"}
    assert rows(app, "SELECT ticked FROM checklist_state WHERE circle_id = ? AND item_id = ?", [circle, item]) == [
        (int(ticked),)]


# --- Share links and import -----------------------------------------------------------------

@fuzzes("share.share_links")
@settings(max_examples=35, **SETTINGS)
@given(request=submission(
    {"label": st.one_of(st.sampled_from(["Dr. Lee, clinic", " Counselor ", "é" * 80]), st.text(PRINTABLE, min_size=1,
                                                                                                max_size=30)),
     "expires_days": st.one_of(st.none(), st.integers(1, 90).map(str), st.sampled_from([" 7 ", "090", "1", "90"])),
     "days": st.sampled_from([None, "7", "14", "30"]),
     "include_notes": st.sampled_from([None, None, "y", "", "0", "on", "false"]),
     "include_brief": st.sampled_from([None, None, "y", "", "off"])},
    {"expires_days": values(st.one_of(NUMBERS, st.sampled_from(["0", "91", "999", "1000", "٣", "1e1"]))),
     "days": values(st.sampled_from(["", "15", "7 ", "30.0", "٧", "-14"])),
     "include_notes": CHECKIN_HOSTILE["overdose"], "include_brief": CHECKIN_HOSTILE["overdose"]}))
def test_share_link(app, me, circle, request):
    sent = Sent(app, me, request, f"/c/{circle}/share")
    if sent.csrf_refused():
        return
    label = (sent.first("label") or "").strip()
    expires = sent.first("expires_days", "14").strip()
    days, notes, brief = sent.first("days", "14"), sent.first("include_notes"), sent.first("include_brief")
    bad = sent.wrong_fields(
        label=text_bad(label, required=True, max_len=80),
        expires_days=not re.fullmatch(r"[0-9]{1,3}", expires) or not 1 <= int(expires) <= 90,
        days=days not in ("7", "14", "30"),
        include_notes=notes is not None and notes.lower() not in TRUE | FALSE,
        include_brief=brief is not None and brief.lower() not in TRUE | FALSE)
    if not sent.answered(problems_of(request, bad, {"include_notes": "Include caregivers' notes",
                                                    "include_brief": "Include the brief for an assessment"})):
        return
    assert sent.changed() == {"share_links"}
    assert rows(app, "SELECT label, days, include_notes, include_brief FROM share_links ORDER BY id DESC LIMIT 1") == [
        (label, int(days), int((notes or "").lower() in TRUE), int((brief or "").lower() in TRUE))]


# --- Prepare for an assessment and the plan (issue 17) -------------------------------------

ANSWERS = ["yes", "no", "not-sure"]
ANSWER_VALUES = st.sampled_from([None, "", *ANSWERS])
ANSWER_HOSTILE = values(st.sampled_from(["Yes", "maybe", "not sure", " yes", "no ", "not_sure", "1"]))
QUESTION_IDS = ["relapse", "withdrawal", "daily_use", "overdose", "cannot_stop", "easy_access", "stable",
                "medication", "safe_home", "no_relapses", "accountability"]


def answer_of(value):
    """(answer, wrong) of a sent answer: blank is no answer yet."""
    v = (value or "").strip()
    return v or None, bool(v) and v not in ANSWERS


@fuzzes("assessment.assessment")
@settings(max_examples=35, **SETTINGS)
@given(request=submission(
    {"answer_relapse": ANSWER_VALUES, "note_relapse": NOTES, "answer_stable": ANSWER_VALUES, "note_stable": NOTES},
    {"answer_relapse": ANSWER_HOSTILE, "answer_stable": ANSWER_HOSTILE,
     "note_relapse": values(LONG), "note_stable": values(LONG)}))
def test_assessment_answers(app, me, circle, request):
    sent = Sent(app, me, request, f"/c/{circle}/assessment")
    if sent.csrf_refused():
        return
    expected, wrong = {}, {}
    for q in ("relapse", "stable"):
        answer, answer_wrong = answer_of(sent.first(f"answer_{q}"))
        note = typed(sent.first(f"note_{q}"))
        wrong[f"answer_{q}"] = answer_wrong or bool(answer and CONTROL.search(answer))
        wrong[f"note_{q}"] = text_bad(note, max_len=500, multiline=True)
        note = (note or "").strip() or None
        if answer or note:
            expected[q] = (answer, note)
    bad = sent.wrong_fields(**wrong)
    if not sent.answered(problems_of(request, bad), refuse=(422,)):
        return
    # Every question is on the form: one not sent is one left blank.
    assert {q: (a, n) for q, a, n in rows(app, "SELECT question_id, answer, note FROM assessment_answers"
                                                " WHERE circle_id = ?", [circle])} == expected
    assert sent.changed() <= {"assessment_answers"}


QUESTION_LINES = st.lists(st.one_of(st.text(PRINTABLE, max_size=30), st.sampled_from(["", " ", "x" * 200, "y" * 201])),
                          max_size=12).map("\n".join)


@fuzzes("assessment.assessor_questions")
@settings(max_examples=35, **SETTINGS)
@given(request=submission({"questions": QUESTION_LINES}, {"questions": values(st.one_of(LONG, QUESTION_LINES))}))
def test_assessor_questions(app, me, circle, request):
    existing = rows(app, "SELECT questions FROM assessor_questions WHERE circle_id = ?", [circle])
    sent = Sent(app, me, request, f"/c/{circle}/assessment/questions")
    if sent.csrf_refused():
        return
    text = (typed(sent.first("questions")) or "").strip()
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    bad = sent.wrong_fields(questions=not lines or len(lines) > 10 or any(len(line) > 200 for line in lines)
                            or bool(CONTROL_MULTILINE.search(text)))
    if not sent.answered(problems_of(request, bad, {"questions": "Questions for the assessor"}), refuse=(422,)):
        assert rows(app, "SELECT questions FROM assessor_questions WHERE circle_id = ?", [circle]) == existing
        return
    assert rows(app, "SELECT questions FROM assessor_questions WHERE circle_id = ?", [circle]) == [("\n".join(lines),)]
    assert sent.changed() <= {"assessor_questions"}


def plan_version(app, circle):
    found = rows(app, "SELECT version FROM plans WHERE circle_id = ?", [circle])
    return found[0][0] if found else 0


CURRENT = Sentinel("CURRENT")  # the plan's version when the request is sent
EXPIRY_DAYS = 3650
SIGN_LINES = st.lists(st.one_of(st.text(PRINTABLE, max_size=20), st.sampled_from(["", "z" * 200, "z" * 201])),
                      max_size=13).map("\n".join)


def plan_fields():
    fields = {}
    for k in range(2):
        fields[f"calls-{k}-label"] = CARE_TEAM.map(lambda pair: pair[0])
        fields[f"calls-{k}-number"] = st.one_of(CARE_TEAM.map(lambda pair: pair[1]), PHONES)
    fields.update({
        "after_hours": st.one_of(st.none(), st.just(""), PHONES),
        "step_up_program": st.one_of(st.none(), st.sampled_from(["Hillside IOP", "p" * 120, " Day program "])),
        "step_up_how": NOTES, "prescriber": st.one_of(st.none(), st.sampled_from(["Dr. Ames", "q" * 121])),
        "pharmacy": st.one_of(st.none(), st.text(PRINTABLE, max_size=20)),
        "naloxone-0-place": st.one_of(st.none(), st.sampled_from(["", "Kitchen drawer", "k" * 80, "k" * 81])),
        "naloxone-0-expires_on": st.one_of(st.none(), st.just(""), relative_day(-20, 800)),
        "step_up_signs": SIGN_LINES,
        "version": st.sampled_from([CURRENT] * 6 + ["0", "1", "99"]),
    })
    return fields


@fuzzes("plan.plan")
@settings(max_examples=40, **SETTINGS)
@given(request=submission(plan_fields(), {
    "after_hours": values(PHONES), "naloxone-0-expires_on": values(st.sampled_from(DATES),
                                                                    st.one_of(relative_day(-4000, 4000), HOSTILE)),
    "step_up_how": values(LONG), "step_up_signs": values(st.one_of(LONG, SIGN_LINES)),
    "version": values(st.sampled_from(["", "-1", "1.0", "01", " 1", "9" * 12]))}))
def test_plan(app, me, circle, request):
    version = plan_version(app, circle)
    sent = Sent(app, me, request, f"/c/{circle}/plan", extra={CURRENT: str(version)})
    if sent.csrf_refused():
        return
    wrong, calls = {}, []
    for k in range(2):
        label = (sent.first(f"calls-{k}-label") or "").strip()
        number = (sent.first(f"calls-{k}-number") or "").strip()
        wrong[f"calls-{k}-label"] = text_bad(label, max_len=60) or bool(number and not label)
        wrong[f"calls-{k}-number"] = bool(label and not number) or bool(number and phone_bad(number))
        if label and number:
            calls.append((label, number))
    after = (sent.first("after_hours") or "").strip()
    wrong["after_hours"] = bool(after) and phone_bad(after)
    got = {name: (sent.first(name) or "").strip() for name in ("step_up_program", "prescriber", "pharmacy")}
    for name in got:
        wrong[name] = text_bad(got[name], max_len=120)
    how = (typed(sent.first("step_up_how")) or "").strip()
    wrong["step_up_how"] = text_bad(how, max_len=500, multiline=True)
    place = (sent.first("naloxone-0-place") or "").strip()
    expires = (sent.first("naloxone-0-expires_on") or "").strip()
    day, today = strict_day(expires), circle_today()
    wrong["naloxone-0-place"] = text_bad(place, max_len=80) or bool(expires and not place)
    wrong["naloxone-0-expires_on"] = bool(expires) and (
        day is None or not today - timedelta(days=EXPIRY_DAYS) <= day <= today + timedelta(days=EXPIRY_DAYS)
        or bool(CONTROL.search(expires)))
    signs_text = (typed(sent.first("step_up_signs")) or "").strip()
    signs = [line.strip() for line in signs_text.split("\n") if line.strip()]
    wrong["step_up_signs"] = (len(signs) > 12 or any(len(line) > 200 for line in signs)
                              or bool(CONTROL_MULTILINE.search(signs_text)))
    bad = sent.wrong_fields(**wrong)
    version_sent = sent.first("version")
    problems = problems_of(request, bad - {"version"})
    if version_sent != str(version) or "version" in shape_problems(sent.form, sent.files, ["version"]):
        problems.append(text("Version:", "Someone else saved the plan"))
    if not sent.answered(problems, refuse=(422,)):
        return
    assert sent.changed() <= {"plans", "plan_calls", "plan_naloxone", "plan_edits", "plan_seen"}
    assert rows(app, "SELECT after_hours, step_up_program, step_up_how, prescriber, pharmacy, step_up_signs"
                     " FROM plans WHERE circle_id = ?", [circle]) == [
        (after or None, got["step_up_program"] or None, how or None, got["prescriber"] or None,
         got["pharmacy"] or None, "\n".join(signs))]
    assert rows(app, "SELECT who, number FROM plan_calls WHERE circle_id = ? ORDER BY position", [circle]) == calls
    assert rows(app, "SELECT place, expires_on FROM plan_naloxone WHERE circle_id = ?", [circle]) == (
        [(place, day.isoformat() if expires else None)] if place else [])
    saved = plan_version(app, circle)
    assert saved in (version, version + 1)  # the same plan again is no new version
    assert rows(app, "SELECT version FROM plan_seen WHERE circle_id = ? AND user_id = ?", [circle, me.id]) == (
        [(saved,)] if saved else [])


@fuzzes("plan.seen")
@settings(max_examples=25, **SETTINGS)
@given(request=submission({"version": st.sampled_from([CURRENT] * 4 + ["1", "2"])},
                          {"version": values(st.sampled_from(["", "0", "01", " 2", "2.0", "9" * 12]))}),
       has_plan=st.booleans())
def test_plan_seen(app, me, circle, request, has_plan):
    if has_plan and not plan_version(app, circle):
        execute(app, "INSERT INTO plans (circle_id, version, changed_by, changed_at) VALUES (?, 2, ?, ?)",
                [circle, me.id, now_iso()])
    version = plan_version(app, circle)
    sent = Sent(app, me, request, f"/c/{circle}/plan/seen", extra={CURRENT: str(version)})
    if sent.csrf_refused():
        return
    bad = sent.wrong_fields(version=not version or sent.first("version") != str(version))
    problems = [text("There is no plan to read yet", "The plan changed since this page was opened",
                     "Version:")] if bad else []
    if request.shape in ("json", "text"):
        problems.append(NOT_A_FORM)
    if not sent.answered(problems, refuse=(422,)):
        return
    assert rows(app, "SELECT version FROM plan_seen WHERE circle_id = ? AND user_id = ?", [circle, me.id]) == [
        (version,)]
    assert sent.changed() <= {"plan_seen"}


def export_with_one_checkin():
    return json.dumps({"today": circle_today().isoformat(), "checkins": [
        {"date": circle_today().isoformat(), "craving": 3, "notes": "from a file"}]}).encode()


IMPORTABLE = {b'{"checkins": []}'}
FILES = st.one_of(
    st.sampled_from([File(b'{"checkins": []}', "export.json"), File(b'{"checkins": []}', "x" * 200 + ".json"),
                     File(b'{"checkins": []}', "../../etc/passwd"), File(b'{"checkins": []}', "no-extension"),
                     File(b'{"checkins": []}', "é 👍.json"), File(b'{"checkins": []}', "")]),
    st.builds(lambda: File(export_with_one_checkin(), "export.json")))
BAD_FILES = st.sampled_from([
    File(b"{", "cut.json"), File(b"\xff\xfe\x00", "binary.json"), File(b"[]", "list.json"), File(b"", "empty.json"),
    File(b'{"checkins": [{"date": "9999-12-31"}]}', "future.json"), File(b'{"checkins": [], "x": 1}', "key.json"),
    File(b'{"checkins": [{"date": "2026-02-30"}]}', "feb30.json"), File(b'{"checkins": {}}', "dict.json"),
    File(b'{"checkins": [{"craving": 1e400}]}', "big.json"), File(b"[" * 100000, "deep.json")])


@fuzzes("transfer.import_checkins")
@settings(max_examples=30, **SETTINGS)
@given(request=submission({"file": FILES}, {"file": st.one_of(BAD_FILES, HOSTILE)}))
def test_import(app, me, circle, request):
    """The form's shape (test_export.py fuzzes what the file holds)."""
    sent = Sent(app, me, request, f"/c/{circle}/import")
    if sent.csrf_refused():
        return
    file = sent.files.getlist("file") + sent.form.getlist("file")
    bad = {"file"} if len(file) != 1 or not isinstance(file[0], File) or not file[0].filename else set()
    problems = problems_of(request, bad, {"file": "File"}, form_errors_shown=False)
    if not problems and file[0].data not in IMPORTABLE and b"from a file" not in file[0].data:
        problems.append(text("Nothing was imported."))
    if not sent.answered(problems, refuse=(400,)):
        return
    assert sent.changed() <= {"checkins", "checkin_audit"}


# --- Forms with nothing but their CSRF token (delete, remove, revoke, sign out...) -------------

CONFIRM_ROUTES = ["auth.sign_out", "account.sign_out_everywhere", "checkins.delete", "circles.invite",
                  "circles.cancel_invite", "circles.remove_member", "circles.remove_member_keeping_links",
                  "circles.accept_invite", "levels.remove",
                  "share.revoke_link", "account.reset_link", "circles.leave", "medication.remove",
                  "circles.dismiss_numbers_prompt"]
TARGETS = ["right"] * 4 + ["another's", "missing", "huge", "stranger's circle", "not owner"]


NUMBERED = iter(range(10 ** 9))


def member_of(app, circle):
    uid = add_user(app, f"member-{next(NUMBERED)}")
    execute(app, "INSERT INTO memberships VALUES (?, ?, 'member', ?)", [circle, uid, now_iso()])
    return uid


def add_invite(app, circle, by, used=False):
    token = secrets.token_urlsafe(32)
    execute(app, "INSERT INTO invites (circle_id, token_hash, created_by, created_at, expires_at, used_at)"
                 " VALUES (?, ?, ?, ?, ?, ?)", [circle, token_hash(token), by, now_iso(), now_iso(7),
                                                now_iso() if used else None])
    return token, rows(app, "SELECT max(id) FROM invites")[0][0]


def add_level_entry(app, circle, by):
    return execute(app, "INSERT INTO level_history (circle_id, level, since, recorded_by, recorded_at)"
                        " VALUES (?, 'iop', ?, ?, ?)", [circle, circle_today().isoformat(), by, now_iso()])


def add_medication_entry(app, circle, by):
    return execute(app, "INSERT INTO medication_history (circle_id, medication, since, recorded_by, recorded_at)"
                        " VALUES (?, 'methadone', ?, ?, ?)", [circle, circle_today().isoformat(), by, now_iso()])


def add_share_link(app, circle, by):
    return execute(app, "INSERT INTO share_links (circle_id, token_hash, label, created_by, created_at, expires_at,"
                        " include_notes, days, open_count) VALUES (?, ?, 'Dr. Lee', ?, ?, ?, 0, 14, 0)",
                   [circle, secrets.token_hex(16), by, now_iso(), now_iso(14)])


def add_phone(app, user):
    """A phone with notifications on, for the routes that test or turn one off."""
    session_hash = rows(app, "SELECT id_hash FROM sessions WHERE user_id = ? LIMIT 1", [user])[0][0]
    return execute(app, "INSERT INTO push_subscriptions (user_id, session_hash, endpoint, p256dh, auth, browser,"
                        " created_at) VALUES (?, ?, ?, 'k', 'a', 'Chrome on Android', ?)",
                   [user, session_hash, "https://fcm.googleapis.com/fcm/send/" + secrets.token_hex(8), now_iso()])


OWNERS_ONLY = {"circles.remove_member", "circles.remove_member_keeping_links", "account.reset_link"}
NO_ROUTE = "no route"  # the URL matches no route (or an id beyond 64 bits): 404 before anything else


def confirm_case(app, me, circle, endpoint, target):
    """(path, status when the token is right, tables that must change, tables that may)."""
    bob = member_of(app, circle)
    if endpoint in ("auth.sign_out", "account.sign_out_everywhere"):
        return {"auth.sign_out": "/sign-out"}.get(endpoint, "/account/sign-out-everywhere"), 302, set(), set()
    if endpoint == "circles.accept_invite":  # to a circle I am not in (a member's visit leaves it unused)
        token, _ = add_invite(app, add_circle(app, bob), bob, used=target == "another's")
        token = {"missing": "x" * 43, "huge": "x" * 101, "stranger's circle": "a/b"}.get(target, token)
        status = {"another's": 410, "missing": 410, "huge": 410, "stranger's circle": NO_ROUTE}.get(target, 302)
        return f"/invite/{token}", status, {"invites", "memberships"}, {"invites", "memberships"}
    # /c/<circle>/...: a circle I am not in is a 404; one I do not own, a 403 for owners' pages.
    here, status = circle, None
    if target == "stranger's circle":
        here, status = add_circle(app, add_user(app, f"stranger-{next(NUMBERED)}")), 404
    elif target == "huge":
        here, status = 2 ** 63, NO_ROUTE
    elif target == "not owner":
        here, status = add_circle(app, bob, members=[me.id]), 403
    if endpoint == "circles.invite":
        return f"/c/{here}/invites", status or 302, {"invites"}, {"invites"}
    if endpoint == "circles.dismiss_numbers_prompt":  # a session flag only: no table changes
        return f"/c/{here}/care-team-prompt/dismiss", status or 302, set(), set()
    if endpoint == "circles.leave":  # the test joins again after leaving; one's invites and links close
        return f"/c/{here}/leave", status or 302, {"memberships"}, {"memberships", "invites", "share_links"}
    mine = target != "another's"
    if endpoint == "checkins.delete":
        thing, default = add_checkin(app, circle, me.id if mine else bob, circle_today().isoformat()), 302 if mine \
            else 403
        changes = {"checkins", "checkin_audit"}
    elif endpoint == "circles.cancel_invite":  # another circle's invite, or none: nothing to cancel
        thing, default = add_invite(app, circle if mine else add_circle(app, bob), me.id)[1], 302
        changes = {"invites"} if mine else set()
    elif endpoint == "levels.remove":
        thing, default = add_level_entry(app, circle, me.id if mine else bob), 302 if mine else 403
        changes = {"level_history"}
    elif endpoint == "medication.remove":
        thing, default = add_medication_entry(app, circle, me.id if mine else bob), 302 if mine else 403
        changes = {"medication_history"}
    elif endpoint == "share.revoke_link":
        thing, default = add_share_link(app, circle if mine else add_circle(app, bob), me.id), 302 if mine else 404
        changes = {"share_links"}
    elif endpoint in ("circles.remove_member", "circles.remove_member_keeping_links"):  # not oneself
        thing, default, changes = (member_of(app, circle), 302, {"memberships"}) if mine else (me.id, 400, set())
    elif endpoint == "account.reset_link":
        thing, default, changes = (member_of(app, circle), 302, {"password_resets"}) if mine else (me.id, 404, set())
    else:
        raise AssertionError(f"no case for {endpoint}")
    if target == "missing":
        # (Removing someone not in the circle is a 404: the page shows whom it removes.)
        thing, default, changes = thing + 10 ** 6, 302 if endpoint == "circles.cancel_invite" else 404, set()
    path = {"checkins.delete": "/c/{}/checkins/{}/delete", "circles.cancel_invite": "/c/{}/invites/{}/cancel",
            "levels.remove": "/c/{}/level/{}/remove", "share.revoke_link": "/c/{}/share/{}/revoke",
            "medication.remove": "/c/{}/medication/{}/remove",
            "circles.remove_member": "/c/{}/members/{}/remove",
            "circles.remove_member_keeping_links": "/c/{}/members/{}/remove-keeping-links",
            "account.reset_link": "/c/{}/members/{}/reset-link"}[endpoint].format(here, thing)
    allowed = changes | ({"circles"} if endpoint == "levels.remove" else set())
    return path, status or default, changes, allowed


@fuzzes(*CONFIRM_ROUTES)
@settings(max_examples=120, **SETTINGS)
@given(endpoint=st.sampled_from(CONFIRM_ROUTES), target=st.sampled_from(TARGETS), request=submission({}))
def test_forms_with_only_a_token(app, me, circle, endpoint, target, request):
    """Unknown fields are ignored and so is a JSON body (nothing is read from it); a bad
    token, or an id that is not there or not one's own, answers 4xx and changes nothing."""
    if target == "not owner" and endpoint not in OWNERS_ONLY:
        target = "right"
    path, status, must, may = confirm_case(app, me, circle, endpoint, target)
    sent = Sent(app, me, request, path)
    if status == NO_ROUTE:
        return sent.no_route()
    if sent.csrf_refused():
        return
    if status != 302:
        return sent.refused([], statuses=(status,))
    accepted(sent.response)
    assert must <= sent.changed() <= may
    if endpoint in ("auth.sign_out", "account.sign_out_everywhere"):
        me.sign_in()
    if endpoint == "circles.leave":
        execute(app, "INSERT INTO memberships VALUES (?, ?, 'owner', ?)", [circle, me.id, now_iso()])


# --- Every POST route of the URL map, whatever its form --------------------------------------

def every_post_url(app, me, circle):
    """(endpoint, URL) of every POST route, with ids and tokens that exist; a route with
    a new kind of argument fails here until it gets a value."""
    member = member_of(app, circle)
    token, invite = add_invite(app, circle, me.id)
    values = {"circle_id": circle, "checkin_id": add_checkin(app, circle, me.id, circle_today().isoformat()),
              "invite_id": invite, "user_id": member, "entry_id": add_level_entry(app, circle, me.id),
              "link_id": add_share_link(app, circle, me.id), "item_id": "transport", "token": token,
              "subscription_id": add_phone(app, me.id)}
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" in rule.methods:
            missing = set(rule.arguments) - set(values)
            assert not missing, f"{rule.rule}: give {sorted(missing)} a value in every_post_url"
            yield rule.endpoint, adapter.build(rule.endpoint, {a: values[a] for a in rule.arguments})


def test_every_post_route_refuses_a_missing_or_wrong_token(app, me, circle):
    for endpoint, url in every_post_url(app, me, circle):
        for data in ({}, {"csrf_token": "x"}, {"csrf_token": me.token + "x"}):
            before = snapshot(app)
            response = me.client.post(url, data=data)
            assert response.status_code == 400, (endpoint, response.status_code)
            assert "This form expired" in response.get_data(as_text=True)
            assert snapshot(app) == before, endpoint


def test_every_post_route_refuses_a_body_over_2_mb(app, me, circle):
    body = "csrf_token=" + me.token + "&notes=" + "x" * (2 * 1024 * 1024)
    for endpoint, url in every_post_url(app, me, circle):
        before = snapshot(app)
        response = me.client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 413, (endpoint, response.status_code)
        assert "Too large" in response.get_data(as_text=True)
        assert snapshot(app) == before, endpoint


EVERY_FIELD = ["date", "craving", "withdrawal_signs", "overdose", "notes", "client_id", "nickname", "timezone",
               "emergency_number", "care_team-0-label", "level", "since", "note", "rule", "action", "ticked",
               "label", "expires_days", "days", "include_notes", "file", "username", "display_name", "password",
               "current_password", "new_password", "code", "off_code", "off_password", "recovery_code",
               "medication", "next_due", "answer_relapse", "note_relapse", "questions", "calls-0-label",
               "after_hours", "step_up_signs", "naloxone-0-expires_on", "version", "include_brief"]
JSON_BODIES = ["[1, 2]", "5", "", "{", json.dumps({name: [1, {"x": None}, 2.5] for name in EVERY_FIELD}),
               json.dumps({name: {"$ne": ""} for name in EVERY_FIELD})]


def test_every_post_route_reads_no_json_body(app, me, circle):
    """Flask-WTF turned a JSON body into form data: a number, list or object reached
    validators that expect text (a 500), a JSON list or number was a 500 in every form,
    invalid JSON a 400. No form reads JSON now: a form with fields says so and writes
    nothing; one with only its token (sent in the header) just works."""
    for body in JSON_BODIES:
        for endpoint, url in every_post_url(app, me, circle):
            before = snapshot(app)
            response = me.client.post(url, data=body, content_type="application/json",
                                      headers={"X-CSRFToken": me.token})
            assert response.status_code < 500, (endpoint, body)
            if response.status_code >= 400:
                assert snapshot(app) == before, (endpoint, body)
            if endpoint in ("auth.sign_out", "account.sign_out_everywhere"):
                me.sign_in()
