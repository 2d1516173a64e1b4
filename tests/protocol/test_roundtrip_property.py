"""Property: any JSON payload of unicode text survives build -> open, both directions, every setting."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hjs_operators.protocol import envelope as env
from hjs_operators.protocol.crypto import encrypt_text
from hjs_operators.protocol.errors import HjsProtocolError
from hjs_operators.protocol.settings import Charset, CipherMode, ProtocolSettings, SignType

KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
IV = bytes.fromhex("1234567890ABCDEF")


def payloads(codec: str | None):
    """JSON objects whose text is drawn from what `codec` can encode (None: any unicode)."""
    chars = st.characters(codec=codec) if codec else st.characters()
    text = st.text(chars, max_size=40)
    values = st.recursive(
        st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(st.text(chars, max_size=10), children, max_size=4)
        ),
        max_leaves=12,
    )
    return st.dictionaries(st.text(chars, max_size=12), values, max_size=6)


PAYLOADS = {Charset.UTF8: payloads(None), Charset.GBK: payloads("gbk")}


def protocol_settings(charset: Charset, mode: CipherMode, sign_type: SignType) -> ProtocolSettings:
    return ProtocolSettings(
        merchant_id="ZW0001",
        key=KEY,
        mode=mode,
        iv=IV if mode is CipherMode.CBC else None,
        sign_type=sign_type,
        charset=charset,
    )


def encodable(payload: dict, charset: Charset) -> bool:
    try:
        json.dumps(payload, ensure_ascii=False).encode(charset.value)
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("charset", list(Charset))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data(), mode=st.sampled_from(list(CipherMode)), sign_type=st.sampled_from(list(SignType)))
def test_round_trip(charset, data, mode, sign_type):
    payload = data.draw(PAYLOADS[charset])
    assume(encodable(payload, charset))  # belt and braces: the alphabet already is
    s = protocol_settings(charset, mode, sign_type)
    request = env.open_request(env.build_request("invest.create", payload, s), s)
    assert request.payload == payload
    response = env.build_response(request, env.SUCCESS, "OK", payload, s)
    opened = env.open_response(response, s, service="invest.create", request_nonce=request.nonce)
    assert opened.payload == payload


@settings(max_examples=40, deadline=None)
@given(text=st.text(min_size=1, max_size=20))
def test_gbk_unencodable_text_is_a_clean_error(text):
    s = protocol_settings(Charset.GBK, CipherMode.CBC, SignType.HMAC_SHA256)
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        with pytest.raises(HjsProtocolError, match="GBK cannot encode") as info:
            encrypt_text(text, s, service="invest.create")
        assert info.value.service == "invest.create"
        assert info.value.__cause__ is None and info.value.__suppress_context__  # the character is not chained
    else:
        assert encrypt_text(text, s)
