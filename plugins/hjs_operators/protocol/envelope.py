"""The signed, encrypted envelope that carries every HJS request and response.

Order of checks when opening: fields present -> merchant and sign type agree -> signature (constant
time) -> timestamp inside the replay window -> decrypt -> JSON object. Nothing inside `data` is
looked at before the signature holds. Nonce memory is the server's job (it needs state); a
response is bound to its request by echoing the request's nonce.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import codes, signing
from .crypto import decrypt_text, encrypt_text
from .errors import HjsProtocolError
from .settings import ProtocolSettings

VERSION = "1.0"
SUCCESS = codes.SUCCESS
REQUEST_FIELDS = ("version", "merchantId", "service", "timestamp", "nonce", "signType", "sign")
RESPONSE_FIELDS = REQUEST_FIELDS + ("requestNonce", "code", "message")
# Epoch milliseconds, ASCII digits only: int() alone would also take " 12", "+12", "1_2" or Arabic digits.
_TIMESTAMP = re.compile(r"[0-9]{1,16}")


def now_ms() -> int:
    return int(time.time() * 1000)


def new_nonce() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Request:
    service: str
    nonce: str
    timestamp_ms: int
    # The payload holds personal data (userId, ...): kept out of repr so a logged object leaks nothing.
    payload: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Response:
    service: str
    code: str
    message: str
    payload: dict[str, Any] = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.code == SUCCESS


def _encode_payload(payload: Mapping[str, Any], settings: ProtocolSettings, service: str | None = None) -> str:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return encrypt_text(text, settings, service=service)


def _decode_payload(data: str, settings: ProtocolSettings, service: str) -> dict[str, Any]:
    if not data:
        return {}
    text = decrypt_text(data, settings, service=service)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HjsProtocolError("decrypted data is not JSON", service=service) from exc
    if not isinstance(payload, dict):
        raise HjsProtocolError("decrypted data is not a JSON object", service=service)
    return payload


def _seal(fields: dict[str, str], payload: Mapping[str, Any] | None, settings: ProtocolSettings) -> dict[str, str]:
    fields["signType"] = settings.sign_type.value
    if payload is not None:
        fields["data"] = _encode_payload(payload, settings, fields.get("service"))
    fields["sign"] = signing.sign(fields, settings.key, settings.sign_type)
    return fields


def _check(envelope: Any, required: tuple[str, ...], settings: ProtocolSettings, service: str, at_ms: int) -> None:
    if not isinstance(envelope, Mapping):
        raise HjsProtocolError("envelope is not a JSON object", service=service)
    missing = [name for name in required if not isinstance(envelope.get(name), str) or not envelope.get(name)]
    if missing:
        raise HjsProtocolError(f"envelope is missing field(s) {', '.join(missing)}", service=service)
    if envelope["merchantId"] != settings.merchant_id:
        raise HjsProtocolError("envelope is for another merchant", service=service)
    if envelope["signType"] != settings.sign_type.value:
        raise HjsProtocolError(f"sign type {envelope['signType']!r} is not the agreed one", service=service)
    if not signing.verify(envelope, settings.key, settings.sign_type):
        raise HjsProtocolError("signature does not verify", service=service)
    if not _TIMESTAMP.fullmatch(envelope["timestamp"]):
        raise HjsProtocolError("timestamp is not epoch milliseconds", service=service)
    stamp = int(envelope["timestamp"])
    if abs(at_ms - stamp) > settings.replay_window_seconds * 1000:
        raise HjsProtocolError("timestamp is outside the replay window", service=service)


def build_request(
    service: str,
    payload: Mapping[str, Any],
    settings: ProtocolSettings,
    *,
    at_ms: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    fields = {
        "version": VERSION,
        "merchantId": settings.merchant_id,
        "service": service,
        "timestamp": str(now_ms() if at_ms is None else at_ms),
        "nonce": nonce or new_nonce(),
    }
    return _seal(fields, payload, settings)


def open_request(envelope: Any, settings: ProtocolSettings, *, at_ms: int | None = None) -> Request:
    service = str(envelope.get("service", "?")) if isinstance(envelope, Mapping) else "?"
    _check(envelope, REQUEST_FIELDS, settings, service, now_ms() if at_ms is None else at_ms)
    payload = _decode_payload(envelope.get("data") or "", settings, service)
    return Request(service, envelope["nonce"], int(envelope["timestamp"]), payload)


def build_response(
    request: Request,
    code: str,
    message: str,
    payload: Mapping[str, Any] | None,
    settings: ProtocolSettings,
    *,
    at_ms: int | None = None,
) -> dict[str, str]:
    fields = {
        "version": VERSION,
        "merchantId": settings.merchant_id,
        "service": request.service,
        "timestamp": str(now_ms() if at_ms is None else at_ms),
        "nonce": new_nonce(),
        "requestNonce": request.nonce,
        "code": code,
        "message": message,
    }
    return _seal(fields, payload, settings)


def open_response(
    envelope: Any,
    settings: ProtocolSettings,
    *,
    service: str,
    request_nonce: str,
    at_ms: int | None = None,
) -> Response:
    _check(envelope, RESPONSE_FIELDS, settings, service, now_ms() if at_ms is None else at_ms)
    if envelope["service"] != service or envelope["requestNonce"] != request_nonce:
        raise HjsProtocolError("response answers another request", service=service)
    payload = _decode_payload(envelope.get("data") or "", settings, service)
    return Response(service, envelope["code"], envelope["message"], payload)
