"""Conversation events and the JSON shapes they carry (the wire format of docs/realtime.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from holdless.conversations.model import Attachment, Conversation, Message, Note
from holdless.events import Audience, Event

CREATED = "conversation.created"
QUEUED = "conversation.queued"
ASSIGNED = "conversation.assigned"
TRANSFERRED = "conversation.transferred"
AWAY = "conversation.away"
BACK = "conversation.back"
ABANDONED = "conversation.abandoned"
RESOLVED = "conversation.resolved"
REOPENED = "conversation.reopened"
PRIORITY_CHANGED = "conversation.priority_changed"
MESSAGE_CREATED = "message.created"
NOTE_CREATED = "note.created"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def conversation_data(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.id,
        "customer_id": c.customer_id,
        "channel": c.channel.value,
        "status": c.status.value,
        "subject": c.subject,
        "language": c.language,
        "queue_id": c.queue_id,
        "segment": c.segment,
        "assignee_id": c.assignee_id,
        "disposition": c.disposition,
        "last_message_seq": c.last_message_seq,
        "reopen_count": c.reopen_count,
        "attributes": dict(c.attributes),
        "created_at": _iso(c.created_at),
        "first_queued_at": _iso(c.first_queued_at),
        "queued_at": _iso(c.queued_at),
        "assigned_at": _iso(c.assigned_at),
        "first_response_at": _iso(c.first_response_at),
        "away_since": _iso(c.away_since),
        "abandoned_at": _iso(c.abandoned_at),
        "resolved_at": _iso(c.resolved_at),
        "reopened_at": _iso(c.reopened_at),
        "last_customer_message_at": _iso(c.last_customer_message_at),
        "last_agent_message_at": _iso(c.last_agent_message_at),
    }


def attachment_data(a: Attachment) -> dict[str, Any]:
    return {"name": a.name, "content_type": a.content_type, "size": a.size, "url": a.url}


def message_data(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "conversation_id": m.conversation_id,
        "seq": m.seq,
        "author": m.author.value,
        "author_id": m.author_id,
        "text": m.text,
        "attachments": [attachment_data(a) for a in m.attachments],
        "client_message_id": m.client_message_id,
        "created_at": m.created_at.isoformat(),
    }


def note_data(n: Note) -> dict[str, Any]:
    return {
        "id": n.id,
        "conversation_id": n.conversation_id,
        "author_id": n.author_id,
        "text": n.text,
        "created_at": n.created_at.isoformat(),
    }


def conversation_event(
    kind: str,
    c: Conversation,
    actor: str,
    at: datetime,
    *,
    audience: Audience = Audience.CUSTOMER,
    **extra: Any,
) -> Event:
    """A lifecycle event carrying the conversation's new state; `extra` adds what changed."""
    return Event(
        type=kind,
        workspace_id=c.workspace_id,
        actor=actor,
        at=at,
        data={"conversation": conversation_data(c), **extra},
        conversation_id=c.id,
        queue_id=c.queue_id,
        assignee_id=c.assignee_id,
        audience=audience,
    )
