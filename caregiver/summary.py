"""The summary for the care team, share links, print, export and import.

- /c/<id>/summary?days=7|14|30&notes=1: the summary a caregiver prints or shows;
- /c/<id>/share: make, list and revoke share links; /share/<token> opens one, read-only,
  without an account. Only the SHA-256 of a token is stored; the link is shown once
  (sealed in the session with a key the database does not hold, see sealing.py);
- /c/<id>/export.csv and /c/<id>/export.json (the rules program's input, see
  docs/export.md); /c/<id>/import reads the check-ins of such a JSON file.
"""
import csv
import hashlib
import io
import json
import re
import secrets
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import (Blueprint, abort, g, make_response, redirect, render_template,
                   request, session, url_for)

from . import audit, charts, content, levels, signals, throttle, views
from .checkins import author_of, checkins_between, insert_checkin, row_to_checkin
from .sealing import seal, unseal
from .sessions import token_hash
from .db import get_db, now_utc, write
from .forms import RESPONSE_ACTIONS, ConfirmForm, ImportForm, ShareLinkForm
from .prompts import circle_signals, ticked_items
from .views import circle_member_required, circle_today, nice_date, one, render

bp = Blueprint("summary", __name__)

views.MORE_LINKS.append({"endpoint": "summary.summary", "label": "Summary for the care team"})
views.MORE_LINKS.append({"endpoint": "summary.share_links", "label": "Share links"})
views.MORE_LINKS.append({"endpoint": "summary.import_checkins", "label": "Export / import"})

WINDOWS = (7, 14, 30)
DEFAULT_WINDOW = 14
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}\Z")  # secrets.token_urlsafe(32)
SHARE_FAILURES_FORGOTTEN = timedelta(hours=24)  # wrong share tokens from one address
MAX_IMPORT_CHECKINS = 20000  # years of daily check-ins by several caregivers
# The columns of export.csv, in order (docs/export.md describes each one).
CSV_COLUMNS = ("date", "caregiver", "craving", "withdrawal", "withdrawal_signs", "access", "stress",
               "medication", "use", "overdose", "naloxone_given", "notes", "created_at")
GONE = {  # what a share link that does not open says: never any data
    "locked": ("Too many tries", ("Too many links that do not work were opened from this address. "
                                  "Please wait a little and try again.")),
    "gone": ("This link is no longer available", ("This share link has expired or the family withdrew "
                                                  "it. Ask them for a new link if you still need the summary.")),
    "unknown": ("This link does not work", ("This share link is not valid. Check that the whole link "
                                            "was copied, or ask the family for a new one.")),
}
#: Withdrawal signs in a few words, so a day of the table fits one or two printed lines.
SIGN_WORDS = {
    "sweating": "sweating", "runny-nose-or-eyes": "runny nose/eyes", "yawning": "yawning",
    "gooseflesh": "goosebumps", "restlessness": "restless", "anxiety-or-irritability": "anxious/irritable",
    "aches": "aches", "stomach-upset": "upset stomach", "tremor": "tremor",
    "trouble-sleeping": "poor sleep", "large-pupils": "large pupils", "chills-or-flushing": "chills/flushes",
}
SHARE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def window(value):
    """The summary's number of days: 7, 14 or 30; anything else is the default 14."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_WINDOW
    return days if days in WINDOWS else DEFAULT_WINDOW


# ---------------------------------------------------------------------------
# The summary: plain data for templates/summary/_summary.html
# ---------------------------------------------------------------------------
def _words(value):
    return "–" if value is None else str(value).replace("-", " ")


def day_table(rows, first, last):
    """One row per day from `first` to `last` (oldest first) with the day's aggregated
    values as the rules read them; days without a check-in have `values` None."""
    aggregated = signals.aggregate_days([row_to_checkin(r) for r in rows])
    notes = {}
    for r in sorted(rows, key=lambda r: r["created_at"]):
        if r["notes"]:
            notes.setdefault(r["date"], []).append({"author": author_of(r) or "A former member",
                                                    "text": r["notes"]})
    table = []
    day = first
    while day <= last:
        dv = aggregated.get(day)
        row = {"date": day, "values": None, "notes": notes.get(day.isoformat(), [])}
        if dv is not None:
            flags = [w for w, on in (("overdose", dv.overdose), ("naloxone given", dv.naloxone_given)) if on]
            row["values"] = {
                "checkins": dv.checkins,
                "craving": _words(dv.craving),
                "stress": _words(dv.stress),
                "withdrawal": _words(dv.withdrawal),
                "signs": ", ".join(SIGN_WORDS.get(s, s) for s in dv.withdrawal_signs) or "–",
                "access": _words(dv.access),
                "medication": _words(dv.medication),
                "use": _words(dv.use),
                "overdose": ", ".join(flags) or "no",
                "use_flag": dv.use in signals.USE_SIGNS,
                "medication_flag": dv.medication == "missed",
                "overdose_flag": bool(flags),
            }
        table.append(row)
        day += timedelta(days=1)
    return table, aggregated


def _charts(first, last, aggregated):
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    markers = {"use": [], "missed": [], "overdose": []}
    for d in days:
        dv = aggregated.get(d)
        if dv is None:
            continue
        if dv.use in signals.USE_SIGNS:
            markers["use"].append(d)
        if dv.medication == "missed":
            markers["missed"].append(d)
        if dv.overdose or dv.naloxone_given:
            markers["overdose"].append(d)
    series = []
    for field, name in (("craving", "Craving"), ("stress", "Stress")):
        points = [(d, getattr(aggregated[d], field) if d in aggregated else None) for d in days]
        series.append(charts.trend_chart(field, name, points, markers))
    return series


def checklist_progress(circle_id):
    """'5 of 8' for each checklist, and the items not ticked yet."""
    ticked = ticked_items(circle_id)
    lists = []
    for list_id, checklist in content.CHECKLISTS.items():
        ids = [item["id"] for item in checklist["items"]]
        lists.append({"id": list_id, "title": checklist["title"], "total": len(ids),
                      "done": sum(1 for i in ids if i in ticked),
                      "missing": [signals.CHECKLIST_LABELS.get(i, i) for i in ids if i not in ticked]})
    return lists


def _responses(circle_id, first, last):
    actions = dict(RESPONSE_ACTIONS)
    rows = get_db().query(
        "SELECT r.rule, r.action, r.note, r.day, r.at, u.display_name AS author FROM prompt_responses r"
        " LEFT JOIN users u ON u.id = r.user_id WHERE r.circle_id = ? AND r.day BETWEEN ? AND ?"
        " ORDER BY r.day, r.at", [circle_id, first.isoformat(), last.isoformat()])
    return [{**r, "action_words": actions.get(r["action"], r["action"]),
             "author": r["author"] or "A former member"} for r in rows]


def _long_date(day):
    return f"{nice_date(day)} {day.year}"


def build_summary(circle, days, include_notes):
    """Everything the summary shows, for `circle` over its last `days` days."""
    tz = ZoneInfo(circle["timezone"])
    now = datetime.now(timezone.utc).astimezone(tz)
    today = circle_today(circle)
    first = today - timedelta(days=days - 1)
    rows = checkins_between(circle["id"], first, today)
    table, aggregated = day_table(rows, first, today)
    if not include_notes:
        for row in table:
            row["notes"] = []
    result = circle_signals(circle)
    responses = _responses(circle["id"], first, today)
    if not include_notes:
        responses = [{**r, "note": None} for r in responses]
    holding = {p["rule"] for p in result["prompts"]}
    # The same levels for every urgent or more-structure prompt (they follow from the
    # level of care): said once, above the prompts.
    suggested = list(dict.fromkeys(lvl for p in result["prompts"] for lvl in p["suggested_levels"]))
    prompts = [{**p, "responses": [r for r in responses if r["rule"] == p["rule"]]}
               for p in result["prompts"]]
    other = [{**r, "title": signals.RULES_BY_ID[r["rule"]].title if r["rule"] in signals.RULES_BY_ID
              else r["rule"]} for r in responses if r["rule"] not in holding]
    level = None
    if circle["level_of_care"]:
        since = date.fromisoformat(circle["level_since"]) if circle["level_since"] else None
        level = {"name": signals.LEVEL_NAMES.get(circle["level_of_care"], circle["level_of_care"]),
                 "since": _long_date(since) if since else None,
                 "days": (today - since).days if since and since <= today else None,
                 "previous": signals.LEVEL_NAMES.get(circle["previous_level"] or "")}
    logged = sum(1 for row in table if row["values"])
    return {
        "nickname": circle["nickname"],
        "days": days,
        "first": first,
        "today": today,
        "range": f"{nice_date(first)}{' ' + str(first.year) if first.year != today.year else ''}"
                 f" to {_long_date(today)}",
        "made_at": f"{_long_date(now.date())}, {now:%H:%M} ({circle['timezone']})",
        "include_notes": include_notes,
        "level": level,
        "prompts": prompts,
        "suggested_levels": signals.join_words([signals.LEVEL_NAMES[lvl] for lvl in suggested], "or"),
        "other_responses": other,
        "step_down": result["step_down"],
        "checklists": checklist_progress(circle["id"]),
        "table": table,
        "logged_days": logged,
        "checkin_count": len(rows),
        "charts": _charts(first, today, aggregated),
    }


@bp.route("/c/<int:circle_id>/summary")
@circle_member_required
def summary(circle_id):
    days = window(request.args.get("days"))
    include_notes = request.args.get("notes") == "1"
    return render("summary/summary.html", s=build_summary(g.circle, days, include_notes),
                  windows=WINDOWS)


# ---------------------------------------------------------------------------
# Share links
# ---------------------------------------------------------------------------
def _local(timestamp, circle):
    return datetime.fromisoformat(timestamp).astimezone(ZoneInfo(circle["timezone"]))


def _link_status(link, now):
    if link["revoked_at"]:
        return "revoked"
    if link["expires_at"] <= now:
        return "expired"
    return "active"


@bp.route("/c/<int:circle_id>/share", methods=["GET", "POST"])
@circle_member_required
def share_links(circle_id):
    form = ShareLinkForm()
    if form.validate_on_submit():
        token = secrets.token_urlsafe(32)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        db = get_db()
        with write(db):
            link_id = db.table("share_links").insert({
                "circle_id": circle_id, "token_hash": token_hash(token), "label": form.label.data,
                "created_by": g.user["id"], "created_at": now.isoformat(),
                "expires_at": (now + timedelta(days=int(form.expires_days.data))).isoformat(),
                "revoked_at": None, "revoked_by": None,
                "include_notes": int(bool(form.include_notes.data)), "days": int(form.days.data),
                "open_count": 0, "last_opened_at": None}).last_pk
            audit.log(db, "share_link.created", g.user["id"], circle_id, link=link_id,
                      days=int(form.days.data), notes=bool(form.include_notes.data),
                      expires_days=int(form.expires_days.data))
        # Shown once on the next page: kept server-side in the session (sealed), never in a URL.
        session["new_share_link"] = {"id": link_id, "sealed": seal(token, "share-link")}
        return redirect(url_for("summary.share_links", circle_id=circle_id))
    new_link = None
    pending = session.pop("new_share_link", None) if request.method == "GET" else None
    if isinstance(pending, dict):
        token = unseal(pending.get("sealed"), "share-link")
        row = one("SELECT label FROM share_links WHERE id = ? AND circle_id = ?",
                  [pending.get("id"), circle_id])
        if token and row:
            new_link = {"url": url_for("summary.shared", token=token, _external=True), "label": row["label"]}
    now = now_utc()
    links = []
    for link in get_db().query(
            "SELECT s.*, u.display_name AS created_by_name, r.display_name AS revoked_by_name"
            " FROM share_links s LEFT JOIN users u ON u.id = s.created_by"
            " LEFT JOIN users r ON r.id = s.revoked_by WHERE s.circle_id = ?"
            " ORDER BY s.created_at DESC, s.id DESC", [circle_id]):
        status = _link_status(link, now)
        links.append({**link, "status": status,
                      "created": _local(link["created_at"], g.circle),
                      "expires": _local(link["expires_at"], g.circle),
                      "revoked": _local(link["revoked_at"], g.circle) if link["revoked_at"] else None,
                      "last_opened": _local(link["last_opened_at"], g.circle) if link["last_opened_at"] else None})
    return render("summary/share_links.html", form=form, links=links, new_link=new_link,
                  confirm=ConfirmForm(), status=400 if form.errors else 200)


@bp.route("/c/<int:circle_id>/share/<int:link_id>/revoke", methods=["POST"])
@circle_member_required
def revoke_link(circle_id, link_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_db()
    with write(db):
        link = one("SELECT id, revoked_at FROM share_links WHERE id = ? AND circle_id = ?", [link_id, circle_id])
        if link is None:
            abort(404)
        if not link["revoked_at"]:
            db.execute("UPDATE share_links SET revoked_at = ?, revoked_by = ? WHERE id = ?",
                       [now_utc(), g.user["id"], link_id])
            audit.log(db, "share_link.revoked", g.user["id"], circle_id, link=link_id)
    return redirect(url_for("summary.share_links", circle_id=circle_id) + f"#link-{link_id}")


def _share_page(template, status, **context):
    if "reason" in context:
        context["heading"], context["message"] = GONE[context.pop("reason")]
    response = make_response(render_template(template, **context), status)
    response.headers.update(SHARE_HEADERS)  # before the app's after_request, which uses setdefault
    return response


def _find_link(token):
    """The share link of `token`, or None. Only well-formed tokens reach the database.
    The lookup is by the token's SHA-256, so its timing tells nothing about the token:
    a guess and a near miss hash to unrelated values."""
    if not TOKEN_RE.match(token):
        return None
    return one("SELECT * FROM share_links WHERE token_hash = ?", [token_hash(token)])


@bp.route("/share/", defaults={"token": ""})
@bp.route("/share/<path:token>")
def shared(token):
    """The summary for someone on the care team: read-only, no account, nothing else.

    The token is looked up first: a link that exists opens (or answers 410) whatever
    the address did before, so a clinic behind one router is not locked out by a few
    mistyped links. Only failures count, and only they are refused while locked."""
    db = get_db()
    link = _find_link(token)
    if link is None:
        key = throttle.address_key("share")  # the sign-in throttle, with this address's own key
        if throttle.wait(db, [key]):
            return _share_page("summary/share_gone.html", 429, reason="locked")
        # A wrong token counts against the address. A valid link never resets the count
        # (one good link must not let someone keep guessing); a day without failures does.
        now = datetime.now(timezone.utc)
        with write(db):
            db.execute("DELETE FROM login_failures WHERE key = ? AND last_failed_at < ?"
                       " AND (locked_until IS NULL OR locked_until < ?)",
                       [key, (now - SHARE_FAILURES_FORGOTTEN).isoformat(), now.isoformat()])
            throttle.fail(db, [key])
        return _share_page("summary/share_gone.html", 404, reason="unknown")
    if _link_status(link, now_utc()) != "active":
        return _share_page("summary/share_gone.html", 410, reason="gone")
    circle = one("SELECT * FROM circles WHERE id = ?", [link["circle_id"]])
    if circle is None:
        return _share_page("summary/share_gone.html", 410, reason="gone")
    if request.method == "GET":  # a HEAD request is not someone reading it
        with write(db):
            db.execute("UPDATE share_links SET open_count = open_count + 1, last_opened_at = ? WHERE id = ?",
                       [now_utc(), link["id"]])
            audit.log(db, "share_link.opened", None, link["circle_id"], link=link["id"])  # by someone without an account
    return _share_page("summary/share.html", 200,
                       s=build_summary(circle, window(link["days"]), bool(link["include_notes"])),
                       expires=_local(link["expires_at"], circle))


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?\Z")


def csv_cell(value):
    """A cell that a spreadsheet shows as text, never runs as a formula: text starting
    with = + - @ (or a tab or carriage return) gets a leading single quote; plain
    numbers are left alone."""
    if value is None:
        return ""
    text = str(value)
    if text and text[0] in "=+-@\t\r" and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _all_checkins(circle_id):
    return list(get_db().query(
        "SELECT c.*, u.display_name AS author FROM checkins c LEFT JOIN users u ON u.id = c.user_id"
        " WHERE c.circle_id = ? ORDER BY c.date, c.created_at, c.id", [circle_id]))


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
    for row in _all_checkins(circle_id):
        c = row_to_checkin(row)
        values = {**c, "caregiver": author_of(row) or "", "created_at": row["created_at"],
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
    ticked = ticked_items(circle["id"])
    return {
        "today": circle_today(circle).isoformat(),
        "level_of_care": circle["level_of_care"],
        "level_since": circle["level_since"],
        "previous_level": circle["previous_level"],
        "checklist": {item: True for item in signals.KNOWN_CHECKLIST_IDS if item in ticked},
        "checkins": [row_to_checkin(r) for r in _all_checkins(circle["id"])],
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
IMPORTED_NOTE = "Imported from a file."
IMPORTED_PREVIOUS_NOTE = "Imported from a file, which does not say when this level started."


class ImportProblem(ValueError):
    """Why a file cannot be imported, naming the entry and field when there is one."""


def _ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def _checkin_problem(i, item, e):
    """'The 3rd check-in (dated 2026-01-04), craving: must be ...' for entry `i` (from 0)."""
    try:
        dated = f" (dated {signals.parse_date(item.get('date')).isoformat()})"
    except (AttributeError, signals.SignalsInputError):  # not an object, or no valid date
        dated = ""
    field = f", {e.field}" if e.field else ""
    return ImportProblem(f"The {_ordinal(i + 1)} check-in{dated}{field}: {e.message}.")


def _level_in_file(obj, today):
    """(level_of_care, level_since, previous_level) of the file, checked, or None when it
    names no level. A since date is a date (None when missing), never after `today`."""
    for field in ("level_of_care", "previous_level"):
        if obj.get(field) is not None and obj[field] not in signals.LEVELS:
            raise ImportProblem(f"{field}: must be one of {', '.join(signals.LEVELS)} (or null).")
    since = obj.get("level_since")
    if since is not None:
        try:
            since = signals.parse_date(since, "level_since")
        except signals.SignalsInputError as e:
            raise ImportProblem(f"{e}.") from None
        if since > today:
            raise ImportProblem(f"level_since: cannot be after today ({today.isoformat()}).")
    if obj.get("level_of_care") is None:
        return None
    return obj["level_of_care"], since, obj.get("previous_level")


def _ticks_in_file(obj):
    checklist = obj.get("checklist")
    if checklist is None:
        return []
    if not isinstance(checklist, dict):
        raise ImportProblem("checklist: must be an object of item ids to true or false.")
    for key, value in checklist.items():
        if key not in signals.KNOWN_CHECKLIST_IDS:
            raise ImportProblem(f"checklist: unknown item {json.dumps(key)[:60]}.")
        if not isinstance(value, bool):
            raise ImportProblem(f"checklist.{key}: must be true or false.")
    return [key for key in signals.KNOWN_CHECKLIST_IDS if checklist.get(key)]


def parse_import(data, today):
    """{"checkins": [...], "level": (level, since, previous) or None, "ticked": [ids]} of an
    export file, or ImportProblem for the first problem. The whole file is checked
    before anything is written; nothing may be dated after `today` (the circle's). The
    file's own "today" key is allowed and not read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblem("The file is not text (UTF-8). Choose the .json file made by Export.") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        if text.lstrip().startswith(",".join(CSV_COLUMNS[:2])):  # our own CSV: the other export
            raise ImportProblem("This looks like the spreadsheet export (CSV). Import takes the data file "
                                "(.json) that Export makes: choose that one.") from None
        raise ImportProblem(f"The file is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno}).") from None
    except RecursionError:
        raise ImportProblem("The file is nested too deeply to be an export.") from None
    except ValueError:  # e.g. a number with more digits than Python converts
        raise ImportProblem("The file is not valid JSON (a number is too long).") from None
    if not isinstance(obj, dict):
        raise ImportProblem('The file must hold a JSON object with a "checkins" list.')
    for key in obj:
        if key not in signals.TOP_LEVEL_KEYS:
            raise ImportProblem(f"Unknown key {json.dumps(key)[:60]}: the file may only hold "
                                + ", ".join(signals.TOP_LEVEL_KEYS) + ".")
    level = _level_in_file(obj, today)
    ticked = _ticks_in_file(obj)
    if "checkins" not in obj:
        raise ImportProblem("checkins: is required (a list of check-ins; it may be empty).")
    raw = obj["checkins"]
    if not isinstance(raw, list):
        raise ImportProblem("checkins: must be a list.")
    if len(raw) > MAX_IMPORT_CHECKINS:
        raise ImportProblem(f"checkins: at most {MAX_IMPORT_CHECKINS:,} check-ins in one file.")
    checkins = []
    for i, item in enumerate(raw):
        try:
            checkins.append(signals.validate_checkin(item, today=today))
        except signals.SignalsInputError as e:
            raise _checkin_problem(i, item, e) from None
    return {"checkins": checkins, "level": level, "ticked": ticked}


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
        insert_checkin(db, circle_id, user_id, checkin, client_id, at=written)
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
    levels.record_start(db, circle_id, user_id, current, since, IMPORTED_NOTE, previous, IMPORTED_PREVIOUS_NOTE)
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
        db.table("checklist_events").insert({"circle_id": circle_id, "item_id": item_id, "ticked": 1,
                                             "user_id": user_id, "client_id": None, "at": now})
        db.table("checklist_state").insert({"circle_id": circle_id, "item_id": item_id, "ticked": 1,
                                            "changed_by": user_id, "changed_at": now})
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
    words = signals.LEVEL_NAMES[current] + (f" since {_long_date(since)}" if since else "")
    return words + (f", before that {signals.LEVEL_NAMES[previous]}" if previous and previous != current else "")


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
            return redirect(url_for("summary.import_checkins", circle_id=circle_id))
    result = session.pop("import_result", None) if request.method == "GET" else None
    return render("summary/import.html", form=form, problem=problem, result=result,
                  status=400 if (problem or form.errors) else 200)
