"""Export and import of a circle's check-ins.

/c/<id>/export.csv is for spreadsheets; /c/<id>/export.json is the rules program's
input (docs/export.md); /c/<id>/import reads such a JSON file, checked by the rules
engine's own parser, and stores it in one transaction.
"""
import csv
import hashlib
import io
import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone

from flask import Blueprint, g, make_response, redirect, request, session, url_for

from . import records, signals
from .dates import circle_today, full_date
from .db import get_db, now_utc, one, write
from .forms import ImportForm
from .i18n import _, current_language
from .records import author_of, row_to_checkin
from .views import circle_member_required, render
from .vocabulary import CSV_COLUMNS, LEVEL_NAMES

bp = Blueprint("transfer", __name__)

MAX_IMPORT_CHECKINS = 20000  # years of daily check-ins by several caregivers


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?\Z")


def csv_cell(value):
    """A cell that a spreadsheet shows as text, never runs as a formula: text starting
    with = + - @ (or a tab, a line break or NUL) gets a leading single quote; plain
    numbers are left alone."""
    if value is None:
        return ""
    text = str(value)
    if text and text[0] in "=+-@\t\r\n\x00" and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _download(body, mimetype, filename):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"  # health data
    return response


@bp.route("/c/<int:circle_id>/export.csv")
@circle_member_required
def export_csv(circle_id):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in records.all_checkins(circle_id):
        c = row_to_checkin(row)
        # The file's words stay English (docs/export.md): "Imported", never translated.
        values = {**c, "caregiver": author_of(row, in_file=True) or "", "created_at": row["created_at"],
                  "withdrawal_signs": ";".join(c["withdrawal_signs"]),
                  "overdose": "yes" if c["overdose"] else "no",
                  "naloxone_given": "yes" if c["naloxone_given"] else "no"}
        writer.writerow([csv_cell(values[col]) for col in CSV_COLUMNS])
    # A byte order mark, so spreadsheet programs read the file as UTF-8.
    body = "\ufeff" + out.getvalue()
    return _download(body.encode("utf-8"), "text/csv",
                     f"caregiver-checkins-{circle_today(g.circle).isoformat()}.csv")


def export_data(circle):
    """The rules program's input for `circle` today, with every check-in it has."""
    ticked = records.ticked_items(circle["id"])
    today = circle_today(circle)
    left, stopped = records.risk_dates(circle, today)
    # A time zone change can put a recorded day after the circle's today: the file stays
    # valid input for the rules program (which refuses later days) by leaving them out.
    since = circle["level_since"] and min(circle["level_since"], today.isoformat())
    return {
        "today": today.isoformat(),
        "level_of_care": circle["level_of_care"],
        "level_since": since,
        "previous_level": circle["previous_level"],
        "left_24_7_on": left,
        "medication_stopped_on": stopped,
        "checklist": {item: True for item in signals.KNOWN_CHECKLIST_IDS if item in ticked},
        "checkins": [row_to_checkin(r) for r in records.all_checkins(circle["id"]) if r["date"] <= today.isoformat()],
    }


@bp.route("/c/<int:circle_id>/export.json")
@circle_member_required
def export_json(circle_id):
    body = json.dumps(export_data(g.circle), indent=2, ensure_ascii=False) + "\n"
    return _download(body.encode("utf-8"), "application/json",
                     f"caregiver-checkins-{circle_today(g.circle).isoformat()}.json")


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------
# Stored in the level history (data, like a caregiver's note): in English, as written.
IMPORTED_NOTE = "Imported from a file."
IMPORTED_PREVIOUS_NOTE = "Imported from a file, which does not say when this level started."


class ImportProblem(ValueError):
    """Why a file cannot be imported, naming the entry and field when there is one."""


def _ordinal(n):
    """"3rd" in English; the number alone in another language, whose sentence says the rest."""
    if current_language() != "en":
        return f"{n:,}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def _problem(e, raw):
    """The engine's SignalsInputError in the words of the import page."""
    if e.kind == "unknown-key":
        return ImportProblem(_("Unknown key %(key)s: the file may only hold %(keys)s.",
                               key=json.dumps(e.value)[:60], keys=", ".join(signals.TOP_LEVEL_KEYS)))
    if e.entry is None:
        return ImportProblem(f"{e}.")
    # 'The 3rd check-in (dated 2026-01-04), craving: must be ...': the field as the file
    # names it (its JSON key), the engine's message after it.
    item = raw[e.entry]
    try:
        day = signals.parse_date(item.get("date")).isoformat()
    except (AttributeError, signals.SignalsInputError):  # not an object, or no valid date
        day = None
    words = {"ordinal": _ordinal(e.entry + 1), "day": day, "field": e.entry_field, "message": e.message}
    if day and e.entry_field:
        return ImportProblem(_("The %(ordinal)s check-in (dated %(day)s), %(field)s: %(message)s.", **words))
    if day:
        return ImportProblem(_("The %(ordinal)s check-in (dated %(day)s): %(message)s.", **words))
    if e.entry_field:
        return ImportProblem(_("The %(ordinal)s check-in, %(field)s: %(message)s.", **words))
    return ImportProblem(_("The %(ordinal)s check-in: %(message)s.", **words))


def parse_import(data, today):
    """{"checkins": [...], "level": (level, since, previous) or None, "ticked": [ids]} of an
    export file, or ImportProblem for the first problem. The whole file is checked, by
    the rules engine's own parser, before anything is written; nothing may be dated
    after `today` (the circle's). The file's own "today" key is allowed and not read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblem(_("The file is not text (UTF-8). Choose the .json file made by Export.")) from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        if text.lstrip().startswith(",".join(CSV_COLUMNS[:2])):  # our own CSV: the other export
            raise ImportProblem(_("This looks like the spreadsheet export (CSV). Import takes the data file "
                                  "(.json) that Export makes: choose that one.")) from None
        # e.msg is Python's own (English) description of the JSON error: a detail for whoever fixes the file.
        raise ImportProblem(_("The file is not valid JSON (%(error)s at line %(line)s, column %(column)s).",
                              error=e.msg, line=e.lineno, column=e.colno)) from None
    except RecursionError:
        raise ImportProblem(_("The file is nested too deeply to be an export.")) from None
    except ValueError:  # e.g. a number with more digits than Python converts
        raise ImportProblem(_("The file is not valid JSON (a number is too long).")) from None
    if not isinstance(obj, dict):
        raise ImportProblem(_('The file must hold a JSON object with a "checkins" list.'))
    if isinstance(obj.get("checkins"), list) and len(obj["checkins"]) > MAX_IMPORT_CHECKINS:
        raise ImportProblem(_("checkins: at most %(max)s check-ins in one file.", max=f"{MAX_IMPORT_CHECKINS:,}"))
    try:
        parsed = signals.parse_input({**obj, "today": today.isoformat()})
    except signals.SignalsInputError as e:
        raise _problem(e, obj.get("checkins")) from None
    level = None
    if parsed["level_of_care"] is not None:
        level = parsed["level_of_care"], parsed["level_since"], parsed["previous_level"]
    ticked = [item for item in signals.KNOWN_CHECKLIST_IDS if item in parsed["checklist"]]
    return {"checkins": parsed["checkins"], "level": level, "ticked": ticked}


def _canonical(checkin):
    return json.dumps(checkin, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def import_client_id(canonical, occurrence):
    """A client_id made from the check-in itself (and which copy of it in the file), so
    the same file imported twice is stored once. Fits [A-Za-z0-9-]{8,64}."""
    digest = hashlib.sha256(f"{canonical}#{occurrence}".encode()).hexdigest()
    return "import-" + digest[:57]


def _store_checkins(db, circle_id, user_id, checkins):
    """Returns (imported, already there). A check-in is already there when the circle
    holds as many check-ins with exactly the same values as this file has up to it (so
    an export imported back into its own circle changes nothing), or when its client_id
    was imported before. Stored rows get increasing created_at (a microsecond apart), so
    that check-ins of one day keep the file's order."""
    imported = already = 0
    existing = Counter()
    if checkins:
        dates = [c["date"] for c in checkins]
        for row in db.query("SELECT * FROM checkins WHERE circle_id = ? AND date BETWEEN ? AND ?",
                            [circle_id, min(dates), max(dates)]):
            existing[_canonical(row_to_checkin(row))] += 1
    # The client ids imported before, read once (a range of the (circle_id, client_id) index).
    imported_before = {r[0] for r in db.execute(
        "SELECT client_id FROM checkins WHERE circle_id = ? AND client_id >= 'import-' AND client_id < 'import.'",
        [circle_id])}
    seen = Counter()
    start = datetime.now(timezone.utc).replace(microsecond=0)
    for checkin in checkins:
        canonical = _canonical(checkin)
        seen[canonical] += 1
        client_id = import_client_id(canonical, seen[canonical])
        if seen[canonical] <= existing[canonical] or client_id in imported_before:
            already += 1
            continue
        written = (start + timedelta(microseconds=imported)).isoformat()
        records.insert_checkin(db, circle_id, user_id, checkin, client_id, at=written)
        imported_before.add(client_id)
        imported += 1
    return imported, already


def _store_level(db, circle_id, user_id, level):
    """The file's level of care, recorded in the level history when the circle has none
    yet. Returns "applied", "same", "kept" (the circle has its own) or "undated"."""
    current, since, previous = level
    circle = one("SELECT level_of_care, level_since, previous_level FROM circles WHERE id = ?", [circle_id])
    if (circle["level_of_care"], circle["level_since"], circle["previous_level"]) == \
            (current, since and since.isoformat(), previous):
        return "same"
    if one("SELECT 1 FROM level_history WHERE circle_id = ? LIMIT 1", [circle_id]):
        return "kept"
    if since is None:
        return "undated"  # level_history needs a start date
    # The file names the level before, not when it started: the day before, said so.
    records.record_start(db, circle_id, user_id, current, since, IMPORTED_NOTE, previous, IMPORTED_PREVIOUS_NOTE)
    return "applied"


def _store_ticks(db, circle_id, user_id, ticked):
    """Tick the file's ticked items that nobody in this circle has ticked or unticked.
    Returns (ticked now, left as they are)."""
    done = kept = 0
    now = now_utc()
    for item_id in ticked:
        if one("SELECT 1 FROM checklist_state WHERE circle_id = ? AND item_id = ?", [circle_id, item_id]):
            kept += 1
            continue
        records.record_tick(db, circle_id, user_id, item_id, True, at=now)
        done += 1
    return done, kept


def store_imported(db, circle_id, user_id, parsed):
    """Store a parsed file (parse_import) in ONE write transaction. Returns what was done:
    {"imported", "already", "level" (None or a _store_level result), "ticked", "ticks_kept"}."""
    with write(db):
        imported, already = _store_checkins(db, circle_id, user_id, parsed["checkins"])
        level = _store_level(db, circle_id, user_id, parsed["level"]) if parsed["level"] else None
        ticked, ticks_kept = _store_ticks(db, circle_id, user_id, parsed["ticked"])
    return {"imported": imported, "already": already, "level": level,
            "ticked": ticked, "ticks_kept": ticks_kept}


def _level_words(level):
    """'Outpatient since Mon 2 Nov 2026, before that Inpatient'."""
    current, since, previous = level
    words = {"level": LEVEL_NAMES[current], "day": since and full_date(since),
             "previous": LEVEL_NAMES.get(previous)}
    if not (previous and previous != current):
        return _("%(level)s since %(day)s", **words) if since else str(words["level"])
    if since:
        return _("%(level)s since %(day)s, before that %(previous)s", **words)
    return _("%(level)s, before that %(previous)s", **words)


@bp.route("/c/<int:circle_id>/import", methods=["GET", "POST"])
@circle_member_required
def import_checkins(circle_id):
    form = ImportForm()
    problem = None
    if form.validate_on_submit():
        try:
            parsed = parse_import(form.file.data.read(), circle_today(g.circle))
        except ImportProblem as e:
            problem = str(e)
        else:
            result = store_imported(get_db(), circle_id, g.user["id"], parsed)
            result["level_words"] = _level_words(parsed["level"]) if parsed["level"] else None
            session["import_result"] = result
            return redirect(url_for("transfer.import_checkins", circle_id=circle_id))
    result = session.pop("import_result", None) if request.method == "GET" else None
    return render("transfer/import.html", form=form, problem=problem, result=result,
                  status=400 if (problem or form.errors) else 200)
