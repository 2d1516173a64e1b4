"""Tampered, stale, misrouted and malformed envelopes: each is a typed error naming the call.

The checks run in the spec's order, so most tampering is caught by the signature before anything
is decrypted; the decryption-level cases (truncated ciphertext, bad Base64, flipped bit) are also
tested with a *valid* signature over the bad data, as a buggy partner would send.
"""

from __future__ import annotations

import base64

import pytest

from hjs_operators.protocol import envelope as env
from hjs_operators.protocol.errors import HjsProtocolError
from hjs_operators.protocol.settings import CipherMode, ProtocolSettings, SignType
from hjs_operators.protocol.signing import sign

SERVICE = "invest.query"
KEY = bytes.fromhex("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567")
OTHER_KEY = bytes.fromhex("89ABCDEF01234567FEDCBA98765432100123456789ABCDEF")
IV = bytes.fromhex("1234567890ABCDEF")
PAYLOAD = {"orderNo": "ZWI0000000000000042", "amount": "5000.00", "productName": "稳盈一号"}


def make_settings(key: bytes = KEY, **overrides) -> ProtocolSettings:
    values = {"merchant_id": "ZW0001", "key": key, "mode": CipherMode.CBC, "iv": IV} | overrides
    return ProtocolSettings(**values)


SETTINGS = make_settings()


def exchange(server_settings: ProtocolSettings = SETTINGS, **response_kw):
    """A request as the client sends it, opened by the server, and the server's signed answer."""
    request_envelope = env.build_request(SERVICE, {"orderNo": PAYLOAD["orderNo"]}, SETTINGS)
    request = env.open_request(request_envelope, SETTINGS)
    response = env.build_response(request, env.SUCCESS, "OK", PAYLOAD, server_settings, **response_kw)
    return request_envelope["nonce"], response


def resign(fields: dict[str, str], settings: ProtocolSettings = SETTINGS) -> dict[str, str]:
    fields = dict(fields)
    fields["sign"] = sign(fields, settings.key, settings.sign_type)
    return fields


def open_(response, nonce, **kw):
    return env.open_response(response, SETTINGS, service=SERVICE, request_nonce=nonce, **kw)


def assert_names_call(error: HjsProtocolError) -> None:
    assert error.service == SERVICE
    assert str(error).startswith(f"{SERVICE}: ")
    assert "稳盈" not in str(error) and KEY.hex() not in str(error).lower()


def test_untampered_round_trip():
    nonce, response = exchange()
    opened = open_(response, nonce)
    assert opened.ok and opened.payload == PAYLOAD
    assert "稳盈" not in repr(opened)  # payloads stay out of reprs


def flip_bit(data: str, byte_index: int) -> str:
    raw = bytearray(base64.b64decode(data))
    raw[byte_index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        pytest.param(lambda r: r | {"data": flip_bit(r["data"], 3)}, "signature does not verify", id="flipped bit"),
        pytest.param(lambda r: r | {"data": r["data"][:-12]}, "signature does not verify", id="truncated"),
        pytest.param(lambda r: r | {"data": "!!notbase64!!"}, "signature does not verify", id="bad base64"),
        pytest.param(lambda r: r | {"code": "1002"}, "signature does not verify", id="changed code"),
        pytest.param(lambda r: {k: v for k, v in r.items() if k != "nonce"}, "missing field(s) nonce", id="missing"),
        pytest.param(lambda r: r | {"message": ""}, "missing field(s) message", id="empty field"),
        pytest.param(lambda r: r | {"timestamp": 1}, "missing field(s) timestamp", id="non-string field"),
        pytest.param(lambda r: resign(r | {"merchantId": "ZW9999"}), "another merchant", id="other merchant"),
        pytest.param(lambda r: resign(r | {"signType": "MD5"}), "not the agreed one", id="other sign type"),
        pytest.param(lambda r: resign(r | {"timestamp": " 1764000000000"}), "epoch milliseconds", id="bad timestamp"),
        pytest.param(lambda r: resign(r | {"requestNonce": "f" * 32}), "answers another request", id="wrong nonce"),
        pytest.param(lambda r: resign(r | {"service": "invest.create"}), "answers another request", id="other call"),
    ],
)
def test_tampered_envelope_refused(tamper, message):
    nonce, response = exchange()
    with pytest.raises(HjsProtocolError) as info:
        open_(tamper(response), nonce)
    assert message in str(info.value)
    assert_names_call(info.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(lambda d: d[:-1], "not valid Base64", id="truncated base64"),
        pytest.param(lambda d: base64.b64encode(base64.b64decode(d)[:-3]).decode(), "8-byte blocks", id="truncated"),
        pytest.param(lambda d: "%%%%" + d, "not valid Base64", id="bad base64"),
        pytest.param(lambda d: flip_bit(d, -1), "does not decrypt", id="flipped last bit"),
        pytest.param(lambda d: "", None, id="empty data is no payload"),
    ],
)
def test_bad_data_under_valid_signature_refused(data, message):
    """A partner that signs garbage: the signature holds, decryption must still refuse it cleanly."""
    nonce, response = exchange()
    tampered = resign(response | {"data": data(response["data"])})
    if message is None:
        assert open_(tampered, nonce).payload == {}
        return
    with pytest.raises(HjsProtocolError, match=message) as info:
        open_(tampered, nonce)
    assert_names_call(info.value)


def test_decrypted_data_not_json_object_refused():
    from hjs_operators.protocol.crypto import encrypt_text

    nonce, response = exchange()
    for text, message in (("not json", "not JSON"), ("[1, 2]", "not a JSON object")):
        tampered = resign(response | {"data": encrypt_text(text, SETTINGS)})
        with pytest.raises(HjsProtocolError, match=message) as info:
            open_(tampered, nonce)
        assert_names_call(info.value)


def test_response_signed_and_encrypted_with_another_key_refused():
    nonce, response = exchange(server_settings=make_settings(OTHER_KEY))
    with pytest.raises(HjsProtocolError, match="signature does not verify") as info:
        open_(response, nonce)
    assert_names_call(info.value)


def test_response_signed_with_md5_when_hmac_agreed_refused():
    nonce, response = exchange(server_settings=make_settings(sign_type=SignType.MD5))
    with pytest.raises(HjsProtocolError, match="not the agreed one"):
        open_(response, nonce)


@pytest.mark.parametrize("skew_seconds", [-301, 301, -3600])
def test_stale_or_future_timestamp_refused(skew_seconds):
    nonce, response = exchange(at_ms=env.now_ms() + skew_seconds * 1000)
    with pytest.raises(HjsProtocolError, match="outside the replay window") as info:
        open_(response, nonce)
    assert_names_call(info.value)


def test_timestamp_inside_window_accepted():
    nonce, response = exchange(at_ms=env.now_ms() - 299_000)
    assert open_(response, nonce).ok


@pytest.mark.parametrize("body", [None, [], "text", 42])
def test_envelope_not_an_object_refused(body):
    with pytest.raises(HjsProtocolError, match="not a JSON object") as info:
        open_(body, "0" * 32)
    assert_names_call(info.value)


def test_request_side_checks_name_the_call():
    """The server side uses the same checks; its errors name the service the request claims."""
    request = env.build_request(SERVICE, {"orderNo": "X1"}, SETTINGS)
    with pytest.raises(HjsProtocolError, match="signature does not verify") as info:
        env.open_request(request | {"nonce": "0" * 32}, SETTINGS)
    assert info.value.service == SERVICE
    with pytest.raises(HjsProtocolError, match="signature does not verify"):
        env.open_request(request, make_settings(OTHER_KEY))


def test_every_request_has_a_new_nonce_and_signature():
    first = env.build_request(SERVICE, {"orderNo": "X1"}, SETTINGS)
    second = env.build_request(SERVICE, {"orderNo": "X1"}, SETTINGS)
    assert first["nonce"] != second["nonce"] and first["sign"] != second["sign"]
    assert len(first["nonce"]) == 32 and int(first["nonce"], 16) >= 0
