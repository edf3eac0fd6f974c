"""The only functions that add messages and notes to a conversation."""

from __future__ import annotations

from holdless.conversations import events as ev
from holdless.conversations.access import visible_conversation
from holdless.conversations.model import Attachment, Author, Message, Note, Status, validate_text
from holdless.errors import Forbidden, Invalid
from holdless.events import Audience, Event
from holdless.ids import ConversationId, MessageId, new_id
from holdless.tenancy import Actor, CustomerPrincipal, Principal, Role, SystemPrincipal
from holdless.unit_of_work import Ctx


def _author(actor: Actor, as_bot: bool) -> tuple[Author, str | None]:
    if isinstance(actor, CustomerPrincipal):
        return Author.CUSTOMER, actor.customer_id
    if isinstance(actor, Principal):
        return Author.AGENT, actor.user_id
    return (Author.BOT if as_bot else Author.SYSTEM), None


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
    and creates nothing, so clients can retry safely across reconnects.
    """
    body = validate_text(text, attachments)
    if client_message_id is not None and not 1 <= len(client_message_id) <= 100:
        raise Invalid("A client message id is 1–100 characters.", field="client_message_id")
    author, author_id = _author(actor, as_bot)
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        if client_message_id is not None:
            existing = await uow.messages.by_client_id(actor.workspace_id, conversation.id, client_message_id)
            if existing is not None:
                return existing, False
        if (
            isinstance(actor, Principal)
            and actor.role is Role.AGENT
            and conversation.assignee_id != actor.user_id
        ):
            raise Forbidden("Take the conversation before you reply to it.")
        if conversation.status is Status.ABANDONED and author is not Author.CUSTOMER:
            raise Invalid(
                "The customer left before anyone answered; reopen the conversation to write to them."
            )
        reopened = None
        if conversation.status in (Status.RESOLVED, Status.ABANDONED) and author is Author.CUSTOMER:
            reopened = conversation.reopen(now)  # a customer writing again is a new contact in line
        changed = (reopened or conversation).record_message(author, now)
        message = Message(
            id=MessageId(new_id("msg")),
            workspace_id=actor.workspace_id,
            conversation_id=conversation.id,
            seq=changed.last_message_seq,
            author=author,
            author_id=author_id,
            text=body,
            attachments=attachments,
            client_message_id=client_message_id,
            created_at=now,
        )
        if not await uow.messages.add(message):
            # Lost a race with the same client message id: the first one stands.
            stored = await uow.messages.by_client_id(
                actor.workspace_id, conversation.id, client_message_id or ""
            )
            assert stored is not None
            return stored, False
        await uow.conversations.update(changed)
        if reopened is not None:
            uow.record(
                ev.conversation_event(
                    ev.REOPENED, reopened, actor.actor, now, previous_assignee_id=conversation.assignee_id
                )
            )
        if conversation.status is Status.AWAY and changed.status is not Status.AWAY:
            uow.record(ev.conversation_event(ev.BACK, changed, actor.actor, now, audience=Audience.STAFF))
        uow.record(
            Event(
                ev.MESSAGE_CREATED,
                actor.workspace_id,
                actor.actor,
                now,
                {"message": ev.message_data(message)},
                conversation_id=conversation.id,
                queue_id=changed.queue_id,
                assignee_id=changed.assignee_id,
                audience=Audience.CUSTOMER,
            )
        )
    return message, True


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
