"""Known-answer tests for 3DES: expected ciphertexts produced by the openssl command line.

Every vector below was produced by the command in its comment (bash, UTF-8 terminal; GBK bytes come
from iconv). The plaintext of all of them is PLAINTEXT. test_openssl_live re-runs openssl on this
machine when the binary exists, so the vectors are not taken on trust.
"""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest

from hjs_operators.protocol.crypto import decrypt_text, encrypt_text
from hjs_operators.protocol.settings import Charset, CipherMode, ProtocolSettings

PLAINTEXT = '{"productCode":"HJS2026001","productName":"稳盈一号·90天"}'
K24 = "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567"  # three distinct 8-byte parts
K16 = "0123456789ABCDEFFEDCBA9876543210"  # two-key 3DES: K1 K2 (K3 = K1)
IV = "1234567890ABCDEF"
TEXT_KEY = "zw-hjs-sandbox-key-2026!"  # a 24-character text key, used as its UTF-8 bytes (Java getBytes)
TEXT_KEY_HEX = TEXT_KEY.encode().hex().upper()  # 7A772D686A732D73616E64626F782D6B65792D3230323621

# (name, key hex, mode, charset, openssl cipher, expected Base64)
VECTORS = [
    # printf '%s' "$PLAINTEXT" | openssl enc -des-ede3-cbc -K 0123456789ABCDEFFEDCBA987654321089ABCDEF01234567 \
    #   -iv 1234567890ABCDEF -a -A
    (
        "24-byte key, CBC, UTF-8",
        K24,
        CipherMode.CBC,
        Charset.UTF8,
        "des-ede3-cbc",
        "IvUO10wCCUGE0cOB4BaX5RRcHDZ3C1lafgwC+TQj3j2Vtp1rfviMPbGGSdKKu9W/kVDNE1TpETIPPF1A7dm985oQqs82UAjg",
    ),
    # printf '%s' "$PLAINTEXT" | openssl enc -des-ede3 -K 0123456789ABCDEFFEDCBA987654321089ABCDEF01234567 -a -A
    (
        "24-byte key, ECB, UTF-8",
        K24,
        CipherMode.ECB,
        Charset.UTF8,
        "des-ede3",
        "K4A2CS0yk5M3JYMd1sP1tX2krJnsAvlrIEuSUBgcM/Wpx4crKMNjI4xwhXOLNgBi5oa/diG692Pp7kyucIMEXkVc9S82fTs1",
    ),
    # printf '%s' "$PLAINTEXT" | iconv -f UTF-8 -t GBK | openssl enc -des-ede3-cbc \
    #   -K 0123456789ABCDEFFEDCBA987654321089ABCDEF01234567 -iv 1234567890ABCDEF -a -A
    (
        "24-byte key, CBC, GBK",
        K24,
        CipherMode.CBC,
        Charset.GBK,
        "des-ede3-cbc",
        "IvUO10wCCUGE0cOB4BaX5RRcHDZ3C1lafgwC+TQj3j2Vtp1rfviMPYctJYhibiA1farsXSq/RNhZjzAI+zCEcA==",
    ),
    # printf '%s' "$PLAINTEXT" | iconv -f UTF-8 -t GBK | openssl enc -des-ede3 \
    #   -K 0123456789ABCDEFFEDCBA987654321089ABCDEF01234567 -a -A
    (
        "24-byte key, ECB, GBK",
        K24,
        CipherMode.ECB,
        Charset.GBK,
        "des-ede3",
        "K4A2CS0yk5M3JYMd1sP1tX2krJnsAvlrIEuSUBgcM/Wpx4crKMNjIxujLJ5iaFT5Y418SL2fsxoVM+zySN7gHQ==",
    ),
    # printf '%s' "$PLAINTEXT" | openssl enc -des-ede-cbc -K 0123456789ABCDEFFEDCBA9876543210 -iv 1234567890ABCDEF -a -A
    (
        "16-byte key, CBC, UTF-8",
        K16,
        CipherMode.CBC,
        Charset.UTF8,
        "des-ede-cbc",
        "T1FrJ7PZypccKnbMvzAfnJiiwI2jqipsEfvcn7NfEbrPzWouYpDNLCcB9b9m9gkw0B9eO/JH4xPP6AAj9C4VMwprpXccetHq",
    ),
    # printf '%s' "$PLAINTEXT" | openssl enc -des-ede -K 0123456789ABCDEFFEDCBA9876543210 -a -A
    (
        "16-byte key, ECB, UTF-8",
        K16,
        CipherMode.ECB,
        Charset.UTF8,
        "des-ede",
        "TsOwlIms2qwZIxFnvipR6V/qgcVrVUsDrYgcIX1FLxIY0CH5gXZnKTNbm53r3zXKZm46ujZlyWVYCPO3U++P5C4k7rha70mu",
    ),
    # printf '%s' "$PLAINTEXT" | iconv -f UTF-8 -t GBK | openssl enc -des-ede-cbc \
    #   -K 0123456789ABCDEFFEDCBA9876543210 -iv 1234567890ABCDEF -a -A
    (
        "16-byte key, CBC, GBK",
        K16,
        CipherMode.CBC,
        Charset.GBK,
        "des-ede-cbc",
        "T1FrJ7PZypccKnbMvzAfnJiiwI2jqipsEfvcn7NfEbrPzWouYpDNLBtvvkN0wGY7gtnzOEeqEhdbk8HJ8ZC0yQ==",
    ),
    # printf '%s' "$PLAINTEXT" | iconv -f UTF-8 -t GBK | openssl enc -des-ede -K 0123456789ABCDEFFEDCBA9876543210 -a -A
    (
        "16-byte key, ECB, GBK",
        K16,
        CipherMode.ECB,
        Charset.GBK,
        "des-ede",
        "TsOwlIms2qwZIxFnvipR6V/qgcVrVUsDrYgcIX1FLxIY0CH5gXZnKfDB7RyiA9kQ2VMBr9hG+31hRqDgrhySEA==",
    ),
    # 16-byte key expanded by hand to K1 K2 K1 for -des-ede3-cbc: must equal the -des-ede-cbc vector.
    # printf '%s' "$PLAINTEXT" | openssl enc -des-ede3-cbc -K 0123456789ABCDEFFEDCBA98765432100123456789ABCDEF \
    #   -iv 1234567890ABCDEF -a -A
    (
        "16-byte key as K1K2K1, CBC, UTF-8",
        K16 + K16[:16],
        CipherMode.CBC,
        Charset.UTF8,
        "des-ede3-cbc",
        "T1FrJ7PZypccKnbMvzAfnJiiwI2jqipsEfvcn7NfEbrPzWouYpDNLCcB9b9m9gkw0B9eO/JH4xPP6AAj9C4VMwprpXccetHq",
    ),
    # Text key (UTF-8 bytes of "zw-hjs-sandbox-key-2026!"):
    # printf '%s' "$PLAINTEXT" | openssl enc -des-ede3-cbc -K 7A772D686A732D73616E64626F782D6B65792D3230323621 \
    #   -iv 1234567890ABCDEF -a -A
    (
        "24-character text key, CBC, UTF-8",
        TEXT_KEY_HEX,
        CipherMode.CBC,
        Charset.UTF8,
        "des-ede3-cbc",
        "OTEbgsmZoJgP5dYaW6mv64JzCsJ9/RlP7ZE/BAySD6DnKrNiSWwQtTv8ZiEtXZvxnvUMzeNy7EdpiWF6A320PKuLyhblNF9I",
    ),
]
IDS = [vector[0] for vector in VECTORS]


def settings_for(key_hex: str, mode: CipherMode, charset: Charset) -> ProtocolSettings:
    return ProtocolSettings(
        merchant_id="ZW0001",
        key=bytes.fromhex(key_hex),
        mode=mode,
        iv=bytes.fromhex(IV) if mode is CipherMode.CBC else None,
        charset=charset,
    )


@pytest.mark.parametrize(("name", "key_hex", "mode", "charset", "cipher", "expected"), VECTORS, ids=IDS)
def test_encrypt_matches_openssl(name, key_hex, mode, charset, cipher, expected):
    assert encrypt_text(PLAINTEXT, settings_for(key_hex, mode, charset)) == expected


@pytest.mark.parametrize(("name", "key_hex", "mode", "charset", "cipher", "expected"), VECTORS, ids=IDS)
def test_decrypt_openssl_output(name, key_hex, mode, charset, cipher, expected):
    assert decrypt_text(expected, settings_for(key_hex, mode, charset)) == PLAINTEXT


def test_text_key_from_settings_string_is_its_utf8_bytes():
    """A configured key without prefix is used as key.getBytes(): same ciphertext as the hex form."""
    by_text = ProtocolSettings.from_strings(merchant_id="ZW0001", key=TEXT_KEY, iv=f"hex:{IV}")
    by_hex = ProtocolSettings.from_strings(merchant_id="ZW0001", key=f"hex:{TEXT_KEY_HEX}", iv=f"hex:{IV}")
    by_b64 = ProtocolSettings.from_strings(
        merchant_id="ZW0001",
        key="base64:" + base64.b64encode(TEXT_KEY.encode()).decode(),
        iv="base64:" + base64.b64encode(bytes.fromhex(IV)).decode(),
    )
    expected = VECTORS[-1][-1]
    assert {encrypt_text(PLAINTEXT, s) for s in (by_text, by_hex, by_b64)} == {expected}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary not installed")
@pytest.mark.parametrize(("name", "key_hex", "mode", "charset", "cipher", "expected"), VECTORS, ids=IDS)
def test_openssl_live(name, key_hex, mode, charset, cipher, expected):
    """Re-run the openssl command of each vector: both encryption and decryption agree with ours."""
    iv_args = ["-iv", IV] if mode is CipherMode.CBC else []
    plain_bytes = PLAINTEXT.encode(charset.value)
    settings = settings_for(key_hex, mode, charset)
    encrypted = subprocess.run(
        ["openssl", "enc", f"-{cipher}", "-K", key_hex, *iv_args, "-a", "-A"],
        input=plain_bytes,
        capture_output=True,
        check=True,
        timeout=20,
    )
    assert encrypted.stdout.decode("ascii").strip() == expected == encrypt_text(PLAINTEXT, settings)
    decrypted = subprocess.run(
        ["openssl", "enc", "-d", f"-{cipher}", "-K", key_hex, *iv_args, "-a", "-A"],
        input=encrypt_text(PLAINTEXT, settings).encode("ascii"),
        capture_output=True,
        check=True,
        timeout=20,
    )
    assert decrypted.stdout == plain_bytes
