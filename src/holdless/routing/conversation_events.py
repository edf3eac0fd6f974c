"""Conversation events: an accepted contact's conversation ends or is transferred to another queue.

Handlers of ``RoutingEngine``, kept apart so the engine module stays readable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from holdless.routing import callbacks
from holdless.routing.config import RoutingConfig
from holdless.routing.estimates import HandleTimes
from holdless.routing.matching import Matcher
from holdless.routing.model import ConversationEnded, ConversationTransferred, Decision, Rejected
from holdless.routing.placement import QueueLines
from holdless.routing.state import ENGAGED, WAITING, RoutedAgent, RoutedContact

Out = list[Decision]


class ConversationEvents:
    """Mixed into ``RoutingEngine``; below is what these handlers use of it."""

    config: RoutingConfig
    _contacts: dict[str, RoutedContact]
    _callbacks: dict[str, RoutedContact]
    _lines: QueueLines
    _matcher: Matcher
    _handle_times: HandleTimes

    if TYPE_CHECKING:

        def _release(self, contact: RoutedContact, agent: RoutedAgent) -> None: ...
        def _feed(self, agent: RoutedAgent, now: float, out: Out) -> None: ...
        def _forget(self, contact: RoutedContact) -> None: ...
        def _enter_line(self, contact: RoutedContact, now: float) -> None: ...
        def _make_offerable(self, contact: RoutedContact, now: float, out: Out) -> None: ...
        def _hold_for(self, contact: RoutedContact, agent_id: str, until: float, now: float) -> None: ...
        def _tell_place(self, contact: RoutedContact, out: Out) -> None: ...
        def _close_promise(
            self, contact: RoutedContact, outcome: str, at: float, out: Out, *, reason: str = ""
        ) -> None: ...

    def _ended(self, event: ConversationEnded, now: float, out: Out) -> None:
        contact = self._engaged(event.contact_id, "ConversationEnded", out)
        if contact is None:
            return
        agent = self._finish(contact, event.handle_seconds, now, out)
        self._forget(contact)
        self._feed(agent, now, out)

    def _transferred(self, event: ConversationTransferred, now: float, out: Out) -> None:
        contact = self._engaged(event.contact_id, "ConversationTransferred", out)
        if contact is None:
            return
        agent = self._finish(contact, event.handle_seconds, now, out)
        self._callbacks.pop(contact.id, None)
        contact.callback = None  # the promise was fulfilled by the first conversation
        self._feed(agent, now, out)
        skills = dict(contact.skills) if event.skills is None else event.skills
        language = contact.language if event.language is None else event.language
        contact.profile = self._matcher.profile(event.channel or contact.channel, language, skills)
        contact.channel, contact.language, contact.skills = (
            contact.profile.channel,
            contact.profile.language,
            contact.profile.skills,
        )
        contact.queue = self._lines.queue(event.queue_id)
        contact.enqueued_at = now
        contact.stage = WAITING
        contact.sticky_agent = None
        contact.published = None
        if event.agent_id is not None:
            self._hold_for(contact, event.agent_id, now + self.config.sticky_max_seconds, now)
        self._lines.start_waiting(contact)
        self._enter_line(contact, now)
        self._make_offerable(contact, now, out)
        self._tell_place(contact, out)

    def _engaged(self, contact_id: str, name: str, out: Out) -> RoutedContact | None:
        contact = self._contacts.get(contact_id)
        if contact is None or contact.stage != ENGAGED:
            out.append(Rejected(name, contact_id, "no conversation in progress"))
            return None
        return contact

    def _finish(
        self, contact: RoutedContact, handle_seconds: float | None, now: float, out: Out
    ) -> RoutedAgent:
        """End the agent's part: free capacity, learn the handle time, settle a callback attempt."""
        agent = contact.agent
        assert agent is not None
        self._release(contact, agent)
        agent.idle_since = now
        handle = now - contact.accepted_at if handle_seconds is None else handle_seconds
        self._handle_times.record(contact.queue.id, handle)
        self._lines.dirty.add(contact.queue.id)
        promise = contact.callback
        if promise is not None and promise.open and promise.attempt_started_at is not None:
            answered_at = promise.attempt_started_at
            if callbacks.answered_in_window(promise, answered_at):
                self._close_promise(contact, callbacks.KEPT, answered_at, out)
            else:
                self._close_promise(contact, callbacks.BROKEN, now, out, reason="late")
        return agent
