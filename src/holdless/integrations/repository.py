"""What the webhooks need from storage (implemented in storage/repositories/webhooks.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from holdless.ids import WorkspaceId
from holdless.integrations.model import Delivery, DeliveryStatus, Subscription
from holdless.unit_of_work import EventLog


class SubscriptionRepository(Protocol):
    async def add(self, subscription: Subscription, secret: str) -> None:
        """Store the subscription; the secret is kept sealed (encrypted with the server's key)."""
        ...

    async def get(self, workspace_id: WorkspaceId, subscription_id: str) -> Subscription:
        """NotFound when missing or in another workspace."""
        ...

    async def update(self, subscription: Subscription) -> None: ...
    async def delete(self, workspace_id: WorkspaceId, subscription_id: str) -> None: ...
    async def secret(self, workspace_id: WorkspaceId, subscription_id: str) -> str: ...
    async def active(self) -> list[Subscription]:
        """Every active subscription of every workspace (for the delivering process)."""
        ...

    async def list(self, workspace_id: WorkspaceId) -> list[Subscription]: ...


class DeliveryRepository(Protocol):
    async def add_new(self, deliveries: Sequence[Delivery]) -> int:
        """Insert, skipping any (subscription, event) pair already stored; returns how many were new."""
        ...

    async def get(self, workspace_id: WorkspaceId, delivery_id: str) -> Delivery: ...
    async def save(self, delivery: Delivery) -> None: ...
    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        """Pending deliveries of active subscriptions whose next attempt is due, oldest first."""
        ...

    async def next_due_at(self) -> datetime | None: ...
    async def list(
        self,
        workspace_id: WorkspaceId,
        subscription_id: str,
        *,
        status: DeliveryStatus | None,
        limit: int,
    ) -> list[Delivery]: ...


class CursorRepository(Protocol):
    async def get(self, workspace_id: WorkspaceId) -> int | None: ...
    async def set(self, workspace_id: WorkspaceId, seq: int) -> None: ...


class WebhookUnitOfWork(Protocol):
    subscriptions: SubscriptionRepository
    deliveries: DeliveryRepository
    cursors: CursorRepository
    events: EventLog

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Commit when the block succeeded, roll back otherwise."""
        ...


class WebhookStore(Protocol):
    def __call__(self) -> WebhookUnitOfWork: ...
