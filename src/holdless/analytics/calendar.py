"""Business calendars: opening hours per weekday in a time zone, holidays, and clocks that pause.

SLA and complaint-commitment clocks run only inside business hours and stop while the conversation waits on
the customer. `business_seconds` measures such a clock between two instants; `due_at` finds the instant a
commitment of N business seconds falls due. Instants are timezone-aware datetimes; pure, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from holdless.errors import Invalid

Window = tuple[time, time]  # [opens, closes) in local time; closes = time(0) means midnight
Pause = tuple[datetime, datetime | None]  # waiting on the customer from … to (None: still waiting)

MAX_DAYS = 3 * 366  # a commitment further than this in calendar days is a configuration error


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """`hours[weekday]` (0 = Monday) lists the day's opening windows; `holidays` are closed all day."""

    zone: str
    hours: Mapping[int, Sequence[Window]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone)
        except (KeyError, ValueError) as e:
            raise Invalid(f"Unknown time zone: {self.zone}.", field="zone") from e
        for weekday, windows in self.hours.items():
            if weekday not in range(7):
                raise Invalid("Weekdays are numbered 0 (Monday) to 6 (Sunday).", field="hours")
            for opens, closes in windows:
                if closes != time(0) and closes <= opens:
                    raise Invalid("Business hours must close after they open.", field="hours")
        if not any(self.hours.values()):
            raise Invalid("A business calendar needs opening hours on at least one weekday.", field="hours")

    @staticmethod
    def weekly(
        zone: str,
        opens: time,
        closes: time,
        weekdays: Sequence[int] = range(5),
        holidays: Iterable[date] = (),
    ) -> BusinessCalendar:
        """The same hours on each of `weekdays` (Monday to Friday unless told)."""
        return BusinessCalendar(zone, dict.fromkeys(weekdays, ((opens, closes),)), frozenset(holidays))

    def open_windows(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The business-open stretches overlapping [start, end), clipped to it, in order (UTC)."""
        zone = ZoneInfo(self.zone)
        day = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date()
        while day <= last:
            if day not in self.holidays:
                for opens, closes in self.hours.get(day.weekday(), ()):
                    a = datetime.combine(day, opens, zone).astimezone(UTC)
                    close_day = day + timedelta(days=1) if closes == time(0) else day
                    b = datetime.combine(close_day, closes, zone).astimezone(UTC)
                    a, b = max(a, start), min(b, end)
                    if a < b:
                        yield a, b
            day += timedelta(days=1)


def _running(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Sequence[Pause]
) -> Iterator[tuple[datetime, datetime]]:
    """Stretches of [start, end) when the clock runs: open, and not waiting on the customer."""
    stops = sorted((a, b if b is not None else end) for a, b in pauses)
    for a, b in calendar.open_windows(start, end):
        cursor = a
        for p, q in stops:
            if q <= cursor or p >= b:
                continue
            if p > cursor:
                yield cursor, p
            cursor = max(cursor, q)
            if cursor >= b:
                break
        if cursor < b:
            yield cursor, b


def business_seconds(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Sequence[Pause] = ()
) -> float:
    """Business time between two instants, minus the waiting-on-customer pauses."""
    _aware(start, end)
    if end <= start:
        return 0.0
    return sum((b - a).total_seconds() for a, b in _running(calendar, start, end, pauses))


def due_at(
    calendar: BusinessCalendar, start: datetime, seconds: float, pauses: Sequence[Pause] = ()
) -> datetime | None:
    """The instant `seconds` of business time after `start` (pauses skipped); None while the clock is
    stopped by an open pause before the commitment is met."""
    _aware(start)
    if seconds < 0:
        raise Invalid("A commitment cannot be negative.", field="seconds")
    left = seconds
    step = timedelta(days=7)
    cursor, limit = start, start + timedelta(days=MAX_DAYS)
    open_pause = min((p for p, q in pauses if q is None), default=None)
    while cursor < limit:
        stop = cursor + step
        for a, b in _running(calendar, cursor, stop, pauses):
            span = (b - a).total_seconds()
            if span >= left:
                return a + timedelta(seconds=left)
            left -= span
        if open_pause is not None and open_pause < stop:
            return None
        cursor = stop
    raise Invalid("The commitment does not fall due within three years of business time.", field="seconds")


def _aware(*instants: datetime) -> None:
    if any(i.tzinfo is None for i in instants):
        raise Invalid("Instants must carry a time zone.")
