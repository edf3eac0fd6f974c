"""Conversations: list, read, write, and move through their lifecycle."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from holdless.conversations import actions, messaging, queries
from holdless.conversations.model import Attachment, Channel, Status
from holdless.conversations.repository import ConversationFilter
from holdless.ids import ConversationId, CustomerId, QueueId, UserId
from holdless.web.api.schemas import Page, conversation_out, message_out, note_out
from holdless.web.deps import CtxDep, PrincipalDep

MAX_SEQ = 2**31 - 1  # message sequence numbers are 32-bit in the database

router = APIRouter(tags=["conversations"])


class AttachmentIn(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=127)
    size: int = Field(ge=0, le=1_000_000_000)
    url: str | None = Field(default=None, max_length=2000)


class MessageIn(BaseModel):
    text: str = Field(default="", max_length=10_000)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)
    client_message_id: str | None = Field(default=None, min_length=1, max_length=100)


def attachments_of(items: list[AttachmentIn]) -> tuple[Attachment, ...]:
    return tuple(Attachment(a.name, a.content_type, a.size, a.url) for a in items)


class ConversationIn(BaseModel):
    customer_id: str
    channel: Channel = Channel.API
    subject: str = Field(default="", max_length=500)
    language: str | None = Field(default=None, min_length=2, max_length=8)
    queue_id: str | None = None


class AssignIn(BaseModel):
    agent_id: str


class QueueIn(BaseModel):
    queue_id: str
    reason: str = Field(default="requested", max_length=100)


class TransferIn(BaseModel):
    queue_id: str | None = None
    agent_id: str | None = None
    reason: str = Field(default="", max_length=500)


class ResolveIn(BaseModel):
    disposition: str = Field(min_length=1, max_length=64)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)


@router.get("/conversations")
async def list_conversations(
    who: PrincipalDep,
    ctx: CtxDep,
    status: Annotated[list[Status] | None, Query()] = None,
    queue_id: Annotated[str | None, Query(max_length=40)] = None,
    assignee_id: Annotated[str | None, Query(max_length=40)] = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    channel: Channel | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[
        str | None, Query(max_length=40, description="Cursor: next_before of the previous page")
    ] = None,
) -> Page:
    where = ConversationFilter(
        status=tuple(status or ()),
        queue_ids=(QueueId(queue_id),) if queue_id else None,
        assignee_id=UserId(assignee_id) if assignee_id else None,
        customer_id=CustomerId(customer_id) if customer_id else None,
        channel=channel,
    )
    found = await queries.list_conversations(ctx, who, where, limit=limit, before=before)
    return Page(
        items=[conversation_out(c) for c in found], next_before=found[-1].id if len(found) == limit else None
    )


@router.post("/conversations", status_code=201)
async def start_conversation(body: ConversationIn, who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    conversation = await actions.start_conversation(
        ctx, who, CustomerId(body.customer_id), channel=body.channel, subject=body.subject,
        language=body.language, queue_id=QueueId(body.queue_id) if body.queue_id else None,
    )  # fmt: skip
    return conversation_out(conversation)


@router.get("/conversations/{conversation_id}")
async def get_conversation(conversation_id: str, who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    return conversation_out(await queries.get_conversation(ctx, who, ConversationId(conversation_id)))


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(
    conversation_id: str,
    who: PrincipalDep,
    ctx: CtxDep,
    after_seq: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[dict[str, Any]]:
    found = await queries.list_messages(
        ctx, who, ConversationId(conversation_id), after_seq=after_seq, limit=limit
    )
    return [message_out(m) for m in found]


@router.post("/conversations/{conversation_id}/messages", status_code=201)
async def post_message(
    conversation_id: str, body: MessageIn, who: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    message, _ = await messaging.post_message(
        ctx, who, ConversationId(conversation_id), text=body.text,
        attachments=attachments_of(body.attachments), client_message_id=body.client_message_id,
    )  # fmt: skip
    return message_out(message)


@router.get("/conversations/{conversation_id}/notes")
async def list_notes(conversation_id: str, who: PrincipalDep, ctx: CtxDep) -> list[dict[str, Any]]:
    return [note_out(n) for n in await queries.list_notes(ctx, who, ConversationId(conversation_id))]


@router.post("/conversations/{conversation_id}/notes", status_code=201)
async def add_note(conversation_id: str, body: NoteIn, who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    return note_out(await messaging.add_note(ctx, who, ConversationId(conversation_id), body.text))


@router.post("/conversations/{conversation_id}/queue")
async def queue_conversation(
    conversation_id: str, body: QueueIn, who: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    conversation = await actions.queue_conversation(
        ctx, who, ConversationId(conversation_id), QueueId(body.queue_id), reason=body.reason
    )
    return conversation_out(conversation)


@router.post("/conversations/{conversation_id}/assign")
async def assign(conversation_id: str, body: AssignIn, who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    return conversation_out(
        await actions.assign(ctx, who, ConversationId(conversation_id), UserId(body.agent_id))
    )


@router.post("/conversations/{conversation_id}/transfer")
async def transfer(conversation_id: str, body: TransferIn, who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    conversation = await actions.transfer(
        ctx, who, ConversationId(conversation_id),
        queue_id=QueueId(body.queue_id) if body.queue_id else None,
        agent_id=UserId(body.agent_id) if body.agent_id else None,
        reason=body.reason,
    )  # fmt: skip
    return conversation_out(conversation)


@router.post("/conversations/{conversation_id}/resolve")
async def resolve(conversation_id: str, body: ResolveIn, who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    return conversation_out(
        await actions.resolve(ctx, who, ConversationId(conversation_id), disposition=body.disposition)
    )


@router.post("/conversations/{conversation_id}/reopen")
async def reopen(conversation_id: str, who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    return conversation_out(await actions.reopen(ctx, who, ConversationId(conversation_id)))


class PriorityIn(BaseModel):
    angry: bool = Field(description="An angry customer is served sooner (a bounded move up the line)")


@router.post("/conversations/{conversation_id}/priority")
async def set_priority(
    conversation_id: str, body: PriorityIn, who: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    changed = await actions.set_anger(
        ctx, who, ConversationId(conversation_id), angry=body.angry, source="staff"
    )
    return conversation_out(changed)
