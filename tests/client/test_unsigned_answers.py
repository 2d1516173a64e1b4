"""Answers that are no HJS decision (docs/hjs-protocol.md section 6, "Answers a client cannot trust"):
unsigned 2006, unsigned 2005 for a body HJS could not read, HTTP 500, unsigned 503/9999, and a signed
2005 with an empty requestNonce. Each comes from the sandbox over real HTTP; the client must retry
(500, 503) or alert (the rest), never book one as HJS's answer to the request: no business or refusal
error, no re-send of a write on an untrusted answer, nothing at HJS that the client does not know of.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest

from hjs_operators.client import HjsRefusedError, HjsUntrustedAnswerError, InvestCommand, RetryPolicy
from hjs_operators.protocol import ProtocolSettings
from hjs_operators.protocol.errors import HjsBusinessError, HjsProtocolError, HjsTransientError
from tests.client.helpers import PRODUCT, PRODUCT_ROW, Recorder, make_client

pytestmark = pytest.mark.sandbox

RETRY = RetryPolicy(max_attempts=3, base_delay=0)


class Mangler(Recorder):
    """Changes the envelope on its way out, as a broken proxy or a client bug would."""

    def __init__(self, mangle: Callable[[bytes], bytes]) -> None:
        super().__init__()
        self.mangle = mangle

    def send(self, request, **kwargs):  # type: ignore[override]
        self.sent.append((request.path_url.rsplit("/", 1)[-1], ""))
        request.body = self.mangle(request.body)
        request.headers["Content-Length"] = str(len(request.body))
        return super(Recorder, self).send(request, **kwargs)


def without_nonce(body: bytes) -> bytes:
    envelope = json.loads(body)
    envelope.pop("nonce")
    return json.dumps(envelope).encode()


@pytest.fixture
def hjs(sandbox):
    sandbox.admin.upsert_products([PRODUCT_ROW])
    return sandbox


def command(asset_id: int) -> InvestCommand:
    return InvestCommand.for_asset(
        asset_id=asset_id, product_code=PRODUCT, user_id="U-7", shares=1, amount=Decimal("5000.00")
    )


def assert_no_decision(error: BaseException) -> None:
    assert not isinstance(error, (HjsBusinessError, HjsRefusedError))


@pytest.mark.parametrize(
    ("adapter", "settings_merchant", "status", "claimed", "why"),
    [
        pytest.param(lambda: Recorder(), "ZW9999", 401, "2006", "unsigned", id="2006-unknown-merchant-unsigned"),
        pytest.param(
            lambda: Mangler(lambda body: body[:-7]), None, 400, "2005", "unsigned", id="2005-body-not-json-unsigned"
        ),
        pytest.param(
            lambda: Mangler(without_nonce), None, 400, "2005", "empty requestNonce", id="2005-signed-empty-requestNonce"
        ),
    ],
)
def test_untrusted_refusals_alert_and_are_never_retried_nor_booked(
    hjs, adapter, settings_merchant, status, claimed, why
):
    settings = hjs.settings
    if settings_merchant:
        settings = ProtocolSettings.from_strings(
            merchant_id=settings_merchant, key="ZwSandboxTestKey24Bytes!", iv="zwIv2026"
        )
    read_recorder, write_recorder = adapter(), adapter()
    with make_client(hjs, recorder=read_recorder, settings=settings, retry=RETRY) as client:
        with pytest.raises(HjsUntrustedAnswerError) as read:
            client.query_product(PRODUCT)
    assert read.value.http_status == status and read.value.claimed_code == claimed and why in str(read.value)
    assert_no_decision(read.value)
    assert read_recorder.services() == ["product.query"]  # an alert, not a retry storm

    with make_client(hjs, recorder=write_recorder, settings=settings, retry=RETRY) as client:
        with pytest.raises(HjsProtocolError, match="HJS may have processed it; query it") as write:
            client.subscribe(command(71))
    assert_no_decision(write.value)
    assert isinstance(write.value.__cause__, HjsUntrustedAnswerError)
    assert write_recorder.services() == ["invest.create"]  # neither re-sent nor "not found" concluded
    assert hjs.admin.subscriptions() == []


@pytest.mark.parametrize("status", ["500", "503"])
def test_500_and_unsigned_503_are_retried_then_reported_as_transient(hjs, status):
    hjs.admin.set_faults(error_rate=1.0, error_status=status)
    recorder = Recorder()
    with make_client(hjs, recorder=recorder, retry=RETRY) as client, pytest.raises(HjsTransientError) as info:
        client.query_product(PRODUCT)
    assert info.value.http_status == int(status) and info.value.outcome_unknown
    assert str(info.value).startswith(f"product.query: gave up after 3 attempts; last: HTTP {status}")
    assert recorder.services() == ["product.query"] * 3


@pytest.mark.parametrize("status", ["500", "503"])
def test_write_answered_500_or_unsigned_503_is_queried_before_any_resend(hjs, status):
    hjs.admin.set_faults(error_rate=1.0, error_status=status, services=["invest.create"])
    recorder = Recorder()
    with make_client(hjs, recorder=recorder, retry=RETRY) as client, pytest.raises(HjsTransientError) as info:
        client.subscribe(command(72))
    assert "not at HJS after 3 attempts" in str(info.value)
    assert recorder.services() == ["invest.create", "invest.query"] * 3
    assert hjs.admin.subscriptions() == []
