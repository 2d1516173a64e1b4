"""Other partner settings (ECB, MD5, GBK, 16-byte hex key), the CLI, restarts and the log."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time

import pytest
import requests
from Crypto.Cipher import DES3
from Crypto.Util.Padding import unpad

from tests.fixtures.sandbox import REPO_ROOT, TEST_IV, TEST_KEY
from tests.sandbox.builders import PRODUCT_CODE, invest, product
from tests.sandbox.wire import call

pytestmark = pytest.mark.sandbox

HEX_KEY = "hex:0123456789abcdeffedcba9876543210"  # 16 bytes: two-key 3DES


def test_ecb_md5_gbk_partner(sandbox_factory, sandbox):
    other = sandbox_factory(mode="ECB", sign_type="MD5", charset="GBK", key=HEX_KEY, iv=None,
                            faults='{"error_rate": 1, "error_status": "503", "seed": 4}')
    assert other.admin.faults()["seed"] == 4
    assert call(other, "system.ping", {}).status == 503  # --faults applied from the start
    other.admin.clear_faults()

    other.admin.upsert_products([product()])
    answer = call(other, "product.query", {"productCode": PRODUCT_CODE})
    assert answer.code == "0000" and answer.payload["productName"] == "恒金稳盈 1号"
    # the data really is GBK under ECB with the 16-byte key
    key = bytes.fromhex(HEX_KEY[4:])
    raw = DES3.new(DES3.adjust_key_parity(key), DES3.MODE_ECB).decrypt(base64.b64decode(answer.body["data"]))
    assert "恒金稳盈".encode("gbk") in unpad(raw, 8)
    assert call(other, "invest.create", invest("ZW1", "1")).code == "0000"

    # the test-suite sandbox's settings are not this partner's
    assert call(other, "system.ping", {}, settings=sandbox.settings).code == "2001"
    assert call(sandbox, "system.ping", {}, settings=other.settings).code == "2001"

    assert other.stop() == 0
    log = other.log_text()
    assert "Application shutdown complete" in log and "HJS sandbox stopped" in log
    assert "0123456789abcdef" not in log and "ZW1" not in log  # no key, no payload in the log
    assert "service=invest.create code=0000 status=200" in log


def test_stop_is_prompt_and_clean_with_a_hanging_request_and_state_survives(sandbox_factory):
    first = sandbox_factory()
    first.admin.upsert_products([product()])
    assert call(first, "invest.create", invest("ZW1", "1")).code == "0000"
    first.admin.set_faults(timeout_rate=1.0, hang_seconds=60)
    outcome = []
    hanging = threading.Thread(target=lambda: outcome.append(_try_ping(first)))
    hanging.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert first.stop() == 0
    assert time.monotonic() - started < 3
    hanging.join()
    assert outcome == ["ConnectionError"]  # dropped, as a dying server would
    assert "Traceback" not in first.log_text() and "ERROR" not in first.log_text()
    data_dir = first.data_dir
    from tests.fixtures.sandbox import start_sandbox

    second = start_sandbox(data_dir)
    try:
        assert call(second, "invest.query", {"orderNo": "ZW1"}).code == "0000"
    finally:
        second.stop()


def _try_ping(handle) -> str:
    try:
        call(handle, "system.ping", {}, timeout=30)
    except requests.RequestException as exc:
        return type(exc).__name__
    return "answered"


def wait_for_log(handle, text: str) -> str:
    """The log line is written just after the answer is sent: give it a moment."""
    deadline = time.monotonic() + 5
    while text not in (log := handle.log_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return log


def test_log_of_the_session_sandbox_has_no_secrets(sandbox):
    call(sandbox, "system.ping", {})
    log = wait_for_log(sandbox, "service=system.ping code=0000 status=200 duration_ms=")
    assert "service=system.ping code=0000 status=200 duration_ms=" in log
    assert TEST_KEY not in log and TEST_IV not in log


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("HJS_SANDBOX_")}
    base_env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "plugins")])
    return subprocess.run([sys.executable, "-m", "sandbox", *args], cwd=REPO_ROOT, env={**base_env, **(env or {})},
                          capture_output=True, text=True, timeout=30)


def test_cli_requires_a_key(tmp_path):
    result = run_cli("--data-dir", str(tmp_path), "--merchant-id", "M1")
    assert result.returncode == 2 and "HJS_SANDBOX_KEY" in result.stderr


@pytest.mark.parametrize(
    ("key", "iv", "says"),
    [("ShortKey12345", "zwIv2026", "16 or at least 24"), ("AAAAAAAAAAAAAAAABBBBBBBB", "zwIv2026", "single DES"),
     (TEST_KEY, "", "IV"), (TEST_KEY, "hex:zz", "IV")],
)
def test_cli_refuses_bad_secrets_without_printing_them(tmp_path, key, iv, says):
    env = {"HJS_SANDBOX_KEY": key} | ({"HJS_SANDBOX_IV": iv} if iv else {})
    result = run_cli("--data-dir", str(tmp_path), "--merchant-id", "M1", env=env)
    assert result.returncode == 2 and says in result.stderr
    assert key not in result.stderr + result.stdout
    if iv:
        assert iv not in result.stderr + result.stdout


def test_cli_refuses_bad_faults(tmp_path):
    result = run_cli("--data-dir", str(tmp_path), "--merchant-id", "M1", "--faults", json.dumps({"nope": 1}),
                     env={"HJS_SANDBOX_KEY": TEST_KEY, "HJS_SANDBOX_IV": TEST_IV})
    assert result.returncode == 2 and "nope" in result.stderr
