"""Live projections: listeners that fold each event into the KPI read model as it is committed.

`KpiProjection.apply` takes `KpiEvent`s in time order and keeps the same finest-slice tallies the full
recompute (recompute.py) builds from the whole history; FCR and TTR are revised when a customer comes back,
and agent time is counted up to the instant asked for. `KpiListener` is the server-side listener: it adapts
the event envelopes first.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from holdless.analytics.facts import AVAILABLE, EventAdapter, Kind, KpiEvent
from holdless.analytics.kpis import BASE_INTERVAL, Figures, KpiConfig, SliceKey, Tally, interval_of, roll_up
from holdless.analytics.recompute import Tallies, add_agent_time, key_of
from holdless.events import Event


@dataclass(slots=True)
class _Agent:
    state: str = "offline"
    busy: int = 0  # contacts this agent is actively handling
    since: float | None = None  # counted up to here


@dataclass(slots=True)
class _Contact:
    customer: str = ""
    created_at: float = 0.0
    reason: str = ""
    chain_start: float = 0.0
    bot: bool = False
    bot_decided: bool = False
    joined_at: float | None = None
    join_key: SliceKey | None = None
    answered: bool = False
    agent: str = ""
    away: bool = False
    ended: bool = False
    ended_at: float = 0.0
    active_since: float = 0.0
    ever_handled: bool = False
    handle_s: float = 0.0
    transferred: bool = False
    resolve_key: SliceKey | None = None
    ttr: float = 0.0
    repeated: bool = False
    promise_key: SliceKey | None = None

    @property
    def active(self) -> bool:
        return bool(self.agent) and not self.away and not self.ended


class KpiProjection:
    """The live KPI read model: O(1) work per event (FCR: per earlier resolution of the same reason)."""

    def __init__(self, config: KpiConfig | None = None) -> None:
        self.config = config or KpiConfig()
        self.tallies = Tallies()
        self._contacts: dict[str, _Contact] = {}
        self._agents: dict[str, _Agent] = defaultdict(_Agent)
        # (customer, reason) -> [(resolved_at, contact)] in time order
        self._resolutions: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
        # wallboard roll-ups: (by, minutes) -> interval -> (changes seen, groups)
        self._views: dict[
            tuple[tuple[str, ...], int], dict[int, tuple[int, dict[tuple[str | int, ...], Tally]]]
        ] = {}

    def forget(self, before: float) -> int:
        """Drop contacts that can no longer change a figure, to bound memory; returns how many were dropped.

        Kept: open contacts, and ended ones whose resolution a new contact could still repeat (the FCR window
        before `before`, reaching further back for open contacts whose reason is not known yet). Events that
        arrive later for a dropped contact (a wrap-up or a kept callback more than the FCR window late) are
        not counted. The tallies themselves are kept.
        """
        window = self.config.fcr_seconds
        unknown = (c.created_at for c in self._contacts.values() if not c.ended and not c.reason)
        keep_from = min(before, min(unknown, default=before)) - window
        for group, entries in list(self._resolutions.items()):
            cut = bisect_left(entries, (keep_from, ""))
            if cut == len(entries):
                del self._resolutions[group]
            elif cut:
                del entries[:cut]
        gone = [cid for cid, c in self._contacts.items() if c.ended and c.ended_at < keep_from]
        for cid in gone:
            del self._contacts[cid]
        return len(gone)

    def apply_all(self, events: Iterable[KpiEvent]) -> None:
        for e in events:
            self.apply(e)

    def apply(self, e: KpiEvent) -> None:
        if e.kind is Kind.AGENT_STATE:
            agent = self._agents[e.agent]
            self._count_agent(e.agent, agent, e.at)
            agent.state = e.reason
            return
        c = self._contacts.get(e.contact)
        if c is None:
            c = self._contacts[e.contact] = _Contact()
        was_active, was_agent = c.active, c.agent
        self._contact_state(c, e)
        if was_active and (not c.active or c.agent != was_agent):
            c.handle_s += e.at - c.active_since
            self._busy(was_agent, e.at, -1)
        if c.active and (not was_active or c.agent != was_agent):
            c.active_since = e.at
            self._busy(c.agent, e.at, +1)
        self._count(c, e)

    def _contact_state(self, c: _Contact, e: KpiEvent) -> None:
        cfg, k = self.config, e.kind
        if k is Kind.CREATED:
            c.customer, c.created_at, c.chain_start, c.bot = e.customer, e.at, e.at, e.value > 0
            if e.reason and not c.reason:
                c.reason = e.reason
                self._link(c)
        elif k is Kind.QUEUED:
            c.agent = ""
            if c.joined_at is None:
                c.joined_at = e.at
                c.join_key = (interval_of(e.at), e.queue, e.segment, e.channel, "", e.language)
                self.tallies.at(c.join_key).joined += 1
        elif k is Kind.ASSIGNED or k is Kind.TRANSFERRED:
            c.agent = e.agent
            c.transferred = c.transferred or k is Kind.TRANSFERRED
        elif k is Kind.ANSWERED:
            if not c.answered and c.join_key is not None and c.joined_at is not None:
                t = self.tallies.at(c.join_key)
                wait = e.at - c.joined_at
                t.answered += 1
                t.wait_sum += wait
                t.answered_in_t += wait <= cfg.sl_seconds
            c.answered = True
        elif k is Kind.AWAY or k is Kind.BACK:
            c.away = k is Kind.AWAY
        elif k is Kind.ABANDONED:
            c.ended, c.ended_at = True, e.at
            if not c.answered and c.join_key is not None and c.joined_at is not None:
                t = self.tallies.at(c.join_key)
                wait = e.at - c.joined_at
                if wait < cfg.short_abandon_seconds:
                    t.short_abandons += 1
                else:
                    t.abandoned += 1
                    t.abandoned_after_t += wait > cfg.sl_seconds
        elif k is Kind.RESOLVED:
            c.ended, c.ended_at = True, e.at
            if e.reason and not c.reason:
                c.reason = e.reason
                self._link(c)
        if c.agent:
            c.ever_handled = True

    def _count(self, c: _Contact, e: KpiEvent) -> None:
        k = e.kind
        if c.bot and not c.bot_decided and k in _BOT_OUTCOMES:
            c.bot_decided = True
            if not (k is Kind.QUEUED and e.at == c.created_at):
                t = self.tallies.at(key_of(e))
                t.bot_handled += 1
                t.bot_contained += k is Kind.RESOLVED
        if k is Kind.RESOLVED and c.resolve_key is None:
            c.resolve_key = key_of(e)
            t = self.tallies.at(c.resolve_key)
            t.resolved += 1
            if c.ever_handled:
                t.handled += 1
                t.handle_sum += c.handle_s
                t.transferred += c.transferred
            c.ttr = e.at - c.chain_start
            t.fcr_ok += 1
            t.ttr_count += 1
            t.ttr_sum += c.ttr
            if c.reason:
                self._resolutions[c.customer, c.reason].append((e.at, e.contact))
        elif k is Kind.WRAPPED:
            if c.resolve_key is None:
                c.handle_s += e.value
            elif c.ever_handled:
                self.tallies.at(c.resolve_key).handle_sum += e.value
        elif k is Kind.CSAT or k is Kind.NPS or k is Kind.CES:
            t = self.tallies.at(key_of(e))
            if k is Kind.CSAT:
                t.csat_n += 1
                t.csat_good += e.value >= 4
            elif k is Kind.NPS:
                t.nps_n += 1
                t.nps_promoters += e.value >= 9
                t.nps_detractors += e.value <= 6
            else:
                t.ces_n += 1
                t.ces_sum += e.value
        elif k is Kind.CALLBACK_PROMISED:
            c.promise_key = key_of(e)
            self.tallies.at(c.promise_key).callbacks_promised += 1
        elif k is Kind.CALLBACK_KEPT and c.promise_key is not None:
            self.tallies.at(c.promise_key).callbacks_kept += 1

    def _link(self, c: _Contact) -> None:
        """The contact's reason is known: earlier resolutions it repeats lose FCR; it continues the chain."""
        entries = self._resolutions.get((c.customer, c.reason))
        if not entries:
            return
        horizon = c.created_at - self.config.fcr_seconds
        parent: tuple[float, str] | None = None
        for entry in reversed(entries):
            resolved_at, cid = entry
            if resolved_at < horizon:
                break
            if resolved_at >= c.created_at:
                continue
            parent = entry if parent is None else max(parent, entry)
            r = self._contacts[cid]
            if not r.repeated and r.resolve_key is not None:
                r.repeated = True
                t = self.tallies.at(r.resolve_key)
                t.fcr_ok -= 1
                t.ttr_count -= 1
                t.ttr_sum -= r.ttr
        if parent is not None:
            c.chain_start = self._contacts[parent[1]].chain_start

    def _busy(self, agent_id: str, at: float, delta: int) -> None:
        agent = self._agents[agent_id]
        self._count_agent(agent_id, agent, at)
        agent.busy += delta

    def _count_agent(self, agent_id: str, agent: _Agent, at: float) -> None:
        if agent.since is not None:
            busy = agent.busy > 0
            add_agent_time(self.tallies, agent_id, agent.since, at, busy, busy or agent.state == AVAILABLE)
        agent.since = at

    def snapshot(self, until: float, since: float | None = None) -> dict[SliceKey, Tally]:
        """The tallies as of `until`, agents' current state counted up to it (the model is not changed);
        with `since`, only the slices of the intervals in [since, until) — what a wallboard needs."""
        if since is None:
            out = dict(self.tallies)
            start = None
        else:
            start = interval_of(since)
            out = {}
            for interval in range(start, int(until) + 1, BASE_INTERVAL):
                if interval >= until:
                    break
                for key in self.tallies.by_interval.get(interval, ()):
                    out[key] = self.tallies[key]
        open_time = Tallies()
        for agent_id, agent in self._agents.items():
            if agent.since is not None and agent.since < until:
                busy = agent.busy > 0
                begin = agent.since if start is None else max(agent.since, start)
                add_agent_time(open_time, agent_id, begin, until, busy, busy or agent.state == AVAILABLE)
        for key, extra in open_time.items():
            merged = out[key].copy() if key in out else Tally()
            merged.add(extra)
            out[key] = merged
        return out

    def figures(
        self, by: Sequence[str], *, since: float, until: float, interval_minutes: int = 15
    ) -> dict[tuple[str | int, ...], Figures]:
        """Live figures (the wallboard): slices of [since, until), agent time counted up to `until`.

        Each 15-minute interval's roll-up is cached and redone only when one of its slices was written since
        (answers and abandons write to the interval the contact joined in, FCR revisions to the resolution's),
        so a refresh costs the changed intervals plus one addition per interval and group.
        """
        start = interval_of(since)
        cache = self._views.setdefault((tuple(by), interval_minutes), {})
        merged: dict[tuple[str | int, ...], Tally] = {}
        interval = start
        while interval < until:
            changes = self.tallies.changes.get(interval, 0)
            cached = cache.get(interval)
            if cached is None or cached[0] != changes:
                keys = self.tallies.by_interval.get(interval, ())
                part = roll_up({k: self.tallies[k] for k in keys}, by, interval_minutes=interval_minutes)
                cached = cache[interval] = (changes, part)
            _merge(merged, cached[1])
            interval += BASE_INTERVAL
        open_time = Tallies()
        for agent_id, agent in self._agents.items():
            if agent.since is not None and agent.since < until:
                busy = agent.busy > 0
                begin = max(agent.since, start)
                add_agent_time(open_time, agent_id, begin, until, busy, busy or agent.state == AVAILABLE)
        _merge(merged, roll_up(open_time, by, interval_minutes=interval_minutes, since=start, until=until))
        return {group: Figures.of(t) for group, t in merged.items()}


def _merge(into: dict[tuple[str | int, ...], Tally], part: dict[tuple[str | int, ...], Tally]) -> None:
    for group, tally in part.items():
        target = into.get(group)
        if target is None:
            into[group] = tally.copy()
        else:
            target.add(tally)


_BOT_OUTCOMES = frozenset({Kind.QUEUED, Kind.ASSIGNED, Kind.ANSWERED, Kind.ABANDONED, Kind.RESOLVED})


class KpiListener:
    """Registered with the event listeners: adapts each committed server event and folds it in."""

    def __init__(self, config: KpiConfig | None = None) -> None:
        self.adapter = EventAdapter()
        self.projection = KpiProjection(config)

    def on_event(self, event: Event) -> None:
        for e in self.adapter.adapt(event):
            self.projection.apply(e)
