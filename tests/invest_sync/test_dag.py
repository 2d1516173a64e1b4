"""hjs_invest_sync run by Airflow (dag.test) against the test zw, the sandbox and the SMTP sink."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.invest_sync.helpers import CUTOFF, assert_exactly_once, attempts, make_products, product_code, zw_state

pytestmark = [pytest.mark.airflow, pytest.mark.postgres, pytest.mark.sandbox]


def task_states(run) -> dict[str, str]:
    return {f"{ti.task_id}[{ti.map_index}]": ti.state for ti in run.get_task_instances()}


def count(conn, sql: str) -> int:
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute(sql)
        value = cur.fetchone()[0]
    conn.commit()
    return value


def test_backfilled_days_then_reruns_change_nothing_twice(pipeline_env, zw_conn, run_dag):
    zw_db, sandbox, mailbox = pipeline_env
    days = [CUTOFF - timedelta(days=n) for n in (2, 1, 0)]  # three runs: D-2, D-1, D (00:00 Shanghai)
    bought = {day: [a for ids in make_products(zw_conn, sandbox, products=2, assets=3,
                                                 created=day - timedelta(hours=5)).values() for a in ids]
              for day in days}
    done: list[int] = []
    for day in days:  # a backfill of each day takes what was bought before it, nothing later
        run = run_dag("hjs_invest_sync", logical_date=day)
        assert run.state == "success", task_states(run)
        done += bought[day]
        statuses = zw_state(zw_conn)["statuses"]
        assert {a for a, s in statuses.items() if s == "INVEST_SUCCESS"} == set(done)
    assert_exactly_once(zw_conn, sandbox, done)
    records, audit = count(zw_conn, "SELECT count(*) FROM invest_record"), len(attempts(zw_conn))

    for day in days:  # rerun (clear) every run: nothing is subscribed, booked or mailed again
        run = run_dag("hjs_invest_sync", logical_date=day)
        assert run.state == "success", task_states(run)
    assert_exactly_once(zw_conn, sandbox, done)
    assert count(zw_conn, "SELECT count(*) FROM invest_record") == records
    assert len(attempts(zw_conn)) == audit
    assert mailbox.messages() == []  # nothing failed, so no e-mail at all


def test_unknown_product_is_mailed_once_per_run_and_the_others_succeed(pipeline_env, zw_conn, run_dag):
    zw_db, sandbox, mailbox = pipeline_env
    known = make_products(zw_conn, sandbox, products=2, assets=3)
    unknown = make_products(zw_conn, sandbox, products=1, assets=2, at_hjs=False)
    unknown_code = product_code(zw_conn, next(iter(unknown)))

    run = run_dag("hjs_invest_sync", logical_date=CUTOFF)
    assert run.state == "success", task_states(run)
    statuses = zw_state(zw_conn)["statuses"]
    assert {statuses[a] for ids in known.values() for a in ids} == {"INVEST_SUCCESS"}
    assert {statuses[a] for ids in unknown.values() for a in ids} == {"INVEST_START"}
    messages = mailbox.messages()
    assert len(messages) == 1
    body = messages[0].get_body(("html",)).get_content()
    assert messages[0]["To"] == "ops@zw.test"
    assert "2 asset(s) not subscribed" in messages[0]["Subject"]
    assert unknown_code in body and "1001 PRODUCT_NOT_FOUND" in body

    run = run_dag("hjs_invest_sync", logical_date=CUTOFF)  # the same run again: no second e-mail
    assert run.state == "success", task_states(run)
    assert len(mailbox.messages()) == 1
    assert_exactly_once(zw_conn, sandbox, [a for ids in known.values() for a in ids])
