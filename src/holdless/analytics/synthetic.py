"""A seeded synthetic history of `KpiEvent`s: for agreement tests, the benchmark and demos. Pure."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

from holdless.analytics.facts import Kind, KpiEvent

CHANNELS = ("webchat", "email", "telegram", "voice")
QUEUES = ("billing", "tech", "sales")
SEGMENTS = ("standard", "vip")
LANGUAGES = ("en", "ru", "zh")
REASONS = ("refund", "password", "delivery", "invoice", "other")
SYNC = frozenset({"webchat", "voice"})


def history(
    seed: int, *, start: float, days: float, contacts_per_hour: float, agents: int = 8, customers: int = 300
) -> list[KpiEvent]:
    """Contacts arriving at random, with bot time, waits, abandons, away/back, transfers, resolutions with
    dispositions, wrap-up, surveys and callbacks; agents changing state. Whole seconds, sorted by time."""
    rng = random.Random(seed)
    out: list[KpiEvent] = []
    end = start + days * 86_400
    agent_ids = [f"agent{i}" for i in range(agents)]
    for a in agent_ids:
        t = start + rng.randint(0, 3600)
        while t < end:
            out.append(
                KpiEvent(Kind.AGENT_STATE, t, agent=a, reason=rng.choice(("available", "away", "offline")))
            )
            t += rng.randint(600, 4 * 3600)
    t = start
    n = 0
    while True:
        t += max(1, round(rng.expovariate(contacts_per_hour / 3600)))
        if t >= end:
            break
        n += 1
        out.extend(_contact(rng, f"c{n}", t, agent_ids, customers))
    out.sort(key=lambda e: e.at)
    return out


def _contact(rng: random.Random, cid: str, t0: float, agents: list[str], customers: int) -> list[KpiEvent]:
    channel = rng.choice(CHANNELS)
    customer, language = f"cust{rng.randrange(customers)}", rng.choice(LANGUAGES)

    def mk(kind: Kind, at: float, **where: str | float) -> KpiEvent:
        return _event(kind, at, cid, customer, channel, language, where)

    intent = rng.choice(REASONS) if rng.random() < 0.3 else ""
    bot = rng.random() < 0.6
    ev: list[KpiEvent] = [mk(Kind.CREATED, t0, reason=intent, value=1.0 if bot else 0.0)]
    t = t0
    disposition = intent or rng.choice(REASONS)
    if bot:
        t += rng.randint(0, 300)
        if rng.random() < 0.3:
            ev.append(mk(Kind.RESOLVED, t, reason=disposition))
            return _after(rng, ev, t, mk, "", "", "")
    queue, segment = rng.choice(QUEUES), rng.choice(SEGMENTS)
    ev.append(mk(Kind.QUEUED, t, queue=queue, segment=segment))
    wait = rng.randint(0, 240)
    if rng.random() < 0.1:
        ev.append(mk(Kind.CALLBACK_PROMISED, t + 1, queue=queue, segment=segment))
        if rng.random() < 0.7:
            ev.append(mk(Kind.CALLBACK_KEPT, t + wait, queue=queue, segment=segment))
        else:
            ev.append(mk(Kind.CALLBACK_BROKEN, t + wait, queue=queue, segment=segment))
    if channel in SYNC and rng.random() < 0.15:
        ev.append(mk(Kind.ABANDONED, t + wait, queue=queue, segment=segment))
        return ev
    if channel not in SYNC and rng.random() < 0.2:
        ev.append(mk(Kind.AWAY, t + wait // 2, queue=queue, segment=segment))
        ev.append(mk(Kind.BACK, t + wait - wait // 4, queue=queue, segment=segment))
    t += wait
    agent = rng.choice(agents)
    ev.append(mk(Kind.ASSIGNED, t, queue=queue, segment=segment, agent=agent))
    t += rng.randint(0, 30)
    ev.append(mk(Kind.ANSWERED, t, queue=queue, segment=segment, agent=agent))
    t += rng.randint(30, 600)
    if channel not in SYNC and rng.random() < 0.2:
        ev.append(mk(Kind.AWAY, t, queue=queue, segment=segment, agent=agent))
        t += rng.randint(60, 3600)
        ev.append(mk(Kind.BACK, t, queue=queue, segment=segment, agent=agent))
    if rng.random() < 0.15:
        if rng.random() < 0.5:
            agent = rng.choice(agents)
            ev.append(mk(Kind.TRANSFERRED, t, queue=queue, segment=segment, agent=agent))
        else:
            queue = rng.choice(QUEUES)
            ev.append(mk(Kind.QUEUED, t, queue=queue, segment=segment))
            ev.append(mk(Kind.TRANSFERRED, t, queue=queue, segment=segment))
            t += rng.randint(0, 120)
            agent = rng.choice(agents)
            ev.append(mk(Kind.ASSIGNED, t, queue=queue, segment=segment, agent=agent))
        t += rng.randint(30, 600)
    ev.append(mk(Kind.RESOLVED, t, queue=queue, segment=segment, agent=agent, reason=disposition))
    return _after(rng, ev, t, mk, queue, segment, agent)


def _after(
    rng: random.Random,
    ev: list[KpiEvent],
    t: float,
    mk: Callable[..., KpiEvent],
    queue: str,
    segment: str,
    agent: str,
) -> list[KpiEvent]:
    where = {"queue": queue, "segment": segment, "agent": agent}
    if agent and rng.random() < 0.5:
        ev.append(mk(Kind.WRAPPED, t + rng.randint(5, 120), value=float(rng.randint(5, 120)), **where))
    if rng.random() < 0.4:
        ev.append(mk(Kind.CSAT, t + rng.randint(10, 900), value=float(rng.randint(1, 5)), **where))
    if rng.random() < 0.3:
        ev.append(mk(Kind.NPS, t + rng.randint(10, 900), value=float(rng.randint(0, 10)), **where))
    if rng.random() < 0.3:
        ev.append(mk(Kind.CES, t + rng.randint(10, 900), value=float(rng.randint(1, 7)), **where))
    return ev


def _event(
    kind: Kind,
    at: float,
    cid: str,
    customer: str,
    channel: str,
    language: str,
    where: Mapping[str, str | float],
) -> KpiEvent:
    value = where.get("value", 0.0)
    text = {k: str(v) for k, v in where.items() if k != "value"}
    return KpiEvent(
        kind,
        at,
        cid,
        customer,
        channel,
        text.get("queue", ""),
        text.get("segment", ""),
        text.get("agent", ""),
        language,
        text.get("reason", ""),
        float(value),
    )
