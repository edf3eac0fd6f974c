"""Live projections agree with a full recompute on a generated week, at every point a wallboard looks;
the columnar roll-up agrees with the pure engines on a generated sample."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from holdless.analytics.columnar import TALLY_COLUMNS, as_tallies, rollup, to_frame
from holdless.analytics.facts import KpiEvent
from holdless.analytics.kpis import KpiConfig, SliceKey, Tally, roll_up
from holdless.analytics.projections import KpiProjection
from holdless.analytics.recompute import recompute
from holdless.analytics.synthetic import history

START = 1_772_409_600.0  # Monday 2 March 2026 00:00 UTC


def _nonzero(tallies: Mapping[SliceKey, Tally]) -> dict[SliceKey, dict[str, float]]:
    return {k: t.as_dict() for k, t in tallies.items() if any(t.as_dict().values())}


@pytest.fixture(scope="module")
def week() -> list[KpiEvent]:
    # ~40 contacts an hour for 7 days, 1,500 customers: repeats across channels, transfers, away, callbacks.
    return history(11, start=START, days=7, contacts_per_hour=40, agents=10, customers=1_500)


def test_the_generated_week_exercises_every_kpi(week: list[KpiEvent]) -> None:
    t = Tally()
    for tally in recompute(week, START + 7 * 86_400).values():
        t.add(tally)
    for name in (
        "short_abandons",
        "abandoned",
        "transferred",
        "callbacks_kept",
        "bot_contained",
        "busy_seconds",
    ):
        assert getattr(t, name) > 0, name
    assert 0 < t.fcr_ok < t.resolved  # some customers came back about the same reason


@pytest.mark.parametrize("days", [1.5, 3.25, 7.0])
def test_live_projection_equals_full_recompute_at_any_instant(week: list[KpiEvent], days: float) -> None:
    now = START + days * 86_400
    seen = [e for e in week if e.at <= now]
    live = KpiProjection()
    for e in seen:
        live.apply(e)
    assert _nonzero(live.snapshot(now)) == _nonzero(recompute(seen, now))


def test_live_wallboard_figures_equal_recomputed_ones(week: list[KpiEvent]) -> None:
    today = START + 4 * 86_400  # Friday
    live = KpiProjection()
    done = 0
    # The wallboard refreshes while events keep coming: cached intervals must follow every late write
    # (answers to the join interval, FCR revisions to the resolution's, wrap-up, kept callbacks).
    for hour in (8, 9.5, 11, 14.25, 18):
        now = today + hour * 3600
        while done < len(week) and week[done].at <= now:
            live.apply(week[done])
            done += 1
        full = recompute(week[:done], now)
        for by, minutes in ((("queue", "segment"), 15), (("agent",), 60), (("interval", "channel"), 30)):
            board = live.figures(by, since=today, until=now, interval_minutes=minutes)
            expected = roll_up(full, by, interval_minutes=minutes, since=today, until=now)
            assert {g: f.tally.as_dict() for g, f in board.items()} == {
                g: t.as_dict() for g, t in expected.items()
            }
    assert any(f.sl is not None for f in board.values())


def test_other_thresholds_agree_too(week: list[KpiEvent]) -> None:
    cfg = KpiConfig(sl_seconds=60, short_abandon_seconds=10, fcr_days=2)
    sample = week[: len(week) // 3]
    now = sample[-1].at
    live = KpiProjection(cfg)
    live.apply_all(sample)
    assert _nonzero(live.snapshot(now)) == _nonzero(recompute(sample, now, cfg))


def test_columnar_roll_up_agrees_with_the_pure_engine(week: list[KpiEvent]) -> None:
    sample = week[: len(week) // 2]
    pure = {
        k: {c: float(getattr(t, c)) for c in TALLY_COLUMNS}
        for k, t in recompute(sample, sample[-1].at).items()
        if any(getattr(t, c) for c in TALLY_COLUMNS)
    }
    assert as_tallies(rollup(to_frame(sample))) == pure


def test_forgetting_old_contacts_keeps_the_figures(week: list[KpiEvent]) -> None:
    one_day = KpiConfig(fcr_days=1)  # so that a week has contacts old enough to drop
    lean, full = KpiProjection(one_day), KpiProjection(one_day)
    next_night, dropped = START + 86_400, 0
    for e in week[: len(week) // 2]:
        if e.at >= next_night:
            dropped += lean.forget(next_night)
            next_night += 86_400
        lean.apply(e)
        full.apply(e)
    now = week[len(week) // 2 - 1].at
    assert dropped > 0
    assert _nonzero(lean.snapshot(now)) == _nonzero(full.snapshot(now))
