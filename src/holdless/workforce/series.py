"""Per-interval series of a simulated day: contacts waiting over time and service level by interval.

Computed after the run from each contact's arrival and time in line (the event loop records nothing
extra), so asking for series costs a few NumPy passes and nothing when not asked. Pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

OVERALL = "overall"
SAMPLE_SECONDS = 60.0
_SHORT_ABANDON_SECONDS = 5.0  # product.md: abandons shorter than this are left out of the service level


@dataclass(frozen=True, slots=True)
class SimulationSeries:
    """``waiting[k]``: contacts in line at ``k × sample_seconds`` (k = 0 … span). Per interval (by arrival
    time) and per segment plus "overall": contacts answered within the segment's T (``in_target``) and
    contacts the service level counts (``counted``: answered + abandoned after T and after 5 s)."""

    interval_minutes: int
    sample_seconds: float
    waiting: NDArray[np.float64]
    offered: NDArray[np.int64]
    in_target: Mapping[str, NDArray[np.int64]]
    counted: Mapping[str, NDArray[np.int64]]
    targets: Mapping[str, tuple[float, float]]  # segment → (share, seconds)

    @property
    def intervals(self) -> int:
        return int(self.offered.size)

    def service_level(self, name: str = OVERALL) -> NDArray[np.float64]:
        """Service level per interval for a segment (or overall); NaN where nobody counts."""
        counted = self.counted[name].astype(np.float64)
        shares = np.divide(
            self.in_target[name], counted, out=np.full(counted.shape, np.nan), where=counted > 0
        )
        return np.asarray(shares, dtype=np.float64)

    def waiting_by_interval(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(mean, max) of the waiting samples inside each interval."""
        per = max(1, round(self.interval_minutes * 60.0 / self.sample_seconds))
        samples = self.waiting[: self.intervals * per]
        padded = np.zeros(self.intervals * per)
        padded[: samples.size] = samples
        grid = padded.reshape(self.intervals, per)
        return grid.mean(axis=1), grid.max(axis=1)


def record_series(
    *,
    span_seconds: float,
    interval_minutes: int,
    arrivals: Sequence[float],
    waits: Sequence[float],
    answered: Sequence[bool],
    segment_of: Sequence[int],
    segments: Sequence[tuple[str, float, float]],
) -> SimulationSeries:
    """Series from one run's contacts; ``segments`` are (name, target share, T seconds) by index."""
    arrival = np.asarray(arrivals, dtype=np.float64)
    wait = np.asarray(waits, dtype=np.float64)
    done = np.asarray(answered, dtype=bool)
    segment = np.asarray(segment_of, dtype=np.int64)
    interval_seconds = interval_minutes * 60.0
    count = max(1, math.ceil(span_seconds / interval_seconds - 1e-9))
    bucket = np.minimum((arrival // interval_seconds).astype(np.int64), count - 1)
    seconds = np.asarray([segments[index][2] for index in segment], dtype=np.float64)
    hit = done & (wait <= seconds)
    counts = done | ((wait > seconds) & (wait >= _SHORT_ABANDON_SECONDS))
    moments = np.arange(0.0, span_seconds + 1e-9, SAMPLE_SECONDS)
    joined = np.searchsorted(arrival, moments, side="right")
    left = np.searchsorted(np.sort(arrival + wait), moments, side="right")
    in_target: dict[str, NDArray[np.int64]] = {}
    counted: dict[str, NDArray[np.int64]] = {}
    for number, (name, _, _) in enumerate(segments):
        mine = segment == number
        in_target[name] = np.bincount(bucket[mine & hit], minlength=count).astype(np.int64)
        counted[name] = np.bincount(bucket[mine & counts], minlength=count).astype(np.int64)
    in_target[OVERALL] = np.bincount(bucket[hit], minlength=count).astype(np.int64)
    counted[OVERALL] = np.bincount(bucket[counts], minlength=count).astype(np.int64)
    return SimulationSeries(
        interval_minutes=interval_minutes,
        sample_seconds=SAMPLE_SECONDS,
        waiting=(joined - left).astype(np.float64),
        offered=np.bincount(bucket, minlength=count).astype(np.int64),
        in_target=in_target,
        counted=counted,
        targets={name: (share, seconds) for name, share, seconds in segments},
    )


def pool_series(runs: Sequence[SimulationSeries]) -> SimulationSeries:
    """Replications pooled: mean waiting per sample, summed counts (so the service level is pooled)."""
    first = runs[0]
    return SimulationSeries(
        interval_minutes=first.interval_minutes,
        sample_seconds=first.sample_seconds,
        waiting=np.mean([run.waiting for run in runs], axis=0),
        offered=np.sum([run.offered for run in runs], axis=0).astype(np.int64),
        in_target={name: np.sum([run.in_target[name] for run in runs], axis=0) for name in first.in_target},
        counted={name: np.sum([run.counted[name] for run in runs], axis=0) for name in first.counted},
        targets=first.targets,
    )
