"""The Redis bus carries committed events between processes and shrugs off what is not its own."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from holdless.events import Event
from holdless.ids import WorkspaceId
from holdless.realtime.bus import RedisBus
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="set HOLDLESS_TEST_REDIS_URL to test the Redis bus")


async def test_events_published_on_one_bus_reach_another_and_garbage_on_the_channel_is_ignored() -> None:
    assert REDIS_URL is not None
    channel = f"holdless:test:{id(object())}"
    sender, listener = RedisBus(REDIS_URL, channel=channel), RedisBus(REDIS_URL, channel=channel)
    received: list[Event] = []
    await listener.start(received.append)
    await asyncio.sleep(0.1)  # the subscription is live before anything is published
    sent = [Event("message.created", WorkspaceId("ws_1"), "system", datetime.now(UTC), seq=n) for n in (1, 2)]
    stranger = Redis.from_url(REDIS_URL)
    await stranger.publish(channel, "not json at all")
    await stranger.publish(channel, '[{"seq": 1}]')
    await stranger.aclose()
    await sender.publish(sent)
    for _ in range(100):
        if len(received) == 2:
            break
        await asyncio.sleep(0.02)
    await sender.close()
    await listener.close()
    assert [(e.type, e.seq) for e in received] == [(e.type, e.seq) for e in sent]
