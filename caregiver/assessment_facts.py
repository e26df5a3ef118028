"""What the circle's check-ins and level history say about each assessment question,
with the days: plain data in, plain data out (assessment.py puts it in words).

The app never answers a question: it only shows, beside it, the days it knows of.
"""
from datetime import timedelta

from .vocabulary import LOWER_STRUCTURE, USE_SIGNS

HIGH = 7  # a craving or stress of 7 or more counts as high, as in the rules (signals.THRESHOLDS)
RECENT_DAYS = 7  # "now" for the medically-stable question: the last week


def level_on(timeline, day):
    """The level in effect on `day` from level entries (oldest first, one per day), or None."""
    level = None
    for entry in timeline:
        if entry["since"] <= day.isoformat():
            level = entry["level"]
    return level


def use_episodes(days, aggregated):
    """Runs of use days: a day with use "none" between two use days separates them
    (days without a value do not), as the repeated-relapse rule counts them."""
    episodes, current = [], None
    for day in sorted(aggregated):
        use = aggregated[day].use
        if use in USE_SIGNS:
            if current is None:
                current = []
                episodes.append(current)
            current.append(day)
        elif use == "none":
            current = None
    return [e for e in episodes if any(d in days for d in e)]


def facts(aggregated, timeline, today):
    """{fact kind: {"days": [date, ...], ...}} for the kinds with at least one day.

    `aggregated` is signals.aggregate_days of the window's check-ins, `timeline` the
    level entries in effect over the window (records.timeline_since)."""
    days = sorted(aggregated)
    use = [d for d in days if aggregated[d].use in USE_SIGNS]
    lower = [d for d in use if level_on(timeline, d) in LOWER_STRUCTURE]
    overdose = [d for d in days if aggregated[d].overdose]
    naloxone = [d for d in days if aggregated[d].naloxone_given]
    first_overdose = min(overdose + naloxone, default=None)
    recent = today - timedelta(days=RECENT_DAYS - 1)
    found = {
        "use": {"days": use, "logged": len(days)},
        "use_lower": {"days": lower, "levels": sorted({level_on(timeline, d) for d in lower})},
        "use_after_overdose": {"days": [d for d in use if first_overdose and d > first_overdose]},
        "overdose": {"days": overdose},
        "naloxone": {"days": naloxone},
        "withdrawal_severe": {"days": [d for d in days if aggregated[d].withdrawal == "severe"]},
        "withdrawal_moderate": {"days": [d for d in days if aggregated[d].withdrawal == "moderate"]},
        "withdrawal_recent": {"days": [d for d in days if d >= recent
                                       and aggregated[d].withdrawal in ("moderate", "severe")]},
        "access_easy": {"days": [d for d in days if aggregated[d].access == "easy"]},
        "access_possible": {"days": [d for d in days if aggregated[d].access == "possible"]},
        "missed_medication": {"days": [d for d in days if aggregated[d].medication == "missed"]},
        "stress": {"days": [d for d in days if (aggregated[d].stress or 0) >= HIGH]},
        "cravings": {"days": [d for d in days if (aggregated[d].craving or 0) >= HIGH]},
        "episodes_lower": {"days": lower, "count": len(use_episodes(set(lower), aggregated))},
    }
    return {kind: fact for kind, fact in found.items() if fact["days"]}


# Which facts stand beside which question (assessment_content.QUESTIONS).
BESIDE = {
    "relapse": ("use_lower",),
    "withdrawal": ("withdrawal_severe", "withdrawal_moderate"),
    "daily_use": ("use",),
    "overdose": ("overdose", "naloxone"),
    "cannot_stop": ("use_after_overdose",),
    "easy_access": ("access_easy",),
    "stable": ("withdrawal_recent",),
    "medication": ("missed_medication",),
    "safe_home": ("access_easy", "access_possible"),
    "no_relapses": ("episodes_lower",),
    "accountability": (),
}
