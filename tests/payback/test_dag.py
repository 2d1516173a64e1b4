"""The hjs_maturity_payback DAG run by Airflow against a hand-made maturity day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hjs_operators.repository.db import transaction
from tests.payback.helpers import (
    ACTUAL_SQL,
    EXPECTED_SQL,
    MATURITY,
    build_day,
    fetch,
    orders_by_asset,
    statuses,
    summaries,
)

pytestmark = [pytest.mark.airflow, pytest.mark.postgres]

# 06:00 on the maturity day in Asia/Shanghai, as the schedule makes it
LOGICAL = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)


def task_states(run):
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


@pytest.fixture
def env(pipeline_env, zw_db):
    # run_dag sets the deadline alert aside during dag.test() (see tests/fixtures/airflow_run.py); the
    # alert itself is tested on its own below.
    conn = zw_db.connect()
    yield conn, pipeline_env[2]
    conn.close()


def test_a_clean_day_is_paid_checked_and_mailed_once(env, run_dag):
    conn, mailbox = env
    day = build_day(conn)
    with transaction(conn) as cur:  # make the blocked product ready too: a clean day
        cur.execute("UPDATE asset SET status = 'SELL_CONFIRMED' WHERE id = %s", (day.blocked_missing,))
        cur.execute("INSERT INTO sell_record (asset_id, product_id, principal, interest, amount) "
                    "SELECT id, product_id, 10000, 450, 10450 FROM asset WHERE id = %s", (day.blocked_missing,))

    run = run_dag("hjs_maturity_payback", logical_date=LOGICAL, retries=0)
    assert run.state == "success", task_states(run)
    assert len(orders_by_asset(conn)) == 6
    assert fetch(conn, EXPECTED_SQL, {"day": MATURITY}) == fetch(conn, ACTUAL_SQL, {"day": MATURITY})
    [mail] = mailbox.messages()
    assert "2026-11-27" in mail["Subject"] and "2/2 product(s) paid" in mail["Subject"]
    assert "NOT PAID" not in mail["Subject"]
    [csv_part] = list(mail.iter_attachments())
    lines = csv_part.get_content().splitlines()
    assert lines[0].startswith("maturity_date,product_code,destination") and len(lines) == 5  # 2 products x 2
    assert "BALANCE,2,20000.00,900.00,116.44,21016.44" in "\n".join(lines)


def test_a_missing_sell_record_fails_the_run_naming_the_product_and_pays_the_others(env, run_dag):
    conn, mailbox = env
    day = build_day(conn)
    code = fetch(conn, "SELECT product_code FROM hjs_product WHERE id = %s", (day.blocked_product,))[0][0]

    run = run_dag("hjs_maturity_payback", logical_date=LOGICAL, retries=0)
    states = task_states(run)
    assert run.state == "failed"
    assert states.pop("fail_if_products_unpaid") == "failed"
    assert set(states.values()) == {"success"}, states  # the paid product's checks and the mail went through
    assert fetch(conn, "SELECT DISTINCT product_id FROM payback_order") == [(day.paid_product,)]
    assert statuses(conn)[day.blocked_ready] == "SELL_CONFIRMED"
    [mail] = summaries(mailbox)
    assert "1 product(s) NOT PAID" in mail["Subject"]
    body = mail.get_body(("html",)).get_content()
    assert code in body and str(day.blocked_missing) in body and "no sell record" in body


def test_the_guard_error_names_the_product_and_what_is_missing(env):
    from hjs_operators.operators.payback import FailIfProductsUnpaidOperator, UnpaidProductsError

    outcome = {"run_day": "2026-11-28", "products": 2, "unpaid": [
        {"product_id": 7, "product_code": "TEST000007", "maturity_date": "2026-11-27", "days_late": 1,
         "missing": "1 asset(s): no sell record (asset ids 42)"}]}

    class TI:
        def xcom_pull(self, task_ids):
            return outcome

    expected = (r"TEST000007 \(id 7, maturity 2026-11-27, 1 day\(s\) late\): 1 asset\(s\): no sell record "
                r"\(asset ids 42\)")
    with pytest.raises(UnpaidProductsError, match=expected):
        FailIfProductsUnpaidOperator(task_id="v", payback_task_id="p").execute({"ti": TI()})


def test_a_rerun_and_a_backfill_of_the_same_day_change_nothing(env, run_dag):
    conn, mailbox = env
    day = build_day(conn)
    run_dag("hjs_maturity_payback", logical_date=LOGICAL, retries=0)
    orders, assets = orders_by_asset(conn), statuses(conn)

    # the same day again (a cleared run), then a backfill-style run later that day: same day, nothing new
    for logical in (LOGICAL + timedelta(seconds=1), LOGICAL + timedelta(hours=3)):
        run = run_dag("hjs_maturity_payback", logical_date=logical, retries=0)
        assert task_states(run)["create_payback_orders"] == "success"
        assert orders_by_asset(conn) == orders and statuses(conn) == assets
    assert len(summaries(mailbox)) == 1  # the summary of this outcome went out once
    assert fetch(conn, "SELECT DISTINCT run_id FROM payback_order")[0][0].count("manual") <= 1
    assert day.paid_product in {row[0] for row in fetch(conn, "SELECT product_id FROM payback_order")}


def test_the_dag_carries_a_deadline_alert_on_the_maturity_day(project_dags):
    from airflow.sdk import DeadlineReference

    dag = project_dags["hjs_maturity_payback"]
    [alert] = dag.deadline
    assert alert.reference == DeadlineReference.DAGRUN_LOGICAL_DATE
    assert alert.interval == timedelta(hours=4)  # 06:00 run -> finished by 10:00 Shanghai
    assert alert.callback.path == "hjs_operators.operators.payback.alert_payback_deadline_missed"
