"""The connection check DAG, run by Airflow against the test zw, the sandbox and the SMTP sink."""

from __future__ import annotations

import json

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


def zw_connection_with(zw_db, **extra) -> str:
    return json.dumps({"conn_type": "postgres", "host": zw_db.socket_dir, "schema": zw_db.dbname,
                       "login": zw_db.user, "extra": extra})


def test_a_zw_extra_the_pipelines_refuse_fails_the_check(pipeline_env, run_dag, monkeypatch):
    zw_db, _, _ = pipeline_env
    monkeypatch.setenv("AIRFLOW_CONN_ZW_POSTGRES", zw_connection_with(zw_db, cursor="dictcursor"))
    run = run_dag("hjs_connection_check", retries=0)
    assert run.state == "failed"


def test_the_operators_connect_with_the_extras_of_zw_postgres(pipeline_env, run_dag, monkeypatch):
    """`options` on zw_postgres reaches the operators' connections: a search_path without zw's schema makes
    the rollover's first query fail, where the same DAG succeeds without it."""
    zw_db, _, _ = pipeline_env
    monkeypatch.setenv("AIRFLOW_CONN_ZW_POSTGRES", zw_connection_with(zw_db, options="-c search_path=nowhere",
                                                                       application_name="hjs-test"))
    run = run_dag("hjs_package_rollover", retries=0)
    assert run.state == "failed"
    assert task_states(run)["roll_over_packages"] == "failed"
    monkeypatch.setenv("AIRFLOW_CONN_ZW_POSTGRES", zw_connection_with(zw_db, application_name="hjs-test"))
    assert run_dag("hjs_package_rollover", retries=0).state == "success"
