"""In which order waiting contacts are served: priority, segment floors, anger, named policies."""

from __future__ import annotations

import pytest

from holdless.routing import ConversationEnded, OfferAccepted, PriorityChanged, RoutingEngine

from .scenario import agent, contact, engine, offers


def _busy_desk(policy: str = "holdless") -> RoutingEngine:
    """One agent, busy with a first contact, so that everything after it waits."""
    desk = engine(policy=policy)
    desk.on_event(agent("a"), 0)
    desk.on_event(contact("first"), 0)
    desk.on_event(OfferAccepted("first", "a"), 0)
    return desk


def _next_served(desk: RoutingEngine, now: float, finishing: str = "first") -> str:
    [(contact_id, agent_id)] = offers(desk.on_event(ConversationEnded(finishing), now))
    desk.on_event(OfferAccepted(contact_id, agent_id), now)
    return contact_id


def test_premium_contact_is_served_before_a_standard_one_that_came_earlier() -> None:
    desk = _busy_desk()
    desk.on_event(contact("standard", segment="standard"), 1)
    desk.on_event(contact("premium", segment="premium"), 2)
    assert _next_served(desk, 10) == "premium"


def test_premium_contact_overtakes_only_until_standard_floor_is_at_risk() -> None:
    # standard target 60 s, at risk after 0.7·60 = 42 s; premium target 20 s, at risk after 14 s
    desk = _busy_desk()
    desk.on_event(contact("standard", segment="standard"), 0)
    desk.on_event(contact("premium", segment="premium"), 41)
    assert desk.line("support") == ("premium", "standard")
    desk.tick(42)  # the standard contact's floor is now at risk: deadline 60 beats premium's 61
    assert desk.line("support") == ("standard", "premium")
    assert _next_served(desk, 43) == "standard"


def test_at_risk_contacts_are_served_earliest_deadline_first() -> None:
    desk = _busy_desk()
    desk.on_event(contact("standard", segment="standard"), 0)  # deadline 60
    desk.on_event(contact("premium", segment="premium"), 30)  # deadline 50
    desk.tick(55)
    assert desk.line("support") == ("premium", "standard")


def test_angry_contact_moves_ahead_of_calm_ones_of_its_segment() -> None:
    desk = _busy_desk()
    for i in range(3):
        desk.on_event(contact(f"calm{i}"), 1 + i)
    desk.on_event(contact("angry"), 10)
    desk.on_event(PriorityChanged("angry", angry=True), 11)  # counts as if it joined 30 s earlier
    assert desk.line("support")[0] == "angry"
    desk.on_event(PriorityChanged("angry", angry=False), 12)
    assert desk.line("support")[-1] == "angry"


def test_fifo_policy_ignores_segments() -> None:
    desk = _busy_desk("fifo")
    desk.on_event(contact("standard", segment="standard"), 1)
    desk.on_event(contact("premium", segment="premium"), 2)
    assert _next_served(desk, 10) == "standard"


def test_strict_priority_policy_lets_premium_overtake_even_a_standard_floor_at_risk() -> None:
    desk = _busy_desk("strict-priority")
    desk.on_event(contact("standard", segment="standard"), 0)
    desk.on_event(contact("premium", segment="premium"), 59)
    assert _next_served(desk, 100) == "premium"


def test_unknown_policy_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="fifo, holdless, strict-priority"):
        engine(policy="random")


def test_unknown_segment_gets_the_basic_level_instead_of_being_refused() -> None:
    desk = _busy_desk()
    desk.on_event(contact("typo", segment="platinum"), 1)
    assert desk.waiting_counts() == {("support", "standard"): 1}


def test_contacts_that_joined_at_the_same_moment_are_ordered_by_id() -> None:
    desk = _busy_desk()
    for contact_id in ("c", "a", "b"):
        desk.on_event(contact(contact_id), 5)
    assert desk.line("support") == ("a", "b", "c")


def test_opt_in_late_contact_gives_way_to_an_on_time_one_then_goes_first_once_overdue() -> None:
    # late_yield_factor 3: a standard contact (target 60 s) past its deadline gives way until 3·60 s
    desk = engine(late_yield_factor=3.0)
    desk.on_event(agent("a"), 0)
    desk.on_event(contact("first"), 0)
    desk.on_event(OfferAccepted("first", "a"), 0)
    desk.on_event(contact("late", segment="standard"), 0)  # deadline 60
    desk.on_event(contact("on-time", segment="premium"), 65)  # deadline 85
    assert _next_served(desk, 70) == "on-time"  # plain EDF would serve "late" (deadline 60) first
    desk.on_event(contact("fresh", segment="premium"), 180)  # on time (deadline 200), normal band
    assert _next_served(desk, 185, finishing="on-time") == "late"  # waited 185 s ≥ 3·60: overdue


def test_late_contacts_do_not_give_way_by_default() -> None:
    desk = _busy_desk()
    desk.on_event(contact("late", segment="standard"), 0)
    desk.on_event(contact("on-time", segment="premium"), 65)
    assert _next_served(desk, 70) == "late"
