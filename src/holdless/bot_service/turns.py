"""One event → one bot turn: load the state, run the pure runtime, carry out its replies and actions."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from holdless.bot import actions as bot_actions
from holdless.bot import runtime
from holdless.bot.flows import BotDefinition
from holdless.bot.state import (
    BotState,
    CallHttp,
    Contain,
    Enqueue,
    Handoff,
    RaiseAnger,
    SendCode,
    SetAttributes,
    StepEntered,
    Turn,
)
from holdless.bot_service.http_steps import run_http_step
from holdless.bot_service.understanding import Understanding
from holdless.contacts.model import IdentityKind
from holdless.conversations import actions as conversation_actions
from holdless.conversations import events as ev
from holdless.conversations import messaging
from holdless.conversations.model import Conversation, Status
from holdless.errors import HoldlessError, NotFound
from holdless.events import Event
from holdless.ids import QueueId
from holdless.routing.decision_records import POSITION
from holdless.tenancy import SystemPrincipal
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)

BOT_STATUSES = (Status.WITH_BOT, Status.QUEUED)
MAX_HTTP_ROUNDS = 5

UnderstandingFactory = Callable[[], Awaitable[Understanding]]


class TurnRunner:
    def __init__(self, ctx: Ctx, *, routing: bool) -> None:
        self._ctx = ctx
        self._routing = routing

    async def apply(
        self, event: Event, definition: BotDefinition, understanding: UnderstandingFactory
    ) -> None:
        if event.conversation_id is None:
            return
        if event.type == ev.MESSAGE_CREATED and event.data["message"]["author"] != "customer":
            return
        if event.type == ev.QUEUED and self._routing:
            return  # the greeting waits for the routing engine's first place (queue.position)
        async with self._ctx.uow() as uow:
            conversation = await uow.conversations.get(event.workspace_id, event.conversation_id)
            stored = await uow.bot.state(event.workspace_id, conversation.id)
            workspace = await uow.workspaces.get(event.workspace_id)
            customer = await uow.customers.get(event.workspace_id, conversation.customer_id)
        if conversation.status not in BOT_STATUSES:
            return
        state = (
            BotState.from_json(stored)
            if stored is not None
            else runtime.start(conversation.language or customer.language or workspace.languages[0])
        )
        if event.seq <= state.last_seq:
            return  # applied before a restart
        known = runtime.Known(
            emails=tuple(i.value for i in customer.identities if i.kind is IdentityKind.EMAIL),
            phones=tuple(i.value for i in customer.identities if i.kind is IdentityKind.PHONE),
            name=customer.name,
        )
        if event.type in (ev.QUEUED, POSITION):
            if conversation.status is not Status.QUEUED:
                return
            position = event.data.get("position") if event.type == POSITION else None
            wait = event.data.get("expected_wait_seconds") if event.type == POSITION else None
            turn = runtime.on_place(state, position, wait)
            await self._carry_out(event, conversation, definition, turn, known, None)
            return
        nlu = await understanding()
        context = runtime.Context(
            definition,
            known,
            in_line=conversation.status is Status.QUEUED,
            new_code=f"{secrets.randbelow(1_000_000):06d}",
            answer=nlu.answer,
        )
        text = str(event.data["message"]["text"])
        reading = nlu.read(text, workspace.languages, state.language)
        turn = runtime.on_message(state, context, text, reading)
        await self._carry_out(event, conversation, definition, turn, known, context, reading)

    async def _carry_out(
        self,
        event: Event,
        conversation: Conversation,
        definition: BotDefinition,
        turn: Turn,
        known: runtime.Known,
        context: runtime.Context | None,
        reading: runtime.Reading | None = None,
    ) -> None:
        system = SystemPrincipal(event.workspace_id)
        replies = list(turn.replies)
        funnel: list[tuple[str, dict[str, Any]]] = []
        handoff = False
        contain: str | None = None
        actions = list(turn.actions)
        state = turn.state
        rounds = 0
        while actions:
            action = actions.pop(0)
            if isinstance(action, StepEntered):
                funnel.append(
                    (bot_actions.STEP, {"flow": action.flow, "step": action.step, "type": action.type})
                )
            elif isinstance(action, RaiseAnger):
                await conversation_actions.set_anger(
                    self._ctx, system, conversation.id, angry=True, source="bot"
                )
                funnel.append((bot_actions.ESCALATED, {"negative_score": action.score}))
            elif isinstance(action, Enqueue):
                await self._enqueue(conversation, definition)
            elif isinstance(action, Handoff):
                handoff = True
                funnel.append((bot_actions.HANDOFF, {"reason": action.reason}))
            elif isinstance(action, Contain):
                contain = action.flow
            elif isinstance(action, SetAttributes):
                await bot_actions.set_attributes(
                    self._ctx, event.workspace_id, conversation.id, action.values
                )
            elif isinstance(action, SendCode):
                # Delivery belongs to the channel adapters; the log says that a code went, never the code.
                funnel.append((bot_actions.CODE_SENT, {"channel": action.channel}))
            elif isinstance(action, CallHttp) and context is not None and rounds < MAX_HTTP_ROUNDS:
                rounds += 1
                ok, values = await run_http_step(action, definition.http_secret)
                funnel.append((bot_actions.STEP, {"flow": action.flow, "step": action.step, "http_ok": ok}))
                more = runtime.on_http_result(state, context, ok, values)
                state = more.state
                replies += more.replies
                actions += more.actions
        if reading is not None:
            funnel.append(
                (
                    "bot.turn",
                    {
                        "intent": reading.intent,
                        "confidence": round(reading.confidence, 3),
                        "language": reading.language,
                        "negative_score": round(reading.negative_score, 3),
                    },
                )
            )
        for number, text in enumerate(replies):
            try:
                await messaging.post_message(
                    self._ctx, system, conversation.id, text=text, as_bot=True,
                    client_message_id=f"bot:{event.seq}:{number}",
                )  # fmt: skip
            except HoldlessError as error:
                log.info("bot: reply to %s not posted: %s", conversation.id, error.message)
        state = BotState.from_json({**state.to_json(), "last_seq": event.seq})
        await bot_actions.record_turn(
            self._ctx, event.workspace_id, conversation.id, state.to_json(), funnel,
            with_card=handoff or contain is not None,
        )  # fmt: skip
        if contain is not None:
            await bot_actions.contain(self._ctx, event.workspace_id, conversation.id, contain)

    async def _enqueue(self, conversation: Conversation, definition: BotDefinition) -> None:
        system = SystemPrincipal(conversation.workspace_id)
        queue_id = definition.handoff_queue
        if queue_id is None:
            async with self._ctx.uow() as uow:
                queues = await uow.queues.list(conversation.workspace_id)
            if not queues:
                log.warning("bot: no queue to hand %s over to", conversation.id)
                return
            queue_id = queues[0].id
        try:
            await conversation_actions.queue_conversation(
                self._ctx, system, conversation.id, QueueId(queue_id), reason="bot handoff"
            )
        except NotFound:
            log.warning("bot: handoff queue %s is gone", queue_id)
