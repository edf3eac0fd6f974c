from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from holdless.workforce import StaffingTarget, required_agents
from holdless.workforce_cli import wfm_app

runner = CliRunner()
BASE = ["staff", "--arrivals-per-hour", "200", "--aht", "180", "--target-seconds", "20"]


def test_staff_json_reports_erlang_c_requirement() -> None:
    result = runner.invoke(wfm_app, [*BASE, "--service-level", "0.8", "--shrinkage", "0.3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    expected = required_agents(200, 180, StaffingTarget(0.8, 20.0, shrinkage=0.3))
    assert report["agents"] == expected.agents == 14
    assert report["scheduled_agents"] == 20
    assert report["service_level"] == pytest.approx(expected.figures.service_level)
    assert report["asa_seconds"] == pytest.approx(expected.figures.asa_seconds)
    assert report["p_wait"] == pytest.approx(expected.figures.p_wait)
    assert report["occupancy"] == pytest.approx(10 / 14)
    assert "abandon_rate" not in report


def test_staff_with_patience_uses_erlang_a_and_reports_abandonment() -> None:
    result = runner.invoke(wfm_app, [*BASE, "--max-occupancy", "0.85", "--patience", "120", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    expected = required_agents(
        200, 180, StaffingTarget(0.8, 20.0, max_occupancy=0.85), patience_seconds=120.0
    )
    assert report["agents"] == expected.agents
    assert report["abandon_rate"] == pytest.approx(expected.figures.abandon_rate)
    assert report["occupancy"] <= 0.85
    assert report["model"] == "erlang_a"


def test_staff_without_json_prints_a_table() -> None:
    result = runner.invoke(wfm_app, BASE)
    assert result.exit_code == 0
    assert "scheduled agents" in result.stdout
    assert "14" in result.stdout


@pytest.mark.parametrize(
    ("option", "value", "flag"),
    [
        ("--arrivals-per-hour", "-5", "--arrivals-per-hour"),
        ("--aht", "0", "--aht"),
        ("--target-seconds", "-1", "--target-seconds"),
        ("--service-level", "0", "--service-level"),
        ("--service-level", "1.2", "--service-level"),
        ("--max-occupancy", "1.5", "--max-occupancy"),
        ("--shrinkage", "1", "--shrinkage"),
        ("--patience", "-3", "--patience"),
        ("--arrivals-per-hour", "nan", "--arrivals-per-hour"),
    ],
)
def test_bad_input_is_one_line_naming_the_option_and_exit_code_2(option: str, value: str, flag: str) -> None:
    args = [a for a in BASE if a != option]
    if option in BASE:
        index = BASE.index(option)
        args = [*BASE[:index], *BASE[index + 2 :]]
    result = runner.invoke(wfm_app, [*args, option, value, "--json"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: {flag}:")
    assert result.stdout == ""


def test_non_numbers_are_usage_errors_not_tracebacks() -> None:
    result = runner.invoke(
        wfm_app, ["staff", "--arrivals-per-hour", "many", "--aht", "180", "--target-seconds", "20"]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
