"""The only functions that add messages and notes to a conversation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from holdless.conversations import events as ev
from holdless.conversations.access import visible_conversation
from holdless.conversations.model import (
    Attachment,
    Author,
    Conversation,
    Message,
    Note,
    Status,
    validate_text,
)
from holdless.errors import Forbidden, HoldlessError, Invalid, NotFound
from holdless.events import Audience, Event
from holdless.ids import ConversationId, MessageId, new_id
from holdless.tenancy import Actor, CustomerPrincipal, Principal, Role, SystemPrincipal
from holdless.unit_of_work import Ctx, UnitOfWork


def _author(actor: Actor, as_bot: bool) -> tuple[Author, str | None]:
    if isinstance(actor, CustomerPrincipal):
        return Author.CUSTOMER, actor.customer_id
    if isinstance(actor, Principal):
        return Author.AGENT, actor.user_id
    return (Author.BOT if as_bot else Author.SYSTEM), None


@dataclass(frozen=True, slots=True)
class Post:
    """One request to add a message, validated at the edge."""

    actor: Actor
    conversation_id: ConversationId
    body: str
    attachments: tuple[Attachment, ...] = ()
    client_message_id: str | None = None
    as_bot: bool = False


Outcome = tuple[Message, bool] | HoldlessError


async def post_message(
    ctx: Ctx,
    actor: Actor,
    conversation_id: ConversationId,
    *,
    text: str,
    attachments: tuple[Attachment, ...] = (),
    client_message_id: str | None = None,
    as_bot: bool = False,
) -> tuple[Message, bool]:
    """Store a message once and tell everyone entitled to see it. Returns (message, created).

    A client message id makes the post idempotent: the same id posted again returns the stored message
    and creates nothing, so clients can retry safely across reconnects. When the context has a message
    writer, concurrent posts share one transaction (group commit, conversations/writer.py).
    """
    body = validate_text(text, attachments)
    if client_message_id is not None and (
        not 1 <= len(client_message_id) <= 100 or "\x00" in client_message_id
    ):
        raise Invalid("A client message id is 1–100 characters, without NUL.", field="client_message_id")
    post = Post(actor, conversation_id, body, attachments, client_message_id, as_bot)
    outcome = await ctx.writer.submit(post) if ctx.writer is not None else (await write_posts(ctx, [post]))[0]
    if isinstance(outcome, HoldlessError):
        raise outcome
    return outcome


async def write_posts(ctx: Ctx, posts: Sequence[Post]) -> list[Outcome]:
    """Apply several posts in one unit of work; each gets its own outcome (a refusal fails only itself)."""
    outcomes: list[Outcome | None] = [None] * len(posts)
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        for workspace_id in sorted({p.actor.workspace_id for p in posts}):
            indexes = [i for i, p in enumerate(posts) if p.actor.workspace_id == workspace_id]
            ids = sorted({posts[i].conversation_id for i in indexes})
            conversations = await uow.conversations.get_many(workspace_id, ids, for_update=True)
            pairs = [(p.conversation_id, p.client_message_id) for p in posts if p.client_message_id]
            stored = await uow.messages.by_client_ids(workspace_id, pairs) if pairs else {}
            created: list[Message] = []
            changed: dict[ConversationId, Conversation] = {}
            for i in indexes:
                post = posts[i]
                try:
                    conversation = await _visible(uow, post, conversations.get(post.conversation_id))
                    key = (conversation.id, post.client_message_id or "")
                    if post.client_message_id and key in stored:
                        outcomes[i] = (stored[key], False)
                        continue
                    updated, message, events = compose(post, conversation, now)
                except HoldlessError as error:
                    outcomes[i] = error
                    continue
                conversations[conversation.id] = changed[conversation.id] = updated
                if post.client_message_id:
                    stored[key] = message
                created.append(message)
                uow.record(*events)
                outcomes[i] = (message, True)
            await uow.messages.add_many(created)
            await uow.conversations.update_many(list(changed.values()))
    return [o for o in outcomes if o is not None]


async def _visible(uow: UnitOfWork, post: Post, conversation: Conversation | None) -> Conversation:
    """The same rule as access.visible_conversation, on a conversation already loaded for the batch."""
    actor = post.actor
    if conversation is None:
        raise NotFound("No such conversation in this workspace.")
    if isinstance(actor, CustomerPrincipal) and conversation.customer_id != actor.customer_id:
        raise NotFound("No such conversation in this workspace.")
    if (
        isinstance(actor, Principal)
        and actor.role is Role.AGENT
        and conversation.assignee_id != actor.user_id
    ):
        await visible_conversation(uow, actor, conversation.id)  # NotFound unless waiting in their queue
        raise Forbidden("Take the conversation before you reply to it.")
    return conversation


def compose(
    post: Post, conversation: Conversation, now: datetime
) -> tuple[Conversation, Message, list[Event]]:
    """The message, the conversation after it, and the events: pure rules of writing to a conversation."""
    author, author_id = _author(post.actor, post.as_bot)
    if conversation.status is Status.ABANDONED and author is not Author.CUSTOMER:
        raise Invalid("The customer left before anyone answered; reopen the conversation to write to them.")
    actor = post.actor.actor
    events: list[Event] = []
    reopened = None
    if conversation.status in (Status.RESOLVED, Status.ABANDONED) and author is Author.CUSTOMER:
        reopened = conversation.reopen(now)  # a customer writing again is a new contact in line
        events.append(
            ev.conversation_event(
                ev.REOPENED, reopened, actor, now, previous_assignee_id=conversation.assignee_id
            )
        )
    changed = (reopened or conversation).record_message(author, now)
    if conversation.status is Status.AWAY and changed.status is not Status.AWAY:
        events.append(ev.conversation_event(ev.BACK, changed, actor, now, audience=Audience.STAFF))
    message = Message(
        id=MessageId(new_id("msg")),
        workspace_id=conversation.workspace_id,
        conversation_id=conversation.id,
        seq=changed.last_message_seq,
        author=author,
        author_id=author_id,
        text=post.body,
        attachments=post.attachments,
        client_message_id=post.client_message_id,
        created_at=now,
    )
    events.append(
        Event(
            ev.MESSAGE_CREATED,
            conversation.workspace_id,
            actor,
            now,
            {"message": ev.message_data(message)},
            conversation_id=conversation.id,
            queue_id=changed.queue_id,
            assignee_id=changed.assignee_id,
            audience=Audience.CUSTOMER,
        )
    )
    return changed, message, events


async def add_note(
    ctx: Ctx, actor: Principal | SystemPrincipal, conversation_id: ConversationId, text: str
) -> Note:
    """Staff-only text; never reaches the customer's stream."""
    body = validate_text(text, ())
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id)
        if not isinstance(actor, Principal):
            raise Invalid("Notes are written by people.")
        note = Note(
            id=new_id("note"),
            workspace_id=actor.workspace_id,
            conversation_id=conversation.id,
            author_id=actor.user_id,
            text=body,
            created_at=now,
        )
        await uow.notes.add(note)
        uow.record(
            Event(
                ev.NOTE_CREATED,
                actor.workspace_id,
                actor.actor,
                now,
                {"note": ev.note_data(note)},
                conversation_id=conversation.id,
                queue_id=conversation.queue_id,
                assignee_id=conversation.assignee_id,
                audience=Audience.STAFF,
            )
        )
    return note
