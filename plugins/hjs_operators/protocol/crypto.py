"""3DES (DESede) with PKCS5 padding and Base64, as Java partners use it."""

from __future__ import annotations

import base64
import binascii
import functools
import json

from Crypto.Cipher import DES3
from Crypto.Util.Padding import pad, unpad

from .errors import HjsConfigError, HjsProtocolError
from .settings import Charset, CipherMode, ProtocolSettings

BLOCK_SIZE = 8


# The parity adjustment is pure Python and the same for every message of a connection: do it once per key.
@functools.lru_cache(maxsize=32)
def normalize_key(key: bytes) -> bytes:
    """16 bytes stay (two-key 3DES); 24 or more are cut to 24, as Java's DESedeKeySpec does."""
    if len(key) < 16 or 16 < len(key) < 24:
        raise HjsConfigError(f"3DES key must be 16 or at least 24 bytes, got {len(key)}")
    key = key[:24] if len(key) >= 24 else key
    try:
        return DES3.adjust_key_parity(key)
    except ValueError as exc:  # K1 == K2 or K2 == K3: the cipher would be single DES
        raise HjsConfigError(
            "3DES key degenerates to single DES (two of its 8-byte parts are equal); ask the partner for a proper key"
        ) from exc


def _cipher(settings: ProtocolSettings):
    key = normalize_key(settings.key)
    if settings.mode is CipherMode.CBC:
        return DES3.new(key, DES3.MODE_CBC, iv=settings.iv)
    return DES3.new(key, DES3.MODE_ECB)


def encrypt_text(plaintext: str, settings: ProtocolSettings, *, service: str | None = None) -> str:
    """Encode in the agreed charset, pad (PKCS5), encrypt, Base64."""
    try:
        raw = plaintext.encode(settings.charset.value)
    except UnicodeEncodeError as exc:
        # Python's own message quotes the offending character: keep payload content out of errors.
        raise HjsProtocolError(
            f"payload has a character at position {exc.start} that {settings.charset.value} cannot encode",
            service=service,
        ) from None
    return base64.b64encode(_cipher(settings).encrypt(pad(raw, BLOCK_SIZE))).decode("ascii")


def decrypt_text(ciphertext_b64: str, settings: ProtocolSettings, *, service: str | None = None) -> str:
    """Inverse of encrypt_text. Any failure is a protocol error that says what, never the content."""
    try:
        raw = base64.b64decode(ciphertext_b64, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise HjsProtocolError("encrypted data is not valid Base64", service=service) from exc
    if not raw or len(raw) % BLOCK_SIZE:
        raise HjsProtocolError(
            f"encrypted data is {len(raw)} bytes, not a whole number of 8-byte blocks (truncated?)",
            service=service,
        )
    try:
        plain = unpad(_cipher(settings).decrypt(raw), BLOCK_SIZE)
    except ValueError as exc:  # bad padding: wrong key, mode or IV, or tampered data
        raise HjsProtocolError(
            "encrypted data does not decrypt (wrong key, mode or IV, or tampered)", service=service
        ) from exc
    try:
        return plain.decode(settings.charset.value)
    except UnicodeDecodeError:
        raise HjsProtocolError(_undecodable(plain, settings.charset), service=service) from None


def _undecodable(plain: bytes, charset: Charset) -> str:
    """Why decrypted bytes are not text in the agreed charset. When they are a JSON object in the other
    charset the sender certainly uses that one; otherwise a wrong CBC IV (which garbles only the first
    block, so the padding still checks) is as likely."""
    for other in Charset:
        if other is not charset:
            try:
                if isinstance(json.loads(plain.decode(other.value)), dict):
                    return f"charset mismatch: decrypted data is {other.value} text, not {charset.value}"
            except (UnicodeDecodeError, ValueError, RecursionError):
                pass
    return f"decrypted data is not {charset.value} text (wrong IV or charset)"
