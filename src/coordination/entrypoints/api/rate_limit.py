"""A per-token rate limit: one token bucket per bearer token, kept in this process.

Each token may make `burst` requests at once and `per_minute` requests a minute on
average. A refused request spends nothing. With several worker processes each one
limits on its own (ADR 0016).
"""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by token id; the clock (seconds, monotonic) is injected."""

    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = max(per_minute, 0) / 60
        self.capacity = float(max(burst, 1))
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()  # dependencies run in the worker thread pool

    @property
    def enabled(self) -> bool:
        return self.per_second > 0

    def take(self, key: str) -> float:
        """Spend one request of `key`'s allowance: 0.0 if allowed, else seconds to wait."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.setdefault(key, _Bucket(self.capacity, now))
            refill = (now - bucket.updated) * self.per_second
            bucket.tokens, bucket.updated = min(self.capacity, bucket.tokens + refill), now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.per_second


def retry_after(wait_seconds: float) -> int:
    """Whole seconds for Retry-After, never 0: a client retrying then would be early."""
    return max(1, math.ceil(wait_seconds))


def throttle(request: Request, token_id: str) -> None:
    """429 rate-limited when the token has spent its allowance; called after authentication."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    wait = limiter.take(token_id) if limiter else 0.0
    if wait > 0:
        seconds = retry_after(wait)
        raise HTTPException(
            429, f"too many requests with this token; retry in {seconds} s",
            {"Retry-After": str(seconds)},
        )  # fmt: skip
