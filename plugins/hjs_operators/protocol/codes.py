"""HJS answer codes (docs/hjs-protocol.md section 6): their names, their kinds, and the HTTP status each
travels with (section 1). Both ends use this table: the client and the sandbox."""

from __future__ import annotations

SUCCESS = "0000"
PRODUCT_NOT_FOUND = "1001"
ORDER_NOT_FOUND = "1002"
ORDER_CONFLICT = "1003"
INVALID_REQUEST = "1004"
PAGE_SIZE_EXCEEDED = "1005"
TRANSFER_CLOSED = "1006"
TRANSFER_NOT_FOUND = "1007"
TRANSFER_CONFLICT = "1008"
QUOTA_EXCEEDED = "1009"
HOLDER_MISMATCH = "1010"
SIGNATURE_INVALID = "2001"
TIMESTAMP_EXPIRED = "2002"
NONCE_REPLAYED = "2003"
DECRYPT_FAILED = "2004"
MALFORMED_ENVELOPE = "2005"
UNKNOWN_MERCHANT = "2006"
SYSTEM_BUSY = "9999"

NAMES = {
    SUCCESS: "SUCCESS",
    PRODUCT_NOT_FOUND: "PRODUCT_NOT_FOUND",
    ORDER_NOT_FOUND: "ORDER_NOT_FOUND",
    ORDER_CONFLICT: "ORDER_CONFLICT",
    INVALID_REQUEST: "INVALID_REQUEST",
    PAGE_SIZE_EXCEEDED: "PAGE_SIZE_EXCEEDED",
    TRANSFER_CLOSED: "TRANSFER_CLOSED",
    TRANSFER_NOT_FOUND: "TRANSFER_NOT_FOUND",
    TRANSFER_CONFLICT: "TRANSFER_CONFLICT",
    QUOTA_EXCEEDED: "QUOTA_EXCEEDED",
    HOLDER_MISMATCH: "HOLDER_MISMATCH",
    SIGNATURE_INVALID: "SIGNATURE_INVALID",
    TIMESTAMP_EXPIRED: "TIMESTAMP_EXPIRED",
    NONCE_REPLAYED: "NONCE_REPLAYED",
    DECRYPT_FAILED: "DECRYPT_FAILED",
    MALFORMED_ENVELOPE: "MALFORMED_ENVELOPE",
    UNKNOWN_MERCHANT: "UNKNOWN_MERCHANT",
    SYSTEM_BUSY: "SYSTEM_BUSY",
}


def describe(code: object) -> str:
    """ "1002 ORDER_NOT_FOUND" for a known code, the bare (trimmed) code otherwise."""
    text = str(code)[:16]
    name = NAMES.get(text)
    return f"{text} {name}" if name else text


def is_business(code: str) -> bool:
    """1xxx: HJS understood and refused; retrying will not change the answer."""
    return len(code) == 4 and code.startswith("1") and code.isdigit()


def is_protocol(code: str) -> bool:
    """2xxx: signature, clock, nonce, key or envelope problem; alert, never retry blindly."""
    return len(code) == 4 and code.startswith("2") and code.isdigit()


# Section 1: 200 for everything HJS processed (success or business refusal), 400/401 for protocol
# failures, 503 when busy. Authentication-like failures are 401, unreadable requests 400.
_HTTP_STATUS = {
    SIGNATURE_INVALID: 401,
    TIMESTAMP_EXPIRED: 401,
    NONCE_REPLAYED: 401,
    UNKNOWN_MERCHANT: 401,
    DECRYPT_FAILED: 400,
    MALFORMED_ENVELOPE: 400,
    SYSTEM_BUSY: 503,
}


def http_status(code: str) -> int:
    return _HTTP_STATUS.get(code, 200)
