"""The client's side of the charset check: the ping's answer must carry the known text unchanged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hjs_operators.client import HjsRefusedError
from hjs_operators.client.results import Ping
from hjs_operators.protocol import Charset
from hjs_operators.protocol.errors import HjsProtocolError
from tests.client.helpers import make_client

pytestmark = pytest.mark.sandbox


def test_answer_in_another_charset_is_caught_even_when_it_decodes(sandbox):
    """A UTF-8 HJS read with GBK: 张三's UTF-8 bytes decode as GBK without error (mojibake). Sent
    without the probe, so HJS cannot refuse it: only the answer's probe shows the mix-up."""
    gbk = replace(sandbox.settings, charset=Charset.GBK)
    with make_client(sandbox, settings=gbk) as client:
        payload = client.transport.send("system.ping", {}).payload
    with pytest.raises(HjsProtocolError, match="'charsetProbe' does not read back as the agreed text in GBK"):
        Ping.parse(payload, service="system.ping", merchant_id=gbk.merchant_id, charset="GBK")


def test_answer_undecodable_in_our_charset_is_named_a_charset_mismatch(sandbox_factory):
    hjs = sandbox_factory(charset="GBK")
    utf8 = replace(hjs.settings, charset=Charset.UTF8)
    with make_client(hjs, settings=utf8) as client, pytest.raises(HjsProtocolError) as info:
        client.transport.send("system.ping", {})
    assert str(info.value) == "system.ping: charset mismatch: decrypted data is GBK text, not UTF-8"


def test_ping_with_a_wrong_charset_fails_and_is_not_retried(sandbox_factory):
    hjs = sandbox_factory(charset="GBK")
    with make_client(hjs, settings=replace(hjs.settings, charset=Charset.UTF8)) as client:
        with pytest.raises(HjsRefusedError, match="charset mismatch") as info:
            client.ping()
    assert info.value.code == "2004"


def test_ping_with_the_right_charset(sandbox_factory):
    hjs = sandbox_factory(charset="GBK")
    with make_client(hjs) as client:
        assert client.ping().merchant_id == hjs.settings.merchant_id
