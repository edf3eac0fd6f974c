"""Place in line: honest positions and expected waits, published only when they change."""

from __future__ import annotations

from holdless.routing import (
    ContactLeft,
    ConversationEnded,
    CustomerAway,
    CustomerBack,
    OfferAccepted,
    PlaceInLine,
    PositionUpdate,
    RoutingEngine,
)

from .scenario import agent, contact, engine, offers, positions


def _two_busy_agents() -> RoutingEngine:
    desk = engine(wait_granularity_seconds=1, default_handle_seconds=120)
    for name in ("a", "b"):
        desk.on_event(agent(name), 0)
        desk.on_event(contact(f"busy-{name}"), 0)
        desk.on_event(OfferAccepted(f"busy-{name}", name), 0)
    return desk


def test_new_contact_is_told_its_position_and_wait_at_once() -> None:
    desk = _two_busy_agents()
    desk.on_event(contact("c1"), 1)
    # position 2 × 120 s mean handle time / 2 agents able to take it
    assert desk.on_event(contact("c2"), 2) == [PositionUpdate("c2", 2, 120.0)]
    assert desk.place_in_line("c2") == PlaceInLine(2, 120.0)


def test_expected_wait_follows_recent_handle_times() -> None:
    desk = _two_busy_agents()
    desk.on_event(contact("c1"), 1)
    desk.on_event(contact("c2"), 2)
    desk.on_event(ConversationEnded("busy-a", handle_seconds=20), 3)  # c1 offered; mean 120 → 110
    assert desk.place_in_line("c2") == PlaceInLine(1, 55.0)


def test_expected_wait_is_unknown_when_nobody_able_is_signed_in() -> None:
    desk = engine()
    desk.on_event(contact("c1", language="zh"), 1)
    assert desk.place_in_line("c1") == PlaceInLine(1, None)


def test_only_contacts_whose_figures_changed_are_published() -> None:
    desk = _two_busy_agents()
    for i in range(4):
        desk.on_event(contact(f"c{i}"), 1 + i)
    desk.tick(10)
    assert desk.tick(20) == []  # nothing moved, nothing published
    desk.on_event(ContactLeft("c2"), 21)
    assert positions(desk.tick(22)) == {"c3": 3}  # those ahead of c2 did not move


def test_positions_are_published_on_the_cadence_not_per_decision() -> None:
    desk = _two_busy_agents()
    for i in range(3):
        desk.on_event(contact(f"c{i}"), 1 + i)
    desk.tick(5)
    decisions = desk.on_event(ConversationEnded("busy-a"), 5.1)
    assert offers(decisions) == [("c0", "a")]
    assert positions(decisions) == {}
    assert desk.tick(5.5) == []  # within position_publish_seconds of the last publication
    assert positions(desk.tick(6)) == {"c1": 1, "c2": 2}


def test_away_customer_keeps_their_place_but_is_not_offered_until_back() -> None:
    desk = _two_busy_agents()
    desk.on_event(contact("c1"), 1)
    desk.on_event(contact("c2"), 2)
    desk.on_event(CustomerAway("c1"), 3)
    assert desk.place_in_line("c1") == PlaceInLine(1, 60.0)
    assert offers(desk.on_event(ConversationEnded("busy-a"), 4)) == [("c2", "a")]
    decisions = desk.on_event(CustomerBack("c1"), 5)
    # c1 was told (1, 60 s) when it joined; the 4 s conversation since shortened the mean handle time
    assert decisions == [PositionUpdate("c1", 1, 54.0)]
    assert offers(desk.on_event(ConversationEnded("busy-b"), 6)) == [("c1", "b")]


def test_customer_switching_channel_keeps_their_place() -> None:
    desk = _two_busy_agents()
    desk.on_event(agent("chatter", capacity={"chat": 1}), 0)
    desk.on_event(contact("chat-busy", channel="chat"), 0)
    desk.on_event(OfferAccepted("chat-busy", "chatter"), 0)
    desk.on_event(contact("c1", channel="chat"), 1)
    desk.on_event(contact("c2", channel="voice"), 2)
    desk.on_event(CustomerAway("c1"), 3)
    desk.on_event(CustomerBack("c1", channel="voice"), 4)
    assert desk.line("support") == ("c1", "c2")
    assert offers(desk.on_event(ConversationEnded("busy-a"), 5)) == [("c1", "a")]


def test_supervisor_snapshot_counts_waiting_and_longest_wait_per_segment() -> None:
    desk = _two_busy_agents()
    desk.on_event(contact("s1"), 10)
    desk.on_event(contact("p1", segment="premium"), 20)
    desk.on_event(contact("s2"), 30)
    snap = desk.snapshot(40)
    assert [(q.segment, q.waiting, q.longest_wait_seconds) for q in snap.queues] == [
        ("premium", 1, 20.0),
        ("standard", 2, 30.0),
    ]
    assert desk.longest_wait(40) == 30.0
    assert snap.agents_by_state["available"] == 2


def test_far_back_customers_are_not_woken_for_every_contact_served() -> None:
    desk = engine(republish_share=0.05, exact_positions=10, wait_granularity_seconds=1)
    desk.on_event(agent("a"), 0)
    for i in range(101):
        desk.on_event(contact(f"c{i:03}"), i)
    desk.tick(200)  # c000 is offered to the agent; c100 was told position 100 when it joined
    offered = ["c000"]

    def serve_next(now: float) -> None:
        desk.on_event(OfferAccepted(offered[-1], "a"), now)
        decisions = desk.on_event(ConversationEnded(offered[-1], handle_seconds=150), now)
        offered.extend(contact_id for contact_id, _ in offers(decisions))

    serve_next(201)
    published = positions(desk.tick(202))
    assert "c100" not in published  # 100 → 99: under 5 %
    assert published["c005"] == 4  # near the front every move is told
    for i in range(4):
        serve_next(203 + i)
    assert positions(desk.tick(210))["c100"] == 95
