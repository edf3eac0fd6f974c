"""Done-means 1: the hand-built day (fixture_day.py) gives exactly the KPIs worked out by hand below.

Each figure is checked from the full recompute, the live projection and (where it computes it) the columnar
roll-up, so the three engines are held to the same hand-made numbers.
"""

from __future__ import annotations

import pytest

from holdless.analytics.columnar import TALLY_COLUMNS, rollup, to_frame
from holdless.analytics.kpis import Figures, Tally, roll_up, total
from holdless.analytics.projections import KpiProjection
from holdless.analytics.recompute import recompute

from .fixture_day import DAY, UNTIL, at, events


def _pure_day() -> dict[str, Figures]:
    day = recompute(events(), UNTIL)
    live = KpiProjection()
    live.apply_all(events())
    return {
        "recompute": Figures.of(total(day.values())),
        "projection": Figures.of(total(live.snapshot(UNTIL).values())),
    }


@pytest.fixture(scope="module")
def day() -> dict[str, Figures]:
    return _pure_day()


@pytest.fixture(scope="module")
def columnar_day() -> Tally:
    rolled = rollup(to_frame(events()))
    sums = rolled.select(TALLY_COLUMNS).sum().row(0, named=True)
    t = Tally()
    for name, value in sums.items():
        setattr(t, name, value)
    return t


ENGINES = ["recompute", "projection"]


@pytest.mark.parametrize("engine", ENGINES)
def test_service_level_counts_answers_within_t_over_answered_plus_late_abandons(
    day: dict[str, Figures], engine: str
) -> None:
    # Answered: C1 15 s, C4 30 s, C5 10 s, C7 20 s, C8 60 s, C9 1800 s → 6; within 20 s: C1, C5, C7 → 3.
    # Abandoned after 20 s: C3 (40 s), C10 (3600 s) → 2. C2 (3 s) is a short abandon: out.
    # SL 20 s = 3 / (6 + 2) = 0.375
    assert day[engine].sl == 0.375


@pytest.mark.parametrize("engine", ENGINES)
def test_asa_is_the_mean_wait_of_answered_contacts(day: dict[str, Figures], engine: str) -> None:
    # (15 + 30 + 10 + 20 + 60 + 1800) / 6 = 1935 / 6 = 322.5 s
    assert day[engine].asa == 322.5


@pytest.mark.parametrize("engine", ENGINES)
def test_abandonment_excludes_short_abandons_and_away_customers(day: dict[str, Figures], engine: str) -> None:
    # Joined the queue: C1 C2 C3 C4 C5 C7 C8 C9 C10 C12 = 10 (C6 and C11 stayed with the bot).
    # Left before an answer: C3, C10 = 2 (C2 is short: out of both; C5 and C12 were away: not abandoned).
    # 2 / (10 − 1) = 2/9
    assert day[engine].abandonment == pytest.approx(2 / 9)
    assert day[engine].tally.joined == 10
    assert day[engine].tally.short_abandons == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_aht_sums_agent_active_time_and_wrap_up(day: dict[str, Figures], engine: str) -> None:
    # C1: ann 09:00:10→09:05:15 = 305 s + 60 s wrap-up = 365
    # C4: bob 09:03:30→09:08:30 = 300
    # C5: ann 09:04:05→09:06:00 = 115, paused while away 09:06→09:16, ann 09:16→09:20 = 240,
    #     bob 09:20→09:25 = 300 → 655
    # C7: 300; C8: 13:00:50→13:11:00 = 610; C9: 300. Handled 6, sum 2530 → 421.67 s
    assert day[engine].aht == pytest.approx(2530 / 6)
    # Transfer rate: C5 of the 6 handled = 1/6
    assert day[engine].transfer_rate == pytest.approx(1 / 6)


@pytest.mark.parametrize("engine", ENGINES)
def test_occupancy_is_handling_time_over_available_or_handling_time(
    day: dict[str, Figures], engine: str
) -> None:
    # ann handling (union): [09:00:10, 09:06:00) = 350 s (C1 then C5 overlapping), [09:16:00, 09:22:20)
    #   = 380 s (C5, C7 overlapping) → 730 s; available 08:55→17:00 = 29,100 s.
    # bob handling: 300 (C4) + 300 (C5) + 610 (C8) + 300 (C9) = 1510 s; available 09–12 and 13–17 = 25,200 s.
    # (730 + 1510) / (29,100 + 25,200) = 2240 / 54,300. (Wrap-up is in AHT, not in occupancy.)
    assert day[engine].occupancy == pytest.approx(2240 / 54_300)


@pytest.mark.parametrize("engine", ENGINES)
def test_fcr_and_ttr_follow_the_customer_across_channels(day: dict[str, Figures], engine: str) -> None:
    # Resolved: C1 C4 C5 C6 C7 C8 C9 = 7. cu1 came back by email (C8) about "refund" 4 h after C1 was
    # resolved on webchat: C1 is not first-contact. C7 is also "refund" but another customer.
    # FCR = 6 / 7
    assert day[engine].fcr == pytest.approx(6 / 7)
    # TTR over the chains that ended: C4 330, C5 1260, C6 120, C7 440, C9 2100, and C1→C8 from C1's
    # creation 09:00:00 to C8's resolution 13:11:00 = 15,060 → 19,310 / 6
    assert day[engine].ttr == pytest.approx(19_310 / 6)


@pytest.mark.parametrize("engine", ENGINES)
def test_survey_figures(day: dict[str, Figures], engine: str) -> None:
    # CSAT 5, 3, 4 → 4–5 share 2/3. NPS 10, 6, 9 → promoters 2, detractors 1 → (2 − 1)/3 = 33.3 points.
    # CES 6, 3, 2 → 11/3
    f = day[engine]
    assert f.csat == pytest.approx(2 / 3)
    assert f.nps == pytest.approx(100 / 3)
    assert f.ces == pytest.approx(11 / 3)


@pytest.mark.parametrize("engine", ENGINES)
def test_containment_and_callback_kept_rate(day: dict[str, Figures], engine: str) -> None:
    # The bot handled C6 (resolved it), C7 (handed to the billing queue), C11 (customer left) → 1/3.
    assert day[engine].containment == pytest.approx(1 / 3)
    # Callbacks promised: C9 (kept), C10 (broken) → 1/2
    assert day[engine].callback_kept_rate == 0.5


def test_columnar_roll_up_gives_the_same_hand_counts(columnar_day: Tally) -> None:
    f = Figures.of(columnar_day)
    assert f.sl == 0.375
    assert f.asa == 322.5
    assert f.abandonment == pytest.approx(2 / 9)
    assert f.aht == pytest.approx(2530 / 6)
    assert f.fcr == pytest.approx(6 / 7)
    assert f.ttr == pytest.approx(19_310 / 6)
    assert f.occupancy == pytest.approx(2240 / 54_300)
    assert (f.csat, f.nps, f.ces) == (pytest.approx(2 / 3), pytest.approx(100 / 3), pytest.approx(11 / 3))
    assert f.containment == pytest.approx(1 / 3)
    assert f.callback_kept_rate == 0.5


def test_slices_by_queue_agent_language_and_hour() -> None:
    tallies = recompute(events(), UNTIL)
    by_queue = {k[0]: Figures.of(t) for k, t in roll_up(tallies, ("queue",)).items()}
    # billing: answered C1 15, C4 30, C7 20, C8 60 (2 within 20 s); abandoned after T: C3, C10 → 2/6
    assert by_queue["billing"].sl == pytest.approx(2 / 6)
    # tech: answered C5 10, C9 1800 → SL 1/2, ASA 905
    assert by_queue["tech"].sl == 0.5
    assert by_queue["tech"].asa == 905
    by_agent = {k[0]: Figures.of(t) for k, t in roll_up(tallies, ("agent",)).items()}
    # Resolved by ann: C1 365, C7 300 → 332.5; by bob: C4 300, C5 655, C8 610, C9 300 → 466.25
    assert by_agent["ann"].aht == 332.5
    assert by_agent["bob"].aht == 466.25
    assert by_agent["ann"].occupancy == pytest.approx(730 / 29_100)
    by_language = {k[0]: Figures.of(t) for k, t in roll_up(tallies, ("language",)).items()}
    assert by_language["ru"].csat == 1.0  # C5's 4
    hourly = roll_up(tallies, ("interval",), interval_minutes=60)
    nine = Figures.of(hourly[(int(at("09:00:00")),)])
    # Joined 09:00–10:00: C1 C2 C3 C4 C5 C7; answered C1 C4 C5 C7 (3 within T), C3 abandoned after T → 3/5
    assert nine.sl == 0.6
    quarter = roll_up(tallies, ("interval", "queue"), interval_minutes=15, since=DAY, until=UNTIL)
    # 09:15–09:30 billing: only C7 joined (09:17:00) and was answered in 20 s
    assert Figures.of(quarter[(int(at("09:15:00")), "billing")]).sl == 1.0
