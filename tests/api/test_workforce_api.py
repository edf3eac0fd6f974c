"""Today's staffing gap for the wallboard: agents needed from the workspace's own history vs logged in."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from holdless.agents.actions import set_state, update_profile
from holdless.agents.model import AgentState
from holdless.bootstrap import build
from holdless.clock import ManualClock
from holdless.conversations.actions import assign, resolve
from holdless.web.app import create_app
from tests.api.expect import refusal
from tests.conftest import Backend, RunningServer, make_settings, serve_app
from tests.factories import make_world, queued_conversation

DAY = "2026-01-19"  # a Monday, after two weeks of history


@pytest.fixture
async def clocked(backend: Backend, tmp_path: Path) -> AsyncIterator[tuple[RunningServer, ManualClock]]:
    clock = ManualClock(datetime(2026, 1, 5, 0, 0, tzinfo=UTC))
    settings = make_settings(backend, tmp_path, routing=False)
    async with serve_app(create_app(settings, holdless=build(settings, clock=clock))) as server:
        yield server, clock


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_the_gap_compares_forecast_need_with_agents_logged_in(
    clocked: tuple[RunningServer, ManualClock],
) -> None:
    server, clock = clocked
    ctx = server.holdless.ctx
    world = await make_world(ctx)
    boss = world.supervisor.principal
    async with server.client(world.supervisor.token) as api:
        early = await api.get("/api/v1/workforce/gap", params={"date": "2026-01-05"})
    assert early.status_code == 200, early.text
    assert early.json()["intervals"][20]["needed"] is None
    assert "Not enough history" in early.json()["note"]

    # Two weeks: 12 contacts an hour from 09:00 to 17:00 on weekdays, none at night or at weekends.
    rng = random.Random(5)
    for day in range(14):
        base = datetime(2026, 1, 5 + day, 9, 0, tzinfo=UTC)
        if base.weekday() >= 5:
            continue
        for minute in sorted(rng.uniform(0, 480) for _ in range(96)):
            target = base.timestamp() + minute * 60
            clock.advance(target - clock.now().timestamp())
            conversation = await queued_conversation(ctx, world)
            await assign(ctx, boss, conversation.id, world.agent.user_id)
            clock.advance(240)  # four minutes of handling
            await resolve(ctx, boss, conversation.id, disposition="resolved")

    # On the day: the agent is available 09:00–09:45, the supervisor from 09:30 on; now is 10:00.
    await update_profile(ctx, world.admin.principal, world.supervisor.user_id, queue_ids=(world.queue_id,))
    for at, person, state in (
        ("09:00", world.agent, AgentState.AVAILABLE),
        ("09:30", world.supervisor, AgentState.AVAILABLE),
        ("09:45", world.agent, AgentState.AWAY),
        ("10:00", None, None),
    ):
        hour, minute = map(int, at.split(":"))
        clock.advance(datetime(2026, 1, 19, hour, minute, tzinfo=UTC).timestamp() - clock.now().timestamp())
        if person is not None and state is not None:
            await set_state(ctx, person.principal, person.user_id, state)

    async with server.client(world.supervisor.token) as api:
        answer = await api.get("/api/v1/workforce/gap", params={"date": DAY, "interval_minutes": 30})
        refusal(await api.get("/api/v1/workforce/gap", params={"date": DAY, "interval_minutes": 7}), 422)
    async with server.client(world.agent.token) as api:
        refusal(await api.get("/api/v1/workforce/gap", params={"date": DAY}), 403)
    assert answer.status_code == 200, answer.text
    gap = answer.json()
    slots = {item["start"][11:16]: item for item in gap["intervals"]}
    assert slots["09:00"]["logged_in"] == pytest.approx(1.0)  # the agent, all 30 minutes
    assert slots["09:30"]["logged_in"] == pytest.approx(1.5)  # agent for 15 min + supervisor for 30
    assert slots["10:00"]["logged_in"] is None, "not begun yet"
    assert slots["03:00"]["needed"] == 0, "nobody calls at night"
    # 12 contacts/h × 240 s = 0.8 erlang: Erlang C at 80/60 needs 2 agents (1 would run at 80% with
    # most contacts waiting); the forecast from two identical weeks is close to 12/h.
    assert slots["10:00"]["needed"] in (2, 3)
    assert slots["09:00"]["gap"] == pytest.approx(1.0 - slots["09:00"]["needed"])
    assert gap["note"] is None
