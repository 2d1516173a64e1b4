"""Typed errors of the HJS protocol and client.

Three kinds, because each calls for a different reaction:
- HjsTransientError: the outcome is unknown or HJS is briefly unavailable; retry (after asking HJS
  what it already has, for calls that change state).
- HjsBusinessError: HJS answered, validly signed, and said no; retrying will not help.
- HjsProtocolError: the message cannot be trusted (bad signature, undecryptable, malformed); never
  retried blindly, never written anywhere.
Messages name the call and what was wrong, never keys or payload contents.
"""

from __future__ import annotations


class HjsError(Exception):
    """Base of every error raised by the HJS protocol and client."""

    def __init__(self, message: str, *, service: str | None = None) -> None:
        self.service = service
        self.detail = message  # without the "service: " prefix, for nesting in another error of that call
        super().__init__(f"{service}: {message}" if service else message)


class HjsTransientError(HjsError):
    """Connection error, timeout, 5xx or an HJS busy answer: the call may be retried.

    outcome_unknown: True when the request may have reached HJS and been processed (read timeout,
    connection dropped after sending, 5xx): a state-changing call must then be followed by its query
    before it is sent again. False only when HJS certainly did not process it (could not connect, or
    a signed 9999 busy answer). The conservative default is True.
    retry_after: seconds HJS asked us to wait (Retry-After on a 429 or 503), if any.
    http_status: the HTTP status of the answer (429, 500, 503, ...), None when there was no answer.
    """

    def __init__(
        self,
        message: str,
        *,
        service: str | None = None,
        outcome_unknown: bool = True,
        retry_after: float | None = None,
        http_status: int | None = None,
    ) -> None:
        self.outcome_unknown = outcome_unknown
        self.retry_after = retry_after
        self.http_status = http_status
        super().__init__(message, service=service)


class HjsBusinessError(HjsError):
    """HJS refused the request with a business code (unknown product, order conflict, ...)."""

    def __init__(self, code: str, message: str, *, service: str | None = None) -> None:
        self.code = code
        self.hjs_message = message
        super().__init__(f"HJS refused with {code}: {message}", service=service)


class HjsProtocolError(HjsError):
    """Tampered, truncated, wrongly signed, stale or malformed message."""


class HjsConfigError(HjsError):
    """Unusable protocol settings (bad key length, weak key, missing IV, unknown mode)."""
