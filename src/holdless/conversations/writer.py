"""Group commit for messages: posts that arrive while a transaction is running share the next one.

With one post at a time this is the plain path (one transaction each, no added wait). Under load the
round trips of a transaction are paid once per batch instead of once per message, which is what lets
one process keep up with thousands of messages a second on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from holdless.conversations.messaging import Outcome, Post, write_posts
from holdless.errors import HoldlessError, Unavailable
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)


class MessageWriter:
    def __init__(self, ctx: Ctx, *, max_batch: int = 200) -> None:
        self._ctx = ctx  # a context without a writer: write_posts opens the units of work itself
        self._max_batch = max_batch
        self._waiting: deque[tuple[Post, asyncio.Future[Outcome]]] = deque()
        self._draining: asyncio.Task[None] | None = None

    async def submit(self, post: Post) -> Outcome:
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((post, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain(), name="holdless-message-writer")
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch = [self._waiting.popleft() for _ in range(min(self._max_batch, len(self._waiting)))]
            posts = [post for post, _ in batch]
            try:
                outcomes = await write_posts(self._ctx, posts)
            except Exception:  # e.g. a lost database connection: retry one by one so each fails alone
                log.exception("batched write of %d messages failed; retrying them one by one", len(posts))
                outcomes = [await self._alone(post) for post in posts]
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)

    async def _alone(self, post: Post) -> Outcome:
        try:
            return (await write_posts(self._ctx, [post]))[0]
        except HoldlessError as error:
            return error
        except Exception as error:
            log.exception("message could not be stored")
            return Unavailable(f"The message could not be stored ({type(error).__name__}); please retry.")
