"""Required agents for a service-level target, an occupancy cap and shrinkage; one interval or a day.

Required agents = the smallest N meeting the SL target and the occupancy cap (Erlang C, or Erlang A when
a mean patience is given); scheduled agents = ⌈N / (1 − shrinkage)⌉, the people to roster so that N are
answering after breaks, meetings and absence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from holdless.errors import Invalid
from holdless.workforce.erlang import (
    SECONDS_PER_HOUR,
    QueueFigures,
    check_target_seconds,
    check_workload,
    figures_from_c,
    inverse_erlang_b_at_first_stable,
)
from holdless.workforce.erlang_a import check_patience, erlang_a_figures

# Binary rounding makes e.g. 8.5 / 0.85 = 10.000000000000002; a millionth of an agent is not a person.
_ROUNDING_SLACK = 1e-9
# Beyond this the search would walk hundreds of thousands of agents: no contact center is that big.
MAX_TRAFFIC_ERLANGS = 100_000.0
_NEGLIGIBLE_LOG = 40.0
# Less than one contact in a million years of handle time: staff nobody (and keep 1/A finite).
NEGLIGIBLE_TRAFFIC = 1e-12


@dataclass(frozen=True, slots=True)
class StaffingTarget:
    """What the interval must achieve: `service_level` of contacts answered within `target_seconds`."""

    service_level: float
    target_seconds: float
    max_occupancy: float = 1.0
    shrinkage: float = 0.0

    def __post_init__(self) -> None:
        if not (0.0 < self.service_level <= 1.0):
            raise Invalid("service level must be in (0, 1]", field="service_level")
        check_target_seconds(self.target_seconds)
        if not (0.0 < self.max_occupancy <= 1.0):
            raise Invalid("max occupancy must be in (0, 1]", field="max_occupancy")
        if not (0.0 <= self.shrinkage < 1.0):
            raise Invalid("shrinkage must be in [0, 1)", field="shrinkage")


@dataclass(frozen=True, slots=True)
class StaffingRequirement:
    """The fewest agents answering that meet the target, their figures, and the people to schedule."""

    figures: QueueFigures
    scheduled_agents: int

    @property
    def agents(self) -> int:
        return self.figures.agents


@dataclass(frozen=True, slots=True)
class DayPlan:
    """Per-interval requirements for a day (arrays of equal length, read-only)."""

    agents: NDArray[np.int64]
    scheduled_agents: NDArray[np.int64]
    traffic_erlangs: NDArray[np.float64]
    service_level: NDArray[np.float64]
    asa_seconds: NDArray[np.float64]
    p_wait: NDArray[np.float64]
    occupancy: NDArray[np.float64]
    abandon_rate: NDArray[np.float64]


def scheduled_for(agents: int, shrinkage: float) -> int:
    """⌈N / (1 − shrinkage)⌉ people on the roster for N answering."""
    return math.ceil(agents / (1.0 - shrinkage) - _ROUNDING_SLACK)


def occupancy_floor(traffic: float, max_occupancy: float) -> int:
    """The fewest agents whose occupancy A/N stays within the cap."""
    return math.ceil(traffic / max_occupancy - _ROUNDING_SLACK)


def _checked_traffic(arrivals_per_hour: float, aht_seconds: float) -> float:
    check_workload(arrivals_per_hour, aht_seconds)
    traffic = arrivals_per_hour * aht_seconds / SECONDS_PER_HOUR
    if traffic > MAX_TRAFFIC_ERLANGS:
        raise Invalid(f"traffic above {MAX_TRAFFIC_ERLANGS:,.0f} erlangs is out of range", field="arrivals")
    return traffic


def required_agents(
    arrivals_per_hour: float,
    aht_seconds: float,
    target: StaffingTarget,
    *,
    patience_seconds: float | None = None,
) -> StaffingRequirement:
    """Staff one interval: Erlang C, or Erlang A when customers abandon after `patience_seconds` (mean)."""
    traffic = _checked_traffic(arrivals_per_hour, aht_seconds)
    if patience_seconds is not None:
        check_patience(patience_seconds)
    figures = _erlang_c_required(traffic, aht_seconds, target)
    if patience_seconds is not None and traffic >= NEGLIGIBLE_TRAFFIC:
        figures = _erlang_a_required(arrivals_per_hour, aht_seconds, patience_seconds, target, figures.agents)
    return StaffingRequirement(figures, scheduled_for(figures.agents, target.shrinkage))


def _erlang_c_required(traffic: float, aht_seconds: float, target: StaffingTarget) -> QueueFigures:
    if traffic < NEGLIGIBLE_TRAFFIC:
        return QueueFigures(0, traffic, 0.0, 1.0, 0.0, 0.0)
    # Start at ⌊A⌋ + 1, the first stable N: starting at round(A) + 1 skips it when A's fraction is ≥ .5.
    agents, inverse_b = inverse_erlang_b_at_first_stable(traffic)
    blocking = 1.0 / inverse_b
    least = occupancy_floor(traffic, target.max_occupancy)
    decay = target.target_seconds / aht_seconds
    while True:
        if agents >= least:
            p_wait = agents * blocking / (agents - traffic * (1.0 - blocking))
            if 1.0 - p_wait * math.exp(-(agents - traffic) * decay) >= target.service_level:
                return figures_from_c(agents, traffic, p_wait, aht_seconds, target.target_seconds)
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)  # Erlang B recursion, one agent up


def _erlang_a_required(
    arrivals_per_hour: float,
    aht_seconds: float,
    patience_seconds: float,
    target: StaffingTarget,
    erlang_c_agents: int,
) -> QueueFigures:
    """Smallest N for Erlang A. Abandonment only shortens waits and lowers occupancy, so Erlang C's N meets
    the target too and bounds the search from above; gallop down from it, then bisect."""

    def evaluate(agents: int) -> QueueFigures:
        return erlang_a_figures(
            agents, arrivals_per_hour, aht_seconds, patience_seconds, target.target_seconds
        )

    def meets(figures: QueueFigures) -> bool:
        return figures.service_level >= target.service_level and figures.occupancy <= (
            target.max_occupancy + _ROUNDING_SLACK
        )

    best = evaluate(erlang_c_agents)
    while not meets(best):  # only rounding at the boundary can land here
        best = evaluate(best.agents + 1)
    failing, step = 0, 1
    while best.agents - step >= 1:
        candidate = evaluate(best.agents - step)
        if not meets(candidate):
            failing = candidate.agents
            break
        best, step = candidate, step * 2
    while best.agents - failing > 1:
        candidate = evaluate((best.agents + failing) // 2)
        if meets(candidate):
            best = candidate
        else:
            failing = candidate.agents
    return best


def _as_interval_array(values: ArrayLike, size: int, name: str) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        array = np.full(size, float(array))
    if array.shape != (size,):
        raise Invalid(f"{name} must have one value per interval ({size})", field=name)
    return array


def plan_day(
    arrivals: ArrayLike,
    aht_seconds: ArrayLike,
    target: StaffingTarget,
    *,
    interval_seconds: float = 900.0,
    patience_seconds: float | None = None,
) -> DayPlan:
    """Staff every interval of a day: `arrivals` are contacts offered per interval, `aht_seconds` the mean
    handle time per interval (or one value for all). Erlang C runs vectorised over the intervals; Erlang A
    (with `patience_seconds`) searches each interval from its Erlang C answer."""
    volume = np.asarray(arrivals, dtype=np.float64)
    if volume.ndim != 1:
        raise Invalid("arrivals must be a one-dimensional series of intervals", field="arrivals")
    aht = _as_interval_array(aht_seconds, volume.size, "aht_seconds")
    if not math.isfinite(interval_seconds) or interval_seconds <= 0:
        raise Invalid("interval length must be > 0 seconds", field="interval_seconds")
    if not (np.isfinite(volume).all() and (volume >= 0).all()):
        raise Invalid("arrivals must be finite and ≥ 0 in every interval", field="arrivals")
    if not (np.isfinite(aht).all() and (aht > 0).all()):
        raise Invalid("average handle time must be finite and > 0 in every interval", field="aht_seconds")
    traffic = volume * aht / interval_seconds
    if traffic.size and traffic.max() > MAX_TRAFFIC_ERLANGS:
        raise Invalid(f"traffic above {MAX_TRAFFIC_ERLANGS:,.0f} erlangs is out of range", field="arrivals")
    if patience_seconds is not None:
        check_patience(patience_seconds)

    agents, blocking = _erlang_c_day(traffic, aht, target)
    busy = traffic >= NEGLIGIBLE_TRAFFIC
    safe_agents = np.where(busy, agents, 1.0)
    p_wait = np.where(busy, agents * blocking / (safe_agents - traffic * (1.0 - blocking)), 0.0)
    service_level = np.where(
        busy, 1.0 - p_wait * np.exp(-(agents - traffic) * target.target_seconds / aht), 1.0
    )
    asa = np.where(busy, p_wait * aht / np.where(busy, agents - traffic, 1.0), 0.0)
    occupancy = traffic / safe_agents
    abandon = np.zeros_like(traffic)
    if patience_seconds is not None:
        hourly = volume * (SECONDS_PER_HOUR / interval_seconds)
        for i in np.flatnonzero(busy):
            figures = _erlang_a_required(
                float(hourly[i]), float(aht[i]), patience_seconds, target, int(agents[i])
            )
            agents[i] = figures.agents
            p_wait[i], service_level[i] = figures.p_wait, figures.service_level
            asa[i], occupancy[i], abandon[i] = figures.asa_seconds, figures.occupancy, figures.abandon_rate

    whole = agents.astype(np.int64)
    scheduled = np.ceil(whole / (1.0 - target.shrinkage) - _ROUNDING_SLACK).astype(np.int64)
    plan = DayPlan(whole, scheduled, traffic, service_level, asa, p_wait, occupancy, abandon)
    for field in fields(plan):
        getattr(plan, field.name).flags.writeable = False
    return plan


def _erlang_c_day(
    traffic: NDArray[np.float64], aht: NDArray[np.float64], target: StaffingTarget
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(N, B(N, A)) per interval: the scalar search run on all intervals at once (N = 0 where A ≈ 0)."""
    busy = traffic >= NEGLIGIBLE_TRAFFIC
    if not busy.any():
        return np.zeros_like(traffic), np.ones_like(traffic)
    load = np.where(busy, traffic, 1.0)  # placeholder load keeps idle intervals out of 0/0
    least = np.ceil(load / target.max_occupancy - _ROUNDING_SLACK)
    # Start every interval at max(⌊A⌋ + 1, occupancy floor): below it nothing can meet the target.
    agents = np.maximum(np.floor(load) + 1.0, least)
    # 1/B(N, A) = Σ_i N!/((N−i)!·A^i): terms peak near i = N − A at most e^((N−A)(N−A+1)/2A) and fade
    # within ~√(80·A) steps. Plain products while that peak fits a double; log space when a low occupancy
    # cap pushes N far above A.
    offset = agents - load
    reach = float(offset.max()) + math.sqrt(2.0 * _NEGLIGIBLE_LOG * (float(load.max()) + 1.0))
    width = min(int(agents.max()), math.ceil(reach) + 3)
    ratios = np.clip((agents[:, None] - np.arange(width, dtype=np.float64)) / load[:, None], 0.0, None)
    if float((offset * (offset + 1.0) / (2.0 * load)).max()) < 600.0:
        blocking = 1.0 / (1.0 + np.cumprod(ratios, axis=1).sum(axis=1))
    else:
        with np.errstate(divide="ignore"):  # ratio 0 past i = N: ln 0 = −inf ends the sum, as it should
            log_terms = np.cumsum(np.log(ratios), axis=1)
        peak = np.maximum(log_terms.max(axis=1), 0.0)
        blocking = np.exp(-peak) / (np.exp(-peak) + np.exp(log_terms - peak[:, None]).sum(axis=1))
    decay = target.target_seconds / aht
    pending = busy.copy()
    while True:
        p_wait = agents * blocking / (agents - load * (1.0 - blocking))
        pending &= 1.0 - p_wait * np.exp(-(agents - load) * decay) < target.service_level
        if not pending.any():
            break
        grown = agents + 1.0
        agents = np.where(pending, grown, agents)
        blocking = np.where(pending, load * blocking / (grown + load * blocking), blocking)
    return np.where(busy, agents, 0.0), np.where(busy, blocking, 1.0)
