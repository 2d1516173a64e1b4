"""Signatures: canonical string, HMAC-SHA256 and MD5 against hand-computed (openssl dgst) vectors."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from hjs_operators.protocol.settings import SignType
from hjs_operators.protocol.signing import canonical_string, sign, verify

KEY = b"zw-hjs-sandbox-key-2026!"
DATA = "IvUO10wCCUGE0cOB4BaX5RRcHDZ3C1lafgwC+TQj3j2Vtp1rfviMPbGGSdKKu9W/kVDNE1TpETIPPF1A7dm985oQqs82UAjg"


def envelope(sign_type: SignType) -> dict[str, str]:
    return {
        "version": "1.0",
        "merchantId": "ZW0001",
        "service": "invest.create",
        "timestamp": "1764000000000",
        "nonce": "0123456789abcdef0123456789abcdef",
        "signType": sign_type.value,
        "data": DATA,
        "message": "",  # empty fields are left out of the string
    }


CANONICAL_HMAC = (
    f"data={DATA}&merchantId=ZW0001&nonce=0123456789abcdef0123456789abcdef&service=invest.create"
    "&signType=HMAC-SHA256&timestamp=1764000000000&version=1.0"
)
CANONICAL_MD5 = CANONICAL_HMAC.replace("signType=HMAC-SHA256", "signType=MD5")

# C='<CANONICAL_HMAC>'; printf '%s' "$C" | openssl dgst -sha256 -hmac 'zw-hjs-sandbox-key-2026!'
HMAC_EXPECTED = "C1FFDD0C3F23FD3556D68185B99F15ECB2FAA0A745AC0C6307848AE7515DC85B"
# C='<CANONICAL_MD5>'; printf '%s' "$C&key=zw-hjs-sandbox-key-2026!" | openssl dgst -md5
MD5_EXPECTED = "14AF1BABE68146C0179C4FDD9F53E5C7"
# The same HMAC with a raw 24-byte key:
# printf '%s' "$C" | openssl dgst -sha256 -mac HMAC -macopt hexkey:0123456789ABCDEFFEDCBA987654321089ABCDEF01234567
RAW_KEY = bytes.fromhex("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567")
HMAC_RAW_KEY_EXPECTED = "CFCC8C8ACD599820C325A74027887CFF2657ED7ECCF4926DC063180F773664E0"


def test_canonical_string_sorted_without_sign_and_empty_fields():
    fields = envelope(SignType.HMAC_SHA256) | {"sign": "ANYTHING"}
    assert canonical_string(fields) == CANONICAL_HMAC


def test_hmac_sha256_vector():
    assert sign(envelope(SignType.HMAC_SHA256), KEY, SignType.HMAC_SHA256) == HMAC_EXPECTED
    assert sign(envelope(SignType.HMAC_SHA256), RAW_KEY, SignType.HMAC_SHA256) == HMAC_RAW_KEY_EXPECTED


def test_md5_vector():
    assert sign(envelope(SignType.MD5), KEY, SignType.MD5) == MD5_EXPECTED


@pytest.mark.parametrize("sign_type", list(SignType))
def test_verify_accepts_own_and_rejects_changes(sign_type):
    fields = envelope(sign_type)
    fields["sign"] = sign(fields, KEY, sign_type)
    assert verify(fields, KEY, sign_type)
    assert verify(fields | {"sign": fields["sign"].lower()}, KEY, sign_type)  # hex case is not significant
    assert not verify(fields | {"timestamp": "1764000000001"}, KEY, sign_type)
    assert not verify(fields | {"extra": "added"}, KEY, sign_type)  # a new non-empty field is signed too
    assert not verify(fields, KEY[:-1] + b"?", sign_type)
    assert not verify(fields | {"sign": ""}, KEY, sign_type)
    assert not verify(fields | {"sign": "签名"}, KEY, sign_type)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary not installed")
def test_openssl_dgst_live():
    hmac_out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", KEY.decode(), "-r"],
        input=CANONICAL_HMAC.encode(),
        capture_output=True,
        check=True,
        timeout=20,
    )
    assert hmac_out.stdout.split()[0].decode().upper() == HMAC_EXPECTED
    md5_out = subprocess.run(
        ["openssl", "dgst", "-md5", "-r"],
        input=(CANONICAL_MD5 + "&key=").encode() + KEY,
        capture_output=True,
        check=True,
        timeout=20,
    )
    assert md5_out.stdout.split()[0].decode().upper() == MD5_EXPECTED
