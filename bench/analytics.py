"""KPI roll-up throughput (polars, columnar) over >= 1,000,000 events, and the live wallboard refresh time.

    PYTHONPATH=src .venv/bin/python bench/analytics.py [--days 28] [--per-hour 300] [--repeat 5]

Prints one JSON object. The history is synthetic (holdless.analytics.synthetic, seeded). The roll-up is
timed on one polars thread (per core) and on all threads; the pure full recompute is timed once for
comparison. The wallboard refresh is: fold one new event into the live projection, then compute today's
figures per queue and per agent (what the supervisor's screen shows), timed many times.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time

START = 1_772_409_600.0  # 2026-03-02 00:00 UTC, a Monday


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=float, default=28.0)
    parser.add_argument("--per-hour", type=float, default=300.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--refreshes", type=int, default=300)
    args = parser.parse_args()

    import polars as pl

    from holdless.analytics.columnar import rollup, to_frame
    from holdless.analytics.kpis import Figures, total
    from holdless.analytics.projections import KpiProjection
    from holdless.analytics.recompute import recompute
    from holdless.analytics.synthetic import history

    t = time.perf_counter()
    events = history(
        7, start=START, days=args.days, contacts_per_hour=args.per_hour, agents=60, customers=40_000
    )
    frame = to_frame(events)
    prepared = time.perf_counter() - t
    until = START + args.days * 86_400

    def timed_rollup() -> list[float]:
        out = []
        for _ in range(args.repeat):
            gc.collect()
            t0 = time.perf_counter()
            rolled = rollup(frame)
            out.append(time.perf_counter() - t0)
        assert rolled.height > 0
        return out

    threads_all = pl.thread_pool_size()
    all_threads = timed_rollup()
    # Per core: polars' pool size is fixed at import, so the one-thread figure comes from a child process.
    one_thread = _child_one_thread(args)

    gc.collect()
    t0 = time.perf_counter()
    pure = recompute(events, until)
    pure_s = time.perf_counter() - t0
    figures = Figures.of(total(pure.values()))

    # Live wallboard: a projection holding the whole history, then new events one at a time.
    projection = KpiProjection()
    t0 = time.perf_counter()
    projection.apply_all(events[: -args.refreshes])
    fold_s = time.perf_counter() - t0
    day_start = until - 86_400
    refresh: list[float] = []
    for e in events[-args.refreshes :]:
        t0 = time.perf_counter()
        projection.apply(e)
        projection.figures(("queue",), since=day_start, until=e.at + 1)
        projection.figures(("agent",), since=day_start, until=e.at + 1)
        refresh.append(time.perf_counter() - t0)

    n = len(events)
    print(
        json.dumps(
            {
                "events": n,
                "days": args.days,
                "slices": len(pure),
                "prepare_seconds": round(prepared, 2),
                "rollup_one_thread_seconds": [round(s, 3) for s in one_thread],
                "rollup_one_thread_events_per_second": round(n / min(one_thread)),
                "rollup_one_thread_events_per_second_median": round(n / statistics.median(one_thread)),
                "rollup_threads": threads_all,
                "rollup_all_threads_seconds": [round(s, 3) for s in all_threads],
                "rollup_all_threads_events_per_second": round(n / min(all_threads)),
                "pure_recompute_seconds": round(pure_s, 2),
                "pure_recompute_events_per_second": round(n / pure_s),
                "projection_fold_events_per_second": round((n - args.refreshes) / fold_s),
                "wallboard_refresh_ms_p50": round(1000 * statistics.median(refresh), 3),
                "wallboard_refresh_ms_p99": round(1000 * percentile(refresh, 0.99), 3),
                "whole_history": {
                    "sl_20s": figures.sl,
                    "asa_s": figures.asa,
                    "abandonment": figures.abandonment,
                    "fcr": figures.fcr,
                    "occupancy": figures.occupancy,
                },
            },
            indent=2,
        )
    )


def _child_one_thread(args: argparse.Namespace) -> list[float]:
    import subprocess
    import sys

    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    code = (
        "import gc, json, time, sys\n"
        "from holdless.analytics.columnar import rollup, to_frame\n"
        "from holdless.analytics.synthetic import history\n"
        f"ev = history(7, start={START}, days={args.days}, contacts_per_hour={args.per_hour}, agents=60,"
        " customers=40_000)\n"
        "f = to_frame(ev); del ev; gc.collect(); out = []\n"
        f"for _ in range({args.repeat}):\n"
        "    t = time.perf_counter(); rollup(f); out.append(time.perf_counter() - t)\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return [float(x) for x in json.loads(done.stdout.strip().splitlines()[-1])]


if __name__ == "__main__":
    main()
