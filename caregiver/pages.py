"""Pages for everyone, signed in or not: the emergency page and the web app manifest."""
from flask import Blueprint, g, jsonify, url_for

from .i18n import _, current_language
from .pwa import static_url
from .records import care_team, my_circles
from .views import circle_member_required, render

bp = Blueprint("pages", __name__)


def _numbers(circle):
    return {"id": circle["id"], "nickname": circle["nickname"],
            "emergency_number": circle["emergency_number"], "care_team": care_team(circle["id"])}


def _emergency_page(circles):
    # The steps say one number: the circles' own when they agree, else 911. Every
    # circle's numbers are also listed under its name, never one for another.
    own = {c["emergency_number"] for c in circles}
    return render("pages/emergency.html", circles=circles,
                  emergency_number=own.pop() if len(own) == 1 else "911",
                  care_team_numbers=circles[0]["care_team"] if len(circles) == 1 else [])


@bp.route("/emergency")
def emergency():
    """Overdose signs and steps. One tap from every page outside a circle; precached
    without cookies (the page for anyone, with 911) and kept per person for offline.

    Signed in, it lists the numbers of every circle of the person, each named: the
    worker keeps one copy of this page, whichever circle was used last.
    """
    circles = []
    if g.user is not None:
        circles = [_numbers(c) for c in my_circles(g.user["id"])]
    return _emergency_page(circles)


@bp.route("/c/<int:circle_id>/emergency")
@circle_member_required
def circle_emergency(circle_id):
    """The emergency page of one circle (its number and care team first): the header's
    Emergency button on the circle's pages, kept offline for each circle."""
    return _emergency_page([_numbers(g.circle)])


@bp.route("/manifest.webmanifest")
def manifest():
    icon = lambda name: static_url(f"icons/{name}")  # noqa: E731
    data = {
        "id": "/",  # the app's identity, whatever start_url becomes
        "name": _("Caregiver: daily check-ins for families"),
        "short_name": "Caregiver",
        "description": _("Notice early and bring the facts to the care team."),
        "start_url": url_for("circles.index"),
        "scope": "/",
        "display": "standalone",
        "lang": current_language(),
        "categories": ["health", "medical"],
        "background_color": "#ffffff",
        "theme_color": "#1f5f8b",
        "icons": [
            {"src": icon("icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": icon("icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": icon("icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
        "shortcuts": [
            {"name": _("Emergency"), "url": url_for("pages.emergency")},
        ],
    }
    response = jsonify(data)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Accept-Language", "Cookie"))  # its words follow the reader's language
    return response


@bp.route("/healthz")
def healthz():
    """Liveness for a load balancer; also the benchmark's no-work baseline."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
