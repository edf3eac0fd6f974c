"""Forecasts: a known weekly pattern is recovered, the held-back error is honest, binning is exact."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from holdless.errors import Invalid
from holdless.workforce.forecast import (
    Forecast,
    IntervalHistory,
    forecast,
    history_from_contacts,
    history_from_counts,
)

PER_DAY = 48  # 30-minute intervals
SLOT = np.arange(PER_DAY)
# The true rates (contacts per 30 minutes): a weekday shape peaking at 11:00, a later and lower weekend
# shape, and weekday levels from Monday down to Sunday.
WEEKDAY_SHAPE = 40.0 * np.exp(-(((SLOT - 22) / 7.0) ** 2)) + np.where((SLOT >= 16) & (SLOT < 40), 5.0, 0.2)
WEEKEND_SHAPE = 15.0 * np.exp(-(((SLOT - 26) / 6.0) ** 2)) + 0.2
LEVELS = (1.1, 1.0, 1.0, 0.95, 0.9, 0.6, 0.5)
TRUE_AHT = np.where(SLOT < 16, 240.0, 180.0)  # nights are slower
MONDAY = datetime(2026, 10, 5)
WEEKS = 5  # 4 to fit on + 1 held back


def true_rates(days: int) -> np.ndarray:
    return np.concatenate(
        [(WEEKEND_SHAPE if d % 7 >= 5 else WEEKDAY_SHAPE) * LEVELS[d % 7] for d in range(days)]
    )


def poisson_mean_absolute_deviation(mean: float) -> float:
    """E|Y − μ| for Y ~ Poisson(μ), summed from the probability mass function."""
    total, k = 0.0, 0
    while k < mean + 12 * math.sqrt(mean) + 20:
        total += abs(k - mean) * math.exp(k * math.log(mean) - mean - math.lgamma(k + 1))
        k += 1
    return total


@pytest.fixture(scope="module")
def synthetic() -> tuple[Forecast, np.ndarray]:
    """Five weeks drawn from the true rates, forecast once for the next week (last week held back)."""
    rng = np.random.default_rng(7)
    rates = true_rates(WEEKS * 7 + 7)
    counts = rng.poisson(rates[: WEEKS * 7 * PER_DAY])
    aht = np.tile(TRUE_AHT, WEEKS * 7)
    handle = np.array([rng.exponential(aht[i], int(n)).sum() for i, n in enumerate(counts)])
    history = IntervalHistory(MONDAY, 30, counts.astype(float), handle)
    return forecast(history, 7, holdout_days=7), rates


def test_forecast_recovers_the_weekly_pattern_within_six_percent(
    synthetic: tuple[Forecast, np.ndarray],
) -> None:
    result, rates = synthetic
    truth = rates[WEEKS * 7 * PER_DAY :]
    assert result.start == MONDAY + timedelta(days=WEEKS * 7)
    assert result.volume.shape == (7 * PER_DAY,)
    assert np.abs(result.volume - truth).sum() / truth.sum() < 0.06
    # the weekend keeps its own, later peak; Monday stays the busiest day
    assert int(result.volume[5 * PER_DAY : 6 * PER_DAY].argmax()) == 26
    days = result.volume.reshape(7, PER_DAY).sum(axis=1)
    assert int(days.argmax()) == 0
    assert result.aht_seconds is not None
    weighted = np.abs(result.aht_seconds - np.tile(TRUE_AHT, 7)) @ truth / (np.tile(TRUE_AHT, 7) @ truth)
    assert weighted < 0.06


def test_held_back_error_is_near_the_poisson_noise_floor(
    synthetic: tuple[Forecast, np.ndarray],
) -> None:
    result, rates = synthetic
    assert result.error is not None
    held = rates[(WEEKS - 1) * 7 * PER_DAY : WEEKS * 7 * PER_DAY]
    floor = sum(poisson_mean_absolute_deviation(float(mean)) for mean in held) / held.sum()
    assert result.error.holdout_days == 7
    assert result.error.intervals == 7 * PER_DAY
    assert result.error.wape == pytest.approx(floor, abs=0.04)  # no model beats the noise by much
    assert result.error.mape is not None
    assert result.error.mape > result.error.wape
    assert result.error.aht_wape is not None
    assert 0 < result.error.aht_wape < 0.3


def test_a_few_days_forecast_the_mean_of_each_time_of_day() -> None:
    # Three days, no weekday effect possible: the Poisson fit is the mean count of each time of day.
    day_one = [2.0] * 24 + [0.0] * 24
    day_two = [4.0] * 24 + [0.0] * 24
    day_three = [6.0] * 24 + [1.0] * 24
    history = history_from_counts(MONDAY, 30, day_one + day_two + day_three)
    result = forecast(history, 1)
    assert result.error is None  # not a week left to fit on after a held-back week
    assert result.model == "poisson_glm:time_of_day"
    assert result.volume[:24] == pytest.approx([4.0] * 24, rel=1e-6)
    assert result.volume[24:] == pytest.approx([1 / 3] * 24, rel=1e-6)
    assert result.aht_seconds is None


def test_times_of_day_without_contacts_stay_at_zero() -> None:
    counts = np.tile(np.where((SLOT >= 16) & (SLOT < 40), 10.0, 0.0), 14)
    result = forecast(history_from_counts(MONDAY, 30, counts), 7)
    night = (SLOT < 16) | (SLOT >= 40)
    assert (result.volume.reshape(7, PER_DAY)[:, night] == 0).all()
    assert result.volume.reshape(7, PER_DAY)[:, ~night] == pytest.approx(np.full((7, 24), 10.0), rel=1e-6)
    assert result.error is not None
    assert result.error.wape == pytest.approx(0.0, abs=1e-6)


def test_contacts_are_binned_by_their_wall_clock_time() -> None:
    contacts = [
        (datetime(2026, 10, 5, 0, 10), 100.0),
        (datetime(2026, 10, 5, 0, 20), None),  # abandoned: counted, handle time scaled from the others
        (datetime(2026, 10, 5, 0, 40), 60.0),
        (datetime(2026, 10, 6, 23, 59), 50.0),
    ]
    history = history_from_contacts(contacts, 30)
    assert history.start == datetime(2026, 10, 5)
    assert history.volume.size == 2 * PER_DAY
    assert history.volume[[0, 1, 95]].tolist() == [2.0, 1.0, 1.0]
    assert history.volume.sum() == 4
    assert history.handle_seconds is not None
    assert history.handle_seconds[[0, 1, 95]].tolist() == [200.0, 60.0, 50.0]
    bounded = history_from_contacts(contacts, 60, start=date(2026, 10, 6), end=date(2026, 10, 7))
    assert bounded.volume.sum() == 1
    assert bounded.volume[23] == 1


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: history_from_counts(MONDAY, 45, [1.0]), "interval_minutes"),
        (lambda: history_from_counts(MONDAY, 30, [1.0, -1.0]), "volume"),
        (lambda: history_from_counts(MONDAY + timedelta(minutes=10), 30, [1.0]), "start"),
        (lambda: forecast(history_from_counts(MONDAY, 30, [1.0] * 48), 0), "days"),
        (lambda: history_from_contacts([], 30), "history"),
    ],
)
def test_bad_history_names_the_field(build: object, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field


def test_trend_carries_weekly_growth_forward() -> None:
    # Hourly counts growing 10% a week for four weeks, the same shape every day: with a trend the next
    # week is forecast ≈ 1.1 × the last; without one, near the four-week average.
    shape = np.where((np.arange(24) >= 8) & (np.arange(24) < 18), 50.0, 0.0)
    counts = np.concatenate([shape * 1.1 ** (day // 7) for day in range(28)])
    history = history_from_counts(MONDAY, 60, counts)
    grown = forecast(history, 7, holdout_days=0, trend=True)
    flat = forecast(history, 7, holdout_days=0)
    assert grown.model.endswith("+trend")
    last_week = counts[21 * 24 :].sum()
    # a smooth log-linear trend through weekly steps: within 4% of one more step of growth
    assert grown.volume.sum() == pytest.approx(last_week * 1.1, rel=0.04)
    assert flat.volume.sum() == pytest.approx(counts.sum() / 4, rel=1e-6)
