"""Every page a person reads is in Spanish when Spanish is chosen: no English sentence left.

Each GET page of the URL map is rendered twice, in English and in Spanish, for a circle
whose month of check-ins makes the rules and step-down criteria show; any run of four
English words (names, numbers and the product's name aside) found in both is English left
untranslated."""
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from conftest import Actions

TZ = "America/New_York"
# What is the same in both languages: people's and circles' names the test chose, the
# product's name, and words of the family's own notes.
SAME = {"caregiver", "sam", "robin", "alice", "carl", "bea", "ana", "dra", "lee", "clinic", "ruiz",
        "english", "español",  # each language is named in itself
        "partnership", "findtreatment", "gov",  # names of organisations and sites
        "abcd", "efgh", "jkmn", "pqrs"}  # the shape of a recovery code
SKIP = {"static", "pwa.service_worker", "pages.manifest", "pwa.offline_pages", "pwa.csrf",
        "language.switch", "transfer.export_csv", "transfer.export_json", "healthz"}
WORD = re.compile(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü']+")


def visible_text(html):
    html = re.sub(r"(?is)<(script|style|svg)\b.*?</\1>", " ", html)
    html = re.sub(r'(?is)<select id="timezone".*?</select>', " ", html)  # time zones: place names
    html = re.sub(r'(?is)<span lang="en">.*?</span>', " ", html)  # given in English on purpose, and marked so
    html = re.sub(r"(?is)<[^>]*\b(?:aria-label|title|alt|placeholder)=\"([^\"]*)\"[^>]*>", r" \1 ", html)
    return unescape(re.sub(r"(?s)<[^>]+>", " ", html))


def runs(text, n=4):
    words = [w.lower() for w in WORD.findall(text)]
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)
            if not any(w in SAME for w in words[i:i + n])}


def day(days_ago):
    return (datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date() - timedelta(days=days_ago)).isoformat()


@pytest.fixture
def world(app, client):
    auth = Actions(client)
    auth.sign_up("bea")
    auth.sign_out()
    auth.sign_up("alice", name="Alice")
    circle = auth.create_circle("Sam", level="iop", since="2026-01-01", tz=TZ)
    for days_ago, fields in [
        (0, dict(craving="9", withdrawal="8", access="easy", stress="9", medication="missed", use="y",
                 overdose="y", naloxone_given="y", notes="Nota")),
        (1, dict(craving="8", withdrawal="7", access="easy", stress="8", medication="missed")),
        (2, dict(craving="7", withdrawal="6", access="some", stress="7", medication="taken")),
        (5, dict(craving="3", withdrawal="2", access="none", stress="3", medication="taken")),
        (9, dict(craving="2", withdrawal="2", access="none", stress="2", medication="taken", use="y")),
    ]:
        auth.checkin(circle, date=day(days_ago), **fields)
    auth.join_circle(circle, "carl", name="Carl")
    auth.sign_out()
    auth.sign_in("alice")
    share_paths = (auth.share_link(circle, label="Dra. Lee", language="en", include_brief="y"),
                   auth.share_link(circle, label="Dra. Lee", language="es", include_brief="y"))
    auth.post(f"/c/{circle}/invites", token_from=f"/c/{circle}/members")
    empty = auth.create_circle("Robin", tz=TZ)
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        ids = {"circle_id": circle,
               "checkin_id": conn.execute("SELECT max(id) FROM checkins").fetchone()[0],
               "user_id": conn.execute("SELECT id FROM users WHERE username = 'carl'").fetchone()[0],
               "invite_id": conn.execute("SELECT max(id) FROM invites").fetchone()[0],
               "link_id": conn.execute("SELECT max(id) FROM share_links").fetchone()[0],
               "entry_id": conn.execute("SELECT max(id) FROM level_history").fetchone()[0] or 1}
    return auth, ids, share_paths, empty


def get_pages(app, client, ids, empty):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIP:
            continue
        paths = []
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(r"<(?:[a-z]+:)?%s>" % name, str(ids.get(name, "x")), path)
        paths.append(path)
        if "circle_id" in rule.arguments and not (rule.arguments - {"circle_id"}):
            paths.append(rule.rule.replace("<int:circle_id>", str(empty)))
        yield from paths


def test_every_page_is_spanish_when_spanish_is_chosen(app, client, world):
    auth, ids, share_paths, empty = world
    left = {}
    seen = 0
    pairs = [(path, path) for path in get_pages(app, client, ids, empty)] + [share_paths]  # a link has its language
    for path, spanish_path in pairs:
        english = client.get(path, headers={"Accept-Language": "en"})
        if english.status_code != 200 or english.mimetype != "text/html":
            continue
        spanish = client.get(spanish_path, headers={"Accept-Language": "es"})
        assert spanish.status_code == 200, path
        html = spanish.get_data(as_text=True)
        assert '<html lang="es"' in html, path
        seen += 1
        shared = runs(visible_text(english.get_data(as_text=True))) & runs(visible_text(html))
        if shared:
            left[path] = sorted(shared)[:12]
    assert seen >= 30
    assert not left, "\n".join(f"{path}: {runs}" for path, runs in left.items())
