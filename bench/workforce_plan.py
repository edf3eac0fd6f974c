"""Forecast error and schedule solve time on a synthetic week (no real data).

    .venv/bin/python bench/workforce_plan.py [--seeds 3] [--time-limit 10]

Prints one JSON object:
* ``forecast``: per seed, the WAPE of a fit on 4 weeks against the held-back 5th week (Poisson counts of a
  known weekly pattern), the Poisson noise floor of that week (the WAPE of the true rates themselves), the
  WAPE of the next week's forecast against the true rates, and the fit time;
* ``schedule``: the 7-day, 30-minute requirement from that forecast (80/20, cap 85%, shrinkage 30%), covered
  by 8-hour shifts with a 30-minute break 3–5 h in (cost 7.5 paid hours) and 4-hour shifts (cost 4.4):
  status, cost, the solver's lower bound, the gap and the wall time, per CP-SAT worker count.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from datetime import datetime

import numpy as np

from holdless.workforce.forecast import IntervalHistory, forecast
from holdless.workforce.schedule import ShiftTemplate, requirements_from_forecast, schedule
from holdless.workforce.staffing import StaffingTarget

PER_DAY = 48
SLOT = np.arange(PER_DAY)
WEEKDAY_SHAPE = 80.0 * np.exp(-(((SLOT - 22) / 7.0) ** 2)) + np.where((SLOT >= 16) & (SLOT < 40), 10.0, 0.3)
WEEKEND_SHAPE = 30.0 * np.exp(-(((SLOT - 26) / 6.0) ** 2)) + 0.3
LEVELS = (1.1, 1.0, 1.0, 0.95, 0.9, 0.6, 0.5)
MONDAY = datetime(2026, 10, 5)


def rates(days: int) -> np.ndarray:
    return np.concatenate(
        [(WEEKEND_SHAPE if d % 7 >= 5 else WEEKDAY_SHAPE) * LEVELS[d % 7] for d in range(days)]
    )


def noise_floor(means: np.ndarray) -> float:
    total = 0.0
    for mean in means:
        k = np.arange(0, int(mean + 12 * math.sqrt(mean) + 20))
        log_pmf = k * math.log(mean) - mean - np.array([math.lgamma(x + 1) for x in k])
        total += float((np.abs(k - mean) * np.exp(log_pmf)).sum())
    return total / float(means.sum())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    truth = rates(42)
    forecasts = []
    last = None
    for seed in range(1, args.seeds + 1):
        rng = np.random.default_rng(seed)
        counts = rng.poisson(truth[: 35 * PER_DAY]).astype(float)
        handle = np.array([rng.exponential(240.0, int(n)).sum() for n in counts])
        started = time.perf_counter()
        result = forecast(IntervalHistory(MONDAY, 30, counts, handle), 7)
        elapsed = time.perf_counter() - started
        assert result.error is not None
        future = truth[35 * PER_DAY :]
        forecasts.append(
            {
                "seed": seed,
                "holdout_wape": round(result.error.wape, 4),
                "holdout_mape": None if result.error.mape is None else round(result.error.mape, 4),
                "noise_floor_wape": round(noise_floor(truth[28 * PER_DAY : 35 * PER_DAY]), 4),
                "next_week_wape_vs_true_rates": round(
                    float(np.abs(result.volume - future).sum() / future.sum()), 4
                ),
                "aht_wape": None if result.error.aht_wape is None else round(result.error.aht_wape, 4),
                "fit_seconds": round(elapsed, 3),
            }
        )
        last = result
    assert last is not None
    target = StaffingTarget(0.8, 20.0, max_occupancy=0.85, shrinkage=0.3)
    need = requirements_from_forecast(last, target)
    templates = [
        ShiftTemplate("full", 480, break_minutes=30, break_earliest=180, break_latest=300),
        ShiftTemplate("part", 240, cost=4.4),
    ]
    runs = []
    for workers in (1, 2):
        started = time.perf_counter()
        plan = schedule(need, templates, time_limit_seconds=args.time_limit, workers=workers)
        runs.append(
            {
                "workers": workers,
                "status": plan.status,
                "cost": round(plan.cost, 2),
                "lower_bound": round(plan.lower_bound, 2),
                "gap": round((plan.cost - plan.lower_bound) / plan.cost, 4),
                "wall_seconds": round(time.perf_counter() - started, 2),
                "covered": bool((plan.scheduled >= need.agents).all()),
                "over_agent_hours": float(plan.over.sum() / 2),
            }
        )
    print(
        json.dumps(
            {
                "forecast": forecasts,
                "schedule": {
                    "intervals": int(need.agents.size),
                    "required_agent_hours": float(need.agents.sum() / 2),
                    "peak_agents": int(need.agents.max()),
                    "time_limit_seconds": args.time_limit,
                    "runs": runs,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
