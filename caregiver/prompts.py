"""Evaluating a circle with the rules engine, and what the family did about prompts."""
from datetime import timedelta

from flask import Blueprint, flash, g, redirect, url_for

from . import signals
from .db import get_db, now_utc, write
from .forms import PromptResponseForm
from .views import circle_member_required, circle_today, render

bp = Blueprint("prompts", __name__)

LOOKBACK_DAYS = 30  # the longest window of any rule; older check-ins are never read


def ticked_items(circle_id):
    return {row["item_id"] for row in get_db().query(
        "SELECT item_id FROM checklist_state WHERE circle_id = ? AND ticked = 1", [circle_id])}


def circle_signals(circle):
    """The rules engine's output for a circle today, from the last 30 days only."""
    from .checkins import checkins_between, row_to_checkin
    today = circle_today(circle)
    rows = checkins_between(circle["id"], today - timedelta(days=LOOKBACK_DAYS - 1), today)
    return signals.evaluate(
        today, [row_to_checkin(r) for r in rows],
        level_of_care=circle["level_of_care"], level_since=circle["level_since"],
        previous_level=circle["previous_level"],
        checklist={item: True for item in ticked_items(circle["id"])},
    )


def recent_responses(circle_id, days=30):
    since = (circle_today(g.circle) - timedelta(days=days)).isoformat()
    return list(get_db().query(
        "SELECT r.*, u.display_name AS author FROM prompt_responses r LEFT JOIN users u ON u.id = r.user_id"
        " WHERE r.circle_id = ? AND r.day >= ? ORDER BY r.at DESC", [circle_id, since]))


@bp.route("/c/<int:circle_id>/prompt-responses", methods=["POST"])
@circle_member_required
def respond(circle_id):
    form = PromptResponseForm()
    if form.validate_on_submit():
        db = get_db()
        with write(db):
            db.table("prompt_responses").insert({
                "circle_id": circle_id, "rule": form.rule.data, "action": form.action.data,
                "note": form.note.data or None, "user_id": g.user["id"], "at": now_utc(),
                "day": circle_today(g.circle).isoformat()})
        title = signals.RULES_BY_ID[form.rule.data].title
        flash(f"Saved what you did about “{title}”. The whole circle sees it.")
        return redirect(url_for("circles.home", circle_id=circle_id) + f"#prompt-{form.rule.data}")
    return render_home(g.circle, status=422, response_form=form, response_rule=form.rule.data)


def render_home(circle, status=200, **extra):
    from .circles import care_team
    from .forms import RESPONSE_ACTIONS
    result = circle_signals(circle)
    today = circle_today(circle)
    logged_today = get_db().execute(
        "SELECT count(*) FROM checkins WHERE circle_id = ? AND date = ?",
        [circle["id"], today.isoformat()]).fetchone()[0]
    # A circle with no check-in at all is new, not neglected: "no check-ins for 3 days"
    # would list days before it existed.
    first_time = not logged_today and get_db().execute(
        "SELECT 1 FROM checkins WHERE circle_id = ? LIMIT 1", [circle["id"]]).fetchone() is None
    return render("circles/home.html", status=status, result=result, prompts=result["prompts"],
                  step_down=result["step_down"], today=today, logged_today=logged_today,
                  responses=recent_responses(circle["id"]), actions=dict(RESPONSE_ACTIONS),
                  response_form=extra.get("response_form") or PromptResponseForm(),
                  response_rule=extra.get("response_rule"),
                  care_team_numbers=care_team(circle["id"]), first_time=first_time)  # in the urgent card, beside the emergency number
