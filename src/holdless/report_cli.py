"""`holdless report kpis`: the KPI figures of a period from the event log, on the command line."""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import typer

from holdless.analytics.kpis import DIMENSIONS
from holdless.analytics.report import FIGURES, workspace_report
from holdless.bootstrap import build
from holdless.errors import HoldlessError
from holdless.settings import Settings
from holdless.tenancy import SystemPrincipal

report_app = typer.Typer(help="Reports from the event log.", no_args_is_help=True)


def _instant(value: str, option: str, *, end: bool) -> datetime:
    """A date means its midnight (UTC); as the end of a period, the end of that day (inclusive)."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a date (2026-11-23) or an ISO time", param_hint=option
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@report_app.command("kpis")
def kpis(
    from_: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD) or ISO time")],
    to: Annotated[
        str, typer.Option("--to", help="Last day, inclusive (YYYY-MM-DD), or ISO time (exclusive)")
    ],
    by: Annotated[list[str] | None, typer.Option("--by", help=f"Slice by: {', '.join(DIMENSIONS)}")] = None,
    workspace: Annotated[str, typer.Option(help="Workspace slug")] = "demo",
    interval_minutes: Annotated[int, typer.Option(help="15, 30 or 60 when slicing by interval")] = 60,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout")] = False,
) -> None:
    """SL, ASA, abandonment, AHT, occupancy, FCR, TTR, CES, CSAT, NPS, containment and the rest."""
    since, until = _instant(from_, "--from", end=False), _instant(to, "--to", end=True)
    for name in by or []:
        if name not in DIMENSIONS:
            raise typer.BadParameter(f"'{name}'; slice by one of: {', '.join(DIMENSIONS)}", param_hint="--by")

    async def run() -> list[dict[str, Any]]:
        holdless = build(Settings())
        try:
            async with holdless.ctx.uow() as uow:
                found = await uow.workspaces.by_slug(workspace)
            if found is None:
                raise HoldlessError(f"There is no workspace '{workspace}'.")
            return await workspace_report(
                holdless.ctx, SystemPrincipal(found.id), since=since, until=until,
                by=tuple(by or ()), interval_minutes=interval_minutes,
            )  # fmt: skip
        finally:
            await holdless.close()

    try:
        rows = asyncio.run(run())
    except HoldlessError as error:
        typer.echo(f"Error: {error.message}", err=True)
        raise typer.Exit(code=2) from None
    if as_json:
        typer.echo(
            json.dumps({"from": since.isoformat(), "to": until.isoformat(), "by": by or [], "rows": rows})
        )
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=[*(by or []), *FIGURES])
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row[k] for k in writer.fieldnames})
