"""Per-interval series of the simulator and their PNG plots."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from holdless.simulate_cli import simulate_command
from holdless.simulate_plots import DPI, HEIGHT_INCHES, WIDTH_INCHES, render_service_level, write_plots
from holdless.workforce.scenario import parse_scenario
from holdless.workforce.series import OVERALL, record_series
from holdless.workforce.simulate import simulate

SCENARIO = {
    "duration_hours": 2,
    "seed": 3,
    "arrivals_per_hour": 300,
    "handle_time": {"mean_seconds": 60},
    "agents": 6,
    "segments": [
        {"name": "premium", "share": 0.3, "priority": 10, "service_level": {"target": 0.9, "seconds": 20}},
        {"name": "standard", "share": 0.7, "priority": 1, "service_level": {"target": 0.8, "seconds": 60}},
    ],
}
PIXELS = (round(WIDTH_INCHES * DPI), round(HEIGHT_INCHES * DPI))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_series_worked_by_hand() -> None:
    # Three contacts, T = 20 s, one-minute intervals over 3 minutes: #0 answered at once, #1 joins at 30 s
    # and waits 50 s (late), #2 joins at 100 s and waits 10 s.
    series = record_series(
        span_seconds=180.0,
        interval_minutes=1,
        arrivals=[0.0, 30.0, 100.0],
        waits=[0.0, 50.0, 10.0],
        answered=[True, True, True],
        segment_of=[0, 0, 0],
        segments=[("only", 0.8, 20.0)],
    )
    assert series.waiting.tolist() == [0.0, 1.0, 0.0, 0.0]  # samples at 0, 60, 120, 180 s
    assert series.offered.tolist() == [2, 1, 0]
    shares = series.service_level("only").tolist()
    assert shares[:2] == [0.5, 1.0]
    assert math.isnan(shares[2])


def test_series_add_up_to_the_run_figures() -> None:
    scenario = parse_scenario(SCENARIO)
    plain = simulate(scenario)
    result = simulate(scenario, series_minutes=15)
    assert plain.series is None
    assert result.as_json() | {"events_per_second": 0} == plain.as_json() | {"events_per_second": 0}
    series = result.series
    assert series is not None
    assert series.intervals == 8
    assert series.waiting.size == 2 * 60 + 1
    assert int(series.offered.sum()) == result.overall.offered
    for name, figures in [*result.segments.items(), (OVERALL, result.overall)]:
        pooled = series.in_target[name].sum() / series.counted[name].sum()
        assert pooled == pytest.approx(figures.service_level)


def test_plots_are_png_images_of_the_stated_size(tmp_path: Path) -> None:
    series = simulate(parse_scenario(SCENARIO), series_minutes=15).series
    assert series is not None
    written = write_plots(series, tmp_path / "plots")
    assert [path.name for path in written] == ["waiting.png", "service_level.png"]
    for path in written:
        data = path.read_bytes()
        assert len(data) > 10_000  # lines, bars, labels: not a blank canvas
        assert png_size(data) == PIXELS
    assert png_size(render_service_level(series)) == PIXELS


def test_cli_plot_option_writes_both_images(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    runner = CliRunner()
    app = typer.Typer()
    app.command()(simulate_command)
    result = runner.invoke(app, [str(path), "--json", "--plot", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["service_level.png", "waiting.png"]
    bad = runner.invoke(app, [str(path), "--plot", str(path)])
    assert bad.exit_code == 2
    assert "--plot" in bad.output
    assert "Traceback" not in bad.output
