"""RateLimiter alone: token buckets on an injected clock."""

from coordination.entrypoints.api.rate_limit import RateLimiter, retry_after


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_next_request_waits_for_one_refill() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.take("t") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("t") == 1.0  # one request a second


def test_the_allowance_refills_at_the_rate_up_to_the_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=2, clock=clock)
    limiter.take("t"), limiter.take("t")
    clock.now += 0.5
    assert limiter.take("t") == 0.5
    clock.now += 0.5
    assert limiter.take("t") == 0.0
    clock.now += 3600  # idle for an hour: still only the burst
    assert [limiter.take("t") for _ in range(3)][2] > 0


def test_a_refused_request_spends_nothing() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=1, clock=clock)
    limiter.take("t")
    waits = [limiter.take("t") for _ in range(100)]
    assert waits == [10.0] * 100
    clock.now += 10
    assert limiter.take("t") == 0.0


def test_each_token_has_its_own_bucket() -> None:
    limiter = RateLimiter(per_minute=60, burst=1, clock=Clock())
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0
    assert limiter.take("b") == 0.0


def test_zero_a_minute_means_no_limit() -> None:
    limiter = RateLimiter(per_minute=0, burst=1, clock=Clock())
    assert not limiter.enabled
    assert all(limiter.take("t") == 0.0 for _ in range(1000))


def test_retry_after_is_whole_seconds_and_never_zero() -> None:
    assert retry_after(0.001) == 1
    assert retry_after(1.0) == 1
    assert retry_after(1.2) == 2
    assert retry_after(59.9) == 60
