"""`holdless wfm forecast` and `holdless wfm schedule`: JSON out, clear errors (exit 2) on bad input."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from holdless.workforce_cli import wfm_app

runner = CliRunner()
MONDAY = datetime(2026, 10, 5)


def counts_csv(path: Path, days: int = 14) -> Path:
    rows = ["interval_start,contacts,aht_seconds"]
    for hour in range(days * 24):
        moment = MONDAY + timedelta(hours=hour)
        busy = 9 <= moment.hour < 17
        rows.append(f"{moment.isoformat()},{12 if busy else 0},{200 if busy else ''}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def fails_with(args: list[str], *needles: str) -> None:
    result = runner.invoke(wfm_app, args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output


def test_forecast_json_from_interval_counts(tmp_path: Path) -> None:
    history = counts_csv(tmp_path / "history.csv")
    result = runner.invoke(
        wfm_app, ["forecast", "--history", str(history), "--interval-minutes", "60", "--days", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["start"] == "2026-10-19T00:00:00"
    assert len(report["intervals"]) == 24
    volumes = [item["volume"] for item in report["intervals"]]
    assert volumes[9:17] == pytest.approx([12.0] * 8, rel=1e-6)
    assert volumes[:9] == [0.0] * 9
    assert report["intervals"][10]["aht_seconds"] == pytest.approx(200.0, rel=1e-6)
    assert report["error"]["holdout_days"] == 7
    assert report["error"]["wape"] == pytest.approx(0.0, abs=1e-6)


def test_forecast_feeds_schedule(tmp_path: Path) -> None:
    history = counts_csv(tmp_path / "history.csv")
    made = runner.invoke(
        wfm_app, ["forecast", "--history", str(history), "--interval-minutes", "60", "--json"]
    )
    forecast_file = tmp_path / "forecast.json"
    forecast_file.write_text(made.stdout, encoding="utf-8")
    result = runner.invoke(
        wfm_app, ["schedule", "--forecast", str(forecast_file), "--target-seconds", "20", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # 12 contacts/h × 200 s = 0.67 erlangs; 80/20 needs 2 agents from 09:00 to 17:00: two 8-hour shifts a day
    assert report["under_agent_hours"] == 0
    assert report["shift_count"] == 14
    assert report["cost"] == pytest.approx(14 * 8)
    assert {item["start"][11:] for item in report["shifts"]} == {"09:00:00"}


def test_schedule_from_requirements_and_shift_file(tmp_path: Path) -> None:
    need = tmp_path / "need.csv"
    need.write_text(
        "interval_start,agents\n2026-11-23T00:00,1\n2026-11-23T01:00,2\n2026-11-23T02:00,2\n2026-11-23T03:00,1\n",
        encoding="utf-8",
    )
    shifts = tmp_path / "shifts.yaml"
    shifts.write_text(
        "shifts:\n"
        "  - {name: long, hours: 4, cost: 4, starts: '00:00'}\n"
        "  - {name: short, hours: 2, cost: 2.5}\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        wfm_app, ["schedule", "--requirements", str(need), "--shifts", str(shifts), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["cost"] == pytest.approx(6.5)
    assert report["status"] == "optimal"
    assert [item["scheduled"] for item in report["intervals"]] == [1, 2, 2, 1]


def test_schedule_from_an_hourly_rate(tmp_path: Path) -> None:
    args = ["schedule", "--arrivals-per-hour", "10", "--aht", "180", "--start", "2026-11-23", "--days", "1"]
    result = runner.invoke(wfm_app, [*args, "--interval-minutes", "60", "--shift-hours", "8", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["shift_count"] == 3 * 2  # 0.5 erlangs, 80/20 needs 2 agents around the clock
    assert report["intervals"][0]["start"] == "2026-11-23T00:00:00"


def test_forecast_bad_input(tmp_path: Path) -> None:
    fails_with(["forecast", "--history", str(tmp_path / "missing.csv")], "Error: --history: cannot read")
    bad = tmp_path / "bad.csv"
    bad.write_text("arrived_at,handle_seconds\n2026-10-05T08:00,100\nyesterday,5\n", encoding="utf-8")
    fails_with(["forecast", "--history", str(bad)], "history row 3: arrived_at")
    bad.write_text("arrived_at,handle_seconds\n2026-10-05T08:00,-3\n", encoding="utf-8")
    fails_with(["forecast", "--history", str(bad)], "handle_seconds")
    bad.write_text("when,what\n1,2\n", encoding="utf-8")
    fails_with(["forecast", "--history", str(bad)], "history: the header needs arrived_at")
    good = counts_csv(tmp_path / "good.csv", days=2)
    fails_with(["forecast", "--history", str(good), "--interval-minutes", "45"], "--interval-minutes")
    fails_with(
        ["forecast", "--history", str(good), "--interval-minutes", "30"], "history row 3: interval_start"
    )
    fails_with(["forecast", "--history", str(good), "--interval-minutes", "60", "--days", "0"], "--days")


def test_schedule_bad_input(tmp_path: Path) -> None:
    fails_with(["schedule"], "--requirements: give exactly one of")
    fails_with(["schedule", "--arrivals-per-hour", "10,x", "--aht", "180"], "--arrivals-per-hour")
    fails_with(["schedule", "--arrivals-per-hour", "10"], "--aht: required")
    fails_with(
        ["schedule", "--arrivals-per-hour", "1,2,3", "--aht", "100"], "--arrivals-per-hour: give 1, 48"
    )
    fails_with(["schedule", "--arrivals-per-hour", "10", "--aht", "0"], "--aht")
    fails_with(["schedule", "--arrivals-per-hour", "10", "--aht", "60", "--start", "monday"], "--start")
    fails_with(
        ["schedule", "--arrivals-per-hour", "10", "--aht", "60", "--shift-hours", "0"], "--shift-hours"
    )
    shifts = tmp_path / "shifts.yaml"
    shifts.write_text("shifts:\n  - {name: day, hours: -8}\n", encoding="utf-8")
    fails_with(
        ["schedule", "--arrivals-per-hour", "10", "--aht", "60", "--shifts", str(shifts)], "shifts[0].hours"
    )
    need = tmp_path / "need.csv"
    need.write_text("interval_start,agents\n2026-11-23T00:00,1.5\n", encoding="utf-8")
    fails_with(["schedule", "--requirements", str(need)], "requirements row 2: agents")
    fails_with(["schedule", "--forecast", str(need)], "forecast: not valid JSON")
