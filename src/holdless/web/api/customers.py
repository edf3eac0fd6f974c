"""Customers, their identities, and merges."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from holdless.contacts import actions, queries
from holdless.contacts.model import Identity, IdentityKind
from holdless.ids import CustomerId
from holdless.web.api.schemas import CustomerOut, Page
from holdless.web.deps import CtxDep, PrincipalDep

router = APIRouter(tags=["customers"])


class IdentityIn(BaseModel):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=320)
    verified: bool = False


class CustomerIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    language: str | None = Field(default=None, min_length=2, max_length=8)
    segment: str = Field(default="standard", min_length=1, max_length=64)
    attributes: dict[str, str] = Field(default_factory=dict)
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)


class CustomerPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    language: str | None = Field(default=None, min_length=2, max_length=8)
    segment: str | None = Field(default=None, min_length=1, max_length=64)
    attributes: dict[str, str] | None = None


class MergeIn(BaseModel):
    source_id: str = Field(description="The customer folded into this one; it stops existing on its own")


@router.get("/customers")
async def list_customers(
    who: PrincipalDep,
    ctx: CtxDep,
    q: Annotated[str | None, Query(max_length=200, description="Name, email, phone…")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[str | None, Query(max_length=40)] = None,
) -> Page:
    found = await queries.list_customers(ctx, who, search=q, limit=limit, before=before)
    return Page(
        items=[CustomerOut.of(c) for c in found], next_before=found[-1].id if len(found) == limit else None
    )


@router.post("/customers", status_code=201)
async def create_customer(body: CustomerIn, who: PrincipalDep, ctx: CtxDep) -> CustomerOut:
    customer = await actions.create_customer(
        ctx, who, name=body.name, language=body.language, segment=body.segment, attributes=body.attributes,
        identities=tuple(Identity(i.kind, i.value, i.verified) for i in body.identities),
    )  # fmt: skip
    return CustomerOut.of(customer)


@router.get("/customers/{customer_id}")
async def get_customer(customer_id: str, who: PrincipalDep, ctx: CtxDep) -> CustomerOut:
    return CustomerOut.of(await queries.get_customer(ctx, who, CustomerId(customer_id)))


@router.patch("/customers/{customer_id}")
async def update_customer(
    customer_id: str, body: CustomerPatch, who: PrincipalDep, ctx: CtxDep
) -> CustomerOut:
    customer = await actions.update_customer(
        ctx, who, CustomerId(customer_id), name=body.name, language=body.language, segment=body.segment,
        attributes=body.attributes,
    )  # fmt: skip
    return CustomerOut.of(customer)


@router.post("/customers/{customer_id}/identities", status_code=201)
async def add_identity(customer_id: str, body: IdentityIn, who: PrincipalDep, ctx: CtxDep) -> CustomerOut:
    customer = await actions.add_identity(
        ctx, who, CustomerId(customer_id), body.kind, body.value, verified=body.verified
    )
    return CustomerOut.of(customer)


@router.post("/customers/{customer_id}/merge")
async def merge_customers(customer_id: str, body: MergeIn, who: PrincipalDep, ctx: CtxDep) -> CustomerOut:
    merged = await actions.merge_customers(ctx, who, CustomerId(customer_id), CustomerId(body.source_id))
    return CustomerOut.of(merged)
