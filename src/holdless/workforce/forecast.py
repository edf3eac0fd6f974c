"""Forecasts of contact volume and handle time per interval, seasonal by time of day and weekday.

The model is a Poisson regression (a log-linear GLM, fitted by statsmodels) of the contacts in each interval:

    log E[contacts] = weekday level + time-of-day shape [+ weekly trend]

with one time-of-day shape for Monday–Friday and another for Saturday–Sunday once the training history has
two weeks. Handle time uses the same design on the handle seconds of each interval with the contacts as
exposure (a quasi-Poisson GLM for the mean handle time per contact). Intervals whose weekday or time of day
never saw a contact are forecast as zero (no rate can be estimated from nothing, and none is needed).

The error is measured on held-back history: the last ``holdout_days`` are left out, the model is fitted on
the rest and scored against them (WAPE, MAPE over intervals with contacts, and a volume-weighted WAPE of the
handle time); the forecast itself is then fitted on the whole history. Pure: values in, values out.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from numpy.typing import ArrayLike, NDArray

from holdless.errors import Invalid

INTERVAL_MINUTES = (15, 30, 60)
MINUTES_PER_DAY = 24 * 60
WEEKEND = (5, 6)  # Saturday, Sunday (date.weekday())
_SHAPE_BY_DAY_TYPE_DAYS = 14  # separate weekday / weekend time-of-day shapes from two weeks of history
_WEEKDAY_LEVELS_DAYS = 7  # a level per weekday once every weekday has been seen
_TREND_DAYS = 14


@dataclass(frozen=True, slots=True)
class IntervalHistory:
    """Contacts and handle seconds per interval, from ``start`` (local wall-clock time), whole intervals.

    ``handle_seconds`` is the total handle time of the contacts that arrived in each interval, or None when
    only counts are known (then no handle time is forecast).
    """

    start: datetime
    interval_minutes: int
    volume: NDArray[np.float64]
    handle_seconds: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        _check_interval(self.interval_minutes)
        if (self.start.hour * 60 + self.start.minute) % self.interval_minutes or self.start.second:
            raise Invalid("history must start on an interval boundary", field="start")
        volume = np.asarray(self.volume, dtype=np.float64)
        if volume.ndim != 1 or not volume.size:
            raise Invalid("volume must be a non-empty series of intervals", field="volume")
        if not (np.isfinite(volume).all() and (volume >= 0).all()):
            raise Invalid("volume must be finite and ≥ 0 in every interval", field="volume")
        object.__setattr__(self, "volume", volume)
        if self.handle_seconds is not None:
            handle = np.asarray(self.handle_seconds, dtype=np.float64)
            if handle.shape != volume.shape:
                raise Invalid("handle seconds need one value per interval", field="handle_seconds")
            if not (np.isfinite(handle).all() and (handle >= 0).all()):
                raise Invalid("handle seconds must be finite and ≥ 0", field="handle_seconds")
            object.__setattr__(self, "handle_seconds", handle)

    @property
    def per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.interval_minutes * self.volume.size)

    @property
    def days(self) -> float:
        return self.volume.size / self.per_day

    def head(self, intervals: int) -> IntervalHistory:
        handle = None if self.handle_seconds is None else self.handle_seconds[:intervals]
        return IntervalHistory(self.start, self.interval_minutes, self.volume[:intervals], handle)


@dataclass(frozen=True, slots=True)
class ForecastError:
    """How a fit on the history before the last ``holdout_days`` did on those days.

    ``wape`` = Σ|actual − forecast| / Σ actual contacts; ``mape`` = mean |actual − forecast| / actual over
    intervals with contacts (None if none); ``aht_wape`` = Σ|handle seconds − contacts × forecast AHT| /
    Σ handle seconds (the handle-time error weighted by volume; None without handle times).
    """

    holdout_days: int
    intervals: int
    wape: float
    mape: float | None
    aht_wape: float | None

    def as_json(self) -> dict[str, object]:
        return {
            "holdout_days": self.holdout_days,
            "intervals": self.intervals,
            "wape": self.wape,
            "mape": self.mape,
            "aht_wape": self.aht_wape,
        }


@dataclass(frozen=True, slots=True)
class Forecast:
    """Expected contacts and mean handle time per interval from ``start`` (where the history ended)."""

    start: datetime
    interval_minutes: int
    volume: NDArray[np.float64]
    aht_seconds: NDArray[np.float64] | None
    error: ForecastError | None
    model: str
    training_days: float

    def interval_start(self, index: int) -> datetime:
        return self.start + timedelta(minutes=self.interval_minutes * index)

    def as_json(self) -> dict[str, object]:
        intervals = [
            {
                "start": self.interval_start(index).isoformat(),
                "volume": float(self.volume[index]),
                "aht_seconds": None if self.aht_seconds is None else float(self.aht_seconds[index]),
            }
            for index in range(self.volume.size)
        ]
        return {
            "start": self.start.isoformat(),
            "interval_minutes": self.interval_minutes,
            "model": self.model,
            "training_days": self.training_days,
            "error": None if self.error is None else self.error.as_json(),
            "total_volume": float(self.volume.sum()),
            "intervals": intervals,
        }


def _check_interval(minutes: int) -> None:
    if minutes not in INTERVAL_MINUTES:
        raise Invalid(
            f"interval must be one of {', '.join(map(str, INTERVAL_MINUTES))} minutes (got {minutes})",
            field="interval_minutes",
        )


def history_from_contacts(
    contacts: Iterable[tuple[datetime, float | None]],
    interval_minutes: int = 30,
    *,
    start: date | None = None,
    end: date | None = None,
) -> IntervalHistory:
    """Bin contacts given as (arrival time, handle seconds) into intervals of whole days.

    Times are read on their own wall clock (convert them to the contact center's time zone first); the
    history runs from midnight of ``start`` (default: the first contact's day) to midnight of ``end``
    (exclusive; default: the day after the last contact). Contacts outside are left out. A handle time of
    None (e.g. abandoned) counts the contact but not its handle time: then the interval's handle total
    is scaled up from the contacts that have one.
    """
    _check_interval(interval_minutes)
    rows = list(contacts)
    if not rows and (start is None or end is None):
        raise Invalid("history has no contacts", field="history")
    for index, (arrived, handle) in enumerate(rows):
        if not isinstance(arrived, datetime):
            raise Invalid(f"history[{index}]: arrival must be a date and time", field="arrived_at")
        if handle is not None and (not math.isfinite(handle) or handle < 0):
            raise Invalid(f"history[{index}]: handle seconds must be ≥ 0", field="handle_seconds")
    first = start if start is not None else min(arrived.date() for arrived, _ in rows)
    last = end if end is not None else max(arrived.date() for arrived, _ in rows) + timedelta(days=1)
    days = (last - first).days
    if days < 1:
        raise Invalid("history must cover at least one day", field="end")
    per_day = MINUTES_PER_DAY // interval_minutes
    size = days * per_day
    volume = np.zeros(size)
    timed = np.zeros(size)
    handle_total = np.zeros(size)
    origin = first.toordinal()
    for arrived, handle in rows:
        slot = (arrived.hour * 60 + arrived.minute) // interval_minutes
        index = (arrived.date().toordinal() - origin) * per_day + slot
        if 0 <= index < size:
            volume[index] += 1.0
            if handle is not None:
                timed[index] += 1.0
                handle_total[index] += handle
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(timed > 0, handle_total * volume / np.where(timed > 0, timed, 1.0), 0.0)
    start_time = datetime(first.year, first.month, first.day)
    return IntervalHistory(start_time, interval_minutes, volume, scaled)


def history_from_counts(
    start: datetime,
    interval_minutes: int,
    volume: ArrayLike,
    aht_seconds: ArrayLike | None = None,
) -> IntervalHistory:
    """Per-interval contact counts (and optionally the mean handle time per interval) from ``start``."""
    counts = np.asarray(volume, dtype=np.float64)
    handle = None
    if aht_seconds is not None:
        aht = np.asarray(aht_seconds, dtype=np.float64)
        if aht.shape != counts.shape:
            raise Invalid("aht_seconds needs one value per interval", field="aht_seconds")
        handle = np.where(counts > 0, counts * np.nan_to_num(aht, nan=0.0), 0.0)
    return IntervalHistory(start, interval_minutes, counts, handle)


def forecast(
    history: IntervalHistory,
    days: int = 7,
    *,
    holdout_days: int = 7,
    trend: bool = False,
) -> Forecast:
    """Forecast ``days`` days after the history; the error is measured by holding back ``holdout_days``.

    No error is measured (``error`` None) unless a week of history is left to fit on after the holdout.
    ``trend`` adds a log-linear weekly trend once there are two weeks to fit on.
    """
    if days < 1 or days > 366:
        raise Invalid("forecast days must be from 1 to 366", field="days")
    if holdout_days < 0:
        raise Invalid("holdout days must be ≥ 0", field="holdout_days")
    per_day = history.per_day
    error = None
    if holdout_days and history.days - holdout_days >= _WEEKDAY_LEVELS_DAYS:
        cut = history.volume.size - holdout_days * per_day
        training = history.head(cut)
        held_volume, held_aht = _fit_and_predict(training, holdout_days * per_day, trend=trend)
        error = _score(history, cut, held_volume, held_aht, holdout_days)
    volume, aht = _fit_and_predict(history, days * per_day, trend=trend)
    return Forecast(
        start=history.end,
        interval_minutes=history.interval_minutes,
        volume=volume,
        aht_seconds=aht,
        error=error,
        model=_model_name(history.days, trend),
        training_days=history.days,
    )


def _score(
    history: IntervalHistory,
    cut: int,
    volume: NDArray[np.float64],
    aht: NDArray[np.float64] | None,
    holdout_days: int,
) -> ForecastError:
    actual = history.volume[cut:]
    total = float(actual.sum())
    wape = float(np.abs(actual - volume).sum() / total) if total > 0 else math.inf
    busy = actual > 0
    mape = float((np.abs(actual - volume)[busy] / actual[busy]).mean()) if busy.any() else None
    aht_wape = None
    if aht is not None and history.handle_seconds is not None:
        handle = history.handle_seconds[cut:]
        handle_total = float(handle.sum())
        if handle_total > 0:
            aht_wape = float(np.abs(handle - actual * aht).sum() / handle_total)
    return ForecastError(holdout_days, int(actual.size), wape, mape, aht_wape)


def _model_name(days: float, trend: bool) -> str:
    parts = ["time_of_day"]
    if days >= _WEEKDAY_LEVELS_DAYS:
        parts.insert(0, "weekday")
    if days >= _SHAPE_BY_DAY_TYPE_DAYS:
        parts[-1] = "time_of_day_by_day_type"
    if trend and days >= _TREND_DAYS:
        parts.append("trend")
    return "poisson_glm:" + "+".join(parts)


# --- the regression ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Calendar:
    """Weekday, time-of-day slot and day number of each interval."""

    weekday: NDArray[np.int64]
    slot: NDArray[np.int64]
    day: NDArray[np.float64]


def _calendar(start: datetime, interval_minutes: int, first: int, count: int) -> _Calendar:
    per_day = MINUTES_PER_DAY // interval_minutes
    offset = (start.hour * 60 + start.minute) // interval_minutes + np.arange(first, first + count)
    day = offset // per_day
    weekday = (start.weekday() + day) % 7
    return _Calendar(weekday.astype(np.int64), (offset % per_day).astype(np.int64), day.astype(np.float64))


@dataclass(frozen=True, slots=True)
class _Design:
    """Per interval: shape cell (time-of-day slot, by day type from two weeks of history), weekday, trend."""

    cell: NDArray[np.int64]
    weekday: NDArray[np.int64]
    trend: NDArray[np.float64] | None
    weekday_levels: bool
    by_day_type: bool


def _design(calendar: _Calendar, per_day: int, days: float, trend: bool) -> _Design:
    by_day_type = days >= _SHAPE_BY_DAY_TYPE_DAYS
    weekend = np.isin(calendar.weekday, WEEKEND)
    cell = calendar.slot + np.where(weekend & by_day_type, per_day, 0)
    use_trend = trend and days >= _TREND_DAYS
    return _Design(
        cell=cell.astype(np.int64),
        weekday=calendar.weekday,
        trend=calendar.day / 7.0 if use_trend else None,
        weekday_levels=days >= _WEEKDAY_LEVELS_DAYS,
        by_day_type=by_day_type,
    )


def _fit_and_predict(
    history: IntervalHistory, horizon: int, *, trend: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    per_day = history.per_day
    size = history.volume.size
    past = _calendar(history.start, history.interval_minutes, 0, size)
    future = _calendar(history.start, history.interval_minutes, size, horizon)
    past_design = _design(past, per_day, history.days, trend)
    future_design = _design(future, per_day, history.days, trend)
    volume = history.volume
    fitted_volume = _log_linear(volume, None, past_design, future_design)
    aht = None
    if history.handle_seconds is not None and float(history.handle_seconds.sum()) > 0:
        timed = volume > 0
        mean = float(history.handle_seconds.sum() / volume[timed].sum())
        rate = _log_linear(history.handle_seconds, volume, past_design, future_design, fallback=mean)
        aht = np.where(rate > 0, rate, mean)
    return fitted_volume, aht


def _log_linear(
    response: NDArray[np.float64],
    exposure: NDArray[np.float64] | None,
    past: _Design,
    future: _Design,
    *,
    fallback: float = 0.0,
) -> NDArray[np.float64]:
    """Fit a Poisson GLM on the past rows and predict the future ones (per unit of exposure).

    Columns: one per shape cell (they add up to an intercept) and one per weekday but the first of each
    day type (so the design has full rank). Cells and weekdays that never had any response are left out
    of the fit (their rate is zero: the estimate would run to −∞); future rows in them get ``fallback``.
    """
    # Heavy (SciPy): imported when a forecast is made, not with the package; the GLM alone, not the api.
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    used = np.ones(response.shape, dtype=bool) if exposure is None else exposure > 0
    weights = np.where(used, response, 0.0)
    live_cells = np.flatnonzero(np.bincount(past.cell, weights=weights) > 0)
    live_days = np.flatnonzero(np.bincount(past.weekday, weights=weights, minlength=7) > 0)
    if not past.weekday_levels:
        live_days = np.arange(7)  # no weekday effect: every weekday is the same day
    rows = used & np.isin(past.cell, live_cells) & np.isin(past.weekday, live_days)
    known = np.isin(future.cell, live_cells) & np.isin(future.weekday, live_days)
    result = np.full(future.cell.shape, fallback)
    if not rows.any():
        return result
    levels: list[int] = []
    if past.weekday_levels:
        days = [int(day) for day in live_days]
        groups = ([d for d in days if d < 5], [d for d in days if d >= 5]) if past.by_day_type else (days, [])
        levels = [int(day) for group in groups for day in group[1:]]

    def matrix(design: _Design) -> NDArray[np.float64]:
        columns = [design.cell == value for value in live_cells]
        columns += [design.weekday == day for day in levels]
        stacked = np.column_stack([column.astype(np.float64) for column in columns])
        return stacked if design.trend is None else np.column_stack([stacked, design.trend])

    # Rows with the same design row pool into one (the sums are the GLM's sufficient statistics): without
    # a trend a month of history fits as one week.
    keys = np.column_stack([past.cell, past.weekday, *([] if past.trend is None else [past.trend])])[rows]
    unique, first_row, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    group = group.reshape(-1)
    pooled_response = np.bincount(group, weights=response[rows], minlength=len(unique))
    pooled_exposure = np.bincount(
        group, weights=np.ones(group.size) if exposure is None else exposure[rows], minlength=len(unique)
    )
    model = GLM(pooled_response, matrix(past)[rows][first_row], family=Poisson(), exposure=pooled_exposure)
    with warnings.catch_warnings():
        # Cells with no contacts are out of the fit already; what is left to "separate" is an exact fit
        # (e.g. the same count every week), which is a fine answer.
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fitted = model.fit()
    params = np.asarray(fitted.params, dtype=np.float64)
    predicted = np.exp(np.clip(matrix(future) @ params, -700.0, 700.0))
    result[known] = predicted[known]
    return result
