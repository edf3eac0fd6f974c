"""Top reasons, sentiment trend and the bot funnel from a hand-built morning of stored events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from holdless.analytics.insights import insights
from holdless.events import Event
from holdless.ids import ConversationId, WorkspaceId

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def event(kind: str, minute: int, conversation: str, queue: str = "q1", **data: Any) -> Event:
    return Event(
        kind, WorkspaceId("ws"), "bot", START + timedelta(minutes=minute), data,
        ConversationId(conversation), queue_id=queue,
    )  # fmt: skip


def test_reasons_sentiment_and_where_customers_leave_the_bot() -> None:
    log = [
        # c1: the bot understood "lost card", ran the card flow to the end, contained.
        event("bot.turn", 1, "c1", intent="block_card", negative_score=0.2),
        event("bot.step", 1, "c1", flow="cards", step="ask_last4"),
        event("bot.turn", 2, "c1", intent="block_card", negative_score=0.4),
        event("bot.step", 2, "c1", flow="cards", step="done"),
        event("bot.contained", 2, "c1"),
        event("conversation.resolved", 2, "c1", disposition="contained"),
        # c2: same flow, asked for a person at the first question.
        event("bot.turn", 5, "c2", intent="block_card", negative_score=0.9),
        event("bot.step", 5, "c2", flow="cards", step="ask_last4"),
        event("bot.handoff", 6, "c2"),
        event("conversation.resolved", 30, "c2", disposition="billing"),
        # c3: order status, left while the bot was asking.
        event("bot.turn", 70, "c3", queue="q2", intent="order_status", negative_score=0.5),
        event("bot.step", 70, "c3", queue="q2", flow="orders", step="ask_order"),
        event("conversation.abandoned", 75, "c3", queue="q2"),
        # c4: no bot; resolved as billing.
        event("conversation.resolved", 80, "c4", disposition="billing"),
        # Outside the window: not counted.
        event("conversation.resolved", 200, "c5", disposition="billing"),
    ]
    found = insights(log, since=START, until=START + timedelta(hours=2))

    # Dispositions: billing ×2 (c2, c4), contained ×1; first intents: block_card ×2 (c1, c2), order_status ×1.
    assert found.top_reasons[:2] == [
        {"reason": "disposition:billing", "contacts": 2},
        {"reason": "intent:block_card", "contacts": 2},
    ]
    assert {"reason": "intent:order_status", "contacts": 1} in found.top_reasons
    # 09:00–10:00 on q1: (0.2 + 0.4 + 0.9) / 3 = 0.5; 10:00–11:00 on q2: 0.5 from one message.
    assert found.sentiment == [
        {"interval": "2026-01-05T09:00:00+00:00", "queue_id": "q1", "messages": 3, "mean_negative": 0.5},
        {"interval": "2026-01-05T10:00:00+00:00", "queue_id": "q2", "messages": 1, "mean_negative": 0.5},
    ]
    assert found.bot_funnel == [
        {"flow": "cards", "last_step": "ask_last4", "outcome": "handoff", "conversations": 1},
        {"flow": "cards", "last_step": "done", "outcome": "contained", "conversations": 1},
        {"flow": "orders", "last_step": "ask_order", "outcome": "left", "conversations": 1},
    ]
