"""Conversations, messages and notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from holdless.conversations.events import attachment_data
from holdless.conversations.model import Attachment, Author, Channel, Conversation, Message, Note, Status
from holdless.conversations.repository import ConversationFilter
from holdless.errors import NotFound
from holdless.ids import ConversationId, CustomerId, WorkspaceId
from holdless.storage.tables import conversations, messages, notes

_ENUMS: dict[str, Any] = {"channel": Channel, "status": Status, "away_from": Status}
_COLUMNS = [f.name for f in fields(Conversation)]
# Rows are read in the dataclass's field order, so a row converts positionally (the hot path of posting).
_CONVERSION = [
    (i, _ENUMS.get(name, dict)) for i, name in enumerate(_COLUMNS) if name in _ENUMS or name == "attributes"
]
_SELECT = select(*(conversations.c[name] for name in _COLUMNS))


def _conversation(row: Any) -> Conversation:
    values = list(row)
    for i, convert in _CONVERSION:
        if values[i] is not None:
            values[i] = convert(values[i])
    return Conversation(*values)


_FIXED = ("id", "workspace_id", "created_at")
# One statement for every batch, so SQLAlchemy compiles it once; keys `k_*` select the row.
_UPDATE_MANY = (
    update(conversations)
    .where(
        conversations.c.workspace_id == bindparam("k_workspace_id"), conversations.c.id == bindparam("k_id")
    )
    .values({name: bindparam(name) for name in _COLUMNS if name not in _FIXED})
)


_UPDATED = [name for name in _COLUMNS if name not in _FIXED]
# Statements built once: SQLAlchemy then skips construction and finds the compiled form in its cache.
_GET_MANY = _SELECT.where(
    conversations.c.workspace_id == bindparam("workspace_id"),
    conversations.c.id.in_(bindparam("ids", expanding=True)),
).order_by(conversations.c.id)  # one lock order for every process: no deadlocks
_GET_MANY_FOR_UPDATE = _GET_MANY.with_for_update()


_UPDATES: dict[tuple[str, ...], Any] = {}


def _update_of(names: tuple[str, ...]) -> Any:
    """An UPDATE of just these columns, built once per set of names (few: a post changes 2–4 columns)."""
    statement = _UPDATES.get(names)
    if statement is None:
        statement = _UPDATES[names] = (
            update(conversations)
            .where(
                conversations.c.workspace_id == bindparam("k_workspace_id"),
                conversations.c.id == bindparam("k_id"),
            )
            .values({name: bindparam(name) for name in names})
        )
    return statement


def _changed(before: Conversation, after: Conversation) -> tuple[str, ...]:
    return tuple(name for name in _UPDATED if getattr(before, name) != getattr(after, name))


def _update_row(conversation: Conversation) -> dict[str, Any]:
    row = {name: getattr(conversation, name) for name in _UPDATED}
    row["attributes"] = dict(conversation.attributes)
    row["k_workspace_id"] = conversation.workspace_id
    row["k_id"] = conversation.id
    return row


def _values(conversation: Conversation) -> dict[str, Any]:
    values = {name: getattr(conversation, name) for name in _COLUMNS}
    values["attributes"] = dict(conversation.attributes)
    return values


class SqlConversations:
    def __init__(self, conn: AsyncConnection, *, row_locks: bool) -> None:
        self._conn = conn
        self._row_locks = row_locks
        # Rows read for update in this transaction (locked until commit: PostgreSQL row locks, SQLite's
        # single writer), as last read or written; update_many then writes only the columns that changed.
        self._locked: dict[tuple[WorkspaceId, ConversationId], Conversation] = {}

    async def get(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId, *, for_update: bool = False
    ) -> Conversation:
        query = _SELECT.where(
            conversations.c.workspace_id == workspace_id, conversations.c.id == conversation_id
        )
        if for_update and self._row_locks:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        if row is None:
            raise NotFound("No such conversation in this workspace.")
        return _conversation(row)

    async def add(self, conversation: Conversation) -> None:
        await self._conn.execute(insert(conversations).values(**_values(conversation)))

    async def update(self, conversation: Conversation) -> None:
        values = _values(conversation)
        del values["id"], values["workspace_id"], values["created_at"]
        await self._conn.execute(
            update(conversations)
            .where(
                conversations.c.workspace_id == conversation.workspace_id,
                conversations.c.id == conversation.id,
            )
            .values(**values)
        )

    async def list(
        self, workspace_id: WorkspaceId, where: ConversationFilter, *, limit: int, before: str | None
    ) -> list[Conversation]:
        c = conversations.c
        query = _SELECT.where(c.workspace_id == workspace_id)
        if where.status:
            query = query.where(c.status.in_([s.value for s in where.status]))
        if where.queue_ids is not None:
            query = query.where(c.queue_id.in_(where.queue_ids))
        if where.assignee_id is not None:
            query = query.where(c.assignee_id == where.assignee_id)
        if where.customer_id is not None:
            query = query.where(c.customer_id == where.customer_id)
        if where.channel is not None:
            query = query.where(c.channel == where.channel.value)
        if where.visible_to_agent is not None:
            agent_id, queue_ids = where.visible_to_agent
            waiting = and_(c.assignee_id.is_(None), c.queue_id.in_(queue_ids))
            query = query.where(or_(c.assignee_id == agent_id, waiting))
        if before:
            query = query.where(c.id < before)
        rows = await self._conn.execute(query.order_by(c.id.desc()).limit(limit))
        return [_conversation(row) for row in rows]

    async def get_many(
        self, workspace_id: WorkspaceId, ids: Sequence[ConversationId], *, for_update: bool = False
    ) -> dict[ConversationId, Conversation]:
        if not ids:
            return {}
        query = _GET_MANY_FOR_UPDATE if for_update and self._row_locks else _GET_MANY
        rows = await self._conn.execute(query, {"workspace_id": workspace_id, "ids": list(ids)})
        found = {c.id: c for c in (_conversation(row) for row in rows)}
        if for_update:
            for conversation in found.values():
                self._locked[(workspace_id, conversation.id)] = conversation
        return found

    async def update_many(self, batch: Sequence[Conversation]) -> None:
        full: list[dict[str, Any]] = []
        partial: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for c in batch:
            key = (c.workspace_id, c.id)
            before = self._locked.get(key)
            if before is None:
                full.append(_update_row(c))
                continue
            self._locked[key] = c
            names = _changed(before, c)
            if names:
                row = {name: getattr(c, name) for name in names}
                if "attributes" in row:
                    row["attributes"] = dict(c.attributes)
                row["k_workspace_id"], row["k_id"] = c.workspace_id, c.id
                partial.setdefault(names, []).append(row)
        if full:
            await self._conn.execute(_UPDATE_MANY, full)
        for names, rows in partial.items():
            await self._conn.execute(_update_of(names), rows)

    async def move_customer(self, workspace_id: WorkspaceId, source: CustomerId, target: CustomerId) -> int:
        result = await self._conn.execute(
            update(conversations)
            .where(conversations.c.workspace_id == workspace_id, conversations.c.customer_id == source)
            .values(customer_id=target)
        )
        return int(result.rowcount)


def _message(row: Any) -> Message:
    return Message(
        id=row.id,
        workspace_id=row.workspace_id,
        conversation_id=row.conversation_id,
        seq=row.seq,
        author=Author(row.author),
        author_id=row.author_id,
        text=row.text,
        attachments=tuple(Attachment(**a) for a in row.attachments),
        client_message_id=row.client_message_id,
        created_at=row.created_at,
    )


def _message_row(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "workspace_id": message.workspace_id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "author": message.author.value,
        "author_id": message.author_id,
        "text": message.text,
        "attachments": [attachment_data(a) for a in message.attachments],
        "client_message_id": message.client_message_id,
        "created_at": message.created_at,
    }


_INSERT_MESSAGES = insert(messages)
# By (conversation, client id) pairs: one probe of the unique index per pair. Two separate IN lists make
# PostgreSQL probe every combination (200 × 200 for a full batch), which dominated its CPU at 1,000 chats.
_BY_CLIENT_IDS = select(messages).where(
    messages.c.workspace_id == bindparam("workspace_id"),
    tuple_(messages.c.conversation_id, messages.c.client_message_id).in_(bindparam("pairs", expanding=True)),
)


class SqlMessages:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_many(self, batch: Sequence[Message]) -> None:
        if batch:
            await self._conn.execute(_INSERT_MESSAGES, [_message_row(m) for m in batch])

    async def by_client_ids(
        self, workspace_id: WorkspaceId, pairs: Sequence[tuple[ConversationId, str | None]]
    ) -> dict[tuple[ConversationId, str], Message]:
        wanted = {(c, m) for c, m in pairs if m}
        if not wanted:
            return {}
        params = {"workspace_id": workspace_id, "pairs": sorted(wanted)}
        found = [_message(row) for row in await self._conn.execute(_BY_CLIENT_IDS, params)]
        return {
            (m.conversation_id, m.client_message_id): m
            for m in found
            if m.client_message_id and (m.conversation_id, m.client_message_id) in wanted
        }

    async def list(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId, *, after_seq: int, limit: int
    ) -> list[Message]:
        query = (
            select(messages)
            .where(
                messages.c.workspace_id == workspace_id,
                messages.c.conversation_id == conversation_id,
                messages.c.seq > after_seq,
            )
            .order_by(messages.c.seq)
            .limit(limit)
        )
        return [_message(row) for row in await self._conn.execute(query)]


class SqlNotes:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, note: Note) -> None:
        await self._conn.execute(
            insert(notes).values(
                id=note.id,
                workspace_id=note.workspace_id,
                conversation_id=note.conversation_id,
                author_id=note.author_id,
                text=note.text,
                created_at=note.created_at,
            )
        )

    async def list(self, workspace_id: WorkspaceId, conversation_id: ConversationId) -> list[Note]:
        query = (
            select(notes)
            .where(notes.c.workspace_id == workspace_id, notes.c.conversation_id == conversation_id)
            .order_by(notes.c.id)
        )
        return [
            Note(
                id=r.id,
                workspace_id=r.workspace_id,
                conversation_id=r.conversation_id,
                author_id=r.author_id,
                text=r.text,
                created_at=r.created_at,
            )
            for r in await self._conn.execute(query)
        ]
