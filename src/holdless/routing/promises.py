"""Offers and callback promises as stored records: what the routing engine decided, kept for the record.

The engine (engine.py) holds the live state; these records are the server's durable copy, so that a
restart or another server process knows which offers are open and which promises are owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from holdless.ids import ConversationId, CustomerId, UserId, WorkspaceId


class OfferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class OfferRecord:
    id: str
    workspace_id: WorkspaceId
    conversation_id: ConversationId
    agent_id: UserId
    channel: str  # the slot it reserves: capacity is per channel
    status: OfferStatus
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None
    reason: str = ""


class CallbackStatus(StrEnum):
    PROMISED = "promised"  # waiting for its window, or due and in line
    KEPT = "kept"
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    """ "Call / write me back between 14:00 and 15:00": a promise that ends exactly once, kept or broken."""

    id: str
    workspace_id: WorkspaceId
    conversation_id: ConversationId
    customer_id: CustomerId
    channel: str
    window_start: datetime
    window_end: datetime
    status: CallbackStatus
    created_at: datetime
    phone: str = ""
    attempts: int = 0
    at_risk: bool = False
    ended_at: datetime | None = None
    reason: str = ""
