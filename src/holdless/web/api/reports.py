"""KPI reports: JSON for dashboards, CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Query
from fastapi.responses import Response

from holdless.analytics.kpis import DIMENSIONS
from holdless.analytics.report import COUNTS, FIGURES, workspace_insights, workspace_report
from holdless.errors import Invalid
from holdless.web.deps import CtxDep, HoldlessDep, PrincipalDep

router = APIRouter(tags=["reports"])


def parquet_bytes(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    """The rows as a Parquet file (polars), with a column per slice, figure and count even when empty."""
    schema = {
        name: pl.Float64 if name in FIGURES else pl.Int64 if name in COUNTS else pl.String for name in columns
    }
    frame = pl.DataFrame([{name: row.get(name) for name in columns} for row in rows], schema=schema)
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


@router.get("/reports/kpis", response_model=None)
async def kpis(
    who: PrincipalDep,
    ctx: CtxDep,
    from_: Annotated[datetime, Query(alias="from", description="Start of the period (ISO time)")],
    to: Annotated[datetime, Query(description="End of the period, exclusive (ISO time)")],
    by: Annotated[
        list[str] | None, Query(description="interval, queue, segment, channel, agent, language")
    ] = None,
    interval_minutes: Annotated[int, Query(description="15, 30 or 60")] = 60,
    format: Annotated[Literal["json", "csv", "parquet"], Query()] = "json",
) -> dict[str, Any] | Response:
    """SL, ASA, abandonment, AHT, occupancy, FCR, TTR, CES, CSAT, NPS, containment, transfer and callback
    kept rates per slice, as defined in the product brief (docs/analytics.md)."""
    if from_.tzinfo is None or to.tzinfo is None:
        raise Invalid("Give the period with a time zone, e.g. 2026-11-23T00:00:00Z.", field="from")
    slices = tuple(by or ())
    rows = await workspace_report(
        ctx, who, since=from_, until=to, by=slices, interval_minutes=interval_minutes
    )
    if format == "json":
        return {"from": from_.isoformat(), "to": to.isoformat(), "by": list(slices), "rows": rows}
    columns = [*slices, *FIGURES, *COUNTS]
    if format == "parquet":
        return Response(
            parquet_bytes(rows, columns),
            media_type="application/vnd.apache.parquet",
            headers={"Content-Disposition": 'attachment; filename="kpis.parquet"'},
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="kpis.csv"'},
    )


@router.get("/reports/live")
async def live(
    who: PrincipalDep,
    ctx: CtxDep,
    running: HoldlessDep,
    by: Annotated[list[str] | None, Query(description="Slices: " + ", ".join(DIMENSIONS))] = None,
    since: Annotated[datetime | None, Query(description="Default: midnight UTC today")] = None,
) -> dict[str, Any]:
    """Today's figures for the wallboard, from a live projection (never staler than the event log)."""
    now = ctx.clock.now()
    start = since or now.replace(hour=0, minute=0, second=0, microsecond=0)
    if start.tzinfo is None:
        raise Invalid("Give 'since' with a time zone, e.g. 2026-11-23T00:00:00Z.", field="since")
    slices = tuple(by or ())
    rows = await running.live_kpis.figures(ctx, who, since=start, until=now, by=slices)
    return {"from": start.isoformat(), "to": now.isoformat(), "by": list(slices), "rows": rows}


@router.get("/reports/insights")
async def report_insights(
    who: PrincipalDep,
    ctx: CtxDep,
    from_: Annotated[datetime, Query(alias="from", description="Start of the period (ISO time)")],
    to: Annotated[datetime, Query(description="End of the period, exclusive (ISO time)")],
    interval_minutes: Annotated[int, Query(description="15, 30 or 60 for the sentiment trend")] = 60,
) -> dict[str, Any]:
    """Top contact reasons (dispositions and the bot's intents), the sentiment trend per queue, and the
    bot funnel: for each flow, the last step customers reached and how it ended."""
    if from_.tzinfo is None or to.tzinfo is None:
        raise Invalid("Give the period with a time zone, e.g. 2026-11-23T00:00:00Z.", field="from")
    return await workspace_insights(ctx, who, since=from_, until=to, interval_minutes=interval_minutes)
