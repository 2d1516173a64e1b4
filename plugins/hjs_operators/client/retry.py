"""Retries with exponential backoff and jitter, for transient failures only.

Only HjsTransientError is retried (connection failures, timeouts, HTTP 429, 5xx, 9999), honouring
a Retry-After HJS sends with a 429 or 503: business refusals (1xxx) give the same answer every time and
protocol failures (2xxx, bad signatures) mean misconfiguration or tampering, where hammering HJS
helps nobody. Each attempt calls the given function again, and the transport builds a new envelope
per call, so every retry carries a new nonce and timestamp as the spec requires.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..protocol.errors import HjsConfigError, HjsTransientError

T = TypeVar("T")
log = logging.getLogger("hjs_operators.client.retry")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Defaults: 5 attempts, waits of about 0.5, 1, 2, 4 s (≈7.5 s in all) - long enough to ride out a
    restart of HJS's gateway, short enough that an Airflow task retry takes over beyond that.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise HjsConfigError("retry policy needs at least one attempt")
        if self.base_delay < 0 or self.max_delay < 0 or self.multiplier < 1:
            raise HjsConfigError("retry delays must be non-negative and the multiplier at least 1")

    def delay(
        self, attempt: int, *, retry_after: float | None = None, rng: Callable[[], float] = random.random
    ) -> float:
        """Wait before attempt `attempt + 1`.

        "Equal jitter": half the exponential step fixed, half random. The random half keeps many
        workers that failed together from retrying in lock-step; the fixed half guarantees a real
        pause. A Retry-After from HJS is honoured up to max_delay.
        """
        step = min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1))
        wait = step / 2 + rng() * step / 2
        if retry_after is not None and retry_after > 0:
            wait = max(wait, min(retry_after, self.max_delay))
        return wait


def call_with_retries(
    service: str,
    attempt: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> T:
    """Run `attempt` until it succeeds, raises a non-transient error, or the attempts are used up."""
    for number in range(1, policy.max_attempts + 1):
        try:
            return attempt()
        except HjsTransientError as exc:
            if number >= policy.max_attempts:
                log.warning("hjs %s: attempt %d/%d failed, giving up: %s", service, number, policy.max_attempts, exc)
                plural = "s" if number > 1 else ""
                raise HjsTransientError(
                    f"gave up after {number} attempt{plural}; last: {exc.detail}",
                    service=service,
                    outcome_unknown=exc.outcome_unknown,
                    retry_after=exc.retry_after,
                    http_status=exc.http_status,
                ) from exc
            wait = policy.delay(number, retry_after=exc.retry_after, rng=rng)
            log.warning(
                "hjs %s: attempt %d/%d failed (%s); retrying in %.2fs",
                service,
                number,
                policy.max_attempts,
                exc,
                wait,
            )
            sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
