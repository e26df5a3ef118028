"""EXPLAIN QUERY PLAN for the app's hot queries, against the seeded bench database.

    .venv/bin/python bench/explain.py [bench/out/bench.db]

Each query is copied from the app (the module is named); before explaining it, the
script checks that the copy still appears, word for word, among that module's string
literals, and says "DRIFTED" when it does not (re-copy it then). A query is "ok" when
every table it touches is reached through an index (SEARCH ... USING [COVERING] INDEX
or INTEGER PRIMARY KEY); a SCAN of a table is reported as such, with the table's row
count, because on a big table it makes a request's cost grow with the data.
"""
import ast
import re
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "caregiver"

# (name, module file, SQL copied from it, how often it runs). Parameters are filled
# from the seeded data by _params().
QUERIES = [
    ("session lookup", "sessions.py",
     "SELECT data, created_at, last_seen_at FROM sessions WHERE id_hash = ?",
     "every request with a cookie"),
    ("session touch", "sessions.py",
     "UPDATE sessions SET data = ?, user_id = ?, last_seen_at = ? WHERE id_hash = ?",
     "a request after > 1 min idle, or when the session changes"),
    ("load user", "auth.py",
     "SELECT id, username, display_name FROM users WHERE id = ?",
     "every signed-in request"),
    ("circle membership", "views.py",
     "SELECT c.*, m.role FROM circles c JOIN memberships m ON m.circle_id = c.id"
     " WHERE c.id = ? AND m.user_id = ?",
     "every circle page"),
    ("check-ins between (30 days)", "checkins.py",
     "SELECT c.*, u.display_name AS author FROM checkins c LEFT JOIN users u ON u.id = c.user_id"
     " WHERE c.circle_id = ? AND c.date BETWEEN ? AND ? ORDER BY c.date DESC, c.created_at",
     "home, check-in saved, history"),
    ("logged today", "prompts.py",
     "SELECT count(*) FROM checkins WHERE circle_id = ? AND date = ?",
     "home"),
    ("ticked checklist items", "prompts.py",
     "SELECT item_id FROM checklist_state WHERE circle_id = ? AND ticked = 1",
     "home, check-in saved"),
    ("recent prompt responses", "prompts.py",
     "SELECT r.*, u.display_name AS author FROM prompt_responses r LEFT JOIN users u ON u.id = r.user_id"
     " WHERE r.circle_id = ? AND r.day >= ? ORDER BY r.at DESC",
     "home"),
    ("check-in replay (client_id)", "checkins.py",
     "SELECT id FROM checkins WHERE circle_id = ? AND client_id = ?",
     "every check-in POST"),
    ("saved check-in", "checkins.py",
     "SELECT * FROM checkins WHERE id = ?",
     "every check-in POST"),
    ("history: older day", "checkins.py",
     "SELECT max(date) AS d FROM checkins WHERE circle_id = ? AND date < ?",
     "history"),
    ("my circles", "circles.py",
     "SELECT c.id, c.nickname, c.emergency_number, m.role FROM circles c JOIN memberships m"
     " ON m.circle_id = c.id WHERE m.user_id = ? ORDER BY c.nickname COLLATE NOCASE",
     "/ (start page)"),
    ("care team numbers", "circles.py",
     "SELECT label, number FROM care_team_numbers WHERE circle_id = ? ORDER BY position, id",
     "emergency page"),
    ("checklist states", "checklists.py",
     "SELECT s.*, u.display_name AS changed_by_name FROM checklist_state s"
     " LEFT JOIN users u ON u.id = s.changed_by WHERE s.circle_id = ?",
     "checklists page"),
    ("checklist tick replay (client_id)", "checklists.py",
     "SELECT item_id, ticked FROM checklist_events WHERE circle_id = ? AND client_id = ?",
     "every checklist tick"),
    ("level history", "levels.py",
     "SELECT h.*, u.display_name AS recorded_by_name FROM level_history h"
     " LEFT JOIN users u ON u.id = h.recorded_by"
     " WHERE h.circle_id = ? ORDER BY h.since DESC, h.id DESC",
     "level of care page"),
    ("share link lookup", "summary.py",
     "SELECT * FROM share_links WHERE token_hash = ?",
     "every /share/<token> view"),
    ("share link: address lock", "throttle.py",
     "SELECT locked_until FROM login_failures WHERE key = ?",
     "every /share/<token> view, every sign-in"),
    ("share link: count the view", "summary.py",
     "UPDATE share_links SET open_count = open_count + 1, last_opened_at = ? WHERE id = ?",
     "every /share/<token> view (a write)"),
    ("summary: prompt responses", "summary.py",
     "SELECT r.rule, r.action, r.note, r.day, r.at, u.display_name AS author FROM prompt_responses r"
     " LEFT JOIN users u ON u.id = r.user_id WHERE r.circle_id = ? AND r.day BETWEEN ? AND ?"
     " ORDER BY r.day, r.at",
     "summary, share link"),
    ("purge expired sessions", "retention.py",
     "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
     "at a sign-in, at most hourly per process"),
    ("purge old audit entries", "retention.py",
     "DELETE FROM audit_log WHERE at < ?",
     "at a sign-in, at most hourly per process"),
]

# Queries of areas still being written: (name, module, SQL, how often, required table).
# Filled in when the module lands; listed as "not available" until then.
PENDING = []


def _normalise(sql):
    return re.sub(r"\s+", " ", sql).strip()


def string_literals(path):
    """Every string literal of a Python file (implicit concatenations joined, as the
    parser does), whitespace-normalised."""
    tree = ast.parse(Path(path).read_text())
    return {_normalise(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def copied_sql_matches(module, sql):
    path = APP / module
    if not path.exists():
        return None
    return _normalise(sql) in string_literals(path)


def _params(conn, sql):
    """Representative parameter values taken from the seeded data."""
    n = sql.count("?")
    named = sorted(set(re.findall(r"(?<![\w:]):([A-Za-z_]\w*)", sql)))
    if named and not n:  # :name parameters: any value will do for a plan
        return {name: 1 for name in named}
    cid, uid = conn.execute(
        "SELECT circle_id, user_id FROM memberships ORDER BY circle_id LIMIT 1 OFFSET "
        "(SELECT count(*) / 2 FROM memberships)").fetchone() or (1, 1)
    last = conn.execute("SELECT max(date) FROM checkins WHERE circle_id = ?", [cid]).fetchone()[0] or "2026-01-30"
    values = {
        "SELECT data, created_at, last_seen_at FROM sessions WHERE id_hash = ?": ["0" * 64],
        "SELECT c.*, m.role FROM circles c JOIN memberships m ON m.circle_id = c.id"
        " WHERE c.id = ? AND m.user_id = ?": [cid, uid],
    }
    if sql in values:
        return values[sql]
    if "BETWEEN" in sql:
        return [cid, "2026-01-01", last]
    guesses = {"circle_id": cid, "user_id": uid, "id": 1, "date": last, "day": last,
               "id_hash": "0" * 64, "client_id": "00000000-0000-4000-8000-000000000000",
               "last_seen_at": "2026-01-01T00:00:00+00:00", "created_at": "2026-01-01T00:00:00+00:00"}
    out = []
    for m in re.finditer(r"(\w+)\s*(?:=|<|>|>=|<=|!=)\s*\?", sql):
        out.append(guesses.get(m.group(1), 1))
    out += [None] * (n - len(out))
    return out[:n]


def plan(conn, sql, params=None):
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql,
                        params if params is not None else _params(conn, sql)).fetchall()
    return [r[3] for r in rows]


def verdict(plan_lines):
    """'ok' when every table is reached through an index; else 'SCAN <table>' items."""
    scans = []
    for line in plan_lines:
        m = re.match(r"SCAN (\w+)", line)
        if m and "USING INTEGER PRIMARY KEY" not in line:
            scans.append(line)
    return ("ok" if not scans else "SCAN"), scans


def _row_count(conn, table):
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return None


def _table_of(scan_line, sql):
    alias = re.match(r"SCAN (\w+)", scan_line).group(1)
    m = re.search(r"(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)\s+(?:AS\s+)?" + re.escape(alias) + r"\b", sql)
    return m.group(1) if m else alias


def explain_all(db_path, extra=()):
    """Returns a list of dicts: name, module, sql, when, drift (True/False/None),
    plan (lines), verdict ('ok'/'SCAN'/'not available'), scans (with row counts)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    results = []
    try:
        for name, module, sql, when in list(QUERIES) + list(extra):
            matches = copied_sql_matches(module, sql)
            try:
                lines = plan(conn, sql)
            except sqlite3.OperationalError as exc:  # e.g. a table of a migration not applied
                results.append({"name": name, "module": f"caregiver/{module}", "sql": sql, "when": when,
                                "drift": False, "plan": [], "verdict": "not available", "scans": [],
                                "error": str(exc)})
                continue
            v, scans = verdict(lines)
            results.append({
                "name": name, "module": f"caregiver/{module}", "sql": sql, "when": when,
                "drift": matches is False, "plan": lines, "verdict": v,
                "scans": [{"line": s, "table": _table_of(s, sql),
                           "rows": _row_count(conn, _table_of(s, sql))} for s in scans],
            })
        for name, module, sql, when, table in PENDING:
            if sql is None or not (APP / module).exists() or _row_count(conn, table) is None:
                results.append({"name": name, "module": f"caregiver/{module}", "sql": sql, "when": when,
                                "drift": False, "plan": [], "verdict": "not available", "scans": []})
    finally:
        conn.close()
    return results


SQL_START = re.compile(r"^\s*(SELECT|UPDATE|DELETE|INSERT|WITH) ")  # the app writes SQL in capitals


def sweep(db_path):
    """Every SQL string literal in caregiver/*.py, explained with stand-in parameters.
    Returns (explained, scans, skipped): scans lists (module, sql, plan lines) of
    statements whose plan has a SCAN; skipped lists literals that are not complete
    statements (fragments, formats) or fail to prepare against this database."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    explained, scans, skipped = 0, [], []
    try:
        for path in sorted(APP.glob("*.py")):
            for sql in sorted(string_literals(path)):
                if not SQL_START.match(sql) or "%s" in sql or "{" in sql:
                    continue
                try:
                    lines = plan(conn, sql)
                except sqlite3.Error as exc:
                    skipped.append((path.name, sql, str(exc)))
                    continue
                explained += 1
                v, found = verdict(lines)
                if v == "SCAN":
                    scans.append((path.name, sql, lines, [
                        (_table_of(x, sql), _row_count(conn, _table_of(x, sql))) for x in found]))
    finally:
        conn.close()
    return explained, scans, skipped


def report_sweep(result, out=print):
    explained, scans, skipped = result
    out(f"Sweep: {explained} SQL statements found in caregiver/*.py explained; "
        f"{len(scans)} with a SCAN" + (f"; {len(skipped)} skipped (not a complete statement here)" if skipped else ""))
    for module, sql, lines, tables in scans:
        sizes = ", ".join(f"{t}: {n:,} rows" if n is not None else t for t, n in tables)
        out(f"  SCAN in caregiver/{module} ({sizes}): {sql}")
        for line in lines:
            out(f"      {line}")


def report(results, out=print):
    for r in results:
        tag = r["verdict"]
        if r["verdict"] == "not available":
            out(f"- {r['name']} ({r['module']}): not available ({r.get('error') or 'the module or its table is not in the app yet'})")
            continue
        out(f"- {r['name']} [{tag}] ({r['module']}; {r['when']})"
            + ("  ** DRIFTED: this SQL is no longer in the module, re-copy it **" if r["drift"] else ""))
        out(f"    {r['sql']}")
        for line in r["plan"]:
            out(f"      {line}")
        for s in r["scans"]:
            rows = f"{s['rows']:,} rows" if s["rows"] is not None else "?"
            out(f"      ^ scans table {s['table']} ({rows})")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    db_path = argv[0] if argv else str(ROOT / "bench" / "out" / "bench.db")
    if not Path(db_path).exists():
        sys.exit(f"{db_path} does not exist: seed it first (bench/seed.py or make bench)")
    report(explain_all(db_path))
    report_sweep(sweep(db_path))


if __name__ == "__main__":
    main()
