"""Routing engine benchmark: decisions per second and latency per event at growing line lengths.

    .venv/bin/python bench/routing.py [--quick] [--json]

Prints one JSON object. At each size the line is filled to ``waiting`` contacts with every agent busy,
then a steady state is timed: a conversation ends (the agent is offered the next contact: one decision),
the offer is accepted, and a new contact joins (usually waiting; sometimes offered at once) so the line
keeps its length. Latency is per ``on_event`` call. Position publication (O(n) per pass, run on a
cadence, not per decision) is timed separately. The "bare matcher" is a heap per skill and nothing
else — the floor the engine's features are measured against.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import json
import platform
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from holdless.routing import (  # after the path tweak, so the script runs without an install
    AgentChanged,
    AgentState,
    ContactLeft,
    ContactQueued,
    ConversationEnded,
    Decision,
    Event,
    Offer,
    OfferAccepted,
    RoutingConfig,
    RoutingEngine,
)

AGENTS = 1000
SKILLS = 50
SKILLS_PER_AGENT = 5
LANGUAGES = ("en", "ru")


def _agents(rng: random.Random) -> list[AgentChanged]:
    agents = []
    for i in range(AGENTS):
        skills = {f"s{s}": rng.randint(2, 5) for s in rng.sample(range(SKILLS), SKILLS_PER_AGENT)}
        languages = frozenset(LANGUAGES) if i % 10 == 0 else frozenset({LANGUAGES[i % 5 == 0]})
        capacity = {"voice": 1} if i % 2 else {"chat": 3}
        agents.append(AgentChanged(f"a{i}", AgentState.AVAILABLE, skills, languages, capacity))
    return agents


class Workload:
    """Random contacts of 50 skill queues, two segments, two languages, voice and chat."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.count = 0

    def contact(self) -> ContactQueued:
        rng = self.rng
        self.count += 1
        skill = rng.randrange(SKILLS)
        return ContactQueued(
            f"c{self.count}",
            f"q{skill}",
            "premium" if rng.random() < 0.2 else "standard",
            "voice" if rng.random() < 0.5 else "chat",
            {f"s{skill}": rng.randint(1, 2)},
            "en" if rng.random() < 0.8 else "ru",
        )


def _accept_all(engine: RoutingEngine, decisions: list[Decision], now: float, engaged: list[str]) -> int:
    made = 0
    for decision in decisions:
        if isinstance(decision, Offer):
            made += 1
            engine.on_event(OfferAccepted(decision.contact_id, decision.agent_id), now)
            engaged.append(decision.contact_id)
    return made


def _build(waiting: int, seed: int) -> tuple[RoutingEngine, Workload, list[str], float]:
    engine = RoutingEngine(RoutingConfig(offer_timeout_seconds=30))
    workload = Workload(seed)
    engaged: list[str] = []
    now = 0.0
    for event in _agents(random.Random(seed)):
        engine.on_event(event, now)
    # Steady state: every kind of contact has been seen once, as on a server that has run for a while.
    for skill in range(SKILLS):
        for level in (1, 2):
            for language in LANGUAGES:
                for channel in ("voice", "chat"):
                    warm = ContactQueued(
                        "warm", f"q{skill}", "standard", channel, {f"s{skill}": level}, language
                    )
                    engine.on_event(warm, now)
                    engine.on_event(ContactLeft("warm"), now)
    in_line = 0
    while in_line < waiting:
        now += 0.001
        decisions = engine.on_event(workload.contact(), now)
        if _accept_all(engine, decisions, now, engaged) == 0:
            in_line += 1
    # Let every contact cross into the at-risk band it will reach and publish once, so the timed loop
    # sees the steady state (one band crossing per new contact) rather than the build's backlog.
    now += 60.0
    engine.tick(now)
    return engine, workload, engaged, now


def _percentile(sorted_values: list[int], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))] / 1000


def measure(waiting: int, cycles: int, seed: int = 1, *, trace_memory: bool = True) -> dict[str, Any]:
    if trace_memory:  # tracemalloc slows the build ~3x, so --quick leaves it out
        tracemalloc.start()
    engine, workload, engaged, now = _build(waiting, seed)
    build_peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
    tracemalloc.stop()
    rng = random.Random(seed + 1)
    gc.collect()
    gc.freeze()  # the server's GC policy: long-lived state out of the collector's way (performance.md)
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    clock = time.perf_counter_ns
    cpu = time.thread_time_ns
    latencies: list[int] = []
    decision_latencies: list[int] = []
    cpu_ns = 0
    decisions_made = 0
    started = clock()

    def run(event: Event) -> list[Decision]:
        nonlocal cpu_ns
        c0, t0 = cpu(), clock()
        decisions = engine.on_event(event, now)
        t1, c1 = clock(), cpu()
        latencies.append(t1 - t0)
        cpu_ns += c1 - c0
        return decisions

    for _ in range(cycles):
        now += 0.01
        index = rng.randrange(len(engaged))
        engaged[index], engaged[-1] = engaged[-1], engaged[index]
        decisions = run(ConversationEnded(engaged.pop(), handle_seconds=rng.uniform(100, 200)))
        decision_latencies.append(latencies[-1])
        decisions += run(workload.contact())
        for decision in decisions:
            if isinstance(decision, Offer):
                decisions_made += 1
                run(OfferAccepted(decision.contact_id, decision.agent_id))
                engaged.append(decision.contact_id)
    elapsed = (clock() - started) / 1e9
    busy = sum(latencies) / 1e9
    t0 = clock()
    flushed = engine.publish_positions(now)  # everything that moved during the timed loop
    flush_ns = clock() - t0
    for _ in range(100):  # one second of traffic, then the pass Tick runs every second
        now += 0.01
        index = rng.randrange(len(engaged))
        engaged[index], engaged[-1] = engaged[-1], engaged[index]
        decisions = engine.on_event(
            ConversationEnded(engaged.pop(), handle_seconds=rng.uniform(100, 200)), now
        )
        decisions += engine.on_event(workload.contact(), now)
        _accept_all(engine, decisions, now, engaged)
    t0 = clock()
    updates = engine.publish_positions(now)
    publish_ns = clock() - t0
    in_line = sum(len(engine.line(queue_id)) for queue_id in engine.queue_ids())
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    latencies.sort()
    decision_latencies.sort()
    return {
        "waiting": waiting,
        "waiting_at_end": in_line,
        "agents": AGENTS,
        "skills": SKILLS,
        "decisions": decisions_made,
        "decisions_per_second": round(decisions_made / busy),
        "decisions_per_cpu_second": round(decisions_made / (cpu_ns / 1e9)),
        "events_per_second": round(len(latencies) / busy),
        "wall_seconds": round(elapsed, 3),
        "p50_us": _percentile(latencies, 0.5),
        "p99_us": _percentile(latencies, 0.99),
        "decision_p50_us": _percentile(decision_latencies, 0.5),
        "decision_p99_us": _percentile(decision_latencies, 0.99),
        "position_update_us": round(publish_ns / 1000, 1),
        "position_update_per_contact_us": round(publish_ns / 1000 / max(1, in_line), 3),
        "position_updates_published": len(updates),
        "position_flush_us": round(flush_ns / 1000, 1),
        "position_flush_updates": len(flushed),
        "build_peak_mb": round(build_peak / 2**20, 1) if trace_memory else None,
    }


def bare_matcher(waiting: int, cycles: int, seed: int = 1) -> float:
    """Decisions/s of a heap per skill and nothing else: no languages, segments, offers or positions."""
    rng = random.Random(seed)
    heaps: list[list[tuple[int, int]]] = [[] for _ in range(SKILLS)]
    agent_skills = [rng.sample(range(SKILLS), SKILLS_PER_AGENT) for _ in range(AGENTS)]
    for seq in range(waiting):
        heapq.heappush(heaps[rng.randrange(SKILLS)], (rng.randint(0, 1), seq))
    freed = [agent_skills[rng.randrange(AGENTS)] for _ in range(cycles)]  # drawn before timing
    arrivals = [(rng.randrange(SKILLS), rng.randint(0, 1)) for _ in range(cycles)]
    made = 0
    heappop, heappush = heapq.heappop, heapq.heappush
    started = time.thread_time_ns()
    for seq in range(cycles):
        best = None
        for skill in freed[seq]:
            heap = heaps[skill]
            if heap and (best is None or heap[0] < best[0]):
                best = heap
        if best is not None:
            heappop(best)
            made += 1
        skill, priority = arrivals[seq]
        heappush(heaps[skill], (priority, waiting + seq))
    return made / ((time.thread_time_ns() - started) / 1e9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer cycles, no 50k size, no memory trace")
    parser.add_argument(
        "--json", action="store_true", help="JSON output (the default; kept for the issue's command)"
    )
    args = parser.parse_args()
    sizes = [50, 1_000, 10_000] + ([100_000] if args.quick else [50_000, 100_000])
    cycles = 2_000 if args.quick else 60_000
    results = [measure(size, cycles, trace_memory=not args.quick) for size in sizes]
    by_size = {result["waiting"]: result for result in results}
    bare = bare_matcher(10_000, cycles * 4)
    at_10k = by_size[10_000]["decisions_per_cpu_second"]
    report = {
        "benchmark": "routing",
        "command": " ".join(["bench/routing.py", *sys.argv[1:]]),
        "results": results,
        # growth of the cost per event from 1k to 100k waiting; log n growth would be log(1e5)/log(1e3) = 1.67
        "p99_ratio_100k_vs_1k": round(float(by_size[100_000]["p99_us"]) / float(by_size[1_000]["p99_us"]), 2),
        "cpu_per_decision_ratio_100k_vs_1k": round(
            float(by_size[1_000]["decisions_per_cpu_second"])
            / float(by_size[100_000]["decisions_per_cpu_second"]),
            2,
        ),
        "bare_matcher_decisions_per_cpu_second_at_10k": round(bare),
        "bare_over_engine_at_10k": round(bare / float(at_10k), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": platform.python_version(),
        "gc": "collected and frozen after each build; thresholds (50000, 20, 100) while timing",
        "clocks": "latency: perf_counter per on_event; *_per_second: wall; *_per_cpu_second: thread CPU",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
