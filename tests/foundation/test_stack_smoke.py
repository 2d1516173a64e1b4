"""`make run`'s stack, for real: up on free ports, usable through Airflow's REST API, down on Ctrl-C.
The stack is the session's shared one (tests/fixtures/stack.py)."""

from __future__ import annotations

import json
import signal
import time

import psutil
import pytest

from stack.paths import DAGS_DIR

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.sandbox]


def test_the_api_answers_and_lists_every_project_dag(stack):
    expected = {path.stem for path in DAGS_DIR.glob("*.py")}
    deadline = time.monotonic() + 120  # the dag-processor parses the folder shortly after start
    listed: set[str] = set()
    while time.monotonic() < deadline and not expected <= listed:
        listed = {dag["dag_id"] for dag in stack.get("/api/v2/dags")["dags"]}
        time.sleep(2)
    assert expected <= listed
    assert stack.get("/api/v2/monitor/health")["metadatabase"]["status"] == "healthy"


def test_settings_were_applied_and_the_hjs_form_is_registered(stack):
    assert stack.get("/api/v2/pools/hjs_api")["slots"] == 8
    assert stack.get("/api/v2/connections/hjs_default")["conn_type"] == "hjs"
    types = {meta["connection_type"] for meta in stack.get("/ui/connections/hook_meta")}
    assert "hjs" in types


def test_the_ui_connection_test_reaches_the_sandbox(stack):
    stored = stack.get("/api/v2/connections/hjs_default")
    # as the UI's Test button does: the form's fields, the stored password merged in by the server
    body = {key: stored[key] for key in ("connection_id", "conn_type", "host", "login", "extra")}
    answer = stack.session.post(f"{stack.api}/api/v2/connections/test", json=body, timeout=60).json()
    assert answer["status"] is True, answer
    assert "signature, encryption and charset (UTF-8) verified" in answer["message"]
    body["extra"] = json.dumps({**json.loads(stored["extra"]), "iv": "wrong-iv"})
    answer = stack.session.post(f"{stack.api}/api/v2/connections/test", json=body, timeout=60).json()
    assert answer["status"] is False and "wrong-iv" not in answer["message"]


@pytest.mark.stops_stack
def test_ctrl_c_stops_everything_and_leaves_no_process(stack):
    processes = stack.every_process()
    assert len(processes) > 6  # supervisor, sink, sandbox, four Airflow parts (and their workers), postgres
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=90) == 0
    gone, alive = psutil.wait_procs(processes, timeout=30)
    assert alive == [], f"left behind: {[(p.pid, p.name()) for p in alive]}"
