"""The overdose steps say what current lay-rescuer guidance says, everywhere they show:

(a) the emergency page for anyone (GET /emergency, signed out);
(b) the urgent card on a circle's home page after an overdose check-in;
(c) the service worker's offline copy: the worker precaches /emergency fetched
    without cookies, which is (a), so (a) covers its words; here we also check that
    /sw.js still lists /emergency among the pages it keeps.

The steps: call (say "someone is unresponsive and not breathing"), CPR by chest
compressions when not breathing normally or only gasping, naloxone as soon as it is
at hand without delaying the call or CPR, normal breathing as the goal (no more doses
just to wake someone sedated by xylazine), the recovery position, stay.
"""
import html as htmllib
import json
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from caregiver import content

TZ = "America/New_York"


def plain(fragment):
    """The text a person reads: no tags, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", htmllib.unescape(text)).strip()


def steps(page):
    block = re.search(r'<ol class="steps">(.*?)</ol>', page, re.S)
    assert block, "no steps list"
    return [plain(li) for li in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def step_with(items, *words):
    """The index of the one step that says all these words (case-insensitive)."""
    found = [i for i, s in enumerate(items) if all(w.lower() in s.lower() for w in words)]
    assert len(found) == 1, (words, items)
    return found[0]


def assert_current_steps(page):
    """The steps as current guidance puts them, in order, whatever page shows them."""
    items = steps(page)
    assert len(items) == 6, items

    call = step_with(items, "911", '"Someone is unresponsive and not breathing."', "address first")
    assert "speaker" in items[call] and "coach" in items[call]

    # Not breathing normally, or only gasping: CPR now, by chest compressions.
    cpr = step_with(items, "CPR", "not breathing normally", "only gasping")
    assert "push hard and fast in the center of the chest" in items[cpr]
    assert "only your hands unless you are trained in rescue breaths" in items[cpr]

    # Naloxone as soon as it is at hand, never delaying the call or CPR.
    naloxone = step_with(items, "Give naloxone as soon as you have it")
    assert "Never wait for naloxone before you call or start CPR." in items[naloxone]
    assert "one dose into one nostril" in items[naloxone]
    assert "still not breathing normally after 2 to 3 minutes, or their breathing slows again, use a new device in the other nostril" in items[naloxone]

    # The goal is normal breathing, not waking up; no more doses to wake a sedated person.
    goal = step_with(items, "normal breathing, not waking up")
    assert "xylazine" in items[goal] and "does not reverse it" in items[goal]
    assert "Once they breathe normally, do not give more doses to wake them." in items[goal]

    side = step_with(items, "recovery position")
    assert "give naloxone first" in items[side]  # breathing but not responding

    stay = step_with(items, "30 to 90 minutes")
    assert "fentanyl can last longer" in items[stay] and "medical care even after they wake up" in items[stay]
    assert "withdrawal" in items[stay] and "it passes" in items[stay]
    assert "second overdose" in items[stay]
    assert "don't let them" not in items[stay].lower()

    assert [call, cpr, naloxone, goal, side, stay] == list(range(6))

    # Nothing of the old advice: dosing until someone wakes, rescue breaths leading.
    text = plain(page).lower()
    assert "until they wake" not in text
    assert "rescue breaths first" not in text
    for item in items:
        title, first_sentence = re.split(r"(?<=[.?!])\s+", item)[:2]
        assert "rescue breath" not in title.lower() and "rescue breath" not in first_sentence.lower(), item
    assert "1 breath every 5 seconds" not in text
    return items


# --- (a) the emergency page for anyone -----------------------------------------------

@pytest.fixture
def anyone_page(client):
    response = client.get("/emergency")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_emergency_page_gives_the_current_steps(anyone_page):
    assert_current_steps(anyone_page)
    # The call button comes before the steps.
    assert anyone_page.index('href="tel:911"') < anyone_page.index('<ol class="steps">')


def test_the_emergency_page_names_every_source_with_its_year(anyone_page):
    block = re.search(r'<ul class="sources">(.*?)</ul>', anyone_page, re.S).group(1)
    sources = [plain(li) for li in re.findall(r"<li>(.*?)</li>", block, re.S)]
    for s in content.EMERGENCY["sources"]:
        assert any(s["name"] in line and s["year"] in line for line in sources), s
    expected = [
        ("AHA (American Heart Association)", "Guidelines for CPR and Emergency Cardiovascular Care", "2025"),
        ("SAMHSA", "Overdose Prevention and Response Toolkit", "2025 update"),
        ("ASAM", "Opioid Use Disorder Patient Guide", "2025"),
        ("FDA", "without a prescription", "2023"),
    ]
    for who, what, year in expected:
        assert any(who in line and what in line and year in line for line in sources), (who, sources)


def test_the_emergency_page_explains_getting_naloxone_and_the_law(anyone_page):
    section = plain(re.search(r'<section class="get-naloxone".*?</section>', anyone_page, re.S).group(0))
    assert "Since 2023, naloxone nasal spray is sold without a prescription." in section
    assert "Nalmefene nasal spray" in section and "prescription" in section
    assert "expiry date" in section and "room temperature" in section and "hot car" in section
    # Attributed to whom said it: a state health department, not the FDA.
    assert "Colorado's public health department says an expired dose is better than no dose" in section
    text = plain(anyone_page)
    assert "Every US state has a Good Samaritan overdose law." in text
    assert "Kansas and Wyoming" in text and "2024 and 2025" in text
    # Sections for the emergency page only come after the steps.
    assert anyone_page.index('<ol class="steps">') < anyone_page.index('class="get-naloxone"')


def test_every_number_on_the_emergency_page_is_a_tel_link(anyone_page):
    links = re.findall(r'<a href="tel:([^"]*)">(.*?)</a>', anyone_page, re.S)
    linked = {tel for tel, _ in links}
    for tel, label in links:
        assert re.fullmatch(r"\+?[0-9]+", tel), tel
        number = re.search(r"[0-9][0-9-]*$", plain(label)).group(0)
        assert re.sub(r"\D", "", number) == tel.lstrip("+"), (tel, label)
    for n in content.EMERGENCY["numbers"]:
        assert n["tel"] in linked, n
    assert {"911", "988", "18006624357", "18002221222", "18553784373"} <= linked
    # No phone number is left as plain text (outside a tel: link).
    rest = plain(re.sub(r'<a href="tel:[^"]*">.*?</a>', " ", anyone_page, flags=re.S))
    assert not re.search(r"\b\d{3}[-. ]\d{4}\b|\b\d{7,}\b", rest), rest
    # The treatment finder is a plain link, no request until tapped.
    assert '<a href="https://findtreatment.gov">FindTreatment.gov</a>' in anyone_page
    assert "18004843731" in linked  # Never Use Alone, for the person in care


def test_the_helplines_say_what_they_are(anyone_page):
    block = plain(re.search(r'<ul class="numbers">(.*?)</ul>', anyone_page, re.S).group(1))
    assert "press 2" in block and "text AYUDA to 988" in block
    assert "English and Spanish" in block and "do not offer counseling" in block
    assert "interpreters" in block
    assert "Partnership to End Addiction" in block and "It is not a crisis line." in block
    assert "See drugfree.org for their hours." in block


# --- (b) the urgent card --------------------------------------------------------------

def render_steps(app, emergency_number="911"):
    """The include on its own, as both the page and the urgent card render it."""
    with app.test_request_context("/"):
        from flask import render_template_string
        return render_template_string('{% include "prompts/_emergency_steps.html" %}',
                                      emergency_number=emergency_number, care_team_numbers=[])


def test_the_shared_steps_template_is_short_call_first_then_the_steps(app):
    part = render_steps(app, "112")
    assert_current_steps(part)
    assert part.index('href="tel:112"') < part.index('<ol class="steps">')
    # Only the emergency page has these.
    for extra in ("get-naloxone", 'class="sources"', "Good Samaritan", "FindTreatment.gov"):
        assert extra not in part


def test_the_urgent_card_after_an_overdose_check_in_gives_the_current_steps(auth, client):
    auth.sign_up()
    circle = auth.create_circle(tz=TZ, level="iop", since="2026-01-01")
    day = datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date().isoformat()
    response = auth.checkin(circle, date=day, overdose="y", naloxone_given="y")
    assert response.status_code == 200, response.get_data(as_text=True)
    page = client.get(f"/c/{circle}/").get_data(as_text=True)
    urgent = page.split('<li class="prompt prompt-urgent">')[1].split("</article>")[0]
    assert_current_steps(urgent)
    assert urgent.index('href="tel:911"') < urgent.index('<ol class="steps">')
    assert "get-naloxone" not in urgent and 'class="sources"' not in urgent


# --- (c) the offline copy -------------------------------------------------------------

def test_the_service_worker_keeps_the_emergency_page_for_anyone(client):
    worker = client.get("/sw.js").get_data(as_text=True)
    anonymous = json.loads(re.search(r"const ANONYMOUS_PAGES = (\[.*?\]);", worker).group(1))
    assert "/emergency" in anonymous
    # Fetched without cookies: the copy is the signed-out page of (a).
    assert 'credentials: "omit"' in worker
