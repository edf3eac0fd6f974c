"""Parsing the messenger webhook's JSON and reading templates: pure, no server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from holdless.channels.messenger import parse_payload, template_of
from holdless.contacts.model import IdentityKind
from holdless.errors import Invalid
from holdless.ids import WorkspaceId

WS = WorkspaceId("ws_1")
AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def parse(data: object) -> object:
    return parse_payload(json.dumps(data).encode(), workspace_id=WS, received_at=AT)


def test_a_full_message_becomes_an_inbound_of_the_senders_messenger_identity() -> None:
    inbound = parse_payload(
        json.dumps({
            "message_id": "wamid.7", "from": {"id": 4915, "name": "Jörg", "language": "de"},
            "text": "Hallo",
            "attachments": [{"name": "a.pdf", "size": 10, "content_type": "application/pdf"}],
        }).encode(),
        workspace_id=WS, received_at=AT,
    )  # fmt: skip
    assert (inbound.sender.kind, inbound.sender.value) == (IdentityKind.MESSENGER, "messenger:4915")
    assert (inbound.display_name, inbound.language, inbound.text) == ("Jörg", "de", "Hallo")
    assert inbound.external_id == "messenger:wamid.7"
    assert [(a.name, a.size) for a in inbound.attachments] == [("a.pdf", 10)]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"from": {"id": "1"}, "text": "x"}, "message_id"),
        ({"message_id": "", "from": {"id": "1"}, "text": "x"}, "message_id"),
        ({"message_id": "m", "from": "1", "text": "x"}, "from"),
        ({"message_id": "m", "from": {"id": True}, "text": "x"}, "id"),
        ({"message_id": "m", "from": {"id": "1"}, "text": "  "}, "text"),
        ({"message_id": "m", "from": {"id": "1"}, "text": "x", "attachments": [{"size": -1}]}, "attachments"),
        ({"message_id": "m" * 301, "from": {"id": "1"}, "text": "x"}, "message_id"),
    ],
)
def test_a_bad_field_is_named_in_the_refusal(data: object, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse(data)
    assert refused.value.field == field


def test_a_template_prefix_is_read_and_removed() -> None:
    assert template_of("[template:order_update] Your parcel left") == ("order_update", "Your parcel left")
    assert template_of("No template [template:x]") == (None, "No template [template:x]")
    assert template_of("[template:] empty name") == (None, "[template:] empty name")
