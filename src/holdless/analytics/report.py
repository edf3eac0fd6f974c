"""KPI reports from stored events: the slices a supervisor asks for, over a named window."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from holdless.analytics.facts import EventAdapter, KpiEvent
from holdless.analytics.insights import INSIGHT_EVENT_TYPES, insights
from holdless.analytics.kpis import DIMENSIONS, Figures, KpiConfig, roll_up
from holdless.analytics.recompute import recompute
from holdless.audit import read_log
from holdless.errors import Invalid
from holdless.events import Event
from holdless.tenancy import Principal, Role, SystemPrincipal
from holdless.unit_of_work import Ctx

FIGURES = (
    "sl",
    "asa",
    "abandonment",
    "aht",
    "occupancy",
    "fcr",
    "ttr",
    "ces",
    "csat",
    "nps",
    "containment",
    "transfer_rate",
    "callback_kept_rate",
)
COUNTS = ("joined", "answered", "abandoned", "resolved", "handled")


def check_request(since: datetime, until: datetime, by: Sequence[str], interval_minutes: int) -> None:
    if until <= since:
        raise Invalid("The report's end must be after its start.", field="to")
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise Invalid(f"Unknown slice '{unknown[0]}'; slice by any of: {', '.join(DIMENSIONS)}.", field="by")
    if interval_minutes not in (15, 30, 60):
        raise Invalid("Intervals are 15, 30 or 60 minutes.", field="interval_minutes")


def kpi_report(
    events: Iterable[Event],
    *,
    since: datetime,
    until: datetime,
    by: Sequence[str] = (),
    interval_minutes: int = 60,
    config: KpiConfig | None = None,
) -> list[dict[str, Any]]:
    """One row per slice: the slice's dimensions, the KPIs (None where nothing to count) and the counts.

    ``events`` is the workspace's log from its start (or at least from the first contact that can count in
    the window); FCR of the last 7 days before ``until`` is provisional, as in docs/analytics.md.
    """
    check_request(since, until, by, interval_minutes)
    adapter = EventAdapter()
    facts: list[KpiEvent] = [fact for event in events for fact in adapter.adapt(event)]
    tallies = recompute(facts, until.timestamp(), config)
    rows = []
    sliced = roll_up(
        tallies, by, interval_minutes=interval_minutes, since=since.timestamp(), until=until.timestamp()
    )
    for key, tally in sorted(sliced.items(), key=lambda item: tuple(str(k) for k in item[0])):
        figures = Figures.of(tally)
        row: dict[str, Any] = {}
        for name, value in zip(by, key, strict=True):
            row[name] = (
                datetime.fromtimestamp(int(value), since.tzinfo).isoformat() if name == "interval" else value
            )
        row.update({name: getattr(figures, name) for name in FIGURES})
        row.update({name: getattr(tally, name) for name in COUNTS})
        rows.append(row)
    return rows


# What the adapter reads (facts.py); everything else in the log is skipped when reading it.
KPI_EVENT_TYPES = frozenset(
    {
        "conversation.created",
        "conversation.queued",
        "conversation.assigned",
        "conversation.transferred",
        "conversation.away",
        "conversation.back",
        "conversation.abandoned",
        "conversation.resolved",
        "conversation.reopened",
        "conversation.wrapped",
        "message.created",
        "agent.state_changed",
        "survey.answered",
        "callback.requested",
        "callback.promised",
        "callback.kept",
        "callback.broken",
    }
)


async def workspace_report(
    ctx: Ctx,
    actor: Principal | SystemPrincipal,
    *,
    since: datetime,
    until: datetime,
    by: Sequence[str] = (),
    interval_minutes: int = 60,
) -> list[dict[str, Any]]:
    """The workspace's KPIs from its whole event log (supervisors and admins)."""
    if isinstance(actor, Principal):
        actor.require(Role.SUPERVISOR)
    check_request(since, until, by, interval_minutes)
    events = await read_log(ctx, actor.workspace_id, types=KPI_EVENT_TYPES, until=until)
    return kpi_report(events, since=since, until=until, by=by, interval_minutes=interval_minutes)


async def workspace_insights(
    ctx: Ctx, actor: Principal, *, since: datetime, until: datetime, interval_minutes: int = 60
) -> dict[str, Any]:
    """Top contact reasons, sentiment per queue and interval, and where customers leave the bot."""
    actor.require(Role.SUPERVISOR)
    check_request(since, until, (), interval_minutes)
    events = await read_log(ctx, actor.workspace_id, types=INSIGHT_EVENT_TYPES, until=until)
    found = insights(events, since=since, until=until, interval_minutes=interval_minutes)
    return {
        "from": since.isoformat(),
        "to": until.isoformat(),
        "top_reasons": found.top_reasons,
        "sentiment": found.sentiment,
        "bot_funnel": found.bot_funnel,
    }
