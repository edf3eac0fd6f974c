"""`holdless simulate SCENARIO.yaml`, mounted the way cli.py does it."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from holdless.simulate_cli import simulate_command

SMALL = """
duration_hours: 0.5
seed: 3
arrivals_per_hour: 400
handle_time: {mean_seconds: 150, distribution: lognormal, cv: 0.7}
patience: {mean_seconds: 300, distribution: exponential}
agents: 20
policy: fifo
segments:
  - {name: premium, share: 0.2, priority: 10, service_level: {target: 0.9, seconds: 20}}
  - {name: standard, share: 0.8, priority: 1, service_level: {target: 0.8, seconds: 60}}
"""
FIGURES = {"offered", "answered", "abandoned", "service_level", "asa_seconds", "max_wait_seconds"}

runner = CliRunner()


def app() -> typer.Typer:
    application = typer.Typer()
    application.command("simulate")(simulate_command)

    @application.callback()
    def main() -> None:
        """Holdless."""

    return application


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_json_has_the_issue_keys_per_segment_and_overall(tmp_path: Path) -> None:
    result = runner.invoke(app(), ["simulate", str(write(tmp_path, SMALL)), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"segments", "overall", "occupancy", "ewt_mae_seconds", "events_per_second"}
    assert set(report["segments"]) == {"premium", "standard"}
    assert set(report["segments"]["premium"]) == FIGURES
    assert set(report["overall"]) == FIGURES


def test_replications_report_means_and_ci95(tmp_path: Path) -> None:
    path = str(write(tmp_path, SMALL))
    result = runner.invoke(app(), ["simulate", path, "--json", "--replications", "3"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["replications"] == 3
    assert set(report["ci95"]["overall"]) == FIGURES


def test_table_without_json(tmp_path: Path) -> None:
    result = runner.invoke(app(), ["simulate", str(write(tmp_path, SMALL)), "--replications", "2"])
    assert result.exit_code == 0, result.output
    assert "premium" in result.stdout
    assert "overall" in result.stdout


def test_bad_scenario_is_one_line_naming_the_field_and_exits_2(tmp_path: Path) -> None:
    bad = SMALL.replace("share: 0.8", "share: 1.8")
    result = runner.invoke(app(), ["simulate", str(write(tmp_path, bad)), "--json"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: segments[1].share: must be at most 1"


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app(), ["simulate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: scenario: cannot read")
