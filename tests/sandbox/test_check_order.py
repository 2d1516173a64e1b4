"""docs/hjs-protocol.md section 2.1, walked: one request starts with a defect for every check, and each
round mends only the defect the sandbox just named, so the next answer must be the next check's
code (with the documented HTTP status and signed/plain form). Any check out of order breaks the walk."""

from __future__ import annotations

import base64

import pytest
import requests

from hjs_operators.protocol.crypto import encrypt_text
from hjs_operators.protocol.envelope import new_nonce, now_ms
from hjs_operators.protocol.signing import sign, verify
from tests.sandbox.builders import PRODUCT_CODE, product
from tests.sandbox.wire import envelope, post

pytestmark = pytest.mark.sandbox

# (section 2.1 step, the defect mended after it is seen, code, HTTP status, signed)
WALK = [
    (2, "missing_field", "2005", 400, False),  # plain: the merchant is not (yet) the agreed one
    (3, "merchant", "2006", 401, False),
    (4, "sign_type", "2001", 401, True),
    (5, "signature", "2001", 401, True),
    (6, "version", "2005", 400, True),
    (7, "timestamp_format", "2005", 400, True),
    (8, "timestamp_window", "2002", 401, True),
    (9, "nonce_format", "2005", 400, True),
    (10, "nonce_replayed", "2003", 401, True),
    (11, "url", "2005", 400, True),
    (12, "unknown_service", "2005", 400, True),
    (13, "data", "2004", 400, True),
    (14, "unknown_product", "1001", 200, True),
]


def build(handle, defects: set[str], used_nonce: str) -> tuple[str, dict[str, str]]:
    """(URL service, envelope) carrying exactly `defects`; signed properly unless "signature" is one."""
    settings = handle.settings
    service = "product.nope" if "unknown_service" in defects else "product.query"
    code = "NOPE0001" if "unknown_product" in defects else PRODUCT_CODE
    fields = {
        "version": "2.0" if "version" in defects else "1.0",
        "merchantId": "ZW999999" if "merchant" in defects else settings.merchant_id,
        "service": service,
        "timestamp": str(now_ms() - (3_600_000 if "timestamp_window" in defects else 0)),
        "nonce": used_nonce if "nonce_replayed" in defects else new_nonce(),
        "signType": "MD5" if "sign_type" in defects else settings.sign_type.value,
        "data": encrypt_text(f'{{"productCode":"{code}"}}', settings),
    }
    if "timestamp_format" in defects:
        fields["timestamp"] = "1.7e12"
    if "nonce_format" in defects:
        fields["nonce"] = "not-a-nonce"
    if "data" in defects:  # Base64 of one 8-byte block that does not decrypt to padded text
        fields["data"] = base64.b64encode(bytes(range(8))).decode()
    if "missing_field" in defects:
        del fields["version"]
    fields["sign"] = "0" * 64 if "signature" in defects else sign(fields, settings.key, settings.sign_type)
    url_service = "invest.query" if "url" in defects else service
    return url_service, fields


def test_every_check_in_the_documented_order(sandbox):
    sandbox.admin.upsert_products([product()])
    # A nonce the sandbox has seen, for the replay step.
    seen = envelope("system.ping", {}, sandbox.settings)
    assert post(sandbox.base_url, "system.ping", seen).json()["code"] == "0000"

    defects = {defect for _, defect, *_ in WALK}
    for step, defect, code, status, signed in WALK:
        url_service, request = build(sandbox, defects, seen["nonce"])
        http = post(sandbox.base_url, url_service, request)
        body = http.json()
        assert (body["code"], http.status_code, "sign" in body) == (code, status, signed), (step, body)
        if signed:
            assert verify(body, sandbox.settings.key, sandbox.settings.sign_type)
            assert body["requestNonce"] == request.get("nonce", "")
        defects.discard(defect)

    url_service, request = build(sandbox, defects, seen["nonce"])
    assert not defects and post(sandbox.base_url, url_service, request).json()["code"] == "0000"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "body is not JSON"),
        (b"[1, 2]", "body is not a JSON object"),
        (b" " * ((1 << 20) + 1), "body too large"),
    ],
    ids=["not-json", "not-an-object", "over-1-MiB"],
)
def test_step_1_body_that_is_no_envelope(sandbox, body, message):
    http = requests.post(f"{sandbox.base_url}/api/v1/system.ping", data=body, timeout=10,
                         headers={"Content-Type": "application/json"})
    assert (http.status_code, http.json()) == (400, {"code": "2005", "message": message})


def test_step_2_missing_nonce_gets_a_signed_2005_bound_to_nothing(sandbox):
    request = envelope("system.ping", {}, sandbox.settings)
    del request["nonce"]
    body = post(sandbox.base_url, "system.ping", request).json()
    assert body["code"] == "2005" and body["requestNonce"] == ""
    assert verify(body, sandbox.settings.key, sandbox.settings.sign_type)
