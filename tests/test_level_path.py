"""The whole level path: the app works out left_24_7_on from the circle's level
history (the spec's "The rules engine as a program"), so a chain of step downs keeps
the overdose-risk window open, and the care-team summary shows the path."""
import html
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from caregiver.records import left_24_7_on

TZ = "America/New_York"


def ago(days):
    return (datetime.now(timezone.utc).astimezone(ZoneInfo(TZ)).date() - timedelta(days=days)).isoformat()


def entry(id, level, since):
    return {"id": id, "level": level, "since": since}


@pytest.mark.parametrize("entries, expected", [
    ([], None),
    ([entry(1, "outpatient", "2026-11-01")], None),  # no 24/7 stay on record
    ([entry(1, "inpatient", "2026-10-01")], None),  # still in 24/7 care
    ([entry(1, "inpatient", "2026-10-01"), entry(2, "outpatient", "2026-11-02"),
      entry(3, "iop", "2026-11-10")], "2026-11-02"),  # the spec's own example
    ([entry(1, "inpatient", "2026-10-01"), entry(2, "iop", "2026-11-02"),
      entry(3, "outpatient", "2026-11-10"), entry(4, "php", "2026-11-15")], "2026-11-02"),  # a step up between lower levels
    ([entry(1, "residential", "2026-09-01"), entry(2, "outpatient", "2026-10-01"),
      entry(3, "inpatient", "2026-11-01"), entry(4, "iop", "2026-11-12")], "2026-11-12"),  # re-admission
    ([entry(1, "inpatient", "2026-10-01"), entry(2, "outpatient", "2026-11-02"),
      entry(3, "residential", "2026-11-02")], None),  # a correction of 2 Nov: still in 24/7 care
    ([entry(1, "inpatient", "2026-10-01"), entry(2, "residential", "2026-11-02"),
      entry(3, "outpatient", "2026-11-02")], "2026-11-02"),  # the reverse correction
])
def test_left_24_7_on_from_the_level_history(entries, expected):
    assert left_24_7_on(entries) == expected


def record(auth, circle, level, since):
    response = auth.post(f"/c/{circle}/level", {"level": level, "since": since, "note": ""})
    assert response.status_code == 302


def home(client, circle):
    return html.unescape(client.get(f"/c/{circle}/").get_data(as_text=True))


def test_a_chain_of_step_downs_keeps_the_risk_window_open(auth, client):
    auth.sign_up("alice", name="Alice")
    circle = auth.create_circle(level="inpatient", since=ago(40), tz=TZ)
    record(auth, circle, "outpatient", ago(18))
    record(auth, circle, "iop", ago(10))
    page = home(client, circle)
    assert 'id="prompt-recent-step-down"' in page
    assert "Leaving 24/7 care on" in page and "intensive outpatient since" in page
    # A use now is urgent: tolerance is still low 18 days after leaving 24/7 care.
    auth.checkin(circle, date=ago(0), use="suspected")
    assert 'id="prompt-use-after-abstinence"' in home(client, circle)


def test_re_admission_starts_the_window_again_and_30_days_out_closes_it(auth, client):
    auth.sign_up("alice", name="Alice")
    circle = auth.create_circle(level="inpatient", since=ago(80), tz=TZ)
    record(auth, circle, "outpatient", ago(60))
    assert 'id="prompt-recent-step-down"' not in home(client, circle)  # 60 days ago
    record(auth, circle, "residential", ago(40))
    record(auth, circle, "iop", ago(5))
    assert 'id="prompt-recent-step-down"' in home(client, circle)


def test_the_summary_shows_the_levels_of_its_period(auth, client):
    auth.sign_up("alice", name="Alice")
    circle = auth.create_circle(level="inpatient", since=ago(40), tz=TZ)
    record(auth, circle, "outpatient", ago(12))
    record(auth, circle, "iop", ago(5))
    page = html.unescape(client.get(f"/c/{circle}/summary?days=14").get_data(as_text=True))
    assert "Levels of care in this period: Inpatient, then Outpatient from " in page
    assert ", then Intensive outpatient from " in page
