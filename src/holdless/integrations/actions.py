"""The only functions that change webhook subscriptions and deliveries (admins only)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from holdless.clock import Clock
from holdless.errors import Invalid
from holdless.ids import new_id
from holdless.integrations.model import Delivery, DeliveryStatus, Subscription, normalise_event_types
from holdless.integrations.repository import WebhookStore
from holdless.integrations.targets import Resolver, check_target
from holdless.tenancy import Principal, Role

MAX_URL = 2000


@dataclass(frozen=True, slots=True)
class WebhookCtx:
    """What webhook actions need: storage, time, DNS, and the hosts an admin allowed despite SSRF rules."""

    store: WebhookStore
    clock: Clock
    resolver: Resolver
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


async def _checked_url(ctx: WebhookCtx, url: str) -> str:
    if len(url) > MAX_URL:
        raise Invalid(f"The URL is longer than {MAX_URL} characters.", field="url")
    target, _ = await check_target(url, ctx.resolver, ctx.allowed_hosts)
    return target.url


async def create_subscription(
    ctx: WebhookCtx, who: Principal, *, url: str, event_types: Sequence[str], active: bool = True
) -> tuple[Subscription, str]:
    """A new subscription and its signing secret, which is shown this once and never again."""
    who.require(Role.ADMIN)
    types = normalise_event_types(event_types)
    checked = await _checked_url(ctx, url)
    secret = new_secret()
    now = ctx.clock.now()
    async with ctx.store() as uow:
        subscription = Subscription(
            id=new_id("whk"), workspace_id=who.workspace_id, url=checked, event_types=types, active=active,
            after_seq=await uow.events.last_seq(who.workspace_id), created_at=now, updated_at=now,
        )  # fmt: skip
        await uow.subscriptions.add(subscription, secret)
    return subscription, secret


async def list_subscriptions(ctx: WebhookCtx, who: Principal) -> list[Subscription]:
    who.require(Role.ADMIN)
    async with ctx.store() as uow:
        return await uow.subscriptions.list(who.workspace_id)


async def get_subscription(ctx: WebhookCtx, who: Principal, subscription_id: str) -> Subscription:
    who.require(Role.ADMIN)
    async with ctx.store() as uow:
        return await uow.subscriptions.get(who.workspace_id, subscription_id)


async def update_subscription(
    ctx: WebhookCtx,
    who: Principal,
    subscription_id: str,
    *,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    active: bool | None = None,
) -> Subscription:
    who.require(Role.ADMIN)
    checked = await _checked_url(ctx, url) if url is not None else None
    types = normalise_event_types(event_types) if event_types is not None else None
    async with ctx.store() as uow:
        current = await uow.subscriptions.get(who.workspace_id, subscription_id)
        resumed = active is True and not current.active
        changed = replace(
            current,
            url=checked if checked is not None else current.url,
            event_types=types if types is not None else current.event_types,
            active=active if active is not None else current.active,
            # Resumed: what happened while paused is not sent, as for a new subscription.
            after_seq=await uow.events.last_seq(who.workspace_id) if resumed else current.after_seq,
            updated_at=ctx.clock.now(),
        )
        await uow.subscriptions.update(changed)
    return changed


async def delete_subscription(ctx: WebhookCtx, who: Principal, subscription_id: str) -> None:
    """The subscription and its deliveries go; nothing more is sent to it."""
    who.require(Role.ADMIN)
    async with ctx.store() as uow:
        await uow.subscriptions.delete(who.workspace_id, subscription_id)


async def list_deliveries(
    ctx: WebhookCtx,
    who: Principal,
    subscription_id: str,
    *,
    status: DeliveryStatus | None = None,
    limit: int = 100,
) -> list[Delivery]:
    """Newest first; ``status=dead`` is the dead-letter list."""
    who.require(Role.ADMIN)
    async with ctx.store() as uow:
        await uow.subscriptions.get(who.workspace_id, subscription_id)
        return await uow.deliveries.list(who.workspace_id, subscription_id, status=status, limit=limit)


async def replay_delivery(ctx: WebhookCtx, who: Principal, delivery_id: str) -> Delivery:
    """Send a delivery again with a fresh series of attempts, the first one now (dead, delivered or
    waiting for its next attempt alike)."""
    who.require(Role.ADMIN)
    async with ctx.store() as uow:
        delivery = (await uow.deliveries.get(who.workspace_id, delivery_id)).replayed(ctx.clock.now())
        await uow.deliveries.save(delivery)
    return delivery
