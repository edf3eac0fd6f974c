"""One unit of work per action: one transaction, its events appended to the log, published after commit."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from holdless.accounts.repository import (
    SessionRepository,
    TokenRepository,
    UserRepository,
    WorkspaceRepository,
)
from holdless.agents.repository import AgentRepository
from holdless.bot.repository import BotRepository
from holdless.clock import Clock
from holdless.complaints.repository import ComplaintRepository
from holdless.contacts.repository import CustomerRepository
from holdless.conversations.repository import ConversationRepository, MessageRepository, NoteRepository
from holdless.events import Event
from holdless.feedback.repository import SurveyRepository
from holdless.ids import ConversationId, WorkspaceId
from holdless.routing.repository import CallbackRepository, OfferRepository, QueueRepository

if TYPE_CHECKING:
    from holdless.conversations.messaging import Outcome, Post


class EventLog(Protocol):
    async def list(
        self,
        workspace_id: WorkspaceId,
        *,
        after: int,
        limit: int,
        conversation_id: ConversationId | None = None,
        types: Collection[str] | None = None,
    ) -> list[Event]: ...
    async def latest(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId, event_type: str
    ) -> Event | None: ...
    async def last_seq(self, workspace_id: WorkspaceId) -> int: ...


class UnitOfWork(Protocol):
    workspaces: WorkspaceRepository
    users: UserRepository
    tokens: TokenRepository
    sessions: SessionRepository
    agents: AgentRepository
    customers: CustomerRepository
    queues: QueueRepository
    offers: OfferRepository
    surveys: SurveyRepository
    complaints: ComplaintRepository
    callbacks: CallbackRepository
    conversations: ConversationRepository
    messages: MessageRepository
    notes: NoteRepository
    bot: BotRepository
    events: EventLog

    def record(self, *events: Event) -> None:
        """Append to the event log at commit; numbered and published only if the commit succeeds."""
        ...

    @property
    def committed(self) -> Sequence[Event]:
        """The numbered events, after a successful commit."""
        ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...

    @property
    def parallel_writers(self) -> int:
        """How many write transactions the storage can usefully run at once."""
        ...


class PostWriter(Protocol):
    """Group commit of messages (conversations/writer.py)."""

    async def submit(self, post: Post) -> Outcome: ...


@dataclass(frozen=True, slots=True)
class Ctx:
    """What every action needs: a way to open a unit of work, and the time."""

    uow: UnitOfWorkFactory
    clock: Clock
    writer: PostWriter | None = None
