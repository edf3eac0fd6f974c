"""The edge's token bucket: a burst is allowed, then one request per refill interval, per address."""

from __future__ import annotations

import pytest

from holdless.errors import TooManyRequests
from holdless.web.limits import RateLimiter


def test_a_burst_then_one_per_interval_per_address() -> None:
    limiter = RateLimiter(per_minute=3)  # one token every 20 s, bursts of 3
    for _ in range(3):
        limiter.take("198.51.100.7", "new chat sessions", now=0.0)
    with pytest.raises(TooManyRequests) as refused:
        limiter.take("198.51.100.7", "new chat sessions", now=1.0)
    assert refused.value.retry_after == pytest.approx(19.0)
    assert "try again in 19 s" in refused.value.message
    limiter.take("203.0.113.9", "new chat sessions", now=1.0)  # another address is not affected
    limiter.take("198.51.100.7", "new chat sessions", now=20.0)  # one token refilled after 20 s
    with pytest.raises(TooManyRequests):
        limiter.take("198.51.100.7", "new chat sessions", now=21.0)


def test_zero_means_no_limit() -> None:
    limiter = RateLimiter(per_minute=0)
    for _ in range(1000):
        limiter.take("198.51.100.7", "new chat sessions", now=0.0)
