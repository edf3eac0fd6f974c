"""Shared fixtures: a real database (SQLite, and PostgreSQL + Redis when configured) and a real server."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text

from holdless.bootstrap import Holdless
from holdless.settings import Settings
from holdless.storage.database import create_engine
from holdless.storage.migrate import upgrade
from holdless.storage.tables import metadata
from holdless.web.app import create_app
from holdless.web.auth import Signer

POSTGRES_URL = os.environ.get("HOLDLESS_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("HOLDLESS_TEST_REDIS_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(
            not POSTGRES_URL, reason="set HOLDLESS_TEST_POSTGRES_URL to test PostgreSQL"
        ),
    ),
]


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str | None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "holdless.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    assert POSTGRES_URL is not None

    async def reset() -> None:
        engine = create_engine(POSTGRES_URL)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


async def _truncate(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        names = ", ".join(t.name for t in metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        path = tmp_path / "holdless.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield Backend("sqlite", f"sqlite+aiosqlite:///{path}", None)
        return
    url = request.getfixturevalue("postgres_migrated")
    asyncio.run(_truncate(url))
    yield Backend("postgres", url, REDIS_URL)


def make_settings(backend: Backend, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": backend.database_url,
        "redis_url": backend.redis_url,
        "secret_key": "test-secret-key",
        "gc_tuning": False,
        "heartbeat_seconds": 5,
        "var_dir": tmp_path / "var",
        "routing_tick_seconds": 0.1,
        "timers_seconds": 0.2,
        # Tests open many sessions from one address; the limit has its own tests.
        "widget_sessions_per_minute": 0,
    }
    return Settings(**(values | overrides), _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def settings(backend: Backend, tmp_path: Path) -> Settings:
    return make_settings(backend, tmp_path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class RunningServer:
    base_url: str
    holdless: Holdless
    signer: Signer

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://")

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=10)


async def start_server(
    settings: Settings, *, app: FastAPI | None = None
) -> tuple[uvicorn.Server, asyncio.Task[None], RunningServer]:
    """A real uvicorn server on a free loopback port, in the test's event loop."""
    app = app or create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws_per_message_deflate=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    assert server.started, "test server did not start"
    return server, task, RunningServer(f"http://127.0.0.1:{port}", app.state.holdless, app.state.signer)


@asynccontextmanager
async def serve_app(app: FastAPI) -> AsyncIterator[RunningServer]:
    """Serve an app built by the test (e.g. with a manual clock)."""
    server, task, running = await start_server(app.state.holdless.settings, app=app)
    try:
        yield running
    finally:
        await stop_server(server, task)


async def settle(server: RunningServer) -> None:
    """Wait until the routing dispatcher has applied every committed event (its work is asynchronous)."""
    if server.holdless.dispatcher is not None:
        await server.holdless.dispatcher.wait_idle()


async def stop_server(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await asyncio.wait_for(task, 10)


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[RunningServer]:
    running_server, task, running = await start_server(settings)
    try:
        yield running
    finally:
        await stop_server(running_server, task)
