"""`holdless wfm …`: workforce planning from the command line (mounted by cli.py as `wfm`)."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from holdless.errors import Invalid
from holdless.workforce.forecast import INTERVAL_MINUTES, forecast
from holdless.workforce.formats import forecast_from_json, read_history_csv, read_requirements_csv
from holdless.workforce.schedule import (
    Requirements,
    ShiftTemplate,
    requirements_from_forecast,
    schedule,
    staffing_requirements,
)
from holdless.workforce.shift_templates import parse_shift_templates, parse_shift_templates_yaml
from holdless.workforce.staffing import StaffingRequirement, StaffingTarget, required_agents

USAGE_ERROR = 2  # what Click uses for bad options, so every input mistake exits the same way

wfm_app = typer.Typer(
    help="Workforce planning: Erlang C and Erlang A staffing, forecasts and shift schedules.",
    no_args_is_help=True,
)


@wfm_app.callback()
def wfm() -> None:
    """Workforce planning: Erlang C and Erlang A staffing, forecasts and shift schedules."""


@wfm_app.command()
def staff(
    arrivals_per_hour: Annotated[float, typer.Option(help="Contacts offered per hour.")],
    aht: Annotated[float, typer.Option(help="Average handle time in seconds (talk + wrap-up).")],
    target_seconds: Annotated[float, typer.Option(help="Answer within this many seconds (the T in X/T).")],
    service_level: Annotated[float, typer.Option(help="Share to answer within the target, in (0, 1].")] = 0.8,
    max_occupancy: Annotated[float, typer.Option(help="Occupancy cap per agent, in (0, 1].")] = 1.0,
    shrinkage: Annotated[float, typer.Option(help="Share of paid time not answering, in [0, 1).")] = 0.0,
    patience: Annotated[
        float | None, typer.Option(help="Mean customer patience in seconds: use Erlang A (abandonment).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Agents needed for one interval: `agents` answering, `scheduled_agents` after shrinkage."""
    try:
        target = StaffingTarget(service_level, target_seconds, max_occupancy, shrinkage)
        requirement = required_agents(arrivals_per_hour, aht, target, patience_seconds=patience)
    except Invalid as error:
        flag = _FLAGS.get(error.field or "", "")
        typer.echo(f"Error: {flag + ': ' if flag else ''}{error.message}", err=True)
        raise typer.Exit(USAGE_ERROR) from None
    report = staffing_report(requirement, erlang_a=patience is not None)
    if json_output:
        typer.echo(json.dumps(report))
    else:
        Console().print(_table(report))


def staffing_report(requirement: StaffingRequirement, *, erlang_a: bool) -> dict[str, object]:
    """The JSON shape of `holdless wfm staff` (outside checks read these keys)."""
    figures = requirement.figures
    report: dict[str, object] = {
        "model": "erlang_a" if erlang_a else "erlang_c",
        "traffic_erlangs": figures.traffic_erlangs,
        "agents": figures.agents,
        "scheduled_agents": requirement.scheduled_agents,
        "service_level": figures.service_level,
        "asa_seconds": figures.asa_seconds,
        "p_wait": figures.p_wait,
        "occupancy": figures.occupancy,
    }
    if erlang_a:
        report["abandon_rate"] = figures.abandon_rate
    return report


def _table(report: dict[str, object]) -> Table:
    table = Table(title="Staffing, Erlang A" if report["model"] == "erlang_a" else "Staffing, Erlang C")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in report.items():
        if key == "model":
            continue
        if isinstance(value, float):
            shown = f"{value:.1%}" if key in _SHARES else f"{value:,.2f}"
        else:
            shown = str(value)
        table.add_row(key.replace("_", " "), shown)
    return table


# Domain errors name the model's field; people typed the option.
_FLAGS = {
    "arrivals_per_hour": "--arrivals-per-hour",
    "arrivals": "--arrivals-per-hour",
    "aht_seconds": "--aht",
    "target_seconds": "--target-seconds",
    "service_level": "--service-level",
    "max_occupancy": "--max-occupancy",
    "shrinkage": "--shrinkage",
    "patience_seconds": "--patience",
}
_SHARES = frozenset({"service_level", "p_wait", "occupancy", "abandon_rate"})


# --- forecast and schedule ------------------------------------------------------------------------------


def _fail(error: Invalid) -> typer.Exit:
    typer.echo(f"Error: {error.message}", err=True)
    return typer.Exit(USAGE_ERROR)


@wfm_app.command("forecast")
def forecast_command(
    history: Annotated[
        Path,
        typer.Option(
            help="CSV of past contacts (arrived_at[,handle_seconds]) or per-interval counts "
            "(interval_start,contacts[,aht_seconds]); times in the center's local time, ISO 8601."
        ),
    ],
    interval_minutes: Annotated[int, typer.Option(help="Interval length: 15, 30 or 60 minutes.")] = 30,
    days: Annotated[int, typer.Option(help="Days to forecast after the history.")] = 7,
    holdout_days: Annotated[
        int, typer.Option(help="Days held back at the end of the history to measure the error (0: none).")
    ] = 7,
    trend: Annotated[
        bool, typer.Option("--trend", help="Add a weekly trend (two weeks of history).")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Forecast contacts and handle time per interval, seasonal by time of day and weekday."""
    try:
        past = read_history_csv(_read_text(history, "--history"), interval_minutes)
        result = forecast(past, days, holdout_days=holdout_days, trend=trend)
    except Invalid as error:
        raise _fail(_flagged(error)) from None
    report = result.as_json()
    if json_output:
        typer.echo(json.dumps(report))
        return
    table = Table(title=f"Forecast, {result.model}, {interval_minutes}-minute intervals")
    for column in ("day", "contacts", "mean AHT s", "peak interval", "peak contacts"):
        table.add_column(column, justify="right" if column != "day" else "left")
    per_day = 24 * 60 // interval_minutes
    for day in range(days):
        volume = result.volume[day * per_day : (day + 1) * per_day]
        aht = None if result.aht_seconds is None else result.aht_seconds[day * per_day : (day + 1) * per_day]
        peak = int(volume.argmax())
        mean_aht = (
            "–" if aht is None or volume.sum() == 0 else f"{float((aht * volume).sum() / volume.sum()):.0f}"
        )
        table.add_row(
            f"{result.interval_start(day * per_day):%a %Y-%m-%d}",
            f"{volume.sum():,.0f}",
            mean_aht,
            f"{result.interval_start(day * per_day + peak):%H:%M}",
            f"{volume[peak]:.1f}",
        )
    if result.error is not None:
        held = result.error
        table.caption = f"held-back {held.holdout_days} days: WAPE {held.wape:.1%}" + (
            f", AHT WAPE {held.aht_wape:.1%}" if held.aht_wape is not None else ""
        )
    Console().print(table)


@wfm_app.command("schedule")
def schedule_command(
    requirements: Annotated[
        Path | None, typer.Option(help="CSV of people needed per interval: interval_start,agents.")
    ] = None,
    forecast_file: Annotated[
        Path | None, typer.Option("--forecast", help="JSON printed by `holdless wfm forecast --json`.")
    ] = None,
    arrivals_per_hour: Annotated[
        str | None,
        typer.Option(help="Contacts per hour: one value, one per interval of a day, or one per interval."),
    ] = None,
    aht: Annotated[
        float | None, typer.Option(help="Average handle time in seconds (with --arrivals-per-hour).")
    ] = None,
    target_seconds: Annotated[float, typer.Option(help="Answer within this many seconds.")] = 20.0,
    service_level: Annotated[float, typer.Option(help="Share to answer within the target.")] = 0.8,
    max_occupancy: Annotated[float, typer.Option(help="Occupancy cap per agent, in (0, 1].")] = 1.0,
    shrinkage: Annotated[float, typer.Option(help="Share of paid time not answering, in [0, 1).")] = 0.0,
    patience: Annotated[float | None, typer.Option(help="Mean patience in seconds: Erlang A.")] = None,
    start: Annotated[
        str | None, typer.Option(help="First day (YYYY-MM-DD) with --arrivals-per-hour; default next Monday.")
    ] = None,
    days: Annotated[int, typer.Option(help="Days to plan with --arrivals-per-hour.")] = 7,
    interval_minutes: Annotated[
        int, typer.Option(help="Interval with --arrivals-per-hour: 15, 30, 60.")
    ] = 30,
    shifts: Annotated[Path | None, typer.Option(help="YAML of shift templates (docs/workforce.md).")] = None,
    shift_hours: Annotated[
        str, typer.Option(help="Without --shifts: shift lengths in hours, e.g. 8,4 (cost = hours).")
    ] = "8",
    cyclic: Annotated[
        bool, typer.Option("--cyclic", help="The plan repeats: shifts may wrap around.")
    ] = False,
    under_cost: Annotated[
        float | None, typer.Option(help="Allow shortfalls at this cost per person-interval.")
    ] = None,
    time_limit: Annotated[float, typer.Option(help="Solver time limit in seconds.")] = 10.0,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Cheapest shifts covering the people needed per interval (OR-Tools CP-SAT)."""
    try:
        sources = [requirements is not None, forecast_file is not None, arrivals_per_hour is not None]
        if sum(sources) != 1:
            raise Invalid(
                "--requirements: give exactly one of --requirements, --forecast, --arrivals-per-hour"
            )
        if requirements is not None:
            need = read_requirements_csv(_read_text(requirements, "--requirements"))
        else:
            target = StaffingTarget(service_level, target_seconds, max_occupancy, shrinkage)
            if forecast_file is not None:
                parsed = forecast_from_json(_read_text(forecast_file, "--forecast"))
                need = requirements_from_forecast(parsed, target, patience_seconds=patience)
            else:
                need = _requirements_from_rates(
                    arrivals_per_hour or "", aht, target, patience, start, days, interval_minutes
                )
        if shifts is not None:
            templates = parse_shift_templates_yaml(_read_text(shifts, "--shifts"))
        else:
            templates = _shift_hours(shift_hours)
        plan = schedule(need, templates, time_limit_seconds=time_limit, cyclic=cyclic, under_cost=under_cost)
    except Invalid as error:
        raise _fail(_flagged(error)) from None
    report = plan.as_json()
    if json_output:
        typer.echo(json.dumps(report))
        return
    table = Table(
        title=f"Schedule ({plan.status}): cost {plan.cost:,.2f}, lower bound {plan.lower_bound:,.2f}"
    )
    for column in ("shift", "start", "end", "break", "people"):
        table.add_column(column)
    for shift in plan.shifts:
        table.add_row(
            shift.template,
            f"{shift.start:%a %H:%M}",
            f"{shift.end:%a %H:%M}",
            "–" if shift.break_start is None else f"{shift.break_start:%H:%M}",
            str(shift.count),
        )
    table.caption = (
        f"over {report['over_agent_hours']:,.1f} agent-hours, under {report['under_agent_hours']:,.1f}; "
        f"solved in {plan.solve_seconds:.1f} s"
    )
    Console().print(table)


def _read_text(path: Path, flag: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise Invalid(f"{flag}: cannot read {path} ({reason})", field=flag) from None


def _flagged(error: Invalid) -> Invalid:
    """Messages from the domain name the model's field; people typed the option."""
    if error.message.startswith(
        ("--", "history", "requirements", "forecast:", "forecast intervals", "shifts")
    ):
        return error
    flag = _FLAGS.get(error.field or "", "") or _SCHEDULE_FLAGS.get(error.field or "", "")
    return Invalid(f"{flag}: {error.message}" if flag else error.message, field=error.field)


def _numbers(text: str, flag: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise Invalid(f"{flag}: must be numbers separated by commas (got {text!r})", field=flag) from None
    if not values or not all(math.isfinite(value) and value >= 0 for value in values):
        raise Invalid(f"{flag}: must be finite numbers ≥ 0", field=flag)
    return values


def _requirements_from_rates(
    rates_text: str,
    aht: float | None,
    target: StaffingTarget,
    patience: float | None,
    start_text: str | None,
    days: int,
    interval_minutes: int,
) -> Requirements:
    if aht is None:
        raise Invalid("--aht: required with --arrivals-per-hour", field="--aht")
    if interval_minutes not in INTERVAL_MINUTES:
        raise Invalid("--interval-minutes: must be 15, 30 or 60", field="--interval-minutes")
    if not 1 <= days <= 31:
        raise Invalid("--days: must be from 1 to 31", field="--days")
    rates = _numbers(rates_text, "--arrivals-per-hour")
    per_day = 24 * 60 // interval_minutes
    if len(rates) == 1:
        rates = rates * per_day * days
    elif len(rates) == per_day:
        rates = rates * days
    elif len(rates) != per_day * days:
        raise Invalid(
            f"--arrivals-per-hour: give 1, {per_day} (a day) or {per_day * days} values (got {len(rates)})",
            field="--arrivals-per-hour",
        )
    if start_text is None:
        today = date.today()
        first = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    else:
        try:
            first = date.fromisoformat(start_text)
        except ValueError:
            raise Invalid(
                f"--start: must be a date YYYY-MM-DD (got {start_text!r})", field="--start"
            ) from None
    volume = [rate * interval_minutes / 60.0 for rate in rates]
    return staffing_requirements(
        datetime(first.year, first.month, first.day),
        interval_minutes,
        volume,
        aht,
        target,
        patience_seconds=patience,
    )


def _shift_hours(text: str) -> tuple[ShiftTemplate, ...]:
    hours = _numbers(text, "--shift-hours")
    if any(value <= 0 for value in hours):
        raise Invalid("--shift-hours: lengths must be > 0", field="--shift-hours")
    return parse_shift_templates([{"name": f"{value:g}h", "hours": value} for value in sorted(set(hours))])


_SCHEDULE_FLAGS = {
    "interval_minutes": "--interval-minutes",
    "days": "--days",
    "holdout_days": "--holdout-days",
    "time_limit_seconds": "--time-limit",
    "under_cost": "--under-cost",
}
