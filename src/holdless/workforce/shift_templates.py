"""Shift templates read from YAML (or any mapping): every mistake names its field, e.g. ``shifts[1].hours``.

```yaml
shifts:
  - name: full            # unique
    hours: 8              # length, including the break
    cost: 8               # optional; default: paid hours (length minus break)
    starts: ["07:00-10:00", "14:00"]   # optional windows or times; default: any interval
    days: [mon, tue, wed, thu, fri]    # optional; default: every day
    break: {minutes: 30, after_hours: 3, before_hours: 5}   # optional, unpaid; starts in that window
  - {name: part, hours: 4, cost: 4.4}
```
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import yaml

from holdless.errors import Invalid
from holdless.workforce.schedule import WEEKDAYS, ShiftTemplate

_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_KNOWN = {"name", "hours", "cost", "starts", "days", "break"}
_BREAK_KNOWN = {"minutes", "after_hours", "before_hours"}


def _invalid(where: str, message: str) -> Invalid:
    return Invalid(f"{where}: {message}", field=where)


def parse_shift_templates_yaml(text: str) -> tuple[ShiftTemplate, ...]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        first_line = str(error).splitlines()[0] if str(error) else "unreadable"
        raise _invalid("shifts", f"not valid YAML ({first_line})") from None
    return parse_shift_templates(raw)


def parse_shift_templates(raw: object) -> tuple[ShiftTemplate, ...]:
    """Templates from ``{"shifts": [...]}`` or the list itself."""
    if isinstance(raw, Mapping):
        if set(raw) != {"shifts"}:
            raise _invalid("shifts", "the file must hold one key, shifts, with a list of shift templates")
        raw = raw["shifts"]
    if not isinstance(raw, list) or not raw:
        raise _invalid("shifts", "must be a non-empty list of shift templates")
    templates: list[ShiftTemplate] = []
    for index, item in enumerate(raw):
        where = f"shifts[{index}]"
        if not isinstance(item, Mapping):
            raise _invalid(where, "must be a mapping (name, hours, …)")
        unknown = sorted(str(key) for key in item if key not in _KNOWN)
        if unknown:
            raise _invalid(f"{where}.{unknown[0]}", f"unknown field; known: {', '.join(sorted(_KNOWN))}")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _invalid(f"{where}.name", "must be a non-empty text")
        if any(template.name == name for template in templates):
            raise _invalid(f"{where}.name", f"{name!r} is listed twice")
        hours = _number(item.get("hours"), f"{where}.hours", positive=True)
        cost = None if item.get("cost") is None else _number(item["cost"], f"{where}.cost", positive=False)
        starts = None if item.get("starts") is None else _starts(item["starts"], f"{where}.starts")
        days = None if item.get("days") is None else _days(item["days"], f"{where}.days")
        pause, earliest, latest = _break(item.get("break"), f"{where}.break")
        try:
            templates.append(
                ShiftTemplate(
                    name=name,
                    length_minutes=_minutes(hours * 60.0, f"{where}.hours"),
                    cost=cost,
                    starts=starts,
                    days=days,
                    break_minutes=pause,
                    break_earliest=earliest,
                    break_latest=latest,
                )
            )
        except Invalid as error:  # the template names itself; the file's reader wants the list index
            field = (error.field or "").replace(f"shifts.{name}", where)
            raise _invalid(field, error.message.split(": ", 1)[-1]) from None
    return tuple(templates)


def _number(value: object, where: str, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _invalid(where, f"must be a number (got {value!r})")
    if value < 0 or (positive and value == 0):
        raise _invalid(where, f"must be a number {'>' if positive else '≥'} 0 (got {value!r})")
    return float(value)


def _minutes(value: float, where: str) -> int:
    if abs(value - round(value)) > 1e-6:
        raise _invalid(where, "must be a whole number of minutes")
    return round(value)


def _clock(text: str, where: str) -> int:
    match = _TIME.match(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise _invalid(where, f"times are HH:MM, 00:00 to 23:59 (got {text!r})")
    return int(match[1]) * 60 + int(match[2])


def _starts(raw: object, where: str) -> tuple[tuple[int, int], ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items:
        raise _invalid(where, "must be a time, a window HH:MM-HH:MM or a list of them")
    windows: list[tuple[int, int]] = []
    for item in items:
        if not isinstance(item, str):
            raise _invalid(where, f'times are texts like "07:30" or "07:00-10:00" (got {item!r})')
        low, _, high = item.partition("-")
        start = _clock(low, where)
        end = _clock(high, where) if high else start
        if end < start:
            raise _invalid(where, f"a window must end after it starts (got {item!r})")
        windows.append((start, end))
    return tuple(windows)


def _days(raw: object, where: str) -> tuple[int, ...]:
    if not isinstance(raw, list) or not raw:
        raise _invalid(where, f"must be a list of weekdays ({', '.join(WEEKDAYS)})")
    days: list[int] = []
    for item in raw:
        key = str(item).strip().lower()[:3]
        if key not in WEEKDAYS:
            raise _invalid(where, f"weekdays are {', '.join(WEEKDAYS)} (got {item!r})")
        days.append(WEEKDAYS.index(key))
    return tuple(sorted(set(days)))


def _break(raw: object, where: str) -> tuple[int, int, int]:
    if raw is None:
        return 0, 0, 0
    if not isinstance(raw, Mapping):
        raise _invalid(where, "must be a mapping: minutes, after_hours, before_hours")
    unknown = sorted(str(key) for key in raw if key not in _BREAK_KNOWN)
    if unknown:
        raise _invalid(f"{where}.{unknown[0]}", f"unknown field; known: {', '.join(sorted(_BREAK_KNOWN))}")
    pause = _minutes(_number(raw.get("minutes"), f"{where}.minutes", positive=True), f"{where}.minutes")
    after = _number(raw.get("after_hours", 0), f"{where}.after_hours", positive=False)
    before = _number(raw.get("before_hours", after), f"{where}.before_hours", positive=False)
    if before < after:
        raise _invalid(f"{where}.before_hours", "must be ≥ after_hours")
    return (
        pause,
        _minutes(after * 60.0, f"{where}.after_hours"),
        _minutes(before * 60.0, f"{where}.before_hours"),
    )
