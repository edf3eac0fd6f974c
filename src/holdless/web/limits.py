"""Rate limits at the edge: a token bucket per client address, in this process."""

from __future__ import annotations

import time

from holdless.errors import TooManyRequests


class RateLimiter:
    """``per_minute`` requests a minute per key, in bursts of up to ``per_minute``; 0 turns it off.

    Per process: with N server processes behind a balancer a client gets at most N times the rate. The
    buckets of quiet keys are dropped when the table grows, so memory stays bounded under a spray of
    addresses.
    """

    def __init__(self, per_minute: int, *, max_keys: int = 100_000) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(per_minute)
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str, what: str, now: float | None = None) -> None:
        if self._rate <= 0:
            return
        moment = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(key, (self._burst, moment))
        tokens = min(self._burst, tokens + (moment - last) * self._rate)
        if tokens < 1.0:
            wait = (1.0 - tokens) / self._rate
            raise TooManyRequests(
                f"Too many {what} from your address; try again in {wait:.0f} s.", retry_after=wait
            )
        if len(self._buckets) >= self._max_keys and key not in self._buckets:
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self._burst - 1}
        self._buckets[key] = (tokens - 1.0, moment)
