"""Why customers come and how the bot does: top contact reasons, sentiment over the day, the bot funnel.

Pure functions over stored events (the bot's `bot.turn` / `bot.step` / `bot.handoff` / `bot.contained`
events and the conversation lifecycle); the report adapter reads the log and calls them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from holdless.analytics.kpis import interval_of

INSIGHT_EVENT_TYPES = frozenset(
    {
        "conversation.resolved",
        "conversation.abandoned",
        "conversation.assigned",
        "bot.turn",
        "bot.step",
        "bot.handoff",
        "bot.contained",
    }
)


@dataclass
class _BotPath:
    flow: str | None = None
    last_step: str | None = None
    outcome: str | None = None  # contained, handoff, left, assigned


@dataclass
class Insights:
    top_reasons: list[dict[str, Any]] = field(default_factory=list)
    sentiment: list[dict[str, Any]] = field(default_factory=list)
    bot_funnel: list[dict[str, Any]] = field(default_factory=list)


def insights(
    events: Iterable[Any], *, since: datetime, until: datetime, interval_minutes: int = 60, limit: int = 10
) -> Insights:
    """``events`` are stored events (holdless.events.Event) in log order."""
    reasons: Counter[str] = Counter()
    intent_seen: set[str] = set()
    negative: dict[tuple[int, str], list[float]] = defaultdict(list)
    paths: dict[str, _BotPath] = {}
    step = interval_minutes * 60
    for event in events:
        if not since <= event.at < until:
            continue
        cid = event.conversation_id or ""
        data = event.data
        if event.type == "conversation.resolved" and data.get("disposition"):
            reasons[f"disposition:{data['disposition']}"] += 1
        elif event.type == "bot.turn":
            intent = data.get("intent")
            if intent and cid not in intent_seen:  # the first intent the bot understood in the conversation
                intent_seen.add(cid)
                reasons[f"intent:{intent}"] += 1
            score = data.get("negative_score")
            if isinstance(score, int | float):
                negative[(interval_of(event.at.timestamp(), step), event.queue_id or "")].append(float(score))
        elif event.type == "bot.step":
            path = paths.setdefault(cid, _BotPath())
            path.flow = str(data.get("flow") or path.flow or "")
            path.last_step = str(data.get("step") or "")
        elif event.type in ("bot.handoff", "bot.contained") and cid in paths:
            paths[cid].outcome = paths[cid].outcome or event.type.removeprefix("bot.")
        elif event.type == "conversation.abandoned" and cid in paths:
            paths[cid].outcome = paths[cid].outcome or "left"
        elif event.type == "conversation.assigned" and cid in paths:
            paths[cid].outcome = paths[cid].outcome or "assigned"
    result = Insights()
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:limit]  # ties by name
    result.top_reasons = [{"reason": r, "contacts": n} for r, n in ranked]
    result.sentiment = [
        {
            "interval": datetime.fromtimestamp(slot, since.tzinfo).isoformat(),
            "queue_id": queue or None,
            "messages": len(scores),
            "mean_negative": round(sum(scores) / len(scores), 3),
        }
        for (slot, queue), scores in sorted(negative.items())
    ]
    funnel: dict[tuple[str, str, str], int] = Counter()
    for path in paths.values():
        funnel[(path.flow or "", path.last_step or "", path.outcome or "open")] += 1
    result.bot_funnel = [
        {"flow": flow, "last_step": last, "outcome": outcome, "conversations": n}
        for (flow, last, outcome), n in sorted(funnel.items(), key=lambda item: (-item[1], item[0]))
    ]
    return result
