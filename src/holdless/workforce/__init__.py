"""Workforce planning numerics: Erlang C and Erlang A staffing, one interval or a whole day. Pure, no I/O."""

from holdless.workforce.erlang import QueueFigures, erlang_b, erlang_c, erlang_c_figures
from holdless.workforce.erlang_a import erlang_a_figures
from holdless.workforce.staffing import (
    DayPlan,
    StaffingRequirement,
    StaffingTarget,
    plan_day,
    required_agents,
)

__all__ = [
    "DayPlan",
    "QueueFigures",
    "StaffingRequirement",
    "StaffingTarget",
    "erlang_a_figures",
    "erlang_b",
    "erlang_c",
    "erlang_c_figures",
    "plan_day",
    "required_agents",
]
