"""Response shapes shared by the routers (request shapes live next to their router)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from holdless.accounts.model import User, Workspace
from holdless.agents.model import AgentProfile
from holdless.contacts.model import Customer
from holdless.conversations.events import conversation_data, message_data, note_data
from holdless.conversations.model import Conversation, Message, Note
from holdless.routing.queues import Queue


class WorkspaceOut(BaseModel):
    id: str
    slug: str
    name: str
    languages: list[str]
    dispositions: list[str]
    created_at: datetime

    @classmethod
    def of(cls, w: Workspace) -> WorkspaceOut:
        return cls(
            id=w.id, slug=w.slug, name=w.name, languages=list(w.languages),
            dispositions=list(w.dispositions), created_at=w.created_at,
        )  # fmt: skip


class UserOut(BaseModel):
    id: str
    email: str
    name: str
    role: str
    language: str
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(
            id=u.id, email=u.email, name=u.name, role=u.role.value, language=u.language,
            active=u.active, created_at=u.created_at,
        )  # fmt: skip


class AgentOut(BaseModel):
    user_id: str
    skills: dict[str, int]
    languages: list[str]
    capacity: dict[str, int]
    queue_ids: list[str]
    state: str
    state_since: datetime | None

    @classmethod
    def of(cls, a: AgentProfile) -> AgentOut:
        return cls(
            user_id=a.user_id, skills=dict(a.skills), languages=list(a.languages),
            capacity={k.value: v for k, v in a.capacity.items()}, queue_ids=list(a.queue_ids),
            state=a.state.value, state_since=a.state_since,
        )  # fmt: skip


class IdentityOut(BaseModel):
    kind: str
    value: str
    verified: bool


class CustomerOut(BaseModel):
    id: str
    name: str
    language: str | None
    segment: str
    attributes: dict[str, str]
    identities: list[IdentityOut]
    merged_into: str | None
    created_at: datetime

    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(
            id=c.id, name=c.name, language=c.language, segment=c.segment, attributes=dict(c.attributes),
            identities=[IdentityOut(kind=i.kind.value, value=i.value, verified=i.verified)
                        for i in c.identities],
            merged_into=c.merged_into, created_at=c.created_at,
        )  # fmt: skip


class SegmentIO(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    priority: int = Field(ge=0, le=1000)
    target_seconds: int = Field(gt=0, le=7 * 86400)
    service_level: float = Field(gt=0, le=1)


class QueueOut(BaseModel):
    id: str
    name: str
    skills: dict[str, int]
    languages: list[str]
    segments: list[SegmentIO]

    @classmethod
    def of(cls, q: Queue) -> QueueOut:
        return cls(
            id=q.id, name=q.name, skills=dict(q.skills), languages=list(q.languages),
            segments=[
                SegmentIO(name=s.name, priority=s.priority, target_seconds=s.target_seconds,
                          service_level=s.service_level)
                for s in q.segments
            ],
        )  # fmt: skip


def conversation_out(c: Conversation) -> dict[str, Any]:
    return conversation_data(c)


def message_out(m: Message) -> dict[str, Any]:
    return message_data(m)


def note_out(n: Note) -> dict[str, Any]:
    return note_data(n)


class Page(BaseModel):
    """A page of results, newest first; pass `next_before` as `before` for the next page."""

    items: list[Any]
    next_before: str | None
