"""Scenario parsing: the issue's example reads as written, and every mistake names its field."""

from __future__ import annotations

from pathlib import Path

import pytest

from holdless.errors import Invalid
from holdless.workforce.scenario import DEFAULT_SEGMENT, ScenarioSegment, parse_scenario, parse_scenario_yaml

ISSUE_EXAMPLE = """
duration_hours: 8
seed: 1
arrivals_per_hour: 400            # Poisson
handle_time: {mean_seconds: 150, distribution: exponential}   # or lognormal with cv
patience: {mean_seconds: 300, distribution: exponential}      # optional; absent = nobody abandons
agents: 20
policy: holdless                  # holdless | fifo | strict-priority
segments:                         # optional; absent = one segment
  - {name: premium, share: 0.2, priority: 10, service_level: {target: 0.9, seconds: 20}}
  - {name: standard, share: 0.8, priority: 1, service_level: {target: 0.8, seconds: 60}}
"""


def base() -> dict[str, object]:
    return {
        "duration_hours": 8,
        "seed": 1,
        "arrivals_per_hour": 400,
        "handle_time": {"mean_seconds": 150},
        "agents": 20,
    }


def test_issue_example_parses() -> None:
    scenario = parse_scenario_yaml(ISSUE_EXAMPLE)
    assert scenario.agents == 20
    assert scenario.policy == "holdless"
    assert scenario.patience is not None
    assert scenario.patience.mean_seconds == 300
    assert scenario.segments == (
        ScenarioSegment("premium", 0.2, 10, 0.9, 20.0),
        ScenarioSegment("standard", 0.8, 1, 0.8, 60.0),
    )


def test_minimal_scenario_has_one_segment_and_nobody_abandons() -> None:
    scenario = parse_scenario(base())
    assert scenario.segments == (DEFAULT_SEGMENT,)
    assert scenario.patience is None
    assert scenario.handle_time.distribution == "exponential"


def test_repository_scenarios_parse() -> None:
    folder = Path(__file__).parents[2] / "scenarios"
    for path in folder.glob("*.yaml"):
        parse_scenario_yaml(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agents": 0}, "agents"),
        ({"agents": 2.5}, "agents"),
        ({"duration_hours": -1}, "duration_hours"),
        ({"arrivals_per_hour": "many"}, "arrivals_per_hour"),
        ({"policy": "random"}, "policy"),
        ({"handle_time": {"mean_seconds": 0}}, "handle_time.mean_seconds"),
        ({"handle_time": {"mean_seconds": 150, "distribution": "gamma"}}, "handle_time.distribution"),
        ({"handle_time": {"mean_seconds": 150, "distribution": "lognormal"}}, "handle_time.cv"),
        ({"patience": {"mean_seconds": -3}}, "patience.mean_seconds"),
        ({"colour": "blue"}, "colour"),
        ({"segments": []}, "segments"),
        (
            {
                "segments": [
                    {
                        "name": "a",
                        "share": 0.5,
                        "priority": 1,
                        "service_level": {"target": 0.8, "seconds": 20},
                    },
                    {
                        "name": "b",
                        "share": -0.5,
                        "priority": 1,
                        "service_level": {"target": 0.8, "seconds": 20},
                    },
                ]
            },
            "segments[1].share",
        ),
        (
            {
                "segments": [
                    {
                        "name": "a",
                        "share": 0.5,
                        "priority": 1,
                        "service_level": {"target": 0.8, "seconds": 20},
                    },
                    {
                        "name": "b",
                        "share": 0.4,
                        "priority": 1,
                        "service_level": {"target": 0.8, "seconds": 20},
                    },
                ]
            },
            "segments",
        ),
        (
            {
                "segments": [
                    {"name": "a", "share": 1, "priority": 1, "service_level": {"target": 2, "seconds": 9}}
                ]
            },
            "segments[0].service_level.target",
        ),
        ({"segments": [{"name": "a", "share": 1, "priority": 1}]}, "segments[0].service_level"),
    ],
)
def test_bad_scenario_names_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_scenario({**base(), **change})
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")


def test_missing_field_and_bad_yaml_are_invalid() -> None:
    raw = base()
    del raw["agents"]
    with pytest.raises(Invalid, match=r"^agents: is required"):
        parse_scenario(raw)
    with pytest.raises(Invalid, match=r"^scenario: not valid YAML"):
        parse_scenario_yaml("agents: [1, 2")
    with pytest.raises(Invalid, match=r"^scenario: must be a mapping"):
        parse_scenario_yaml("- 1\n- 2\n")
