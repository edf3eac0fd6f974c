"""Flow definitions with mistakes are rejected with a message naming the flow, the step and the problem."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from holdless.bot.demo import DEMO_FLOWS
from holdless.bot.flows import parse_definition
from holdless.errors import Invalid


def _flow(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"flows": [{"id": "cards", "intent": "block_card", "steps": list(steps)}]}


SAY = {"id": "hello", "type": "say", "text": "Hi"}


def _rejected(definition: Any) -> str:
    with pytest.raises(Invalid) as caught:
        parse_definition(definition)
    return caught.value.message


def test_the_demo_flows_are_valid() -> None:
    definition = parse_definition(DEMO_FLOWS)
    assert {f.intent for f in definition.flows} == {"block_card", "reset_password", "order_status"}


def test_an_unknown_step_type_is_named_with_its_step() -> None:
    message = _rejected(_flow(SAY, {"id": "dance", "type": "dance"}))
    assert "flow 'cards' step 'dance'" in message
    assert "unknown step type 'dance'" in message


def test_a_next_pointing_nowhere_names_the_step_and_the_target() -> None:
    message = _rejected(_flow({**SAY, "next": "missing"}))
    assert "step 'hello'" in message
    assert "'next' points to 'missing'" in message


def test_an_ask_without_a_validation_type_is_rejected() -> None:
    message = _rejected(_flow({"id": "mail", "type": "ask", "text": "Email?", "save_as": "email"}))
    assert "step 'mail'" in message
    assert "needs 'validate'" in message


def test_an_unknown_validation_is_rejected() -> None:
    step = {"id": "mail", "type": "ask", "text": "Email?", "save_as": "e", "validate": "postcode"}
    assert "unknown validation 'postcode'" in _rejected(_flow(step))


def test_duplicate_step_ids_are_rejected() -> None:
    message = _rejected(_flow(SAY, SAY))
    assert "step 'hello'" in message
    assert "duplicate step id" in message


def test_a_missing_field_names_the_step_by_its_position() -> None:
    message = _rejected(_flow(SAY, {"type": "say", "text": "Hi"}))
    assert "flow 'cards' step #2" in message
    assert "'id' is missing" in message


def test_a_say_without_text_is_rejected() -> None:
    message = _rejected(_flow({"id": "hello", "type": "say"}))
    assert "step 'hello'" in message
    assert "'text' is missing" in message


def test_a_choice_needs_choices_and_an_http_step_needs_a_fallback() -> None:
    choice = {"id": "pick", "type": "ask", "text": "Which?", "save_as": "x", "validate": "choice"}
    assert "needs 'choices'" in _rejected(_flow(choice))
    http = {"id": "call", "type": "http", "url": "https://shop.example/api"}
    message = _rejected(_flow(http))
    assert "step 'call'" in message
    assert "needs 'on_fail'" in message


def test_a_verify_of_unknown_data_is_rejected() -> None:
    step = {"id": "who", "type": "verify", "method": "known_data", "field": "passport", "text": "?"}
    assert "cannot verify 'passport'" in _rejected(_flow(step))


def test_two_flows_for_one_intent_are_rejected() -> None:
    definition = copy.deepcopy(DEMO_FLOWS)
    definition["flows"][1]["intent"] = "block_card"
    message = _rejected(definition)
    assert "flow 'reset_password'" in message
    assert "intent 'block_card' already starts flow 'block_card'" in message


def test_a_handoff_cannot_continue() -> None:
    message = _rejected(_flow(SAY, {"id": "person", "type": "handoff", "next": "hello"}))
    assert "step 'person'" in message
    assert "cannot have 'next'" in message
