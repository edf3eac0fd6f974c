from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from holdless.errors import Invalid
from holdless.workforce import (
    StaffingTarget,
    erlang_b,
    erlang_c,
    erlang_c_figures,
    required_agents,
)

from .exact import exact_erlang_c, exact_service_level

TRAFFIC_GRID = [0.1, 0.5, 1.0, 2.5, 7.3, 10.0, 20.0, 55.5, 100.0, 333.3, 1000.0, 2000.0, 4999.5, 5000.0]


def _agent_grid(traffic: float) -> list[int]:
    first = math.floor(traffic) + 1
    spread = math.sqrt(traffic)
    return sorted({first, first + 1, first + math.ceil(spread), first + math.ceil(3 * spread) + 2})


@pytest.mark.parametrize("traffic", TRAFFIC_GRID)
def test_erlang_c_matches_exact_rational_arithmetic_from_tenth_of_an_erlang_to_five_thousand(
    traffic: float,
) -> None:
    agent_grid = (
        _agent_grid(traffic) if traffic < 4000 else [math.floor(traffic) + 1, math.floor(traffic) + 60]
    )
    for agents in agent_grid:
        exact = exact_erlang_c(agents, traffic)
        assert erlang_c(agents, traffic) == pytest.approx(float(exact), rel=1e-9, abs=0)


@pytest.mark.parametrize("traffic", [0.5, 7.3, 100.0, 2000.0])
def test_service_level_and_asa_follow_the_staffing_formulas(traffic: float) -> None:
    aht, target = 240.0, 30.0
    arrivals_per_hour = traffic * 3600.0 / aht
    agents = math.floor(traffic) + 1 + math.ceil(math.sqrt(traffic))
    figures = erlang_c_figures(agents, arrivals_per_hour, aht, target)
    exact = float(exact_erlang_c(agents, figures.traffic_erlangs))
    assert figures.p_wait == pytest.approx(exact, rel=1e-9)
    assert figures.service_level == pytest.approx(
        exact_service_level(agents, figures.traffic_erlangs, aht, target), abs=1e-12
    )
    assert figures.asa_seconds == pytest.approx(exact * aht / (agents - figures.traffic_erlangs), rel=1e-9)
    assert figures.occupancy == pytest.approx(figures.traffic_erlangs / agents, rel=1e-15)


def test_erlang_b_is_the_loss_formula() -> None:
    # B(2, 1) = (1/2)/(1 + 1 + 1/2) = 0.2
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-15)
    assert erlang_b(0, 3.0) == 1.0


def test_textbook_interval_200_calls_an_hour_of_3_minutes_needs_14_agents_for_80_in_20() -> None:
    # The classic worked example (100 calls per half hour, AHT 180 s, 80/20): 10 erlangs, 14 agents.
    requirement = required_agents(200.0, 180.0, StaffingTarget(0.8, 20.0, shrinkage=0.3))
    assert requirement.agents == 14
    assert exact_service_level(14, 10.0, 180.0, 20.0) >= 0.8 > exact_service_level(13, 10.0, 180.0, 20.0)
    assert requirement.figures.service_level == pytest.approx(
        exact_service_level(14, 10.0, 180.0, 20.0), abs=1e-12
    )
    assert requirement.scheduled_agents == 20  # 14 / 0.7


def test_fractional_traffic_above_one_half_is_not_overstaffed() -> None:
    # A = 10.6: ⌊A⌋ + 1 = 11 agents already meet a loose 5/20 target; starting at round(A) + 1 = 12 would not.
    requirement = required_agents(10.6 * 3600 / 300, 300.0, StaffingTarget(0.05, 20.0))
    assert requirement.figures.traffic_erlangs == pytest.approx(10.6)
    assert requirement.agents == 11
    assert exact_service_level(11, requirement.figures.traffic_erlangs, 300.0, 20.0) >= 0.05


def test_occupancy_cap_of_85_percent_at_150_seconds_is_20_4_contacts_per_agent_hour() -> None:
    per_agent_hour = 3600.0 / 150.0 * 0.85
    assert per_agent_hour == pytest.approx(20.4)
    requirement = required_agents(
        20.4 * 100, 150.0, StaffingTarget(0.5, 60.0, max_occupancy=0.85)
    )  # 85 erlangs
    assert requirement.agents == 100
    assert requirement.figures.occupancy == pytest.approx(0.85)


@pytest.mark.parametrize(("agents", "shrinkage", "scheduled"), [(7, 0.3, 10), (14, 0.3, 20), (10, 0.0, 10)])
def test_shrinkage_rounds_the_roster_up_without_binary_noise(
    agents: int, shrinkage: float, scheduled: int
) -> None:
    arrivals = (agents - 0.5) * 3600 / 100  # a loose target staffs exactly ⌊A⌋ + 1 = agents
    requirement = required_agents(arrivals, 100.0, StaffingTarget(0.01, 0.0, shrinkage=shrinkage))
    assert requirement.agents == agents
    assert requirement.scheduled_agents == scheduled


@pytest.mark.parametrize("traffic", [2000.0, 5000.0])
def test_thousands_of_erlangs_stay_finite_and_sane(traffic: float) -> None:
    requirement = required_agents(traffic * 3600 / 300, 300.0, StaffingTarget(0.8, 20.0))
    figures = requirement.figures
    assert traffic < figures.agents < traffic * 1.1
    assert 0.8 <= figures.service_level <= 1.0
    assert all(math.isfinite(v) for v in (figures.p_wait, figures.asa_seconds, figures.occupancy))
    exact = exact_service_level(figures.agents - 1, traffic, 300.0, 20.0)
    assert exact < 0.8
    assert erlang_c(figures.agents + 500, traffic) >= 0.0


def test_no_traffic_needs_nobody() -> None:
    requirement = required_agents(0.0, 300.0, StaffingTarget(0.9, 10.0, shrinkage=0.3))
    assert (requirement.agents, requirement.scheduled_agents) == (0, 0)
    assert requirement.figures.service_level == 1.0


@pytest.mark.parametrize(
    ("arrivals", "aht", "target"),
    [
        (-1.0, 180.0, {}),
        (math.nan, 180.0, {}),
        (100.0, 0.0, {}),
        (100.0, -5.0, {}),
    ],
)
def test_bad_workloads_are_rejected(arrivals: float, aht: float, target: dict[str, float]) -> None:
    with pytest.raises(Invalid):
        required_agents(arrivals, aht, StaffingTarget(0.8, 20.0, **target))


@pytest.mark.parametrize(
    "fields",
    [
        {"service_level": 0.0},
        {"service_level": 1.01},
        {"target_seconds": -1.0},
        {"max_occupancy": 0.0},
        {"max_occupancy": 1.2},
        {"shrinkage": 1.0},
        {"shrinkage": -0.1},
    ],
)
def test_bad_targets_are_rejected_naming_the_field(fields: dict[str, float]) -> None:
    values = {"service_level": 0.8, "target_seconds": 20.0} | fields
    with pytest.raises(Invalid) as raised:
        StaffingTarget(**values)
    assert raised.value.field == next(iter(fields))


workloads = st.tuples(
    st.floats(1.0, 2000.0),  # arrivals per hour
    st.floats(30.0, 900.0),  # AHT seconds
    st.floats(0.0, 120.0),  # target seconds
    st.floats(0.05, 0.99),  # service level
    st.floats(0.5, 1.0),  # occupancy cap
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(workloads)
def test_required_agents_is_the_smallest_n_meeting_both_targets(
    workload: tuple[float, float, float, float, float],
) -> None:
    arrivals, aht, target_seconds, level, cap = workload
    requirement = required_agents(arrivals, aht, StaffingTarget(level, target_seconds, max_occupancy=cap))
    n, traffic = requirement.agents, requirement.figures.traffic_erlangs
    met = exact_service_level(n, traffic, aht, target_seconds)
    assume(abs(met - level) > 1e-12)
    assert met >= level
    assert traffic / n <= cap + 1e-9
    fewer = n - 1
    if fewer > traffic and traffic / fewer <= cap:
        below = exact_service_level(fewer, traffic, aht, target_seconds)
        assume(abs(below - level) > 1e-12)
        assert below < level


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.floats(0.1, 500.0), st.floats(0.0, 5.0), st.integers(1, 40))
def test_service_level_rises_with_every_agent_added(traffic: float, target_in_aht: float, extra: int) -> None:
    first = math.floor(traffic) + 1
    levels = [
        erlang_c_figures(n, traffic * 3600 / 100, 100.0, target_in_aht * 100).service_level
        for n in range(first, first + extra)
    ]
    assert all(later >= earlier for earlier, later in itertools.pairwise(levels))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.floats(1.0, 3000.0), st.floats(1.0, 1.5), st.floats(0.5, 0.99))
def test_more_contacts_never_need_fewer_agents(arrivals: float, growth: float, level: float) -> None:
    target = StaffingTarget(level, 20.0, max_occupancy=0.9)
    assert (
        required_agents(arrivals * growth, 240.0, target).agents
        >= required_agents(arrivals, 240.0, target).agents
    )
