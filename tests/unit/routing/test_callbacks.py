"""Callbacks as promises: due at the window start, urgent toward its end, always ending kept or broken."""

from __future__ import annotations

from holdless.routing import (
    CallbackAtRisk,
    CallbackBroken,
    CallbackDue,
    CallbackKept,
    CallbackNoAnswer,
    CallbackRequested,
    ContactLeft,
    ConversationEnded,
    Decision,
    OfferAccepted,
    Rejected,
    RoutingEngine,
)

from .scenario import agent, contact, engine, offers


def _one_busy_agent(**config: object) -> RoutingEngine:
    desk = engine(**config)
    desk.on_event(agent("a"), 0)
    desk.on_event(contact("busy"), 0)
    desk.on_event(OfferAccepted("busy", "a"), 0)
    return desk


def test_callback_is_not_offered_before_its_window_and_keeps_no_live_place() -> None:
    desk = _one_busy_agent()
    desk.on_event(contact("cb"), 1)
    desk.on_event(CallbackRequested("cb", window_start=600, window_end=1800), 2)
    assert desk.place_in_line("cb") is None
    assert offers(desk.on_event(ConversationEnded("busy"), 10)) == []
    assert offers(desk.tick(600)) == [("cb", "a")]


def test_callback_answered_inside_the_window_is_kept() -> None:
    desk = _one_busy_agent()
    desk.on_event(contact("cb"), 1)
    desk.on_event(CallbackRequested("cb", window_start=100, window_end=400), 2)
    desk.on_event(ConversationEnded("busy"), 50)
    desk.tick(100)
    desk.on_event(OfferAccepted("cb", "a"), 105)
    assert desk.on_event(ConversationEnded("cb"), 300) == [CallbackKept("cb", 105)]
    assert desk.snapshot(300).callbacks_kept == 1


def test_callback_not_answered_by_the_window_end_is_broken_and_still_served_first() -> None:
    desk = _one_busy_agent()
    desk.on_event(contact("cb"), 1)
    desk.on_event(CallbackRequested("cb", window_start=100, window_end=400), 2)
    for i in range(3):
        desk.on_event(contact(f"walk-in{i}"), 200 + i)
    decisions = desk.tick(400)
    assert CallbackBroken("cb", "window passed") in decisions
    assert desk.line("support")[0] == "cb"
    assert desk.snapshot(400).callbacks_broken == 1


def test_callback_rises_in_the_line_as_its_window_closes() -> None:
    # standard target 60 s, lead 120 s: the callback aims at a deadline of 1800 − 120 = 1680
    desk = _one_busy_agent(callback_lead_seconds=120)
    desk.on_event(contact("cb"), 1)
    desk.on_event(CallbackRequested("cb", window_start=0, window_end=1800), 2)
    desk.on_event(contact("early"), 1000)
    desk.on_event(contact("late"), 1650)
    assert desk.line("support") == ("cb", "early", "late")


def test_callback_due_now_is_placed_behind_walk_ins_until_its_window_nears_the_end() -> None:
    desk = _one_busy_agent(callback_lead_seconds=120)
    desk.on_event(contact("walk-in"), 1000)
    desk.on_event(contact("cb"), 1001)
    desk.on_event(CallbackRequested("cb", window_start=1001, window_end=4000), 1001)
    assert desk.line("support") == ("walk-in", "cb")


def test_no_answer_is_retried_after_the_configured_delay_then_broken() -> None:
    desk = _one_busy_agent(callback_retry_seconds=100, callback_max_attempts=2)
    desk.on_event(contact("cb"), 1)
    desk.on_event(CallbackRequested("cb", window_start=10, window_end=1000), 2)
    desk.on_event(ConversationEnded("busy"), 5)
    desk.tick(10)
    desk.on_event(OfferAccepted("cb", "a"), 11)
    assert offers(desk.on_event(CallbackNoAnswer("cb"), 20)) == []
    assert offers(desk.tick(119)) == []
    assert offers(desk.tick(120)) == [("cb", "a")]
    desk.on_event(OfferAccepted("cb", "a"), 121)
    assert desk.on_event(CallbackNoAnswer("cb"), 130) == [CallbackBroken("cb", "no answer")]


def test_supervisor_is_alerted_when_a_callback_is_about_to_break() -> None:
    desk = _one_busy_agent(callback_at_risk_seconds=300)
    desk.on_event(contact("cb"), 1)
    desk.on_event(CallbackRequested("cb", window_start=100, window_end=1000), 2)
    assert desk.tick(699) == []
    assert CallbackAtRisk("cb", 1000) in desk.tick(700)
    assert desk.snapshot(700).callbacks_at_risk == ("cb",)


def test_callback_withdrawn_by_the_customer_ends_as_broken_with_the_reason() -> None:
    desk = _one_busy_agent()
    desk.on_event(contact("cb"), 1)
    desk.on_event(CallbackRequested("cb", window_start=100, window_end=1000), 2)
    assert desk.on_event(ContactLeft("cb", reason="solved by bot"), 50) == [CallbackBroken("cb", "withdrawn")]


def test_callback_due_event_brings_the_callback_forward() -> None:
    desk = engine()
    desk.on_event(agent("a"), 0)
    desk.on_event(contact("cb"), 1)  # offered at once
    desk.on_event(OfferAccepted("cb", "a"), 1)
    desk.on_event(contact("cb2"), 2)
    desk.on_event(CallbackRequested("cb2", window_start=500, window_end=900), 3)
    desk.on_event(ConversationEnded("cb"), 4)
    assert offers(desk.on_event(CallbackDue("cb2"), 5)) == [("cb2", "a")]


def test_hundred_promised_callbacks_under_load_all_end_kept_or_broken() -> None:
    desk = engine(offer_timeout_seconds=10, callback_retry_seconds=60)
    for i in range(5):
        desk.on_event(agent(f"a{i}"), 0)
    outcomes: dict[str, Decision] = {}
    promised: set[str] = set()
    engaged: dict[str, float] = {}
    now = 0.0
    pending: list[tuple[str, str]] = []

    def absorb(decisions: list[Decision]) -> None:
        for decision in decisions:
            if isinstance(decision, CallbackKept | CallbackBroken):
                assert decision.contact_id not in outcomes, "a promise ended twice"
                outcomes[decision.contact_id] = decision
        pending.extend(offers(decisions))

    for step in range(6000):
        now = step * 1.0
        if step < 2000 and step % 20 == 0:  # 100 callbacks, windows of 5–15 minutes
            cid = f"cb{step // 20}"
            absorb(desk.on_event(contact(cid), now))
            start = now + 60 * (step % 7)
            decisions = desk.on_event(CallbackRequested(cid, start, start + 300 + 60 * (step % 11)), now)
            if not any(isinstance(d, Rejected) for d in decisions):  # refused if it was offered at once
                promised.add(cid)
            absorb(decisions)
        if step % 3 == 0:  # walk-ins keep the agents busy
            absorb(desk.on_event(contact(f"w{step}"), now))
        while pending:
            cid, aid = pending.pop()
            if desk.place_in_line(cid) is None and cid not in engaged:
                absorb(desk.on_event(OfferAccepted(cid, aid), now))
                engaged[cid] = now
        for cid, since in list(engaged.items()):
            if now - since >= 12:
                del engaged[cid]
                if cid.startswith("cb") and int(cid[2:]) % 5 == 0 and step % 2 == 0:
                    absorb(desk.on_event(CallbackNoAnswer(cid), now))
                else:
                    absorb(desk.on_event(ConversationEnded(cid), now))
        absorb(desk.tick(now))
    assert len(promised) >= 90
    assert set(outcomes) == promised
    kept = sum(isinstance(d, CallbackKept) for d in outcomes.values())
    snap = desk.snapshot(now)
    assert (snap.callbacks_kept, snap.callbacks_broken) == (kept, len(promised) - kept)
    assert snap.callbacks_scheduled == 0
    assert kept / len(promised) >= 0.6
