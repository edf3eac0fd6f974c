"""The customer's side of web chat: start a session, open a conversation, read and write."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from holdless.accounts.queries import workspace_by_slug
from holdless.contacts.actions import find_or_create_by_identity
from holdless.contacts.model import Identity, IdentityKind
from holdless.conversations import actions, messaging, queries
from holdless.conversations.model import Channel
from holdless.ids import ConversationId, QueueId, new_id
from holdless.tenancy import SystemPrincipal
from holdless.web.api.conversations import MAX_SEQ, MessageIn, attachments_of
from holdless.web.api.schemas import conversation_out, message_out
from holdless.web.deps import CtxDep, CustomerDep, SignerDep
from holdless.web.limits import RateLimiter

router = APIRouter(prefix="/widget", tags=["widget"])


class SessionIn(BaseModel):
    workspace: str = Field(min_length=1, max_length=63, description="The workspace slug")
    visitor_id: str | None = Field(
        default=None,
        min_length=8,
        max_length=100,
        description="Kept by the widget in the browser; omit to get one",
    )
    name: str = Field(default="", max_length=200)
    language: str | None = Field(default=None, min_length=2, max_length=8)


class SessionOut(BaseModel):
    customer_id: str
    visitor_id: str
    customer_token: str = Field(
        description="Send as 'Authorization: Bearer …' and as ?token= on /ws/customer"
    )


class StartIn(BaseModel):
    subject: str = Field(default="", max_length=500)
    queue_id: str | None = None


@router.post("/sessions", status_code=201)
async def start_session(body: SessionIn, ctx: CtxDep, signer: SignerDep, request: Request) -> SessionOut:
    """A returning visitor (same visitor id) is the same customer, with the same conversations."""
    limiter: RateLimiter = request.app.state.session_limiter
    limiter.take(request.client.host if request.client else "unknown", "new chat sessions")
    workspace = await workspace_by_slug(ctx, body.workspace)
    visitor_id = body.visitor_id or new_id("v")
    customer = await find_or_create_by_identity(
        ctx, SystemPrincipal(workspace.id), Identity(IdentityKind.WEB_VISITOR, visitor_id),
        name=body.name or "Web visitor", language=body.language,
    )  # fmt: skip
    return SessionOut(
        customer_id=customer.id,
        visitor_id=visitor_id,
        customer_token=signer.customer(workspace.id, customer.id),
    )


@router.get("/conversations")
async def my_conversations(who: CustomerDep, ctx: CtxDep) -> list[dict[str, Any]]:
    return [conversation_out(c) for c in await queries.customer_conversations(ctx, who)]


@router.post("/conversations", status_code=201)
async def start_conversation(body: StartIn, who: CustomerDep, ctx: CtxDep) -> dict[str, Any]:
    conversation = await actions.start_conversation(
        ctx, who, who.customer_id, channel=Channel.WEBCHAT, subject=body.subject,
        queue_id=QueueId(body.queue_id) if body.queue_id else None,
    )  # fmt: skip
    return conversation_out(conversation)


@router.get("/conversations/{conversation_id}/messages")
async def messages(
    conversation_id: str,
    who: CustomerDep,
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
    conversation_id: str, body: MessageIn, who: CustomerDep, ctx: CtxDep
) -> dict[str, Any]:
    message, _ = await messaging.post_message(
        ctx, who, ConversationId(conversation_id), text=body.text,
        attachments=attachments_of(body.attachments), client_message_id=body.client_message_id,
    )  # fmt: skip
    return message_out(message)


@router.post("/conversations/{conversation_id}/away")
async def away(conversation_id: str, who: CustomerDep, ctx: CtxDep) -> dict[str, Any]:
    return conversation_out(await actions.customer_away(ctx, who, ConversationId(conversation_id)))


@router.post("/conversations/{conversation_id}/leave")
async def leave(conversation_id: str, who: CustomerDep, ctx: CtxDep) -> dict[str, Any]:
    """The customer gives up waiting (closes the chat before a person answered): counted as abandoned."""
    return conversation_out(await actions.abandon(ctx, who, ConversationId(conversation_id)))
