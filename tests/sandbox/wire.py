"""A bare HJS caller for the sandbox tests: envelope in, envelope out, nothing hidden.

Deliberately not the project's client (plugins/hjs_operators): these tests check the sandbox
against the spec with only the protocol module, and can bend envelopes to test refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from hjs_operators.protocol import ProtocolSettings, Response, build_request, open_response
from hjs_operators.protocol.signing import sign

TIMEOUT = 5.0


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    response: Response | None  # the opened, verified envelope; None for plain {"code", "message"}

    @property
    def code(self) -> str:
        return self.response.code if self.response else self.body.get("code", "")

    @property
    def payload(self) -> dict[str, Any]:
        assert self.response is not None, self.body
        return self.response.payload


def envelope(service: str, payload: dict[str, Any] | None, settings: ProtocolSettings, **kw: Any) -> dict[str, str]:
    return build_request(service, payload if payload is not None else {}, settings, **kw)


def resign(request: dict[str, str], settings: ProtocolSettings) -> dict[str, str]:
    """Sign an edited envelope again, as a sender who means it would."""
    return {**request, "sign": sign(request, settings.key, settings.sign_type)}


def post(base_url: str, service: str, body: Any, *, timeout: float = TIMEOUT, url_service: str | None = None,
         session: requests.Session | None = None) -> requests.Response:
    sender = session or requests
    return sender.post(f"{base_url}/api/v1/{url_service or service}", json=body, timeout=timeout)


def call(
    handle: Any,
    service: str,
    payload: dict[str, Any] | None = None,
    *,
    settings: ProtocolSettings | None = None,
    verify_with: ProtocolSettings | None = None,
    tamper: Callable[[dict[str, str]], dict[str, str]] | None = None,
    url_service: str | None = None,
    timeout: float = TIMEOUT,
    session: requests.Session | None = None,
) -> Answer:
    """Sign and send one request; open the answer with the sandbox's settings when it is an envelope."""
    sign_with = settings or handle.settings
    request = envelope(service, payload, sign_with)
    if tamper is not None:
        request = tamper(request)
    http = post(handle.base_url, service, request, timeout=timeout, url_service=url_service, session=session)
    body = http.json()
    if "sign" not in body:
        return Answer(http.status_code, body, None)
    opened = open_response(body, verify_with or handle.settings, service=request.get("service", service),
                           request_nonce=request.get("nonce", ""))
    return Answer(http.status_code, body, opened)
