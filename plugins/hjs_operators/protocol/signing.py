"""Signatures over the envelope: HMAC-SHA256 (default) or MD5 with the key appended."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from .settings import SignType

SIGN_FIELD = "sign"


def canonical_string(fields: Mapping[str, object]) -> str:
    """Non-empty fields except the signature, sorted by name, joined as k=v&k=v."""
    pairs = sorted(
        (name, str(value))
        for name, value in fields.items()
        if name != SIGN_FIELD and value is not None and str(value) != ""
    )
    return "&".join(f"{name}={value}" for name, value in pairs)


def sign(fields: Mapping[str, object], key: bytes, sign_type: SignType) -> str:
    """Upper-case hex signature of the canonical string."""
    text = canonical_string(fields)
    if sign_type is SignType.MD5:
        return hashlib.md5((text + "&key=").encode("utf-8") + key).hexdigest().upper()
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest().upper()


def verify(fields: Mapping[str, object], key: bytes, sign_type: SignType) -> bool:
    """Constant-time check of fields[sign] against the expected signature."""
    given = str(fields.get(SIGN_FIELD) or "")
    return hmac.compare_digest(given.upper().encode("ascii", "replace"), sign(fields, key, sign_type).encode("ascii"))
