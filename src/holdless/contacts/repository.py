"""What contact actions need from storage."""

from __future__ import annotations

from typing import Protocol

from holdless.contacts.model import Customer, Identity, IdentityKind
from holdless.ids import CustomerId, WorkspaceId


class CustomerRepository(Protocol):
    async def get(self, workspace_id: WorkspaceId, customer_id: CustomerId) -> Customer: ...
    async def list(
        self, workspace_id: WorkspaceId, *, search: str | None, limit: int, before: str | None
    ) -> list[Customer]: ...
    async def add(self, customer: Customer) -> None: ...
    async def update(self, customer: Customer) -> None: ...
    async def find_by_identity(
        self, workspace_id: WorkspaceId, kind: IdentityKind, value: str
    ) -> Customer | None: ...
    async def add_identity(
        self, workspace_id: WorkspaceId, customer_id: CustomerId, identity: Identity
    ) -> None:
        """Raises Conflict when another customer of the workspace already has this identity."""
        ...

    async def move_identities(
        self, workspace_id: WorkspaceId, source: CustomerId, target: CustomerId
    ) -> int: ...
