"""Shared helpers for the over-HTTP client tests: a request-recording adapter, fast clients, data."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from requests.adapters import HTTPAdapter

from hjs_operators.client import HjsClient, RetryPolicy, Timeouts
from hjs_operators.client.transport import new_session
from hjs_operators.domain.order_numbers import invest_order_no

# Short waits keep the suite fast; the backoff arithmetic itself is tested in test_retry.py.
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.005, max_delay=0.02)
PRODUCT = "P2026A"
PRODUCT_ROW = {
    "productCode": PRODUCT,
    "productName": "稳盈一号·90天",
    "channel": "1",
    "totalAmount": "1000000.00",
    "shareAmount": "5000.00",
    "annualRate": "0.0450",
    "dayCount": "ACT/365",
    "valueDate": "2026-01-01",
    "maturityDate": "2026-12-31",
    "transferOpen": True,
}


class Recorder(HTTPAdapter):
    """Counts what actually goes over the wire: one entry per HTTP request, with its envelope's nonce.

    Counting at the adapter sees every attempt the client makes, so "no retry" is checked on what was
    sent, not on what the client says it did. keep_bodies also keeps the request and response `data`
    (ciphertext) for the log-hygiene test.
    """

    def __init__(self, keep_bodies: bool = False) -> None:
        super().__init__(max_retries=0)
        self.sent: list[tuple[str, str]] = []
        self.keep_bodies = keep_bodies
        self.ciphertexts: list[str] = []

    def send(self, request, **kwargs):  # type: ignore[override]
        envelope = json.loads(request.body)
        self.sent.append((request.path_url.rsplit("/", 1)[-1], envelope["nonce"]))
        if self.keep_bodies and envelope.get("data"):
            self.ciphertexts.append(envelope["data"])
        response = super().send(request, **kwargs)
        if self.keep_bodies:
            try:
                data = json.loads(response.content).get("data")
            except ValueError:
                data = None
            if data:
                self.ciphertexts.append(data)
        return response

    def services(self) -> list[str]:
        return [service for service, _ in self.sent]

    def count(self, service: str) -> int:
        return self.services().count(service)


def make_client(
    sandbox: Any,
    *,
    recorder: Recorder | None = None,
    retry: RetryPolicy = FAST_RETRY,
    timeouts: Timeouts | None = None,
    sleep: Callable[[float], None] = lambda seconds: None,
    settings: Any = None,
) -> HjsClient:
    session = new_session()
    if recorder is not None:
        session.mount("http://", recorder)
    return HjsClient(
        sandbox.base_url,
        settings or sandbox.settings,
        session=session,
        retry=retry,
        timeouts=timeouts or Timeouts(connect=2.0, read=5.0),
        sleep=sleep,
    )


def clear_faults_after(sandbox: Any, sleeps_before_clearing: int) -> tuple[Callable[[float], None], list[float]]:
    """A sleep() for the client that switches the sandbox's faults off at the n-th backoff:
    "fail n times, then succeed", deterministically and without waiting."""
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == sleeps_before_clearing:
            sandbox.admin.clear_faults()

    return sleep, sleeps


def subscription_rows(count: int, *, product: str = PRODUCT, start: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "orderNo": invest_order_no(n),
            "productCode": product,
            "assetId": str(n),
            "userId": f"U{n:06d}",
            "shares": 1,
            "amount": "5000.00",
        }
        for n in range(start, start + count)
    ]


def money(text: str) -> Decimal:
    return Decimal(text)
