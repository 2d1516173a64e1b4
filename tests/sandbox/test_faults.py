"""Each fault knob is observable, deterministic for a seed, and leaves admin endpoints alone."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from hjs_operators.protocol import HjsProtocolError
from hjs_operators.protocol.signing import verify
from sandbox.admin_client import SandboxAdminError
from tests.sandbox.builders import PRODUCT_CODE, invest, product, transfer
from tests.sandbox.wire import call, envelope, post

pytestmark = pytest.mark.sandbox


@pytest.fixture
def hjs(sandbox):
    sandbox.admin.upsert_products([product()])
    return sandbox


def ping_status(handle) -> int:
    return post(handle.base_url, "system.ping", envelope("system.ping", {}, handle.settings)).status_code


def pattern(handle, n: int, **faults) -> list[int]:
    handle.admin.set_faults(**faults)
    return [ping_status(handle) for _ in range(n)]


def test_error_500(hjs):
    hjs.admin.set_faults(error_rate=1.0, error_status="500")
    http = post(hjs.base_url, "invest.create", envelope("invest.create", invest("ZW1", "1"), hjs.settings))
    assert http.status_code == 500
    assert hjs.admin.subscriptions() == []


def test_error_503_busy(hjs):
    hjs.admin.set_faults(error_rate=1.0, error_status="503")
    http = post(hjs.base_url, "invest.create", envelope("invest.create", invest("ZW1", "1"), hjs.settings))
    assert (http.status_code, http.json()["code"]) == (503, "9999")
    assert hjs.admin.subscriptions() == []


def test_throttle_answers_the_next_n_calls_429_with_retry_after(hjs):
    hjs.admin.set_faults(throttle_count=2, retry_after=4, services=["invest.create"])
    ping = post(hjs.base_url, "system.ping", envelope("system.ping", {}, hjs.settings))
    assert ping.status_code == 200  # other services are not throttled and do not use up the count
    answers = [
        post(hjs.base_url, "invest.create", envelope("invest.create", invest("ZW1", "1"), hjs.settings))
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert [a.headers.get("Retry-After") for a in answers[:2]] == ["4", "4"]
    assert answers[0].json() == {"code": "9999", "message": "too many requests"}  # unsigned
    assert len(hjs.admin.subscriptions()) == 1  # throttled calls did nothing


def test_throttle_with_503_and_an_http_date(hjs):
    hjs.admin.set_faults(throttle_count=1, throttle_status=503, retry_after=30, retry_after_format="http-date")
    answer = post(hjs.base_url, "system.ping", envelope("system.ping", {}, hjs.settings))
    assert answer.status_code == 503 and answer.headers["Retry-After"].endswith(" GMT")


def test_error_pattern_is_deterministic_for_a_seed(hjs):
    first = pattern(hjs, 24, seed=7, error_rate=0.5)
    assert set(first) == {200, 500, 503}
    assert pattern(hjs, 24, seed=7, error_rate=0.5) == first
    assert pattern(hjs, 24, seed=8, error_rate=0.5) != first


def test_reset_restores_the_default_seed(hjs):
    hjs.admin.set_faults(seed=3, error_rate=0.5)
    hjs.admin.reset()
    assert hjs.admin.faults()["seed"] == 0 and hjs.admin.faults()["error_rate"] == 0
    assert pattern(hjs, 3) == [200, 200, 200]


def test_faults_never_touch_admin_endpoints(hjs):
    hjs.admin.set_faults(error_rate=1.0, timeout_rate=1.0, latency_ms=2000)
    started = time.monotonic()
    assert hjs.admin.healthy() and hjs.admin.products() and hjs.admin.subscriptions() == []
    assert time.monotonic() - started < 1.5


def test_faults_can_target_services(hjs):
    hjs.admin.set_faults(error_rate=1.0, error_status="503", services=["invest.create"])
    assert ping_status(hjs) == 200
    assert call(hjs, "invest.create", invest("ZW1", "1")).status == 503


def test_latency(hjs):
    hjs.admin.set_faults(latency_ms=150)
    started = time.monotonic()
    assert ping_status(hjs) == 200
    assert time.monotonic() - started >= 0.15


def test_latency_spikes_are_deterministic(hjs):
    def slow_pattern() -> list[bool]:
        hjs.admin.set_faults(seed=11, latency_spike_ms=200, spike_rate=0.5)
        slow = []
        for _ in range(8):
            started = time.monotonic()
            ping_status(hjs)
            slow.append(time.monotonic() - started >= 0.2)
        return slow

    first = slow_pattern()
    assert any(first) and not all(first)
    assert slow_pattern() == first


def test_timeout_hangs_without_doing_the_work(hjs):
    hjs.admin.set_faults(timeout_rate=1.0, hang_seconds=1.0)
    with pytest.raises(requests.Timeout):
        call(hjs, "invest.create", invest("ZW1", "1"), timeout=0.3)
    time.sleep(0.8)  # past the hang: the sandbox answered into a closed connection and did nothing
    assert hjs.admin.subscriptions() == []


def test_a_hanging_request_does_not_block_others(hjs):
    hjs.admin.set_faults(timeout_rate=1.0, hang_seconds=1.5, services=["invest.create"])
    outcome = {}

    def hang():
        try:
            call(hjs, "invest.create", invest("ZW1", "1"), timeout=3)
        except requests.RequestException as exc:  # pragma: no cover - only if the box is very slow
            outcome["error"] = exc

    worker = threading.Thread(target=hang)
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert ping_status(hjs) == 200
    assert time.monotonic() - started < 1.0
    worker.join()


def test_drop_after_commit_resets_the_connection_but_keeps_the_order(hjs):
    hjs.admin.set_faults(drop_after_commit_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        call(hjs, "invest.create", invest("ZW1", "1"))
    assert [s["orderNo"] for s in hjs.admin.subscriptions()] == ["ZW1"]
    hjs.admin.clear_faults()
    queried = call(hjs, "invest.query", {"orderNo": "ZW1"})
    assert queried.code == "0000"
    assert call(hjs, "invest.create", invest("ZW1", "1")).payload == queried.payload


def test_drop_after_commit_in_hang_mode_times_the_client_out(hjs):
    hjs.admin.set_faults(drop_after_commit_rate=1.0, drop_mode="hang", hang_seconds=1.0)
    with pytest.raises(requests.Timeout):
        call(hjs, "invest.create", invest("ZW1", "1"), timeout=0.3)
    assert [s["orderNo"] for s in hjs.admin.subscriptions()] == ["ZW1"]


def test_drop_after_commit_on_transfer(hjs):
    assert call(hjs, "invest.create", invest("ZW1", "A")).code == "0000"
    hjs.admin.set_faults(drop_after_commit_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        call(hjs, "transfer.register", transfer("T1", "ZW1", "A", "B"))
    assert hjs.admin.subscriptions()[0]["holderAssetId"] == "B"
    assert call(hjs, "transfer.query", {"transferNo": "T1"}).code == "0000"


def test_drop_only_hits_committed_answers(hjs):
    hjs.admin.set_faults(drop_after_commit_rate=1.0)
    assert call(hjs, "invest.create", invest("ZW1", "1", product_code="NOPE")).code == "1001"
    assert call(hjs, "system.ping", {}).code == "0000"


def test_bad_signature(hjs):
    hjs.admin.set_faults(bad_signature_rate=1.0)
    request = envelope("system.ping", {}, hjs.settings)
    body = post(hjs.base_url, "system.ping", request).json()
    assert body["code"] == "0000" and not verify(body, hjs.settings.key, hjs.settings.sign_type)
    with pytest.raises(HjsProtocolError):
        call(hjs, "system.ping", {})


def test_bad_signature_pattern_is_deterministic(hjs):
    def bad_pattern() -> list[bool]:
        hjs.admin.set_faults(seed=5, bad_signature_rate=0.5)
        bodies = [post(hjs.base_url, "system.ping", envelope("system.ping", {}, hjs.settings)).json()
                  for _ in range(16)]
        return [not verify(b, hjs.settings.key, hjs.settings.sign_type) for b in bodies]

    first = bad_pattern()
    assert any(first) and not all(first)
    assert bad_pattern() == first


@pytest.fixture
def trial_data(hjs):
    hjs.admin.load_subscriptions(
        {"orderNo": f"ZW{i:03d}", "productCode": PRODUCT_CODE, "assetId": f"A{i}", "userId": "U", "shares": 1}
        for i in range(30)
    )
    return hjs


def trial_page(handle, page_no: int, page_size: int = 10) -> dict:
    answer = call(handle, "maturity.trial", {"productCode": PRODUCT_CODE, "pageNo": page_no, "pageSize": page_size})
    assert answer.code == "0000"
    return answer.payload


def test_skew_moves_chosen_amounts(trial_data):
    trial_data.admin.set_faults(skew={"A1": 3, "ZW002": -2})
    records = {r["orderNo"]: r for r in trial_page(trial_data, 1)["records"]}
    assert (records["ZW001"]["interest"], records["ZW001"]["amount"]) == ("225.03", "5225.03")
    assert (records["ZW002"]["interest"], records["ZW002"]["amount"]) == ("224.98", "5224.98")
    assert records["ZW003"]["amount"] == "5225.00"


def test_skew_follows_the_holder(trial_data):
    assert call(trial_data, "transfer.register", transfer("T1", "ZW004", "A4", "B4")).code == "0000"
    trial_data.admin.set_faults(skew={"B4": 1})
    records = {r["orderNo"]: r for r in trial_page(trial_data, 1)["records"]}
    assert records["ZW004"]["amount"] == "5225.01"


def test_total_drift_changes_total_after_the_first_page(trial_data):
    trial_data.admin.set_faults(total_drift=1)
    assert [trial_page(trial_data, n)["total"] for n in (1, 2, 3)] == [30, 31, 31]


def test_oversize_page(trial_data):
    trial_data.admin.set_faults(oversize_page=True)
    page = trial_page(trial_data, 1)
    assert page["pageSize"] == 10 and len(page["records"]) == 11


def test_bad_amount_for(trial_data):
    trial_data.admin.set_faults(bad_amount_for=["ZW005"])
    records = {r["orderNo"]: r for r in trial_page(trial_data, 1)["records"]}
    assert records["ZW005"]["amount"] == "N/A" and records["ZW006"]["amount"] == "5225.00"


@pytest.mark.parametrize(
    "knobs",
    [{"error_rate": 2}, {"error_rat": 0.1}, {"latency_ms": -1}, {"skew": {"A1": 0.5}}, {"drop_mode": "x"},
     {"hang_seconds": 0}, {"bad_amount_for": "ZW1"}, {"seed": "x"}],
)
def test_bad_fault_settings_are_refused(hjs, knobs):
    with pytest.raises(SandboxAdminError) as error:
        hjs.admin.set_faults(**knobs)
    assert error.value.status == 422


def test_faults_are_readable(hjs):
    hjs.admin.set_faults(seed=9, latency_ms=20, skew={"A1": 1})
    faults = hjs.admin.faults()
    assert (faults["seed"], faults["latency_ms"], faults["skew"]) == (9, 20, {"A1": 1})
