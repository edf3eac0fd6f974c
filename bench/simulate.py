"""Simulator speed: a 10,000-contact day with 100 agents through the full routing engine; SimPy as peer.

    .venv/bin/python bench/simulate.py [--repeats 5]

Prints one JSON object. The workload: 10,000 Poisson arrivals over 8 h (1,250/h), exponential handle
times of 270 s (93.75 erlangs on 100 agents), nobody abandons, one segment. The Holdless figure runs
``holdless.workforce.simulate`` (every decision made by ``RoutingEngine``); the peer is a plain SimPy
M/M/c model of the same workload (``simpy.Resource`` with capacity 100), timed in the same run so the
ratio is comparable on a noisy machine. Medians over ``--repeats`` seeds.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from typing import Any

from holdless.workforce.scenario import parse_scenario
from holdless.workforce.simulate import simulate

CONTACTS = 10_000
AGENTS = 100
HOURS = 8.0
HANDLE_SECONDS = 270.0

SCENARIO = parse_scenario(
    {
        "duration_hours": HOURS,
        "seed": 1,
        "arrivals_per_hour": CONTACTS / HOURS,
        "handle_time": {"mean_seconds": HANDLE_SECONDS, "distribution": "exponential"},
        "agents": AGENTS,
        "policy": "holdless",
    }
)


def holdless_run(seed: int) -> tuple[int, float, dict[str, Any]]:
    started = time.perf_counter()
    result = simulate(SCENARIO, seed=seed)
    wall = time.perf_counter() - started
    return result.overall.offered, wall, result.as_json()


def simpy_run(seed: int) -> tuple[int, float, float]:
    import simpy  # the peer; not a Holdless dependency

    rng = random.Random(seed)
    rate = CONTACTS / (HOURS * 3600.0)
    waits: list[float] = []
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)

    def contact(env: simpy.Environment) -> Any:
        joined = env.now
        with agents.request() as request:
            yield request
            waits.append(env.now - joined)
            yield env.timeout(rng.expovariate(1.0 / HANDLE_SECONDS))

    def arrivals(env: simpy.Environment) -> Any:
        while True:
            yield env.timeout(rng.expovariate(rate))
            if env.now > HOURS * 3600.0:
                return
            env.process(contact(env))

    started = time.perf_counter()
    env.process(arrivals(env))
    env.run()
    wall = time.perf_counter() - started
    return len(waits), wall, statistics.fmean(waits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    gc.collect()
    ours: list[float] = []
    peer: list[float] = []
    report: dict[str, Any] = {}
    asa_peer: list[float] = []
    for seed in range(1, args.repeats + 1):  # interleaved, so load changes hit both alike
        contacts, wall, report = holdless_run(seed)
        ours.append(contacts / wall)
        try:
            peer_contacts, peer_wall, asa = simpy_run(seed)
        except ImportError:
            peer_contacts, peer_wall, asa = 0, 0.0, float("nan")
        if peer_wall > 0:
            peer.append(peer_contacts / peer_wall)
            asa_peer.append(asa)
    holdless_rate = statistics.median(ours)
    out: dict[str, Any] = {
        "workload": {
            "contacts": CONTACTS,
            "agents": AGENTS,
            "hours": HOURS,
            "handle_seconds": HANDLE_SECONDS,
            "repeats": args.repeats,
        },
        "holdless_contacts_per_second": round(holdless_rate),
        "holdless_engine_events_per_second": round(report["events_per_second"]),
        "holdless_asa_seconds_last_run": report["overall"]["asa_seconds"],
    }
    if peer:
        simpy_rate = statistics.median(peer)
        out["simpy_contacts_per_second"] = round(simpy_rate)
        out["simpy_asa_seconds_median"] = statistics.median(asa_peer)
        out["ratio_holdless_to_simpy"] = round(holdless_rate / simpy_rate, 3)
    else:
        out["simpy"] = "not installed (pip install simpy to measure the peer)"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
