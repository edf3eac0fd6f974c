"""The channel adapter contract: what every channel turns its payloads into, and how replies are shown.

Inbound, an adapter parses a provider's payload into an `Inbound` value and calls
`conversations.intake.receive`; outbound, a listener hands it an `Outbound` with a `Reply`, which the
adapter renders by its `Capabilities`. Adapters hold no business rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from holdless.conversations.intake import Inbound
from holdless.conversations.model import Channel
from holdless.ids import ConversationId, MessageId, WorkspaceId

__all__ = ["Capabilities", "ChannelAdapter", "Choice", "Inbound", "Outbound", "Rendered", "Reply", "render"]


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What Holdless says to the customer, independent of the channel."""

    text: str
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True, slots=True)
class Capabilities:
    buttons: bool = False  # inline buttons (Telegram) or not (email, SMS)
    max_buttons: int = 0
    max_text: int = 10_000
    threads: bool = False  # the provider threads replies itself (email References)


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    buttons: tuple[Choice, ...] = ()


def render(reply: Reply, capabilities: Capabilities) -> Rendered:
    """Choices become buttons where the channel has them, numbered lines where it does not."""
    text = reply.text
    if not reply.choices:
        return Rendered(text[: capabilities.max_text])
    if capabilities.buttons and len(reply.choices) <= capabilities.max_buttons:
        return Rendered(text[: capabilities.max_text], reply.choices)
    lines = [f"{n}. {choice.label}" for n, choice in enumerate(reply.choices, start=1)]
    return Rendered("\n".join([text, "", *lines])[: capabilities.max_text])


def chosen(reply: Reply, answer: str) -> Choice | None:
    """The choice a text answer picks: its number or its label (for channels without buttons)."""
    cleaned = answer.strip().rstrip(".").casefold()
    for n, choice in enumerate(reply.choices, start=1):
        if cleaned in (str(n), choice.label.casefold(), choice.value.casefold()):
            return choice
    return None


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message of a conversation to deliver to the customer on this channel."""

    workspace_id: WorkspaceId
    conversation_id: ConversationId
    message_id: MessageId
    recipient: str  # the channel address: an email address, a chat id
    recipient_name: str
    subject: str
    reply: Reply
    thread_keys: tuple[str, ...] = ()  # earlier message ids of the thread, oldest first
    automatic: bool = False  # written by the bot (an acknowledgement), not by a person


class ChannelAdapter(Protocol):
    channel: Channel
    capabilities: Capabilities

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def send(self, outbound: Outbound) -> str:
        """Deliver; returns the provider's id of the sent message. Raises on failure."""
        ...
