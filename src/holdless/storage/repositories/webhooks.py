"""Webhook subscriptions, deliveries and the delivering process's cursors; secrets sealed with Fernet."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from holdless.errors import NotFound, Unavailable
from holdless.ids import WorkspaceId
from holdless.integrations.model import Delivery, DeliveryStatus, Subscription
from holdless.integrations.repository import CursorRepository, DeliveryRepository, SubscriptionRepository
from holdless.storage.repositories.event_log import SqlEventLog
from holdless.storage.tables import (
    UtcDateTime,
    webhook_cursors,
    webhook_deliveries,
    webhook_subscriptions,
)
from holdless.unit_of_work import EventLog


class SecretBox:
    """Seals webhook secrets with a key derived from the server's secret key (Fernet: AES-128-CBC with an
    HMAC-SHA256 tag). A database dump alone does not reveal them."""

    def __init__(self, server_key: Callable[[], str]) -> None:
        self._server_key = server_key  # read when first needed: building Holdless writes no key file
        self._cached: Fernet | None = None

    @property
    def _fernet(self) -> Fernet:
        if self._cached is None:
            key = self._server_key().encode("utf-8")
            digest = hashlib.sha256(b"holdless webhook secrets\x00" + key).digest()
            self._cached = Fernet(base64.urlsafe_b64encode(digest))
        return self._cached

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise Unavailable(
                "A webhook secret cannot be read: the server's secret key changed since it was stored."
            ) from error


def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=row.id, workspace_id=row.workspace_id, url=row.url, event_types=tuple(row.event_types),
        active=row.active, after_seq=row.after_seq, created_at=row.created_at, updated_at=row.updated_at,
    )  # fmt: skip


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id, workspace_id=row.workspace_id, subscription_id=row.subscription_id,
        event_seq=row.event_seq, event_type=row.event_type, payload=row.payload,
        status=DeliveryStatus(row.status), attempts=row.attempts, next_attempt_at=row.next_attempt_at,
        last_error=row.last_error, response_status=row.response_status, created_at=row.created_at,
        last_attempt_at=row.last_attempt_at, delivered_at=row.delivered_at,
    )  # fmt: skip


def _delivery_row(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id, "workspace_id": d.workspace_id, "subscription_id": d.subscription_id,
        "event_seq": d.event_seq, "event_type": d.event_type, "payload": d.payload,
        "status": d.status.value, "attempts": d.attempts, "next_attempt_at": d.next_attempt_at,
        "last_error": d.last_error, "response_status": d.response_status, "created_at": d.created_at,
        "last_attempt_at": d.last_attempt_at, "delivered_at": d.delivered_at,
    }  # fmt: skip


_NOT_FOUND = "No such webhook in this workspace."


class SqlSubscriptions:
    def __init__(self, conn: AsyncConnection, box: SecretBox) -> None:
        self._conn = conn
        self._box = box

    async def add(self, subscription: Subscription, secret: str) -> None:
        s = subscription
        await self._conn.execute(
            insert(webhook_subscriptions).values(
                id=s.id, workspace_id=s.workspace_id, url=s.url, event_types=list(s.event_types),
                secret_sealed=self._box.seal(secret), active=s.active, after_seq=s.after_seq,
                created_at=s.created_at, updated_at=s.updated_at,
            )
        )  # fmt: skip

    def _where(self, workspace_id: WorkspaceId, subscription_id: str) -> Any:
        t = webhook_subscriptions.c
        return (t.workspace_id == workspace_id) & (t.id == subscription_id)

    async def get(self, workspace_id: WorkspaceId, subscription_id: str) -> Subscription:
        query = select(webhook_subscriptions).where(self._where(workspace_id, subscription_id))
        row = (await self._conn.execute(query)).first()
        if row is None:
            raise NotFound(_NOT_FOUND)
        return _subscription(row)

    async def update(self, subscription: Subscription) -> None:
        s = subscription
        await self._conn.execute(
            update(webhook_subscriptions)
            .where(self._where(s.workspace_id, s.id))
            .values(
                url=s.url,
                event_types=list(s.event_types),
                active=s.active,
                after_seq=s.after_seq,
                updated_at=s.updated_at,
            )
        )

    async def delete(self, workspace_id: WorkspaceId, subscription_id: str) -> None:
        # Deliveries first: SQLite enforces no foreign keys unless asked, so the cascade is done here.
        d = webhook_deliveries.c
        await self._conn.execute(
            delete(webhook_deliveries).where(
                d.workspace_id == workspace_id, d.subscription_id == subscription_id
            )
        )
        result = await self._conn.execute(
            delete(webhook_subscriptions).where(self._where(workspace_id, subscription_id))
        )
        if result.rowcount != 1:
            raise NotFound(_NOT_FOUND)

    async def secret(self, workspace_id: WorkspaceId, subscription_id: str) -> str:
        query = select(webhook_subscriptions.c.secret_sealed).where(
            self._where(workspace_id, subscription_id)
        )
        sealed = (await self._conn.execute(query)).scalar_one_or_none()
        if sealed is None:
            raise NotFound(_NOT_FOUND)
        return self._box.open(sealed)

    async def active(self) -> list[Subscription]:
        t = webhook_subscriptions
        query = select(t).where(t.c.active.is_(True)).order_by(t.c.id)
        return [_subscription(row) for row in await self._conn.execute(query)]

    async def list(self, workspace_id: WorkspaceId) -> list[Subscription]:
        t = webhook_subscriptions
        query = select(t).where(t.c.workspace_id == workspace_id).order_by(t.c.id)
        return [_subscription(row) for row in await self._conn.execute(query)]


class SqlDeliveries:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_new(self, deliveries: Sequence[Delivery]) -> int:
        if not deliveries:
            return 0
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(webhook_deliveries).on_conflict_do_nothing(
            index_elements=["subscription_id", "event_seq"]
        )
        result = await self._conn.execute(statement, [_delivery_row(d) for d in deliveries])
        return max(int(result.rowcount), 0)

    async def get(self, workspace_id: WorkspaceId, delivery_id: str) -> Delivery:
        t = webhook_deliveries.c
        query = select(webhook_deliveries).where(t.workspace_id == workspace_id, t.id == delivery_id)
        row = (await self._conn.execute(query)).first()
        if row is None:
            raise NotFound("No such webhook delivery in this workspace.")
        return _delivery(row)

    async def save(self, delivery: Delivery) -> None:
        values = _delivery_row(delivery)
        t = webhook_deliveries.c
        await self._conn.execute(
            update(webhook_deliveries)
            .where(t.workspace_id == delivery.workspace_id, t.id == delivery.id)
            .values(**{k: v for k, v in values.items() if k not in ("id", "workspace_id")})
        )

    def _due(self) -> Any:
        d, s = webhook_deliveries.c, webhook_subscriptions.c
        return (
            select(webhook_deliveries)
            .join(webhook_subscriptions, s.id == d.subscription_id)
            .where(d.status == DeliveryStatus.PENDING.value, s.active.is_(True))
        )

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        d = webhook_deliveries.c
        query = self._due().where(d.next_attempt_at <= now).order_by(d.next_attempt_at, d.id).limit(limit)
        return [_delivery(row) for row in await self._conn.execute(query)]

    async def next_due_at(self) -> datetime | None:
        d = webhook_deliveries.c
        query = self._due().with_only_columns(func.min(d.next_attempt_at))
        value: datetime | None = (await self._conn.execute(query)).scalar_one_or_none()
        if value is not None and value.tzinfo is None:  # func.min bypasses the column type on SQLite
            value = UtcDateTime().process_result_value(value, self._conn.dialect)
        return value

    async def list(
        self,
        workspace_id: WorkspaceId,
        subscription_id: str,
        *,
        status: DeliveryStatus | None,
        limit: int,
    ) -> list[Delivery]:
        d = webhook_deliveries.c
        query = select(webhook_deliveries).where(
            d.workspace_id == workspace_id, d.subscription_id == subscription_id
        )
        if status is not None:
            query = query.where(d.status == status.value)
        query = query.order_by(d.event_seq.desc(), d.id.desc()).limit(limit)
        return [_delivery(row) for row in await self._conn.execute(query)]


class SqlCursors:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, workspace_id: WorkspaceId) -> int | None:
        query = select(webhook_cursors.c.seq).where(webhook_cursors.c.workspace_id == workspace_id)
        value = (await self._conn.execute(query)).scalar_one_or_none()
        return None if value is None else int(value)

    async def set(self, workspace_id: WorkspaceId, seq: int) -> None:
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(webhook_cursors).values(workspace_id=workspace_id, seq=seq)
        await self._conn.execute(
            statement.on_conflict_do_update(index_elements=["workspace_id"], set_={"seq": seq})
        )


class SqlWebhookUnitOfWork:
    subscriptions: SubscriptionRepository
    deliveries: DeliveryRepository
    cursors: CursorRepository
    events: EventLog

    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self._engine = engine
        self._box = box
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        conn = await self._engine.connect()
        await conn.begin()
        self._conn = conn
        self.subscriptions = SqlSubscriptions(conn, self._box)
        self.deliveries = SqlDeliveries(conn)
        self.cursors = SqlCursors(conn)
        self.events = SqlEventLog(conn)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn, self._conn = self._conn, None
        assert conn is not None, "unit of work used outside 'async with'"
        try:
            if exc_type is None:
                await conn.commit()
            else:
                await conn.rollback()
        finally:
            await conn.close()


class SqlWebhookStore:
    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self._engine = engine
        self._box = box

    def __call__(self) -> SqlWebhookUnitOfWork:
        return SqlWebhookUnitOfWork(self._engine, self._box)
