"""Who can take whom: requirement profiles, the agents eligible for each, and the two lookups of a decision.

Contacts with identical requirements share a :class:`RequirementProfile`; an agent is eligible for all
of a profile's contacts or none, so eligibility is computed once per (agent, profile) when either
changes, never per decision. Each profile keeps lazily cleaned heaps: its offerable contacts, one heap per
segment ("lane") in (deadline, place) order, and its agents with free capacity in selection order. A
decision therefore looks at the lane heads of the profiles the agent serves, comparing them by the
ordering policy's bands at ``now`` (agent freed), or at one heap (contact arrived).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from heapq import heapify, heappop, heappush, heapreplace

from holdless.routing.config import Segment
from holdless.routing.model import AgentState
from holdless.routing.policies import AgentSelection, OrderingPolicy
from holdless.routing.state import (
    NO_KEY,
    STALE,
    Attainment,
    BestHead,
    Lane,
    OfferEntry,
    RequirementProfile,
    RoutedAgent,
    RoutedContact,
    ServeKey,
)

_AVAILABLE = AgentState.AVAILABLE
ProfileKey = tuple[str, str | None, tuple[tuple[str, int], ...]]
_NEVER = float("inf")
OVERDUE = 1.5  # band of a late contact that gave way long enough: after on-time at-risk ones, before normal
_NOBODY = STALE[2]


def _eligible(agent: RoutedAgent, profile: RequirementProfile) -> bool:
    if agent.capacity.get(profile.channel, 0) <= 0:
        return False
    if profile.language is not None and profile.language not in agent.languages:
        return False
    skills = agent.skills
    return all(skills.get(name, -1) >= level for name, level in profile.skills)


class Matcher:
    __slots__ = ("_by_skill", "_policy", "_profiles", "_select", "agents", "attainments")

    def __init__(self, select: AgentSelection, policy: OrderingPolicy) -> None:
        self._select = select
        self._policy = policy
        self.attainments: dict[int, Attainment] = {}  # by id of the segment
        self._profiles: dict[ProfileKey, RequirementProfile] = {}
        self.agents: dict[str, RoutedAgent] = {}
        self._by_skill: dict[str, dict[str, RoutedAgent]] = {}  # skill -> agents having it, in join order

    @property
    def profiles(self) -> Iterable[RequirementProfile]:
        return self._profiles.values()

    def profile(self, channel: str, language: str | None, skills: Mapping[str, int]) -> RequirementProfile:
        needs = tuple(skills.items())
        key: ProfileKey = (channel, language, needs if len(needs) < 2 else tuple(sorted(needs)))
        found = self._profiles.get(key)
        if found is not None:
            return found
        profile = RequirementProfile(channel, language, key[2])
        self._profiles[key] = profile
        # Only agents with the rarest required skill can qualify: look at those, not at everyone.
        candidates = self.agents
        for name, _ in profile.skills:
            having = self._by_skill.get(name, {})
            if len(having) < len(candidates):
                candidates = having
        for agent in candidates.values():
            if _eligible(agent, profile):
                self._join(agent, profile)
        return profile

    def _join(self, agent: RoutedAgent, profile: RequirementProfile) -> None:
        profile.agents.add(agent.id)
        agent.profiles.setdefault(profile.channel, []).append(profile)
        if agent.state is _AVAILABLE:
            profile.slots += agent.capacity[profile.channel]
            if agent.has_room(profile.channel):
                self._push_free(agent, profile)

    # --- agents -----------------------------------------------------------------------------------

    def update_agent(
        self,
        agent: RoutedAgent,
        state: AgentState,
        skills: Mapping[str, int],
        languages: frozenset[str],
        capacity: Mapping[str, int],
    ) -> None:
        """Apply a new routing profile, keeping slot sums and eligibility exact."""
        self._count_slots(agent, -1)
        reprofile = (
            dict(skills) != agent.skills or languages != agent.languages or dict(capacity) != agent.capacity
        )
        agent.state = state
        for name in agent.skills:
            self._by_skill[name].pop(agent.id, None)
        for name in skills:
            self._by_skill.setdefault(name, {})[agent.id] = agent
        agent.skills = dict(skills)
        agent.languages = languages
        agent.capacity = {channel: n for channel, n in capacity.items() if n > 0}
        if reprofile:
            for profiles in agent.profiles.values():
                for profile in profiles:
                    profile.agents.discard(agent.id)
            agent.profiles = {}
            for profile in self._profiles.values():
                if _eligible(agent, profile):
                    profile.agents.add(agent.id)
                    agent.profiles.setdefault(profile.channel, []).append(profile)
        self._count_slots(agent, +1)
        agent.pushed = None  # profiles or capacity may have changed: push afresh
        self.agent_changed(agent)

    def _count_slots(self, agent: RoutedAgent, sign: int) -> None:
        if agent.state is not _AVAILABLE:
            return
        for channel, profiles in agent.profiles.items():
            slots = sign * agent.capacity.get(channel, 0)
            for profile in profiles:
                profile.slots += slots

    def agent_changed(self, agent: RoutedAgent) -> None:
        """Keep the agent's free entries right after any change of its state, load or activity.

        Entries carry the rank they were pushed with. A rank that got worse (the agent took work) is
        fixed lazily when the entry reaches a heap top (``pick_agent``), so an agent's entries are pushed
        again — one per profile it serves — only when its rank improved or it regained room.
        """
        agent.changes += 1
        if agent.state is not _AVAILABLE:
            agent.version += 1
            agent.pushed = None
            return
        pushed = agent.pushed
        active, capacity, select = agent.active, agent.capacity, self._select
        if pushed is not None:
            for channel in agent.profiles:
                room = capacity.get(channel, 0)
                load = active.get(channel, 0)
                if load < room:
                    old = pushed.get(channel)
                    if old is None or select(agent.active_total, load, room, agent.idle_since) < old:
                        break  # better than its entries say, or room again: push afresh
                elif channel in pushed:
                    del pushed[channel]  # no room there now: its entries are dropped when they surface
            else:
                return
        agent.version += 1
        ranks: dict[str, tuple[float, float]] = {}
        for channel, profiles in agent.profiles.items():
            room = capacity.get(channel, 0)
            load = active.get(channel, 0)
            if load < room:
                rank = ranks[channel] = select(agent.active_total, load, room, agent.idle_since)
                entry = (rank[0], rank[1], agent.id, agent.version, agent, agent.changes)
                for profile in profiles:
                    heappush(profile.free_agents, entry)
        agent.pushed = ranks

    def _push_free(self, agent: RoutedAgent, profile: RequirementProfile) -> None:
        channel = profile.channel
        rank = self._select(
            agent.active_total, agent.active.get(channel, 0), agent.capacity[channel], agent.idle_since
        )
        heappush(profile.free_agents, (rank[0], rank[1], agent.id, agent.version, agent, agent.changes))

    def pick_agent(self, contact: RoutedContact, now: float) -> RoutedAgent | None:
        """The free eligible agent the selection rule prefers, skipping those cooling down on the contact."""
        heap = contact.profile.free_agents
        channel = contact.channel
        select = self._select
        skipped = []
        found = None
        while heap:
            entry = heap[0]
            agent = entry[4]
            if entry[3] != agent.version or agent.state is not _AVAILABLE:
                heappop(heap)
                continue
            room = agent.capacity.get(channel, 0)
            load = agent.active.get(channel, 0)
            if load >= room:
                heappop(heap)
                agent.pushed = None  # an entry is gone: push afresh when it has room again
                continue
            if entry[5] != agent.changes:  # changed since pushed: its rank may have got worse
                rank = select(agent.active_total, load, room, agent.idle_since)
                if rank[0] != entry[0] or rank[1] != entry[1]:  # move it back where it belongs now
                    heapreplace(heap, (rank[0], rank[1], agent.id, agent.version, agent, agent.changes))
                    continue
            until = agent.cooldown.get(contact.id)
            if until is not None and until > now:
                skipped.append(heappop(heap))
                continue
            found = agent
            break
        for entry in skipped:
            heappush(heap, entry)
        return found

    # --- contacts ---------------------------------------------------------------------------------

    def lane(self, profile: RequirementProfile, segment: Segment) -> Lane:
        lane = profile.by_segment.get(id(segment))
        if lane is None:
            policy = self._policy
            lane = profile.by_segment[id(segment)] = Lane(
                segment,
                policy.group(segment),
                policy.slack(segment),
                policy.yield_for(segment),
                self.attainment(segment),
            )
            profile.lanes.append(lane)
        return lane

    def attainment(self, segment: Segment) -> Attainment:
        found = self.attainments.get(id(segment))
        if found is None:
            found = self.attainments[id(segment)] = Attainment(segment.target_share)
        return found

    def record_outcome(self, segment: Segment, in_target: bool, weight: float, margin: float) -> None:
        """A contact of the segment was answered (within target or not) or abandoned after target."""
        attainment = self.attainment(segment)
        attainment.share += weight * ((1.0 if in_target else 0.0) - attainment.share)
        ahead = attainment.share >= attainment.target + margin
        if ahead != attainment.ahead:
            attainment.ahead = ahead
            for profile in self._profiles.values():  # cached choices may have changed band
                profile.best = STALE

    def file_contact(self, contact: RoutedContact) -> None:
        """Make the contact offerable in its profile (or to its sticky agent only)."""
        key = contact.line_key
        assert key is not None
        contact.ticket += 1
        entry: OfferEntry = (key[0], key[1], key[2], key[3], contact.ticket, contact)
        if contact.sticky_agent is not None:
            agent = self.agents[contact.sticky_agent]
            heappush(agent.sticky.setdefault(contact.channel, []), entry)
        else:
            lane = contact.profile.by_segment.get(id(contact.segment))
            if lane is None:
                lane = self.lane(contact.profile, contact.segment)
            heap = lane.heap
            heappush(heap, entry)
            if heap[0] is entry:  # a new head: the profile's best may have changed
                contact.profile.best = STALE

    def pick_contact(self, agent: RoutedAgent, channel: str, now: float) -> RoutedContact | None:
        """The contact this agent should be offered next on ``channel``: held ones first, then by band.

        Each lane's head is its best contact whatever the time (both bands grow with the place), and each
        profile caches its best head until a head changes or crosses into the at-risk band. The choice is
        among the profiles' bests: the earliest deadline among those at risk, else the smallest
        (group, place).
        """
        held = agent.sticky.get(channel)
        while held:
            entry = held[0]
            if entry[4] == entry[5].ticket:
                return entry[5]
            heappop(held)
        if agent.cooldown:
            return self._pick_cooling(agent, channel, now)
        chosen = NO_KEY
        best = STALE
        for profile in agent.profiles.get(channel, ()):
            cached = profile.best
            if cached[0] <= now or cached[2].ticket != cached[3]:
                cached = profile.best = _best_head(profile.lanes, now)
            if cached[1] < chosen:
                chosen, best = cached[1], cached
        contact = best[2]
        return contact if type(contact) is RoutedContact else None

    def _pick_cooling(self, agent: RoutedAgent, channel: str, now: float) -> RoutedContact | None:
        """As ``pick_contact`` for an agent with declined contacts cooling down: lane by lane, no cache."""
        cooldown = agent.cooldown
        chosen = NO_KEY
        found: RoutedContact | None = None
        for profile in agent.profiles.get(channel, ()):
            for lane in profile.lanes:
                key, entry, _ = _lane_choice(lane, now, cooldown)
                if entry is not None and key < chosen:
                    chosen, found = key, entry[5]
        return found

    def compact(self) -> None:
        """Drop stale heap entries when they outnumber live ones (called off the hot path)."""
        for profile in self._profiles.values():
            for lane in profile.lanes:
                for late in (False, True):
                    waiting = lane.late if late else lane.heap
                    if len(waiting) > 64:
                        live = [entry for entry in waiting if entry[4] == entry[5].ticket]
                        if 2 * len(live) < len(waiting):
                            heapify(live)
                            if late:
                                lane.late = live
                            else:
                                lane.heap = live
            free = profile.free_agents
            if len(free) > 64:
                fresh = [entry for entry in free if entry[3] == entry[4].version]
                if 2 * len(fresh) < len(free):
                    heapify(fresh)
                    profile.free_agents = fresh


def _live_head(heap: list[OfferEntry], cooldown: Mapping[str, float] | None, now: float) -> OfferEntry | None:
    """The heap's first live entry (not cooling down for the agent); stale entries are dropped."""
    if cooldown is None:
        while heap:
            entry = heap[0]
            if entry[4] == entry[5].ticket:
                return entry
            heappop(heap)
        return None
    skipped = []
    found = None
    while heap:
        entry = heap[0]
        if entry[4] != entry[5].ticket:
            heappop(heap)
            continue
        until = cooldown.get(entry[3])
        if until is not None and until > now:
            skipped.append(heappop(heap))
            continue
        found = entry
        break
    for entry in skipped:
        heappush(heap, entry)
    return found


def _lane_choice(
    lane: Lane, now: float, cooldown: Mapping[str, float] | None = None
) -> tuple[ServeKey, OfferEntry | None, float]:
    """The lane's contact to serve at ``now``, its serving key, and when that choice may change.

    Without giving way the lane is served in deadline order: its head, at risk or normal. Where late
    contacts give way (``lane.yield_for`` > 0), those past their deadline are moved to ``lane.late``
    (oldest first): the lane offers its first on-time contact, unless its oldest late one is overdue.
    """
    heap = lane.heap
    head = _live_head(heap, cooldown, now)
    late: OfferEntry | None = None
    if lane.yield_for > 0.0:
        while head is not None and head[0] < now:  # past its deadline: lost for the service level
            heappush(lane.late, heappop(heap))
            head = _live_head(heap, cooldown, now)
        late = _live_head(lane.late, cooldown, now)
    until = _NEVER
    overdue = False
    if late is not None:
        overdue_at = late[0] + lane.yield_for
        if overdue_at <= now:
            overdue = True
        else:
            until = overdue_at
    if head is not None:
        if head[0] <= now + lane.slack and not lane.attainment.ahead:
            if lane.yield_for > 0.0 and head[0] < until:
                until = head[0]  # becomes late
            return (1.0, head[0], head[1], head[2], head[3]), head, until
        if overdue:
            assert late is not None
            return (OVERDUE, late[0], late[1], late[2], late[3]), late, until
        crosses = head[0] - lane.slack
        if crosses < until:
            until = crosses
        if lane.yield_for > 0.0 and head[0] < until:
            until = head[0]
        return (2.0, lane.group, head[1], head[2], head[3]), head, until
    if late is not None:
        return (OVERDUE if overdue else 3.0, late[0], late[1], late[2], late[3]), late, until
    return NO_KEY, None, until


def _best_head(lanes: list[Lane], now: float) -> BestHead:
    """The best lane choice at ``now`` with its serving key, and until when that holds if no lane's
    contacts change: the next time a lane's choice changes band."""
    chosen = NO_KEY
    found: OfferEntry | None = None
    until = _NEVER
    for lane in lanes:
        if lane.yield_for > 0.0:
            key, entry, changes = _lane_choice(lane, now)
            if changes < until:
                until = changes
            if entry is None:
                continue
        else:  # _lane_choice without giving way, inlined: the lane's head, at risk or normal
            heap = lane.heap
            while heap:
                entry = heap[0]
                if entry[4] == entry[5].ticket:
                    break
                heappop(heap)
            else:
                continue
            deadline = entry[0]
            if deadline <= now + lane.slack:
                key = (1.0, deadline, entry[1], entry[2], entry[3])
            else:
                if deadline - lane.slack < until:
                    until = deadline - lane.slack
                key = (2.0, lane.group, entry[1], entry[2], entry[3])
        if key < chosen:
            chosen, found = key, entry
    if found is None:
        return (until, NO_KEY, _NOBODY, 0)
    # Recompute a little before the next change: float rounding must never keep a stale band.
    return (until - 1e-6 * (1.0 + abs(until)), chosen, found[5], found[4])
