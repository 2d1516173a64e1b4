"""`make run`'s stack, for real: up on free ports, usable through Airflow's REST API, down on Ctrl-C.

Slow (Airflow's four components start), so it runs once for the whole check list below.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
import requests

from stack.paths import DAGS_DIR, REPO_ROOT
from stack.processes import free_port

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.sandbox]

READY_LINE = "Ctrl-C stops everything"
STARTUP_SECONDS = 240


def _lines(stream, sink: queue.Queue) -> None:
    for line in stream:
        sink.put(line)


class Stack:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        # the child must build its own Airflow environment, not inherit the test session's
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "stack.run", "--data-dir", str(data_dir), "--api-port", str(self.port),
             "--demo-assets", "300"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_lines, args=(self.process.stdout, self._queue), daemon=True).start()
        self.api = f"http://127.0.0.1:{self.port}"
        self.session = requests.Session()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.output.append(line)
            if READY_LINE in line:
                return
        raise AssertionError("stack did not come up:\n" + "".join(self.output[-40:]))

    def login(self) -> None:
        password = json.loads((self.data_dir / "airflow" / "stack-secrets.json").read_text())["admin_password"]
        assert f"admin / {password}" in "".join(self.output), "the login is printed for the user"
        answer = self.session.post(f"{self.api}/auth/token", json={"username": "admin", "password": password},
                                   timeout=30)
        assert answer.status_code == 201, answer.text
        self.session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def get(self, path: str) -> dict | list:
        answer = self.session.get(f"{self.api}{path}", timeout=30)
        assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text}"
        return answer.json()

    def every_process(self) -> list[psutil.Process]:
        """The supervisor, all its descendants (in their own sessions), and the PostgreSQL server."""
        root = psutil.Process(self.process.pid)
        processes = [root, *root.children(recursive=True)]
        postmaster = (self.data_dir / "pg" / "postmaster.pid").read_text().split()[0]
        return processes + [psutil.Process(int(postmaster))]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack"))
    try:
        running.wait_ready()
        running.login()
        yield running
    finally:
        running.kill()


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


def test_ctrl_c_stops_everything_and_leaves_no_process(stack):
    processes = stack.every_process()
    assert len(processes) > 6  # supervisor, sink, sandbox, four Airflow parts (and their workers), postgres
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=90) == 0
    gone, alive = psutil.wait_procs(processes, timeout=30)
    assert alive == [], f"left behind: {[(p.pid, p.name()) for p in alive]}"
