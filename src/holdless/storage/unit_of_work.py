"""The SQL unit of work: one connection, one transaction, events numbered at commit, published after it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from holdless.accounts.repository import (
    SessionRepository,
    TokenRepository,
    UserRepository,
    WorkspaceRepository,
)
from holdless.agents.repository import AgentRepository
from holdless.bot.repository import BotRepository
from holdless.complaints.repository import ComplaintRepository
from holdless.contacts.repository import CustomerRepository
from holdless.conversations.repository import ConversationRepository, MessageRepository, NoteRepository
from holdless.events import Event
from holdless.feedback.repository import SurveyRepository
from holdless.routing.repository import CallbackRepository, OfferRepository, QueueRepository
from holdless.storage.repositories.accounts import SqlSessions, SqlTokens, SqlUsers, SqlWorkspaces
from holdless.storage.repositories.agents import SqlAgents
from holdless.storage.repositories.bot import SqlBot
from holdless.storage.repositories.complaints import SqlComplaints
from holdless.storage.repositories.contacts import SqlCustomers
from holdless.storage.repositories.conversations import SqlConversations, SqlMessages, SqlNotes
from holdless.storage.repositories.event_log import SqlEventLog
from holdless.storage.repositories.promises import SqlCallbacks, SqlOffers
from holdless.storage.repositories.queues import SqlQueues
from holdless.storage.repositories.surveys import SqlSurveys
from holdless.unit_of_work import EventLog

AfterCommit = Callable[[Sequence[Event]], Awaitable[None]]


class SqlUnitOfWork:
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

    def __init__(self, engine: AsyncEngine, after_commit: AfterCommit | None = None) -> None:
        self._engine = engine
        self._after_commit = after_commit
        self._conn: AsyncConnection | None = None
        self._pending: list[Event] = []
        self._committed: list[Event] = []

    def record(self, *events: Event) -> None:
        self._pending.extend(events)

    @property
    def committed(self) -> Sequence[Event]:
        return self._committed

    async def __aenter__(self) -> Self:
        conn = await self._engine.connect()
        await conn.begin()
        self._conn = conn
        row_locks = conn.dialect.name == "postgresql"
        self.workspaces = SqlWorkspaces(conn)
        self.users = SqlUsers(conn)
        self.tokens = SqlTokens(conn)
        self.sessions = SqlSessions(conn)
        self.agents = SqlAgents(conn)
        self.customers = SqlCustomers(conn)
        self.queues = SqlQueues(conn)
        self.offers = SqlOffers(conn, row_locks=row_locks)
        self.callbacks = SqlCallbacks(conn)
        self.surveys = SqlSurveys(conn)
        self.complaints = SqlComplaints(conn)
        self.conversations = SqlConversations(conn, row_locks=row_locks)
        self.messages = SqlMessages(conn)
        self.notes = SqlNotes(conn)
        self.bot = SqlBot(conn)
        self.events = self._log = SqlEventLog(conn)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn = self._conn
        assert conn is not None, "unit of work used outside 'async with'"
        try:
            if exc_type is None:
                numbered = await self._log.append(self._pending) if self._pending else []
                await conn.commit()
                self._committed = numbered
            else:
                await conn.rollback()
        finally:
            self._pending = []
            await conn.close()
            self._conn = None
        if self._committed and self._after_commit is not None:
            await self._after_commit(self._committed)


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, after_commit: AfterCommit | None = None) -> None:
        self.engine = engine
        self.after_commit = after_commit

    @property
    def parallel_writers(self) -> int:
        """Transactions worth running at once for group commit: SQLite has one writer; PostgreSQL takes
        row locks, so a few batches can overlap their round trips (conversations/writer.py)."""
        return 1 if self.engine.dialect.name == "sqlite" else 3

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.after_commit)
