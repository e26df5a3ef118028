"""Choosing the language: the account's choice, else the phone's, else the browser's."""
import re

import json
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from caregiver import create_app, words
from conftest import Actions

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"


def spanish(english):
    with open(CATALOG, "rb") as f:
        return read_po(f)[english].string


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The app with the Spanish words of this file's pages and of the scripts."""
    folder = tmp_path / "translations" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(CATALOG, "rb") as po, open(folder / "messages.mo", "wb") as mo:
        write_mo(mo, read_po(po))
    monkeypatch.setattr(words, "LOCALEDIR", tmp_path / "translations")
    monkeypatch.setattr(words, "_catalogs", {})
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "test.db"), "SECRET_KEY": "test-secret",
                       "SESSION_COOKIE_SECURE": False, "SERVER_NAME": "localhost",
                       "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations")})


def lang_of(response):
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def stored_language(app, username="alice"):
    with app.app_context():
        from caregiver.db import get_db
        return get_db().execute("SELECT language FROM users WHERE username = ?", [username]).fetchone()[0]


def test_a_signed_out_page_follows_the_browser_and_says_so_to_screen_readers(client):
    assert lang_of(client.get("/sign-in", headers={"Accept-Language": "es-US,es;q=0.9,en;q=0.5"})) == "es"
    assert lang_of(client.get("/sign-in", headers={"Accept-Language": "fr-FR"})) == "en"  # none offered: English
    page = client.get("/emergency", headers={"Accept-Language": "es"})
    assert lang_of(page) == "es"
    # the way back to English, named in English and marked as English
    assert re.search(r'<a lang="en" hreflang="en" href="/language/en\?next=/emergency">English</a>',
                     page.get_data(as_text=True))
    assert "Accept-Language" in page.vary


def test_the_switch_is_remembered_on_this_phone_over_the_browser(client):
    page = client.get("/sign-in", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<a lang="es" hreflang="es" href="/language/es?next=/sign-in">Español</a>' in page
    switched = client.get("/language/es?next=/sign-in")
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/sign-in")
    assert "language=es" in switched.headers["Set-Cookie"] and "HttpOnly" in switched.headers["Set-Cookie"]
    assert lang_of(client.get("/sign-in", headers={"Accept-Language": "en"})) == "es"


def test_the_switch_refuses_an_unknown_language_and_another_site(client):
    assert client.get("/language/xx?next=/sign-in").status_code == 404
    assert "Set-Cookie" not in client.get("/language/xx").headers
    away = client.get("/language/es?next=//evil.example/")
    assert "evil" not in away.headers["Location"]


def test_a_caregivers_choice_follows_them_to_every_phone(app, client):
    auth = Actions(client)
    auth.sign_up()
    assert lang_of(client.get("/account", headers={"Accept-Language": "en"})) == "en"
    saved = auth.post("/account/language", {"language": "es"}, follow_redirects=True,
                      headers={"Accept-Language": "en"})
    assert spanish("Language saved.") in saved.get_data(as_text=True) and lang_of(saved) == "es"
    assert stored_language(app) == "es"
    other_phone = app.test_client()
    Actions(other_phone).sign_in()
    page = other_phone.get("/account", headers={"Accept-Language": "en-GB"})
    assert lang_of(page) == "es"
    assert spanish("Caregiver is in %(language)s for you.") % {"language": "Español"} in page.get_data(as_text=True)
    # back to "as this phone's setting": each phone follows its browser again
    auth.post("/account/language", {"language": ""})
    assert stored_language(app) is None
    assert lang_of(other_phone.get("/account", headers={"Accept-Language": "en-GB"})) == "en"
    assert lang_of(other_phone.get("/account", headers={"Accept-Language": "es-MX"})) == "es"


def test_a_language_not_offered_is_refused_by_name_and_nothing_is_stored(app, client):
    auth = Actions(client)
    auth.sign_up()
    for bad in ("fr", "ES", "es ", "x" * 5000):
        refused = auth.post("/account/language", {"language": bad})
        assert refused.status_code == 422, bad
        body = refused.get_data(as_text=True)
        assert "has-error" in body and "Language" in body
        assert stored_language(app) is None


def test_choosing_needs_a_session_and_a_csrf_token(app, client):
    assert client.get("/account/language").status_code == 302  # to sign in
    auth = Actions(client)
    auth.sign_up()
    assert client.post("/account/language", data={"language": "es"}).status_code == 400
    assert stored_language(app) is None


def script_words(response):
    found = re.search(r'<script type="application/json" id="js-words">(.*?)</script>', response.get_data(as_text=True))
    return json.loads(found.group(1)) if found else None


def test_the_scripts_get_their_words_in_the_pages_language(app, client):
    from caregiver.i18n import js_messages
    assert script_words(client.get("/sign-in", headers={"Accept-Language": "en"})) is None  # written in English
    sent = script_words(client.get("/sign-in", headers={"Accept-Language": "es"}))
    assert len(js_messages()) > 40
    for one, many in js_messages():  # every message of static/js, in Spanish
        got = sent["messages"][one]
        if many is None:
            assert got and got != one, one
        else:
            assert got[0] != one and got[1] != many, one
    assert sent["locale"] == "es-US"
    assert sent["days"][0] == "dom" and sent["days"][1] == "lun" and sent["months"][11] == "dic"


def test_the_service_worker_speaks_the_language_it_was_made_in(app, client):
    english = client.get("/sw.js", headers={"Accept-Language": "en"}).get_data(as_text=True)
    spanish_worker = client.get("/sw.js", headers={"Accept-Language": "es"})
    body = spanish_worker.get_data(as_text=True)
    assert 'const LANGUAGE = "es";' in body and 'const LANGUAGE = "en";' in english
    assert "self.CaregiverWordsData = null;" in english
    data = json.loads(re.search(r"self.CaregiverWordsData = (.*);", body).group(1))
    assert data["messages"]["This entry is too large."] == spanish("This entry is too large.")
    assert "Accept-Language" in spanish_worker.vary and "Cookie" in spanish_worker.vary
    assert "Accept-Language" not in client.get("/static/js/app.js").vary  # the shell stays cacheable


def share_rows(app):
    with app.app_context():
        from caregiver.db import get_db
        return get_db().execute("SELECT label, language FROM share_links ORDER BY id").fetchall()


def test_a_share_link_is_read_in_the_language_it_was_made_in(app, client):
    auth = Actions(client)
    auth.sign_up()
    circle = auth.create_circle()
    form = client.get(f"/c/{circle}/share", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<option value="en" selected>English</option>' in form and '<option value="es" >Español</option>' in form
    # A caregiver who reads English makes a link for a care team that reads Spanish, and back.
    for_them = auth.share_link(circle, label="Dra. Ruiz", language="es")
    for_us = auth.share_link(circle, label="Dr. Lee", language="en")
    care_team = app.test_client()
    spanish_page = care_team.get(for_them, headers={"Accept-Language": "en-US"})
    assert spanish_page.status_code == 200 and lang_of(spanish_page) == "es"
    assert lang_of(care_team.get(for_us, headers={"Accept-Language": "es"})) == "en"
    # Made without choosing: the caregiver's own language.
    auth.post("/account/language", {"language": "es"})
    auth.share_link(circle, label="Clínica")
    assert [tuple(r) for r in share_rows(app)] == [("Dra. Ruiz", "es"), ("Dr. Lee", "en"), ("Clínica", "es")]


def test_a_share_link_in_a_language_not_offered_is_refused_by_name(app, client):
    auth = Actions(client)
    auth.sign_up()
    circle = auth.create_circle()
    refused = auth.post(f"/c/{circle}/share", {"label": "Dr. Lee", "expires_days": "14", "days": "14",
                                               "language": "fr"})
    assert refused.status_code == 400  # as every refused share-link form
    assert "Language of the summary: choose one of the languages listed." in refused.get_data(as_text=True)
    assert share_rows(app) == []
