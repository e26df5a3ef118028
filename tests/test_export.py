"""Export (CSV for spreadsheets, JSON for the rules program) and import of check-ins."""
import csv
import html
import io
import json
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caregiver import records, transfer
from caregiver.dates import full_date
from caregiver.vocabulary import CHECKIN_FIELDS as FIELDS
from caregiver.transfer import csv_cell
from caregiver.vocabulary import CSV_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
TZ = "America/New_York"


def today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date()


def ago(n):
    return (today() - timedelta(days=n)).isoformat()


@pytest.fixture
def circle(auth):
    auth.sign_up("alice@example.com", name="Alice")
    return auth.create_circle(nickname="Sam", tz=TZ, level="outpatient", since=ago(20))


def count(app, table="checkins", where="1", params=()):
    conn = sqlite3.connect(app.config["DATABASE"])
    try:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
    finally:
        conn.close()


def insert_old(app, circle, day, user_id=1, **values):
    """A check-in older than the form allows (history moved in another way)."""
    row = {"craving": None, "stress": None, "use": None, "medication": None, "withdrawal": None,
           "access": None, "withdrawal_signs": "[]", "overdose": 0, "naloxone_given": 0, "notes": None}
    row.update(values)
    conn = sqlite3.connect(app.config["DATABASE"])
    with conn:
        conn.execute(
            "INSERT INTO checkins (circle_id, user_id, date, craving, stress, use, medication, withdrawal,"
            " access, withdrawal_signs, overdose, naloxone_given, notes, created_at, updated_at)"
            " VALUES (:circle, :user, :date, :craving, :stress, :use, :medication, :withdrawal, :access,"
            " :withdrawal_signs, :overdose, :naloxone_given, :notes, '2026-01-01T00:00:00+00:00',"
            " '2026-01-01T00:00:00+00:00')", {"circle": circle, "user": user_id, "date": day, **row})
    conn.close()


@pytest.fixture
def history(app, auth, circle):
    """A month of varied check-ins, two caregivers on some days."""
    insert_old(app, circle, ago(27), craving=2, use="none", withdrawal="mild",
               withdrawal_signs='["yawning"]', notes="Quiet day.")
    insert_old(app, circle, ago(20), craving=8, stress=9, access="easy", use="suspected", medication="missed")
    insert_old(app, circle, ago(20), craving=3, use="none", naloxone_given=1)
    for days_ago, fields in [
        (5, {"craving": "4", "stress": "6", "use": "none", "medication": "taken",
             "withdrawal_signs": ["sweating", "tremor"], "withdrawal": "moderate"}),
        (2, {"craving": "7", "access": "possible", "notes": "=HYPERLINK(\"http://evil\")"}),
        (2, {"craving": "5", "use": "confirmed", "overdose": "y"}),
        (0, {"craving": "9", "stress": "8", "medication": "not-prescribed", "notes": "@SUM(1+1) and more"}),
    ]:
        response = auth.checkin(circle, date=ago(days_ago), **fields)
        assert response.status_code == 200, response.get_data(as_text=True)
    return circle


def export_json(client, circle):
    response = client.get(f"/c/{circle}/export.json")
    assert response.status_code == 200
    return response


# -- CSV ---------------------------------------------------------------------------------
def test_csv_has_one_documented_row_per_check_in(app, auth, client, history):
    response = client.get(f"/c/{history}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="caregiver-checkins-')
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert len(rows) == count(app) == 7
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert all(r["caregiver"] == "Alice" for r in rows)
    signs = next(r for r in rows if r["date"] == ago(5))
    assert signs["withdrawal_signs"] == "sweating;tremor" and signs["withdrawal"] == "moderate"
    assert signs["craving"] == "4" and signs["overdose"] == "no" and signs["notes"] == ""
    assert any(r["overdose"] == "yes" for r in rows) and any(r["naloxone_given"] == "yes" for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:]+\+00:00", r["created_at"]) for r in rows)


def test_csv_cells_never_run_as_formulas(app, auth, client, history):
    text = client.get(f"/c/{history}/export.csv").get_data().decode("utf-8-sig")
    notes = [r["notes"] for r in csv.DictReader(io.StringIO(text)) if r["notes"]]
    assert "'=HYPERLINK(\"http://evil\")" in notes and "'@SUM(1+1) and more" in notes
    assert "Quiet day." in notes


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@A1", "'@A1"), ("\t=x", "'\t=x"),
    ("\r=x", "'\r=x"), ("-3", "-3"), ("+4", "+4"), ("-1.5", "-1.5"), (7, "7"), (None, ""), ("Sam", "Sam"),
    ("", ""), ("a=b", "a=b"),
])
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_a_caregiver_name_that_looks_like_a_formula_is_defused(app, auth, client, circle):
    auth.join_circle(circle, "mallory", name="=cmd|' /C calc'!A0")
    auth.checkin(circle, date=ago(0), craving="1")
    text = client.get(f"/c/{circle}/export.csv").get_data().decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["caregiver"] == "'=cmd|' /C calc'!A0"


# -- JSON --------------------------------------------------------------------------------
def test_json_is_the_rules_program_input(app, auth, client, history):
    auth.tick(history, "coping-practiced")
    auth.tick(history, "naloxone-home")
    response = export_json(client, history)
    assert response.mimetype == "application/json" and response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data())
    assert list(data) == ["today", "level_of_care", "level_since", "previous_level", "left_24_7_on",
                          "medication_stopped_on", "checklist", "checkins"]
    assert data["left_24_7_on"] is None and data["medication_stopped_on"] is None  # no 24/7 stay, no stop
    assert data["today"] == today().isoformat() and data["level_of_care"] == "outpatient"
    assert data["level_since"] == ago(20) and data["previous_level"] is None
    assert data["checklist"] == {"coping-practiced": True, "naloxone-home": True}
    assert len(data["checkins"]) == 7
    assert all(list(c) == list(FIELDS) for c in data["checkins"])
    assert data["checkins"][0] == {"date": ago(27), "craving": 2, "withdrawal": "mild",
                                   "withdrawal_signs": ["yawning"], "access": None, "stress": None,
                                   "medication": None, "use": "none", "overdose": False,
                                   "naloxone_given": False, "notes": "Quiet day."}


def test_the_rules_program_runs_on_the_export(app, auth, client, history):
    body = export_json(client, history).get_data()
    run = subprocess.run([sys.executable, "-m", "caregiver.signals"], input=body, capture_output=True, check=False,
                         cwd=ROOT, timeout=60)
    assert run.returncode == 0, run.stderr.decode()
    out = json.loads(run.stdout)
    rules = [p["rule"] for p in out["prompts"]]
    assert "overdose-recent" in rules and "use-in-lower-structure" in rules
    assert len(out["step_down"]["criteria"]) == 11
    # The same prompts as the summary shows today.
    html = client.get(f"/c/{history}/summary").get_data(as_text=True)
    assert re.findall(r'id="summary-prompt-([a-z-]+)"', html) == rules


# -- import ------------------------------------------------------------------------------
def day_table(client, circle, days=30):
    html = client.get(f"/c/{circle}/summary?days={days}").get_data(as_text=True)
    return html.split('<table class="day-table">')[1].split("</table>")[0]


def imported_message(html):
    return re.search(r"<strong>(\d+ check-ins? imported, \d+ already there\.)</strong>", html).group(1)


def summary_article(client, circle, query="?days=30"):
    """The summary as the care team sees it, with the minute it was made blanked out."""
    page = client.get(f"/c/{circle}/summary{query}").get_data(as_text=True)
    article = page.split('<article class="summary">')[1].split("</article>")[0]
    return re.sub(r"\d\d:\d\d \(America/New_York\)", "HH:MM", article)


def note_lines(article):
    return re.findall(r'<p class="note-line"><strong>([^<]*):</strong> ([^<]*)</p>', article)


@pytest.fixture
def month(app, auth, client):
    """30 days of check-ins by two caregivers (several on some days, each with a note),
    checklist ticks, and a step down from inpatient 12 days ago."""
    auth.sign_up("alice@example.com", name="Alice")
    circle = auth.create_circle(nickname="Sam", tz=TZ, level="inpatient", since=ago(45))
    auth.tick(circle, "coping-practiced")
    auth.tick(circle, "naloxone-home")
    auth.tick(circle, "accountability")
    auth.tick(circle, "accountability", ticked=0)  # unticked: not in the file
    assert auth.post(f"/c/{circle}/level", {"level": "outpatient", "since": ago(12)}).status_code == 302
    conn = sqlite3.connect(app.config["DATABASE"])
    with conn:
        conn.execute("INSERT INTO users (username, display_name, password_hash, created_at)"
                     " VALUES ('bob', 'Bob', 'x', '2026-01-01T00:00:00+00:00')")
        for i in range(30):
            day = ago(29 - i)
            rows = [(1, {"craving": (i * 7) % 10, "stress": (i * 3) % 11, "use": "none" if i % 9 else "suspected",
                         "withdrawal": ("none", "mild", "moderate")[i % 3], "access": ("none", "possible")[i % 2],
                         "medication": "missed" if i % 8 == 0 else "taken",
                         "withdrawal_signs": json.dumps(["yawning", "tremor"][: i % 3]),
                         "notes": f"Alice, day {i}: first."})]
            if i % 4 == 0:  # a second caregiver, and a third check-in, on some days
                rows.append((2, {"craving": 9, "notes": f"Bob, day {i}: second."}))
                rows.append((1, {"stress": 8, "notes": f"Alice, day {i}: third."}))
            for n, (user, values) in enumerate(rows):
                written = f"2026-01-01T00:00:{n:02d}+00:00"  # one second apart, in this order
                values = {"withdrawal_signs": "[]", **values}
                conn.execute(f"INSERT INTO checkins (circle_id, user_id, date, created_at, updated_at, "
                             f"{', '.join(values)}) VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(values))})",
                             [circle, user, day, written, written, *values.values()])
    conn.close()
    return circle


def test_export_then_import_into_a_new_circle_reproduces_the_summary(app, auth, client, month):
    body = export_json(client, month).get_data()
    data = json.loads(body)
    assert (data["level_of_care"], data["level_since"], data["previous_level"]) == ("outpatient", ago(12), "inpatient")
    assert data["checklist"] == {"coping-practiced": True, "naloxone-home": True}
    # Moving to a new server: a circle made with the level of care "Not sure", then the file.
    other = auth.create_circle(nickname="Sam", tz=TZ, level="", since="")
    response = auth.import_file(other, body)
    assert response.status_code == 302
    page = html.unescape(client.get(f"/c/{other}/import").get_data(as_text=True))
    assert imported_message(page) == "46 check-ins imported, 0 already there."
    assert "Level of care from the file: Outpatient since" in page and "before that Inpatient." in page
    assert "Checklists: 2 items ticked from the file." in page

    source, copy = summary_article(client, month), summary_article(client, other)
    # The same prompts (recent-step-down needs the previous level), step-down readiness,
    # checklist progress, day table and chart words: the whole summary, to the character.
    assert re.findall(r'id="summary-prompt-([a-z-]+)"', copy) == \
        re.findall(r'id="summary-prompt-([a-z-]+)"', source)
    assert 'id="summary-prompt-recent-step-down"' in copy
    assert "Before a step down: 1 of 8" in copy and "Home safety: 1 of 5" in copy
    assert copy == source
    assert count(app, where="circle_id = ?", params=[other]) == 46
    # Notes of one day keep their order; imported ones say so instead of naming the importer.
    source_notes, copy_notes = (note_lines(summary_article(client, c, "?days=30&notes=1")) for c in (month, other))
    assert [text for _, text in copy_notes] == [text for _, text in source_notes]
    assert source_notes[:3] == [("Alice", "Alice, day 0: first."), ("Bob", "Bob, day 0: second."),
                                ("Alice", "Alice, day 0: third.")]
    assert {author for author, _ in copy_notes} == {"Imported"}
    csv_rows = list(csv.DictReader(io.StringIO(client.get(f"/c/{other}/export.csv").get_data().decode("utf-8-sig"))))
    assert {r["caregiver"] for r in csv_rows} == {"Imported"}
    # The level history says what the file did not: when the level before started.
    levels = client.get(f"/c/{other}/level").get_data(as_text=True)
    assert "Imported from a file, which does not say when this level started." in levels
    # The exported file of the copy is the file itself (but for who wrote the notes: it has no names).
    assert json.loads(export_json(client, other).get_data()) == data


def test_importing_the_same_file_twice_changes_nothing_the_second_time(app, auth, client, month):
    body = export_json(client, month).get_data()
    other = auth.create_circle(nickname="Copy", tz=TZ, level="", since="")
    auth.import_file(other, body)
    client.get(f"/c/{other}/import")
    tables = ("checkins", "checkin_audit", "level_history", "checklist_state", "checklist_events")
    before = [count(app, table) for table in tables]
    auth.import_file(other, body)
    page = html.unescape(client.get(f"/c/{other}/import").get_data(as_text=True))
    assert imported_message(page) == "0 check-ins imported, 46 already there."
    assert "Level of care" not in page and "Checklists: 0 items ticked from the file; 2 left as they are" in page
    assert [count(app, table) for table in tables] == before


def test_a_circle_with_its_own_level_and_ticks_keeps_them(app, auth, client, month):
    body = export_json(client, month).get_data()
    other = auth.create_circle(nickname="Other", tz=TZ, level="iop", since=ago(3))
    auth.tick(other, "naloxone-home", ticked=0)  # someone here unticked it: it stays unticked
    response = auth.import_file(other, body)
    assert response.status_code == 302
    page = html.unescape(client.get(f"/c/{other}/import").get_data(as_text=True))
    assert ("This circle already has a level of care, so the file's (Outpatient since "
            f"{full_date(date.fromisoformat(ago(12)))}, before that Inpatient) was not taken.") in page
    assert "Checklists: 1 item ticked from the file; 1 left as they are in this circle." in page
    conn = sqlite3.connect(app.config["DATABASE"])
    assert conn.execute("SELECT level_of_care, level_since, previous_level FROM circles WHERE id = ?",
                        [other]).fetchone() == ("iop", ago(3), None)
    assert dict(conn.execute("SELECT item_id, ticked FROM checklist_state WHERE circle_id = ?", [other])) == \
        {"coping-practiced": 1, "naloxone-home": 0}


def test_a_level_without_a_start_date_is_not_taken_and_the_page_says_so(app, auth, client):
    auth.sign_up("alice@example.com", name="Alice")
    circle = auth.create_circle(nickname="Sam", tz=TZ, level="", since="")
    auth.import_file(circle, json.dumps({"level_of_care": "iop", "checkins": []}))
    page = html.unescape(client.get(f"/c/{circle}/import").get_data(as_text=True))
    assert "The file's level of care (Intensive outpatient) has no start date, so it was not taken." in page
    assert count(app, "level_history") == 0


def test_importing_the_same_file_twice_does_not_duplicate(app, auth, client, history):
    body = export_json(client, history).get_data()
    other = auth.create_circle(nickname="Copy", tz=TZ)
    auth.import_file(other, body)
    client.get(f"/c/{other}/import")
    response = auth.import_file(other, body)
    assert response.status_code == 302
    assert imported_message(client.get(f"/c/{other}/import").get_data(as_text=True)) == \
        "0 check-ins imported, 7 already there."
    assert count(app, where="circle_id = ?", params=[other]) == 7
    # The report is shown once.
    assert "already there" not in client.get(f"/c/{other}/import").get_data(as_text=True)


def test_importing_an_export_into_its_own_circle_changes_nothing(app, auth, client, history):
    body = export_json(client, history).get_data()
    auth.import_file(history, body)
    assert imported_message(client.get(f"/c/{history}/import").get_data(as_text=True)) == \
        "0 check-ins imported, 7 already there."
    assert count(app) == 7


def test_identical_check_ins_in_one_file_are_all_kept_and_still_imported_once(app, auth, client, circle):
    same = {"date": ago(3), "craving": 5}
    body = json.dumps({"checkins": [same, same, {"date": ago(3), "craving": 6}]})
    auth.import_file(circle, body)
    assert imported_message(client.get(f"/c/{circle}/import").get_data(as_text=True)) == \
        "3 check-ins imported, 0 already there."
    auth.import_file(circle, body)
    assert imported_message(client.get(f"/c/{circle}/import").get_data(as_text=True)) == \
        "0 check-ins imported, 3 already there."
    assert count(app) == 3
    row = day_table(client, circle, 7).split(f'id="day-{ago(3)}"')[1].split("</tr>")[0]
    assert re.findall(r"<td>(\d+)</td>", row)[:2] == ["3", "6"]  # 3 check-ins, craving 6


def test_imported_check_ins_get_a_valid_client_id_and_an_audit_entry(app, auth, client, circle):
    auth.import_file(circle, json.dumps({"today": "1999-01-01", "level_of_care": "inpatient",
                                         "checkins": [{"date": ago(40), "use": "none"}]}))
    conn = sqlite3.connect(app.config["DATABASE"])
    client_id, user_id = conn.execute("SELECT client_id, user_id FROM checkins").fetchone()
    assert re.fullmatch(r"[A-Za-z0-9-]{8,64}", client_id) and client_id.startswith("import-")
    assert user_id == 1  # the importer can correct or delete it
    assert count(app, "checkin_audit", "action = 'create'") == 1
    # The circle has its own level of care: the file's is not taken, and the page says so.
    assert conn.execute("SELECT level_of_care FROM circles").fetchone()[0] == "outpatient"
    page = html.unescape(client.get(f"/c/{circle}/import").get_data(as_text=True))
    assert "This circle already has a level of care, so the file's (Inpatient) was not taken." in page


@pytest.mark.parametrize("body, message", [
    (b"not json at all", "The file is not valid JSON (Expecting value at line 1, column 1)."),
    (b"\xff\xfe\x00garbage", "The file is not text (UTF-8)."),
    (b"", "The file is not valid JSON"),
    (b"[1, 2]", 'The file must hold a JSON object with a "checkins" list.'),
    (b'{"today": "2026-01-01"}', "checkins: is required"),
    (b'{"checkins": {"date": "2026-01-01"}}', "checkins: must be a list."),
    (b'{"checkins": [], "extra": 1}', 'Unknown key "extra"'),
    (json.dumps({"checkins": [{"date": "2026-01-01"}, {"date": "2026-01-02"}, {"date": "2026-01-03"},
                              {"date": "2026-01-04", "craving": 11}]}).encode(),
     "The 4th check-in (dated 2026-01-04), craving: must be a whole number from 0 to 10."),
    (json.dumps({"checkins": [{"date": "2026-01-01"}, {"date": "2999-01-01"}]}).encode(),
     "The 2nd check-in (dated 2999-01-01), date: cannot be after today ("),
    (json.dumps({"checkins": [{"date": "2026-01-01", "mood": "ok"}]}).encode(),
     'The 1st check-in (dated 2026-01-01): unknown field "mood".'),
    (json.dumps({"checkins": [{"craving": 1}]}).encode(), "The 1st check-in, date: is required"),
    (json.dumps({"checkins": [{"date": "2026-02-30"}]}).encode(), "The 1st check-in, date: must be a date"),
    (json.dumps({"checkins": ["2026-01-01"]}).encode(), "The 1st check-in: a check-in must be an object."),
    (json.dumps({"checkins": [{"date": "2026-01-01", "withdrawal_signs": ["itching"]}]}).encode(),
     'The 1st check-in (dated 2026-01-01), withdrawal_signs: "itching" is not a known sign.'),
    (json.dumps({"checkins": [{"date": "2026-01-01", "notes": "x" * 2001}]}).encode(),
     "The 1st check-in (dated 2026-01-01), notes: must be at most 2,000 characters."),
    (json.dumps({"checkins": [{"date": "2026-01-01", "overdose": "yes"}]}).encode(),
     "The 1st check-in (dated 2026-01-01), overdose: must be true or false."),
    (json.dumps({"checkins": [{"date": "2026-01-01", "craving": 5.5}]}).encode(),
     "The 1st check-in (dated 2026-01-01), craving: must be a whole number from 0 to 10."),
    (b'{"checkins": [{"date": "2026-01-01", "craving": NaN}]}',
     "The 1st check-in (dated 2026-01-01), craving: must be a whole number from 0 to 10."),
    (json.dumps({"checkins": [{"date": "2026-01-01"}] * 12 + [{"date": "2026-01-02", "use": "yes"}]}).encode(),
     "The 13th check-in (dated 2026-01-02), use: must be none, suspected or confirmed"),
    (json.dumps({"checkins": [{"date": "2026-01-01"}] * 21 + [{"date": "2026-01-02", "use": "yes"}]}).encode(),
     "The 22nd check-in (dated 2026-01-02), use:"),
    # The level of care and the checklist are checked too: a bad one writes nothing either.
    (json.dumps({"level_of_care": "hospital", "checkins": [{"date": "2026-01-01"}]}).encode(),
     "level_of_care: must be one of inpatient, residential, php, iop, outpatient, recovery-support (or null)."),
    (json.dumps({"level_of_care": "iop", "previous_level": ["inpatient"], "checkins": []}).encode(),
     "previous_level: must be one of inpatient"),
    (json.dumps({"level_of_care": "iop", "level_since": "2026-13-01", "checkins": []}).encode(),
     "level_since: must be a date written YYYY-MM-DD."),
    (json.dumps({"level_of_care": "iop", "level_since": "2999-01-01", "checkins": []}).encode(),
     "level_since: cannot be after today"),
    (json.dumps({"checklist": ["coping-practiced"], "checkins": []}).encode(),
     "checklist: must be an object of item ids to true or false."),
    (json.dumps({"checklist": {"coping-practised": True}, "checkins": []}).encode(),
     'checklist: unknown item "coping-practised".'),
    (json.dumps({"checklist": {"coping-practiced": "yes"}, "checkins": []}).encode(),
     "checklist.coping-practiced: must be true or false."),
    (b'{"checkins": [{"date": "2026-01-01", "craving": ' + b"9" * 5000 + b"}]}",
     "The file is not valid JSON (a number is too long)."),
    (b"[" * 100000 + b"]" * 100000, "The file is nested too deeply to be an export."),
    (b'{"checkins": ' + b"[" * 5000 + b"]" * 5000 + b"}", "The file is nested too deeply to be an export."),
])
def test_a_bad_file_changes_nothing_and_names_what_is_wrong(app, auth, client, history, body, message):
    tables = ("checkins", "checkin_audit", "level_history", "checklist_state", "checklist_events")
    before = [count(app, table) for table in tables]
    response = auth.import_file(history, body)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Nothing was imported." in page and message in page, re.findall(r"Nothing was imported.</strong>[^<]*", page)
    assert [count(app, table) for table in tables] == before


def test_a_good_file_with_one_bad_entry_late_writes_nothing(app, auth, client, circle):
    checkins = [{"date": ago(i), "craving": 3} for i in range(1, 30)] + [{"date": ago(1), "stress": -1}]
    response = auth.import_file(circle, json.dumps({"checkins": checkins}))
    assert response.status_code == 400
    assert f"The 30th check-in (dated {ago(1)}), stress:" in response.get_data(as_text=True)
    assert count(app) == 0


def test_import_without_a_file_names_the_field(app, auth, circle):
    response = auth.post(f"/c/{circle}/import", {}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "File: choose the .json file to import." in response.get_data(as_text=True)


def test_a_file_over_2_mb_is_refused_with_413(app, auth, circle):
    body = json.dumps({"checkins": [{"date": ago(1), "notes": "x" * 1900}] * 1200})
    assert len(body) > 2 * 1024 * 1024
    response = auth.import_file(circle, body)
    assert response.status_code == 413 and "Too large" in response.get_data(as_text=True)
    assert count(app) == 0


def test_import_needs_the_csrf_token(app, client, circle):
    response = client.post(f"/c/{circle}/import", data={"file": (io.BytesIO(b'{"checkins": []}'), "x.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 400


def test_the_import_is_one_transaction(app, auth, circle, monkeypatch):
    """A failure on the third check-in leaves none of the first two behind."""
    calls = []
    real = records.insert_checkin

    def failing_insert(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(records, "insert_checkin", failing_insert)
    checkins = [transfer.signals.validate_checkin({"date": ago(i), "craving": i}) for i in range(5)]
    from caregiver.db import get_db
    with app.test_request_context():
        from flask import g
        g.user = {"id": 1}
        with pytest.raises(RuntimeError):
            transfer.store_imported(get_db(), circle, 1, {"checkins": checkins, "level": None,
                                                          "ticked": ["coping-practiced"]})
    assert count(app) == 0 and count(app, "checklist_state") == 0


def test_the_page_explains_what_is_imported(client, circle):
    html = client.get(f"/c/{circle}/import").get_data(as_text=True)
    assert "Its <strong>check-ins</strong> are imported" in html
    assert "When this circle has no level of care yet, the file's level of care is taken too" in html
    assert "show imported check-ins as “Imported”" in html
    assert f'href="/c/{circle}/export.csv"' in html and f'href="/c/{circle}/export.json"' in html
    assert 'enctype="multipart/form-data"' in html


def test_the_export_format_is_documented():
    doc = (ROOT / "docs" / "export.md").read_text()
    for column in CSV_COLUMNS:
        assert f"`{column}`" in doc
    assert "python -m caregiver.signals" in doc


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-20, 20) | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(["2026-01-01", "none", "easy", "missed", "suspected", "severe", "tremor"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["date", "craving", "stress", "use", "access", "withdrawal", "withdrawal_signs",
                         "medication", "overdose", "naloxone_given", "notes", "checkins", "x"]),
        children, max_size=5),
    max_leaves=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(JSON_VALUES, st.fixed_dictionaries({"checkins": st.lists(JSON_VALUES, max_size=4)})))
def test_any_json_file_is_imported_or_refused_never_a_500(app, auth, circle, data):
    before = count(app)
    response = auth.import_file(circle, json.dumps(data), filename="any.json")
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert count(app) == before


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=200))
def test_any_bytes_are_refused_or_imported_never_a_500(app, auth, circle, body):
    response = auth.import_file(circle, body, filename="any.json")
    assert response.status_code in (302, 400)


def test_importing_the_csv_by_mistake_says_which_file_to_choose(app, auth, client, history):
    csv_file = client.get(f"/c/{history}/export.csv").data
    response = auth.import_file(history, csv_file, filename="export.csv")
    assert response.status_code == 400
    assert "This looks like the spreadsheet export (CSV)" in response.get_data(as_text=True)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\u2066"],
                         ids=["NUL", "BEL", "ESC", "DEL", "NEL", "RLO", "LRI"])
def test_an_import_with_a_control_character_in_a_note_is_refused_naming_row_and_field(
        app, auth, client, circle, char):
    """The import checks a note with the form's own rule (one validator, in the engine)."""
    checkins = [{"date": ago(2), "craving": 1}, {"date": ago(1), "notes": f"fine{char}day"}]
    before = count(app, "checkins")
    response = auth.import_file(circle, json.dumps({"checkins": checkins}))
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert f"The 2nd check-in (dated {ago(1)}), notes: must not hold invisible control characters" in page
    assert count(app, "checkins") == before


@pytest.mark.parametrize("value", ["\x00=1+1", "=1+1", "+1-2x", "-x", "@SUM(A1)", "\tx", "\rx", "\nx"])
def test_every_cell_a_spreadsheet_could_run_starts_as_text(value):
    assert csv_cell(value) == "'" + value
