"""PNG plots of a simulated day: contacts waiting over the day, and service level by interval.

Drawn with matplotlib's Agg renderer on a ``Figure`` of its own (no pyplot, no global state, no display).
``render_*`` return PNG bytes; ``write_plots`` writes them into a directory (the CLI's ``--plot DIR``).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from holdless.workforce.series import OVERALL, SimulationSeries

WIDTH_INCHES, HEIGHT_INCHES, DPI = 10.0, 4.0, 100  # 1000 × 400 pixels
WAITING_FILE = "waiting.png"
SERVICE_LEVEL_FILE = "service_level.png"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _hours(series: SimulationSeries) -> np.ndarray:
    return np.arange(series.intervals) * series.interval_minutes / 60.0


def render_waiting(series: SimulationSeries, title: str = "Contacts waiting over the day") -> bytes:
    """Contacts in line, sampled every minute, with the mean and the peak of each interval."""
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES))
    axes = figure.add_subplot()
    minutes = np.arange(series.waiting.size) * series.sample_seconds / 3600.0
    axes.plot(
        minutes, series.waiting, color="tab:blue", linewidth=0.8, alpha=0.6, label="waiting (each minute)"
    )
    mean, peak = series.waiting_by_interval()
    edges = np.append(_hours(series), series.intervals * series.interval_minutes / 60.0)
    mean, peak = np.append(mean, mean[-1:]), np.append(peak, peak[-1:])  # the last step reaches the end
    axes.step(edges, mean, where="post", color="tab:blue", linewidth=2.0, label="mean per interval")
    axes.step(
        edges, peak, where="post", color="tab:red", linewidth=1.0, linestyle=":", label="peak per interval"
    )
    axes.set_xlabel("hours from the start")
    axes.set_ylabel("contacts waiting")
    axes.set_title(title)
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper right")
    figure.tight_layout()
    return _png(figure)


def render_service_level(series: SimulationSeries, title: str = "Service level by interval") -> bytes:
    """Overall service level per interval as bars, each segment as a line with its target dashed."""
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES))
    axes = figure.add_subplot()
    hours = _hours(series)
    width = series.interval_minutes / 60.0
    overall = np.nan_to_num(series.service_level(OVERALL), nan=0.0)
    axes.bar(hours, overall, width=width * 0.9, align="edge", color="lightgray", label="overall")
    colors = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink")
    for number, (name, (share, seconds)) in enumerate(series.targets.items()):
        color = colors[number % len(colors)]
        axes.plot(hours + width / 2, series.service_level(name), marker="o", markersize=3, color=color,
                  label=f"{name} ({share:.0%} in {seconds:g} s)")  # fmt: skip
        axes.axhline(share, color=color, linestyle="--", linewidth=1.0)
    axes.set_ylim(0.0, 1.05)
    axes.set_xlabel("hours from the start (by arrival)")
    axes.set_ylabel("service level")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left")
    figure.tight_layout()
    return _png(figure)


def write_plots(series: SimulationSeries, directory: Path) -> list[Path]:
    """Write ``waiting.png`` and ``service_level.png`` into ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, image in (
        (WAITING_FILE, render_waiting(series)),
        (SERVICE_LEVEL_FILE, render_service_level(series)),
    ):
        path = directory / name
        path.write_bytes(image)
        written.append(path)
    return written
