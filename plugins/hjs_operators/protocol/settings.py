"""Protocol settings: the parts that differ between partners (GUIDE section 3)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import HjsConfigError


class CipherMode(StrEnum):
    CBC = "CBC"
    ECB = "ECB"


class SignType(StrEnum):
    HMAC_SHA256 = "HMAC-SHA256"
    MD5 = "MD5"


class Charset(StrEnum):
    UTF8 = "UTF-8"
    GBK = "GBK"


DEFAULT_REPLAY_WINDOW_SECONDS = 300
# system.ping's known non-ASCII text (docs/hjs-protocol.md section 5). A charset mismatch is invisible
# for ASCII and often for CJK too (UTF-8 bytes of 张三 are valid GBK: "寮犱笁"), so both ends compare it.
CHARSET_PROBE = "张三"


def decode_secret(value: str, what: str) -> bytes:
    """Turn a configured secret into bytes.

    "hex:..." and "base64:..." are decoded; anything else is taken as its UTF-8 bytes, the way a
    Java partner's key.getBytes() does. The value itself never appears in an error.
    """
    try:
        if value.startswith("hex:"):
            return binascii.unhexlify(value[4:])
        if value.startswith("base64:"):
            return base64.b64decode(value[7:], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HjsConfigError(f"{what} is not valid {value.split(':', 1)[0]}") from exc
    return value.encode("utf-8")


@dataclass(frozen=True)
class ProtocolSettings:
    """Everything both ends must agree on. Build with from_strings() from connection fields."""

    merchant_id: str
    key: bytes = field(repr=False)
    mode: CipherMode = CipherMode.CBC
    iv: bytes | None = field(default=None, repr=False)
    sign_type: SignType = SignType.HMAC_SHA256
    charset: Charset = Charset.UTF8
    replay_window_seconds: int = DEFAULT_REPLAY_WINDOW_SECONDS

    def __post_init__(self) -> None:
        if not self.merchant_id:
            raise HjsConfigError("merchant id is empty")
        if self.mode is CipherMode.CBC and (self.iv is None or len(self.iv) != 8):
            raise HjsConfigError("CBC mode needs an IV of exactly 8 bytes")
        if self.replay_window_seconds <= 0:
            raise HjsConfigError("replay window must be positive")

    @classmethod
    def from_strings(
        cls,
        *,
        merchant_id: str,
        key: str,
        mode: str = "CBC",
        iv: str | None = None,
        sign_type: str = "HMAC-SHA256",
        charset: str = "UTF-8",
        replay_window_seconds: int = DEFAULT_REPLAY_WINDOW_SECONDS,
    ) -> ProtocolSettings:
        try:
            cipher_mode = CipherMode(mode.upper())
            sign = SignType(sign_type.upper())
            chars = Charset(charset.upper().replace("UTF8", "UTF-8"))
        except ValueError as exc:
            raise HjsConfigError(str(exc)) from exc
        return cls(
            merchant_id=merchant_id,
            key=decode_secret(key, "key"),
            mode=cipher_mode,
            iv=decode_secret(iv, "IV") if iv else None,
            sign_type=sign,
            charset=chars,
            replay_window_seconds=int(replay_window_seconds),
        )
