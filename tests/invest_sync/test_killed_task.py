"""The subscribing process SIGKILLed in the middle of a product, then the task retried by Airflow:
still exactly once on both sides, and nothing half-written at any moment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.invest_sync.helpers import CUTOFF, assert_exactly_once, attempts, make_products, zw_state

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox, pytest.mark.airflow]

REPO = Path(__file__).resolve().parents[2]


def test_killed_mid_product_then_retried(pipeline_env, zw_conn, run_dag):
    zw_db, sandbox, mailbox = pipeline_env
    made = make_products(zw_conn, sandbox, products=1, assets=40, shares=1)
    waiting = [a for ids in made.values() for a in ids]
    # Half of the subscriptions are committed at HJS and their answers then held back: the workers
    # block on calls HJS has already acted on, which is the worst moment to die.
    sandbox.admin.set_faults(seed=3, drop_after_commit_rate=0.5, drop_mode="hang", hang_seconds=60,
                             services=["invest.create"])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "plugins")])}
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.invest_sync.kill_worker", zw_db.dsn, sandbox.base_url, CUTOFF.isoformat(),
         "manual__killed"], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            booked = len(zw_state(zw_conn)["records"])
            at_hjs = len(sandbox.admin.subscriptions())
            if booked >= 1 and at_hjs - booked >= 2:
                break
            time.sleep(0.05)
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    sandbox.admin.clear_faults()

    state = zw_state(zw_conn)
    assert state["half_written"] == 0
    booked_before = len(state["records"])
    at_hjs_before = len(sandbox.admin.subscriptions())
    assert 1 <= booked_before < at_hjs_before < len(waiting)  # killed mid-product, answers lost

    run = run_dag("hjs_invest_sync", logical_date=CUTOFF, retries=0)
    assert run.state == "success"
    assert_exactly_once(zw_conn, sandbox, waiting)
    already = [row for row in attempts(zw_conn) if row[1] == "ALREADY_AT_HJS"]
    assert len(already) == at_hjs_before - booked_before  # found at HJS, not sent again
    assert mailbox.messages() == []
