"""The staffing gap of a day for the wallboard: agents needed (forecast from the workspace's own history,
then Erlang C) against agents logged in (from presence changes), per interval."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from holdless.audit import read_log
from holdless.conversations import events as ev
from holdless.errors import Invalid
from holdless.events import Event
from holdless.tenancy import Principal, Role
from holdless.unit_of_work import Ctx
from holdless.workforce.forecast import forecast, history_from_contacts
from holdless.workforce.gap import logged_in_per_interval, staffing_gap
from holdless.workforce.staffing import StaffingTarget, plan_day

HISTORY_DAYS = 56
MIN_HISTORY_DAYS = 7
DEFAULT_HANDLE_SECONDS = 300.0
_TYPES = frozenset({ev.QUEUED, ev.RESOLVED, "agent.state_changed"})


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _contacts(events: list[Event], since: datetime, until: datetime) -> list[tuple[datetime, float | None]]:
    """(first time in line, handle seconds or None) of every conversation that joined in [since, until)."""
    joined: dict[str, datetime] = {}
    handled: dict[str, float] = {}
    for event in events:
        conversation = event.data.get("conversation")
        if conversation is None or event.conversation_id is None:
            continue
        if event.type == ev.QUEUED and event.conversation_id not in joined and since <= event.at < until:
            joined[event.conversation_id] = event.at
        elif (
            event.type == ev.RESOLVED and conversation.get("assigned_at") and conversation.get("resolved_at")
        ):
            start = datetime.fromisoformat(conversation["assigned_at"])
            end = datetime.fromisoformat(conversation["resolved_at"])
            handled[event.conversation_id] = max((end - start).total_seconds(), 0.0)
    return [(_naive_utc(at), handled.get(cid)) for cid, at in joined.items()]


def _sessions(events: list[Event], day_end: datetime) -> list[tuple[datetime, datetime | None]]:
    """Spans each agent was available, from presence changes (open spans run on)."""
    open_since: dict[str, datetime] = {}
    spans: list[tuple[datetime, datetime | None]] = []
    for event in events:
        if event.type != "agent.state_changed" or event.at >= day_end:
            continue
        agent = str(event.data["agent_id"])
        if event.data["state"] == "available":
            open_since.setdefault(agent, event.at)
        elif agent in open_since:
            spans.append((open_since.pop(agent), event.at))
    spans += [(begin, None) for begin in open_since.values()]
    return spans


async def staffing_gap_for(
    ctx: Ctx,
    actor: Principal,
    *,
    day: date,
    interval_minutes: int = 30,
    target: StaffingTarget,
) -> dict[str, Any]:
    """Needed (None when the history is too short to forecast) and logged-in agents per interval (UTC)."""
    actor.require(Role.SUPERVISOR)
    if interval_minutes not in (15, 30, 60):
        raise Invalid("Intervals are 15, 30 or 60 minutes.", field="interval_minutes")
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    now = ctx.clock.now()
    events = await read_log(ctx, actor.workspace_id, types=_TYPES, until=end)
    per_day = 24 * 60 // interval_minutes
    logged_in = logged_in_per_interval(
        _sessions(events, end), start, interval_minutes, per_day, min(now, end)
    )

    contacts = _contacts(events, start - timedelta(days=HISTORY_DAYS), start)
    first_day = min((arrived.date() for arrived, _ in contacts), default=day)
    history_days = (day - first_day).days
    note = None
    needed: list[int] | None = None
    if history_days < MIN_HISTORY_DAYS:
        note = (
            f"Not enough history to forecast: {history_days} day(s) of contacts before {day.isoformat()}; "
            f"at least {MIN_HISTORY_DAYS} are needed."
        )
    else:
        history = history_from_contacts(contacts, interval_minutes, start=first_day, end=day)
        predicted = forecast(history, days=1, holdout_days=0)
        aht = predicted.aht_seconds
        handle = np.full(per_day, DEFAULT_HANDLE_SECONDS) if aht is None else np.asarray(aht, dtype=float)
        handle = np.where(np.isfinite(handle) & (handle > 0), handle, DEFAULT_HANDLE_SECONDS)
        plan = plan_day(predicted.volume, handle, target, interval_seconds=interval_minutes * 60.0)
        needed = [int(n) for n in plan.agents]
    gap = staffing_gap(start, interval_minutes, needed or [0] * per_day, logged_in)
    body = gap.as_json()
    if needed is None:
        body["intervals"] = [{**item.as_json(), "needed": None, "gap": None} for item in gap.intervals]
        body.update(short_intervals=None, short_agent_hours=None, worst=None)
    body.update(
        date=day.isoformat(),
        time_zone="UTC",
        forecast_days=history_days if needed is not None else None,
        note=note,
        target={"service_level": target.service_level, "seconds": target.target_seconds},
    )
    return body
