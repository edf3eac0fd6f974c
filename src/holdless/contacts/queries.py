"""Read-side finders for customers."""

from __future__ import annotations

from holdless.contacts.model import Customer
from holdless.ids import CustomerId
from holdless.tenancy import Principal
from holdless.unit_of_work import Ctx


async def list_customers(
    ctx: Ctx, actor: Principal, *, search: str | None, limit: int, before: str | None
) -> list[Customer]:
    async with ctx.uow() as uow:
        return await uow.customers.list(
            actor.workspace_id, search=search, limit=min(limit, 200), before=before
        )


async def get_customer(ctx: Ctx, actor: Principal, customer_id: CustomerId) -> Customer:
    async with ctx.uow() as uow:
        return await uow.customers.get(actor.workspace_id, customer_id)
