"""The Celery mode of the stack (`EXECUTOR=celery WORKERS=2 make run`) against the LocalExecutor.

The same demo day (invest sync, the T-3 trial with its held product accepted through the REST API, the
maturity payback), run by each stack's scheduler, must leave the same zw rows, e-mails and HJS state.
On the Celery stack the two workers' homes, temporary folders and working directories differ, and the
worker running fetch_amounts is SIGKILLed mid-task: the scheduler fails the task when its heartbeats
stop and the other worker runs the retry. Then: calls in flight to HJS stay within the hjs_api pool,
and Ctrl-C stops the workers, the broker and the rest.

Slow (two stacks, one after the other, and a retry delay of the DAGs' own), so every check reads the
module's two runs.
"""

from __future__ import annotations

import json
import re
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest

from hjs_operators.console_links import REPORT_FILES, report_path
from sandbox.admin_client import SandboxAdmin
from tests.celery.days import (
    DAY,
    TRIAL,
    run_by_scheduler,
    sandbox_url,
    task_instances,
    what_the_day_left,
    zw_endpoint,
)
from tests.fixtures.stack import Stack

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.sandbox, pytest.mark.airflow]

WORKERS = ("worker1", "worker2")
KILLED_TASK = "fetch_amounts"
# The scheduler fails a task whose heartbeats stopped after this many seconds (Airflow's default, 300,
# is a production value; the DAGs' own retry delay still applies after it).
HEARTBEAT_TIMEOUT = "20"
# HJS slowed while the trial runs, so fetch_amounts is seen running and killed mid-way.
TRIAL_LATENCY_MS = 700


def _start(data_dir: Path, *options: str, env: dict[str, str] | None = None) -> Stack:
    stack = Stack(data_dir, *options, env=env)
    try:
        stack.wait_ready()
        stack.login()
    except BaseException:
        stack.stop()
        raise
    return stack


def _ctrl_c(stack: Stack) -> int:
    stack.process.send_signal(signal.SIGINT)
    return stack.process.wait(timeout=120)


def _worker_pids(stack: Stack) -> dict[str, int]:
    found = re.findall(r"started airflow-celery-(worker\d+) \(pid (\d+)", "".join(stack.output))
    return {name: int(pid) for name, pid in found}


def _kill_tree(pid: int) -> None:
    """As a machine dies: the worker and every process under it, at once."""
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


class KillWorkerRunning:
    """watch() for run_by_scheduler: SIGKILLs the worker that runs KILLED_TASK, once, and lets HJS answer
    at full speed again."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.pids = _worker_pids(stack)
        self.killed: str | None = None

    def __call__(self, run_id: str, tasks: list[dict]) -> None:
        if self.killed:
            return
        running = [t for t in tasks if t["task_id"] == KILLED_TASK and t["state"] == "running" and t["hostname"]]
        if running:
            self.killed = running[0]["hostname"].split(".")[0]
            _kill_tree(self.pids[self.killed])
            SandboxAdmin(sandbox_url(self.stack)).set_faults(**_faults_without_latency(self.stack))


def _faults(stack: Stack) -> dict:
    knobs = SandboxAdmin(sandbox_url(stack)).faults()
    return {key: value for key, value in knobs.items() if key not in ("seed", "throttle_left")}


def _faults_without_latency(stack: Stack) -> dict:
    return {**_faults(stack), "latency_ms": 0}


@pytest.fixture(scope="module")
def local_day(tmp_path_factory) -> dict:
    stack = _start(tmp_path_factory.mktemp("local"))
    try:
        for dag_id in DAY:
            run_by_scheduler(stack, dag_id)
        return what_the_day_left(stack)
    finally:
        stack.stop()  # Ctrl-C, then whatever is left killed


@pytest.fixture(scope="module")
def celery_stack(local_day, tmp_path_factory):
    # local_day first: one stack at a time on two cores
    stack = _start(tmp_path_factory.mktemp("celery"), "--executor", "celery", "--workers", str(len(WORKERS)),
                   env={"AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": HEARTBEAT_TIMEOUT})
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def celery_day(celery_stack) -> dict:
    stack = celery_stack
    runs, tasks = {}, {}
    killer = KillWorkerRunning(stack)
    for dag_id in DAY:
        if dag_id == TRIAL:
            SandboxAdmin(sandbox_url(stack)).set_faults(**{**_faults(stack), "latency_ms": TRIAL_LATENCY_MS})
        runs[dag_id] = run_by_scheduler(stack, dag_id, killer if dag_id == TRIAL else None)
        tasks[dag_id] = task_instances(stack, dag_id, runs[dag_id])
    return {"left": what_the_day_left(stack), "runs": runs, "tasks": tasks, "killed": killer.killed}


def test_the_workers_share_no_home_temporary_folder_or_working_directory(celery_stack):
    workers_dir = celery_stack.data_dir / "workers"
    for name, pid in _worker_pids(celery_stack).items():
        process = psutil.Process(pid)
        environment = process.environ()
        assert Path(process.cwd()) == workers_dir / name
        assert environment["AIRFLOW_HOME"] == str(workers_dir / name / "airflow-home")
        assert environment["TMPDIR"] == str(workers_dir / name / "tmp")
        assert environment["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert sorted(_worker_pids(celery_stack)) == list(WORKERS)


def test_the_day_leaves_what_it_leaves_under_the_local_executor(local_day, celery_day):
    celery = celery_day["left"]
    assert celery["zw"].keys() == local_day["zw"].keys()
    differ = {table: (sorted(set(rows) - set(celery["zw"][table]), key=repr)[:3],
                      sorted(set(celery["zw"][table]) - set(rows), key=repr)[:3])
              for table, rows in local_day["zw"].items() if celery["zw"][table] != rows}
    # The payback's deadline alert says what state its run was in when Airflow checked the deadline
    # (the demo's run is late by construction): a moment's snapshot, sent or not by timing alone.
    local_mails, celery_mails = (
        [mail for mail in day["mails"] if "missed its deadline" not in " ".join(mail[2])]
        for day in (local_day, celery))
    mails_differ = [mail for mail in celery_mails if mail not in local_mails]
    hjs_differ = [key for key in local_day["hjs"] if celery["hjs"][key] != local_day["hjs"][key]]
    assert (differ, mails_differ, hjs_differ) == ({}, [], []), \
        f"zw tables differ (Local only, Celery only): {differ}; Celery's e-mails not sent by Local: " \
        f"{mails_differ}; HJS differs in {hjs_differ}"
    assert celery_mails == local_mails
    # the day did its work: sell records (the held product's too) and payback orders, notices mailed
    assert local_day["zw"]["sell_record"] and local_day["zw"]["payback_order"]
    assert [row for row in local_day["zw"]["hold_decision"] if "ACCEPT" in str(row).upper()]
    assert local_day["mails"]


def test_both_workers_ran_tasks(celery_day):
    hosts = {t["hostname"].split(".")[0] for dag_tasks in celery_day["tasks"].values() for t in dag_tasks
             if t["hostname"]}
    assert set(WORKERS) <= hosts


def test_a_killed_worker_s_task_is_retried_on_the_other_worker(celery_stack, celery_day):
    killed = celery_day["killed"]
    assert killed in WORKERS, "fetch_amounts was never seen running"
    run_id = celery_day["runs"][TRIAL]
    fetches = [t for t in celery_day["tasks"][TRIAL] if t["task_id"] == KILLED_TASK]
    retried = []
    for fetch in fetches:
        tries = celery_stack.get(f"/api/v2/dags/{TRIAL}/dagRuns/{quote(run_id, safe='')}/taskInstances/"
                                 f"{KILLED_TASK}/{fetch['map_index']}/tries")["task_instances"]
        if len(tries) > 1:
            retried.append(tries)
    assert len(retried) == 1, retried
    [first, *_, last] = retried[0]
    assert first["hostname"].split(".")[0] == killed and first["state"] == "failed"
    assert last["state"] == "success" and last["hostname"].split(".")[0] != killed
    # nothing doubled at HJS or in zw: test_the_day_leaves_what_it_leaves_under_the_local_executor


def test_the_report_is_read_by_the_tasks_and_the_api_server(celery_stack, celery_day):
    run_id = celery_day["runs"][TRIAL]
    reports = celery_stack.data_dir / "objects" / "reports"
    stored = list(reports.rglob("report.html"))
    assert len(stored) == 1, stored
    maturity = stored[0].relative_to(reports).parts[-3]  # trial/<maturity date>/<run id>/report.html
    # Mailed by the notice and alert tasks (test_the_day_leaves_...: same attachments as Local). Served by
    # the api-server's console from the store, not built anew from zw: a mark added to each stored file
    # comes back.
    for name in REPORT_FILES:
        path = stored[0].parent / name
        mark = f"<!-- {name} as stored -->" if name.endswith(".html") else f"# {name} as stored"
        path.write_bytes(path.read_bytes() + mark.encode() + b"\n")
        answer = celery_stack.session.get(
            celery_stack.api + report_path(datetime.fromisoformat(maturity).date(), run_id, name), timeout=30)
        assert answer.status_code == 200, answer.text[:500]
        assert mark in answer.text
    attached = [files for _to, _subject, _texts, files in celery_day["left"]["mails"] if files]
    assert attached, "the settlement notice and the held-product alert carry the report"


def test_calls_in_flight_to_hjs_stay_within_the_pool_with_two_workers(celery_stack, celery_day):
    from tests.invest_sync.helpers import make_products

    slots = celery_stack.get("/api/v2/pools/hjs_api")["slots"]
    admin = SandboxAdmin(sandbox_url(celery_stack))

    class Sandbox:  # what make_products needs of the sandbox fixture
        pass

    sandbox = Sandbox()
    sandbox.admin = admin
    conn = zw_endpoint(celery_stack).connect()
    try:
        made = make_products(conn, sandbox, products=100, assets=3, shares=1,
                             created=datetime.now().astimezone() - timedelta(days=2))
    finally:
        conn.close()
    admin.set_faults(**{**_faults(celery_stack), "latency_ms": 150})
    admin.reset_traffic()
    run_id = "pool-check"
    answer = celery_stack.session.post(f"{celery_stack.api}/api/v2/dags/hjs_invest_sync/dagRuns",
                                       json={"dag_run_id": run_id, "logical_date": None}, timeout=30)
    assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + 300
    state = None
    while time.monotonic() < deadline and state not in ("success", "failed"):
        time.sleep(2)
        state = celery_stack.get(f"/api/v2/dags/hjs_invest_sync/dagRuns/{run_id}")["state"]
    admin.set_faults(**_faults_without_latency(celery_stack))
    assert state == "success"
    traffic = admin.traffic()
    subscribed = [t for t in task_instances(celery_stack, "hjs_invest_sync", run_id)
                  if t["task_id"] == "subscribe_batches"]
    assert len(subscribed) >= 4  # enough tasks to take 16 calls at once were the pool not there
    assert traffic["calls"] >= sum(len(ids) for ids in made.values())
    assert traffic["max_in_flight"] <= slots, json.dumps(traffic)
    assert traffic["max_in_flight"] > slots // 2, json.dumps(traffic)  # more than one task at a time


def test_ctrl_c_stops_the_workers_the_broker_and_everything_else(celery_stack, celery_day):
    processes, names = [], ""
    for process in celery_stack.every_process():
        try:
            names += " " + " ".join(process.cmdline())
            processes.append(process)
        except psutil.Error:  # a task process that just ended, or its zombie
            pass
    assert "redis-server" in names and "celery worker" in names
    assert _ctrl_c(celery_stack) == 0
    gone, alive = psutil.wait_procs(processes, timeout=30)
    assert alive == [], f"left behind: {[(p.pid, p.name()) for p in alive]}"
