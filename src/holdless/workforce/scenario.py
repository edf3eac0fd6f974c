"""A simulation scenario: the workload, the staff and the routing policy, as frozen values.

Parsed from YAML text or a plain mapping with the keys of ``holdless simulate SCENARIO.yaml`` (see
``docs/workforce.md``). Every mistake raises ``Invalid`` whose message starts with the field's path,
e.g. ``segments[1].share: must be a number > 0``. Parsing text is pure (no file is read here).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from holdless.errors import Invalid

POLICIES = ("holdless", "fifo", "strict-priority")
DISTRIBUTIONS = ("exponential", "lognormal")
_SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class TimeDistribution:
    """Handle times or patience: a mean in seconds, exponential or lognormal with coefficient of variation."""

    mean_seconds: float
    distribution: str = "exponential"
    cv: float = 1.0


@dataclass(frozen=True, slots=True)
class ScenarioSegment:
    """A class of customers: share of arrivals, routing priority and service-level target (X within T s)."""

    name: str
    share: float
    priority: int
    target: float
    seconds: float


DEFAULT_SEGMENT = ScenarioSegment("default", share=1.0, priority=1, target=0.8, seconds=20.0)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One simulated day (or any span): Poisson arrivals, handle times, patience, agents and a policy."""

    duration_hours: float
    seed: int
    arrivals_per_hour: float
    handle_time: TimeDistribution
    agents: int
    policy: str = "holdless"
    patience: TimeDistribution | None = None  # None: nobody abandons
    segments: tuple[ScenarioSegment, ...] = (DEFAULT_SEGMENT,)


def parse_scenario_yaml(text: str) -> Scenario:
    """Parse a scenario from YAML text."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        first_line = str(error).splitlines()[0] if str(error) else "unreadable"
        raise Invalid(f"scenario: not valid YAML ({first_line})", field="scenario") from None
    return parse_scenario(raw)


def parse_scenario(raw: object) -> Scenario:
    """Parse a scenario from a mapping (as loaded from YAML or JSON)."""
    root = _mapping(raw, "scenario")
    _no_unknown(
        root,
        "",
        {
            "duration_hours",
            "seed",
            "arrivals_per_hour",
            "handle_time",
            "patience",
            "agents",
            "policy",
            "segments",
            "service_level",
        },
    )
    duration = _number(root, "duration_hours", "duration_hours", positive=True)
    seed = _integer(root, "seed", "seed", minimum=0)
    arrivals = _number(root, "arrivals_per_hour", "arrivals_per_hour", positive=False)
    agents = _integer(root, "agents", "agents", minimum=1)
    policy = root.get("policy", "holdless")
    if policy not in POLICIES:
        raise _invalid("policy", f"must be one of {', '.join(POLICIES)} (got {policy!r})")
    handle = _distribution(_required(root, "handle_time", "handle_time"), "handle_time")
    patience_raw = root.get("patience")
    patience = None if patience_raw is None else _distribution(patience_raw, "patience")
    if "segments" in root and "service_level" in root:
        raise _invalid("service_level", "give it per segment when segments are listed")
    if "segments" in root:
        segments = _segments(root["segments"])
    elif "service_level" in root:
        target, seconds = _service_level(root["service_level"], "service_level")
        segments = (ScenarioSegment("default", 1.0, 1, target, seconds),)
    else:
        segments = (DEFAULT_SEGMENT,)
    return Scenario(duration, seed, arrivals, handle, agents, str(policy), patience, segments)


def _segments(raw: object) -> tuple[ScenarioSegment, ...]:
    if not isinstance(raw, list) or not raw:
        raise _invalid("segments", "must be a non-empty list")
    segments: list[ScenarioSegment] = []
    for index, item in enumerate(raw):
        where = f"segments[{index}]"
        entry = _mapping(item, where)
        _no_unknown(entry, where, {"name", "share", "priority", "service_level"})
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _invalid(f"{where}.name", "must be a non-empty text")
        if any(segment.name == name for segment in segments):
            raise _invalid(f"{where}.name", f"{name!r} is listed twice")
        share = _number(entry, "share", f"{where}.share", positive=True)
        if share > 1.0:
            raise _invalid(f"{where}.share", "must be at most 1")
        priority = _integer(entry, "priority", f"{where}.priority", minimum=None)
        target, seconds = _service_level(_required(entry, "service_level", where), f"{where}.service_level")
        segments.append(ScenarioSegment(name, share, priority, target, seconds))
    total = sum(segment.share for segment in segments)
    if abs(total - 1.0) > _SHARE_TOLERANCE:
        raise _invalid("segments", f"shares must add up to 1 (they add up to {total:g})")
    return tuple(segments)


def _service_level(raw: object, where: str) -> tuple[float, float]:
    entry = _mapping(raw, where)
    _no_unknown(entry, where, {"target", "seconds"})
    target = _number(entry, "target", f"{where}.target", positive=True)
    if target > 1.0:
        raise _invalid(f"{where}.target", "must be a share in (0, 1]")
    seconds = _number(entry, "seconds", f"{where}.seconds", positive=True)
    return target, seconds


def _distribution(raw: object, where: str) -> TimeDistribution:
    entry = _mapping(raw, where)
    _no_unknown(entry, where, {"mean_seconds", "distribution", "cv"})
    mean = _number(entry, "mean_seconds", f"{where}.mean_seconds", positive=True)
    kind = entry.get("distribution", "exponential")
    if kind not in DISTRIBUTIONS:
        raise _invalid(f"{where}.distribution", f"must be one of {', '.join(DISTRIBUTIONS)} (got {kind!r})")
    if kind == "exponential":
        if "cv" in entry:
            raise _invalid(f"{where}.cv", "only applies to the lognormal distribution (exponential has cv 1)")
        return TimeDistribution(mean, "exponential", 1.0)
    cv = _number(entry, "cv", f"{where}.cv", positive=True)
    return TimeDistribution(mean, "lognormal", cv)


# --- field readers ------------------------------------------------------------------------------------


def _invalid(where: str, message: str) -> Invalid:
    return Invalid(f"{where}: {message}", field=where)


def _mapping(raw: object, where: str) -> Mapping[str, object]:
    if not isinstance(raw, Mapping) or not all(isinstance(key, str) for key in raw):
        raise _invalid(where, "must be a mapping of names to values")
    return raw


def _no_unknown(entry: Mapping[str, object], where: str, known: set[str]) -> None:
    for key in entry:
        if key not in known:
            path = f"{where}.{key}" if where else key
            raise _invalid(path, f"unknown field; known: {', '.join(sorted(known))}")


def _required(entry: Mapping[str, object], key: str, where: str) -> object:
    if key not in entry or entry[key] is None:
        path = where if where.endswith(key) else f"{where}.{key}"
        raise _invalid(path, "is required")
    return entry[key]


def _number(entry: Mapping[str, object], key: str, where: str, *, positive: bool) -> float:
    value = _required(entry, key, where)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _invalid(where, f"must be a finite number (got {value!r})")
    if positive and value <= 0:
        raise _invalid(where, f"must be a number > 0 (got {value!r})")
    if value < 0:
        raise _invalid(where, f"must be a number ≥ 0 (got {value!r})")
    return float(value)


def _integer(entry: Mapping[str, object], key: str, where: str, *, minimum: int | None) -> int:
    value = _required(entry, key, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(where, f"must be a whole number (got {value!r})")
    if minimum is not None and value < minimum:
        raise _invalid(where, f"must be ≥ {minimum} (got {value!r})")
    return value
