"""What the family did about a prompt: saved from the circle home, seen by the whole circle."""
from flask import Blueprint, flash, g, redirect, url_for

from . import records, signals
from .circles import render_home
from .dates import circle_today
from .db import get_db
from .forms import PromptResponseForm
from .i18n import _
from .views import circle_member_required

bp = Blueprint("prompts", __name__)


@bp.route("/c/<int:circle_id>/prompt-responses", methods=["POST"])
@circle_member_required
def respond(circle_id):
    form = PromptResponseForm()
    if form.validate_on_submit():
        records.save_response(get_db(), circle_id, g.user["id"], form.rule.data, form.action.data,
                              form.note.data, circle_today(g.circle))
        title = signals.RULES_BY_ID[form.rule.data].title
        flash(_("Saved what you did about “%(title)s”. The whole circle sees it.", title=title))
        return redirect(url_for("circles.home", circle_id=circle_id) + f"#prompt-{form.rule.data}")
    return render_home(g.circle, status=422, response_form=form, response_rule=form.rule.data)
