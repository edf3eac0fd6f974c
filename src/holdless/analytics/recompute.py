"""The full recompute: every KPI tally from a whole history of `KpiEvent`s, in passes over the data.

Contacts are walked one by one into facts, then FCR and TTR are decided per customer and reason, and
occupancy is swept per agent. The live projections (projections.py) must agree with this.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from holdless.analytics.facts import AVAILABLE, Kind, KpiEvent
from holdless.analytics.kpis import BASE_INTERVAL, KpiConfig, SliceKey, Tally, interval_of


def key_of(e: KpiEvent, at: float | None = None) -> SliceKey:
    return (interval_of(e.at if at is None else at), e.queue, e.segment, e.channel, e.agent, e.language)


def agent_key(agent: str, at: float) -> SliceKey:
    return (interval_of(at), "", "", "", agent, "")


class Tallies(dict[SliceKey, Tally]):
    """Finest-slice tallies, with the slices of each 15-minute interval listed for quick windows."""

    def __init__(self) -> None:
        super().__init__()
        self.by_interval: dict[int, list[SliceKey]] = defaultdict(list)
        self.changes: dict[int, int] = defaultdict(int)  # per interval: how often its slices were written

    def at(self, key: SliceKey) -> Tally:
        """The slice's tally, to be written to (counted as a change of its interval)."""
        self.changes[key[0]] += 1
        t = self.get(key)
        if t is None:
            t = self[key] = Tally()
            self.by_interval[key[0]].append(key)
        return t


def add_agent_time(out: Tallies, agent: str, start: float, end: float, busy: bool, staffed: bool) -> None:
    """Split [start, end) at 15-minute boundaries into the agent's occupancy slices."""
    if not staffed:
        return
    while start < end:
        stop = min(end, interval_of(start) + BASE_INTERVAL)
        t = out.at(agent_key(agent, start))
        t.staffed_seconds += stop - start
        if busy:
            t.busy_seconds += stop - start
        start = stop


@dataclass(slots=True)
class _Contact:
    id: str
    customer: str = ""
    created_at: float = 0.0
    reason: str = ""
    bot: bool = False
    bot_decided: bool = False
    joined_at: float | None = None
    join_key: SliceKey | None = None
    answered: bool = False
    agent: str = ""
    away: bool = False
    ended: bool = False
    active_since: float = 0.0
    ever_handled: bool = False
    handle_s: float = 0.0
    transferred: bool = False
    resolved_at: float | None = None
    resolve_key: SliceKey | None = None
    promise_key: SliceKey | None = None
    activity: list[tuple[str, float, float]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.agent) and not self.away and not self.ended


def _walk(c: _Contact, events: list[KpiEvent], cfg: KpiConfig, out: Tallies) -> None:
    """One contact's events in time order: queue figures, handling, surveys, callbacks, containment."""
    for e in events:
        was_active, was_agent = c.active, c.agent
        k = e.kind
        if k is Kind.CREATED:
            c.customer, c.created_at, c.bot = e.customer, e.at, e.value > 0
            c.reason = c.reason or e.reason
        elif k is Kind.QUEUED:
            c.agent = ""
            if c.joined_at is None:
                c.joined_at = e.at
                c.join_key = (interval_of(e.at), e.queue, e.segment, e.channel, "", e.language)
                out.at(c.join_key).joined += 1
        elif k is Kind.ASSIGNED or k is Kind.TRANSFERRED:
            c.agent = e.agent
            c.transferred = c.transferred or k is Kind.TRANSFERRED
        elif k is Kind.ANSWERED:
            if not c.answered and c.join_key is not None and c.joined_at is not None:
                wait = e.at - c.joined_at
                t = out.at(c.join_key)
                t.answered += 1
                t.wait_sum += wait
                t.answered_in_t += wait <= cfg.sl_seconds
            c.answered = True
        elif k is Kind.AWAY:
            c.away = True
        elif k is Kind.BACK:
            c.away = False
        elif k is Kind.ABANDONED:
            c.ended = True
            if not c.answered and c.join_key is not None and c.joined_at is not None:
                wait = e.at - c.joined_at
                t = out.at(c.join_key)
                if wait < cfg.short_abandon_seconds:
                    t.short_abandons += 1
                else:
                    t.abandoned += 1
                    t.abandoned_after_t += wait > cfg.sl_seconds
        elif k is Kind.RESOLVED:
            c.ended = True
            c.reason = c.reason or e.reason
        if c.agent:
            c.ever_handled = True
        # Agent-active intervals: close on leaving or changing agent, open on entering.
        if was_active and (not c.active or c.agent != was_agent):
            c.activity.append((was_agent, c.active_since, e.at))
            c.handle_s += e.at - c.active_since
        if c.active and (not was_active or c.agent != was_agent):
            c.active_since = e.at
        _after(c, e, out)


def _after(c: _Contact, e: KpiEvent, out: Tallies) -> None:
    """What is counted at the event's own slice once the contact's state is up to date."""
    k = e.kind
    if c.bot and not c.bot_decided and k in _BOT_OUTCOMES:
        c.bot_decided = True
        if not (k is Kind.QUEUED and e.at == c.created_at):  # straight to line: the bot never had a turn
            t = out.at(key_of(e))
            t.bot_handled += 1
            t.bot_contained += k is Kind.RESOLVED
    if k is Kind.RESOLVED and c.resolved_at is None:
        c.resolved_at, c.resolve_key = e.at, key_of(e)
        t = out.at(c.resolve_key)
        t.resolved += 1
        if c.ever_handled:
            t.handled += 1
            t.handle_sum += c.handle_s
            t.transferred += c.transferred
    elif k is Kind.WRAPPED:
        if c.resolve_key is None:
            c.handle_s += e.value
        elif c.ever_handled:
            out.at(c.resolve_key).handle_sum += e.value
    elif k is Kind.CSAT:
        t = out.at(key_of(e))
        t.csat_n += 1
        t.csat_good += e.value >= 4
    elif k is Kind.NPS:
        t = out.at(key_of(e))
        t.nps_n += 1
        t.nps_promoters += e.value >= 9
        t.nps_detractors += e.value <= 6
    elif k is Kind.CES:
        t = out.at(key_of(e))
        t.ces_n += 1
        t.ces_sum += e.value
    elif k is Kind.CALLBACK_PROMISED:
        c.promise_key = key_of(e)
        out.at(c.promise_key).callbacks_promised += 1
    elif k is Kind.CALLBACK_KEPT and c.promise_key is not None:
        out.at(c.promise_key).callbacks_kept += 1


_BOT_OUTCOMES = frozenset({Kind.QUEUED, Kind.ASSIGNED, Kind.ANSWERED, Kind.ABANDONED, Kind.RESOLVED})


def _fcr_and_ttr(contacts: list[_Contact], cfg: KpiConfig, out: Tallies) -> None:
    """A resolution is first-contact unless the customer came back about the same reason within 7 days.

    TTR runs from the first contact of a chain (each contact continuing the latest resolution it repeats)
    to the resolution that ended the chain — one not repeated within the 7 days.
    """
    resolutions: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for c in contacts:
        if c.reason and c.resolved_at is not None:
            resolutions[c.customer, c.reason].append((c.resolved_at, c.id))
    for entries in resolutions.values():
        entries.sort()
    repeated: set[str] = set()
    chain_start: dict[str, float] = {}
    for c in sorted(contacts, key=lambda c: (c.created_at, c.id)):
        chain_start[c.id] = c.created_at
        if not c.reason:
            continue
        entries = resolutions.get((c.customer, c.reason), [])
        lo = bisect_left(entries, (c.created_at - cfg.fcr_seconds, ""))
        hi = bisect_left(entries, (c.created_at, ""))
        candidates = [e for e in entries[lo:hi] if e[0] < c.created_at]
        if candidates:
            repeated.update(cid for _, cid in candidates)
            chain_start[c.id] = chain_start[max(candidates)[1]]
    for c in contacts:
        if c.resolve_key is None or c.resolved_at is None or c.id in repeated:
            continue
        t = out.at(c.resolve_key)
        t.fcr_ok += 1
        t.ttr_count += 1
        t.ttr_sum += c.resolved_at - chain_start[c.id]


def _occupancy(
    states: dict[str, list[tuple[float, str]]], contacts: list[_Contact], until: float, out: Tallies
) -> None:
    changes: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
    for agent, seq in states.items():
        changes[agent].extend((at, 0, state) for at, state in seq)
    for c in contacts:
        intervals = list(c.activity)
        if c.active:
            intervals.append((c.agent, c.active_since, until))
        for agent, start, end in intervals:
            changes[agent].append((start, 1, ""))
            changes[agent].append((end, -1, ""))
    for agent, points in changes.items():
        points.sort(key=lambda p: p[0])
        state, busy, last = "offline", 0, points[0][0]
        for at, delta, new_state in [*points, (until, 0, "")]:
            at = min(at, until)
            add_agent_time(out, agent, last, at, busy > 0, busy > 0 or state == AVAILABLE)
            last = at
            if delta:
                busy += delta
            elif new_state:
                state = new_state


def recompute(events: Iterable[KpiEvent], until: float, config: KpiConfig | None = None) -> Tallies:
    """Every KPI tally of a history, sliced finest (see kpis.py); open agent time runs until `until`."""
    cfg = config or KpiConfig()
    by_contact: dict[str, list[KpiEvent]] = defaultdict(list)
    states: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for e in sorted(events, key=lambda e: e.at):
        if e.kind is Kind.AGENT_STATE:
            states[e.agent].append((e.at, e.reason))
        else:
            by_contact[e.contact].append(e)
    out = Tallies()
    contacts = []
    for cid, seq in by_contact.items():
        c = _Contact(cid)
        _walk(c, seq, cfg, out)
        contacts.append(c)
    _fcr_and_ttr(contacts, cfg, out)
    _occupancy(states, contacts, until, out)
    return out
