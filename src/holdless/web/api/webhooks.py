"""Outbound webhooks (admins): subscriptions, their deliveries, the dead-letter list and replays."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from holdless.integrations import actions
from holdless.integrations.actions import WebhookCtx
from holdless.integrations.model import Delivery, DeliveryStatus, Subscription
from holdless.web.deps import PrincipalDep, holdless

router = APIRouter(tags=["webhooks"])


def webhook_ctx(request: Request) -> WebhookCtx:
    return holdless(request).webhooks


WebhookCtxDep = Annotated[WebhookCtx, Depends(webhook_ctx)]

EVENT_TYPES = "Exact event types ('message.created'), prefixes ending in a dot ('conversation.') or '*'"


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000, description="http(s) URL; private and loopback targets are refused")
    event_types: list[str] = Field(min_length=1, max_length=50, description=EVENT_TYPES)
    active: bool = True


class WebhookPatch(BaseModel):
    url: str | None = Field(default=None, max_length=2000)
    event_types: list[str] | None = Field(default=None, min_length=1, max_length=50, description=EVENT_TYPES)
    active: bool | None = None


class WebhookOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, s: Subscription) -> WebhookOut:
        return cls(
            id=s.id, url=s.url, event_types=list(s.event_types), active=s.active,
            created_at=s.created_at, updated_at=s.updated_at,
        )  # fmt: skip


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signs every delivery (Holdless-Signature). Shown this once only.")


class DeliveryOut(BaseModel):
    id: str
    webhook_id: str
    event_seq: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str
    response_status: int | None
    created_at: datetime
    payload: dict[str, Any]

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(
            id=d.id, webhook_id=d.subscription_id, event_seq=d.event_seq, event_type=d.event_type,
            status=d.status.value, attempts=d.attempts, next_attempt_at=d.next_attempt_at,
            last_attempt_at=d.last_attempt_at, delivered_at=d.delivered_at, last_error=d.last_error,
            response_status=d.response_status, created_at=d.created_at, payload=d.payload,
        )  # fmt: skip


@router.post("/webhooks", status_code=201)
async def create_webhook(body: WebhookIn, who: PrincipalDep, ctx: WebhookCtxDep) -> WebhookCreated:
    """Subscribe a URL to events. The answer holds the signing secret: store it, it is not shown again."""
    subscription, secret = await actions.create_subscription(
        ctx, who, url=body.url, event_types=body.event_types, active=body.active
    )
    return WebhookCreated(**WebhookOut.of(subscription).model_dump(), secret=secret)


@router.get("/webhooks")
async def list_webhooks(who: PrincipalDep, ctx: WebhookCtxDep) -> list[WebhookOut]:
    return [WebhookOut.of(s) for s in await actions.list_subscriptions(ctx, who)]


@router.get("/webhooks/{webhook_id}")
async def get_webhook(webhook_id: str, who: PrincipalDep, ctx: WebhookCtxDep) -> WebhookOut:
    return WebhookOut.of(await actions.get_subscription(ctx, who, webhook_id))


@router.patch("/webhooks/{webhook_id}")
async def update_webhook(
    webhook_id: str, body: WebhookPatch, who: PrincipalDep, ctx: WebhookCtxDep
) -> WebhookOut:
    """Change the URL (checked again), the event types, or pause it (``active: false``: events that
    happen while paused are not sent later)."""
    subscription = await actions.update_subscription(
        ctx, who, webhook_id, url=body.url, event_types=body.event_types, active=body.active
    )
    return WebhookOut.of(subscription)


@router.delete("/webhooks/{webhook_id}", status_code=204)
async def delete_webhook(webhook_id: str, who: PrincipalDep, ctx: WebhookCtxDep) -> Response:
    await actions.delete_subscription(ctx, who, webhook_id)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries")
async def list_deliveries(
    webhook_id: str,
    who: PrincipalDep,
    ctx: WebhookCtxDep,
    status: DeliveryStatus | None = Query(default=None, description="dead: the dead-letter list"),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[DeliveryOut]:
    """Newest first, each with its attempts, last error and the receiver's last status code."""
    found = await actions.list_deliveries(ctx, who, webhook_id, status=status, limit=limit)
    return [DeliveryOut.of(d) for d in found]


@router.post("/webhook-deliveries/{delivery_id}/replay")
async def replay_delivery(delivery_id: str, who: PrincipalDep, ctx: WebhookCtxDep) -> DeliveryOut:
    """Send again now, with a fresh series of attempts (typically from the dead-letter list)."""
    return DeliveryOut.of(await actions.replay_delivery(ctx, who, delivery_id))
