"""The staffing gap for today, worked by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from holdless.errors import Invalid
from holdless.workforce.gap import logged_in_per_interval, staffing_gap

EIGHT = datetime(2026, 11, 23, 8, 0)


def test_gap_per_interval_and_the_day_so_far() -> None:
    gap = staffing_gap(EIGHT, 30, needed=[2, 3, 3, 1], logged_in=[2.0, 1.5, 4.0, None])
    assert [item.gap for item in gap.intervals] == [0.0, -1.5, 1.0, None]
    assert gap.short_intervals == 1
    assert gap.short_agent_hours == pytest.approx(0.75)  # 1.5 agents short for half an hour
    assert gap.worst is not None
    assert gap.worst.start == datetime(2026, 11, 23, 8, 30)
    report = gap.as_json()
    assert report["intervals"][3] == {
        "start": "2026-11-23T09:30:00",
        "needed": 1,
        "logged_in": None,
        "gap": None,
    }


def test_logged_in_agents_are_averaged_over_each_interval_until_now() -> None:
    sessions = [
        (datetime(2026, 11, 23, 7, 0), datetime(2026, 11, 23, 8, 45)),  # all of 08:00, 15 min of 08:30
        (datetime(2026, 11, 23, 8, 15), None),  # still logged in: 15 min of 08:00, then on
        (datetime(2026, 11, 23, 9, 0), None),  # logs in after now: not counted
    ]
    now = datetime(2026, 11, 23, 8, 50)
    logged = logged_in_per_interval(sessions, EIGHT, 30, 4, now)
    # 08:00–08:30: 30 + 15 agent-minutes / 30 = 1.5; 08:30–08:50 (elapsed part): 15 + 20 / 20 = 1.75
    assert logged == [pytest.approx(1.5), pytest.approx(1.75), None, None]
    gap = staffing_gap(EIGHT, 30, [2, 2, 2, 2], logged)
    assert gap.short_intervals == 2
    assert gap.short_agent_hours == pytest.approx((0.5 + 0.25) / 2)


def test_mismatched_lengths_name_the_field() -> None:
    with pytest.raises(Invalid) as caught:
        staffing_gap(EIGHT, 30, [1, 2], [1.0])
    assert caught.value.field == "logged_in"
