"""Every DAG file imports cleanly, without touching the network or a database, and carries what an
operator needs in the UI: docs, an owner, tags, retries and a time-zone-aware start date."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    # 3.3: DagBag lives in airflow.dag_processing.dagbag and has no include_examples argument;
    # AIRFLOW__CORE__LOAD_EXAMPLES=False is set by the test stack.
    from airflow.dag_processing.dagbag import DagBag

    original_connect = socket.socket.connect

    def no_network(self, address):
        raise AssertionError(f"a DAG file opened a connection to {address} at import time")

    socket.socket.connect = no_network
    try:
        return DagBag(dag_folder=str(DAGS_DIR))
    finally:
        socket.socket.connect = original_connect


def test_every_dag_file_imports_without_error(dagbag):
    assert dagbag.import_errors == {}
    files = {p.name for p in DAGS_DIR.glob("*.py")}
    loaded = {Path(dag.fileloc).name for dag in dagbag.dags.values()}
    assert files and files == loaded, f"files without a DAG: {files - loaded}"


def test_dags_carry_docs_owner_tags_retries_and_aware_start(dagbag):
    problems = []
    for dag_id, dag in dagbag.dags.items():
        if not (dag.doc_md and len(dag.doc_md.strip()) > 80):
            problems.append(f"{dag_id}: doc_md missing or too short to help an operator")
        if not dag.tags:
            problems.append(f"{dag_id}: no tags")
        start = dag.start_date or dag.default_args.get("start_date")
        if start is None or start.tzinfo is None:
            problems.append(f"{dag_id}: start date missing or naive")
        for task in dag.tasks:
            if not task.owner or task.owner == "airflow":
                problems.append(f"{dag_id}.{task.task_id}: no owner")
            if task.retries is None or task.retries < 1:
                problems.append(f"{dag_id}.{task.task_id}: no retries")
    assert problems == []


def test_dag_ids_match_their_file_names(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert Path(dag.fileloc).stem == dag_id
