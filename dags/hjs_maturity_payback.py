"""Maturity payback: one payback order per asset on the maturity day, boosts merged into one balance payback."""

from __future__ import annotations

from datetime import time, timedelta

from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference, Param, dag

from hjs_operators.dag_defaults import COMMON_TAGS, DEFAULT_ARGS, SMTP_CONN_ID, START_DATE, ZW_CONN_ID
from hjs_operators.operators.payback import (
    CreatePaybackOrdersOperator,
    FailIfProductsUnpaidOperator,
    PaybackSQLCheckOperator,
    PaybackSQLValueCheckOperator,
    SendPaybackSummaryOperator,
    alert_payback_deadline_missed,
)
from hjs_operators.repository.sql_files import sql_dir

# The run starts at 06:00 Asia/Shanghai on the maturity day (its logical date) and must be finished by
# PAYBACK_DEADLINE the same day, or operations get an e-mail (an Airflow deadline alert). Change both
# here; the interval is measured from the logical date, so a manual run is given the same 4 hours.
RUN_AT = time(6, 0)
PAYBACK_DEADLINE = time(10, 0)
DEADLINE_INTERVAL = timedelta(hours=PAYBACK_DEADLINE.hour - RUN_AT.hour,
                              minutes=PAYBACK_DEADLINE.minute - RUN_AT.minute)
PAYBACK_TASK = "create_payback_orders"
MATURITY_DATE = {"maturity_date": "{{ ti.xcom_pull(task_ids='" + PAYBACK_TASK + "')['maturity_date'] }}"}

DOC = f"""
### HJS maturity payback
On each maturity day (the run's logical date in Asia/Shanghai, never the clock), for every product
maturing that day: a **guard** checks that every current holder (not `LIQUIDATED`) has a sell record
from the T-3 trial and is `SELL_CONFIRMED`; then, in **one transaction per product**, one payback
order per holder is written (status `SELL_SUCCESS`; principal and interest from the sell record,
boost interest the sum of the asset's `asset_extra_interest`, amount their sum) and the holders move
`SELL_CONFIRMED → SELL_SUCCESS`. Destination: an asset with any boost → the **balance** account in one
merged payback; otherwise a card purchase → that card, a balance purchase → balance. A `LIQUIDATED`
asset is never paid: its buyer's asset is. The payment system's batch pays the orders out later.

Then three data checks (`check_*`, SQL in `include/sql/payback/`): per product Σ payback = Σ sell +
Σ boost; every current holder of a paid product has exactly one order; no `LIQUIDATED` asset is paid.
Then a summary e-mail to operations (`hjs_ops_email`), once per maturity date and outcome.
A deadline alert e-mails operations if the run has not finished by {PAYBACK_DEADLINE:%H:%M} Shanghai time.

**When the guard fails** (task `fail_if_products_unpaid` is red): the other products were paid; the
named products were *not paid at all*. Its error and the e-mail say, per product, which assets lack
what: "no sell record" means the T-3 trial for that product was missed or the product is still held
(run or finish the `T-3` trial / its hold decision for that maturity date). Once the sell records
exist, clear `create_payback_orders` (with downstream) or trigger the same logical date again.

**When a check fails** the orders are written but do not add up: do not let the payment batch pay
that day; run the check's SQL file by hand to see the products and call the data team.

**Rerun / backfill**: every step is idempotent (unique order per asset and per sell record, `ON
CONFLICT DO NOTHING`, conditional status moves, mail recorded in `notice_sent`), so clearing a task,
rerunning a day or backfilling it (`airflow backfill create --dag-id hjs_maturity_payback
--from-date D --to-date D`) writes nothing twice; the log says how many orders were already there.
Trigger with `resend_summary=true` to send the summary again.
"""


@dag(
    dag_id="hjs_maturity_payback",
    schedule=f"{RUN_AT.minute} {RUN_AT.hour} * * *",
    start_date=START_DATE,
    # A missed day is run by a backfill of that date (see the docs above), never silently: the
    # deadline alert of the day tells operations that nothing finished.
    catchup=False,
    # one day at a time: two runs of the same day would only wait on each other's product locks
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=[*COMMON_TAGS, "payback", "maturity"],
    doc_md=DOC,
    template_searchpath=[str(sql_dir())],
    params={"resend_summary": Param(False, type="boolean", description="send the summary e-mail again")},
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        interval=DEADLINE_INTERVAL,
        callback=AsyncCallback(alert_payback_deadline_missed, kwargs={
            "to_variable": "hjs_ops_email", "smtp_conn_id": SMTP_CONN_ID,
            "deadline": f"{PAYBACK_DEADLINE:%H:%M} Asia/Shanghai"}),
        name="payback_not_finished",
    ),
)
def hjs_maturity_payback():
    create = CreatePaybackOrdersOperator(task_id=PAYBACK_TASK, zw_conn_id=ZW_CONN_ID)
    check_totals = PaybackSQLValueCheckOperator(
        task_id="check_totals_add_up", conn_id=ZW_CONN_ID, sql="payback/check_totals.sql",
        parameters=MATURITY_DATE, pass_value=0)
    check_one_order = PaybackSQLCheckOperator(
        task_id="check_one_order_per_holder", conn_id=ZW_CONN_ID, sql="payback/check_one_order_per_holder.sql",
        parameters=MATURITY_DATE)
    check_liquidated = PaybackSQLValueCheckOperator(
        task_id="check_no_liquidated_asset_paid", conn_id=ZW_CONN_ID, sql="payback/check_no_liquidated_paid.sql",
        parameters=MATURITY_DATE, pass_value=0)
    summary = SendPaybackSummaryOperator(
        task_id="email_payback_summary", payback_task_id=PAYBACK_TASK, to="{{ var.value.hjs_ops_email }}",
        zw_conn_id=ZW_CONN_ID, smtp_conn_id=SMTP_CONN_ID)
    verdict = FailIfProductsUnpaidOperator(task_id="fail_if_products_unpaid", payback_task_id=PAYBACK_TASK,
                                           trigger_rule="all_done")
    create >> [check_totals, check_one_order, check_liquidated] >> summary >> verdict


hjs_maturity_payback()
