"""Answer codes of the HJS protocol (docs/hjs-protocol.md section 6) and the HTTP status that goes with each."""

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
