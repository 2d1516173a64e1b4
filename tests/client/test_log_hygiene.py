"""Nothing secret or personal reaches the logs.

Real calls against the sandbox with its known test key, IV and a recognisable user id, with every
logger (ours, requests, urllib3, the root) at DEBUG; then every captured record - message, arguments
and any traceback - and every error message is searched for the key, the IV (as text, hex and
Base64), the plaintext JSON of the payloads, the ciphertexts that went over the wire in either
direction, and the personal fields.
"""

from __future__ import annotations

import base64
import json
import logging
from decimal import Decimal

import pytest

from hjs_operators.client import InvestCommand, TransferCommand
from hjs_operators.domain.order_numbers import invest_order_no
from hjs_operators.protocol.errors import HjsError
from tests.client.helpers import PRODUCT, PRODUCT_ROW, Recorder, make_client
from tests.fixtures.sandbox import TEST_IV, TEST_KEY

pytestmark = pytest.mark.sandbox

USER_ID = "U-PRIVATE-PERSON-4242"
BUYER_ID = "77123"


class CaptureAll(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []
        self.formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))  # includes the formatted traceback, if any
        self.texts.append(repr(record.args))


@pytest.fixture
def captured():
    handler = CaptureAll()
    root = logging.getLogger()
    watched = [root, *(logging.getLogger(name) for name in ("urllib3", "requests", "hjs_operators"))]
    levels = [logger.level for logger in watched]
    root.addHandler(handler)
    for logger in watched:
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for logger, level in zip(watched, levels, strict=True):
            logger.setLevel(level)


def forbidden_strings(key: bytes, iv: bytes, payloads: list[dict], ciphertexts: list[str]) -> dict[str, str]:
    found = {
        "key text": TEST_KEY,
        "key hex": key.hex(),
        "key HEX": key.hex().upper(),
        "key base64": base64.b64encode(key).decode(),
        "iv text": TEST_IV,
        "iv hex": iv.hex(),
        "iv base64": base64.b64encode(iv).decode(),
        "user id": USER_ID,
        "plaintext field": '"userId":',
    }
    for n, payload in enumerate(payloads):
        found[f"plaintext {n}"] = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    for n, data in enumerate(ciphertexts):
        found[f"ciphertext {n}"] = data[:16]  # even a prefix would be a leak
    return found


def test_logs_carry_no_secrets_payloads_or_personal_data(sandbox, captured):
    sandbox.admin.upsert_products([PRODUCT_ROW])
    # Faults on the writes exercise the warning paths (lost answer -> query) as well.
    sandbox.admin.set_faults(drop_after_commit_rate=1.0, services=["invest.create", "transfer.register"])
    recorder = Recorder(keep_bodies=True)
    invest = InvestCommand.for_asset(
        asset_id=4242, product_code=PRODUCT, user_id=USER_ID, shares=1, amount=Decimal("5000.00")
    )
    transfer = TransferCommand.for_liquidation(
        liquidate_id=1,
        product_code=PRODUCT,
        order_no=invest_order_no(4242),
        seller_asset_id=4242,
        buyer_asset_id=BUYER_ID,
        price=Decimal("5001.00"),
        fee=Decimal("1.00"),
    )
    errors: list[str] = []
    with make_client(sandbox, recorder=recorder) as client:
        client.ping()
        client.query_product(PRODUCT)
        assert client.subscribe(invest).already_at_hjs
        client.query_invest(invest.order_no)
        client.maturity_trial(PRODUCT)
        assert client.register_transfer(transfer).already_at_hjs
        client.close_transfer(PRODUCT)
        for failing in (
            lambda: client.query_product("NOPE"),
            lambda: client.create_invest(
                invest.__class__.for_asset(
                    asset_id=4242, product_code=PRODUCT, user_id=USER_ID, shares=2, amount=Decimal("10000.00")
                )
            ),
        ):
            with pytest.raises(HjsError) as info:
                failing()
            errors.append(str(info.value))
        sandbox.admin.set_faults(bad_signature_rate=1.0)
        with pytest.raises(HjsError) as info:
            client.query_invest(invest.order_no)
        errors.append(str(info.value))
        errors.append(repr(client))

    assert len(recorder.ciphertexts) >= 20
    assert any("urllib3" in text for text in captured.texts), "urllib3 DEBUG records were not captured"
    assert any(text.startswith("hjs_operators.client.transport DEBUG") for text in captured.texts)
    everything = "\n".join(captured.texts + errors)
    payloads = [invest.payload(), transfer.payload(), {"productCode": PRODUCT}, {"orderNo": invest.order_no}]
    leaks = {
        name: value
        for name, value in forbidden_strings(
            sandbox.settings.key, sandbox.settings.iv, payloads, recorder.ciphertexts
        ).items()
        if value and value in everything
    }
    assert not leaks, f"found in logs or errors: {sorted(leaks)}"
