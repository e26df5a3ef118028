"""The 30-day summary printed by Chromium (page.pdf) on A4 and Letter: at most two pages,
table headings apart, the nickname and date range above the table on every page, no
offline banner; and the same page on a 360px phone, with axe."""
import hashlib
import json
import random
import re
import sqlite3
from datetime import timedelta

from playwright.sync_api import expect

from .test_walkthrough import create_circle, local_today, sign_up

SIGNS = ["sweating", "runny-nose-or-eyes", "yawning", "gooseflesh", "restlessness", "anxiety-or-irritability",
         "aches", "stomach-upset", "tremor", "trouble-sleeping", "large-pupils", "chills-or-flushing"]
TOKEN = "T" * 43


def pages(pdf):
    """The number of pages of a PDF: its /Type /Page objects (not /Pages)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def add_a_month(database, circle_id=1, user_id=1):
    """30 days, each with every value, withdrawal signs on most, some use, missed doses,
    an overdose; two caregivers on some days; notes (the summary leaves them out)."""
    rnd = random.Random(7)
    today = local_today()
    conn = sqlite3.connect(database)
    with conn:
        for i in range(30):
            day = (today - timedelta(days=29 - i)).isoformat()
            for n in range(2 if i % 5 == 0 else 1):
                withdrawal = rnd.choice(["none", "mild", "moderate", "severe" if i > 25 else "moderate"])
                conn.execute(
                    "INSERT INTO checkins (circle_id, user_id, date, craving, stress, withdrawal, withdrawal_signs,"
                    " access, medication, use, overdose, naloxone_given, notes, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [circle_id, user_id, day, rnd.randint(1, 10), rnd.randint(1, 10), withdrawal,
                     json.dumps(rnd.sample(SIGNS, 0 if withdrawal == "none" else rnd.randint(1, 6))),
                     rnd.choice(["none", "possible", "easy"]), rnd.choice(["taken"] * 3 + ["missed"]),
                     rnd.choice(["none"] * 5 + ["suspected", "confirmed"]), int(i == 25), int(i == 25),
                     "A long note about the day. " * 20, f"2026-01-01T00:00:0{n}+00:00", "2026-01-01T00:00:00+00:00"])
        conn.execute("INSERT INTO share_links (circle_id, token_hash, label, created_by, created_at, expires_at, days)"
                     " VALUES (?, ?, 'Dr. Park', ?, '2026-01-01T00:00:00+00:00', '2999-01-01T00:00:00+00:00', 30)",
                     [circle_id, hashlib.sha256(TOKEN.encode()).hexdigest(), user_id])
    conn.close()


HEADINGS_APART = """() => {
  const cells = [...document.querySelectorAll('.day-table thead tr:last-child th')];
  const box = cell => { const r = document.createRange(); r.selectNodeContents(cell);
                        const rects = [...r.getClientRects()];
                        return [Math.min(...rects.map(x => x.left)), Math.max(...rects.map(x => x.right))]; };
  const boxes = cells.map(box);
  return cells.slice(1).map((cell, i) => [cells[i].textContent, cell.textContent, boxes[i][1] + 2 > boxes[i + 1][0]])
              .filter(([, , touching]) => touching).map(([left, right]) => left + right);
}"""


def assert_prints_on_two_pages(page, label):
    for paper in ("A4", "Letter"):
        count = pages(page.pdf(format=paper))
        assert 1 <= count <= 2, f"{label} prints on {count} pages on {paper}"


def test_the_30_day_summary_prints_on_two_pages_and_fits_a_phone(page, new_context, live_server,
                                                                 assert_no_axe_violations):
    sign_up(page, "dana@example.org", "Dana")
    create_circle(page, "Lee")
    add_a_month(live_server.app.config["DATABASE"])
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/c/1/summary?days=30")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lee")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    expect(page.locator(".print-running")).to_be_hidden()  # print only
    assert_no_axe_violations(page, "30-day summary at 360px")

    # Printed while offline: the "Offline copy" banner is for the screen only.
    page.context.set_offline(True)
    expect(page.locator(".offline-banner")).to_be_visible()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4's width inside its 10 mm margins
    expect(page.locator(".offline-banner")).to_be_hidden()
    expect(page.locator(".day-table .print-running")).to_contain_text("Lee, ")
    expect(page.locator(".day-table .print-running")).to_contain_text("(the last 30 days)")
    expect(page.locator(".day-table .print-running th").nth(1)).to_contain_text("made ")
    expect(page.locator(".summary .suggested")).to_be_visible()  # the levels to ask about
    assert page.evaluate(HEADINGS_APART) == []
    assert_prints_on_two_pages(page, "the caregiver's summary")

    clinic = new_context().new_page()
    clinic.goto(f"/share/{TOKEN}")
    expect(clinic.get_by_role("heading", level=1)).to_contain_text("Lee")
    assert_prints_on_two_pages(clinic, "the shared summary")
