"""Who gets offered a contact: skills, language, capacity, state, selection rule, sticky agent, offers."""

from __future__ import annotations

from holdless.routing import (
    AgentState,
    ContactLeft,
    ConversationEnded,
    ConversationTransferred,
    Offer,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    OfferTimedOut,
    OfferWithdrawn,
    Rejected,
)

from .scenario import agent, contact, engine, offers


def test_contact_goes_only_to_an_agent_with_the_skill_at_the_required_level() -> None:
    desk = engine()
    desk.on_event(agent("junior", skills={"billing": 1}), 0)
    desk.on_event(agent("senior", skills={"billing": 4}), 1)
    assert offers(desk.on_event(contact("c1", skills={"billing": 3}), 2)) == [("c1", "senior")]


def test_contact_waits_rather_than_reach_an_agent_without_its_language() -> None:
    desk = engine()
    desk.on_event(agent("anna", languages=("ru",)), 0)
    assert offers(desk.on_event(contact("c1", language="zh"), 1)) == []
    assert offers(desk.on_event(agent("li", languages=("zh", "en")), 2)) == [("c1", "li")]


def test_agent_is_never_offered_more_chats_than_their_capacity() -> None:
    desk = engine()
    desk.on_event(agent("a", capacity={"chat": 2}), 0)
    made = [offers(desk.on_event(contact(f"c{i}", channel="chat"), i)) for i in range(4)]
    assert made == [[("c0", "a")], [("c1", "a")], [], []]
    assert desk.agent_load("a") == {"chat": 2}


def test_voice_and_chat_capacity_are_counted_separately() -> None:
    desk = engine()
    desk.on_event(agent("a", capacity={"voice": 1, "chat": 1}), 0)
    assert offers(desk.on_event(contact("v", channel="voice"), 1)) == [("v", "a")]
    assert offers(desk.on_event(contact("c", channel="chat"), 2)) == [("c", "a")]


def test_away_and_offline_agents_get_no_offers_until_available() -> None:
    desk = engine()
    desk.on_event(agent("a", state=AgentState.AWAY), 0)
    assert offers(desk.on_event(contact("c1"), 1)) == []
    assert offers(desk.on_event(agent("a", state=AgentState.AVAILABLE), 2)) == [("c1", "a")]


def test_longest_idle_agent_gets_the_contact_by_default() -> None:
    desk = engine()
    desk.on_event(agent("early"), 0)
    desk.on_event(agent("late"), 10)
    assert offers(desk.on_event(contact("c1"), 20)) == [("c1", "early")]


def test_an_agent_who_just_finished_goes_behind_those_idle_longer() -> None:
    desk = engine()
    desk.on_event(agent("a"), 0)
    desk.on_event(contact("c1"), 1)
    desk.on_event(OfferAccepted("c1", "a"), 2)
    desk.on_event(agent("b"), 5)
    desk.on_event(ConversationEnded("c1"), 10)
    assert offers(desk.on_event(contact("c2"), 11)) == [("c2", "b")]


def test_least_occupied_rule_spreads_chats_across_agents() -> None:
    desk = engine(agent_selection="least-occupied")
    desk.on_event(agent("a", capacity={"chat": 4}), 0)
    desk.on_event(agent("b", capacity={"chat": 2}), 1)
    got = [offers(desk.on_event(contact(f"c{i}", channel="chat"), 2 + i))[0][1] for i in range(4)]
    # a: 0/4 → b: 0/2 → a: 1/4 → a: 2/4 = b: 1/2, b was idle longer (its last offer was earlier)
    assert got == ["a", "b", "a", "b"]


def test_sticky_agent_gets_the_returning_customer_while_free() -> None:
    desk = engine()
    desk.on_event(agent("other"), 0)
    desk.on_event(agent("last-time"), 5)
    assert offers(desk.on_event(contact("c1", sticky_agent="last-time", sticky_until=100), 10)) == [
        ("c1", "last-time")
    ]


def test_sticky_customer_waits_for_their_busy_agent_only_until_the_window_ends() -> None:
    desk = engine(sticky_max_seconds=30)
    desk.on_event(agent("favourite"), 0)
    desk.on_event(contact("busy-with"), 1)
    desk.on_event(OfferAccepted("busy-with", "favourite"), 2)
    desk.on_event(agent("other"), 3)
    assert offers(desk.on_event(contact("c1", sticky_agent="favourite", sticky_until=1000), 10)) == []
    assert offers(desk.tick(39)) == []
    assert offers(desk.tick(40)) == [("c1", "other")]  # capped at 30 s by the configuration


def test_sticky_agent_that_frees_up_takes_their_customer_before_the_line() -> None:
    desk = engine()
    desk.on_event(agent("favourite"), 0)
    desk.on_event(contact("first"), 1)
    desk.on_event(OfferAccepted("first", "favourite"), 1)
    desk.on_event(contact("older"), 2)
    desk.on_event(contact("mine", sticky_agent="favourite", sticky_until=60), 3)
    assert offers(desk.on_event(ConversationEnded("first"), 20)) == [("mine", "favourite")]


def test_sticky_agent_who_is_offline_does_not_hold_the_customer() -> None:
    desk = engine()
    desk.on_event(agent("gone", state=AgentState.OFFLINE), 0)
    desk.on_event(agent("here"), 0)
    assert offers(desk.on_event(contact("c1", sticky_agent="gone", sticky_until=100), 1)) == [("c1", "here")]


def test_declined_contact_goes_to_another_agent_and_not_back_to_the_decliner() -> None:
    desk = engine(decline_cooldown_seconds=60)
    desk.on_event(agent("a"), 0)
    desk.on_event(contact("c1"), 1)
    desk.on_event(agent("b"), 2)
    assert offers(desk.on_event(OfferDeclined("c1", "a"), 3)) == [("c1", "b")]
    desk.on_event(OfferDeclined("c1", "b"), 4)
    assert offers(desk.tick(30)) == []  # both are cooling down on c1
    assert offers(desk.tick(63)) == [("c1", "a")]


def test_declined_contact_keeps_its_place_at_the_front_of_the_line() -> None:
    desk = engine()
    desk.on_event(agent("a"), 0)
    desk.on_event(contact("first"), 1)
    for i in range(3):
        desk.on_event(contact(f"later{i}"), 2 + i)
    desk.on_event(agent("b", skills={"billing": 5}, state=AgentState.AWAY), 5)
    desk.on_event(OfferDeclined("first", "a"), 6)
    assert desk.line("support")[0] == "first"
    place = desk.place_in_line("first")
    assert place is not None
    assert place.position == 1


def test_unanswered_offer_expires_on_tick_and_is_reported() -> None:
    desk = engine(offer_timeout_seconds=15)
    desk.on_event(agent("a"), 0)
    desk.on_event(agent("b"), 1)
    [offer] = [d for d in desk.on_event(contact("c1"), 2) if isinstance(d, Offer)]
    assert offer.expires_at == 17
    decisions = desk.tick(17)
    assert OfferExpired("c1", "a") in decisions
    assert offers(decisions) == [("c1", "b")]


def test_server_reported_timeout_counts_like_an_expiry() -> None:
    desk = engine()
    desk.on_event(agent("a"), 0)
    desk.on_event(contact("c1"), 1)
    assert desk.on_event(OfferTimedOut("c1", "a"), 5)[0] == OfferExpired("c1", "a")
    assert desk.agent_load("a") == {}


def test_agent_going_offline_hands_pending_offers_to_others() -> None:
    desk = engine()
    desk.on_event(agent("a"), 0)
    desk.on_event(contact("c1"), 1)
    desk.on_event(agent("b"), 2)
    decisions = desk.on_event(agent("a", state=AgentState.OFFLINE), 3)
    assert OfferWithdrawn("c1", "a", "agent offline") in decisions
    assert offers(decisions) == [("c1", "b")]


def test_accepting_an_offer_that_already_expired_is_rejected_without_changes() -> None:
    desk = engine(offer_timeout_seconds=10)
    desk.on_event(agent("a"), 0)
    desk.on_event(contact("c1"), 1)
    decisions = desk.on_event(OfferAccepted("c1", "a"), 30)
    assert isinstance(decisions[-1], Rejected)
    assert desk.agent_load("a") == {}  # the expired offer freed the capacity; no conversation started


def test_transferred_contact_joins_the_new_queue_and_frees_the_first_agent() -> None:
    desk = engine()
    desk.on_event(agent("billing-agent"), 0)
    desk.on_event(agent("cards-agent", skills={"cards": 3}), 0)
    desk.on_event(contact("c1"), 1)
    desk.on_event(OfferAccepted("c1", "billing-agent"), 2)
    decisions = desk.on_event(ConversationTransferred("c1", "cards", skills={"cards": 2}), 60)
    assert offers(decisions) == [("c1", "cards-agent")]
    assert desk.agent_load("billing-agent") == {}


def test_a_contact_id_can_come_back_after_leaving() -> None:
    desk = engine()
    for _ in range(3):
        desk.on_event(contact("again"), 1)
        desk.on_event(ContactLeft("again"), 1)
    desk.on_event(contact("again"), 2)
    assert desk.line("support") == ("again",)


def test_queuing_the_same_contact_twice_is_rejected_and_keeps_its_place() -> None:
    desk = engine()
    desk.on_event(contact("c1"), 1)
    desk.on_event(contact("c2"), 2)
    assert isinstance(desk.on_event(contact("c1"), 3)[0], Rejected)
    assert desk.line("support") == ("c1", "c2")


def test_transfer_to_a_named_agent_waits_for_that_agent_for_a_bounded_time() -> None:
    desk = engine(sticky_max_seconds=30)
    desk.on_event(agent("first"), 0)
    desk.on_event(agent("expert"), 0.5)
    desk.on_event(contact("busy"), 1)  # goes to "first", idle the longest...
    desk.on_event(contact("c1"), 1)  # ...and c1 to "expert"
    desk.on_event(OfferAccepted("busy", "first"), 1)
    desk.on_event(OfferAccepted("c1", "expert"), 2)
    decisions = desk.handle(ConversationTransferred("busy", "support", agent_id="expert"), now=10)
    assert offers(decisions) == []  # held for the busy expert, not offered back to "first"
    assert offers(desk.on_event(ConversationEnded("c1"), 20)) == [("busy", "expert")]
