"""The webhook listener: reads each workspace's event log after a cursor, makes a delivery per matching
subscription, and POSTs them signed, with retries and exponential back-off (docs/integrations.md).

Like the routing dispatcher it runs in one process at a time: the holder of its own PostgreSQL advisory
lock (SQLite: the one process). It is woken by the bus, and also polls, so a lost bus message only delays.
Every attempt resolves the target again and refuses private addresses (DNS may have changed since the
subscription was made), then connects to the very address it checked (no second lookup), without
following redirects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Sequence

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.dispatch.leader import Leadership, LeaderTask
from holdless.errors import HoldlessError, NotFound
from holdless.events import Event
from holdless.ids import WorkspaceId, new_id
from holdless.integrations.actions import WebhookCtx
from holdless.integrations.model import Delivery, DeliveryStatus, RetryPolicy, Subscription
from holdless.integrations.repository import WebhookUnitOfWork
from holdless.integrations.signing import sign
from holdless.integrations.targets import Target, check_target

log = logging.getLogger(__name__)

LOCK_KEY = 0x68_6C_64_77  # "hldw": not the routing engine's lock
PAGE = 500
BATCH = 50
USER_AGENT = "Holdless-Webhooks/0.1"


def pinned_request(target: Target, address: str) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """The URL with the checked address in place of the host, the Host header, and TLS's server name."""
    url = httpx.URL(target.url).copy_with(host=address)
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    headers = {"Host": host if target.port == default else f"{host}:{target.port}"}
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return url, headers, extensions


class WebhookDeliverer(LeaderTask):
    name = "holdless-webhooks"

    def __init__(
        self,
        ctx: WebhookCtx,
        engine: AsyncEngine,
        *,
        policy: RetryPolicy,
        timeout_seconds: float = 10.0,
        poll_seconds: float = 1.0,
        concurrency: int = 8,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._ctx = ctx
        self._policy = policy
        self._timeout = timeout_seconds
        self._poll = poll_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self._transport = transport
        super().__init__(Leadership(engine, key=LOCK_KEY, role="webhooks"))
        self._known: set[str] = set()
        self.attempts_made = 0

    def notify(self, event: Event) -> None:
        """Called by the bus for every committed event; never blocks."""
        self._mark(event.workspace_id)

    async def _lead(self) -> None:
        self._known = {s.id for s in await self._active()}
        timeout = httpx.Timeout(self._timeout)
        async with httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, transport=self._transport, trust_env=False
        ) as client:
            next_check = time.monotonic() + 5.0
            while not self._stopping:
                self._dirty.clear()  # every workspace with a subscription is read below
                await self._enqueue_all()
                await self._send_due(client)
                await self._sleep()
                if time.monotonic() >= next_check:
                    next_check = time.monotonic() + 5.0
                    if not await self._leadership.still_held():
                        return

    async def _sleep(self) -> None:
        async with self._ctx.store() as uow:
            due = await uow.deliveries.next_due_at()
        wait = self._poll
        if due is not None:
            wait = min(wait, max(0.0, (due - self._ctx.clock.now()).total_seconds()))
        if self._dirty:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), wait)
        self._wake.clear()

    async def _active(self) -> list[Subscription]:
        async with self._ctx.store() as uow:
            return await uow.subscriptions.active()

    # --- events -> deliveries --------------------------------------------------------------------------

    async def _enqueue_all(self) -> None:
        by_workspace: dict[WorkspaceId, list[Subscription]] = {}
        for subscription in await self._active():
            by_workspace.setdefault(subscription.workspace_id, []).append(subscription)
        for workspace_id, subscriptions in by_workspace.items():
            await self._enqueue(workspace_id, subscriptions)

    async def _enqueue(self, workspace_id: WorkspaceId, subscriptions: list[Subscription]) -> None:
        async with self._ctx.store() as uow:
            stored = await uow.cursors.get(workspace_id)
            cursor = min(s.after_seq for s in subscriptions) if stored is None else stored
            # A subscription made while the log was being read may have missed events before the cursor.
            for late in [s for s in subscriptions if s.id not in self._known and s.after_seq < cursor]:
                await self._read(uow, workspace_id, [late], late.after_seq, until=cursor)
            self._known |= {s.id for s in subscriptions}
            cursor = await self._read(uow, workspace_id, subscriptions, cursor)
            if cursor != stored:
                await uow.cursors.set(workspace_id, cursor)

    async def _read(
        self,
        uow: WebhookUnitOfWork,
        workspace_id: WorkspaceId,
        subscriptions: Sequence[Subscription],
        after: int,
        *,
        until: int | None = None,
    ) -> int:
        """Deliveries for the events after `after` (up to `until`); returns the last sequence read."""
        now = self._ctx.clock.now()
        while True:
            batch = await uow.events.list(workspace_id, after=after, limit=PAGE)
            if until is not None:
                batch = [e for e in batch if e.seq <= until]
            deliveries = [
                Delivery(
                    id=new_id("dlv"),
                    workspace_id=workspace_id,
                    subscription_id=s.id,
                    event_seq=e.seq,
                    event_type=e.type,
                    payload=e.to_wire(),
                    status=DeliveryStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    last_error="",
                    response_status=None,
                    created_at=now,
                )
                for e in batch
                for s in subscriptions
                if s.wants(e.type, e.seq)
            ]
            await uow.deliveries.add_new(deliveries)
            if batch:
                after = batch[-1].seq
            if len(batch) < PAGE:
                return after

    # --- attempts --------------------------------------------------------------------------------------

    async def _send_due(self, client: httpx.AsyncClient) -> None:
        while not self._stopping:
            async with self._ctx.store() as uow:
                due = await uow.deliveries.due(self._ctx.clock.now(), BATCH)
            if not due:
                return
            await asyncio.gather(*(self._attempt(client, d) for d in due))
            if len(due) < BATCH:
                return

    async def _attempt(self, client: httpx.AsyncClient, delivery: Delivery) -> None:
        async with self._slots:
            status: int | None
            error: str | None
            try:
                async with self._ctx.store() as uow:
                    subscription = await uow.subscriptions.get(
                        delivery.workspace_id, delivery.subscription_id
                    )
                    secret = await uow.subscriptions.secret(delivery.workspace_id, delivery.subscription_id)
            except NotFound:
                return  # deleted meanwhile: its deliveries went with it
            except HoldlessError as unreadable:  # the server key changed: counted as a failed attempt
                status, error = None, f"Not sent: {unreadable.message}"
            else:
                status, error = await self._post(client, subscription, secret, delivery)
            now = self._ctx.clock.now()
            if error is None and status is not None:
                outcome = delivery.succeeded(now, status)
            else:
                outcome = delivery.failed(now, error or "failed", self._policy, status)
                log.info("webhooks: delivery %s attempt %d failed: %s", delivery.id, outcome.attempts, error)
            self.attempts_made += 1
            async with self._ctx.store() as uow:
                await uow.deliveries.save(outcome)

    async def _post(
        self, client: httpx.AsyncClient, subscription: Subscription, secret: str, delivery: Delivery
    ) -> tuple[int | None, str | None]:
        """(response status, error): error is None only for a 2xx answer."""
        try:
            target, addresses = await check_target(
                subscription.url, self._ctx.resolver, self._ctx.allowed_hosts
            )
        except HoldlessError as refused:
            return None, f"Not sent: {refused.message}"
        body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        url, headers, extensions = pinned_request(target, addresses[0])
        headers |= sign(secret, body, now=self._ctx.clock.now().timestamp())
        headers |= {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Holdless-Event": delivery.event_type,
            "Holdless-Delivery": delivery.id,
        }
        try:
            request = client.build_request("POST", url, content=body, headers=headers, extensions=extensions)
            response = await client.send(request, stream=True)
            await response.aclose()
        except httpx.HTTPError as failure:
            return None, f"{type(failure).__name__}: {failure}"[:500] or type(failure).__name__
        if 200 <= response.status_code < 300:
            return response.status_code, None
        if 300 <= response.status_code < 400:
            return response.status_code, f"HTTP {response.status_code}: redirects are not followed"
        return response.status_code, f"HTTP {response.status_code}"
