"""Choosing the language: kept per caregiver (the account), or per phone when signed out."""
from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for

from .account_forms import LanguageForm
from .auth import safe_next
from .db import get_db, write
from .i18n import COOKIE, _, choose_language, languages, set_language
from .views import login_required, render

bp = Blueprint("language", __name__)
YEAR = 365 * 24 * 60 * 60


@bp.route("/language/<code>")
def switch(code):
    """The switch on signed-out pages (sign-in, the emergency page...): remembered on this
    phone in a cookie, no account touched. A signed-in caregiver chooses on /account/language."""
    if code not in languages():
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(COOKIE, code, max_age=YEAR, path="/", httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/account/language", methods=["GET", "POST"])
@login_required
def choose():
    offered = languages()
    form = LanguageForm(offered=offered.items(), data={"language": g.user["language"] or ""})
    if request.method == "POST":
        form = LanguageForm(offered=offered.items())
        if form.validate():
            chosen = form.language.data or None
            db = get_db()
            with write(db):
                db.execute("UPDATE users SET language = ? WHERE id = ?", [chosen, g.user["id"]])
            g.user = dict(g.user, language=chosen)
            set_language(choose_language())  # the notice reads in the new language
            flash(_("Language saved."))
            return redirect(url_for("account.index"))
    return render("account/language.html", form=form, status=200 if request.method == "GET" else 422)
