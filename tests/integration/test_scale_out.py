"""Several server processes on one PostgreSQL + Redis behave as one Holdless."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest

from holdless.bootstrap import build
from holdless.settings import Settings
from tests.conftest import REDIS_URL, Backend, free_port
from tests.factories import make_world
from tests.integration.wsclient import open_socket

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="set HOLDLESS_TEST_REDIS_URL to test several processes")


def start_process(
    settings: Settings, port: int, log: Path, *, env_extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`holdless serve` as its own process, as in production (one per core behind a balancer)."""
    env = {
        **os.environ,
        "HOLDLESS_DATABASE_URL": settings.database_url,
        "HOLDLESS_REDIS_URL": settings.redis_url or "",
        "HOLDLESS_SECRET_KEY": settings.secret_key,
        "HOLDLESS_LOG_LEVEL": "warning",
        "HOLDLESS_WIDGET_SESSIONS_PER_MINUTE": "0",
        **(env_extra or {}),
    }
    holdless = Path(sys.executable).parent / "holdless"
    with log.open("w") as out:
        return subprocess.Popen(
            [str(holdless), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=out,
        )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@contextmanager
def serve_process(settings: Settings, port: int, log: Path) -> Iterator[str]:
    process = start_process(settings, port, log)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


@asynccontextmanager
async def healthy(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        for _ in range(150):
            try:
                if (await client.get("/healthz")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        else:
            pytest.fail(f"server {base_url} did not start")
        yield client


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_customer_message_posted_on_one_process_reaches_agent_on_another_once(
    backend: Backend, settings: Settings, tmp_path: Path
) -> None:
    seeded = build(settings)
    try:
        world = await make_world(seeded.ctx)
    finally:
        await seeded.close()

    with (
        serve_process(settings, free_port(), tmp_path / "a.log") as url_a,
        serve_process(settings, free_port(), tmp_path / "b.log") as url_b,
    ):
        async with healthy(url_a) as process_a, healthy(url_b):
            session = await process_a.post(
                "/api/v1/widget/sessions", json={"workspace": world.slug, "visitor_id": "visitor-0001"}
            )
            customer_token = session.json()["customer_token"]
            started = await process_a.post(
                "/api/v1/widget/conversations",
                json={"queue_id": world.queue_id},
                headers={"Authorization": f"Bearer {customer_token}"},
            )
            widget_conversation = started.json()["id"]
            agent_url = url_b.replace("http://", "ws://") + f"/ws/agent?token={world.agent.token}"
            async with open_socket(agent_url) as agent:
                assert (await agent.next())["type"] == "hello"
                for text in ("first from A", "second from A"):
                    posted = await process_a.post(
                        f"/api/v1/widget/conversations/{widget_conversation}/messages",
                        json={"text": text, "client_message_id": text},
                        headers={"Authorization": f"Bearer {customer_token}"},
                    )
                    assert posted.status_code == 201
                received = await agent.events(2, of_type="message.created")
                assert [e["data"]["message"]["text"] for e in received] == ["first from A", "second from A"]
                assert all(e["conversation_id"] == widget_conversation for e in received)
                assert await agent.silent_for(1.0, of_type="message.created")  # each exactly once
