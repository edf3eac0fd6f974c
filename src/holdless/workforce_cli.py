"""`holdless wfm …`: workforce planning from the command line (mounted by cli.py as `wfm`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from holdless.errors import Invalid
from holdless.workforce.staffing import StaffingRequirement, StaffingTarget, required_agents

USAGE_ERROR = 2  # what Click uses for bad options, so every input mistake exits the same way

wfm_app = typer.Typer(help="Workforce planning: Erlang C and Erlang A staffing.", no_args_is_help=True)


@wfm_app.callback()
def wfm() -> None:
    """Workforce planning: Erlang C and Erlang A staffing."""


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
