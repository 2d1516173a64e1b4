"""Protocol refusals (section 2 order, section 6 codes): nothing is written for a refused request."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from hjs_operators.protocol import ProtocolSettings
from hjs_operators.protocol.crypto import encrypt_text
from hjs_operators.protocol.signing import verify
from tests.sandbox.builders import invest, product
from tests.sandbox.wire import call, envelope, post, resign

pytestmark = pytest.mark.sandbox

OTHER_KEY = "OtherKeyForTests24Bytes!"


@pytest.fixture
def hjs(sandbox):
    sandbox.admin.upsert_products([product()])
    return sandbox


def assert_nothing_written(handle):
    assert handle.admin.subscriptions() == []


def test_answer_is_signed_and_bound_to_the_request(hjs):
    request = envelope("system.ping", {}, hjs.settings)
    body = post(hjs.base_url, "system.ping", request).json()
    assert body["requestNonce"] == request["nonce"] and body["nonce"] != request["nonce"]
    assert body["merchantId"] == "ZWTEST01" and body["service"] == "system.ping" and body["version"] == "1.0"
    assert verify(body, hjs.settings.key, hjs.settings.sign_type)


def test_wrong_key_is_a_bad_signature(hjs):
    wrong = replace(hjs.settings, key=OTHER_KEY.encode())
    answer = call(hjs, "invest.create", invest("ZW1", "1"), settings=wrong)
    assert (answer.status, answer.code) == (401, "2001")
    assert_nothing_written(hjs)


def test_tampered_data_is_a_bad_signature(hjs):
    def swap_data(request):
        forged = encrypt_text('{"amount":"10000.00","shares":2}', hjs.settings)
        return {**request, "data": forged}

    answer = call(hjs, "invest.create", invest("ZW1", "1"), tamper=swap_data)
    assert (answer.status, answer.code) == (401, "2001")
    assert_nothing_written(hjs)


@pytest.mark.parametrize("field", ["sign", "timestamp", "nonce", "service"])
def test_any_altered_field_breaks_the_signature(hjs, field):
    def alter(request):
        value = request[field]
        return {**request, field: value[:-1] + ("1" if value[-1] != "1" else "2")}

    answer = call(hjs, "invest.create", invest("ZW1", "1"), tamper=alter,
                  url_service="invest.creatf" if field == "service" else None)
    assert answer.code == "2001"
    assert_nothing_written(hjs)


def test_lower_case_hex_signature_is_accepted(hjs):  # the protocol module's verify() upper-cases
    lower = call(hjs, "system.ping", {}, tamper=lambda r: {**r, "sign": r["sign"].lower()})
    assert lower.code == "0000"


@pytest.mark.parametrize("offset_s", [-301, 301, -3600])
def test_stale_or_future_timestamp_is_refused(hjs, offset_s):
    at_ms = int(time.time() * 1000) + offset_s * 1000
    request = envelope("invest.create", invest("ZW1", "1"), hjs.settings, at_ms=at_ms)
    http = post(hjs.base_url, "invest.create", request)
    assert http.status_code == 401 and http.json()["code"] == "2002"
    assert_nothing_written(hjs)


def test_timestamp_inside_the_window_is_accepted(hjs):
    request = envelope("system.ping", {}, hjs.settings, at_ms=int(time.time() * 1000) - 290_000)
    assert post(hjs.base_url, "system.ping", request).json()["code"] == "0000"


def test_replayed_nonce_is_refused(hjs):
    request = envelope("invest.create", invest("ZW1", "1"), hjs.settings)
    assert post(hjs.base_url, "invest.create", request).json()["code"] == "0000"
    replay = post(hjs.base_url, "invest.create", request)
    assert (replay.status_code, replay.json()["code"]) == (401, "2003")
    # same nonce, fresh timestamp and a valid signature: still a replay
    again = resign({**request, "timestamp": str(int(time.time() * 1000))}, hjs.settings)
    assert post(hjs.base_url, "invest.create", again).json()["code"] == "2003"
    assert len(hjs.admin.subscriptions()) == 1


def test_replayed_nonce_refused_under_concurrency(hjs):
    request = envelope("invest.create", invest("ZW1", "1"), hjs.settings)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: post(hjs.base_url, "invest.create", request).json()["code"], range(8)))
    assert sorted(results) == ["0000"] + ["2003"] * 7


def test_reset_forgets_nonces(hjs):
    request = envelope("system.ping", {}, hjs.settings)
    assert post(hjs.base_url, "system.ping", request).json()["code"] == "0000"
    hjs.admin.reset()
    assert post(hjs.base_url, "system.ping", request).json()["code"] == "0000"


def test_url_must_name_the_signed_service(hjs):
    answer = call(hjs, "invest.create", invest("ZW1", "1"), url_service="invest.query")
    assert (answer.status, answer.code) == (400, "2005")
    assert answer.response.service == "invest.create"
    assert_nothing_written(hjs)


def test_unknown_service_is_malformed(hjs):
    assert call(hjs, "invest.delete", {"orderNo": "ZW1"}).code == "2005"


def test_data_encrypted_with_another_iv_does_not_decrypt(hjs):
    other_iv = replace(hjs.settings, iv=b"otherIV!")

    def reencrypt(request):
        return resign({**request, "data": encrypt_text('{"orderNo":"ZW1"}', other_iv)}, hjs.settings)

    answer = call(hjs, "invest.create", invest("ZW1", "1"), tamper=reencrypt)
    assert (answer.status, answer.code) == (400, "2004")
    assert_nothing_written(hjs)


@pytest.mark.parametrize("data", ["not base64!", "QUJD", "QUJDREVGR0g=", "AAAAAAAAAAA="])
def test_undecryptable_data(hjs, data):
    answer = call(hjs, "invest.create", invest("ZW1", "1"), tamper=lambda r: resign({**r, "data": data}, hjs.settings))
    assert answer.code == "2004"
    assert_nothing_written(hjs)


def test_decrypted_data_must_be_a_json_object(hjs):
    def as_list(request):
        return resign({**request, "data": encrypt_text("[1, 2]", hjs.settings)}, hjs.settings)

    assert call(hjs, "invest.create", {}, tamper=as_list).code == "2004"


def test_unknown_merchant_gets_a_plain_refusal(hjs):
    stranger = ProtocolSettings.from_strings(merchant_id="NOBODY", key=OTHER_KEY, iv="zwIv2026")
    request = envelope("system.ping", {}, stranger)
    http = post(hjs.base_url, "system.ping", request)
    assert http.status_code == 401
    assert http.json() == {"code": "2006", "message": "unknown merchant"}


def test_sign_type_must_be_the_agreed_one(hjs):
    md5 = replace(hjs.settings, sign_type=type(hjs.settings.sign_type)("MD5"))
    assert call(hjs, "system.ping", {}, settings=md5).code == "2001"


@pytest.mark.parametrize("field", ["version", "service", "timestamp", "nonce", "signType", "sign"])
def test_missing_field_for_our_merchant_is_a_signed_refusal(hjs, field):
    request = envelope("invest.create", invest("ZW1", "1"), hjs.settings)
    del request[field]
    http = post(hjs.base_url, "invest.create", request)
    body = http.json()
    assert http.status_code == 400 and body["code"] == "2005" and field in body["message"]
    assert verify(body, hjs.settings.key, hjs.settings.sign_type)
    assert_nothing_written(hjs)


def test_missing_merchant_gets_a_plain_refusal(hjs):
    request = envelope("system.ping", {}, hjs.settings)
    del request["merchantId"]
    body = post(hjs.base_url, "system.ping", request).json()
    assert body["code"] == "2005" and "sign" not in body


@pytest.mark.parametrize(
    ("field", "value"),
    [("version", "2.0"), ("timestamp", "12.5"), ("nonce", "not-hex-not-hex-not-hex-not-hex!"), ("nonce", "ab")],
)
def test_malformed_signed_fields(hjs, field, value):
    request = resign({**envelope("system.ping", {}, hjs.settings), field: value}, hjs.settings)
    http = post(hjs.base_url, "system.ping", request)
    assert (http.status_code, http.json()["code"]) == (400, "2005")


@pytest.mark.parametrize("body", [b"not json", b"[1,2]", b'"text"'])
def test_body_that_is_not_an_envelope(hjs, body):
    import requests

    http = requests.post(f"{hjs.base_url}/api/v1/system.ping", data=body, timeout=5)
    assert (http.status_code, http.json()["code"]) == (400, "2005")
