"""A complaint's commitments run on business time: a night and a holiday pause them, the customer is told,
and a late step is kept as a breach."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from holdless.bootstrap import build
from holdless.clock import ManualClock
from holdless.web.app import create_app
from tests.api.expect import Chat, refusal, start_chat
from tests.conftest import Backend, RunningServer, make_settings, serve_app
from tests.factories import make_world

SETTINGS = {
    "zone": "Europe/Berlin",
    "hours": {str(day): [["09:00", "17:00"]] for day in range(5)},  # Monday to Friday
    "holidays": ["2026-01-06"],  # Tuesday
    "categories": [{"name": "billing", "acknowledge_hours": 1, "respond_hours": 8, "resolve_hours": 16}],
}


async def system_messages(server: RunningServer, chat: Chat) -> list[str]:
    async with server.client(chat.token) as widget:
        messages = (await widget.get(f"/api/v1/widget/conversations/{chat.conversation_id}/messages")).json()
    return [m["text"] for m in messages if m["author"] == "system"]


@pytest.fixture
async def clocked(backend: Backend, tmp_path: Path) -> AsyncIterator[tuple[RunningServer, ManualClock]]:
    clock = ManualClock(datetime(2026, 1, 5, 15, 0, tzinfo=UTC))  # Monday 16:00 in Berlin
    settings = make_settings(backend, tmp_path, routing=False)
    async with serve_app(create_app(settings, holdless=build(settings, clock=clock))) as server:
        yield server, clock


async def test_commitments_pause_overnight_and_on_a_holiday_and_late_steps_are_breaches(
    clocked: tuple[RunningServer, ManualClock],
) -> None:
    server, clock = clocked
    world = await make_world(server.holdless.ctx)
    chat = await start_chat(server, world.slug, queue_id=world.queue_id)
    async with server.client(world.admin.token) as api:
        configured = await api.put("/api/v1/complaints/settings", json=SETTINGS)
        assert configured.status_code == 200, configured.text
        bad = SETTINGS | {"hours": {"0": [["17:00", "09:00"]]}}
        refusal(await api.put("/api/v1/complaints/settings", json=bad), 422)
    async with server.client(world.agent.token) as api:
        refusal(await api.put("/api/v1/complaints/settings", json=SETTINGS), 403)

    async with server.client(world.supervisor.token) as api:
        path = f"/api/v1/conversations/{chat.conversation_id}/complaint"
        refusal(await api.post(path, json={"category": "parking"}), 422)
        opened = await api.post(path, json={"category": "billing"})
        assert opened.status_code == 201, opened.text
        complaint = opened.json()
        refusal(await api.post(path, json={"category": "billing"}), 409)
    # Monday 16:00 + 1 business hour = Monday 17:00 (16:00 UTC).
    assert complaint["due"]["acknowledge"] == "2026-01-05T16:00:00+00:00"
    # 8 h: Monday 16–17 (1 h), Tuesday is a holiday, Wednesday 09–16 (7 h) → Wednesday 16:00 Berlin.
    assert complaint["due"]["respond"] == "2026-01-07T15:00:00+00:00"
    # 16 h: 1 + Wednesday 8 + Thursday 7 → Thursday 16:00 Berlin.
    assert complaint["due"]["resolve"] == "2026-01-08T15:00:00+00:00"

    told = await system_messages(server, chat)
    assert told == ["We have registered your complaint (billing). We will respond by 2026-01-07 16:00 and "
                    "resolve it by 2026-01-08 16:00."]  # fmt: skip

    base = "/api/v1/complaints/" + complaint["complaint_id"]
    async with server.client(world.supervisor.token) as api:
        clock.advance(20 * 60)  # Monday 16:20: 40 of 60 minutes left, not at risk yet
        await asyncio.sleep(0.5)
        assert await system_messages(server, chat) == told
        clock.advance(30 * 60)  # Monday 16:50: 10 minutes left (under a quarter): at risk, said once
        for _ in range(50):
            warned = await system_messages(server, chat)
            if len(warned) > 1:
                break
            await asyncio.sleep(0.1)
        assert warned[1:] == [
            "We are still working on your complaint and keep our commitment: "
            "a first answer by 2026-01-05 17:00."
        ]
        await asyncio.sleep(0.5)
        assert len(await system_messages(server, chat)) == 2, "told once, not on every pass"
        [alert] = [e for e in (await api.get("/api/v1/events", params={"limit": 1000})).json()
                   if e["type"] == "complaint.at_risk"]  # fmt: skip
        assert alert["data"]["stage"] == "acknowledge"
        clock.advance(5 * 60)  # Monday 16:55: still in time
        acknowledged = (await api.post(base + "/acknowledge")).json()
        assert acknowledged["breaches"] == []
        clock.advance(2 * 86_400 - 25 * 60)  # Wednesday 16:30 Berlin: half an hour late
        responded = (await api.post(base + "/respond")).json()
        assert responded["breaches"] == ["respond"]
        refusal(await api.post(base + "/acknowledge"), 409)
        report = (await api.get("/api/v1/complaints/breaches")).json()
        late = (await api.get("/api/v1/complaints", params={"breached": "true"})).json()
    assert report["acknowledge"] == {"due": 1, "breached": 0}
    assert report["respond"] == {"due": 1, "breached": 1}
    assert report["resolve"] == {"due": 0, "breached": 0}, "not due until Thursday 16:00"
    assert [c["complaint_id"] for c in late] == [complaint["complaint_id"]]
