"""Several processes on PostgreSQL: one delivers webhooks (an advisory lock of its own), each event goes out
once, and when that process stops the other takes over with nothing lost."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from holdless.bootstrap import Holdless, build
from holdless.integrations.actions import create_subscription
from holdless.settings import Settings
from holdless.storage.tables import webhook_deliveries
from tests.api.receiver import receiver
from tests.conftest import POSTGRES_URL, Backend, make_settings
from tests.factories import make_world, queued_conversation

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="set HOLDLESS_TEST_POSTGRES_URL to test leadership")


@pytest.fixture
def settings(backend: Backend, tmp_path: Path) -> Settings:
    return make_settings(
        backend, tmp_path, routing=False, webhook_allowed_hosts=["127.0.0.1"], webhook_poll_seconds=0.05,
        webhook_retry_base_seconds=0.1,
    )  # fmt: skip


async def _delivered(running: Holdless, count: int, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    query = select(webhook_deliveries.c.status)
    while True:
        async with running.engine.connect() as conn:
            statuses = [row.status for row in await conn.execute(query)]
        if len(statuses) >= count and all(s == "delivered" for s in statuses):
            return
        assert time.monotonic() < deadline, f"not delivered: {statuses}"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_one_process_delivers_and_another_takes_over_when_it_stops(settings: Settings) -> None:
    first, second = build(settings), build(settings)
    await first.start()
    await asyncio.sleep(0.3)  # the first process takes the webhook lock
    await second.start()
    stopped = False
    try:
        world = await make_world(first.ctx)
        async with receiver() as hooks:
            await create_subscription(
                first.webhooks, world.admin.principal, url=hooks.url, event_types=["conversation.created"]
            )
            for _ in range(5):
                await queued_conversation(second.ctx, world)
            await _delivered(first, 5)
            assert first.deliverer is not None
            assert second.deliverer is not None
            assert first.deliverer.leading
            assert not second.deliverer.leading
            assert second.deliverer.attempts_made == 0, "the other process sends nothing"

            await first.close()
            stopped = True
            for _ in range(3):
                await queued_conversation(second.ctx, world)
            await _delivered(second, 8)
            assert second.deliverer.leading
        per_delivery = Counter(r.delivery_id for r in hooks.requests)
        assert len(per_delivery) == 8
        assert set(per_delivery.values()) == {1}, "each event went out exactly once"
    finally:
        if not stopped:
            await first.close()
        await second.close()
