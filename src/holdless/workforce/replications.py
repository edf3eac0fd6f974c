"""Independent replications of a simulated scenario, in parallel, with means and 95% confidence intervals.

Replication ``i`` draws from the ``i``-th child of ``SeedSequence(scenario.seed)``, so the runs are
independent and the whole set is reproducible whatever the number of workers. Each figure is reported as
the mean over replications and the half-width of a Student-t 95% interval, ``t(0.975, n−1)·s/√n``
(exact t quantiles up to 30 degrees of freedom, interpolated in 1/df above, 1.96 in the limit; no SciPy).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np

from holdless.errors import Invalid
from holdless.workforce.scenario import Scenario
from holdless.workforce.simulate import SimulationResult, simulate

# t(0.975, df) for df = 1..30, then a few anchors above; 1/df interpolation between anchors.
_T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
_T_975_ANCHORS = ((30, 2.042), (40, 2.021), (60, 2.000), (120, 1.980), (math.inf, 1.960))


def t_quantile_975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (≤ 0.002 off above 30)."""
    if df < 1:
        raise ValueError("degrees of freedom must be ≥ 1")
    if df <= len(_T_975):
        return _T_975[df - 1]
    for (low_df, low_t), (high_df, high_t) in itertools.pairwise(_T_975_ANCHORS):
        if df <= high_df:
            weight = (1 / low_df - 1 / df) / (1 / low_df - (0.0 if math.isinf(high_df) else 1 / high_df))
            return low_t + weight * (high_t - low_t)
    return 1.960


@dataclass(frozen=True, slots=True)
class Estimate:
    """A figure over replications: the mean, the 95% half-width (NaN with one run) and the runs counted."""

    mean: float
    half_width: float
    runs: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width


def estimate(values: list[float]) -> Estimate:
    if not values:
        return Estimate(math.nan, math.nan, 0)
    mean = statistics.fmean(values)
    if len(values) < 2:
        return Estimate(mean, math.nan, 1)
    half = t_quantile_975(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return Estimate(mean, half, len(values))


@dataclass(frozen=True, slots=True)
class Replications:
    """The runs of one scenario, in replication order."""

    runs: tuple[SimulationResult, ...]

    def estimate(self, *path: str) -> Estimate:
        """The figure at a path of the JSON shape, e.g. ``("segments", "premium", "service_level")``.

        Runs where the figure is None (nobody counted) are left out.
        """
        values: list[float] = []
        for run in self.runs:
            node: object = run.as_json()
            for key in path:
                if not isinstance(node, Mapping):
                    raise KeyError("/".join(path))
                node = node[key]
            if node is not None:
                if not isinstance(node, int | float):
                    raise KeyError("/".join(path))
                values.append(float(node))
        return estimate(values)

    def as_json(self) -> dict[str, object]:
        """Means in the shape of one run, plus ``ci95`` (the same keys, half-widths) and ``replications``."""
        shape = self.runs[0].as_json()
        means, halves = _summarise(self, shape, ())
        assert isinstance(means, dict)
        means["replications"] = len(self.runs)
        means["ci95"] = halves
        return means


def _summarise(replications: Replications, node: object, path: tuple[str, ...]) -> tuple[object, object]:
    if isinstance(node, Mapping):
        means: dict[str, object] = {}
        halves: dict[str, object] = {}
        for key, child in node.items():
            means[key], halves[key] = _summarise(replications, child, (*path, key))
        return means, halves
    figure = replications.estimate(*path)
    if figure.runs == 0:
        return None, None
    return figure.mean, (None if math.isnan(figure.half_width) else figure.half_width)


def _replicate(
    scenario: Scenario, seed: np.random.SeedSequence, series_minutes: int | None = None
) -> SimulationResult:
    return simulate(scenario, seed=seed, series_minutes=series_minutes)


def simulate_many(
    scenario: Scenario,
    n: int,
    workers: int = 2,
    *,
    on_done: Callable[[int], None] | None = None,
    series_minutes: int | None = None,
) -> Replications:
    """Run ``n`` independent replications over ``workers`` processes (1: in this process).

    ``on_done(finished)`` is called in this process after each replication (for a progress bar);
    ``series_minutes`` records each run's per-interval series (see ``simulate``).
    """
    if n < 1:
        raise Invalid("replications: must be ≥ 1", field="replications")
    if workers < 1:
        raise Invalid("workers: must be ≥ 1", field="workers")
    seeds = np.random.SeedSequence(scenario.seed).spawn(n)
    results: list[SimulationResult | None] = [None] * n
    if workers == 1 or n == 1:
        for index, seed in enumerate(seeds):
            results[index] = _replicate(scenario, seed, series_minutes)
            if on_done is not None:
                on_done(index + 1)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, n)) as pool:
            futures = {
                pool.submit(_replicate, scenario, seed, series_minutes): index
                for index, seed in enumerate(seeds)
            }
            for finished, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if on_done is not None:
                    on_done(finished)
    return Replications(tuple(result for result in results if result is not None))
