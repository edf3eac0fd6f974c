"""Conversation lifecycle rules. Pure: each transition returns a new value or raises Invalid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from holdless.errors import Invalid
from holdless.ids import ConversationId, CustomerId, MessageId, QueueId, UserId, WorkspaceId

MAX_TEXT = 10_000
MAX_ATTACHMENTS = 20


class Channel(StrEnum):
    WEBCHAT = "webchat"
    EMAIL = "email"
    TELEGRAM = "telegram"
    MESSENGER = "messenger"
    VOICE = "voice"
    API = "api"


class Status(StrEnum):
    WITH_BOT = "with_bot"
    QUEUED = "queued"
    ASSIGNED = "assigned"
    AWAY = "away"  # the customer left an async conversation; place and agent are kept
    ABANDONED = "abandoned"  # left the queue before a person answered
    RESOLVED = "resolved"


OPEN = frozenset({Status.WITH_BOT, Status.QUEUED, Status.ASSIGNED, Status.AWAY})
WRITABLE = OPEN | {Status.RESOLVED}


class Author(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Attachment:
    """Metadata only: the file itself lives with the channel provider or an object store."""

    name: str
    content_type: str
    size: int
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    id: MessageId
    workspace_id: WorkspaceId
    conversation_id: ConversationId
    seq: int  # per conversation, 1, 2, 3… in the order stored
    author: Author
    author_id: str | None
    text: str
    attachments: tuple[Attachment, ...]
    client_message_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    """Staff-only text on a conversation; never sent to the customer."""

    id: str
    workspace_id: WorkspaceId
    conversation_id: ConversationId
    author_id: UserId
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Conversation:
    id: ConversationId
    workspace_id: WorkspaceId
    customer_id: CustomerId
    channel: Channel
    status: Status
    created_at: datetime
    subject: str = ""
    language: str | None = None
    queue_id: QueueId | None = None
    segment: str | None = None
    assignee_id: UserId | None = None
    disposition: str | None = None
    last_message_seq: int = 0
    away_from: Status | None = None  # the status to return to when the customer is back
    # Every timestamp the KPIs need (product.md, "KPI definitions").
    first_queued_at: datetime | None = None
    queued_at: datetime | None = None
    assigned_at: datetime | None = None
    first_response_at: datetime | None = None
    away_since: datetime | None = None
    abandoned_at: datetime | None = None
    resolved_at: datetime | None = None
    reopened_at: datetime | None = None
    reopen_count: int = 0
    last_customer_message_at: datetime | None = None
    last_agent_message_at: datetime | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def _require(self, allowed: frozenset[Status] | set[Status], doing: str) -> None:
        if self.status not in allowed:
            raise Invalid(f"Cannot {doing} a conversation that is {self.status.value.replace('_', ' ')}.")

    def enqueue(self, queue_id: QueueId, segment: str, now: datetime) -> Conversation:
        """Give the conversation a place in line (from the bot, or a transfer to another queue)."""
        self._require({Status.WITH_BOT, Status.QUEUED, Status.ASSIGNED}, "queue")
        return replace(
            self,
            status=Status.QUEUED,
            queue_id=queue_id,
            segment=segment,
            assignee_id=None,
            queued_at=now,
            first_queued_at=self.first_queued_at or now,
            assigned_at=None,
        )

    def assign(self, agent_id: UserId, now: datetime) -> Conversation:
        self._require({Status.WITH_BOT, Status.QUEUED, Status.ASSIGNED, Status.AWAY}, "assign")
        if self.assignee_id == agent_id and Status.ASSIGNED in (self.status, self.away_from):
            raise Invalid("The conversation is already assigned to this agent.")
        if self.status is Status.AWAY:
            # An async conversation can be taken while the customer is away; the agent writes back.
            return replace(self, away_from=Status.ASSIGNED, assignee_id=agent_id, assigned_at=now)
        return replace(self, status=Status.ASSIGNED, assignee_id=agent_id, assigned_at=now)

    def customer_away(self, now: datetime) -> Conversation:
        """An async customer left: they keep their place (and their agent), and are not abandoned."""
        self._require({Status.WITH_BOT, Status.QUEUED, Status.ASSIGNED}, "mark away")
        return replace(self, status=Status.AWAY, away_from=self.status, away_since=now)

    def customer_back(self) -> Conversation:
        self._require({Status.AWAY}, "mark back")
        return replace(self, status=self.away_from or Status.QUEUED, away_from=None, away_since=None)

    def abandon(self, now: datetime) -> Conversation:
        """The customer left the line before a person answered (synchronous channels)."""
        self._require({Status.QUEUED, Status.AWAY, Status.WITH_BOT}, "abandon")
        if self.first_response_at is not None:
            raise Invalid("A person already answered this conversation; resolve it instead.")
        return replace(self, status=Status.ABANDONED, abandoned_at=now, away_from=None)

    def resolve(self, disposition: str, now: datetime) -> Conversation:
        self._require(OPEN, "resolve")
        return replace(self, status=Status.RESOLVED, disposition=disposition, resolved_at=now, away_from=None)

    def reopen(self, now: datetime) -> Conversation:
        """Back in line where it was queued before; a conversation never queued goes back to the bot.

        "Reopened" is recorded as `reopened_at`/`reopen_count` and a `conversation.reopened` event rather
        than a resting status: a reopened conversation is waiting for a person like any queued one.
        """
        self._require({Status.RESOLVED, Status.ABANDONED}, "reopen")
        status = Status.QUEUED if self.queue_id else Status.WITH_BOT
        return replace(
            self,
            status=status,
            assignee_id=None,
            disposition=None,
            resolved_at=None,
            abandoned_at=None,
            assigned_at=None,
            queued_at=now if status is Status.QUEUED else self.queued_at,
            reopened_at=now,
            reopen_count=self.reopen_count + 1,
        )

    def record_message(self, author: Author, now: datetime) -> Conversation:
        """Number the next message; a customer writing again is back, an agent's first reply is the answer.

        One copy per message: this runs for every message, so the changes are gathered first.
        """
        self._require(WRITABLE, "write to")
        changes: dict[str, Any] = {"last_message_seq": self.last_message_seq + 1}
        if author is Author.CUSTOMER:
            changes["last_customer_message_at"] = now
            if self.status is Status.AWAY:
                changes.update(status=self.away_from or Status.QUEUED, away_from=None, away_since=None)
        elif author is Author.AGENT:
            changes["last_agent_message_at"] = now
            changes["first_response_at"] = self.first_response_at or now
        return replace(self, **changes)


def validate_text(text: str, attachments: tuple[Attachment, ...]) -> str:
    cleaned = text.strip()
    if not cleaned and not attachments:
        raise Invalid("A message needs text or an attachment.", field="text")
    if "\x00" in cleaned:
        raise Invalid("A message cannot contain the NUL character (\\u0000).", field="text")
    if len(cleaned) > MAX_TEXT:
        raise Invalid(f"A message can be at most {MAX_TEXT} characters long.", field="text")
    if len(attachments) > MAX_ATTACHMENTS:
        raise Invalid(f"A message can carry at most {MAX_ATTACHMENTS} attachments.", field="attachments")
    return cleaned
