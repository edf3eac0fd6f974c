"""The contact-center simulator ("digital twin"): a workload replayed through the real routing engine.

A discrete-event loop over Poisson arrivals, handle times, customer patience and agents, in which every
routing decision is made by ``holdless.routing.RoutingEngine`` exactly as on the server: contacts join
with ``ContactQueued``, simulated agents accept every ``Offer`` at once (``OfferAccepted`` at the offer
time), finish with ``ConversationEnded`` and impatient customers leave with ``ContactLeft``. The engine's
timers (at-risk band crossings) fire on the next event it is given, as on the server; a ``Tick`` every
minute lets it compact its heaps.

Pure: no I/O. Randomness comes from a seeded ``numpy.random.Generator``; the wall clock used for
``events_per_second`` is injected (pass a fake one and the whole result is reproducible to the bit).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from heapq import heappop, heappush

import numpy as np

from holdless.routing import (
    AgentChanged,
    AgentState,
    ContactLeft,
    ContactQueued,
    ConversationEnded,
    Decision,
    Offer,
    OfferAccepted,
    PositionUpdate,
    RoutingConfig,
    RoutingEngine,
    Segment,
)
from holdless.workforce.scenario import Scenario, TimeDistribution
from holdless.workforce.series import SimulationSeries, record_series

QUEUE = "main"
CHANNEL = "voice"
SHORT_ABANDON_SECONDS = 5.0  # product.md: abandons shorter than this are left out of the service level
TICK_SECONDS = 60.0

_WAITING, _ANSWERED, _ABANDONED = 0, 1, 2
_END, _ABANDON = 0, 1  # event kinds, packed into the heap entry as index * 2 + kind

Clock = Callable[[], float]
Progress = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class SegmentFigures:
    """What one segment (or all of them) got over the run.

    ``service_level``: answered within the segment's T / (answered + abandoned after T, not shorter
    than 5 s), None when nobody counts. ``asa_seconds``: mean wait of answered contacts.
    ``max_wait_seconds``: the longest time any contact spent in line, answered or abandoned.
    """

    offered: int
    answered: int
    abandoned: int
    service_level: float | None
    asa_seconds: float | None
    max_wait_seconds: float

    def as_json(self) -> dict[str, float | int | None]:
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "service_level": self.service_level,
            "asa_seconds": self.asa_seconds,
            "max_wait_seconds": self.max_wait_seconds,
        }


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """One run. ``occupancy`` is handling time inside the scenario's span / (agents × span).

    ``ewt_mae_seconds`` is the mean absolute error between the expected wait the engine told a contact
    when it joined the line (its first ``PositionUpdate``) and the wait it actually had, over answered
    contacts that were told one (contacts offered at once are told nothing); None if there were none.
    """

    segments: Mapping[str, SegmentFigures]
    overall: SegmentFigures
    occupancy: float
    ewt_mae_seconds: float | None
    ewt_told: int  # answered contacts the EWT error is measured over
    engine_events: int
    wall_seconds: float
    series: SimulationSeries | None = None  # per-interval series, when asked for

    @property
    def events_per_second(self) -> float:
        return self.engine_events / self.wall_seconds if self.wall_seconds > 0 else math.inf

    def as_json(self) -> dict[str, object]:
        """The JSON shape printed by ``holdless simulate --json`` (outside checks read these keys)."""
        return {
            "segments": {name: figures.as_json() for name, figures in self.segments.items()},
            "overall": self.overall.as_json(),
            "occupancy": self.occupancy,
            "ewt_mae_seconds": self.ewt_mae_seconds,
            "events_per_second": self.events_per_second,
        }


def routing_config(scenario: Scenario) -> RoutingConfig:
    """The engine configuration a workspace with this scenario's segments and policy would run."""
    segments = tuple(
        Segment(segment.name, segment.priority, segment.target, segment.seconds)
        for segment in scenario.segments
    )
    return RoutingConfig(
        segments=segments,
        policy=scenario.policy,
        default_handle_seconds=scenario.handle_time.mean_seconds,
    )


@dataclass(frozen=True, slots=True)
class Workload:
    """The drawn day: per contact (in arrival order) arrival time, handle time, patience, segment index."""

    arrivals: list[float]
    handle_seconds: list[float]
    patience_seconds: list[float] | None
    segments: list[int]


def draw_workload(scenario: Scenario, rng: np.random.Generator) -> Workload:
    """Poisson arrivals over the span (a Poisson count of uniform times), with their times and segments."""
    span = scenario.duration_hours * 3600.0
    count = int(rng.poisson(scenario.arrivals_per_hour * scenario.duration_hours))
    arrivals = np.sort(rng.uniform(0.0, span, count))
    handle = _draw_times(scenario.handle_time, rng, count)
    patience = None if scenario.patience is None else _draw_times(scenario.patience, rng, count).tolist()
    shares = np.cumsum([segment.share for segment in scenario.segments])
    shares[-1] = 1.0
    segments = np.searchsorted(shares, rng.uniform(0.0, 1.0, count), side="right")
    segments = np.minimum(segments, len(scenario.segments) - 1)
    return Workload(arrivals.tolist(), handle.tolist(), patience, segments.tolist())


def _draw_times(distribution: TimeDistribution, rng: np.random.Generator, count: int) -> np.ndarray:
    mean = distribution.mean_seconds
    if distribution.distribution == "exponential":
        return rng.exponential(mean, count)
    sigma2 = math.log1p(distribution.cv**2)
    return rng.lognormal(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2), count)


def simulate(
    scenario: Scenario,
    *,
    seed: int | np.random.SeedSequence | None = None,
    clock: Clock = time.perf_counter,
    series_minutes: int | None = None,
    on_progress: Progress | None = None,
) -> SimulationResult:
    """Run the scenario once through the routing engine; ``seed`` overrides ``scenario.seed``.

    ``series_minutes``: also record per-interval series (waiting, service level) at that interval.
    ``on_progress(share)`` is called once per simulated minute with the share of the span done.
    """
    started = clock()
    rng = np.random.default_rng(scenario.seed if seed is None else seed)
    workload = draw_workload(scenario, rng)
    outcome = _run(scenario, workload, on_progress)
    wall = clock() - started
    result = _measure(scenario, workload, outcome, wall)
    if series_minutes is None:
        return result
    series = record_series(
        span_seconds=scenario.duration_hours * 3600.0,
        interval_minutes=series_minutes,
        arrivals=workload.arrivals,
        waits=outcome.waits,
        answered=[state == _ANSWERED for state in outcome.state],
        segment_of=workload.segments,
        segments=[(segment.name, segment.target, segment.seconds) for segment in scenario.segments],
    )
    return replace(result, series=series)


@dataclass(slots=True)
class _Outcome:
    state: list[int]
    waits: list[float]  # time in line: until answered or until abandoned
    told: list[float | None]  # expected wait told on joining
    engine_events: int


def _run(scenario: Scenario, workload: Workload, on_progress: Progress | None = None) -> _Outcome:
    engine = RoutingEngine(routing_config(scenario))
    on_event = engine.on_event
    arrivals, handle, patience = workload.arrivals, workload.handle_seconds, workload.patience_seconds
    names = [segment.name for segment in scenario.segments]
    segment_of = workload.segments
    count = len(arrivals)
    ids = [str(index) for index in range(count)]
    state = [_WAITING] * count
    waits = [0.0] * count
    told: list[float | None] = [None] * count
    events = 0
    for agent in range(scenario.agents):
        on_event(AgentChanged(f"a{agent}", AgentState.AVAILABLE, capacity={CHANNEL: 1}), 0.0)
        events += 1
    heap: list[tuple[float, int]] = []
    next_arrival = 0
    next_tick = TICK_SECONDS
    never = math.inf

    def answer(decisions: list[Decision], now: float) -> int:
        """Simulated agents accept every offer at once; returns the engine events fed."""
        fed = 0
        for decision in decisions:
            if type(decision) is Offer:
                index = int(decision.contact_id)
                state[index] = _ANSWERED
                waits[index] = now - arrivals[index]
                on_event(OfferAccepted(decision.contact_id, decision.agent_id), now)
                heappush(heap, (now + handle[index], index * 2))
                fed += 1
        return fed

    while next_arrival < count or heap:
        arrival_at = arrivals[next_arrival] if next_arrival < count else never
        heap_at = heap[0][0] if heap else never
        now = arrival_at if arrival_at <= heap_at else heap_at
        if now >= next_tick:
            events += 1 + answer(engine.tick(next_tick), next_tick)
            if on_progress is not None:
                on_progress(min(1.0, next_tick / (scenario.duration_hours * 3600.0)))
            next_tick += TICK_SECONDS
            continue
        if arrival_at <= heap_at:
            index = next_arrival
            next_arrival += 1
            contact_id = ids[index]
            decisions = on_event(ContactQueued(contact_id, QUEUE, names[segment_of[index]], CHANNEL), now)
            events += 1
            for decision in decisions:
                if type(decision) is PositionUpdate and decision.contact_id == contact_id:
                    told[index] = decision.expected_wait_seconds
            if patience is not None:
                heappush(heap, (now + patience[index], index * 2 + _ABANDON))
        else:
            _, code = heappop(heap)
            index, kind = divmod(code, 2)
            if kind == _END:
                decisions = on_event(ConversationEnded(ids[index], handle[index]), now)
            elif state[index] == _WAITING:
                state[index] = _ABANDONED
                waits[index] = now - arrivals[index]
                decisions = on_event(ContactLeft(ids[index]), now)
            else:
                continue
            events += 1
        events += answer(decisions, now)
    return _Outcome(state, waits, told, events)


def _measure(scenario: Scenario, workload: Workload, outcome: _Outcome, wall: float) -> SimulationResult:
    segments = scenario.segments
    size = len(segments)
    offered, answered, abandoned, in_target, late_abandons = ([0] * size for _ in range(5))
    wait_sum, max_wait = [0.0] * size, [0.0] * size
    span = scenario.duration_hours * 3600.0
    busy = 0.0
    error_sum, error_count = 0.0, 0
    for index, segment_index in enumerate(workload.segments):
        wait = outcome.waits[index]
        seconds = segments[segment_index].seconds
        offered[segment_index] += 1
        max_wait[segment_index] = max(max_wait[segment_index], wait)
        if outcome.state[index] == _ANSWERED:
            answered[segment_index] += 1
            wait_sum[segment_index] += wait
            if wait <= seconds:
                in_target[segment_index] += 1
            start = workload.arrivals[index] + wait
            busy += max(0.0, min(start + workload.handle_seconds[index], span) - min(start, span))
            told = outcome.told[index]
            if told is not None:
                error_sum += abs(told - wait)
                error_count += 1
        else:
            abandoned[segment_index] += 1
            if wait > seconds and wait >= SHORT_ABANDON_SECONDS:
                late_abandons[segment_index] += 1

    def figures(rows: range) -> SegmentFigures:
        answered_n = sum(answered[row] for row in rows)
        counted = answered_n + sum(late_abandons[row] for row in rows)
        return SegmentFigures(
            offered=sum(offered[row] for row in rows),
            answered=answered_n,
            abandoned=sum(abandoned[row] for row in rows),
            service_level=sum(in_target[row] for row in rows) / counted if counted else None,
            asa_seconds=sum(wait_sum[row] for row in rows) / answered_n if answered_n else None,
            max_wait_seconds=max((max_wait[row] for row in rows), default=0.0),
        )

    return SimulationResult(
        segments={segment.name: figures(range(row, row + 1)) for row, segment in enumerate(segments)},
        overall=figures(range(size)),
        occupancy=busy / (scenario.agents * span),
        ewt_mae_seconds=error_sum / error_count if error_count else None,
        ewt_told=error_count,
        engine_events=outcome.engine_events,
        wall_seconds=wall,
    )
