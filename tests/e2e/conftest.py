"""Browser tests: Playwright (Python) drives Debian's Chromium against the real test server.

Never `playwright install`: the browser is /usr/bin/chromium (`make chromium` installs it). Without it these
tests are skipped with a message saying so. Screenshots go to build/screenshots/ for a reviewer to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from holdless.accounts.actions import create_user, create_workspace
from holdless.agents.actions import update_profile
from holdless.routing.actions import create_queue
from holdless.tenancy import Principal, Role, SystemPrincipal
from tests.conftest import Backend, RunningServer

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).parents[2]
SCREENSHOTS = Path(os.environ.get("HOLDLESS_SCREENSHOTS", ROOT / "build" / "screenshots"))
TIMEOUT_MS = 10_000

if not CHROMIUM.exists():
    pytest.skip(
        "browser tests need Debian's Chromium at /usr/bin/chromium: run `make chromium` "
        "(apt-get install chromium); never `playwright install`",
        allow_module_level=True,
    )

from playwright.async_api import Browser, async_playwright, expect  # noqa: E402

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Backend:
    """The browser suite runs on SQLite only (the API suites cover PostgreSQL and Redis)."""
    path = tmp_path / "holdless.db"
    shutil.copy(sqlite_template, path)
    return Backend(request.param, f"sqlite+aiosqlite:///{path}", None)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


@dataclass(frozen=True)
class Shop:
    slug: str
    queue_id: str
    agent_id: str
    agent_email: str
    agent_password: str


async def open_shop(server: RunningServer, slug: str = "shop") -> Shop:
    """A workspace with one queue and one agent who serves it (offline until they say otherwise)."""
    ctx = server.holdless.ctx
    workspace = await create_workspace(ctx, slug=slug, name="Shop", languages=("en", "ru", "zh"))
    system = SystemPrincipal(workspace.id)
    admin_user = await create_user(
        ctx, system, email="admin@shop.test", name="Ada", role=Role.ADMIN, password="admin-password-1"
    )
    admin = Principal(workspace.id, admin_user.id, Role.ADMIN)
    queue = await create_queue(ctx, admin, name="Orders", skills={"orders": 1})
    agent = await create_user(
        ctx, system, email="anna@shop.test", name="Anna", role=Role.AGENT, password="agent-password-1"
    )
    await update_profile(
        ctx, admin, agent.id, skills={"orders": 3}, languages=("en", "ru"), queue_ids=(queue.id,)
    )
    return Shop(slug, queue.id, agent.id, "anna@shop.test", "agent-password-1")


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
