"""The receiving side of the envelope: checks in the spec's order, each failure with its code.

Order (docs/hjs-protocol.md section 2): required fields -> merchant and sign type -> signature ->
timestamp inside the replay window -> nonce not seen -> URL names the signed service -> data
decrypts to a JSON object. Failures for our merchant are answered with a signed envelope, others
with plain {"code", "message"}. The crypto itself is hjs_operators.protocol's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hjs_operators.protocol import HjsProtocolError, ProtocolSettings, Request, build_response, codes, open_request
from hjs_operators.protocol.envelope import REQUEST_FIELDS, VERSION, now_ms
from hjs_operators.protocol.signing import verify

from .faults import FaultConfig
from .nonces import NonceCache
from .services import Outcome, Services

_NONCE = re.compile(r"[0-9a-fA-F]{32}")
_TIMESTAMP = re.compile(r"[0-9]{1,16}")


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    code: str
    signed: bool
    headers: tuple[tuple[bytes, bytes], ...] = ()  # extra HTTP headers (Retry-After on throttling)


def plain(code: str, message: str) -> Reply:
    """Unsigned answer, for callers we cannot attribute to our merchant (and for busy/500 faults)."""
    return Reply(codes.http_status(code), {"code": code, "message": message}, code, signed=False)


class Gateway:
    def __init__(self, settings: ProtocolSettings, services: Services, nonces: NonceCache) -> None:
        self.settings = settings
        self.services = services
        self.nonces = nonces

    def _signed(self, service: str, nonce: str, outcome: Outcome) -> Reply:
        request = Request(service=service, nonce=nonce, timestamp_ms=0, payload={})
        envelope = build_response(request, outcome.code, outcome.message, outcome.payload, self.settings)
        return Reply(codes.http_status(outcome.code), envelope, outcome.code, signed=True)

    def process(self, raw: bytes, url_service: str, faults: FaultConfig, at_ms: int | None = None) -> Reply:
        now = now_ms() if at_ms is None else at_ms
        try:
            envelope = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return plain(codes.MALFORMED_ENVELOPE, "body is not JSON")
        if not isinstance(envelope, dict):
            return plain(codes.MALFORMED_ENVELOPE, "body is not a JSON object")

        known = envelope.get("merchantId") == self.settings.merchant_id
        service = envelope.get("service") if isinstance(envelope.get("service"), str) else ""
        service = service or url_service
        nonce = envelope.get("nonce") if isinstance(envelope.get("nonce"), str) else ""

        def refuse(code: str, message: str) -> Reply:
            return self._signed(service, nonce, Outcome(code, message)) if known else plain(code, message)

        missing = [f for f in REQUEST_FIELDS if not isinstance(envelope.get(f), str) or not envelope.get(f)]
        if missing:
            return refuse(codes.MALFORMED_ENVELOPE, f"missing field(s) {', '.join(missing)}")
        if "data" in envelope and not isinstance(envelope["data"], str):
            return refuse(codes.MALFORMED_ENVELOPE, "data must be a string")
        if not known:
            return plain(codes.UNKNOWN_MERCHANT, "unknown merchant")
        if envelope["signType"] != self.settings.sign_type.value:
            return refuse(codes.SIGNATURE_INVALID, "signType is not the agreed one")
        if not verify(envelope, self.settings.key, self.settings.sign_type):
            return refuse(codes.SIGNATURE_INVALID, "signature does not verify")
        # From here on the envelope is authentic: format checks on signed fields.
        if envelope["version"] != VERSION:
            return refuse(codes.MALFORMED_ENVELOPE, f"version must be {VERSION}")
        if _TIMESTAMP.fullmatch(envelope["timestamp"]) is None:
            return refuse(codes.MALFORMED_ENVELOPE, "timestamp must be epoch milliseconds")
        stamp = int(envelope["timestamp"])
        if abs(now - stamp) > self.settings.replay_window_seconds * 1000:
            return refuse(codes.TIMESTAMP_EXPIRED, "timestamp is outside the replay window")
        if _NONCE.fullmatch(nonce) is None:
            return refuse(codes.MALFORMED_ENVELOPE, "nonce must be 32 hex characters")
        if not self.nonces.add(nonce, stamp, now):
            return refuse(codes.NONCE_REPLAYED, "nonce was already used")
        if envelope["service"] != url_service:
            return refuse(codes.MALFORMED_ENVELOPE, "URL does not name the signed service")
        if not self.services.knows(service):
            return refuse(codes.MALFORMED_ENVELOPE, "unknown service")
        try:
            # Repeats the (passed) signature and window checks, then decrypts: any failure now is the data.
            request = open_request(envelope, self.settings, at_ms=now)
        except HjsProtocolError as exc:  # says which step failed (Base64, padding, charset, JSON), never content
            return refuse(codes.DECRYPT_FAILED, exc.detail)
        except RecursionError:  # absurdly nested JSON
            return refuse(codes.DECRYPT_FAILED, "decrypted data is not a JSON object")
        return self._signed(service, nonce, self.services.handle(service, request.payload, faults))
