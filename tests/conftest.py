"""Fixtures as in Flask's tutorial: an app on a temporary database, a client, auth helpers."""
import os
import re

import pytest
from hypothesis import settings

from caregiver import create_app

# In CI (CI=true) the property tests draw the same examples every run, so a run's result
# depends on the code alone and a red run can be reproduced; anywhere else they draw new
# examples each run, to keep finding what nobody thought of.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")


def pytest_sessionstart(session):
    """The word catalogs compiled, as `make test` does first, for a bare `pytest` too."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    for po in (Path(__file__).resolve().parent.parent / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(po, "rb") as source, open(mo, "wb") as target:
                write_mo(target, read_po(source))


@pytest.fixture
def app(tmp_path):
    app = create_app({
        "TESTING": True,
        "DATABASE": str(tmp_path / "test.db"),
        "SECRET_KEY": "test-secret",
        "SESSION_COOKIE_SECURE": False,
        "SERVER_NAME": "localhost",
    })
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html):
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


class Actions:
    """A caregiver using the app through HTTP, CSRF token and all."""

    def __init__(self, client):
        self.client = client

    def token(self, path="/sign-in"):
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def post(self, path, data=None, token_from=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_from or path))
        return self.client.post(path, data=data, **kwargs)

    def sign_up(self, username="alice", password="correct horse battery", name=None):
        return self.post("/sign-up", {"username": username, "display_name": name or username.title(),
                                      "password": password})

    def sign_in(self, username="alice", password="correct horse battery"):
        return self.post("/sign-in", {"username": username, "password": password})

    def sign_out(self):
        return self.post("/sign-out")

    def create_circle(self, nickname="Sam", level="outpatient", since="2026-11-01", tz="America/New_York",
                      **extra):
        data = {"nickname": nickname, "level_of_care": level, "level_since": since, "living_situation": "home",
                "timezone": tz, "emergency_number": "911"}
        data.update(extra)
        response = self.post("/circles/new", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return int(re.search(r"/c/(\d+)/", response.headers["Location"]).group(1))

    def checkin(self, circle_id, **fields):
        path = f"/c/{circle_id}/checkins/new"
        return self.post(path, fields)

    def join_circle(self, circle_id, username, name=None):
        """Invite someone as the signed-in caregiver, then sign in as them and accept."""
        self.post(f"/c/{circle_id}/invites", token_from=f"/c/{circle_id}/members")
        html = self.client.get(f"/c/{circle_id}/members").get_data(as_text=True)
        path = re.search(r'readonly value="http://localhost(/invite/[^"]+)"', html).group(1)
        self.sign_out()
        self.sign_up(username, name=name)
        response = self.post(path)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def tick(self, circle_id, item_id, ticked=1, client_id=None, **kwargs):
        """One tap on a checklist item (ticked=1 ticks, 0 unticks)."""
        data = {"ticked": str(ticked)}
        if client_id is not None:
            data["client_id"] = client_id
        return self.post(f"/c/{circle_id}/checklists/{item_id}", data,
                         token_from=f"/c/{circle_id}/checklists", **kwargs)

    def share_link(self, circle_id, label="Dr. Lee, clinic", **fields):
        """Make a share link as the signed-in caregiver; returns its path (/share/<token>),
        read from the page that shows it once."""
        data = {"label": label, "expires_days": "14", "days": "14"}
        data.update(fields)
        response = self.post(f"/c/{circle_id}/share", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        html = self.client.get(f"/c/{circle_id}/share").get_data(as_text=True)
        return re.search(r'readonly value="http://localhost(/share/[^"]+)"', html).group(1)

    def import_file(self, circle_id, body, filename="export.json"):
        """Upload `body` (bytes or str) on the import page."""
        import io
        if isinstance(body, str):
            body = body.encode()
        return self.post(f"/c/{circle_id}/import", {"file": (io.BytesIO(body), filename)},
                         content_type="multipart/form-data")


@pytest.fixture
def auth(client):
    return Actions(client)
