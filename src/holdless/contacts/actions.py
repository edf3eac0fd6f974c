"""The only functions that change customers and their identities."""

from __future__ import annotations

from dataclasses import replace

from holdless.contacts.model import (
    Customer,
    Identity,
    IdentityKind,
    check_merge,
    merged_attributes,
    normalize_identity,
    validate_attributes,
)
from holdless.errors import Invalid
from holdless.events import Event
from holdless.ids import CustomerId, new_id
from holdless.tenancy import Actor, Principal, Role
from holdless.unit_of_work import Ctx, UnitOfWork


def customer_data(customer: Customer) -> dict[str, object]:
    return {
        "customer_id": customer.id,
        "name": customer.name,
        "language": customer.language,
        "segment": customer.segment,
        "attributes": dict(customer.attributes),
        "identities": [
            {"kind": i.kind.value, "value": i.value, "verified": i.verified} for i in customer.identities
        ],
    }


def _segment(segment: str) -> str:
    cleaned = segment.strip()
    if not cleaned or len(cleaned) > 64:
        raise Invalid("A segment name is 1–64 characters.", field="segment")
    return cleaned


async def _add_customer(
    uow: UnitOfWork,
    ctx: Ctx,
    actor: Actor,
    *,
    name: str,
    language: str | None,
    segment: str,
    attributes: dict[str, str],
    identities: tuple[Identity, ...],
) -> Customer:
    now = ctx.clock.now()
    customer = Customer(
        id=CustomerId(new_id("cus")),
        workspace_id=actor.workspace_id,
        name=name.strip()[:200] or "Customer",
        language=language,
        segment=_segment(segment),
        created_at=now,
        attributes=validate_attributes(attributes),
        identities=tuple(
            Identity(i.kind, normalize_identity(i.kind, i.value), i.verified) for i in identities
        ),
    )
    await uow.customers.add(customer)
    uow.record(Event("customer.created", actor.workspace_id, actor.actor, now, customer_data(customer)))
    return customer


async def create_customer(
    ctx: Ctx,
    actor: Actor,
    *,
    name: str,
    language: str | None = None,
    segment: str = "standard",
    attributes: dict[str, str] | None = None,
    identities: tuple[Identity, ...] = (),
) -> Customer:
    async with ctx.uow() as uow:
        return await _add_customer(
            uow, ctx, actor, name=name, language=language, segment=segment,
            attributes=attributes or {}, identities=identities,
        )  # fmt: skip


async def find_or_create_by_identity(
    ctx: Ctx, actor: Actor, identity: Identity, *, name: str, language: str | None
) -> Customer:
    """How channels recognise a returning customer (same email, phone, messenger id or web visitor)."""
    value = normalize_identity(identity.kind, identity.value)
    async with ctx.uow() as uow:
        found = await uow.customers.find_by_identity(actor.workspace_id, identity.kind, value)
        if found is not None:
            return found
        return await _add_customer(
            uow, ctx, actor, name=name, language=language, segment="standard",
            attributes={}, identities=(replace(identity, value=value),),
        )  # fmt: skip


async def update_customer(
    ctx: Ctx,
    actor: Principal,
    customer_id: CustomerId,
    *,
    name: str | None = None,
    language: str | None = None,
    segment: str | None = None,
    attributes: dict[str, str] | None = None,
) -> Customer:
    if segment is not None:
        actor.require(Role.SUPERVISOR)  # the segment decides priority in line
    async with ctx.uow() as uow:
        customer = await uow.customers.get(actor.workspace_id, customer_id)
        customer = replace(
            customer,
            name=name.strip()[:200] if name else customer.name,
            language=language or customer.language,
            segment=_segment(segment) if segment is not None else customer.segment,
            attributes=validate_attributes({**customer.attributes, **(attributes or {})}),
        )
        await uow.customers.update(customer)
        uow.record(
            Event(
                "customer.updated", actor.workspace_id, actor.actor, ctx.clock.now(), customer_data(customer)
            )
        )
    return customer


async def add_identity(
    ctx: Ctx,
    actor: Principal,
    customer_id: CustomerId,
    kind: IdentityKind,
    value: str,
    *,
    verified: bool = False,
) -> Customer:
    identity = Identity(kind, normalize_identity(kind, value), verified)
    async with ctx.uow() as uow:
        await uow.customers.get(actor.workspace_id, customer_id)
        await uow.customers.add_identity(actor.workspace_id, customer_id, identity)
        uow.record(
            Event(
                "customer.identity_added",
                actor.workspace_id,
                actor.actor,
                ctx.clock.now(),
                {
                    "customer_id": customer_id,
                    "kind": kind.value,
                    "value": identity.value,
                    "verified": verified,
                },
            )
        )
        return await uow.customers.get(actor.workspace_id, customer_id)


async def merge_customers(
    ctx: Ctx, actor: Principal, target_id: CustomerId, source_id: CustomerId
) -> Customer:
    """Fold `source` into `target`: identities and conversations move, one timeline remains.

    Merges are explicit (never automatic on a name match) and recorded, so a wrong one can be traced.
    """
    actor.require(Role.SUPERVISOR)
    async with ctx.uow() as uow:
        target = await uow.customers.get(actor.workspace_id, target_id)
        source = await uow.customers.get(actor.workspace_id, source_id)
        check_merge(target, source)
        moved_identities = await uow.customers.move_identities(actor.workspace_id, source.id, target.id)
        moved_conversations = await uow.conversations.move_customer(actor.workspace_id, source.id, target.id)
        merged = replace(
            target,
            attributes=merged_attributes(target.attributes, source.attributes),
            language=target.language or source.language,
        )
        await uow.customers.update(merged)
        await uow.customers.update(replace(source, merged_into=target.id))
        uow.record(
            Event(
                "customer.merged",
                actor.workspace_id,
                actor.actor,
                ctx.clock.now(),
                {
                    "target_id": target.id,
                    "source_id": source.id,
                    "identities_moved": moved_identities,
                    "conversations_moved": moved_conversations,
                },
            )
        )
        return await uow.customers.get(actor.workspace_id, target.id)
