"""Two server processes on PostgreSQL + Redis route as one: no contact offered twice, nobody over capacity,
and when the process running the engine dies, the other takes over with nothing lost."""

from __future__ import annotations

import asyncio
import itertools
import random
import signal
import subprocess
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from holdless.accounts.actions import create_user, issue_token
from holdless.agents.actions import set_state, update_profile
from holdless.agents.model import AgentState
from holdless.bootstrap import build
from holdless.conversations.model import Channel
from holdless.settings import Settings
from holdless.storage.tables import conversations, events, offers
from holdless.tenancy import Principal, Role, SystemPrincipal
from tests.conftest import REDIS_URL, Backend, free_port
from tests.factories import PASSWORD, make_world
from tests.integration.test_scale_out import healthy, start_process, stop_process

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="set HOLDLESS_TEST_REDIS_URL to test several processes")

AGENTS = 6
CAPACITY = 2
CONTACTS = 30


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_two_processes_never_double_offer_or_overload_and_survive_the_leader_dying(
    backend: Backend, settings: Settings, tmp_path: Path
) -> None:
    seeded = build(settings)
    try:
        ctx = seeded.ctx
        world = await make_world(ctx)
        tokens: dict[str, str] = {}
        for i in range(AGENTS):
            user = await create_user(
                ctx, SystemPrincipal(world.workspace_id), email=f"desk{i}@acme.test", name=f"Desk {i}",
                role=Role.AGENT, password=PASSWORD,
            )  # fmt: skip
            principal = Principal(world.workspace_id, user.id, Role.AGENT)
            tokens[user.id] = (await issue_token(ctx, principal, name="tests"))[1]
            await update_profile(
                ctx, world.admin.principal, user.id, skills={"billing": 3}, languages=("en", "ru", "zh"),
                queue_ids=(world.queue_id,), capacity={Channel.WEBCHAT: CAPACITY},
            )  # fmt: skip
            await set_state(ctx, principal, user.id, AgentState.AVAILABLE)
    finally:
        await seeded.close()

    env = {"HOLDLESS_OFFER_TIMEOUT_SECONDS": "600"}
    killed_at: list[datetime] = []
    first = start_process(settings, port_a := free_port(), tmp_path / "a.log", env_extra=env)
    try:
        async with healthy(f"http://127.0.0.1:{port_a}") as a:
            await asyncio.sleep(1.0)  # the first process takes the routing lock
            second = start_process(settings, port_b := free_port(), tmp_path / "b.log", env_extra=env)
            try:
                async with healthy(f"http://127.0.0.1:{port_b}") as b:
                    await _run_the_day(
                        world.slug, world.queue_id, tokens, a, b, first, world.admin.token, killed_at
                    )
            finally:
                stop_process(second)
    finally:
        stop_process(first)

    await _check_the_record(settings, world.workspace_id, killed_at[0])


async def _run_the_day(
    slug: str,
    queue_id: str,
    tokens: dict[str, str],
    a: httpx.AsyncClient,
    b: httpx.AsyncClient,
    first: subprocess.Popen[bytes],
    admin_token: str,
    killed_at: list[datetime],
) -> None:
    """Customers arrive through both processes; agents take offers through either; midway the first
    process (the one running the engine) is killed without warning."""
    rng = random.Random(7)
    alive = [a, b]
    resolved: set[str] = set()
    finished = asyncio.Event()

    async def watch() -> None:
        """The supervisor's view decides when the day is over (a lost response cannot fool it)."""
        while True:
            try:
                done = await alive[-1].get(
                    "/api/v1/conversations", params={"status": "resolved", "limit": 200},
                    headers={"Authorization": f"Bearer {admin_token}"},
                )  # fmt: skip
                resolved.update(c["id"] for c in done.json()["items"])
            except httpx.TransportError:
                pass
            if len(resolved) >= CONTACTS:
                finished.set()
                return
            await asyncio.sleep(0.3)

    async def arrive(i: int) -> str:
        client = alive[i % len(alive)]
        session = await client.post("/api/v1/widget/sessions", json={"workspace": slug, "name": f"C{i}"})
        token = session.json()["customer_token"]
        started = await client.post(
            "/api/v1/widget/conversations", json={"queue_id": queue_id},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        assert started.status_code == 201, started.text
        return str(started.json()["id"])

    async def desk(agent_id: str, token: str) -> None:
        auth = {"Authorization": f"Bearer {token}"}
        while not finished.is_set():
            client = rng.choice(alive)
            try:
                for offer in (await client.get("/api/v1/offers", headers=auth)).json():
                    await rng.choice(alive).post(f"/api/v1/offers/{offer['id']}/accept", headers=auth)
                # The inbox, not memory: an answer lost with a dying process still shows here.
                inbox = await client.get(
                    "/api/v1/conversations",
                    params={"assignee_id": agent_id, "status": "assigned"},
                    headers=auth,
                )
                mine = [c["id"] for c in inbox.json()["items"]]
                if mine and (len(mine) >= CAPACITY or rng.random() < 0.3):
                    path = f"/api/v1/conversations/{mine[0]}/resolve"
                    answer = await client.post(path, json={"disposition": "resolved"}, headers=auth)
                    assert answer.status_code == 200, answer.text
            except httpx.TransportError:
                pass  # the process just died; the next round uses the survivor
            await asyncio.sleep(rng.uniform(0.05, 0.2))

    desks = [asyncio.create_task(desk(agent_id, token)) for agent_id, token in tokens.items()]
    desks.append(asyncio.create_task(watch()))
    created = await asyncio.gather(*(arrive(i) for i in range(CONTACTS // 2)))
    await asyncio.sleep(1.0)
    killed_at.append(datetime.now(UTC))
    first.send_signal(signal.SIGKILL)  # the engine's process dies mid-shift
    alive.remove(a)
    created += await asyncio.gather(*(arrive(i) for i in range(CONTACTS // 2, CONTACTS)))
    try:
        await asyncio.wait_for(asyncio.gather(*desks), 90)
    finally:
        for task in desks:
            task.cancel()
    assert resolved == set(created), "every customer was answered: none lost in the takeover"


async def _check_the_record(settings: Settings, workspace_id: str, killed_at: datetime) -> None:
    seeded = build(settings)
    try:
        async with seeded.engine.connect() as conn:
            offer_rows = (
                await conn.execute(select(offers).where(offers.c.workspace_id == workspace_id))
            ).all()
            assignments = (
                await conn.execute(
                    select(events.c.type, events.c.at, events.c.conversation_id, events.c.data).where(
                        events.c.workspace_id == workspace_id,
                        events.c.type.in_(["conversation.assigned", "conversation.resolved"]),
                    )
                )
            ).all()
            statuses = (
                await conn.execute(
                    select(conversations.c.status).where(conversations.c.workspace_id == workspace_id)
                )
            ).all()
    finally:
        await seeded.close()

    assert any(row.created_at > killed_at for row in offer_rows), "the surviving process took over routing"
    by_conversation = defaultdict(list)
    for row in offer_rows:
        by_conversation[row.conversation_id].append(row)
    for conversation_id, rows in by_conversation.items():
        never = datetime.max.replace(tzinfo=UTC)
        spans = sorted((r.created_at, r.ended_at or never) for r in rows)
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end, f"{conversation_id} was offered to two agents at once"
        assert sum(r.status == "accepted" for r in rows) <= 1, f"{conversation_id} accepted twice"

    # Load over time per agent: pending offers plus conversations held, never above capacity.
    changes: list[tuple[datetime, int, str]] = []
    for row in offer_rows:
        if row.status != "accepted":
            changes += [(row.created_at, +1, row.agent_id), (row.ended_at, -1, row.agent_id)]
        else:
            changes.append((row.created_at, +1, row.agent_id))  # held from the offer until resolved
    holder: dict[str, str] = {}
    for kind, at, conversation_id, data in sorted(assignments, key=lambda r: r.at):
        if kind == "conversation.assigned":
            holder[conversation_id] = data["conversation"]["assignee_id"]
        elif conversation_id in holder:
            changes.append((at, -1, holder.pop(conversation_id)))
    load: dict[str, int] = defaultdict(int)
    for _, step, agent_id in sorted(changes, key=lambda c: (c[0], c[1])):
        load[agent_id] += step
        assert load[agent_id] <= CAPACITY, f"agent {agent_id} held more than {CAPACITY}"
    assert {s.status for s in statuses} == {"resolved"}, "every conversation ended resolved"
