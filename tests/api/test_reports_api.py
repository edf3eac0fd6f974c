"""KPI reports over the API, from a short morning whose figures are worked out by hand below."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import polars as pl
import pytest

from holdless.bootstrap import build
from holdless.clock import ManualClock
from holdless.web.app import create_app
from tests.api.expect import refusal, start_chat
from tests.conftest import Backend, RunningServer, make_settings, serve_app
from tests.factories import make_world

START = "2026-01-05T09:00:00Z"


@pytest.fixture
async def clocked(backend: Backend, tmp_path: Path) -> AsyncIterator[tuple[RunningServer, ManualClock]]:
    clock = ManualClock()  # 2026-01-05 09:00 UTC
    settings = make_settings(backend, tmp_path, routing=False)  # supervisors assign by hand here
    async with serve_app(create_app(settings, holdless=build(settings, clock=clock))) as server:
        yield server, clock


async def test_a_morning_gives_the_hand_worked_sl_asa_abandonment_and_aht(
    clocked: tuple[RunningServer, ManualClock],
) -> None:
    server, clock = clocked
    world = await make_world(server.holdless.ctx)
    at = 0.0

    def to(seconds: float) -> None:
        nonlocal at
        clock.advance(seconds - at)
        at = seconds

    chats = {}
    for name, joins in (("c1", 0), ("c2", 20), ("c3", 30), ("c4", 40)):
        to(joins)
        chats[name] = await start_chat(server, world.slug, queue_id=world.queue_id)

    async def assign(name: str) -> None:
        async with server.client(world.supervisor.token) as api:
            path = f"/api/v1/conversations/{chats[name].conversation_id}/assign"
            assert (await api.post(path, json={"agent_id": world.agent.user_id})).status_code == 200

    async def answer(name: str) -> None:
        async with server.client(world.agent.token) as api:
            path = f"/api/v1/conversations/{chats[name].conversation_id}/messages"
            assert (await api.post(path, json={"text": "Hello, I'm Anna"})).status_code == 201

    async def resolve(name: str) -> None:
        async with server.client(world.agent.token) as api:
            path = f"/api/v1/conversations/{chats[name].conversation_id}/resolve"
            assert (await api.post(path, json={"disposition": "resolved"})).status_code == 200

    async def abandon(name: str) -> None:
        async with server.client(chats[name].token) as widget:
            path = f"/api/v1/widget/conversations/{chats[name].conversation_id}/leave"
            assert (await widget.post(path)).status_code == 200, path

    to(10)
    await assign("c1")
    to(15)
    await answer("c1")  # c1 waited 15 s: answered within T = 20 s
    to(32)
    await abandon("c3")  # c3 left after 2 s: a short abandon, counted nowhere
    to(50)
    await assign("c2")
    to(60)
    await answer("c2")  # c2 waited 40 s: answered, not within T
    to(100)
    await abandon("c4")  # c4 left after 60 s: abandoned after T
    to(115)
    await resolve("c1")  # handled from assignment (10 s) to resolution: 105 s
    to(200)
    await resolve("c2")  # 50 s → 200 s: 150 s

    async with server.client(world.supervisor.token) as api:
        answer_json = await api.get(
            "/api/v1/reports/kpis", params={"from": START, "to": "2026-01-05T10:00:00Z"}
        )
        as_parquet = await api.get(
            "/api/v1/reports/kpis",
            params={"from": START, "to": "2026-01-05T10:00:00Z", "by": "queue", "format": "parquet"},
        )
        live = await api.get("/api/v1/reports/live", params={"since": START})
        by_channel = await api.get(
            "/api/v1/reports/kpis",
            params={"from": START, "to": "2026-01-05T10:00:00Z", "by": "channel", "format": "csv"},
        )
    assert answer_json.status_code == 200, answer_json.text
    [row] = answer_json.json()["rows"]
    assert row["sl"] == pytest.approx(1 / 3)  # 1 in T / (2 answered + 1 abandoned after T)
    assert row["asa"] == pytest.approx((15 + 40) / 2)
    assert row["abandonment"] == pytest.approx(1 / 3)  # 1 abandoned / (4 joined − 1 short)
    assert row["aht"] == pytest.approx((105 + 150) / 2)
    assert (row["joined"], row["answered"], row["resolved"]) == (4, 2, 2)

    [now] = live.json()["rows"]
    for name in ("sl", "asa", "abandonment", "aht", "joined", "answered", "resolved"):
        assert now[name] == pytest.approx(row[name]), f"the live wallboard agrees with the report on {name}"
    assert by_channel.headers["content-type"].startswith("text/csv")
    frame = pl.read_parquet(io.BytesIO(as_parquet.content))
    assert frame.columns[:2] == ["queue", "sl"]
    assert frame.filter(pl.col("queue") == world.queue_id)["sl"].to_list() == [pytest.approx(1 / 3)]
    header, *lines = by_channel.text.strip().splitlines()
    assert header.split(",")[:2] == ["channel", "sl"]
    [webchat] = [line.split(",") for line in lines if line.startswith("webchat,")]
    assert float(webchat[1]) == pytest.approx(1 / 3), "the chats' SL, sliced by channel"


async def test_reports_refuse_bad_periods_unknown_slices_and_agents(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    async with server.client(world.supervisor.token) as api:
        backwards = {"from": "2026-01-05T10:00:00Z", "to": START}
        refusal(await api.get("/api/v1/reports/kpis", params=backwards), 422)
        colour = {"from": START, "to": "2026-01-06T00:00:00Z", "by": "colour"}
        assert "colour" in refusal(await api.get("/api/v1/reports/kpis", params=colour), 422)
        naive = {"from": "2026-01-05T09:00:00", "to": "2026-01-06T00:00:00"}
        refusal(await api.get("/api/v1/reports/kpis", params=naive), 422)
    async with server.client(world.agent.token) as api:
        refusal(
            await api.get("/api/v1/reports/kpis", params={"from": START, "to": "2026-01-06T00:00:00Z"}), 403
        )


async def test_insights_rank_contact_reasons_and_refuse_agents(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    async with server.client(world.supervisor.token) as api:
        for disposition in ("resolved", "resolved", "duplicate"):
            chat = await start_chat(server, world.slug, queue_id=world.queue_id)
            path = f"/api/v1/conversations/{chat.conversation_id}/resolve"
            assert (await api.post(path, json={"disposition": disposition})).status_code == 200
        period = {"from": "2026-01-01T00:00:00Z", "to": "2099-01-01T00:00:00Z"}
        found = (await api.get("/api/v1/reports/insights", params=period)).json()
    assert found["top_reasons"][:2] == [
        {"reason": "disposition:resolved", "contacts": 2},
        {"reason": "disposition:duplicate", "contacts": 1},
    ]
    assert found["bot_funnel"] == [], "no bot in this workspace"
    async with server.client(world.agent.token) as api:
        refusal(await api.get("/api/v1/reports/insights", params=period), 403)
