"""Wake-ahead's per-person limit on the real table (moto): one conditional ADD a request, refused
past the limit without counting, a new counter each window, each gone with its window (TTL)."""
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.control import rate_limits
from devstack.resources import Resources
from devstack.stack import REGION
from pawport.errors import TooManyRequests
from pawport.keys import limit_key, limit_sk
from pawport.store import Store
from tests.support.clocks import Clock

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_ten_wake_aheads_an_hour_then_429_until_the_next_hour(made: Resources, aws_env: str) -> None:
    clock = Clock(START + timedelta(minutes=20))
    store = Store(made.tables["main"], REGION, aws_env, clock)
    for _ in range(rate_limits.WARMUP.most):
        rate_limits.take(store, rate_limits.WARMUP, "u-ann", clock())
    with pytest.raises(TooManyRequests, match="at most 10 warmup requests an hour") as refused:
        rate_limits.take(store, rate_limits.WARMUP, "u-ann", clock())
    assert refused.value.status == 429 and refused.value.retry_after_seconds == 40 * 60

    counter = store.get(limit_key("u-ann"), limit_sk("warmup", START.isoformat()))
    assert (counter.count, counter.kind, counter.expires_at) == (10, "counter", START + timedelta(hours=1))
    rate_limits.take(store, rate_limits.WARMUP, "u-bob", clock())            # each person has their own

    clock.now = START + timedelta(hours=1)                                    # the window moved on
    rate_limits.take(store, rate_limits.WARMUP, "u-ann", clock())
    assert store.get(limit_key("u-ann"), limit_sk("warmup", START.isoformat())) is None   # past its TTL
    assert store.get(limit_key("u-ann"), limit_sk("warmup", clock.now.isoformat())).count == 1
