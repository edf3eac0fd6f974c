"""A queue's line in serving order, with the rank of any place in O(log n + n / chunk) and tiny constants.

Stdlib has no order-statistics tree, so this is a sorted list split into chunks (the layout of
``sortedcontainers``): inserting near the end, the common case, touches one short chunk, and a rank query
sums the sizes of the chunks on the shorter side.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator

# (deadline, place, enqueued_at, contact_id): one segment's contacts of a queue, in serving order.
LineKey = tuple[float, float, float, str]

_CHUNK = 512
_AFTER = float("inf")  # sorts after every place: (d, inf) follows every key of deadline d


class OrderedLine:
    __slots__ = ("_chunks", "_len", "_maxes")

    def __init__(self) -> None:
        self._chunks: list[list[LineKey]] = []
        self._maxes: list[LineKey] = []
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[LineKey]:
        for chunk in self._chunks:
            yield from chunk

    def add(self, key: LineKey) -> None:
        maxes = self._maxes
        self._len += 1
        if not maxes:
            self._chunks.append([key])
            maxes.append(key)
            return
        i = bisect_right(maxes, key)
        if i == len(maxes):
            i -= 1
            chunk = self._chunks[i]
            chunk.append(key)
            maxes[i] = key
        else:
            chunk = self._chunks[i]
            insort(chunk, key)
        if len(chunk) > 2 * _CHUNK:
            self._chunks[i : i + 1] = [chunk[:_CHUNK], chunk[_CHUNK:]]
            maxes[i : i + 1] = [chunk[_CHUNK - 1], chunk[-1]]

    def remove(self, key: LineKey) -> None:
        maxes = self._maxes
        i = bisect_left(maxes, key)
        if i == len(maxes):
            raise KeyError(key)
        chunk = self._chunks[i]
        j = bisect_left(chunk, key)
        if j == len(chunk) or chunk[j] != key:
            raise KeyError(key)
        del chunk[j]
        self._len -= 1
        if not chunk:
            del self._chunks[i]
            del maxes[i]
        elif j == len(chunk):
            maxes[i] = chunk[-1]

    def rank(self, key: tuple[object, ...]) -> int:
        """How many keys in the line are smaller than ``key``."""
        maxes = self._maxes
        i = bisect_left(maxes, key)
        if i == len(maxes):
            return self._len
        within = bisect_left(self._chunks[i], key)
        chunks = self._chunks
        if i <= len(chunks) // 2:
            return sum(map(len, chunks[:i])) + within
        return self._len - sum(map(len, chunks[i:])) + within

    def count_due(self, deadline: float) -> int:
        """How many keys have a deadline at or before ``deadline`` (the at-risk prefix)."""
        chunks = self._chunks
        if not chunks:
            return 0
        first = chunks[0]
        if first[0][0] > deadline:
            return 0
        if first[-1][0] > deadline:  # the prefix ends in the first chunk, the usual case
            return bisect_right(first, (deadline, _AFTER))
        if self._maxes[-1][0] <= deadline:
            return self._len
        return self.rank((deadline, _AFTER))

    def keys(self) -> list[LineKey]:
        """All keys in order, as one list (for a walk over the whole line)."""
        if len(self._chunks) == 1:
            return list(self._chunks[0])
        out: list[LineKey] = []
        for chunk in self._chunks:
            out += chunk
        return out
