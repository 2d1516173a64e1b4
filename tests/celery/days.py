"""The demo's day driven through a running stack by its own scheduler, and what the day leaves behind.

A day: invest sync, then the T-3 trial (its held product accepted through the REST API, as a person
does from Required Actions), then the maturity payback; each DAG unpaused in turn, so the scheduler
creates and runs its latest scheduled run. What it leaves: every zw table, the notices recorded, the
e-mails sent and what the sandbox (HJS) holds, in forms that compare row by row between two stacks.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from sandbox.admin_client import SandboxAdmin
from stack.postgres import PgEndpoint
from tests.fixtures.stack import Stack

DAY = ("hjs_invest_sync", "hjs_trial_reconciliation", "hjs_maturity_payback")
TRIAL = "hjs_trial_reconciliation"
QUESTION_TASK = "decide_held.decide"
ACCEPT = "Accept zw amounts"
RUN_SECONDS = 420
# Columns that differ between two runs of the same day by nature, not by outcome: when a row was
# written, and ids drawn from a sequence in the order calls arrive (zw's surrogate ids, HJS's own order
# and transfer ids), which follows task and thread timing.
DRAWN_IDS = {"hjs_amount_snapshot", "hjs_sync_attempt", "hold_decision", "invest_record", "notice_sent",
             "payback_order", "reconciliation_exception", "sell_record"}
DRAWN_COLUMNS = {"payback_order": {"sell_record_id"}, "invest_record": {"hjs_order_id"},
                 "transfer_registration": {"hjs_transfer_id"}}
# ... and moments written into texts ("closed at HJS at 2026-12-01T01:03:04.319+08:00")
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def without_moments(value):
    return MOMENT.sub("<moment>", value) if isinstance(value, str) else value


def sandbox_url(stack: Stack) -> str:
    return re.search(r"HJS sandbox\s+(http://\S+)", "".join(stack.output)).group(1)


def zw_endpoint(stack: Stack) -> PgEndpoint:
    return PgEndpoint(str(stack.data_dir / "pg"), "zw")


def task_instances(stack: Stack, dag_id: str, run_id: str) -> list[dict]:
    return stack.get(f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances?limit=500")[
        "task_instances"]


def answer_questions(stack: Stack, run_id: str, tasks: list[dict]) -> int:
    """Accept zw's amounts for every held product whose question waits, through the REST API."""
    waiting = [t for t in tasks if t["task_id"] == QUESTION_TASK and t["state"] == "awaiting_input"]
    for task in waiting:
        path = (f"/api/v2/dags/{TRIAL}/dagRuns/{quote(run_id, safe='')}/taskInstances/{QUESTION_TASK}/"
                f"{task['map_index']}/hitlDetails")
        answer = stack.session.patch(f"{stack.api}{path}", json={
            "chosen_options": [ACCEPT], "params_input": {"comment": "zw's amounts checked by hand"}}, timeout=30)
        assert answer.status_code == 200, answer.text
    return len(waiting)


def run_by_scheduler(stack: Stack, dag_id: str, watch: Callable[[str, list[dict]], None] | None = None) -> str:
    """Unpause `dag_id`, wait for the run the scheduler creates, answer its questions, wait for its end;
    `watch(run_id, task instances)` is called at every look. Returns the run id."""
    answer = stack.session.patch(f"{stack.api}/api/v2/dags/{dag_id}", json={"is_paused": False}, timeout=30)
    assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + RUN_SECONDS
    run_id, state, tasks = None, None, []
    while time.monotonic() < deadline:
        runs = [run for run in stack.get(f"/api/v2/dags/{dag_id}/dagRuns")["dag_runs"]
                if run["run_type"] == "scheduled"]
        if runs:
            [run] = runs
            run_id, state = run["dag_run_id"], run["state"]
            tasks = task_instances(stack, dag_id, run_id)
            if watch is not None:
                watch(run_id, tasks)
            if state in ("success", "failed"):
                break
            answer_questions(stack, run_id, tasks)
        time.sleep(2)
    assert state == "success", f"{dag_id} {run_id}: {state}; " + ", ".join(
        f"{t['task_id']}[{t['map_index']}]={t['state']}" for t in tasks)
    return run_id


def zw_tables(zw: PgEndpoint) -> dict[str, list[tuple]]:
    """Every zw table's rows (timestamps and drawn ids left out), sorted, as text."""
    conn = zw.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position")
            columns: dict[str, list[str]] = {}
            for table, column, kind in cur.fetchall():
                drawn = table in DRAWN_IDS and column == "id"
                if kind.startswith("timestamp") or drawn or column in DRAWN_COLUMNS.get(table, ()):
                    continue
                columns.setdefault(table, []).append(column)
            rows = {}
            for table, names in columns.items():
                listed = ", ".join(f'"{name}"::text' for name in names)
                cur.execute(f'SELECT {listed} FROM "{table}"')  # noqa: S608 - names from the catalogue
                found = [tuple(without_moments(v) for v in row) for row in cur.fetchall()]
                rows[table] = sorted(found, key=lambda row: tuple("" if v is None else v for v in row))
            return rows
    finally:
        conn.rollback()
        conn.close()


def mails(mail_dir: Path, api_base: str) -> list[tuple]:
    """Each e-mail as (to, subject, text parts, attachments), the stack's own address made neutral."""
    found = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        texts, files = [], []
        for part in message.walk():
            if part.is_multipart():
                continue
            content = part.get_content()
            if isinstance(content, str):
                content = without_moments(content.replace(api_base, "<api>"))
            if part.get_filename():
                files.append((part.get_filename(), content))
            else:
                texts.append(content)
        found.append((message["To"], message["Subject"], tuple(texts), tuple(files)))
    return sorted(found, key=repr)


def hjs_state(stack: Stack) -> dict[str, list]:
    admin = SandboxAdmin(sandbox_url(stack))
    return {"products": sorted((p["productCode"], p.get("transferOpen")) for p in admin.products()),
            "subscriptions": sorted(s["orderNo"] for s in admin.subscriptions()),
            "transfers": sorted(t["transferNo"] for t in admin.transfers())}


def what_the_day_left(stack: Stack) -> dict:
    return {"zw": zw_tables(zw_endpoint(stack)), "mails": mails(stack.data_dir / "mail", stack.api),
            "hjs": hjs_state(stack)}
