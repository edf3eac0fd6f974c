"""KPI definitions (product.md, "KPI definitions"), as additive tallies and the figures computed from them.

Every KPI is a ratio of sums, so the engines keep one `Tally` per finest slice — 15-minute interval × queue ×
segment × channel × agent × language — and `roll_up` adds slices together for any coarser report (30 or
60 minutes, per queue, per agent…). Which instant and which slice each count belongs to:

- SL, ASA, abandonment: the interval and queue/segment where the contact *joined the queue* (agent "").
- AHT, transfer rate, FCR, TTR: the instant the contact was *resolved*, with the resolving agent.
- CSAT, NPS, CES: the instant the answer came; containment: the instant the virtual agent's part ended;
  callback kept rate: the instant the callback was promised; occupancy: the time itself, per agent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

BASE_INTERVAL = 15 * 60  # seconds; reports roll 15-minute slices up to 30 and 60 minutes
DIMENSIONS = ("interval", "queue", "segment", "channel", "agent", "language")

# (interval start in epoch seconds, queue, segment, channel, agent, language)
SliceKey = tuple[int, str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class KpiConfig:
    sl_seconds: float = 20.0  # T of "SL X/T"
    short_abandon_seconds: float = 5.0  # abandons sooner than this are excluded
    fcr_days: float = 7.0

    @property
    def fcr_seconds(self) -> float:
        return self.fcr_days * 86_400.0


def interval_of(at: float, seconds: int = BASE_INTERVAL) -> int:
    return int(at // seconds) * seconds


@dataclass(slots=True)
class Tally:
    """Additive counts and sums; `Figures.of` turns them into the KPIs."""

    joined: int = 0  # contacts that joined the queue
    answered: int = 0  # … answered by a person
    answered_in_t: int = 0  # … within T seconds of joining
    wait_sum: float = 0.0  # seconds from joining to the first answer, over answered contacts
    abandoned: int = 0  # left before a person answered, after at least the short-abandon threshold
    abandoned_after_t: int = 0
    short_abandons: int = 0
    resolved: int = 0
    fcr_ok: int = 0  # resolved with no new contact from the customer about the same reason within 7 days
    ttr_count: int = 0  # resolutions that ended their chain of contacts
    ttr_sum: float = 0.0
    handled: int = 0  # resolved contacts a person worked on
    handle_sum: float = 0.0  # agent-active seconds + after-contact work
    transferred: int = 0  # handled contacts transferred at least once
    busy_seconds: float = 0.0  # agents handling at least one contact
    staffed_seconds: float = 0.0  # agents available or handling
    csat_n: int = 0
    csat_good: int = 0  # answers 4 or 5
    nps_n: int = 0
    nps_promoters: int = 0  # 9–10
    nps_detractors: int = 0  # 0–6
    ces_n: int = 0
    ces_sum: float = 0.0
    bot_handled: int = 0
    bot_contained: int = 0
    callbacks_promised: int = 0
    callbacks_kept: int = 0

    def add(self, other: Tally) -> None:
        # Spelled out: this is the inner loop of every roll-up (a generic getattr loop is ~5x slower).
        self.joined += other.joined
        self.answered += other.answered
        self.answered_in_t += other.answered_in_t
        self.wait_sum += other.wait_sum
        self.abandoned += other.abandoned
        self.abandoned_after_t += other.abandoned_after_t
        self.short_abandons += other.short_abandons
        self.resolved += other.resolved
        self.fcr_ok += other.fcr_ok
        self.ttr_count += other.ttr_count
        self.ttr_sum += other.ttr_sum
        self.handled += other.handled
        self.handle_sum += other.handle_sum
        self.transferred += other.transferred
        self.busy_seconds += other.busy_seconds
        self.staffed_seconds += other.staffed_seconds
        self.csat_n += other.csat_n
        self.csat_good += other.csat_good
        self.nps_n += other.nps_n
        self.nps_promoters += other.nps_promoters
        self.nps_detractors += other.nps_detractors
        self.ces_n += other.ces_n
        self.ces_sum += other.ces_sum
        self.bot_handled += other.bot_handled
        self.bot_contained += other.bot_contained
        self.callbacks_promised += other.callbacks_promised
        self.callbacks_kept += other.callbacks_kept

    def copy(self) -> Tally:
        t = Tally()
        t.add(self)
        return t

    def as_dict(self) -> dict[str, float]:
        return {f: getattr(self, f) for f in _FIELDS}


_FIELDS = tuple(f.name for f in fields(Tally))


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


@dataclass(frozen=True, slots=True)
class Figures:
    """The KPIs of one slice; None where the denominator is empty. Rates are shares (0–1), NPS in points."""

    sl: float | None
    asa: float | None
    abandonment: float | None
    aht: float | None
    occupancy: float | None
    fcr: float | None
    ttr: float | None
    ces: float | None
    csat: float | None
    nps: float | None
    containment: float | None
    transfer_rate: float | None
    callback_kept_rate: float | None
    tally: Tally = field(compare=False)

    @staticmethod
    def of(t: Tally) -> Figures:
        return Figures(
            # SL: answered within T / (answered + abandoned after T); short abandons never count.
            sl=_ratio(t.answered_in_t, t.answered + t.abandoned_after_t),
            asa=_ratio(t.wait_sum, t.answered),
            # Abandonment: left before an answer / joined the queue, short abandons out of both.
            abandonment=_ratio(t.abandoned, t.joined - t.short_abandons),
            aht=_ratio(t.handle_sum, t.handled),
            occupancy=_ratio(t.busy_seconds, t.staffed_seconds),
            fcr=_ratio(t.fcr_ok, t.resolved),
            ttr=_ratio(t.ttr_sum, t.ttr_count),
            ces=_ratio(t.ces_sum, t.ces_n),
            csat=_ratio(t.csat_good, t.csat_n),
            nps=None if not t.nps_n else 100.0 * (t.nps_promoters - t.nps_detractors) / t.nps_n,
            containment=_ratio(t.bot_contained, t.bot_handled),
            transfer_rate=_ratio(t.transferred, t.handled),
            callback_kept_rate=_ratio(t.callbacks_kept, t.callbacks_promised),
            tally=t,
        )


def roll_up(
    tallies: Mapping[SliceKey, Tally],
    by: Sequence[str] = (),
    *,
    interval_minutes: int = 15,
    since: float | None = None,
    until: float | None = None,
) -> dict[tuple[str | int, ...], Tally]:
    """Add the finest slices into the report's slices: `by` names DIMENSIONS, in the order wanted.

    `since`/`until` keep the 15-minute slices that start in [since, until): name the window in every report.
    """
    if interval_minutes not in (15, 30, 60):
        raise ValueError("interval_minutes must be 15, 30 or 60")
    unknown = set(by) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimensions: {sorted(unknown)}")
    positions = [DIMENSIONS.index(d) for d in by]
    step = interval_minutes * 60
    out: dict[tuple[str | int, ...], Tally] = {}
    for key, tally in tallies.items():
        if (since is not None and key[0] < since) or (until is not None and key[0] >= until):
            continue
        group = tuple(interval_of(key[0], step) if p == 0 else key[p] for p in positions)
        into = out.get(group)
        if into is None:
            out[group] = tally.copy()
        else:
            into.add(tally)
    return out


def total(tallies: Iterable[Tally]) -> Tally:
    out = Tally()
    for t in tallies:
        out.add(t)
    return out
