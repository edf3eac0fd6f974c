"""Messenger webhook bookkeeping: the shared seen-store of signatures, and the customer's last message time.

The seen-store is a table (not process memory), so a replay is refused whichever process receives it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.conversations.model import Author
from holdless.ids import ConversationId
from holdless.storage.tables import messages, messenger_seen


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class SqlSeenStore:
    """`integrations.signing.SeenStore` over the messenger_seen table; expired rows are removed on the way."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def remember(self, key: str, *, now: float, until: float) -> bool:
        async with self._engine.begin() as conn:
            await conn.execute(delete(messenger_seen).where(messenger_seen.c.until <= _at(now)))
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(messenger_seen).values(
                        signature_digest=key[:64], seen_at=_at(now), until=_at(until)
                    )
                )
        except IntegrityError:
            return False  # seen, and not expired (expired rows were deleted just above)
        return True


async def last_customer_message_at(engine: AsyncEngine, conversation_id: ConversationId) -> datetime | None:
    query = (
        select(messages.c.created_at)
        .where(messages.c.conversation_id == conversation_id, messages.c.author == Author.CUSTOMER.value)
        .order_by(messages.c.seq.desc())
        .limit(1)
    )
    async with engine.connect() as conn:
        value: datetime | None = (await conn.execute(query)).scalar_one_or_none()
    return value
