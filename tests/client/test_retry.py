"""Backoff arithmetic and the rule that only transient failures are retried."""

from __future__ import annotations

import pytest

from hjs_operators.client.retry import RetryPolicy, call_with_retries
from hjs_operators.protocol.errors import HjsBusinessError, HjsConfigError, HjsProtocolError, HjsTransientError


def test_delay_grows_exponentially_with_bounded_jitter():
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0)
    assert [policy.delay(n, rng=lambda: 0.0) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert [policy.delay(n, rng=lambda: 0.999999) for n in (1, 2, 5)] == pytest.approx([1.0, 2.0, 10.0], rel=1e-5)


def test_retry_after_is_honoured_up_to_max_delay():
    policy = RetryPolicy(base_delay=0.1, max_delay=3.0)
    assert policy.delay(1, retry_after=2.0, rng=lambda: 0.0) == 2.0
    assert policy.delay(1, retry_after=60.0, rng=lambda: 0.0) == 3.0


def test_bad_policy_refused():
    with pytest.raises(HjsConfigError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(HjsConfigError):
        RetryPolicy(multiplier=0.5)


def run(failures, policy=None):
    calls, sleeps = [], []

    def attempt():
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "ok"

    result = call_with_retries("system.ping", attempt, policy or RetryPolicy(max_attempts=4), sleep=sleeps.append)
    return result, len(calls), sleeps


def test_transient_failures_are_retried_until_success():
    result, calls, sleeps = run([HjsTransientError("HTTP 503"), HjsTransientError("timeout")])
    assert (result, calls, len(sleeps)) == ("ok", 3, 2)
    assert sleeps[0] < sleeps[1] * 2 + 1e-9  # a real pause each time, growing


def test_gives_up_after_max_attempts():
    with pytest.raises(HjsTransientError):
        run([HjsTransientError("HTTP 500")] * 10, RetryPolicy(max_attempts=3))


@pytest.mark.parametrize(
    "error", [HjsBusinessError("1001", "product not found"), HjsProtocolError("signature does not verify")]
)
def test_business_and_protocol_errors_are_not_retried(error):
    calls = []

    def attempt():
        calls.append(1)
        raise error

    with pytest.raises(type(error)):
        call_with_retries("product.query", attempt, RetryPolicy(max_attempts=5), sleep=lambda s: None)
    assert len(calls) == 1
