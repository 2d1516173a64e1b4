"""HTTP 429 and 503 with Retry-After, against the sandbox over real HTTP (fault knob throttle_count).

Reads are retried with backoff that honours Retry-After (seconds or HTTP-date); writes keep the
query-first path: a 429 is an unsigned answer, so the client asks HJS before sending again. Waits are
recorded through the client's sleep hook instead of slept, so no test depends on timing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hjs_operators.client import InvestCommand, RetryPolicy
from hjs_operators.domain.order_numbers import invest_order_no
from hjs_operators.protocol.errors import HjsTransientError
from tests.client.helpers import PRODUCT, PRODUCT_ROW, Recorder, make_client

pytestmark = pytest.mark.sandbox

# max_delay well above the Retry-After used below, so the recorded waits show it was honoured.
PATIENT = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=60.0)


@pytest.fixture
def hjs(sandbox):
    sandbox.admin.upsert_products([PRODUCT_ROW])
    return sandbox


def test_read_rate_limited_twice_then_answered_returns_the_data(hjs):
    hjs.admin.set_faults(throttle_count=2, retry_after=7, services=["product.query"])
    recorder, sleeps = Recorder(), []
    with make_client(hjs, recorder=recorder, retry=PATIENT, sleep=sleeps.append) as client:
        product = client.query_product(PRODUCT)
    assert product.product_code == PRODUCT and product.share_amount == Decimal("5000.00")
    assert recorder.services() == ["product.query"] * 3
    assert len({nonce for _, nonce in recorder.sent}) == 3  # every attempt a new envelope
    assert len(sleeps) == 2 and all(wait >= 7 for wait in sleeps)  # Retry-After: 7 honoured
    assert hjs.admin.faults()["throttle_left"] == 0


def test_retry_after_as_http_date_is_honoured(hjs):
    hjs.admin.set_faults(throttle_count=1, retry_after=20, retry_after_format="http-date", services=["system.ping"])
    sleeps: list[float] = []
    with make_client(hjs, retry=PATIENT, sleep=sleeps.append) as client:
        client.ping()
    # The date has one-second resolution and is read a moment after it was written.
    assert len(sleeps) == 1 and 17 <= sleeps[0] <= 20


def test_503_with_retry_after_is_retried_too(hjs):
    hjs.admin.set_faults(throttle_count=1, throttle_status=503, retry_after=5, services=["product.query"])
    recorder, sleeps = Recorder(), []
    with make_client(hjs, recorder=recorder, retry=PATIENT, sleep=sleeps.append) as client:
        assert client.query_product(PRODUCT).product_code == PRODUCT
    assert recorder.services() == ["product.query"] * 2 and sleeps[0] >= 5


def test_persistent_429_ends_in_a_transient_error_naming_service_and_status(hjs):
    hjs.admin.set_faults(throttle_count=1000, retry_after=1, services=["maturity.trial"])
    recorder, sleeps = Recorder(), []
    with make_client(hjs, recorder=recorder, retry=PATIENT, sleep=sleeps.append) as client:
        with pytest.raises(HjsTransientError) as info:
            client.maturity_trial(PRODUCT)
    error = info.value
    assert error.service == "maturity.trial" and error.http_status == 429
    assert str(error) == (
        "maturity.trial: gave up after 4 attempts; last: HTTP 429 Too Many Requests (rate limited) from HJS "
        "(outcome unknown)"
    )
    assert "is the base URL right" not in str(error)
    assert recorder.services() == ["maturity.trial"] * 4 and len(sleeps) == 3


def test_write_rate_limited_asks_before_sending_again(hjs):
    """invest.create answered 429: untrusted, so HJS is asked (invest.query) before the re-send."""
    hjs.admin.set_faults(throttle_count=1, retry_after=3, services=["invest.create"])
    command = InvestCommand.for_asset(
        asset_id=61, product_code=PRODUCT, user_id="U-61", shares=1, amount=Decimal("5000.00")
    )
    recorder, sleeps = Recorder(), []
    with make_client(hjs, recorder=recorder, retry=PATIENT, sleep=sleeps.append) as client:
        order = client.subscribe(command)
    assert not order.already_at_hjs and order.order_no == invest_order_no(61)
    assert recorder.services() == ["invest.create", "invest.query", "invest.create"]
    assert len(sleeps) == 1 and sleeps[0] >= 3
    assert [row["orderNo"] for row in hjs.admin.subscriptions()] == [invest_order_no(61)]
