"""The summary for the care team: /c/<id>/summary?days=7|14|30&notes=1, the page a
caregiver prints or shows, and what a share link opens (share.py)."""
from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, g, request

from . import charts, content, records, signals
from .dates import circle_today, day_words, full_date, local_time
from .forms import RESPONSE_ACTIONS, value_words
from .i18n import _
from .records import author_of, checkins_between, row_to_checkin
from .views import circle_member_required, render
from .vocabulary import LEVEL_NAMES, MEDICATION_NAMES, SIGN_WORDS, USE_SIGNS

bp = Blueprint("summary", __name__)

WINDOWS = (7, 14, 30)
DEFAULT_WINDOW = 14


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
def day_table(rows, first, last):
    """One row per day from `first` to `last` (oldest first) with the day's aggregated
    values as the rules read them; days without a check-in have `values` None."""
    aggregated = signals.aggregate_days([row_to_checkin(r) for r in rows])
    notes = {}
    for r in sorted(rows, key=lambda r: r["created_at"]):
        if r["notes"]:
            notes.setdefault(r["date"], []).append({"author": author_of(r) or _("A former member"),
                                                    "text": r["notes"]})
    table = []
    day = first
    while day <= last:
        dv = aggregated.get(day)
        row = {"date": day, "values": None, "notes": notes.get(day.isoformat(), [])}
        if dv is not None:
            flags = [w for w, on in ((_("overdose"), dv.overdose), (_("naloxone given"), dv.naloxone_given)) if on]
            row["values"] = {
                "checkins": dv.checkins,
                "craving": value_words("craving", dv.craving),
                "stress": value_words("stress", dv.stress),
                "withdrawal": value_words("withdrawal", dv.withdrawal),
                "signs": ", ".join(str(SIGN_WORDS.get(s, s)) for s in dv.withdrawal_signs) or "–",
                "access": value_words("access", dv.access),
                "medication": value_words("medication", dv.medication),
                "use": value_words("use", dv.use),
                "overdose": ", ".join(flags) or _("no"),
                "use_flag": dv.use in USE_SIGNS,
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
        if dv.use in USE_SIGNS:
            markers["use"].append(d)
        if dv.medication == "missed":
            markers["missed"].append(d)
        if dv.overdose or dv.naloxone_given:
            markers["overdose"].append(d)
    series = []
    for field, name in (("craving", _("Craving")), ("stress", _("Stress"))):
        points = [(d, getattr(aggregated[d], field) if d in aggregated else None) for d in days]
        series.append(charts.trend_chart(field, name, points, markers))
    return series


def checklist_progress(circle_id):
    """'5 of 8' for each checklist, and the items not ticked yet."""
    ticked = records.ticked_items(circle_id)
    lists = []
    for list_id, checklist in content.CHECKLISTS.items():
        ids = [item["id"] for item in checklist["items"]]
        lists.append({"id": list_id, "title": checklist["title"], "total": len(ids),
                      "done": sum(1 for i in ids if i in ticked),
                      "missing": [signals.CHECKLIST_LABELS.get(i, i) for i in ids if i not in ticked]})
    return lists


def _responses(circle_id, first, last):
    actions = dict(RESPONSE_ACTIONS)
    rows = sorted(records.responses_between(circle_id, first, last), key=lambda r: (r["day"], r["at"]))
    return [{**r, "action_words": actions.get(r["action"], r["action"]),
             "author": r["author"] or _("A former member")} for r in rows]


def build_summary(circle, days, include_notes):
    """Everything the summary shows, for `circle` over its last `days` days."""
    now = local_time(datetime.now(timezone.utc).isoformat(), circle)
    today = circle_today(circle)
    first = today - timedelta(days=days - 1)
    rows = checkins_between(circle["id"], first, today)
    table, aggregated = day_table(rows, first, today)
    if not include_notes:
        for row in table:
            row["notes"] = []
    result = records.circle_signals(circle)
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
        level = {"name": LEVEL_NAMES.get(circle["level_of_care"], circle["level_of_care"]),
                 "since": full_date(since) if since else None,
                 "days": (today - since).days if since and since <= today else None,
                 "previous": LEVEL_NAMES.get(circle["previous_level"] or "")}
    # The way here, within the period: a step down and a step up between lower levels
    # both matter to a clinician, not only the one level before.
    # (The first without its start day, which may lie before the period.)
    timeline = records.timeline_since(records.level_history(circle["id"]), first.isoformat())
    path = [_("%(level)s from %(day)s", level=LEVEL_NAMES.get(e["level"], e["level"]), day=full_date(e["since"]))
            if i else str(LEVEL_NAMES.get(e["level"], e["level"])) for i, e in enumerate(timeline)]
    medication = records.medication_now(circle["id"])
    logged = sum(1 for row in table if row["values"])
    return {
        "nickname": circle["nickname"],
        "days": days,
        "first": first,
        "today": today,
        "range": _("%(first)s to %(last)s", last=full_date(today),
                   first=f"{day_words(first)}{' ' + str(first.year) if first.year != today.year else ''}"),
        "made_at": f"{full_date(now.date())}, {now:%H:%M} ({circle['timezone']})",
        "include_notes": include_notes,
        "level": level,
        "level_path": path if len(path) > 1 else [],
        "medication": medication and {
            "name": MEDICATION_NAMES.get(medication["medication"], medication["medication"]),
            "since": full_date(medication["since"]),
            "stopped": medication["stopped_on"] and full_date(medication["stopped_on"]),
            "next_due": medication["next_due"] and full_date(medication["next_due"])},
        "prompts": prompts,
        "suggested_levels": signals.join_words([str(LEVEL_NAMES[lvl]) for lvl in suggested], _("or")),
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


