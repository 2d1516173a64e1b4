"""What the soak injects, and how it sees what was injected.

The sandbox draws its faults from random.Random(seed), one fixed set of numbers per request, so a
sequential caller meets the same faults for the same seed every time (sandbox/faults.py). The soak
therefore drives HJS from one calling thread; a failing seed is reproduced by running its test id.

The client side counts what the wire did (FaultCounter, through tests/client/helpers.py's Recorder), so
each seed proves that every fault kind actually hit it instead of assuming so.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import requests

from hjs_operators.client import HjsClient, RetryPolicy, Timeouts
from tests.client.helpers import Recorder, make_client

SEEDS = range(1, 21)
MAX_PASSES = 10  # runs of the same work (task retries, next days) before "still pending" is a loss

# A read timeout well under the sandbox's hang, so every injected hang is a real client timeout. A genuine
# answer takes a few milliseconds; one that is merely slow on a busy machine becomes one more timeout,
# which the code must survive like any other.
READ_TIMEOUT = 0.12
HANG_SECONDS = 0.3
# Three attempts per call (the production default is five): enough calls still fail for good within a
# pass that the "failed, retry later" path is exercised on most seeds. The client never sleeps here.
SOAK_RETRY = RetryPolicy(max_attempts=3, base_delay=0.005, max_delay=0.02)


def seed_id(seed: int) -> str:
    return f"seed-{seed:02d}"


def faults_for(seed: int) -> dict[str, Any]:
    """HTTP 500/503 errors, hangs past the client's timeout, and answers lost after HJS committed:
    the connection reset (odd seeds) or the answer held back until the client gave up (even seeds)."""
    return {
        "seed": seed,
        "error_rate": 0.15,
        "error_status": "mixed",
        "timeout_rate": 0.1,
        "hang_seconds": HANG_SECONDS,
        "drop_after_commit_rate": 0.35,
        "drop_mode": "reset" if seed % 2 else "hang",
    }


class FaultCounter(Recorder):
    """Recorder that also counts how each request ended: ok, http_500, http_503, timeout, reset."""

    def __init__(self, outcomes: Counter[str]) -> None:
        super().__init__()
        self.outcomes = outcomes

    def send(self, request, **kwargs):  # type: ignore[override]
        try:
            response = super().send(request, **kwargs)
        except requests.exceptions.Timeout:
            self.outcomes["timeout"] += 1
            raise
        except requests.exceptions.ConnectionError:
            self.outcomes["reset"] += 1
            raise
        self.outcomes["ok" if response.status_code == 200 else f"http_{response.status_code}"] += 1
        return response


def soak_client(sandbox: Any, outcomes: Counter[str]) -> HjsClient:
    """A client as tests/client/helpers.py builds them, with the soak's timeouts and retries."""
    return make_client(sandbox, recorder=FaultCounter(outcomes), retry=SOAK_RETRY,
                       timeouts=Timeouts(connect=2.0, read=READ_TIMEOUT))


def assert_faults_hit(outcomes: Counter[str], lost_answers_recovered: int) -> None:
    """Every fault kind reached the code under test in this seed (else the seed proves nothing)."""
    assert outcomes["http_500"] + outcomes["http_503"] >= 1, f"no HTTP error injected: {dict(outcomes)}"
    assert outcomes["timeout"] >= 1, f"no timeout injected: {dict(outcomes)}"
    assert lost_answers_recovered >= 1, f"no answer lost after commit was recovered: {dict(outcomes)}"
