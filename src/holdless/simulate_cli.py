"""`holdless simulate SCENARIO.yaml`: run a workload through the real routing engine (the digital twin).

cli.py mounts it with ``app.command("simulate")(simulate_command)``. This module does the file reading and
printing; ``holdless.workforce.simulate`` and ``holdless.workforce.replications`` stay pure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from holdless.errors import Invalid
from holdless.workforce.replications import Replications, simulate_many
from holdless.workforce.scenario import Scenario, parse_scenario_yaml
from holdless.workforce.series import SimulationSeries, pool_series
from holdless.workforce.simulate import SimulationResult, simulate

USAGE_ERROR = 2  # what Click uses for bad options, so every input mistake exits the same way
_FIGURES = ("offered", "answered", "abandoned", "service_level", "asa_seconds", "max_wait_seconds")


def simulate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML: workload, agents, policy, segments.")],
    json_: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    replications: Annotated[
        int, typer.Option(help="Independent replications, run in parallel over the cores.")
    ] = 1,
    plot: Annotated[
        Path | None,
        typer.Option(help="Write waiting.png and service_level.png (PNG plots of the day) into this folder."),
    ] = None,
    plot_interval_minutes: Annotated[
        int, typer.Option(help="Interval of the service-level plot, in minutes (5 to 240).")
    ] = 15,
) -> None:
    """Simulate a day of contacts through the routing engine; per segment and overall figures."""
    try:
        parsed = _load(scenario)
        if replications < 1:
            raise Invalid("--replications: must be ≥ 1", field="replications")
        if not 5 <= plot_interval_minutes <= 240:
            raise Invalid("--plot-interval-minutes: must be from 5 to 240", field="plot_interval_minutes")
        if plot is not None and plot.exists() and not plot.is_dir():
            raise Invalid(f"--plot: {plot} is a file, not a folder", field="plot")
    except Invalid as error:
        typer.echo(f"Error: {error.message}", err=True)
        raise typer.Exit(USAGE_ERROR) from None
    series_minutes = plot_interval_minutes if plot is not None else None
    series: SimulationSeries | None
    if replications == 1:
        result = _single(parsed, series_minutes, quiet=json_)
        report, series = result.as_json(), result.series
    else:
        runs = _replicate(parsed, replications, series_minutes, quiet=json_)
        report = runs.as_json()
        pooled = [run.series for run in runs.runs if run.series is not None]
        series = pool_series(pooled) if pooled else None
    if plot is not None and series is not None:
        from holdless.simulate_plots import write_plots  # matplotlib loads only when plotting

        try:
            written = write_plots(series, plot)
        except OSError as error:
            typer.echo(f"Error: --plot: cannot write into {plot} ({error.strerror})", err=True)
            raise typer.Exit(USAGE_ERROR) from None
        if not json_:
            for path in written:
                typer.echo(f"Wrote {path}", err=True)
    if json_:
        typer.echo(json.dumps(report))
    else:
        Console().print(_table(report, parsed))


def _load(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise Invalid(f"scenario: cannot read {path} ({error.strerror})", field="scenario") from None
    return parse_scenario_yaml(text)


def _single(scenario: Scenario, series_minutes: int | None, *, quiet: bool) -> SimulationResult:
    if quiet:
        return simulate(scenario, series_minutes=series_minutes)
    columns = (TextColumn("simulated day"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("simulated day", total=1.0)
        return simulate(
            scenario,
            series_minutes=series_minutes,
            on_progress=lambda share: progress.update(task, completed=share),
        )


def _replicate(scenario: Scenario, count: int, series_minutes: int | None, *, quiet: bool) -> Replications:
    workers = max(1, min(count, os.cpu_count() or 1))
    if quiet:
        return simulate_many(scenario, count, workers, series_minutes=series_minutes)
    columns = (TextColumn("replications"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("replications", total=count)
        return simulate_many(
            scenario,
            count,
            workers,
            on_done=lambda done: progress.update(task, completed=done),
            series_minutes=series_minutes,
        )


def _table(report: dict[str, object], scenario: Scenario) -> Table:
    runs = report.get("replications", 1)
    title = f"Simulation, policy {scenario.policy}, {scenario.agents} agents"
    table = Table(title=title + (f", mean of {runs} runs ± 95% CI" if runs != 1 else ""))
    table.add_column("segment")
    for figure in _FIGURES:
        table.add_column(figure.replace("_", " "), justify="right")
    ci = report.get("ci95")
    rows = dict(_as_dict(report["segments"]))
    rows["overall"] = report["overall"]
    ci_rows = dict(_as_dict(ci["segments"])) if isinstance(ci, dict) else {}
    if isinstance(ci, dict):
        ci_rows["overall"] = ci["overall"]
    for name, figures in rows.items():
        values, halves = _as_dict(figures), _as_dict(ci_rows.get(name, {}))
        table.add_row(name, *(_shown(figure, values.get(figure), halves.get(figure)) for figure in _FIGURES))
    table.caption = (
        f"occupancy {_shown('occupancy', report['occupancy'], None)} · "
        f"EWT error {_shown('ewt', report['ewt_mae_seconds'], None)} s · "
        f"{_shown('rate', report['events_per_second'], None)} engine events/s"
    )
    return table


def _as_dict(value: object) -> dict[str, object]:
    return {str(key): item for key, item in value.items()} if isinstance(value, dict) else {}


def _shown(figure: str, value: object, half: object) -> str:
    if value is None:
        return "–"
    if not isinstance(value, int | float):
        return str(value)
    if figure in ("service_level", "occupancy"):
        text = f"{value:.1%}"
        return text + (f" ± {half:.1%}" if isinstance(half, float) else "")
    if isinstance(value, int):
        return f"{value:,}"
    text = f"{value:,.1f}" if figure != "rate" else f"{value:,.0f}"
    return text + (f" ± {half:,.1f}" if isinstance(half, float) else "")
