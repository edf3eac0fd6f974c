"""The staffing gap for today: agents needed against agents logged in, per interval (for the wallboard).

``logged_in_per_interval`` turns login sessions into the mean number of agents logged in over each
interval (agent-minutes / interval minutes, over the part of the interval already past ``now``; intervals
not begun yet are None). ``staffing_gap`` sets that against the requirement. Pure: values in, values out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from holdless.errors import Invalid


@dataclass(frozen=True, slots=True)
class IntervalGap:
    """One interval: ``gap`` = logged in − needed (negative: short of agents; None: not begun yet)."""

    start: datetime
    needed: int
    logged_in: float | None

    @property
    def gap(self) -> float | None:
        return None if self.logged_in is None else self.logged_in - self.needed

    def as_json(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "needed": self.needed,
            "logged_in": self.logged_in,
            "gap": self.gap,
        }


@dataclass(frozen=True, slots=True)
class StaffingGap:
    """The day so far: intervals short of agents, the worst one and the agent-hours missing."""

    interval_minutes: int
    intervals: tuple[IntervalGap, ...]

    @property
    def short_intervals(self) -> int:
        return sum(1 for item in self.intervals if item.gap is not None and item.gap < 0)

    @property
    def short_agent_hours(self) -> float:
        hours = self.interval_minutes / 60.0
        return sum(-item.gap * hours for item in self.intervals if item.gap is not None and item.gap < 0)

    @property
    def worst(self) -> IntervalGap | None:
        """The interval furthest below its need (the earliest of equals), None if none is short."""
        short = [item for item in self.intervals if item.gap is not None and item.gap < 0]
        return min(short, key=lambda item: item.gap or 0.0) if short else None

    def as_json(self) -> dict[str, object]:
        worst = self.worst
        return {
            "interval_minutes": self.interval_minutes,
            "short_intervals": self.short_intervals,
            "short_agent_hours": self.short_agent_hours,
            "worst": None if worst is None else worst.as_json(),
            "intervals": [item.as_json() for item in self.intervals],
        }


def staffing_gap(
    start: datetime,
    interval_minutes: int,
    needed: Sequence[int],
    logged_in: Sequence[float | None],
) -> StaffingGap:
    """Needed vs logged-in agents per interval from ``start`` (equal lengths; None = not begun)."""
    if interval_minutes <= 0:
        raise Invalid("interval must be > 0 minutes", field="interval_minutes")
    if len(needed) != len(logged_in):
        raise Invalid(
            f"logged-in agents need one value per interval ({len(needed)}), got {len(logged_in)}",
            field="logged_in",
        )
    step = timedelta(minutes=interval_minutes)
    intervals: list[IntervalGap] = []
    for index, (need, present) in enumerate(zip(needed, logged_in, strict=True)):
        if isinstance(need, bool) or int(need) != need or need < 0:
            raise Invalid(f"needed[{index}]: must be a whole number ≥ 0", field="needed")
        if present is not None and (not math.isfinite(present) or present < 0):
            raise Invalid(f"logged_in[{index}]: must be a number ≥ 0", field="logged_in")
        intervals.append(IntervalGap(start + index * step, int(need), present))
    return StaffingGap(interval_minutes, tuple(intervals))


def logged_in_per_interval(
    sessions: Iterable[tuple[datetime, datetime | None]],
    start: datetime,
    interval_minutes: int,
    intervals: int,
    now: datetime,
) -> list[float | None]:
    """Mean agents logged in over each interval from ``start``, up to ``now``.

    A session is (logged in at, logged out at or None while still logged in). The interval holding
    ``now`` is averaged over its elapsed part; later intervals are None.
    """
    if interval_minutes <= 0:
        raise Invalid("interval must be > 0 minutes", field="interval_minutes")
    step = timedelta(minutes=interval_minutes)
    spans = []
    for index, (begin, end) in enumerate(sessions):
        finish = now if end is None else min(end, now)
        if end is not None and end < begin:
            raise Invalid(f"sessions[{index}]: logged out before logging in", field="sessions")
        spans.append((begin, finish))
    result: list[float | None] = []
    for index in range(intervals):
        low = start + index * step
        high = min(low + step, now)
        if high <= low:
            result.append(None)
            continue
        present = sum(
            max((min(finish, high) - max(begin, low)).total_seconds(), 0.0) for begin, finish in spans
        )
        result.append(present / (high - low).total_seconds())
    return result
