"""Customers and their identities."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from holdless.contacts.model import Customer, Identity, IdentityKind
from holdless.errors import Conflict, NotFound
from holdless.ids import CustomerId, WorkspaceId
from holdless.storage.tables import customer_identities, customers


def _customer(row: Any, identities: tuple[Identity, ...]) -> Customer:
    return Customer(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        language=row.language,
        segment=row.segment,
        created_at=row.created_at,
        attributes=dict(row.attributes),
        identities=identities,
        merged_into=row.merged_into,
    )


class SqlCustomers:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def _identities(self, ids: list[str]) -> dict[str, tuple[Identity, ...]]:
        found: dict[str, list[Identity]] = defaultdict(list)
        if ids:
            query = (
                select(customer_identities)
                .where(customer_identities.c.customer_id.in_(ids))
                .order_by(customer_identities.c.id)
            )
            for row in await self._conn.execute(query):
                found[row.customer_id].append(Identity(IdentityKind(row.kind), row.value, row.verified))
        return {i: tuple(found[i]) for i in ids}

    async def get(self, workspace_id: WorkspaceId, customer_id: CustomerId) -> Customer:
        query = select(customers).where(
            customers.c.workspace_id == workspace_id, customers.c.id == customer_id
        )
        row = (await self._conn.execute(query)).first()
        if row is None:
            raise NotFound("No such customer in this workspace.")
        return _customer(row, (await self._identities([row.id]))[row.id])

    async def list(
        self, workspace_id: WorkspaceId, *, search: str | None, limit: int, before: str | None
    ) -> list[Customer]:
        query = select(customers).where(
            customers.c.workspace_id == workspace_id, customers.c.merged_into.is_(None)
        )
        if before:
            query = query.where(customers.c.id < before)
        if search:
            # The search is literal text: % and _ typed by a person are not wildcards.
            literal = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{literal}%"
            has_identity = exists().where(
                customer_identities.c.customer_id == customers.c.id,
                customer_identities.c.value.like(pattern, escape="\\"),
            )
            query = query.where(or_(customers.c.name.ilike(pattern, escape="\\"), has_identity))
        rows = list(await self._conn.execute(query.order_by(customers.c.id.desc()).limit(limit)))
        identities = await self._identities([r.id for r in rows])
        return [_customer(r, identities[r.id]) for r in rows]

    async def add(self, customer: Customer) -> None:
        await self._conn.execute(
            insert(customers).values(
                id=customer.id,
                workspace_id=customer.workspace_id,
                name=customer.name,
                language=customer.language,
                segment=customer.segment,
                attributes=dict(customer.attributes),
                merged_into=None,
                created_at=customer.created_at,
            )
        )
        for identity in customer.identities:
            await self.add_identity(customer.workspace_id, customer.id, identity)

    async def update(self, customer: Customer) -> None:
        await self._conn.execute(
            update(customers)
            .where(customers.c.workspace_id == customer.workspace_id, customers.c.id == customer.id)
            .values(
                name=customer.name,
                language=customer.language,
                segment=customer.segment,
                attributes=dict(customer.attributes),
                merged_into=customer.merged_into,
            )
        )

    async def find_by_identity(
        self, workspace_id: WorkspaceId, kind: IdentityKind, value: str
    ) -> Customer | None:
        query = select(customer_identities.c.customer_id).where(
            customer_identities.c.workspace_id == workspace_id,
            customer_identities.c.kind == kind.value,
            customer_identities.c.value == value,
        )
        customer_id = (await self._conn.execute(query)).scalar_one_or_none()
        return None if customer_id is None else await self.get(workspace_id, customer_id)

    async def add_identity(
        self, workspace_id: WorkspaceId, customer_id: CustomerId, identity: Identity
    ) -> None:
        owner = await self.find_by_identity(workspace_id, identity.kind, identity.value)
        if owner is not None:
            if owner.id == customer_id:
                return
            raise Conflict(
                f"The {identity.kind.value.replace('_', ' ')} {identity.value} belongs to another customer; "
                "merge the two customers instead.",
                field="value",
            )
        await self._conn.execute(
            insert(customer_identities).values(
                workspace_id=workspace_id,
                customer_id=customer_id,
                kind=identity.kind.value,
                value=identity.value,
                verified=identity.verified,
            )
        )

    async def move_identities(self, workspace_id: WorkspaceId, source: CustomerId, target: CustomerId) -> int:
        result = await self._conn.execute(
            update(customer_identities)
            .where(
                customer_identities.c.workspace_id == workspace_id,
                customer_identities.c.customer_id == source,
            )
            .values(customer_id=target)
        )
        return int(result.rowcount)
