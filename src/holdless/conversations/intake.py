"""Intake: a customer's message arriving from a channel becomes a message in the right conversation.

The one door every channel adapter uses (docs/channels.md). Adapters parse provider payloads into an
`Inbound` value; `receive` recognises the customer by their identity, finds the conversation of that thread
(or starts one, in line), and posts the message idempotently: the provider's message id is the client
message id, so a redelivered message is never stored twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from holdless.contacts.actions import find_or_create_by_identity
from holdless.contacts.model import Customer, Identity
from holdless.conversations.actions import start_conversation
from holdless.conversations.messaging import post_message
from holdless.conversations.model import Attachment, Channel, Conversation, Message, Status
from holdless.errors import NotFound
from holdless.ids import ConversationId, QueueId, WorkspaceId
from holdless.tenancy import CustomerPrincipal, SystemPrincipal
from holdless.unit_of_work import Ctx

POSITION_EVENT = "queue.position"  # written by the routing dispatcher (routing/decision_records.py)
MAX_KEY = 250


@dataclass(frozen=True, slots=True)
class Inbound:
    """One customer message as a channel received it, before any business rule."""

    workspace_id: WorkspaceId
    channel: Channel
    sender: Identity  # kind + value, e.g. email "olga@example.com"
    display_name: str
    text: str
    external_id: str  # the provider's message id: idempotency key
    received_at: datetime
    thread_keys: tuple[str, ...] = ()  # references to earlier messages or a conversation token
    subject: str = ""
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None
    # Auto-replies, bounces, mailing lists: recorded in the timeline, never answered automatically.
    automated: bool = False


@dataclass(frozen=True, slots=True)
class Receipt:
    conversation: Conversation
    message: Message
    created: bool  # False: a redelivery of a message already stored
    new_conversation: bool
    acknowledgement: Message | None = None


class ThreadMap(Protocol):
    """Thread keys (message ids, conversation tokens) → conversation, per workspace and channel."""

    async def find(
        self, workspace_id: WorkspaceId, channel: Channel, keys: Sequence[str]
    ) -> list[ConversationId]:
        """Conversations of these keys, in the order of the keys (the first key's first)."""
        ...

    async def remember(
        self,
        workspace_id: WorkspaceId,
        channel: Channel,
        keys: Sequence[str],
        conversation_id: ConversationId,
    ) -> None:
        """Map each key not mapped yet to the conversation (an existing mapping is never moved)."""
        ...

    async def keys_of(
        self, workspace_id: WorkspaceId, channel: Channel, conversation_id: ConversationId
    ) -> list[str]:
        """The conversation's keys, oldest first."""
        ...


def thread_key(external_id: str) -> str:
    """A key of bounded length for a provider message id (long ids are hashed)."""
    raw = external_id.strip()
    if len(raw) <= MAX_KEY:
        return raw
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


def client_message_id(external_id: str) -> str:
    raw = external_id.strip()
    return raw if 0 < len(raw) <= 100 and "\x00" not in raw else hashlib.sha256(raw.encode()).hexdigest()


def token_key(conversation_id: ConversationId) -> str:
    return f"token:{conversation_id}"


ACKNOWLEDGEMENTS = {
    "en": (
        "Thank you, we have your message. A person will answer in about {minutes} min.",
        "Thank you, we have your message. You are in line, and a person will answer as soon as one is free.",
    ),
    "ru": (
        "Спасибо, мы получили ваше сообщение. Сотрудник ответит примерно через {minutes} мин.",
        "Спасибо, мы получили ваше сообщение. Вы в очереди; сотрудник ответит, как только освободится.",
    ),
    "zh": (
        "谢谢，我们已收到您的消息。工作人员大约 {minutes} 分钟后回复。",
        "谢谢，我们已收到您的消息。您已在排队中，工作人员空闲后会尽快回复。",
    ),
}


def acknowledgement_text(language: str | None, expected_wait_seconds: float | None) -> str:
    """The first reply: an honest time when the routing engine published one, else 'you are in line'."""
    with_estimate, in_line = ACKNOWLEDGEMENTS.get((language or "en")[:2], ACKNOWLEDGEMENTS["en"])
    if expected_wait_seconds is None:
        return in_line
    return with_estimate.format(minutes=max(1, round(expected_wait_seconds / 60)))


async def _thread_conversation(
    ctx: Ctx, inbound: Inbound, customer: Customer, threads: ThreadMap
) -> Conversation | None:
    """The conversation this message continues: its own id (a redelivery) first, then its references.

    A thread of another customer is never joined (a forwarded mail or a guessed token starts a new one).
    """
    keys = [thread_key(inbound.external_id), *inbound.thread_keys]
    found = await threads.find(inbound.workspace_id, inbound.channel, keys)
    async with ctx.uow() as uow:
        for conversation_id in found:
            try:
                conversation = await uow.conversations.get(inbound.workspace_id, conversation_id)
            except NotFound:
                continue
            if conversation.customer_id == customer.id and conversation.status is not Status.ABANDONED:
                return conversation
    return None


async def _default_queue(ctx: Ctx, workspace_id: WorkspaceId) -> QueueId | None:
    async with ctx.uow() as uow:
        queues = await uow.queues.list(workspace_id)
    return queues[0].id if len(queues) == 1 else None


async def receive(
    ctx: Ctx,
    inbound: Inbound,
    *,
    threads: ThreadMap,
    queue_id: QueueId | None = None,
    acknowledge: bool = True,
) -> Receipt:
    """Store a customer's message from a channel once, in the conversation of its thread.

    A new conversation is put in line in `queue_id` (the channel's queue), else in the workspace's only
    queue; automated mail starts no line. The first message of a new conversation is acknowledged with
    the expected wait, unless it is automated (no mail loops).
    """
    system = SystemPrincipal(inbound.workspace_id)
    name = inbound.display_name.strip() or inbound.sender.value.split("@")[0]
    customer = await find_or_create_by_identity(
        ctx, system, inbound.sender, name=name, language=inbound.language
    )
    conversation = await _thread_conversation(ctx, inbound, customer, threads)
    new_conversation = conversation is None
    if conversation is None:
        queue = None if inbound.automated else (queue_id or await _default_queue(ctx, inbound.workspace_id))
        conversation = await start_conversation(
            ctx, system, customer.id, channel=inbound.channel, subject=inbound.subject,
            language=inbound.language, queue_id=queue,
        )  # fmt: skip
    # Remembered before the post: a redelivery after a crash finds this conversation, not a new one.
    own = [thread_key(inbound.external_id)] + ([token_key(conversation.id)] if new_conversation else [])
    await threads.remember(inbound.workspace_id, inbound.channel, own, conversation.id)
    # Machine-written mail is recorded as a system message: it is not the customer writing, so it
    # neither reopens a resolved conversation nor brings an away customer back into line.
    customer_actor = CustomerPrincipal(inbound.workspace_id, conversation.customer_id)
    author = system if inbound.automated else customer_actor
    message, created = await post_message(
        ctx,
        author,
        conversation.id,
        text=inbound.text,
        attachments=inbound.attachments,
        client_message_id=client_message_id(inbound.external_id),
    )
    receipt = Receipt(conversation, message, created, new_conversation)
    if acknowledge and needs_acknowledgement(receipt, inbound):
        return replace(receipt, acknowledgement=await acknowledge_receipt(ctx, receipt))
    return receipt


def needs_acknowledgement(receipt: Receipt, inbound: Inbound) -> bool:
    """Only a person's first message of a new conversation is acknowledged: never a machine (no loops)."""
    return receipt.created and receipt.new_conversation and not inbound.automated


async def latest_wait(ctx: Ctx, conversation: Conversation) -> tuple[bool, float | None]:
    """(published, expected wait): whether the routing engine has placed it in line yet, and its estimate."""
    async with ctx.uow() as uow:
        latest = await uow.events.latest(conversation.workspace_id, conversation.id, POSITION_EVENT)
    if latest is None:
        return False, None
    wait = latest.data.get("expected_wait_seconds")
    return True, None if wait is None else float(wait)


async def acknowledge_receipt(ctx: Ctx, receipt: Receipt) -> Message:
    """The bot's first reply, from the latest published place in line (written once per conversation)."""
    conversation = receipt.conversation
    _, wait = await latest_wait(ctx, conversation)
    text = acknowledgement_text(conversation.language, wait)
    message, _ = await post_message(
        ctx,
        SystemPrincipal(conversation.workspace_id),
        conversation.id,
        text=text,
        client_message_id=f"ack:{conversation.id}",
        as_bot=True,
    )
    return message
