"""Staffing requirements per interval and the cheapest shifts that cover them.

``staffing_requirements`` turns forecast volume and handle time into the people to roster per interval
(Erlang C or A through ``plan_day``, after shrinkage). ``schedule`` picks how many shifts of each template
start at each allowed time (and where their break falls) so that every interval has at least its
requirement at the least cost: an integer covering program solved by OR-Tools CP-SAT in-process, within a
time limit (the best cover found and a proven lower bound are reported when the limit stops it).

Pure: no I/O (CP-SAT runs in this process and writes no files).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import ArrayLike, NDArray

from holdless.errors import Invalid
from holdless.workforce.forecast import INTERVAL_MINUTES, MINUTES_PER_DAY, Forecast
from holdless.workforce.staffing import StaffingTarget, plan_day

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_COST_SCALE = 1000  # CP-SAT takes integer costs: thousandths of the templates' cost unit
_MAX_COLUMNS = 200_000


@dataclass(frozen=True, slots=True)
class Requirements:
    """People needed on the roster per interval, from ``start`` (local wall-clock time)."""

    start: datetime
    interval_minutes: int
    agents: NDArray[np.int64]

    def __post_init__(self) -> None:
        if self.interval_minutes not in INTERVAL_MINUTES:
            raise Invalid(
                f"interval must be one of {', '.join(map(str, INTERVAL_MINUTES))} minutes",
                field="interval_minutes",
            )
        agents = np.asarray(self.agents)
        if agents.ndim != 1 or not agents.size:
            raise Invalid("requirements must be a non-empty series of intervals", field="agents")
        if not np.issubdtype(agents.dtype, np.number) or not np.isfinite(agents).all():
            raise Invalid("required agents must be finite numbers", field="agents")
        if (agents < 0).any() or (agents != np.round(agents)).any():
            raise Invalid("required agents must be whole numbers ≥ 0", field="agents")
        object.__setattr__(self, "agents", agents.astype(np.int64))

    def interval_start(self, index: int) -> datetime:
        return self.start + timedelta(minutes=self.interval_minutes * index)


def staffing_requirements(
    start: datetime,
    interval_minutes: int,
    volume: ArrayLike,
    aht_seconds: ArrayLike,
    target: StaffingTarget,
    *,
    patience_seconds: float | None = None,
) -> Requirements:
    """Scheduled agents (after shrinkage) per interval for contacts ``volume`` per interval."""
    plan = plan_day(
        volume,
        aht_seconds,
        target,
        interval_seconds=interval_minutes * 60.0,
        patience_seconds=patience_seconds,
    )
    return Requirements(start, interval_minutes, plan.scheduled_agents.copy())


def requirements_from_forecast(
    forecast: Forecast, target: StaffingTarget, *, patience_seconds: float | None = None
) -> Requirements:
    """The roster a forecast needs (its handle time forecast is required)."""
    if forecast.aht_seconds is None:
        raise Invalid("the forecast has no handle time; give the history's handle seconds", field="aht")
    aht = np.where(forecast.aht_seconds > 0, forecast.aht_seconds, 1.0)
    return staffing_requirements(
        forecast.start,
        forecast.interval_minutes,
        forecast.volume,
        aht,
        target,
        patience_seconds=patience_seconds,
    )


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    """A kind of shift: its length, cost, allowed start times and weekdays, and an optional break.

    ``starts``: windows (earliest, latest) of minutes after midnight in which a shift may start on any
    interval boundary; a single time is a window (t, t) and must fall on one (None: any time). ``days``:
    weekdays it may start on, 0 = Monday (None: every day). The break (``break_minutes``, unpaid, 0 for
    none) starts between ``break_earliest`` and ``break_latest`` minutes after the shift starts, on an
    interval boundary. ``cost`` defaults to the paid hours (length minus break).
    """

    name: str
    length_minutes: int
    cost: float | None = None
    starts: tuple[tuple[int, int], ...] | None = None
    days: tuple[int, ...] | None = None
    break_minutes: int = 0
    break_earliest: int = 0
    break_latest: int = 0

    def __post_init__(self) -> None:
        where = f"shifts.{self.name}"
        if not self.name:
            raise Invalid("shifts: a shift needs a name", field="shifts.name")
        if self.length_minutes <= 0 or self.length_minutes > 7 * MINUTES_PER_DAY:
            raise Invalid(f"{where}.hours: must be > 0 and at most a week", field=f"{where}.hours")
        if self.cost is not None and (not math.isfinite(self.cost) or self.cost < 0):
            raise Invalid(f"{where}.cost: must be a number ≥ 0", field=f"{where}.cost")
        if self.starts is not None and any(
            not 0 <= low <= high < MINUTES_PER_DAY for low, high in self.starts
        ):
            raise Invalid(
                f"{where}.starts: times must be within the day, earliest first", field=f"{where}.starts"
            )
        if self.days is not None and any(not 0 <= d < 7 for d in self.days):
            raise Invalid(f"{where}.days: weekdays are mon..sun", field=f"{where}.days")
        if self.break_minutes < 0 or self.break_minutes >= self.length_minutes:
            raise Invalid(f"{where}.break: must be shorter than the shift", field=f"{where}.break")
        if self.break_minutes and not (
            0 <= self.break_earliest <= self.break_latest <= self.length_minutes - self.break_minutes
        ):
            raise Invalid(
                f"{where}.break: its window must lie inside the shift (earliest ≤ latest)",
                field=f"{where}.break",
            )

    @property
    def paid_cost(self) -> float:
        if self.cost is not None:
            return self.cost
        return (self.length_minutes - self.break_minutes) / 60.0


@dataclass(frozen=True, slots=True)
class ScheduledShift:
    """``count`` people on the shift of ``template`` starting at interval ``start_index``."""

    template: str
    start_index: int
    start: datetime
    end: datetime
    break_start: datetime | None
    count: int
    cost: float

    def as_json(self) -> dict[str, object]:
        return {
            "template": self.template,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "break_start": None if self.break_start is None else self.break_start.isoformat(),
            "count": self.count,
            "cost": self.cost,
        }


@dataclass(frozen=True, slots=True)
class Schedule:
    """The shifts chosen and how they cover the requirement.

    ``status`` is "optimal" (proven cheapest) or "feasible" (best found within the time limit; the
    cheapest possible is then ≥ ``lower_bound``). ``over``/``under`` are people above/below the
    requirement per interval (``under`` is non-zero only when shortfalls were allowed at a cost).
    """

    requirements: Requirements
    status: str
    cost: float
    lower_bound: float
    solve_seconds: float
    shifts: tuple[ScheduledShift, ...]
    scheduled: NDArray[np.int64]

    @property
    def over(self) -> NDArray[np.int64]:
        return np.asarray(np.maximum(self.scheduled - self.requirements.agents, 0), dtype=np.int64)

    @property
    def under(self) -> NDArray[np.int64]:
        return np.asarray(np.maximum(self.requirements.agents - self.scheduled, 0), dtype=np.int64)

    def as_json(self) -> dict[str, object]:
        hours = self.requirements.interval_minutes / 60.0
        required = self.requirements.agents
        return {
            "status": self.status,
            "cost": round(self.cost, 6),  # sums of decimal costs carry binary noise
            "lower_bound": round(self.lower_bound, 6),
            "solve_seconds": self.solve_seconds,
            "interval_minutes": self.requirements.interval_minutes,
            "shift_count": sum(shift.count for shift in self.shifts),
            "over_agent_hours": float(self.over.sum() * hours),
            "under_agent_hours": float(self.under.sum() * hours),
            "shifts": [shift.as_json() for shift in self.shifts],
            "intervals": [
                {
                    "start": self.requirements.interval_start(index).isoformat(),
                    "required": int(required[index]),
                    "scheduled": int(self.scheduled[index]),
                    "over": int(self.over[index]),
                    "under": int(self.under[index]),
                }
                for index in range(required.size)
            ],
        }


@dataclass(frozen=True, slots=True)
class _Column:
    template: int
    start: int
    break_start: int | None  # interval index, absolute (before wrapping)
    covers: tuple[int, ...]


def _columns(requirements: Requirements, templates: Sequence[ShiftTemplate], cyclic: bool) -> list[_Column]:
    step = requirements.interval_minutes
    size = requirements.agents.size
    columns: list[_Column] = []
    for number, template in enumerate(templates):
        where = f"shifts.{template.name}"
        for minutes, what in (
            (template.length_minutes, "hours"),
            (template.break_minutes, "break"),
            (template.break_earliest, "break"),
            (template.break_latest, "break"),
        ):
            if minutes % step:
                raise Invalid(
                    f"{where}.{what}: must be a whole number of {step}-minute intervals",
                    field=f"{where}.{what}",
                )
        if template.starts is not None and any(low == high and low % step for low, high in template.starts):
            raise Invalid(f"{where}.starts: must fall on {step}-minute boundaries", field=f"{where}.starts")
        length = template.length_minutes // step
        if cyclic and length > size:
            raise Invalid(f"{where}.hours: longer than the whole plan", field=f"{where}.hours")
        starts = template.starts
        breaks: list[int | None] = [None]
        if template.break_minutes:
            breaks = list(range(template.break_earliest // step, template.break_latest // step + 1))
        gap = template.break_minutes // step
        for index in range(size):
            moment = requirements.interval_start(index)
            minute = moment.hour * 60 + moment.minute
            if starts is not None and not any(low <= minute <= high for low, high in starts):
                continue
            if template.days is not None and moment.weekday() not in template.days:
                continue
            if not cyclic and index + length > size:
                continue
            for offset in breaks:
                worked = [
                    (index + k) % size
                    for k in range(length)
                    if offset is None or not offset <= k < offset + gap
                ]
                columns.append(
                    _Column(number, index, None if offset is None else index + offset, tuple(worked))
                )
        if len(columns) > _MAX_COLUMNS:
            raise Invalid("too many shift choices: narrow the start times or break windows", field="shifts")
    return columns


def schedule(
    requirements: Requirements,
    templates: Sequence[ShiftTemplate],
    *,
    time_limit_seconds: float = 10.0,
    cyclic: bool = False,
    under_cost: float | None = None,
    workers: int = 2,
    seed: int = 0,
) -> Schedule:
    """The cheapest set of shifts covering every interval's requirement.

    ``cyclic``: the plan repeats (a weekly roster), so shifts may run past its end into its start.
    ``under_cost``: allow shortfalls at this cost per person-interval instead of requiring full cover.
    """
    from ortools.sat.python import cp_model  # imported when a schedule is made, not with the package

    if not templates:
        raise Invalid("shifts: give at least one shift template", field="shifts")
    names = [template.name for template in templates]
    if len(set(names)) != len(names):
        raise Invalid("shifts: template names must be unique", field="shifts.name")
    if not math.isfinite(time_limit_seconds) or time_limit_seconds <= 0:
        raise Invalid("time limit must be > 0 seconds", field="time_limit_seconds")
    if under_cost is not None and (not math.isfinite(under_cost) or under_cost < 0):
        raise Invalid("under cost must be a number ≥ 0", field="under_cost")
    required = requirements.agents
    columns = _columns(requirements, templates, cyclic)
    covering: list[list[int]] = [[] for _ in range(required.size)]
    for number, column in enumerate(columns):
        for index in column.covers:
            covering[index].append(number)
    if under_cost is None:
        for index, users in enumerate(covering):
            if required[index] > 0 and not users:
                moment = requirements.interval_start(index)
                raise Invalid(
                    f"requirements[{index}] ({moment:%a %H:%M}): no shift can cover this interval",
                    field="shifts",
                )

    model = cp_model.CpModel()
    most = int(required.max()) if required.size else 0
    counts = [model.new_int_var(0, most, f"x{number}") for number in range(len(columns))]
    shortfalls = []
    for index, users in enumerate(covering):
        need = int(required[index])
        if need == 0:
            continue
        cover = cp_model.LinearExpr.sum([counts[number] for number in users])
        if under_cost is not None:
            short = model.new_int_var(0, need, f"u{index}")
            shortfalls.append(short)
            model.add(cover + short >= need)
        else:
            model.add(cover >= need)
    unit = [round(templates[column.template].paid_cost * _COST_SCALE) for column in columns]
    objective = cp_model.LinearExpr.weighted_sum(counts, unit)
    if under_cost is not None:
        objective += round(under_cost * _COST_SCALE) * cp_model.LinearExpr.sum(shortfalls)
    model.minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise Invalid(
            f"no schedule found within {time_limit_seconds:g} s; allow more time", field="time_limit_seconds"
        )

    scheduled = np.zeros(required.size, dtype=np.int64)
    shifts: list[ScheduledShift] = []
    step = timedelta(minutes=requirements.interval_minutes)
    for column, variable in zip(columns, counts, strict=True):
        count = int(solver.value(variable))
        if not count:
            continue
        template = templates[column.template]
        for index in column.covers:
            scheduled[index] += count
        start = requirements.interval_start(column.start)
        shifts.append(
            ScheduledShift(
                template=template.name,
                start_index=column.start,
                start=start,
                end=start + timedelta(minutes=template.length_minutes),
                break_start=None
                if column.break_start is None
                else start + (column.break_start - column.start) * step,
                count=count,
                cost=count * template.paid_cost,
            )
        )
    cost = sum(shift.cost for shift in shifts)
    if under_cost is not None:
        cost += under_cost * float(np.maximum(required - scheduled, 0).sum())
    return Schedule(
        requirements=requirements,
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
        cost=cost,
        lower_bound=solver.best_objective_bound / _COST_SCALE,
        solve_seconds=solver.wall_time,
        shifts=tuple(shifts),
        scheduled=scheduled,
    )
