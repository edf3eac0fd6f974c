"""KPI roll-up throughput (polars, columnar) over >= 1,000,000 events, and the live wallboard refresh time.

    PYTHONPATH=src .venv/bin/python bench/analytics.py [--days 28] [--per-hour 300] [--repeat 5]

Prints one JSON object. The history is synthetic (holdless.analytics.synthetic, seeded; ~1.3 M events by
default). The roll-up is timed on one polars thread (per core, in a child process) and on all threads, as
wall time and as the process's CPU time (the fair per-core figure on a shared machine); the pure full
recompute and the projection fold are timed once for comparison. The wallboard refresh is: fold one new
event into the live projection, then compute today's figures per queue and per agent (what the supervisor's
screen shows), timed many times.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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

    threads_all = pl.thread_pool_size()
    all_threads = _timed(lambda: rollup(frame), args.repeat)
    # Per core: polars' pool size is fixed at import, so the one-thread figures come from a child process
    # reading the same frame.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        frame.write_parquet(path)
        one_thread = _child_one_thread(path, args.repeat)

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
    apply_only: list[float] = []
    for e in events[-args.refreshes :]:
        t0 = time.perf_counter()
        projection.apply(e)
        t1 = time.perf_counter()
        projection.figures(("queue",), since=day_start, until=e.at + 1)
        projection.figures(("agent",), since=day_start, until=e.at + 1)
        refresh.append(time.perf_counter() - t0)
        apply_only.append(t1 - t0)

    n = len(events)
    print(
        json.dumps(
            {
                "events": n,
                "days": args.days,
                "slices": len(pure),
                "prepare_seconds": round(prepared, 2),
                "rollup_one_thread": _rates(one_thread, n),
                "rollup_threads": threads_all,
                "rollup_all_threads": _rates(all_threads, n),
                "pure_recompute_seconds": round(pure_s, 2),
                "pure_recompute_events_per_second": round(n / pure_s),
                "projection_fold_events_per_second": round((n - args.refreshes) / fold_s),
                "wallboard_fold_one_event_us_p50": round(1e6 * statistics.median(apply_only), 1),
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


def _timed(run: Callable[[], object], repeat: int) -> list[tuple[float, float]]:
    """(wall seconds, CPU seconds of this process) per run."""
    out = []
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        out.append((time.perf_counter() - wall, time.process_time() - cpu))
    return out


def _rates(runs: list[tuple[float, float]], n: int) -> dict[str, object]:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return {
        "wall_seconds": [round(w, 3) for w in walls],
        "cpu_seconds": [round(c, 3) for c in cpus],
        "events_per_wall_second_best": round(n / min(walls)),
        "events_per_wall_second_median": round(n / statistics.median(walls)),
        "events_per_cpu_second_median": round(n / statistics.median(cpus)),
    }


def _child_one_thread(path: Path, repeat: int) -> list[tuple[float, float]]:
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    code = (
        "import gc, json, sys, time\n"
        "import polars as pl\n"
        "from holdless.analytics.columnar import rollup\n"
        "f = pl.read_parquet(sys.argv[1]); out = []\n"
        "for _ in range(int(sys.argv[2])):\n"
        "    gc.collect(); w, c = time.perf_counter(), time.process_time(); rollup(f)\n"
        "    out.append((time.perf_counter() - w, time.process_time() - c))\n"
        "print(json.dumps(out))\n"
    )
    command = [sys.executable, "-c", code, str(path), str(repeat)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return [(float(w), float(c)) for w, c in json.loads(done.stdout.strip().splitlines()[-1])]


if __name__ == "__main__":
    main()
