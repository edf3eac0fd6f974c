"""Who can take whom: requirement profiles, the agents eligible for each, and the two lookups of a decision.

Contacts with identical requirements share a :class:`RequirementProfile`; an agent is eligible for all
of a profile's contacts or none, so eligibility is computed once per (agent, profile) when either
changes, never per decision. Each profile keeps two lazily cleaned heaps: its offerable contacts in
serving order and its agents with free capacity in selection order. A decision therefore looks at one
heap top per profile the agent serves (agent freed) or at one heap (contact arrived).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from heapq import heapify, heappop, heappush

from holdless.routing.model import AgentState
from holdless.routing.policies import AgentSelection
from holdless.routing.state import OfferEntry, RequirementProfile, RoutedAgent, RoutedContact

_AVAILABLE = AgentState.AVAILABLE
ProfileKey = tuple[str, str | None, tuple[tuple[str, int], ...]]


def _eligible(agent: RoutedAgent, profile: RequirementProfile) -> bool:
    if agent.capacity.get(profile.channel, 0) <= 0:
        return False
    if profile.language is not None and profile.language not in agent.languages:
        return False
    skills = agent.skills
    return all(skills.get(name, -1) >= level for name, level in profile.skills)


class Matcher:
    __slots__ = ("_by_skill", "_profiles", "_select", "agents")

    def __init__(self, select: AgentSelection) -> None:
        self._select = select
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
        self.agent_changed(agent)

    def _count_slots(self, agent: RoutedAgent, sign: int) -> None:
        if agent.state is not _AVAILABLE:
            return
        for channel, profiles in agent.profiles.items():
            slots = sign * agent.capacity.get(channel, 0)
            for profile in profiles:
                profile.slots += slots

    def agent_changed(self, agent: RoutedAgent) -> None:
        """Invalidate the agent's free entries and push fresh ones where it still has room."""
        agent.version += 1
        if agent.state is not _AVAILABLE:
            return
        for channel, profiles in agent.profiles.items():
            if agent.active.get(channel, 0) < agent.capacity.get(channel, 0):
                for profile in profiles:
                    self._push_free(agent, profile)

    def _push_free(self, agent: RoutedAgent, profile: RequirementProfile) -> None:
        channel = profile.channel
        rank = self._select(
            agent.active_total, agent.active.get(channel, 0), agent.capacity[channel], agent.idle_since
        )
        heappush(profile.free_agents, (rank[0], rank[1], agent.id, agent.version, agent))

    def pick_agent(self, contact: RoutedContact, now: float) -> RoutedAgent | None:
        """The free eligible agent the selection rule prefers, skipping those cooling down on the contact."""
        heap = contact.profile.free_agents
        channel = contact.channel
        skipped = []
        found = None
        while heap:
            entry = heap[0]
            agent = entry[4]
            if entry[3] != agent.version or agent.state is not _AVAILABLE or not agent.has_room(channel):
                heappop(heap)
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

    def file_contact(self, contact: RoutedContact) -> None:
        """Make the contact offerable in its profile (or to its sticky agent only)."""
        key = contact.line_key
        assert key is not None
        contact.ticket += 1
        entry: OfferEntry = (key[0], key[1], key[2], key[3], key[4], contact.ticket, contact)
        if contact.sticky_agent is not None:
            agent = self.agents[contact.sticky_agent]
            heappush(agent.sticky.setdefault(contact.channel, []), entry)
        else:
            heappush(contact.profile.waiting, entry)

    def pick_contact(self, agent: RoutedAgent, channel: str, now: float) -> RoutedContact | None:
        """The contact this agent should be offered next on ``channel``: held ones first, then by line key."""
        held = agent.sticky.get(channel)
        while held:
            entry = held[0]
            if entry[5] == entry[6].ticket:
                return entry[6]
            heappop(held)
        if agent.cooldown:
            return self._pick_contact_cooling(agent, channel, now)
        best: OfferEntry | None = None
        for profile in agent.profiles.get(channel, ()):
            heap = profile.waiting
            while heap:
                entry = heap[0]
                if entry[5] == entry[6].ticket:
                    if best is None or entry < best:
                        best = entry
                    break
                heappop(heap)
        return None if best is None else best[6]

    def _pick_contact_cooling(self, agent: RoutedAgent, channel: str, now: float) -> RoutedContact | None:
        cooldown = agent.cooldown
        best: OfferEntry | None = None
        for profile in agent.profiles.get(channel, ()):
            heap = profile.waiting
            skipped = []
            while heap:
                entry = heap[0]
                if entry[5] != entry[6].ticket:
                    heappop(heap)
                    continue
                until = cooldown.get(entry[4])
                if until is not None and until > now:
                    skipped.append(heappop(heap))
                    continue
                if best is None or entry < best:
                    best = entry
                break
            for entry in skipped:
                heappush(heap, entry)
        return None if best is None else best[6]

    def compact(self) -> None:
        """Drop stale heap entries when they outnumber live ones (called off the hot path)."""
        for profile in self._profiles.values():
            waiting = profile.waiting
            if len(waiting) > 64:
                live = [entry for entry in waiting if entry[5] == entry[6].ticket]
                if 2 * len(live) < len(waiting):
                    heapify(live)
                    profile.waiting = live
            free = profile.free_agents
            if len(free) > 64:
                fresh = [entry for entry in free if entry[3] == entry[4].version]
                if 2 * len(fresh) < len(free):
                    heapify(fresh)
                    profile.free_agents = fresh
