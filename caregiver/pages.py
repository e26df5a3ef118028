"""Pages for everyone, signed in or not: the emergency page and the web app manifest."""
from flask import Blueprint, g, jsonify, session, url_for

from .circles import care_team
from .views import one, render

bp = Blueprint("pages", __name__)


@bp.route("/emergency")
def emergency():
    """Overdose signs and steps. One tap from every page; also cached for offline use.

    Signed in, it shows the current circle's emergency number and care team numbers.
    """
    circle = None
    if g.user is not None and session.get("circle_id"):
        circle = one("SELECT c.id, c.nickname, c.emergency_number FROM circles c"
                     " JOIN memberships m ON m.circle_id = c.id WHERE c.id = ? AND m.user_id = ?",
                     [session["circle_id"], g.user["id"]])
    return render("pages/emergency.html", circle=circle,
                  emergency_number=circle["emergency_number"] if circle else "911",
                  care_team_numbers=care_team(circle["id"]) if circle else [])


@bp.route("/manifest.webmanifest")
def manifest():
    from .pwa import static_url
    icon = lambda name: static_url(f"icons/{name}")  # noqa: E731
    data = {
        "id": "/",  # the app's identity, whatever start_url becomes
        "name": "Caregiver: daily check-ins for families",
        "short_name": "Caregiver",
        "description": "Notice early and bring the facts to the care team.",
        "start_url": url_for("circles.index"),
        "scope": "/",
        "display": "standalone",
        "lang": "en",
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
            {"name": "Emergency", "url": url_for("pages.emergency")},
        ],
    }
    response = jsonify(data)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/healthz")
def healthz():
    """Liveness for a load balancer; also the benchmark's no-work baseline."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
