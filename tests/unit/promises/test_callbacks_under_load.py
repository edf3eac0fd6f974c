"""100 callbacks promised while the line is busy: every promise ends exactly once, kept or broken.

A seeded shift through the real routing engine: walk-in chats keep 8 agents about 90% busy, 100 customers
in line ask to be written back inside a window of their choosing, and one attempt in five is not answered.
Nothing here reads the engine's own counters to decide the outcome: the test keeps its own ledger of
what each promise should be from the decisions it sees and the windows it asked for.
"""

from __future__ import annotations

import heapq
import random

from holdless.routing import (
    AgentChanged,
    AgentState,
    CallbackBroken,
    CallbackKept,
    CallbackNoAnswer,
    CallbackRequested,
    ContactQueued,
    ConversationEnded,
    Decision,
    Offer,
    OfferAccepted,
    RoutingConfig,
    RoutingEngine,
)

AGENTS = 8
HANDLE = 150.0
CALLBACKS = 100


def test_a_hundred_callbacks_under_load_all_end_kept_or_broken() -> None:
    rng = random.Random(2026)
    engine = RoutingEngine(RoutingConfig(callback_retry_seconds=120, callback_max_attempts=2))
    for i in range(AGENTS):
        engine.on_event(
            AgentChanged(f"a{i}", AgentState.AVAILABLE, {"chat": 1}, frozenset(), {"chat": 1}), 0.0
        )

    windows: dict[str, tuple[float, float]] = {}
    outcomes: dict[str, list[Decision]] = {}
    attempt_started: dict[str, float] = {}
    timeline: list[tuple[float, int, str, str]] = []  # (time, order, what, contact)
    seq = 0

    def later(at: float, what: str, contact: str) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(timeline, (at, seq, what, contact))

    def react(decisions: list[Decision], now: float) -> None:
        for d in decisions:
            if isinstance(d, Offer):
                later(now + rng.uniform(1, 5), "accept", f"{d.contact_id}|{d.agent_id}")
            elif isinstance(d, CallbackKept | CallbackBroken):
                outcomes.setdefault(d.contact_id, []).append(d)

    # Walk-ins at ~90% load over 4 hours; 40% of those who must wait ask for a callback, up to 100.
    now, n = 0.0, 0
    while now < 4 * 3600:
        now += rng.expovariate(AGENTS * 0.9 / HANDLE)
        n += 1
        later(now, "arrive", f"c{n}")
    ends_by = 0.0
    while timeline:
        now, _, what, subject = heapq.heappop(timeline)
        react(engine.tick(now), now)
        if what == "arrive":
            react(engine.on_event(ContactQueued(subject, "q", "standard", "chat", {"chat": 1}), now), now)
            waiting = engine.contact_status(subject) == "waiting"
            if len(windows) < CALLBACKS and waiting and rng.random() < 0.4:
                start = now + rng.choice([0.0, rng.uniform(60, 1800)])
                end = start + rng.uniform(300, 3600)
                windows[subject] = (start, end)
                ends_by = max(ends_by, end)
                react(engine.on_event(CallbackRequested(subject, start, end, "chat"), now), now)
        elif what == "accept":
            contact, agent = subject.split("|")
            decisions = engine.on_event(OfferAccepted(contact, agent), now)
            react(decisions, now)
            if engine.contact_status(contact) == "engaged":
                attempt_started[contact] = now
                if contact in windows and rng.random() < 0.2:
                    later(now + 30, "no-answer", contact)
                else:
                    later(now + rng.expovariate(1 / HANDLE), "end", contact)
        elif what == "no-answer":
            react(engine.on_event(CallbackNoAnswer(subject), now), now)
        elif what == "end":
            react(engine.on_event(ConversationEnded(subject), now), now)
    react(engine.tick(ends_by + 3600), ends_by + 3600)

    assert len(windows) == CALLBACKS
    assert set(outcomes) == set(windows), "no promise was silently dropped"
    assert all(len(o) == 1 for o in outcomes.values()), "each promise ends exactly once"
    kept = {c for c, [o] in outcomes.items() if isinstance(o, CallbackKept)}
    for contact in kept:
        [decision] = outcomes[contact]
        assert isinstance(decision, CallbackKept)
        start, end = windows[contact]
        assert start <= decision.answered_at <= end, "kept means answered inside the promised window"
    broken = [o for c, [o] in outcomes.items() if c not in kept]
    broken_reasons = {o.reason for o in broken if isinstance(o, CallbackBroken)}
    assert broken_reasons <= {"window passed", "no answer", "late"}
    snapshot = engine.snapshot(ends_by + 3600)
    assert (snapshot.callbacks_kept, snapshot.callbacks_broken) == (len(kept), CALLBACKS - len(kept))
    kept_rate = len(kept) / CALLBACKS
    assert 0.5 < kept_rate < 1.0, f"under this load most promises are kept, not all: {kept_rate:.2f}"
