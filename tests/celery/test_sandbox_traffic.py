"""The sandbox's traffic count, which the pool test reads: calls at once are counted as at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.sandbox


def test_max_in_flight_counts_calls_that_overlap(sandbox):
    sandbox.admin.set_faults(latency_ms=400)  # every answer waits: five calls sent together overlap
    sandbox.admin.reset_traffic()

    def call(_number: int) -> int:
        return requests.post(sandbox.url("product.query"), data=b"{}", timeout=10).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(call, range(5)))
    after_burst = sandbox.admin.traffic()
    call(0)
    after_one = sandbox.admin.traffic()

    assert after_burst == {"in_flight": 0, "max_in_flight": 5, "calls": 5}
    assert after_one == {"in_flight": 0, "max_in_flight": 5, "calls": 6}
    assert sandbox.admin.reset_traffic() == {"in_flight": 0, "max_in_flight": 0, "calls": 0}
