"""Group commit for messages: posts that arrive while a transaction is running share the next one.

With one post at a time this is the plain path (one transaction each, no added wait). Under load the
round trips of a transaction are paid once per batch instead of once per message, which is what lets
one process keep up with thousands of messages a second on SQLite and on PostgreSQL.

A database that runs writers in parallel (PostgreSQL: row locks, several connections) gets several
batches in flight, so one batch's round trips overlap another's; the workspace's sequence row, locked
last and held until commit, still numbers events in commit order. A conversation is in at most one
batch in flight, so its messages keep the order they were submitted in. SQLite has one writer: one batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from holdless.conversations.messaging import Outcome, Post, write_posts
from holdless.errors import HoldlessError, Unavailable
from holdless.ids import ConversationId
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)
Waiting = tuple[Post, asyncio.Future[Outcome]]


class MessageWriter:
    def __init__(self, ctx: Ctx, *, max_batch: int = 200, parallel: int | None = None) -> None:
        self._ctx = ctx  # a context without a writer: write_posts opens the units of work itself
        self._max_batch = max_batch
        # How many transactions the storage can usefully run at once (storage/unit_of_work.py).
        self._parallel = max(1, parallel or ctx.uow.parallel_writers)
        self._waiting: deque[Waiting] = deque()
        self._busy: set[ConversationId] = set()  # conversations in a batch in flight
        self._drains: set[asyncio.Task[None]] = set()  # strong references to the running drains
        self._running = 0  # drains that may still take a batch (kept exact: no done-callback lag)

    async def submit(self, post: Post) -> Outcome:
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((post, future))
        if self._running < self._parallel:
            self._running += 1
            task = asyncio.create_task(self._drain(), name="holdless-message-writer")
            self._drains.add(task)
            task.add_done_callback(self._drains.discard)
        return await future

    def _take(self) -> list[Waiting]:
        """The next batch, in arrival order, without conversations that another batch is writing."""
        waiting = self._waiting
        if not self._busy and len(waiting) <= self._max_batch:
            batch = list(waiting)
            waiting.clear()
        elif not self._busy:
            batch = [waiting.popleft() for _ in range(self._max_batch)]
        else:
            batch, kept = [], deque[Waiting]()
            for item in waiting:
                if len(batch) < self._max_batch and item[0].conversation_id not in self._busy:
                    batch.append(item)
                else:
                    kept.append(item)
            self._waiting = kept
        return batch

    async def _drain(self) -> None:
        try:
            await self._write_batches()
        finally:
            self._running -= 1

    async def _write_batches(self) -> None:
        while batch := self._take():
            posts = [post for post, _ in batch]
            mine = {post.conversation_id for post in posts} - self._busy
            self._busy |= mine
            try:
                try:
                    outcomes = await write_posts(self._ctx, posts)
                except Exception:  # e.g. a lost database connection: retry one by one so each fails alone
                    log.exception("batched write of %d messages failed; retrying them one by one", len(posts))
                    outcomes = [await self._alone(post) for post in posts]
            finally:
                self._busy -= mine
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
