"""The connection check DAG, run by Airflow against the test zw, the sandbox and the SMTP sink."""

from __future__ import annotations

import pytest

from tests.fixtures.airflow_run import hjs_connection

pytestmark = [pytest.mark.airflow, pytest.mark.postgres, pytest.mark.sandbox]


def task_states(run):
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_all_connections_answer(pipeline_env, run_dag):
    run = run_dag("hjs_connection_check")
    assert run.state == "success", task_states(run)


def test_a_wrong_hjs_key_fails_the_check(pipeline_env, run_dag, monkeypatch):
    _, sandbox, _ = pipeline_env
    monkeypatch.setenv("AIRFLOW_CONN_HJS_DEFAULT", hjs_connection(sandbox.base_url, {"iv": "badiv123"}))
    run = run_dag("hjs_connection_check", retries=0)
    assert run.state == "failed"
    assert task_states(run) == {"check_connections": "failed"}
