"""Shift schedules: every interval covered, at the hand-computed cheapest cost; requirements from Erlang."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from holdless.errors import Invalid
from holdless.workforce.schedule import Requirements, ShiftTemplate, schedule, staffing_requirements
from holdless.workforce.shift_templates import parse_shift_templates
from holdless.workforce.staffing import StaffingTarget, required_agents

MONDAY = datetime(2026, 11, 23)


def hourly(*agents: int) -> Requirements:
    return Requirements(MONDAY, 60, np.array(agents))


def test_tiny_case_costs_the_hand_computed_optimum() -> None:
    # Need 1, 2, 2, 1 people over four hours. A 4-hour shift (cost 4) may start only at 00:00; 2-hour
    # shifts cost 2.5. By hand: one long shift + one short at 01:00 = 6.5, exact cover. Alternatives:
    # two long = 8; shorts only (00-02, 01-03, 02-04) = 7.5.
    templates = [
        ShiftTemplate("long", 240, cost=4.0, starts=((0, 0),)),
        ShiftTemplate("short", 120, cost=2.5),
    ]
    result = schedule(hourly(1, 2, 2, 1), templates, time_limit_seconds=5)
    assert result.status == "optimal"
    assert result.cost == pytest.approx(6.5)
    assert result.scheduled.tolist() == [1, 2, 2, 1]
    assert result.over.tolist() == [0, 0, 0, 0]
    assert result.under.tolist() == [0, 0, 0, 0]
    chosen = sorted((shift.template, shift.start.hour, shift.count) for shift in result.shifts)
    assert chosen == [("long", 0, 1), ("short", 1, 1)]
    report = result.as_json()
    assert report["cost"] == pytest.approx(6.5)
    assert report["shift_count"] == 2


def test_a_break_leaves_its_interval_uncovered_and_is_unpaid() -> None:
    # 5-hour shift with a 1-hour break starting 2 hours in: works hours 0, 1, 3, 4; costs 4 paid hours.
    template = ShiftTemplate("day", 300, break_minutes=60, break_earliest=120, break_latest=120)
    result = schedule(hourly(1, 1, 0, 1, 1), [template], time_limit_seconds=5)
    assert result.cost == pytest.approx(4.0)
    assert result.scheduled.tolist() == [1, 1, 0, 1, 1]
    assert result.shifts[0].break_start == datetime(2026, 11, 23, 2)


def test_cover_beats_the_requirement_where_shifts_are_longer_than_the_peak() -> None:
    result = schedule(hourly(0, 2, 1, 0, 0, 3), [ShiftTemplate("two", 120)], time_limit_seconds=5)
    assert (result.scheduled >= result.requirements.agents).all()
    assert result.cost == pytest.approx(2 * 2 + 3 * 2)  # 2 at 01-03, 3 at 04-06 (ends at the horizon)
    assert result.over.sum() == 1 + 3


def test_cyclic_plan_wraps_shifts_around_its_end() -> None:
    need = hourly(1, 0, 0, 1)
    straight = schedule(need, [ShiftTemplate("two", 120)], time_limit_seconds=5)
    wrapped = schedule(need, [ShiftTemplate("two", 120)], time_limit_seconds=5, cyclic=True)
    assert straight.cost == pytest.approx(4.0)
    assert wrapped.cost == pytest.approx(2.0)  # one shift 03:00 → 05:00 covers hours 3 and 0


def test_shortfalls_allowed_at_a_cost_when_cheaper_than_a_shift() -> None:
    result = schedule(hourly(1, 0, 0, 0), [ShiftTemplate("four", 240)], time_limit_seconds=5, under_cost=0.5)
    assert result.shifts == ()
    assert result.under.tolist() == [1, 0, 0, 0]
    assert result.cost == pytest.approx(0.5)


def test_a_day_of_thirty_minute_intervals_is_fully_covered() -> None:
    slots = np.arange(48)
    volume = 60.0 * np.exp(-(((slots - 22) / 6.0) ** 2))
    target = StaffingTarget(0.8, 20.0, max_occupancy=0.85, shrinkage=0.3)
    need = staffing_requirements(MONDAY, 30, volume, 240.0, target)
    templates = parse_shift_templates(
        [{"name": "full", "hours": 8}, {"name": "part", "hours": 4, "cost": 4.4, "starts": "06:00-20:00"}]
    )
    result = schedule(need, templates, time_limit_seconds=5)
    assert (result.scheduled >= need.agents).all()
    assert result.under.sum() == 0
    assert result.cost >= result.lower_bound - 1e-6
    assert result.cost >= need.agents.sum() / 2 - 1e-6  # at least one paid hour per two required intervals


def test_requirements_are_erlang_c_scheduled_agents_per_interval() -> None:
    target = StaffingTarget(0.8, 20.0, max_occupancy=0.85, shrinkage=0.3)
    need = staffing_requirements(MONDAY, 30, [0.0, 50.0, 100.0], 180.0, target)
    expected = [0] + [required_agents(v * 2, 180.0, target).scheduled_agents for v in (50.0, 100.0)]
    assert need.agents.tolist() == expected
    assert need.interval_start(2) == datetime(2026, 11, 23, 1)


def test_an_interval_no_shift_can_reach_is_named() -> None:
    late = ShiftTemplate("late", 120, starts=((9 * 60, 9 * 60),))
    with pytest.raises(Invalid, match=r"requirements\[3\] \(Mon 03:00\)"):
        schedule(Requirements(MONDAY, 60, np.array([0, 0, 0, 1] + [0] * 20)), [late])


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ([{"name": "a", "hours": 0}], "shifts[0].hours"),
        ([{"name": "a", "hours": 8, "starts": "25:00"}], "shifts[0].starts"),
        ([{"name": "a", "hours": 8, "days": ["funday"]}], "shifts[0].days"),
        ([{"name": "a", "hours": 8, "break": {"minutes": 30, "after_hours": 9}}], "shifts[0].break"),
        ([{"name": "a", "hours": 8}, {"name": "a", "hours": 4}], "shifts[1].name"),
        ([{"name": "a", "hours": 8, "colour": "red"}], "shifts[0].colour"),
    ],
)
def test_bad_shift_templates_name_the_field(raw: object, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_shift_templates(raw)
    assert caught.value.field == field
    assert caught.value.message.startswith(field)


def test_shift_not_on_interval_boundaries_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        schedule(hourly(1, 1), [ShiftTemplate("odd", 90)])
    assert caught.value.field == "shifts.odd.hours"
