"""Links carry the app's own host: share, invite and reset links are built from the
request, so a request naming another host is refused (CAREGIVER_BASE_URL)."""
import pytest

from caregiver import create_app


@pytest.fixture
def app_at(tmp_path):
    def make(**config):
        return create_app({"SECRET_KEY": "test",
                           "DATABASE": str(tmp_path / "db.sqlite"), **config})
    return make


def test_without_a_base_url_only_this_machines_names_are_served(app_at):
    client = app_at().test_client()
    assert client.get("/emergency", base_url="http://127.0.0.1:5000").status_code == 200
    assert client.get("/emergency", base_url="http://localhost").status_code == 200
    assert client.get("/emergency", base_url="http://evil.example").status_code == 400


def test_with_a_base_url_other_hosts_are_refused_and_links_use_its_host(app_at, monkeypatch):
    monkeypatch.setenv("CAREGIVER_BASE_URL", "https://care.example.org")
    app = app_at()
    client = app.test_client()
    assert client.get("/emergency", base_url="https://care.example.org").status_code == 200
    refused = client.get("/sign-up", base_url="https://attacker.example")
    assert refused.status_code == 400 and "attacker.example" not in refused.get_data(as_text=True)
    with app.test_request_context("/", base_url="https://care.example.org"):
        from flask import url_for
        assert url_for("share.shared", token="x" * 43, _external=True).startswith("https://care.example.org/share/")


def test_a_base_url_that_is_not_a_url_stops_the_start(app_at, monkeypatch):
    monkeypatch.setenv("CAREGIVER_BASE_URL", "care.example.org")
    with pytest.raises(ValueError, match="CAREGIVER_BASE_URL"):
        app_at()
