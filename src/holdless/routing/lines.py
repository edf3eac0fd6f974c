"""A queue's line in serving order, with the rank of any place in O(log n + n / chunk) and tiny constants.

Stdlib has no order-statistics tree, so this is a sorted list split into chunks (the layout of
``sortedcontainers``): inserting near the end, the common case, touches one short chunk, and a rank query
sums the sizes of the chunks on the shorter side.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator

# (band, order key 1, order key 2, enqueued_at, contact_id): band 0 is at risk, 1 normal.
LineKey = tuple[float, float, float, float, str]

_CHUNK = 512


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

    def rank(self, key: LineKey) -> int:
        """How many places in the line come before ``key``."""
        maxes = self._maxes
        i = bisect_left(maxes, key)
        if i == len(maxes):
            return self._len
        within = bisect_left(self._chunks[i], key)
        chunks = self._chunks
        if i <= len(chunks) // 2:
            return sum(map(len, chunks[:i])) + within
        return self._len - sum(map(len, chunks[i:])) + within
