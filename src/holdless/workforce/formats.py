"""Text formats of the workforce commands: history and requirement CSVs, the forecast's JSON.

Parsing only (text in, values out; the CLI reads the files). Every mistake names the file's role, the
row and the column, e.g. ``history row 5: arrived_at: not an ISO 8601 time ('yesterday')``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from datetime import datetime, timedelta

import numpy as np

from holdless.errors import Invalid
from holdless.workforce.forecast import (
    INTERVAL_MINUTES,
    Forecast,
    IntervalHistory,
    history_from_contacts,
    history_from_counts,
)
from holdless.workforce.schedule import Requirements


def _rows(text: str, role: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise Invalid(f"{role}: the CSV is empty (it needs a header row)", field=role)
    reader.fieldnames = header
    rows = [row for row in reader if any((value or "").strip() for value in row.values())]
    if not rows:
        raise Invalid(f"{role}: the CSV has a header but no rows", field=role)
    return header, rows


def _time(row: dict[str, str], column: str, where: str) -> datetime:
    text = (row.get(column) or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{where}: {column}: not an ISO 8601 time ({text!r})", field=column) from None
    return moment.replace(tzinfo=None)  # times are read on their own wall clock (the center's local time)


def _number(row: dict[str, str], column: str, where: str, *, optional: bool = False) -> float | None:
    text = (row.get(column) or "").strip()
    if not text and optional:
        return None
    try:
        value = float(text)
    except ValueError:
        raise Invalid(f"{where}: {column}: must be a number ({text!r})", field=column) from None
    if not math.isfinite(value) or value < 0:
        raise Invalid(f"{where}: {column}: must be a number ≥ 0 ({text!r})", field=column)
    return value


def read_history_csv(text: str, interval_minutes: int = 30) -> IntervalHistory:
    """History as one row per contact (``arrived_at[,handle_seconds]``) or per interval
    (``interval_start,contacts[,aht_seconds]``, consecutive intervals of ``interval_minutes``)."""
    if interval_minutes not in INTERVAL_MINUTES:
        raise Invalid("--interval-minutes: must be 15, 30 or 60", field="interval_minutes")
    header, rows = _rows(text, "history")
    if "arrived_at" in header:
        contacts = []
        for number, row in enumerate(rows, start=2):
            where = f"history row {number}"
            handle = (
                _number(row, "handle_seconds", where, optional=True) if "handle_seconds" in header else None
            )
            contacts.append((_time(row, "arrived_at", where), handle))
        return history_from_contacts(contacts, interval_minutes)
    if "interval_start" in header and "contacts" in header:
        step = timedelta(minutes=interval_minutes)
        first = _time(rows[0], "interval_start", "history row 2")
        counts: list[float] = []
        aht: list[float] = []
        for number, row in enumerate(rows, start=2):
            where = f"history row {number}"
            moment = _time(row, "interval_start", where)
            expected = first + (number - 2) * step
            if moment != expected:
                raise Invalid(
                    f"{where}: interval_start: expected {expected.isoformat()} (consecutive "
                    f"{interval_minutes}-minute intervals; see --interval-minutes)",
                    field="interval_start",
                )
            counts.append(_number(row, "contacts", where) or 0.0)
            value = _number(row, "aht_seconds", where, optional=True) if "aht_seconds" in header else None
            aht.append(math.nan if value is None else value)
        has_aht = "aht_seconds" in header
        try:
            return history_from_counts(first, interval_minutes, counts, aht if has_aht else None)
        except Invalid as error:
            raise Invalid(f"history: {error.message}", field=error.field) from None
    raise Invalid(
        "history: the header needs arrived_at (one row per contact) or interval_start and contacts",
        field="history",
    )


def read_requirements_csv(text: str) -> Requirements:
    """People needed per interval: ``interval_start,agents`` rows, consecutive, 15/30/60 minutes apart."""
    header, rows = _rows(text, "requirements")
    for column in ("interval_start", "agents"):
        if column not in header:
            raise Invalid(f"requirements: the header needs a column {column}", field=column)
    times = [_time(row, "interval_start", f"requirements row {n}") for n, row in enumerate(rows, start=2)]
    step = times[1] - times[0] if len(times) > 1 else timedelta(minutes=30)
    minutes = int(step.total_seconds() // 60)
    if minutes not in INTERVAL_MINUTES or step.total_seconds() % 60:
        raise Invalid(
            "requirements row 3: interval_start: intervals must be 15, 30 or 60 minutes apart",
            field="interval_start",
        )
    agents: list[float] = []
    for number, (row, moment) in enumerate(zip(rows, times, strict=True), start=2):
        where = f"requirements row {number}"
        if moment != times[0] + (number - 2) * step:
            raise Invalid(f"{where}: interval_start: intervals must be consecutive", field="interval_start")
        value = _number(row, "agents", where)
        if value is None or value != round(value):
            raise Invalid(f"{where}: agents: must be a whole number ≥ 0", field="agents")
        agents.append(value)
    return Requirements(times[0], minutes, np.asarray(agents, dtype=np.int64))


def forecast_from_json(text: str) -> Forecast:
    """The forecast printed by ``holdless wfm forecast --json`` (its intervals, start and length)."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise Invalid(f"forecast: not valid JSON ({error.msg})", field="forecast") from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("intervals"), list) or not raw["intervals"]:
        raise Invalid("forecast: expected the JSON of `holdless wfm forecast --json`", field="forecast")
    minutes = raw.get("interval_minutes")
    if minutes not in INTERVAL_MINUTES:
        raise Invalid("forecast: interval_minutes must be 15, 30 or 60", field="interval_minutes")
    volume: list[float] = []
    aht: list[float] = []
    for index, item in enumerate(raw["intervals"]):
        where = f"forecast intervals[{index}]"
        if not isinstance(item, Mapping):
            raise Invalid(f"{where}: must be an object", field="intervals")
        for key, bucket in (("volume", volume), ("aht_seconds", aht)):
            value = item.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise Invalid(f"{where}.{key}: must be a number ≥ 0 (got {value!r})", field=key)
            bucket.append(float(value))
    try:
        start = datetime.fromisoformat(str(raw.get("start"))).replace(tzinfo=None)
    except ValueError:
        raise Invalid("forecast: start must be an ISO 8601 time", field="start") from None
    return Forecast(
        start=start,
        interval_minutes=int(minutes),
        volume=np.asarray(volume),
        aht_seconds=np.asarray(aht),
        error=None,
        model=str(raw.get("model", "")),
        training_days=float(raw.get("training_days", 0.0) or 0.0),
    )
