"""Websockets: /ws/customer (one conversation) and /ws/agent (a person's scope of the workspace).

Contract (docs/realtime.md): the server first sends `hello` with the sequence it starts from, then every
event the client may see with its sequence number, in order, once. A client reconnects with ?after=<last
seq seen> and receives exactly what it missed; if that is more than the replay limit it gets `resync` and
reloads over REST. `heartbeat` frames say the connection is alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from holdless.accounts.actions import principal_for_session, principal_for_token
from holdless.agents.queries import get_agent
from holdless.bootstrap import Holdless
from holdless.conversations import messaging, queries
from holdless.errors import HoldlessError, Invalid, Unauthenticated
from holdless.events import Audience, Event
from holdless.ids import ConversationId
from holdless.realtime.hub import Subscriber
from holdless.realtime.wire import Frame, dumps
from holdless.tenancy import Actor, CustomerPrincipal, Principal, Role
from holdless.web.auth import SESSION_COOKIE, Signer

log = logging.getLogger(__name__)
router = APIRouter()
POLICY_VIOLATION = 4401
_TICK: Frame = object.__new__(Frame)  # the heartbeat timer's marker in a subscriber's queue


def agent_scope(who: Principal, queue_ids: set[str]) -> Callable[[Event], bool]:
    """What an agent's stream carries: their conversations, those waiting in their queues, their own
    presence. Supervisors and admins see the whole workspace."""
    if who.role is not Role.AGENT:
        return lambda _event: True

    def accepts(event: Event) -> bool:
        if event.type == "agent.profile_updated" and event.data.get("agent_id") == who.user_id:
            queue_ids.clear()
            queue_ids.update(event.data.get("queue_ids", ()))
            return True
        if event.assignee_id == who.user_id or event.data.get("previous_assignee_id") == who.user_id:
            return True
        return event.conversation_id is not None and event.assignee_id is None and event.queue_id in queue_ids

    return accepts


def customer_scope(conversation_id: str) -> Callable[[Event], bool]:
    return lambda e: e.conversation_id == conversation_id and e.audience is Audience.CUSTOMER


class Connection:
    """One websocket: replay, then live events, heartbeats, and the client's own messages."""

    def __init__(self, websocket: WebSocket, app: Holdless, actor: Actor, subscriber: Subscriber) -> None:
        self.websocket = websocket
        self.app = app
        self.actor = actor
        self.subscriber = subscriber
        self.last = 0
        self._send_lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        await self.send_text(dumps(payload))

    async def send_text(self, text: str) -> None:
        async with self._send_lock:
            await self.websocket.send_text(text)

    async def replay(self, after: int | None, conversation_id: str | None) -> None:
        source = self.app.events
        current = await source.last_seq(self.actor.workspace_id)
        if after is None or after >= current:
            self.last = current if after is None else after
            await self.send({"type": "hello", "last_seq": self.last})
            return
        await self.send({"type": "hello", "last_seq": after})
        self.last, sent, limit = after, 0, self.app.settings.replay_limit
        while self.last < current:
            page = await source.events_after(
                self.actor.workspace_id, self.last, limit=500, conversation_id=conversation_id
            )
            if not page:
                break
            for event in page:
                if event.seq > current:
                    break
                if self.subscriber.accepts(event):
                    sent += 1
                    if sent > limit:
                        self.last = current
                        await self.send({"type": "resync", "last_seq": current})
                        return
                    await self.send(event.to_wire())
                self.last = event.seq
            if len(page) < 500:
                break
        self.last = current

    async def pump(self) -> None:
        heartbeat = self.app.settings.heartbeat_seconds
        queue = self.subscriber.queue
        loop = asyncio.get_running_loop()
        # One timer per quiet period, not one per frame: when it rings it queues a tick behind the frames
        # already waiting, and the tick sends a heartbeat if nothing came for `heartbeat` seconds.
        last_frame = loop.time()
        timer = loop.call_at(last_frame + heartbeat, queue.put_nowait, _TICK)
        try:
            while True:
                frame = queue.get_nowait() if not queue.empty() else await queue.get()
                if frame is _TICK:
                    now = loop.time()
                    if now >= last_frame + heartbeat:
                        await self.send({"type": "heartbeat", "last_seq": self.last})
                        last_frame = now
                    timer = loop.call_at(last_frame + heartbeat, queue.put_nowait, _TICK)
                    continue
                last_frame = loop.time()
                if self.subscriber.overflowed:
                    await self.send({"type": "resync", "last_seq": frame.event.seq})
                    await self.websocket.close(code=1013, reason="too far behind; reconnect and resync")
                    return
                if frame.event.seq <= self.last:
                    continue  # already sent in the replay
                self.last = frame.event.seq
                await self.send_text(frame.text)
        finally:
            timer.cancel()

    async def read(self, on_message: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        while True:
            raw = await self.websocket.receive_text()
            try:
                frame = json.loads(raw)
                if not isinstance(frame, dict):
                    raise Invalid("Each frame must be a JSON object.")
                kind = frame.get("type")
                if kind == "ping":
                    await self.send({"type": "pong", "last_seq": self.last})
                elif kind == "message":
                    await on_message(frame)
                else:
                    raise Invalid(f"Unknown frame type {kind!r}; send 'message' or 'ping'.")
            except json.JSONDecodeError:
                await self.send({"type": "error", "message": "Frames must be JSON."})
            except HoldlessError as error:
                ref = frame.get("client_message_id") if isinstance(frame, dict) else None
                await self.send({"type": "error", "message": error.message, "client_message_id": ref})

    async def post(self, frame: dict[str, Any], conversation_id: str) -> None:
        text = frame.get("text", "")
        client_message_id = frame.get("client_message_id")
        if not isinstance(text, str) or not (client_message_id is None or isinstance(client_message_id, str)):
            raise Invalid("A message frame needs 'text' (a string) and may have 'client_message_id'.")
        message, created = await messaging.post_message(
            self.app.ctx,
            self.actor,
            ConversationId(conversation_id),
            text=text,
            client_message_id=client_message_id,
        )
        await self.send(
            {
                "type": "ack",
                "client_message_id": client_message_id,
                "created": created,
                # The full message follows as a message.created event; the ack only confirms storage.
                "message_id": message.id,
                "message_seq": message.seq,
            }
        )


def _after(websocket: WebSocket) -> int | None:
    raw = websocket.query_params.get("after")
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise Invalid("'after' must be the last sequence number you received.")
    return int(raw)


async def _run(
    connection: Connection,
    conversation_id: str | None,
    on_message: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    hub = connection.app.hub
    try:
        await connection.replay(_after(connection.websocket), conversation_id)
        tasks = [asyncio.create_task(connection.pump()), asyncio.create_task(connection.read(on_message))]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await task
        for task in done:
            if (error := task.exception()) is not None and not isinstance(error, WebSocketDisconnect):
                raise error
    except WebSocketDisconnect:
        pass
    finally:
        hub.unsubscribe(connection.subscriber)


async def _refuse(websocket: WebSocket, message: str) -> None:
    await websocket.accept()
    await websocket.send_text(dumps({"type": "error", "message": message}))
    await websocket.close(code=POLICY_VIOLATION, reason=message[:120])


@router.websocket("/ws/customer")
async def customer_socket(websocket: WebSocket) -> None:
    app: Holdless = websocket.app.state.holdless
    signer: Signer = websocket.app.state.signer
    conversation_id = websocket.query_params.get("conversation_id", "")
    try:
        workspace_id, customer_id = signer.read_customer(websocket.query_params.get("token", ""))
        who = CustomerPrincipal(workspace_id, customer_id)
        await queries.get_conversation(app.ctx, who, ConversationId(conversation_id))
        _after(websocket)
    except HoldlessError as error:
        await _refuse(websocket, error.message)
        return
    await websocket.accept()
    subscriber = await app.hub.subscribe(
        workspace_id, customer_scope(conversation_id), conversation_id=conversation_id
    )
    connection = Connection(websocket, app, who, subscriber)

    async def on_message(frame: dict[str, Any]) -> None:
        await connection.post(frame, conversation_id)

    await _run(connection, conversation_id, on_message)


async def _agent_principal(websocket: WebSocket, app: Holdless, signer: Signer) -> Principal:
    token = websocket.query_params.get("token")
    if token:
        return await principal_for_token(app.ctx, token)
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthenticated("Sign in first, or pass an API token as ?token=.")
    return await principal_for_session(app.ctx, cookie)


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket) -> None:
    app: Holdless = websocket.app.state.holdless
    try:
        who = await _agent_principal(websocket, app, websocket.app.state.signer)
        _after(websocket)
        queue_ids: set[str] = set()
        if who.role is Role.AGENT:
            queue_ids = set((await get_agent(app.ctx, who, who.user_id)).queue_ids)
    except HoldlessError as error:
        await _refuse(websocket, error.message)
        return
    await websocket.accept()
    subscriber = await app.hub.subscribe(who.workspace_id, agent_scope(who, queue_ids))
    connection = Connection(websocket, app, who, subscriber)

    async def on_message(frame: dict[str, Any]) -> None:
        conversation_id = frame.get("conversation_id")
        if not isinstance(conversation_id, str):
            raise Invalid("A message frame from an agent names its 'conversation_id'.")
        await connection.post(frame, conversation_id)

    await _run(connection, None, on_message)
