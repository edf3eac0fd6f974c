from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from holdless.errors import Invalid
from holdless.workforce import StaffingTarget, plan_day, required_agents

TARGET = StaffingTarget(0.8, 20.0, max_occupancy=0.85, shrinkage=0.3)


def _day(peak: float, seed: int = 7) -> np.ndarray:
    """Contacts per 15-minute interval: a morning and an afternoon peak, quiet at night, some noise."""
    hours = np.arange(96) / 4.0
    shape = np.exp(-((hours - 10.5) ** 2) / 4.0) + 0.8 * np.exp(-((hours - 15.0) ** 2) / 6.0)
    noise = np.random.default_rng(seed).uniform(0.9, 1.1, 96)
    return np.round(peak * shape * noise, 1)


def test_a_day_plan_is_the_interval_search_run_on_every_interval() -> None:
    arrivals = _day(150.0)
    aht = np.linspace(160.0, 260.0, 96)
    plan = plan_day(arrivals, aht, TARGET)
    for i in range(96):
        one = required_agents(float(arrivals[i]) * 4, float(aht[i]), TARGET)
        assert plan.agents[i] == one.agents
        assert plan.scheduled_agents[i] == one.scheduled_agents
        assert plan.service_level[i] == pytest.approx(one.figures.service_level, rel=1e-12)
        assert plan.asa_seconds[i] == pytest.approx(one.figures.asa_seconds, rel=1e-9)
        assert plan.p_wait[i] == pytest.approx(one.figures.p_wait, rel=1e-12)
        assert plan.occupancy[i] == pytest.approx(one.figures.occupancy, rel=1e-12)


def test_an_erlang_a_day_plan_matches_its_intervals() -> None:
    arrivals = _day(120.0, seed=3)
    plan = plan_day(arrivals, 200.0, TARGET, patience_seconds=150.0)
    for i in range(0, 96, 7):
        one = required_agents(float(arrivals[i]) * 4, 200.0, TARGET, patience_seconds=150.0)
        assert plan.agents[i] == one.agents
        assert plan.abandon_rate[i] == pytest.approx(one.figures.abandon_rate, rel=1e-12)
        assert plan.service_level[i] == pytest.approx(one.figures.service_level, rel=1e-12)


def test_intervals_without_contacts_need_nobody_and_the_plan_is_read_only() -> None:
    plan = plan_day([0.0, 0.0, 30.0], 180.0, TARGET, interval_seconds=1800.0)
    assert plan.agents.tolist()[:2] == [0, 0]
    assert plan.service_level[0] == 1.0
    assert plan.agents[2] == required_agents(60.0, 180.0, TARGET).agents
    with pytest.raises(ValueError, match="read-only"):
        plan.agents[0] = 3
    assert plan_day([], 180.0, TARGET).agents.size == 0


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.floats(0.0, 20000.0), min_size=1, max_size=12), st.floats(60.0, 600.0))
def test_day_plans_agree_with_single_intervals_up_to_thousands_of_erlangs(
    arrivals: list[float], aht: float
) -> None:
    plan = plan_day(arrivals, aht, TARGET)
    expected = [required_agents(v * 4, aht, TARGET).agents for v in arrivals]
    assert plan.agents.tolist() == expected


@pytest.mark.parametrize(
    ("arrivals", "aht", "field"),
    [
        ([1.0, -2.0], 180.0, "arrivals"),
        ([1.0, float("nan")], 180.0, "arrivals"),
        ([1.0, 2.0], [180.0, 0.0], "aht_seconds"),
        ([1.0, 2.0], [180.0], "aht_seconds"),
        ([[1.0]], 180.0, "arrivals"),
    ],
)
def test_bad_day_inputs_name_the_field(arrivals: object, aht: object, field: str) -> None:
    with pytest.raises(Invalid) as raised:
        plan_day(arrivals, aht, TARGET)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_a_low_occupancy_cap_on_heavy_traffic_stays_finite_and_matches_intervals() -> None:
    # N ≈ A/0.3 puts the Erlang B terms' peak far beyond a double: the plan switches to log space.
    target = StaffingTarget(0.8, 20.0, max_occupancy=0.3)
    arrivals = [12_000.0, 30.0, 3.0]
    plan = plan_day(arrivals, 300.0, target)
    assert plan.agents.tolist() == [required_agents(v * 4, 300.0, target).agents for v in arrivals]
    assert np.isfinite(plan.p_wait).all()
