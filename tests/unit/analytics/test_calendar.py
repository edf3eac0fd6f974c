"""Business calendars: commitment clocks run in business hours only, in the workspace's time zone, skip
holidays, and stop while the conversation waits on the customer."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from holdless.analytics.calendar import BusinessCalendar, business_seconds, due_at
from holdless.errors import Invalid

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0
# Monday to Friday 09:00–17:00 Berlin time; Tuesday 3 March 2026 is a (made-up) holiday.
CAL = BusinessCalendar.weekly("Europe/Berlin", time(9), time(17), holidays=[date(2026, 3, 3)])


def berlin(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def test_a_complaint_clock_pauses_over_the_night_and_the_holiday() -> None:
    filed = berlin(2, 16)  # Monday 16:00: one business hour left today
    # 8 business hours to respond: Mon 16–17 (1 h), night, Tuesday holiday, Wed 09:00 + 7 h = Wed 16:00.
    due = due_at(CAL, filed, 8 * HOUR)
    assert due == berlin(4, 16)
    assert due is not None
    assert due.astimezone(UTC) == datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    # Wall clock: 48 hours; business clock: exactly the 8 committed.
    assert business_seconds(CAL, filed, berlin(4, 16)) == 8 * HOUR
    # Wednesday noon: Mon 1 h + Wed 3 h = 4 h used, though 44 hours have passed.
    assert business_seconds(CAL, filed, berlin(4, 12)) == 4 * HOUR


def test_waiting_on_the_customer_stops_the_clock() -> None:
    filed = berlin(2, 16)
    waiting = [(berlin(4, 10), berlin(4, 11, 30))]  # we asked for a document; it came 1.5 h later
    # Mon 1 h, Wed 09–10 1 h, paused 10:00–11:30, 11:30–17:00 5.5 h (7.5 h), Thu 09:00 + 0.5 h.
    assert due_at(CAL, filed, 8 * HOUR, waiting) == berlin(5, 9, 30)
    assert business_seconds(CAL, filed, berlin(4, 12), waiting) == 2.5 * HOUR


def test_a_clock_still_waiting_on_the_customer_has_no_due_time() -> None:
    filed = berlin(2, 16)
    still_waiting = [(berlin(4, 10), None)]
    assert due_at(CAL, filed, 8 * HOUR, still_waiting) is None
    assert business_seconds(CAL, filed, berlin(4, 12), still_waiting) == 2 * HOUR
    # A commitment met before the wait began still has its due time.
    assert due_at(CAL, filed, 90 * 60, still_waiting) == berlin(4, 9, 30)


def test_a_complaint_filed_at_night_starts_at_the_next_opening() -> None:
    assert due_at(CAL, berlin(6, 22), 2 * HOUR) == berlin(9, 11)  # Friday night → Monday 11:00
    assert business_seconds(CAL, berlin(7, 10), berlin(8, 18)) == 0.0  # a weekend


def test_local_business_hours_hold_across_daylight_saving_time() -> None:
    # Berlin moves to summer time on Sunday 29 March 2026; Friday 16:00 + 2 h → Monday 10:00 local,
    # which is 08:00 UTC now (it was 15:00 UTC on Friday).
    due = due_at(CAL, berlin(27, 16), 2 * HOUR)
    assert due == berlin(30, 10)
    assert due is not None
    assert due.astimezone(UTC).hour == 8


def test_split_days_and_other_time_zones() -> None:
    tokyo = BusinessCalendar(
        "Asia/Tokyo", {d: ((time(9), time(12)), (time(13), time(18))) for d in range(5)}, frozenset()
    )
    start = datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    # 11–12 (1 h), lunch, 13:00 + 1 h → 14:00 Tokyo
    assert due_at(tokyo, start, 2 * HOUR) == start + timedelta(hours=3)
    # The same instant seen from UTC gives the same answer.
    assert due_at(tokyo, start.astimezone(UTC), 2 * HOUR) == start + timedelta(hours=3)


def test_round_the_clock_days() -> None:
    always = BusinessCalendar("UTC", {d: ((time(0), time(0)),) for d in range(7)})
    start = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    assert due_at(always, start, 5 * HOUR) == start + timedelta(hours=5)
    assert business_seconds(always, start, start + timedelta(days=2)) == 48 * HOUR


def test_bad_calendars_are_refused() -> None:
    with pytest.raises(Invalid):
        BusinessCalendar("Mars/Olympus", {0: ((time(9), time(17)),)})
    with pytest.raises(Invalid):
        BusinessCalendar("UTC", {})
    with pytest.raises(Invalid):
        BusinessCalendar("UTC", {0: ((time(17), time(9)),)})
    with pytest.raises(Invalid):
        due_at(CAL, datetime(2026, 3, 2, 9), HOUR)  # no time zone


def test_due_time_and_elapsed_business_time_agree_for_many_starts() -> None:
    rng = random.Random(5)
    for _ in range(200):
        start = berlin(1, 0) + timedelta(minutes=rng.randrange(60 * 24 * 60))  # March and April
        committed = rng.randrange(1, 40 * 60) * 60.0  # up to 40 business hours
        pause_from = start + timedelta(minutes=rng.randrange(3 * 24 * 60))
        waiting = [(pause_from, pause_from + timedelta(minutes=rng.randrange(1, 600)))]
        due = due_at(CAL, start, committed, waiting)
        assert due is not None
        assert business_seconds(CAL, start, due, waiting) == pytest.approx(committed)
        # The clock only runs while open: the commitment never falls due on a closed instant's far side.
        local = due.astimezone(BERLIN)
        assert local.weekday() < 5
        assert local.date() != date(2026, 3, 3)
        assert time(9) < local.time() <= time(17)
