"""The virtual agent as a pure state machine.

    turn = on_message(state, context, text, reading)     # a customer message, read by the NLU
    turn = on_place(state, position, expected_wait)        # the routing engine published a place
    turn = on_http_result(state, context, ok, values)      # an HTTP step came back
    turn.state, turn.replies, turn.actions

Rules the product promises (docs/virtual-agent.md):
* an escape word ("operator", "оператор", "转人工", …) or the talk_to_human intent reaches a person at once:
  acknowledged, the place kept, and no further bot questions;
* after two turns the bot did not understand (or two wrong answers to one question), a person takes over;
* a failed verification never tells the customer what was stored;
* negative sentiment (one very negative message, or two fairly negative in a row) raises priority once.
"""

from __future__ import annotations

from collections.abc import Mapping

from holdless.bot import texts
from holdless.bot.answers import is_escape, same_phone, validated, yes_or_no
from holdless.bot.flows import BotDefinition, Flow, Step
from holdless.bot.state import (
    Attempt,
    BotState,
    CallHttp,
    RaiseAnger,
    SendCode,
    SetAttributes,
    StepEntered,
    Turn,
)
from holdless.bot.turn import Builder, Context, Known, Reading, close_attempt, contain, digest, fill, hand_off

__all__ = ["Context", "Known", "Reading", "on_http_result", "on_message", "on_place", "start"]

TALK_TO_HUMAN = "talk_to_human"
SMALL_TALK = frozenset({"greeting", "thanks"})
MAX_MISUNDERSTOOD = 2
MAX_RETRIES = 2
# The shipped sentiment model reads some neutral text (gibberish, an email address) as 0.5-0.9 negative,
# so one message must be nearly certain, and answers to the bot's questions are not read at all.
ANGRY_AT = 0.95  # one message this negative
ANGRY_TREND_AT = 0.8  # or the last two free-text messages at least this negative on average
KEEP_MESSAGES = 5
KEEP_SCORES = 10
KB_ARTICLE = "knowledge base"


# --- entry points ------------------------------------------------------------------------------------


def start(language: str) -> BotState:
    return BotState(language=language)


def on_place(state: BotState, position: int | None, expected_wait_seconds: int | None) -> Turn:
    """Greet with the place in line, or re-tell it when it changed materially."""
    if state.contained:
        return Turn(state)
    b = Builder(state)
    wait = (
        ""
        if expected_wait_seconds is None
        else texts.say("wait", state.language, minutes=max(1, round(expected_wait_seconds / 60)))
    )
    if not state.greeted:
        if state.handed_off and position is not None:  # put in line by the bot: no "can I help?"
            b.say("position_update", position=position, wait=wait)
        elif state.turns > 0 and position is not None:  # already talking: no second introduction
            b.say("place_secured", position=position, wait=wait)
        elif position is None:
            b.say("greeting_unknown")
        else:
            b.say("greeting", position=position, wait=wait)
        b.update(greeted=True, told=None if position is None else (position, expected_wait_seconds))
        return b.turn()
    if position is None or not _material(state.told, position, expected_wait_seconds):
        return Turn(state)
    b.say("position_update", position=position, wait=wait)
    b.update(told=(position, expected_wait_seconds))
    return b.turn()


def _material(told: tuple[int, int | None] | None, position: int, wait: int | None) -> bool:
    """Worth a message: a quarter of the line (at least 2 places) moved, or next in line, or ±5 min."""
    if told is None:
        return True
    before, before_wait = told
    if position == 1 and before != 1:
        return True
    if abs(before - position) >= max(2, -(-before // 4)):
        return True
    return before_wait is not None and wait is not None and abs(before_wait - wait) >= 300


def on_message(state: BotState, context: Context, text: str, reading: Reading) -> Turn:
    b = Builder(state)
    answering = _waiting_step(state, context.definition) is not None
    b.update(
        language=reading.language or state.language,
        turns=state.turns + 1,
        messages=(*state.messages, text[:300])[-KEEP_MESSAGES:],
    )
    if not answering:
        b.update(negatives=(*state.negatives, round(reading.negative_score, 3))[-KEEP_SCORES:])
        _anger(b)
    if b.state.done:
        return b.turn()
    step = _waiting_step(b.state, context.definition)
    menu = step is not None and step.type == "ask" and step.validate in ("number", "choice")
    if is_escape(text, zero_counts=not menu) or (
        reading.intent == TALK_TO_HUMAN and not _answers(step, text)
    ):
        hand_off(b, context, "customer asked for a person", reply="escape")
        return b.turn()
    if step is not None:
        _answer_step(b, context, step, text)
        return b.turn()
    if b.state.kb_question:
        _answer_kb_question(b, context, text)
        return b.turn()
    _new_request(b, context, text, reading)
    return b.turn()


def on_http_result(state: BotState, context: Context, ok: bool, values: Mapping[str, str]) -> Turn:
    b = Builder(state)
    flow = context.definition.flow(state.flow or "")
    if flow is None or state.step is None or state.done:
        return b.turn()
    step = flow.step(state.step)
    if not ok:
        _go(b, context, flow, step.on_fail)
        return b.turn()
    if step.save_as:
        summary = values.get("status") or values.get("message") or next(iter(values.values()), "")
        b.update(collected={**b.state.collected, step.save_as: summary})
    b.update(collected={**b.state.collected, **values})
    _go(b, context, flow, step.next)
    return b.turn()


# --- pieces of a turn --------------------------------------------------------------------------------


def _anger(b: Builder) -> None:
    scores = b.state.negatives
    if b.state.angry or not scores:
        return
    trend = len(scores) >= 2 and (scores[-1] + scores[-2]) / 2 >= ANGRY_TREND_AT
    if scores[-1] >= ANGRY_AT or trend:
        b.update(angry=True)
        b.actions.append(RaiseAnger(scores[-1]))


def _waiting_step(state: BotState, definition: BotDefinition) -> Step | None:
    if state.flow is None or state.step is None:
        return None
    flow = definition.flow(state.flow)
    if flow is None:
        return None
    try:
        return flow.step(state.step)
    except KeyError:
        return None


def _answers(step: Step | None, text: str) -> bool:
    """Something shaped like an answer to the question asked is never read as a wish to talk to a person
    (the NLU may see one in an email address); explicit escape words still are."""
    if step is None:
        return False
    if step.type == "ask":
        return validated(text, step.validate, step.choices) is not None
    if step.type == "verify":
        if step.method == "one_time_code":
            return validated(text, "number") is not None
        return step.fact == "name" or validated(text, step.fact) is not None
    if step.type == "confirm":
        return yes_or_no(text) is not None
    return False


def _new_request(b: Builder, context: Context, text: str, reading: Reading) -> None:
    if reading.intent is not None:
        b.update(intent=reading.intent, confidence=round(reading.confidence, 3))
    flow = context.definition.flow_for(reading.intent)
    if flow is not None:
        b.update(misunderstood=0, tried=(*b.state.tried, Attempt(flow.id, "running")))
        _run(b, context, flow, flow.first.id)
        return
    if reading.intent in SMALL_TALK:
        b.update(misunderstood=0)
        b.say("greeting_unknown" if not b.state.greeted else "how_help")
        b.update(greeted=True)
        return
    article = context.answer(text)
    if article is not None:
        b.update(misunderstood=0, kb_question=True, tried=(*b.state.tried, Attempt(KB_ARTICLE, "running")))
        b.replies.append(f"{article.title}\n{article.body}")
        b.say("did_it_help")
        return
    if reading.intent is not None:  # understood, but nothing here can do it: a person will
        hand_off(b, context, f"no flow for {reading.intent}")
        return
    misunderstood = b.state.misunderstood + 1
    b.update(misunderstood=misunderstood)
    if misunderstood >= MAX_MISUNDERSTOOD:
        hand_off(b, context, "the bot did not understand", reply="offer_person")
    else:
        b.say("not_understood")


def _answer_kb_question(b: Builder, context: Context, text: str) -> None:
    answer = yes_or_no(text)
    if answer is True:
        contain(b, KB_ARTICLE)
    elif answer is False:
        hand_off(b, context, "the knowledge-base answer did not help")
    else:
        b.update(kb_question=False)
        close_attempt(b, "no reply")
        # Not a yes/no: treat it as a new request.
        b.update(misunderstood=b.state.misunderstood + 1)
        if b.state.misunderstood >= MAX_MISUNDERSTOOD:
            hand_off(b, context, "the bot did not understand", reply="offer_person")
        else:
            b.say("not_understood")


def _retry(b: Builder, context: Context, flow: Flow, step: Step, key: str, **values: object) -> None:
    retries = b.state.retries + 1
    b.update(retries=retries)
    if retries >= MAX_RETRIES:
        if step.type == "verify":
            close_attempt(b, "verification failed")
            b.update(tried=(*b.state.tried, Attempt(flow.id, "running")))
            b.say("not_verified")
            if step.on_fail is not None:
                _go(b, context, flow, step.on_fail)
                return
            hand_off(b, context, "verification failed")
            return
        hand_off(b, context, f"no valid answer at {flow.id}/{step.id}", reply="offer_person")
        return
    b.say(key, **values)
    b.text(step.text)


def _answer_step(b: Builder, context: Context, step: Step, text: str) -> None:
    flow = context.definition.flow(b.state.flow or "")
    assert flow is not None
    if step.type == "ask":
        value = validated(text, step.validate, step.choices)
        if value is None:
            what = texts.pick(texts.WHAT[step.validate], b.state.language)
            _retry(b, context, flow, step, "invalid", what=what)
            return
        b.update(collected={**b.state.collected, step.save_as: value})
        _go(b, context, flow, step.next)
    elif step.type == "verify":
        if _verified(b.state, context.known, step, text):
            fact = step.fact if step.method == "known_data" else f"{step.channel} (one-time code)"
            shown = text.strip() if step.method == "known_data" else "code confirmed"
            b.update(verified={**b.state.verified, fact: shown}, code_digest="")
            b.say("verified")
            _go(b, context, flow, step.next)
        else:
            _retry(b, context, flow, step, "not_verified")
    elif step.type == "confirm":
        answer = yes_or_no(text)
        if answer is True:
            if step.next is None:
                contain(b, flow.id)
            else:
                _go(b, context, flow, step.next)
        elif answer is False:
            if step.no is not None:
                _go(b, context, flow, step.no)
            else:
                hand_off(b, context, f"{flow.id}: the customer said it did not help")
        else:
            _retry(b, context, flow, step, "not_understood")
    elif step.type == "http":
        b.say("one_moment")


def _verified(state: BotState, known: Known, step: Step, text: str) -> bool:
    given = text.strip()
    if step.method == "one_time_code":
        return bool(state.code_digest) and digest(given) == state.code_digest
    if step.fact == "email":
        return any(given.casefold() == email.casefold() for email in known.emails)
    if step.fact == "phone":
        return any(same_phone(given, phone) for phone in known.phones)
    return bool(known.name) and " ".join(given.casefold().split()) == " ".join(known.name.casefold().split())


def _go(b: Builder, context: Context, flow: Flow, step_id: str | None) -> None:
    b.update(retries=0, step=None)
    if step_id is None:
        close_attempt(b, "completed")
        b.update(flow=None)
        return
    _run(b, context, flow, step_id)


def _run(b: Builder, context: Context, flow: Flow, step_id: str) -> None:
    """Run steps from `step_id` until one waits for the customer, or the flow ends."""
    current: str | None = step_id
    for _ in range(len(flow.steps) + 1):  # a flow may loop; never more than its length per turn
        if current is None:
            close_attempt(b, "completed")
            b.update(flow=None, step=None)
            return
        step = flow.step(current)
        b.update(flow=flow.id, step=None, retries=0)
        b.actions.append(StepEntered(flow.id, step.id, step.type))
        if step.type == "say":
            b.text(step.text)
            current = step.next
        elif step.type == "set":
            values = {k: fill(v, b.state.collected) for k, v in step.attributes.items()}
            b.update(collected={**b.state.collected, **values})
            b.actions.append(SetAttributes(values))
            current = step.next
        elif step.type == "answer":
            article = context.answer(" ".join(b.state.messages[-2:]))
            if article is None:
                current = step.on_fail
                if current is None:
                    hand_off(b, context, f"{flow.id}: no article found")
                    return
            else:
                b.replies.append(f"{article.title}\n{article.body}")
                current = step.next
        elif step.type == "handoff":
            hand_off(b, context, step.reason or flow.id)
            return
        elif step.type == "http":
            b.update(step=step.id)
            payload = {**b.state.collected, **{f"verified_{k}": "yes" for k in b.state.verified}}
            url = fill(step.url, b.state.collected)
            b.actions.append(CallHttp(flow.id, step.id, url, step.method, step.timeout_seconds, payload))
            return
        elif step.type == "verify" and step.method == "one_time_code":
            to = (context.known.emails if step.channel == "email" else context.known.phones)[:1]
            if not to or not context.new_code:
                current = step.on_fail
                if current is None:
                    hand_off(b, context, f"{flow.id}: no {step.channel} on file for a code")
                    return
                continue
            b.actions.append(SendCode(step.channel, to[0], context.new_code))
            b.update(step=step.id, code_digest=digest(context.new_code))
            b.say("code_sent", channel=step.channel)
            return
        else:  # ask, verify with known data, confirm: wait for the customer
            b.update(step=step.id)
            b.text(step.text)
            if step.type == "ask" and step.validate == "choice":
                b.say("choices", choices=", ".join(f"{i}. {c}" for i, c in enumerate(step.choices, 1)))
            if step.type == "confirm":
                b.say("yes_no")
            return
    hand_off(b, context, f"{flow.id}: the flow loops without asking anything")
