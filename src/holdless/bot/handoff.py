"""The handoff card: what the bot learned, so that nobody asks the customer twice. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from holdless.bot.state import BotState


@dataclass(frozen=True, slots=True)
class RecentContact:
    conversation_id: str
    channel: str
    status: str
    subject: str
    created_at: datetime


def sentiment_trend(scores: Sequence[float]) -> str:
    """rising (getting angrier) | falling | steady | unknown, from the negative scores in order."""
    if len(scores) < 2:
        return "unknown"
    half = len(scores) // 2
    before = sum(scores[:half]) / half
    after = sum(scores[half:]) / (len(scores) - half)
    if after - before >= 0.15:
        return "rising"
    if before - after >= 0.15:
        return "falling"
    return "steady"


def summary(state: BotState) -> str:
    parts: list[str] = []
    if state.intent:
        parts.append(f"Wants: {state.intent.replace('_', ' ')} ({state.confidence:.0%} sure).")
    else:
        parts.append("Request not recognised by the bot.")
    if state.verified:
        parts.append(f"Verified: {', '.join(state.verified)}.")
    if state.collected:
        details = ", ".join(f"{k}={v}" for k, v in state.collected.items())
        parts.append(f"Details: {details}.")
    if state.tried:
        parts.append("Bot tried: " + "; ".join(f"{a.what} ({a.outcome})" for a in state.tried) + ".")
    if state.handoff_reason:
        parts.append(f"Handed over: {state.handoff_reason}.")
    if state.angry:
        parts.append("Customer is upset.")
    return " ".join(parts)


def card(state: BotState, recent: Sequence[RecentContact], now: datetime) -> dict[str, Any]:
    """The card as JSON (the agent's panel and GET /conversations/{id}/handoff)."""
    return {
        "written_at": now.isoformat(),
        "language": state.language,
        "verified": [
            {"fact": fact, "value": value, "dont_ask_again": True} for fact, value in state.verified.items()
        ],
        "intent": None if state.intent is None else {"name": state.intent, "confidence": state.confidence},
        "details": dict(state.collected),
        "tried": [{"what": a.what, "outcome": a.outcome} for a in state.tried],
        "ended": "contained" if state.contained else ("handed over" if state.handed_off else "with the bot"),
        "handoff_reason": state.handoff_reason,
        "summary": summary(state),
        "sentiment": {
            "scores": list(state.negatives),
            "trend": sentiment_trend(state.negatives),
            "angry": state.angry,
        },
        "last_messages": list(state.messages),
        "recent_contacts": [
            {
                "conversation_id": c.conversation_id,
                "channel": c.channel,
                "status": c.status,
                "subject": c.subject,
                "created_at": c.created_at.isoformat(),
            }
            for c in recent
        ],
    }
