"""The virtual agent's rules, on the pure state machine (the NLU's reading is given)."""

from __future__ import annotations

from holdless.bot.demo import DEMO_FLOWS
from holdless.bot.flows import ArticleText, parse_definition
from holdless.bot.runtime import Context, Known, Reading, on_message, on_place, start
from holdless.bot.state import BotState, CallHttp, Contain, Enqueue, Handoff, RaiseAnger, Turn

DEMO = parse_definition(DEMO_FLOWS)
KNOWN = Known(emails=("olga@bank.example",), phones=("+7 900 123-45-67",), name="Olga Ivanova")
IN_LINE = Context(DEMO, KNOWN, in_line=True)


def _read(intent: str | None = None, *, language: str = "en", negative: float = 0.1) -> Reading:
    return Reading(language, intent, 0.9 if intent else 0.2, negative)


def _say(state: BotState, text: str, intent: str | None = None, **kw: object) -> Turn:
    context = kw.pop("context", IN_LINE)
    assert isinstance(context, Context)
    return on_message(state, context, text, _read(intent, **kw))  # type: ignore[arg-type]


def _kinds(turn: Turn) -> list[str]:
    return [type(a).__name__ for a in turn.actions]


def test_the_greeting_tells_the_place_and_the_wait_in_the_customers_language() -> None:
    turn = on_place(start("ru"), 3, 360)
    [greeting] = turn.replies
    assert "3" in greeting
    assert "6 мин" in greeting
    assert "закреплено" in greeting
    assert "виртуальный помощник" in greeting
    zh = on_place(start("zh"), 2, 120).replies[0]
    assert "第 2 位" in zh
    assert "2 分钟" in zh


def test_a_customer_already_talking_to_the_bot_is_told_the_place_without_a_second_introduction() -> None:
    asked = _say(start("en"), "I lost my card", "block_card")
    [told] = on_place(asked.state, 4, 600).replies
    assert told == "Your place in line is secured: you are number 4, expected wait about 10 min."


def test_the_place_is_retold_only_when_it_changes_materially() -> None:
    greeted = on_place(start("en"), 10, 1200).state
    assert on_place(greeted, 9, 1080).replies == (), "one place forward is not worth a message"
    moved = on_place(greeted, 7, 840)
    assert moved.replies
    assert "number 7" in moved.replies[0]
    assert on_place(moved.state, 1, 60).replies, "next in line is always worth telling"


def test_an_escape_word_mid_flow_hands_off_at_once_and_asks_nothing_more() -> None:
    asked = _say(start("ru"), "Потерял карту", "block_card", language="ru")
    assert asked.state.step == "who", "the flow asks for the email first"
    turn = _say(asked.state, "оператор!", language="ru")
    assert _kinds(turn) == ["Handoff"], "already in line: no enqueue, just the handoff"
    assert "оператор" in turn.replies[0]
    assert "сохранено" in turn.replies[0]
    after = _say(turn.state, "olga@bank.example", language="ru")
    assert after.replies == (), "no further bot questions"
    assert after.actions == ()


def test_escape_words_in_three_languages_and_zero_outside_menus() -> None:
    for text in ("Operator", "I want a human", "live agent please", "человек", "转人工", "人工", "0"):
        turn = _say(start("en"), text)
        assert any(isinstance(a, Handoff) for a in turn.actions), text
    assert not any(isinstance(a, Handoff) for a in _say(start("en"), "my travel agent booked it").actions)


def test_a_conversation_with_the_bot_only_is_put_in_line_on_handoff() -> None:
    turn = _say(start("en"), "agent", context=Context(DEMO, KNOWN, in_line=False))
    assert [type(a) for a in turn.actions] == [Enqueue, Handoff]


def test_two_turns_not_understood_lead_to_a_person() -> None:
    first = _say(start("en"), "blorp")
    assert _kinds(first) == []
    assert "didn't understand" in first.replies[0]
    second = _say(first.state, "zzzz qqq")
    assert _kinds(second) == ["Handoff"]
    assert "person" in second.replies[0]
    assert second.state.handoff_reason == "the bot did not understand"


def test_a_failed_verification_never_reveals_the_stored_data() -> None:
    asked = _say(start("en"), "I lost my card", "block_card")
    wrong = _say(asked.state, "olga@other.example")
    again = _say(wrong.state, "someone@else.example")
    said = " ".join(wrong.replies + again.replies)
    for secret in ("olga@bank.example", "bank.example", "Olga", "900"):
        assert secret not in said
    assert _kinds(again)[-1] == "Handoff", "after two failures a person takes over"
    assert again.state.verified == {}
    assert ("block_card", "verification failed") in [(a.what, a.outcome) for a in again.state.tried]


def test_the_card_blocking_flow_is_solved_and_contained_when_the_customer_confirms() -> None:
    turn = _say(start("en"), "I lost my card", "block_card")
    turn = _say(turn.state, "OLGA@bank.example")
    assert turn.state.verified == {"email": "OLGA@bank.example"}
    assert turn.state.step == "digits"
    turn = _say(turn.state, "12ab")
    assert "valid number" in turn.replies[0], "a wrong answer is asked again"
    turn = _say(turn.state, "4821")
    assert "ending 4821 is blocked" in " ".join(turn.replies)
    assert turn.state.collected["card_last4"] == "4821"
    done = _say(turn.state, "yes")
    assert [type(a) for a in done.actions] == [Contain]
    assert done.state.contained
    assert done.state.tried[-1].outcome == "contained"


def test_an_http_step_that_fails_goes_to_its_fallback() -> None:
    from holdless.bot.runtime import on_http_result

    turn = _say(start("en"), "where is my order", "order_status")
    turn = _say(turn.state, "#123 45")
    [call] = [a for a in turn.actions if isinstance(a, CallHttp)]
    assert call.url == "https://orders.demo.invalid/orders/12345"
    failed = on_http_result(turn.state, IN_LINE, False, {})
    assert "can't reach the order system" in failed.replies[0]
    assert _kinds(failed)[-1] == "Handoff"
    ok = on_http_result(turn.state, IN_LINE, True, {"status": "shipped"})
    assert "Order 12345: shipped." in ok.replies


def test_a_very_negative_message_raises_priority_once() -> None:
    turn = _say(start("en"), "This is outrageous", negative=0.97)
    assert RaiseAnger(0.97) in turn.actions
    again = _say(turn.state, "Still outrageous", negative=0.95)
    assert not any(isinstance(a, RaiseAnger) for a in again.actions)


def test_a_negative_trend_raises_priority() -> None:
    first = _say(start("en"), "hmm", negative=0.7)
    assert not any(isinstance(a, RaiseAnger) for a in first.actions)
    second = _say(first.state, "not good", negative=0.9)
    assert any(isinstance(a, RaiseAnger) for a in second.actions), "(0.7 + 0.9) / 2 = 0.8"


def test_answers_to_the_bots_questions_are_not_read_for_anger() -> None:
    asked = _say(start("en"), "I lost my card", "block_card")
    answered = _say(asked.state, "olga@bank.example", negative=0.99)
    assert not any(isinstance(a, RaiseAnger) for a in answered.actions)


def test_an_answer_from_the_knowledge_base_is_contained_when_it_helped() -> None:
    article = ArticleText("hours", "Opening hours", "9 to 6")
    context = Context(DEMO, KNOWN, answer=lambda q: article if "open" in q else None)
    turn = _say(start("en"), "when are you open", context=context)
    assert turn.replies[0] == "Opening hours\n9 to 6"
    done = _say(turn.state, "yes", context=context)
    assert [type(a) for a in done.actions] == [Contain]


def test_the_state_survives_a_round_trip_through_json() -> None:
    turn = _say(start("en"), "I lost my card", "block_card")
    turn = _say(turn.state, "olga@bank.example")
    assert BotState.from_json(turn.state.to_json()) == turn.state


def test_an_answer_the_nlu_mistakes_for_talk_to_human_is_still_an_answer() -> None:
    asked = _say(start("en"), "I lost my card", "block_card")
    turn = _say(asked.state, "olga@bank.example", "talk_to_human")
    assert not any(isinstance(a, Handoff) for a in turn.actions)
    assert turn.state.verified == {"email": "olga@bank.example"}
