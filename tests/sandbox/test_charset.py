"""Charset agreement (docs/hjs-protocol.md section 5, system.ping): a UTF-8/GBK mix-up that bytes alone
do not reveal is caught by the ping's known text, and one they do reveal is named as a charset mismatch."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hjs_operators.protocol import Charset
from tests.sandbox.wire import call

pytestmark = pytest.mark.sandbox


def test_ping_answers_the_known_text(sandbox):
    answer = call(sandbox, "system.ping", {"charsetProbe": "张三"})
    assert answer.code == "0000" and answer.payload["charsetProbe"] == "张三"


def test_utf8_request_to_a_gbk_hjs_is_refused_by_the_probe(sandbox_factory):
    """UTF-8 bytes of 张三 are valid GBK ("寮犱笁"): without the probe this would be a 0000."""
    hjs = sandbox_factory(charset="GBK")
    utf8 = replace(hjs.settings, charset=Charset.UTF8)
    answer = call(hjs, "system.ping", {"charsetProbe": "张三"}, settings=utf8, verify_with=utf8)
    assert (answer.status, answer.code) == (400, "2004")
    assert answer.response.message == "charsetProbe does not read back: charset mismatch"


def test_gbk_request_to_a_utf8_hjs_is_named_a_charset_mismatch(sandbox):
    gbk = replace(sandbox.settings, charset=Charset.GBK)
    answer = call(sandbox, "system.ping", {"charsetProbe": "张三"}, settings=gbk, verify_with=gbk)
    assert (answer.status, answer.code) == (400, "2004")
    assert answer.response.message == "charset mismatch: decrypted data is GBK text, not UTF-8"
