from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from holdless.errors import Invalid
from holdless.workforce import StaffingTarget, erlang_a_figures, erlang_c_figures, required_agents

from .exact import chain_erlang_a

CASES = [
    # agents, arrivals/h, AHT s, patience s, target s
    (1, 10.0, 120.0, 60.0, 15.0),
    (3, 60.0, 180.0, 120.0, 20.0),
    (10, 200.0, 180.0, 60.0, 30.0),
    (5, 200.0, 180.0, 300.0, 10.0),  # overloaded: twice the traffic the agents can carry
    (20, 400.0, 180.0, 200.0, 60.0),
    (12, 200.0, 180.0, 1e4, 20.0),  # patient customers
    (40, 900.0, 150.0, 45.0, 0.0),  # T = 0: SL is the share answered at once
]


@pytest.mark.parametrize("case", CASES)
def test_erlang_a_matches_the_birth_death_chain_summed_state_by_state(
    case: tuple[int, float, float, float, float],
) -> None:
    figures = erlang_a_figures(*case)
    chain = chain_erlang_a(*case)
    assert figures.p_wait == pytest.approx(chain.p_wait, rel=1e-9)
    assert figures.abandon_rate == pytest.approx(chain.abandon_rate, rel=1e-9)
    assert figures.service_level == pytest.approx(chain.service_level, rel=1e-9, abs=1e-12)
    assert figures.asa_seconds == pytest.approx(chain.asa_seconds, rel=1e-9)
    assert figures.occupancy == pytest.approx(chain.occupancy, rel=1e-9)


@pytest.mark.parametrize(("agents", "traffic"), [(3, 2.5), (14, 10.0), (110, 100.0), (2030, 2000.0)])
def test_erlang_a_becomes_erlang_c_as_patience_grows_without_bound(agents: int, traffic: float) -> None:
    aht, target = 200.0, 20.0
    arrivals = traffic * 3600 / aht
    c = erlang_c_figures(agents, arrivals, aht, target)
    a = erlang_a_figures(agents, arrivals, aht, aht * 1e6, target)
    assert a.abandon_rate < 1e-5
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-4)  # the gap shrinks like 1/patience


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.floats(1.0, 300.0), st.floats(10.0, 3000.0), st.floats(0.0, 120.0), st.integers(1, 30))
def test_each_added_agent_cuts_abandonment_and_raises_service_level(
    traffic: float, patience: float, target: float, extra: int
) -> None:
    arrivals = traffic * 3600 / 180.0
    low = max(1, math.floor(traffic) - extra)
    figures = [
        erlang_a_figures(n, arrivals, 180.0, patience, target) for n in range(low, low + 2 * extra + 1)
    ]
    for fewer, more in itertools.pairwise(figures):
        assert more.abandon_rate <= fewer.abandon_rate * (1 + 1e-12)
        assert more.service_level >= fewer.service_level - 1e-12
        assert more.occupancy <= fewer.occupancy * (1 + 1e-12)
    assert all(0 <= f.service_level <= 1 and 0 <= f.abandon_rate <= 1 for f in figures)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.floats(10.0, 2000.0), st.floats(60.0, 600.0), st.floats(15.0, 900.0), st.floats(0.3, 0.95))
def test_erlang_a_staffs_the_smallest_n_and_never_more_than_erlang_c(
    arrivals: float, aht: float, patience: float, level: float
) -> None:
    target = StaffingTarget(level, 20.0, max_occupancy=0.9)
    with_abandons = required_agents(arrivals, aht, target, patience_seconds=patience)
    without = required_agents(arrivals, aht, target)
    n = with_abandons.agents
    assert 1 <= n <= without.agents
    assert with_abandons.figures.service_level >= level
    if n > 1:
        fewer = erlang_a_figures(n - 1, arrivals, aht, patience, 20.0)
        assert fewer.service_level < level or fewer.occupancy > 0.9


@pytest.mark.parametrize("traffic", [2000.0, 5000.0])
def test_erlang_a_holds_for_thousands_of_erlangs(traffic: float) -> None:
    requirement = required_agents(
        traffic * 3600 / 300, 300.0, StaffingTarget(0.8, 20.0, max_occupancy=0.95), patience_seconds=180.0
    )
    figures = requirement.figures
    assert 0.8 <= figures.service_level <= 1.0
    assert figures.occupancy <= 0.95
    assert 0.0 <= figures.abandon_rate < 0.01
    assert all(math.isfinite(v) for v in (figures.p_wait, figures.asa_seconds, figures.occupancy))
    overloaded = erlang_a_figures(int(traffic * 0.8), traffic * 3600 / 300, 300.0, 180.0, 20.0)
    assert overloaded.abandon_rate == pytest.approx(0.2, abs=0.02)  # the agents carry 80%: the rest leave
    assert math.isfinite(overloaded.asa_seconds)


def test_without_an_occupancy_cap_early_abandons_let_the_sl_be_met_below_the_traffic() -> None:
    # product.md's SL leaves out those who abandon before T, so with impatient customers and no cap the
    # smallest N meeting 80/20 runs the agents flat out and loses 8% of the contacts: cap occupancy.
    uncapped = required_agents(24_000, 300.0, StaffingTarget(0.8, 20.0), patience_seconds=180.0)
    assert uncapped.agents < 2000
    assert uncapped.figures.abandon_rate > 0.05
    capped = required_agents(
        24_000, 300.0, StaffingTarget(0.8, 20.0, max_occupancy=0.95), patience_seconds=180.0
    )
    assert capped.agents > 2000
    assert capped.figures.abandon_rate < 0.01


def test_nobody_answering_means_everyone_abandons() -> None:
    figures = erlang_a_figures(0, 100.0, 180.0, 60.0, 20.0)
    assert (figures.abandon_rate, figures.service_level, figures.p_wait) == (1.0, 0.0, 1.0)


@pytest.mark.parametrize("patience", [0.0, -3.0, math.inf, math.nan])
def test_patience_must_be_a_positive_number_of_seconds(patience: float) -> None:
    with pytest.raises(Invalid) as raised:
        required_agents(100.0, 180.0, StaffingTarget(0.8, 20.0), patience_seconds=patience)
    assert raised.value.field == "patience_seconds"
