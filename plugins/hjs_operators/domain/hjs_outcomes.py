"""What an HJS call's failure means for our bookkeeping: one mapping for every pipeline.

The outcome names are the values of hjs_sync_attempt.outcome. A business refusal (HJS answered, signed,
and said no) carries HJS's code and message; a transient failure (HJS unreachable or busy after the
client's retries) may be tried again later; a protocol failure (an answer we cannot trust) is never
taken as HJS's decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..protocol.errors import HjsBusinessError, HjsError, HjsTransientError

SUCCESS = "SUCCESS"
ALREADY_AT_HJS = "ALREADY_AT_HJS"
BUSINESS_FAILURE = "BUSINESS_FAILURE"
TRANSIENT_FAILURE = "TRANSIENT_FAILURE"
PROTOCOL_FAILURE = "PROTOCOL_FAILURE"


@dataclass(frozen=True)
class Failure:
    outcome: str
    code: str | None  # HJS's code for a refusal (and for a verified protocol refusal), else None
    reason: str


def failure_of(exc: HjsError) -> Failure:
    if isinstance(exc, HjsBusinessError):
        return Failure(BUSINESS_FAILURE, exc.code, exc.hjs_message)
    if isinstance(exc, HjsTransientError):
        return Failure(TRANSIENT_FAILURE, None, str(exc))
    return Failure(PROTOCOL_FAILURE, getattr(exc, "code", None), str(exc))
