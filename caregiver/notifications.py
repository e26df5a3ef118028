"""Blueprint: notifications on this phone (account), a member's choices per circle,
and whether a check-in's urgent alert reached the other phones."""
from flask import Blueprint, abort, current_app, flash, g, redirect, request, session, url_for

from . import alerts, push
from .db import get_db, now_utc, one, write
from .forms import ConfirmForm
from .i18n import _, current_language
from .notify_forms import ChoicesForm, SubscribeForm
from .sessions import token_hash
from .views import circle_member_required, login_required, render

bp = Blueprint("notifications", __name__)

MAX_PHONES = 10  # per account: more is a script, not a family


def browser_name(agent):
    """'Chrome on Android': enough to tell one's phones apart, no version or model."""
    agent = agent or ""
    browser = next((name for key, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("SamsungBrowser", "Samsung"),
                                           ("Chrome/", "Chrome"), ("Safari/", "Safari")) if key in agent), None)
    system = next((name for key, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
                                          ("Windows", "Windows"), ("Mac OS", "Mac"), ("Linux", "Linux"))
                   if key in agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("A browser")


def _this_session():
    return token_hash(session.sid) if getattr(session, "sid", None) else None


def _phones():
    return list(get_db().query(
        "SELECT id, browser, created_at, last_delivered_at, session_hash FROM push_subscriptions"
        " WHERE user_id = ? ORDER BY created_at, id", [g.user["id"]]))


def on_this_phone():
    """Whether this session has turned notifications on (the home page's invitation asks)."""
    mine = _this_session()
    return bool(mine and one("SELECT 1 FROM push_subscriptions WHERE session_hash = ?", [mine]))


def _page(form=None, status=200):
    mine = _this_session()
    return render("notifications/index.html", form=form or SubscribeForm(), confirm_form=ConfirmForm(),
                  phones=_phones(), this_session=mine,
                  public_key=push.public_key(current_app.config["VAPID_PRIVATE_KEY"]),
                  circles=list(get_db().query(
                      "SELECT c.id, c.nickname FROM circles c JOIN memberships m ON m.circle_id = c.id"
                      " WHERE m.user_id = ? ORDER BY c.nickname COLLATE NOCASE", [g.user["id"]])),
                  status=status)


@bp.route("/account/notifications")
@login_required
def index():
    return _page()


@bp.route("/account/notifications/subscribe", methods=["POST"])
@login_required
def subscribe():
    form = SubscribeForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        push.vet_endpoint(form.endpoint.data, current_app.config["PUSH_HOSTS"].split(),
                          bool(current_app.config.get("PUSH_ALLOW_LOCAL_FOR_TESTS")))
    except (push.Refused, push.NotResolved):  # (why, in English, is for logs, not this page)
        form.endpoint.errors.append(_("Push address: this server sends alerts only to the browsers' push "
                                      "services, and this address is not one of them."))
        return _page(form, 400)
    mine = _this_session()
    db = get_db()
    with write(db):
        if one("SELECT count(*) AS n FROM push_subscriptions WHERE user_id = ?", [g.user["id"]])["n"] >= MAX_PHONES \
                and not one("SELECT 1 FROM push_subscriptions WHERE endpoint = ?", [form.endpoint.data]):
            form.endpoint.errors.append(_("Push address: %(n)s phones already get alerts. Turn one off first.",
                                          n=MAX_PHONES))
            return _page(form, 400)
        # One endpoint is one phone: subscribing again (or as someone else) replaces it.
        db.execute("DELETE FROM push_subscriptions WHERE endpoint = ?", [form.endpoint.data])
        db.execute("INSERT INTO push_subscriptions (user_id, session_hash, endpoint, p256dh, auth, browser, created_at,"
                   " language) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [g.user["id"], mine, form.endpoint.data, form.p256dh.data.rstrip("="), form.auth.data.rstrip("="),
                    browser_name(request.headers.get("User-Agent")), now_utc(),
                    current_language()])  # its notifications' language: the page's now
    flash(_("Notifications are on for this phone."))
    return redirect(url_for("notifications.index"))


def _my_phone(subscription_id):
    phone = one("SELECT * FROM push_subscriptions WHERE id = ? AND user_id = ?", [subscription_id, g.user["id"]])
    if phone is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return phone


@bp.route("/account/notifications/<int:subscription_id>/off", methods=["POST"])
@login_required
def turn_off(subscription_id):
    phone = _my_phone(subscription_id)
    db = get_db()
    with write(db):
        db.execute("DELETE FROM push_subscriptions WHERE id = ?", [phone["id"]])
    flash(_("Notifications are off for %(browser)s.", browser=phone["browser"]))
    return redirect(url_for("notifications.index"))


@bp.route("/account/notifications/<int:subscription_id>/test", methods=["POST"])
@login_required
def send_test(subscription_id):
    phone = _my_phone(subscription_id)
    db = get_db()
    with write(db):
        alerts.queue_test(db, phone)
    flash(_("A test notification is on its way to %(browser)s. It should arrive within a minute.",
            browser=phone["browser"]))
    return redirect(url_for("notifications.index"))


@bp.route("/c/<int:circle_id>/alerts", methods=["GET", "POST"])
@circle_member_required
def choices(circle_id):
    db = get_db()
    if request.method == "POST":
        form = ChoicesForm()
        if form.validate_on_submit():
            values = {"urgent": int(form.urgent.data), "structure": int(form.structure.data),
                      "missing": int(form.missing.data), "reminder_at": form.reminder_at.data or None,
                      "reminder_unless": form.reminder_unless.data,
                      "quiet_from": form.quiet_from.data or None, "quiet_until": form.quiet_until.data or None}
            with write(db):
                db.execute(
                    "INSERT INTO alert_choices (circle_id, user_id, urgent, structure, missing, reminder_at,"
                    " reminder_unless, quiet_from, quiet_until) VALUES (:c, :u, :urgent, :structure, :missing,"
                    " :reminder_at, :reminder_unless, :quiet_from, :quiet_until) ON CONFLICT (circle_id, user_id)"
                    " DO UPDATE SET urgent = :urgent, structure = :structure, missing = :missing,"
                    " reminder_at = :reminder_at, reminder_unless = :reminder_unless, quiet_from = :quiet_from,"
                    " quiet_until = :quiet_until", {"c": circle_id, "u": g.user["id"], **values})
            flash(_("Saved your alert choices for %(circle)s.", circle=g.circle["nickname"]))
            return redirect(url_for("notifications.choices", circle_id=circle_id))
    else:
        form = ChoicesForm(data=alerts.choices(db, circle_id, g.user["id"]))
    return render("notifications/choices.html", form=form, phones=len(_phones()),
                  status=400 if form.errors else 200)


@bp.route("/c/<int:circle_id>/checkins/<int:checkin_id>/alerts")
@circle_member_required
def delivery(circle_id, checkin_id):
    if not one("SELECT 1 FROM checkins WHERE id = ? AND circle_id = ?", [checkin_id, circle_id]):
        abort(404)
    alerted, delivered, failed = alerts.delivery(get_db(), checkin_id)
    return render("notifications/delivery.html", partial="notifications/_delivery.html",
                  checkin_id=checkin_id, alerted=alerted, delivered=delivered, failed=failed)


@bp.app_template_global("alerts_on_this_phone")
def alerts_on_this_phone():
    """For the circle home's invitation to turn notifications on."""
    return on_this_phone()
