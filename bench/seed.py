"""Seed a realistic benchmark database fast: direct SQL inserts in big transactions.

    .venv/bin/python bench/seed.py bench/out/bench.db            # 1,000 circles x 730 days
    .venv/bin/python bench/seed.py /tmp/x.db --circles 50 --days 60

The schema comes from the app itself (caregiver.db.upgrade), so the benchmark always
runs against the current migrations. Nothing goes through HTTP: one argon2 hash is
computed once and reused for every bench user (hashing 3,000 passwords would take
minutes and measures nothing the server does per request).

What is in it, per circle: 3 caregivers (one owner), a level of care with its history,
1-2 care-team numbers, and one check-in a day (a second one on ~40% of days, by
another caregiver) for `days` days ending yesterday, each with its audit row as the
app writes it. About 10% of circles are "hot": their last 10 days hold high cravings,
stress, easy access and suspected use, so the rules engine's prompts hold there.
Three special circles hold the very same check-ins day for day (1 on even days back,
2 on odd ones, the same values for the same day back) and differ only in how far back
they go: 14, 45 and 730 days. 45 vs 730 days isolates the length of history (every
page reads at most 30 days, and those are identical); 14 vs 730 days also has fewer
rows inside a 30-day window.

Sessions are not seeded here: bench/run.py makes fresh ones before every run
(make_sessions), so a database seeded weeks ago still has live sessions.
"""
import argparse
import hashlib
import json
import os
import random
import secrets
import sqlite3
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_PASSWORD = "bench-password-not-a-secret"
# The server under test runs with this key (CAREGIVER_SECRET_KEY) so the bench can
# sign CSRF tokens itself, exactly as flask-wtf does. Never use it anywhere else.
BENCH_SECRET_KEY = "caregiver-bench-only-secret-key-never-use-in-production"
CSRF_SALT = "wtf-csrf-token"  # flask_wtf.csrf.generate_csrf's salt

SHORT_NICKNAME = "Bench two weeks"
MONTH_NICKNAME = "Bench 45 days"
LONG_NICKNAME = "Bench two years"
SHORT_DAYS = 14
MONTH_DAYS = 45  # more than the 30 days any page reads: the same rows in every window
LONG_DAYS = 730
SEED_FORMAT = 2  # bump when what seed() makes changes: run.py then reseeds
SPECIAL = ((SHORT_NICKNAME, SHORT_DAYS), (MONTH_NICKNAME, MONTH_DAYS), (LONG_NICKNAME, LONG_DAYS))

TIMEZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
             "America/Phoenix", "America/Anchorage", "Pacific/Honolulu")
LEVELS = ("inpatient", "residential", "php", "iop", "outpatient", "recovery-support")
LOWER = ("php", "iop", "outpatient", "recovery-support")
LIVING = ("home", "sober-living", "facility")
SIGNS = ("sweating", "runny-nose-or-eyes", "yawning", "gooseflesh", "restlessness",
         "anxiety-or-irritability", "aches", "stomach-upset", "tremor", "trouble-sleeping",
         "large-pupils", "chills-or-flushing")
NOTES = ("Quiet day, went to the group meeting.", "Slept badly, irritable in the morning.",
         "Talked about going back to work.", "Missed the bus to the clinic, went later.",
         "Seemed tired but in good spirits.", "Long call with the counselor.",
         "Argument about money; calmed down after dinner.", "Took a walk together after dinner.")
CHECKLIST = ("naloxone-home", "naloxone-trained", "meds-locked", "crisis-numbers", "transport",
             "coping-practiced", "medication-plan", "next-appointment")

CHECKIN_COLS = ("id", "circle_id", "user_id", "client_id", "date", "craving", "withdrawal",
                "withdrawal_signs", "access", "stress", "medication", "use", "overdose",
                "naloxone_given", "notes", "created_at", "updated_at")
AUDIT_COLS = ("checkin_id", "circle_id", "user_id", "action", "before_json", "after_json", "at")


def sha256_hex(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _iso(dt):
    return dt.replace(microsecond=0).isoformat()


def _ins(table, cols):
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"


class _Seeder:
    def __init__(self, conn, rng, last_day, audit):
        self.conn = conn
        self.rng = rng
        self.last_day = last_day
        self.audit = audit
        self.next_user = 1
        self.next_checkin = 1
        self.count = 0
        self.pw_hash = None

    # -- people and circles ---------------------------------------------------------
    def circle(self, nickname, caregivers, now_iso, level=None, hot=False):
        rng = self.rng
        level = level or rng.choice(LEVELS)
        since = self.last_day - timedelta(days=rng.randint(20, 200))
        previous = rng.choice(("inpatient", "residential")) if level in LOWER and rng.random() < 0.5 else None
        cur = self.conn.execute(
            "INSERT INTO circles (nickname, level_of_care, level_since, previous_level, living_situation,"
            " timezone, emergency_number, created_at) VALUES (?, ?, ?, ?, ?, ?, '911', ?)",
            (nickname, level, since.isoformat(), previous, rng.choice(LIVING), rng.choice(TIMEZONES), now_iso))
        cid = cur.lastrowid
        uids = []
        for k in range(caregivers):
            uid = self.next_user
            self.next_user += 1
            uids.append(uid)
            self.conn.execute(
                "INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                (uid, f"bench-c{cid}-u{k + 1}", rng.choice(("Ana", "Ben", "Chris", "Dana", "Eli", "Fay")),
                 self.pw_hash, now_iso))
            self.conn.execute(
                "INSERT INTO memberships (circle_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
                (cid, uid, "owner" if k == 0 else "member", now_iso))
        if previous:
            self.conn.execute(
                "INSERT INTO level_history (circle_id, level, since, note, recorded_by, recorded_at)"
                " VALUES (?, ?, ?, NULL, ?, ?)",
                (cid, previous, (since - timedelta(days=30)).isoformat(), uids[0], now_iso))
        self.conn.execute(
            "INSERT INTO level_history (circle_id, level, since, note, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, NULL, ?, ?)", (cid, level, since.isoformat(), uids[0], now_iso))
        for pos in range(rng.randint(1, 2)):
            self.conn.execute(
                "INSERT INTO care_team_numbers (circle_id, label, number, position) VALUES (?, ?, ?, ?)",
                (cid, ("Counselor", "Clinic", "Sponsor")[pos], f"555-01{rng.randint(0, 99):02d}", pos))
        for item in rng.sample(CHECKLIST, rng.randint(0, 4)):
            self.conn.execute(
                "INSERT INTO checklist_state (circle_id, item_id, ticked, changed_by, changed_at)"
                " VALUES (?, ?, 1, ?, ?)", (cid, item, uids[0], now_iso))
        if hot:
            for rule in ("cravings-high", "use-in-lower-structure"):
                self.conn.execute(
                    "INSERT INTO prompt_responses (circle_id, rule, action, note, user_id, at, day)"
                    " VALUES (?, ?, 'talked-with-care-team', NULL, ?, ?, ?)",
                    (cid, rule, uids[0], now_iso, (self.last_day - timedelta(days=2)).isoformat()))
        return cid, uids, level

    # -- check-ins ---------------------------------------------------------------------
    def _values(self, hot_day, rng=None):
        rng = rng or self.rng
        r = rng.random
        if hot_day:
            craving = rng.randint(7, 10)
            stress = rng.randint(6, 10)
            withdrawal = rng.choice(("mild", "moderate", "severe"))
            access = rng.choice(("possible", "easy"))
            use = "suspected" if r() < 0.5 else ("confirmed" if r() < 0.3 else "none")
            medication = "missed" if r() < 0.4 else "taken"
        else:
            craving = min(10, int(rng.expovariate(0.45)))
            stress = min(10, int(rng.triangular(0, 10, 3)))
            withdrawal = "none" if r() < 0.75 else ("mild" if r() < 0.8 else "moderate")
            access = "none" if r() < 0.93 else "possible"
            use = "none" if r() < 0.985 else "suspected"
            medication = "taken" if r() < 0.95 else "missed"
        if r() < 0.08:  # "not sure" answers stay empty
            craving = None
        signs = [] if withdrawal == "none" else rng.sample(SIGNS, rng.randint(1, 3))
        notes = rng.choice(NOTES) if r() < 0.2 else None
        return {"craving": craving, "withdrawal": withdrawal, "withdrawal_signs": signs, "access": access,
                "stress": stress, "medication": medication, "use": use, "overdose": False,
                "naloxone_given": False, "notes": notes}

    def add_checkins(self, cid, uids, days, per_day=None, hot_days=0, same_values=False):
        """`days` days of check-ins ending at last_day. per_day(i) -> count, default 1-2.
        same_values: the values depend only on (days back, k), so circles seeded this
        way hold the same check-ins for the same days."""
        rng = self.rng
        rows, audits = [], []
        for back in range(days - 1, -1, -1):
            day = self.last_day - timedelta(days=back)
            n = per_day(back) if per_day else (2 if rng.random() < 0.4 else 1)
            for k in range(n):
                uid = uids[(back + k) % len(uids)]
                v = self._values(hot_day=back < hot_days,
                                 rng=random.Random(back * 10 + k) if same_values else None)
                day_iso = day.isoformat()
                at = (f"{day_iso}T{17 + (back + k) % 6:02d}:{(back * 7) % 60:02d}:{k:02d}+00:00" if same_values
                      else f"{day_iso}T{rng.randint(17, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}+00:00")
                rid = self.next_checkin
                self.next_checkin += 1
                rows.append((rid, cid, uid, str(uuid.UUID(int=rng.getrandbits(128), version=4)), day_iso,
                             v["craving"], v["withdrawal"], json.dumps(v["withdrawal_signs"]), v["access"],
                             v["stress"], v["medication"], v["use"], 0, 0, v["notes"], at, at))
                if self.audit:
                    audits.append((rid, cid, uid, "create", None, json.dumps({"date": day_iso, **v}), at))
        self.conn.executemany(_ins("checkins", CHECKIN_COLS), rows)
        if audits:
            self.conn.executemany(_ins("checkin_audit", AUDIT_COLS), audits)
        self.count += len(rows)


def seed(db_path, circles=1000, days=LONG_DAYS, caregivers=3, hot_share=0.10, special=True,
         audit=True, random_seed=8, progress=None):
    """Create a fresh database at db_path and fill it. Returns a summary dict.

    Small values (3 circles x 10 days) make a test-sized database in well under a second.
    """
    from argon2 import PasswordHasher

    from caregiver import db as appdb

    say = progress or (lambda *a: None)
    started = time.monotonic()
    db_path = Path(db_path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    appdb.upgrade(str(db_path))  # the app's own migrations: the schema is always current

    conn = sqlite3.connect(str(db_path), isolation_level=None)
    # Bulk load: no journal, no fsync. A crash mid-seed leaves a broken file, and
    # run.py reseeds it (seed.json, written last, marks a finished seed).
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB
    conn.execute("PRAGMA foreign_keys=OFF")  # every id is made here, consistently
    rng = random.Random(random_seed)
    last_day = datetime.now(timezone.utc).date() - timedelta(days=1)
    now_iso = _iso(datetime.now(timezone.utc))
    s = _Seeder(conn, rng, last_day, audit)
    s.pw_hash = PasswordHasher().hash(BENCH_PASSWORD)  # once, reused by every bench user

    hot_ids, special_ids = [], {}
    conn.execute("BEGIN")
    for i in range(circles):
        hot = rng.random() < hot_share
        cid, uids, _ = s.circle(f"Circle {i + 1}", caregivers, now_iso,
                                level=rng.choice(LOWER) if hot else None, hot=hot)
        s.add_checkins(cid, uids, days, hot_days=10 if hot else 0)
        if hot:
            hot_ids.append(cid)
        if (i + 1) % 100 == 0:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
            say(f"  seeded {i + 1}/{circles} circles, {s.count:,} check-ins "
                f"({time.monotonic() - started:.0f} s)")
    if special:
        # Same level, same check-ins day for day (1 on even days back, 2 on odd ones,
        # the same values); only the length of history differs.
        for name, length in SPECIAL:
            cid, uids, _ = s.circle(name, caregivers, now_iso, level="outpatient")
            s.conn.execute("UPDATE circles SET level_since = ?, previous_level = NULL, timezone = ? WHERE id = ?",
                           ((last_day - timedelta(days=120)).isoformat(), "America/New_York", cid))
            s.conn.execute("DELETE FROM checklist_state WHERE circle_id = ?", (cid,))
            s.conn.executemany("INSERT INTO checklist_state (circle_id, item_id, ticked, changed_by, changed_at)"
                               " VALUES (?, ?, 1, ?, ?)", [(cid, item, uids[0], now_iso) for item in CHECKLIST[:3]])
            s.add_checkins(cid, uids, length, per_day=lambda back: 1 + back % 2, same_values=True)
            special_ids[name] = cid
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")  # as the app runs it
    # No ANALYZE: the app never runs it, so the query planner works without
    # statistics in production too, and the plans explained here must be those.
    conn.close()
    elapsed = time.monotonic() - started
    summary = {
        "format": SEED_FORMAT, "seeded_at": now_iso, "last_day": last_day.isoformat(), "circles": circles, "days": days,
        "caregivers_per_circle": caregivers, "checkins": s.count, "users": s.next_user - 1,
        "hot_circles": len(hot_ids), "audit_rows": audit, "special": special_ids,
        "seconds": round(elapsed, 1), "bytes": db_path.stat().st_size,
    }
    say(f"  seeded {circles} circles + {len(special_ids)} special, {s.count:,} check-ins, "
        f"{summary['users']:,} users in {elapsed:.1f} s ({summary['bytes'] / 1e6:.0f} MB)")
    return summary


# -- per-run state: sessions and share links -----------------------------------------

def csrf_token(raw, secret_key=BENCH_SECRET_KEY):
    """The signed token flask-wtf puts in forms for the raw token kept in the session."""
    from itsdangerous import URLSafeTimedSerializer
    return URLSafeTimedSerializer(secret_key, salt=CSRF_SALT).dumps(raw)


def make_sessions(db_path, secret_key=BENCH_SECRET_KEY):
    """One fresh server-side session per bench user, as the app stores them.

    Returns a list of dicts: sid (the cookie value), user_id, circle_id, csrf (a signed
    token valid for that session while the server runs with `secret_key`).
    The session already names its circle, so circle pages do not rewrite it.
    """
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    now_iso = _iso(datetime.now(timezone.utc))
    members = conn.execute(
        "SELECT m.user_id, m.circle_id FROM memberships m JOIN users u ON u.id = m.user_id"
        " WHERE u.username LIKE 'bench-%' ORDER BY m.circle_id, m.user_id").fetchall()
    out, rows = [], []
    for uid, cid in members:
        sid = secrets.token_urlsafe(32)
        raw = hashlib.sha1(os.urandom(64)).hexdigest()
        rows.append((sha256_hex(sid), uid, json.dumps({"uid": uid, "csrf_token": raw, "circle_id": cid}),
                     now_iso, now_iso))
        out.append({"sid": sid, "user_id": uid, "circle_id": cid, "csrf": csrf_token(raw, secret_key)})
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username LIKE 'bench-%')")
    conn.executemany("INSERT INTO sessions (id_hash, user_id, data, created_at, last_seen_at)"
                     " VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.close()
    return out


def set_last_seen(db_path, seconds_ago=0):
    """Set every bench session's last_seen_at to `seconds_ago` seconds before now.

    The app rewrites last_seen_at (one write, one fsync) on a request that comes more
    than a minute after the session's last one. 0 keeps a run free of those writes;
    120 makes every session's next request pay for one, as most real page views do.
    """
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    at = _iso(datetime.now(timezone.utc) - timedelta(seconds=seconds_ago))
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE sessions SET last_seen_at = ? WHERE user_id IN"
                 " (SELECT id FROM users WHERE username LIKE 'bench-%')", [at])
    conn.execute("COMMIT")
    conn.close()


def table_columns(conn, table):
    return [dict(zip(("cid", "name", "type", "notnull", "dflt", "pk"), r))
            for r in conn.execute(f"PRAGMA table_info({table})")]


def share_link_row(columns, circle_id, user_id, token, now_iso, far_iso):
    """A share_links row for `token`, filled by column name. Raises ValueError naming a
    required column it does not know how to fill."""
    row = {}
    for col in columns:
        name = col["name"]
        if col["pk"] and col["type"].upper() == "INTEGER":
            continue
        if name == "token_hash":
            row[name] = sha256_hex(token)
        elif name == "circle_id":
            row[name] = circle_id
        elif name in ("created_by", "user_id", "owner_id"):
            row[name] = user_id
        elif name in ("created_at", "updated_at"):
            row[name] = now_iso
        elif name in ("expires_at", "valid_until"):
            row[name] = far_iso
        elif name in ("days", "window_days", "period_days"):
            row[name] = 30
        elif name in ("label", "name", "note", "recipient"):
            row[name] = "Bench care team"
        elif col["notnull"] and col["dflt"] is None:
            raise ValueError(f"share_links.{name}: no rule to fill this NOT NULL column")
    return row


def make_share_links(db_path, circle_ids):
    """A share link per circle with a known token, far from expiring. Returns
    {circle_id: token}, or None when the app has no share_links table yet."""
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    try:
        columns = table_columns(conn, "share_links")
        if not columns:
            return None
        now = datetime.now(timezone.utc)
        now_iso, far_iso = _iso(now), _iso(now + timedelta(days=3650))
        owners = dict(conn.execute(
            "SELECT circle_id, min(user_id) FROM memberships WHERE circle_id IN (%s) GROUP BY circle_id"
            % ",".join("?" * len(circle_ids)), list(circle_ids)).fetchall())
        tokens, rows = {}, []
        for cid in circle_ids:
            token = secrets.token_urlsafe(32)  # the app accepts only this shape
            tokens[cid] = token
            rows.append(share_link_row(columns, cid, owners.get(cid), token, now_iso, far_iso))
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM share_links WHERE circle_id IN (%s)" % ",".join("?" * len(circle_ids)),
                     list(circle_ids))
        # Wrong tokens count against the address (all bench traffic is 127.0.0.1): start clean.
        conn.execute("DELETE FROM login_failures WHERE key LIKE 'share:%'")
        for row in rows:
            conn.execute(_ins("share_links", tuple(row)), tuple(row.values()))
        conn.execute("COMMIT")
        return tokens
    finally:
        conn.close()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("db", nargs="?", default=str(ROOT / "bench" / "out" / "bench.db"))
    p.add_argument("--circles", type=int, default=1000)
    p.add_argument("--days", type=int, default=LONG_DAYS)
    p.add_argument("--caregivers", type=int, default=3)
    p.add_argument("--no-audit", action="store_true", help="skip the checkin_audit rows")
    args = p.parse_args(argv)
    summary = seed(args.db, circles=args.circles, days=args.days, caregivers=args.caregivers,
                   audit=not args.no_audit, progress=print)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
