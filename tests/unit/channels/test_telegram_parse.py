"""Parsing Bot API updates into customer messages, and rendering replies for Telegram (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from holdless.channels.base import Choice, Outbound, Reply
from holdless.channels.telegram import TelegramBot, TelegramChannel, parse_update
from holdless.contacts.model import IdentityKind
from holdless.errors import Invalid
from holdless.ids import ConversationId, MessageId, WorkspaceId

WS = WorkspaceId("ws_1")
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def parse(update: object) -> Any:
    return parse_update(update, workspace_id=WS, received_at=NOW)


def message(**fields: Any) -> dict[str, Any]:
    base = {
        "message_id": 7,
        "chat": {"id": -100, "type": "group"},
        "from": {"id": 5, "first_name": "Li", "last_name": "Wei", "language_code": "zh-hans"},
        "text": "你好",
    }
    return base | fields


def test_a_text_message_names_its_sender_chat_and_language() -> None:
    parsed = parse({"update_id": 1, "message": message()})
    inbound = parsed.inbound
    assert parsed.chat_id == -100
    assert (inbound.sender.kind, inbound.sender.value) == (IdentityKind.MESSENGER, "telegram:5")
    assert (inbound.display_name, inbound.text, inbound.language) == ("Li Wei", "你好", "zh-hans")
    assert inbound.external_id == "-100:7"
    # previous messages of the chat (6..2), then the chat itself; never the message's own id
    assert inbound.thread_keys == ("-100:6", "-100:5", "-100:4", "-100:3", "-100:2", "chat:-100")


def test_a_reply_looks_first_at_the_message_it_answers() -> None:
    parsed = parse({"update_id": 1, "message": message(reply_to_message={"message_id": 3})})
    assert parsed.inbound.thread_keys[0] == "-100:3"


def test_service_messages_and_other_update_kinds_carry_no_customer_message() -> None:
    assert parse({"update_id": 1, "message": message(text="")}) is None
    assert parse({"update_id": 2, "my_chat_member": {}}) is None


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        ("text", "the body must be an object"),
        ({"message": message()}, "update_id must be an integer"),
        ({"update_id": 1, "message": message(chat=None)}, "message.chat must be an object"),
        ({"update_id": 1, "message": message(text=5)}, "message.text must be a string"),
        ({"update_id": 1, "message": message(**{"from": {"id": "5"}})}, "from.id must be an integer"),
        ({"update_id": 1, "callback_query": {"from": {"id": 5}}}, "callback_query.id is missing"),
    ],
)
def test_unusable_updates_are_refused_with_the_reason(update: object, reason: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse(update)
    assert reason in refused.value.message


def test_choices_become_inline_buttons_and_too_many_become_numbered_lines() -> None:
    channel = TelegramChannel(None, WS, None, TelegramBot("t"))  # type: ignore[arg-type]

    def outbound(reply: Reply) -> Outbound:
        return Outbound(WS, ConversationId("con_1"), MessageId("msg_1"), "telegram:5", "Li", "", reply,
                        thread_keys=("-100:7",))  # fmt: skip

    two = channel.compose(outbound(Reply("Pick", (Choice("Yes", "y"), Choice("No", "n")))))
    assert two == {
        "chat_id": -100,
        "text": "Pick",
        "reply_markup": {
            "inline_keyboard": [
                [{"text": "Yes", "callback_data": "y"}],
                [{"text": "No", "callback_data": "n"}],
            ]
        },
    }
    nine = tuple(Choice(f"Option {n}", str(n)) for n in range(1, 10))
    many = channel.compose(outbound(Reply("Pick", nine)))
    assert "reply_markup" not in many
    assert many["text"].splitlines()[2] == "1. Option 1"
    assert many["text"].splitlines()[-1] == "9. Option 9"
