"""Export (CSV for spreadsheets, JSON for the rules program) and import of check-ins."""
import csv
import html
import io
import json
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caregiver import summary
from caregiver.checkins import FIELDS
from caregiver.summary import CSV_COLUMNS, csv_cell

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
    assert list(data) == ["today", "level_of_care", "level_since", "previous_level", "checklist", "checkins"]
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


def test_export_then_import_into_a_new_circle_gives_the_same_day_table(app, auth, client, history):
    body = export_json(client, history).get_data()
    other = auth.create_circle(nickname="Sam again", tz=TZ)
    response = auth.import_file(other, body)
    assert response.status_code == 302
    assert imported_message(client.get(f"/c/{other}/import").get_data(as_text=True)) == \
        "7 check-ins imported, 0 already there."
    assert count(app, where="circle_id = ?", params=[other]) == 7
    assert day_table(client, other) == day_table(client, history)
    # Check-ins are moved as history: older than the form's 14 days is fine.
    assert count(app, where="circle_id = ? AND date = ?", params=[other, ago(27)]) == 1


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
    assert user_id == 1
    assert count(app, "checkin_audit", "action = 'create'") == 1
    # Only check-ins are imported: the level of care is unchanged.
    assert conn.execute("SELECT level_of_care FROM circles").fetchone()[0] == "outpatient"


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
     "checkins[3].craving: must be a whole number from 0 to 10."),
    (json.dumps({"checkins": [{"date": "2026-01-01"}, {"date": "2999-01-01"}]}).encode(),
     "checkins[1].date: cannot be after today"),
    (json.dumps({"checkins": [{"date": "2026-01-01", "mood": "ok"}]}).encode(),
     'checkins[0]: unknown field "mood".'),
    (json.dumps({"checkins": [{"craving": 1}]}).encode(), "checkins[0].date: is required"),
    (json.dumps({"checkins": [{"date": "2026-02-30"}]}).encode(), "checkins[0].date: must be a date"),
    (json.dumps({"checkins": ["2026-01-01"]}).encode(), "checkins[0]: a check-in must be an object."),
    (json.dumps({"checkins": [{"date": "2026-01-01", "withdrawal_signs": ["itching"]}]}).encode(),
     'checkins[0].withdrawal_signs: "itching" is not a known sign.'),
    (json.dumps({"checkins": [{"date": "2026-01-01", "notes": "x" * 2001}]}).encode(),
     "checkins[0].notes: must be at most 2,000 characters."),
    (json.dumps({"checkins": [{"date": "2026-01-01", "overdose": "yes"}]}).encode(),
     "checkins[0].overdose: must be true or false."),
    (json.dumps({"checkins": [{"date": "2026-01-01", "craving": 5.5}]}).encode(),
     "checkins[0].craving: must be a whole number from 0 to 10."),
    (b'{"checkins": [{"date": "2026-01-01", "craving": NaN}]}',
     "checkins[0].craving: must be a whole number from 0 to 10."),
    (b'{"checkins": [{"date": "2026-01-01", "craving": ' + b"9" * 5000 + b"}]}",
     "The file is not valid JSON (a number is too long)."),
    (b"[" * 100000 + b"]" * 100000, "The file is nested too deeply to be an export."),
    (b'{"checkins": ' + b"[" * 5000 + b"]" * 5000 + b"}", "The file is nested too deeply to be an export."),
])
def test_a_bad_file_changes_nothing_and_names_what_is_wrong(app, auth, client, history, body, message):
    before = (count(app), count(app, "checkin_audit"))
    response = auth.import_file(history, body)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Nothing was imported." in page and message in page, re.findall(r"Nothing was imported.</strong>[^<]*", page)
    assert (count(app), count(app, "checkin_audit")) == before


def test_a_good_file_with_one_bad_entry_late_writes_nothing(app, auth, client, circle):
    checkins = [{"date": ago(i), "craving": 3} for i in range(1, 30)] + [{"date": ago(1), "stress": -1}]
    response = auth.import_file(circle, json.dumps({"checkins": checkins}))
    assert response.status_code == 400 and "checkins[29].stress" in response.get_data(as_text=True)
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

    def failing_audit(*args):
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("disk full")

    monkeypatch.setattr(summary, "_audit", failing_audit)
    checkins = [summary.signals.validate_checkin({"date": ago(i), "craving": i}) for i in range(5)]
    from caregiver.db import get_db
    with app.test_request_context():
        from flask import g
        g.user = {"id": 1}
        with pytest.raises(RuntimeError):
            summary.store_imported(get_db(), circle, 1, checkins)
    assert count(app) == 0


def test_the_page_explains_what_is_imported(client, circle):
    html = client.get(f"/c/{circle}/import").get_data(as_text=True)
    assert "Only its <strong>check-ins</strong> are imported" in html
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
