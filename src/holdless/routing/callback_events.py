"""Callback events: a promise is requested, becomes due, is tried, and ends kept or broken exactly once.

Handlers of ``RoutingEngine`` for the callback events, kept apart so the engine module stays readable;
the promise rules themselves are in ``callbacks``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from holdless.routing import callbacks
from holdless.routing.config import RoutingConfig
from holdless.routing.model import (
    CallbackAtRisk,
    CallbackBroken,
    CallbackDue,
    CallbackKept,
    CallbackNoAnswer,
    CallbackRequested,
    Decision,
    Rejected,
)
from holdless.routing.placement import QueueLines
from holdless.routing.state import (
    CALLBACK_AT_RISK_TIMER,
    CALLBACK_DUE_TIMER,
    CALLBACK_END_TIMER,
    ENGAGED,
    PARKED,
    WAITING,
    RoutedAgent,
    RoutedContact,
)

Out = list[Decision]


class CallbackEvents:
    """Mixed into ``RoutingEngine``; below is what these handlers use of it."""

    config: RoutingConfig
    _contacts: dict[str, RoutedContact]
    _callbacks: dict[str, RoutedContact]
    _callback_outcomes: dict[str, int]
    _lines: QueueLines

    if TYPE_CHECKING:

        def _timer(
            self, at: float, kind: int, contact: RoutedContact | None, agent: RoutedAgent | None, token: int
        ) -> None: ...
        def _engaged(self, contact_id: str, name: str, out: Out) -> RoutedContact | None: ...
        def _release(self, contact: RoutedContact, agent: RoutedAgent) -> None: ...
        def _feed(self, agent: RoutedAgent, now: float, out: Out) -> None: ...
        def _forget(self, contact: RoutedContact) -> None: ...
        def _enter_line(self, contact: RoutedContact, now: float) -> None: ...
        def _make_offerable(self, contact: RoutedContact, now: float, out: Out) -> None: ...
        def _switch_channel(self, contact: RoutedContact, channel: str) -> None: ...

    # --- callbacks --------------------------------------------------------------------------------

    def _callback_requested(self, event: CallbackRequested, now: float, out: Out) -> None:
        contact = self._contacts.get(event.contact_id)
        if contact is None or contact.stage not in (WAITING, PARKED):
            out.append(Rejected("CallbackRequested", event.contact_id, "contact is not waiting"))
            return
        if event.window_end <= event.window_start or event.window_end <= now:
            out.append(Rejected("CallbackRequested", event.contact_id, "window is empty or already over"))
            return
        if contact.callback is not None and contact.callback.open:
            out.append(Rejected("CallbackRequested", event.contact_id, "a callback is already promised"))
            return
        promise = callbacks.CallbackPromise(event.window_start, event.window_end)
        contact.callback = promise
        self._callbacks[contact.id] = contact
        contact.away = False  # the agent reaches out; the customer need not be watching
        if event.channel is not None and event.channel != contact.channel:
            self._switch_channel(contact, event.channel)
        if contact.stage == WAITING:
            self._lines.leave(contact)
            self._lines.stop_waiting(contact)
            contact.stage = PARKED
        contact.ticket += 1
        if event.window_start <= now:
            self._callback_becomes_due(contact, now, out)
        else:
            self._timer(event.window_start, CALLBACK_DUE_TIMER, contact, None, contact.epoch)
        at_risk = event.window_end - self.config.callback_at_risk_seconds
        if at_risk > now:
            self._timer(at_risk, CALLBACK_AT_RISK_TIMER, contact, None, 0)
        self._timer(event.window_end, CALLBACK_END_TIMER, contact, None, 0)

    def _callback_due_now(self, event: CallbackDue, now: float, out: Out) -> None:
        contact = self._contacts.get(event.contact_id)
        if contact is None or contact.stage != PARKED:
            out.append(Rejected("CallbackDue", event.contact_id, "no scheduled callback"))
            return
        self._callback_becomes_due(contact, now, out)

    def _callback_becomes_due(self, contact: RoutedContact, now: float, out: Out) -> None:
        contact.stage = WAITING
        self._lines.start_waiting(contact)
        self._enter_line(contact, now)
        self._make_offerable(contact, now, out)

    def _callback_no_answer(self, event: CallbackNoAnswer, now: float, out: Out) -> None:
        contact = self._engaged(event.contact_id, "CallbackNoAnswer", out)
        if contact is None:
            return
        promise = contact.callback
        if promise is None:
            out.append(Rejected("CallbackNoAnswer", contact.id, "not a callback"))
            return
        agent = contact.agent
        assert agent is not None
        self._release(contact, agent)
        agent.idle_since = now
        promise.attempts += 1
        promise.attempt_started_at = None
        retry = callbacks.retry_at(promise, now, self.config) if promise.open else None
        if retry is None:
            self._close_promise(contact, callbacks.BROKEN, now, out, reason="no answer")
            self._forget(contact)
        else:
            contact.stage = PARKED
            contact.epoch += 1
            self._timer(retry, CALLBACK_DUE_TIMER, contact, None, contact.epoch)
        self._feed(agent, now, out)

    def _close_promise(
        self, contact: RoutedContact, outcome: str, at: float, out: Out, *, reason: str = ""
    ) -> None:
        promise = contact.callback
        if promise is None or not promise.open:
            return
        promise.outcome = outcome
        self._callbacks.pop(contact.id, None)
        self._callback_outcomes[outcome] += 1
        out.append(
            CallbackKept(contact.id, at) if outcome == callbacks.KEPT else CallbackBroken(contact.id, reason)
        )

    def _callback_timer(self, contact: RoutedContact, kind: int, at: float, now: float, out: Out) -> None:
        promise = contact.callback
        if promise is None or not promise.open:
            return
        if kind == CALLBACK_AT_RISK_TIMER:
            if contact.stage != ENGAGED and at == promise.window_end - self.config.callback_at_risk_seconds:
                out.append(CallbackAtRisk(contact.id, promise.window_end))
        elif at == promise.window_end and contact.stage != ENGAGED:
            self._close_promise(contact, callbacks.BROKEN, now, out, reason="window passed")
            if contact.stage == PARKED:  # still owed a call: serve it as soon as possible
                self._callback_becomes_due(contact, now, out)
