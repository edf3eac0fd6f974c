"""`holdless report kpis` on the command line reads the same log the API does."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from holdless.bootstrap import build
from holdless.cli import app
from holdless.settings import Settings
from tests.conftest import Backend, make_settings
from tests.factories import make_world, queued_conversation


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_report_kpis_prints_json_for_the_period_and_refuses_bad_options(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(backend, tmp_path, routing=False)

    async def seed(settings: Settings) -> str:
        holdless = build(settings)
        try:
            world = await make_world(holdless.ctx, "acme")
            for _ in range(3):
                await queued_conversation(holdless.ctx, world)
            return world.slug
        finally:
            await holdless.close()

    slug = asyncio.run(seed(settings))
    monkeypatch.setenv("HOLDLESS_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    today = "2026-01-01"
    result = runner.invoke(
        app, ["report", "kpis", "--from", today, "--to", "2099-12-31", "--workspace", slug, "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    [row] = report["rows"]
    assert row["joined"] == 3, "three customers joined the queue"
    assert row["sl"] is None, "nobody answered or abandoned yet: no service level to show"

    empty = runner.invoke(
        app, ["report", "kpis", "--from", "2020-01-01", "--to", "2020-01-02", "--workspace", slug]
    )
    assert empty.exit_code == 0
    assert empty.stdout.strip().startswith("sl,asa,abandonment")

    wrong = runner.invoke(app, ["report", "kpis", "--from", today, "--to", "2099-12-31", "--by", "colour"])
    assert wrong.exit_code == 2
    missing = runner.invoke(
        app, ["report", "kpis", "--from", today, "--to", "2099-12-31", "--workspace", "nope"]
    )
    assert missing.exit_code == 2
    assert "no workspace 'nope'" in missing.output
