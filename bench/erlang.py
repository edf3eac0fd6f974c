"""Erlang staffing speed: one interval, a 96-interval day (vectorised), an Erlang A day; pyworkforce as peer.

    .venv/bin/python bench/erlang.py [--peer-venv DIR] [--no-peer]

Prints one JSON object. The peer (PyPI `pyworkforce`, Erlang C only on Python 3.11) is installed into a
temporary virtualenv — never into ours — and timed on the same day in the same run, so the ratio is
comparable on a noisy machine even when absolute times are not.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from holdless.workforce import StaffingTarget, plan_day, required_agents

INTERVAL_MINUTES = 15
AHT_SECONDS = 240.0
TARGET = StaffingTarget(service_level=0.8, target_seconds=20.0, max_occupancy=0.85, shrinkage=0.3)
PATIENCE_SECONDS = 180.0


def day_volume() -> list[float]:
    """Contacts per 15-minute interval: night trickle, morning and afternoon peaks (up to ~40 erlangs)."""
    hours = np.arange(96) / 4.0
    shape = np.exp(-((hours - 10.5) ** 2) / 4.0) + 0.8 * np.exp(-((hours - 15.0) ** 2) / 6.0)
    noise = np.random.default_rng(42).uniform(0.9, 1.1, 96)
    return [float(v) for v in np.round(2.0 + 150.0 * shape * noise, 1)]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_ours(volume: list[float]) -> tuple[dict[str, float], list[int]]:
    hourly = [v * 60 / INTERVAL_MINUTES for v in volume]
    arrivals = np.array(volume)
    gc.disable()  # a collection inside a 5 µs call would be measured as the call
    try:
        per_interval: list[float] = []
        for _ in range(30):
            for rate in hourly:
                start = time.perf_counter_ns()
                required_agents(rate, AHT_SECONDS, TARGET)
                per_interval.append((time.perf_counter_ns() - start) / 1000)
        vector_days = []
        for _ in range(300):
            start = time.perf_counter_ns()
            plan = plan_day(arrivals, AHT_SECONDS, TARGET, interval_seconds=INTERVAL_MINUTES * 60)
            vector_days.append((time.perf_counter_ns() - start) / 1e6)
        loop_days = []
        for _ in range(100):
            start = time.perf_counter_ns()
            for rate in hourly:
                required_agents(rate, AHT_SECONDS, TARGET)
            loop_days.append((time.perf_counter_ns() - start) / 1e6)
        erlang_a_days = []
        for _ in range(5):
            start = time.perf_counter_ns()
            plan_day(
                arrivals,
                AHT_SECONDS,
                TARGET,
                interval_seconds=INTERVAL_MINUTES * 60,
                patience_seconds=PATIENCE_SECONDS,
            )
            erlang_a_days.append((time.perf_counter_ns() - start) / 1e9)
    finally:
        gc.enable()
    timings = {
        "interval_us_p50": round(statistics.median(per_interval), 2),
        "interval_us_p99": round(percentile(per_interval, 0.99), 2),
        "day_vectorised_ms_p50": round(statistics.median(vector_days), 4),
        "day_vectorised_ms_p99": round(percentile(vector_days, 0.99), 4),
        "day_scalar_loop_ms_p50": round(statistics.median(loop_days), 4),
        "erlang_a_day_s_p50": round(statistics.median(erlang_a_days), 4),
    }
    return timings, [int(n) for n in plan.agents]


PEER_SCRIPT = """
import gc, json, statistics, sys, time
from pyworkforce.queuing import ErlangC
volume, aht_min, asa_min, minutes, sl, cap = json.loads(sys.argv[1])
def staff(v):
    return ErlangC(transactions=v, aht=aht_min, asa=asa_min, interval=minutes).required_positions(sl, cap)
gc.disable()
per_interval, days = [], []
for _ in range(30):
    for v in volume:
        start = time.perf_counter_ns(); staff(v); per_interval.append((time.perf_counter_ns() - start) / 1000)
for _ in range(30):
    start = time.perf_counter_ns()
    for v in volume:
        staff(v)
    days.append((time.perf_counter_ns() - start) / 1e6)
per_interval.sort()
print(json.dumps({
    "interval_us_p50": statistics.median(per_interval),
    "interval_us_p99": per_interval[int(0.99 * len(per_interval))],
    "day_ms_p50": statistics.median(days),
    "agents": [staff(v)["raw_positions"] for v in volume],
}))
"""


def peer_python(venv: Path | None, scratch: Path) -> tuple[Path | None, str]:
    """A Python that can import pyworkforce, or None and why not."""
    if venv is None:
        venv = scratch / "peer"
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        if made.returncode:
            return None, f"could not create a virtualenv: {made.stderr.strip()[-200:]}"
    python = venv / "bin" / "python"
    check = subprocess.run([str(python), "-c", "import pyworkforce"], capture_output=True, text=True)
    if check.returncode:
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "pyworkforce"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if installed.returncode:
            return None, f"pip install pyworkforce failed: {installed.stderr.strip()[-300:]}"
    return python, ""


def time_peer(python: Path, volume: list[float]) -> tuple[dict[str, float], list[int]]:
    arguments = [volume, AHT_SECONDS / 60, TARGET.target_seconds / 60, INTERVAL_MINUTES]
    arguments += [TARGET.service_level, TARGET.max_occupancy]
    run = subprocess.run(
        [str(python), "-c", PEER_SCRIPT, json.dumps(arguments)], capture_output=True, text=True, timeout=600
    )
    if run.returncode:
        raise RuntimeError(run.stderr.strip()[-300:])
    result = json.loads(run.stdout)
    agents = [int(n) for n in result.pop("agents")]
    return {key: float(value) for key, value in result.items()}, agents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-venv", type=Path, help="reuse a virtualenv that has (or may get) pyworkforce")
    parser.add_argument("--no-peer", action="store_true", help="skip pyworkforce")
    options = parser.parse_args()
    volume = day_volume()
    ours, ours_agents = time_ours(volume)
    report: dict[str, object] = {
        "bench": "erlang",
        "day": {
            "intervals": len(volume),
            "interval_minutes": INTERVAL_MINUTES,
            "aht_seconds": AHT_SECONDS,
            "peak_erlangs": round(max(volume) * AHT_SECONDS / (INTERVAL_MINUTES * 60), 2),
            "target": "80% in 20 s, occupancy ≤ 85%, shrinkage 30%",
            "erlang_a_patience_seconds": PATIENCE_SECONDS,
        },
        "goals": {"interval_us": 10, "day_ms": 0.5, "erlang_a_day_s": 0.5},
        "holdless": ours,
    }
    if options.no_peer:
        report["peer"] = {"name": "pyworkforce", "available": False, "reason": "--no-peer"}
    else:
        with tempfile.TemporaryDirectory(prefix="holdless-bench-") as scratch:
            python, reason = peer_python(options.peer_venv, Path(scratch))
            if python is None:
                report["peer"] = {"name": "pyworkforce", "available": False, "reason": reason}
            else:
                peer, peer_agents = time_peer(python, volume)
                pairs = list(zip(peer_agents, ours_agents, strict=True))
                report["peer"] = {
                    "name": "pyworkforce (ErlangC.required_positions, one interval per call)",
                    "available": True,
                    **peer,
                    "intervals_where_peer_staffs_more": sum(p > o for p, o in pairs),
                    "intervals_where_peer_staffs_fewer": sum(p < o for p, o in pairs),
                }
                ratio_interval = peer["interval_us_p50"] / ours["interval_us_p50"]
                ratio_day = peer["day_ms_p50"] / ours["day_vectorised_ms_p50"]
                report["speedup_vs_peer"] = {
                    "interval": round(ratio_interval, 1),
                    "day_vectorised": round(ratio_day, 1),
                }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
