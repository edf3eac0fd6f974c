"""The handoff card tells the agent what not to ask again, what the bot tried, and how the customer feels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from holdless.bot.handoff import RecentContact, card, sentiment_trend
from holdless.bot.state import Attempt, BotState

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_verified_facts_are_marked_dont_ask_again_and_the_summary_reads_well() -> None:
    state = BotState(
        language="ru",
        intent="block_card",
        confidence=0.82,
        verified={"email": "olga@bank.example"},
        collected={"card_last4": "4821"},
        tried=(Attempt("block_card", "handoff"),),
        handed_off=True,
        handoff_reason="customer asked for a person",
        negatives=(0.1, 0.2, 0.7, 0.9),
        angry=True,
    )
    recent = [RecentContact("con_1", "email", "resolved", "Card fee", NOW - timedelta(days=3))]
    written = card(state, recent, NOW)
    assert written["verified"] == [{"fact": "email", "value": "olga@bank.example", "dont_ask_again": True}]
    assert written["intent"] == {"name": "block_card", "confidence": 0.82}
    assert written["details"] == {"card_last4": "4821"}
    assert written["tried"] == [{"what": "block_card", "outcome": "handoff"}]
    assert written["ended"] == "handed over"
    assert written["sentiment"] == {"scores": [0.1, 0.2, 0.7, 0.9], "trend": "rising", "angry": True}
    assert written["recent_contacts"][0]["channel"] == "email"
    assert written["summary"] == (
        "Wants: block card (82% sure). Verified: email. Details: card_last4=4821. "
        "Bot tried: block_card (handoff). Handed over: customer asked for a person. Customer is upset."
    )


def test_the_sentiment_trend_compares_the_later_half_with_the_earlier_half() -> None:
    assert sentiment_trend([0.9]) == "unknown"
    assert sentiment_trend([0.8, 0.9, 0.2, 0.1]) == "falling"  # 0.85 → 0.15
    assert sentiment_trend([0.3, 0.35, 0.4]) == "steady"  # 0.3 → 0.375
    assert sentiment_trend([0.1, 0.3, 0.6]) == "rising"  # 0.1 → 0.45
