"""Key handling: lengths, truncation to 24 bytes, degenerate keys, parity, configured secrets."""

from __future__ import annotations

import pytest

from hjs_operators.protocol.crypto import decrypt_text, encrypt_text, normalize_key
from hjs_operators.protocol.errors import HjsConfigError, HjsProtocolError
from hjs_operators.protocol.settings import CipherMode, ProtocolSettings, decode_secret

K1, K2, K3 = bytes.fromhex("0123456789ABCDEF"), bytes.fromhex("FEDCBA9876543210"), bytes.fromhex("89ABCDEF01234567")
IV = bytes.fromhex("1234567890ABCDEF")


def settings(key: bytes, mode: CipherMode = CipherMode.CBC) -> ProtocolSettings:
    return ProtocolSettings(merchant_id="ZW0001", key=key, mode=mode, iv=IV if mode is CipherMode.CBC else None)


def test_key_longer_than_24_bytes_is_cut_to_24_like_java():
    long_key = K1 + K2 + K3 + b"ignored tail, as in DESedeKeySpec"
    for mode in CipherMode:
        assert encrypt_text("{}", settings(long_key, mode)) == encrypt_text("{}", settings(K1 + K2 + K3, mode))
    assert normalize_key(long_key) == normalize_key(K1 + K2 + K3)


def test_sixteen_byte_key_is_two_key_3des():
    assert encrypt_text("{}", settings(K1 + K2)) == encrypt_text("{}", settings(K1 + K2 + K1))


@pytest.mark.parametrize("length", [0, 8, 15, 17, 23])
def test_bad_key_length_refused(length):
    with pytest.raises(HjsConfigError, match=f"16 or at least 24 bytes, got {length}"):
        normalize_key(bytes(range(1, length + 1)))


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(K1 + K1, id="16 bytes K1=K2"),
        pytest.param(K1 + K1 + K2, id="24 bytes K1=K2"),
        pytest.param(K1 + K2 + K2, id="24 bytes K2=K3"),
        # Parity bits are ignored: parts that differ only in the low bit of each byte are equal keys.
        pytest.param(K1 + bytes(b ^ 1 for b in K1), id="K1=K2 up to parity"),
    ],
)
def test_degenerate_key_refused_with_clear_message(key):
    with pytest.raises(HjsConfigError, match="degenerates to single DES") as info:
        encrypt_text("{}", settings(key))
    assert key.hex() not in str(info.value).lower()


def test_k1_equal_k3_is_allowed():
    """K1 = K3 is ordinary two-key 3DES, not a degenerate key."""
    assert encrypt_text("{}", settings(K1 + K2 + K1))


def test_wrong_key_does_not_decrypt():
    ciphertext = encrypt_text('{"a":"b"}', settings(K1 + K2 + K3))
    with pytest.raises(HjsProtocolError, match="does not decrypt"):
        decrypt_text(ciphertext, settings(K3 + K2 + K1), service="invest.query")


def test_decode_secret_prefixes():
    assert decode_secret("hex:0102", "key") == b"\x01\x02"
    assert decode_secret("base64:AQI=", "key") == b"\x01\x02"
    assert decode_secret("plain text", "key") == b"plain text"
    assert decode_secret("密钥", "key") == "密钥".encode()


@pytest.mark.parametrize("value", ["hex:zz", "hex:123", "base64:!!!"])
def test_decode_secret_bad_encoding_never_echoes_value(value):
    with pytest.raises(HjsConfigError) as info:
        decode_secret(value, "key")
    assert value.split(":", 1)[1] not in str(info.value)


def test_cbc_needs_an_eight_byte_iv():
    with pytest.raises(HjsConfigError, match="IV of exactly 8 bytes"):
        ProtocolSettings(merchant_id="ZW0001", key=K1 + K2, mode=CipherMode.CBC, iv=b"short")
    with pytest.raises(HjsConfigError, match="IV of exactly 8 bytes"):
        ProtocolSettings(merchant_id="ZW0001", key=K1 + K2, mode=CipherMode.CBC, iv=None)


def test_unknown_setting_names_refused():
    with pytest.raises(HjsConfigError):
        ProtocolSettings.from_strings(merchant_id="ZW0001", key="k" * 24, mode="CFB", iv="12345678")
    with pytest.raises(HjsConfigError):
        ProtocolSettings.from_strings(merchant_id="ZW0001", key="k" * 24, iv="12345678", sign_type="SHA1")


def test_settings_repr_hides_key_and_iv():
    s = ProtocolSettings(merchant_id="ZW0001", key=K1 + K2 + K3, iv=IV)
    assert K1.hex() not in repr(s).lower() and "key=" not in repr(s) and "iv=" not in repr(s)
