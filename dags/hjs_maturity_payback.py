"""Maturity payback: one payback order per asset from the maturity day on (missed days paid by the next run),
boosts merged into one balance payback."""

from __future__ import annotations

from datetime import time, timedelta

from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference, Param, dag

from hjs_operators.dag_defaults import COMMON_TAGS, DEFAULT_ARGS, SMTP_CONN_ID, START_DATE, ZW_CONN_ID
from hjs_operators.operators.payback import (
    CreatePaybackOrdersOperator,
    FailIfProductsUnpaidOperator,
    PaybackSQLValueCheckOperator,
    SendPaybackSummaryOperator,
    alert_payback_deadline_missed,
)
from hjs_operators.repository.sql_files import sql_dir
from hjs_operators.settings import OPS_EMAIL, OPS_EMAIL_VARIABLE

# The run starts at 06:00 Asia/Shanghai on the maturity day (its logical date) and must be finished by
# PAYBACK_DEADLINE the same day, or operations get an e-mail (an Airflow deadline alert). Change both
# here; the interval is measured from the logical date, so a manual run is given the same 4 hours.
RUN_AT = time(6, 0)
PAYBACK_DEADLINE = time(10, 0)
DEADLINE_INTERVAL = timedelta(hours=PAYBACK_DEADLINE.hour - RUN_AT.hour,
                              minutes=PAYBACK_DEADLINE.minute - RUN_AT.minute)
PAYBACK_TASK = "create_payback_orders"

DOC = f"""
### HJS maturity payback
A run of day D (the run's logical date in Asia/Shanghai, never the clock) pays **every product due by
D**: the products maturing on D, and every product that matured **before** D and still has a holder
that is not paid. So the first run after an outage of any length (scheduler down, DAG paused, a run
failed and never cleared) pays the missed days by itself and says so in its e-mail; a product maturing
after D is never touched: nothing is paid before its maturity date.

For each product: a **guard** checks that every current holder (not `LIQUIDATED`) has a sell record
from the T-3 trial and is `SELL_CONFIRMED`, that no holder was bought from an asset that is still a
holder, and that no origin chain loops; then, in **one transaction per product**, one payback order
per holder is written (status `SELL_SUCCESS`; principal and interest from the sell record, boost
interest the sum of the asset's `asset_extra_interest`, amount their sum) and the holders move
`SELL_CONFIRMED → SELL_SUCCESS`; the row counts must match the guard's. Destination: an asset with any
boost → the **balance** account in one merged payback; otherwise a card purchase → that card, a
balance purchase → balance. A `LIQUIDATED` asset is never paid: its buyer's asset is.

Then three data checks (`check_*`, SQL in `include/sql/payback/`) over **every product the run paid**,
late days included: per product Σ payback = Σ sell + Σ boost; every current holder has exactly one
order; no `LIQUIDATED` asset is paid. Then one summary e-mail to operations (`hjs_ops_email`): first
each **late** maturity date, how many days late, and each of its products now paid (or still not paid,
and why); then orders and totals per product and destination. Sent when the run wrote orders or left
products unpaid, once per run day and outcome.

**Why `catchup=False`**: missed days are found from the data, not from runs. That covers the days
that got no run at all *and* the days whose run failed and was never cleared, which catch-up runs
would not; and after a long outage it makes one run instead of a flood of them, each locking the
same products. A deadline alert e-mails operations if a run has not finished by
{PAYBACK_DEADLINE:%H:%M} Shanghai time; it looks at the run first: a run created after its deadline
says it started late, a finished run is reported finished, and zw says what is still unpaid.

**When the guard fails** (task `fail_if_products_unpaid` is red): the other products were paid; the
named products were *not paid at all*, with their maturity date, days late and, per cause, the asset
ids: "no sell record" (the T-3 trial for that product was missed or it is still held: run or finish
it), "SELL_SUCCESS without a payback order" or "already has a payback order" (written by something
other than this DAG: call the data team), "a cycle in the origin chain" or "bought from an asset that
is still ..." (broken transfer data: call the data team). Every later run tries the product again and
fails the same way until it is fixed; then the next run, or a rerun of any day from its maturity date
on, pays it.

**When a check fails** the orders are written but do not add up: do not let the payment batch pay
them; run the check's SQL file by hand with the product ids from the run's log and call the data team.

**Rerun / backfill**: every step is idempotent (unique order per asset and per sell record, `ON
CONFLICT DO NOTHING`, conditional status moves, product lock, mail recorded in `notice_sent`), so
clearing a task, rerunning a day or backfilling it (`airflow backfill create --dag-id
hjs_maturity_payback --from-date D --to-date DT23:59`) writes nothing twice and pays nothing maturing after
D; the log says how many orders were already there. Trigger with `resend_summary=true` to send the
summary again.
"""


@dag(
    dag_id="hjs_maturity_payback",
    schedule=f"{RUN_AT.minute} {RUN_AT.hour} * * *",
    start_date=START_DATE,
    # Missed days are found by state (every due product not yet paid), so the next run pays them, whether
    # their run was never created or failed and was never cleared; catch-up would only create the former,
    # and after a long outage a flood of runs waiting on the same product locks.
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
            "to_variable": OPS_EMAIL_VARIABLE, "smtp_conn_id": SMTP_CONN_ID, "zw_conn_id": ZW_CONN_ID,
            "deadline": f"{PAYBACK_DEADLINE:%H:%M} Asia/Shanghai"}),
        name="payback_not_finished",
    ),
)
def hjs_maturity_payback():
    create = CreatePaybackOrdersOperator(task_id=PAYBACK_TASK, zw_conn_id=ZW_CONN_ID)
    # the checks bind the ids of every product the payback task paid (late days included) from its XCom
    check_totals = PaybackSQLValueCheckOperator(
        task_id="check_totals_add_up", conn_id=ZW_CONN_ID, sql="payback/check_totals.sql",
        payback_task_id=PAYBACK_TASK, pass_value=0)
    check_one_order = PaybackSQLValueCheckOperator(
        task_id="check_one_order_per_holder", conn_id=ZW_CONN_ID, sql="payback/check_one_order_per_holder.sql",
        payback_task_id=PAYBACK_TASK, pass_value=0)
    check_liquidated = PaybackSQLValueCheckOperator(
        task_id="check_no_liquidated_asset_paid", conn_id=ZW_CONN_ID, sql="payback/check_no_liquidated_paid.sql",
        payback_task_id=PAYBACK_TASK, pass_value=0)
    summary = SendPaybackSummaryOperator(
        task_id="email_payback_summary", payback_task_id=PAYBACK_TASK, to=OPS_EMAIL,
        zw_conn_id=ZW_CONN_ID, smtp_conn_id=SMTP_CONN_ID)
    verdict = FailIfProductsUnpaidOperator(task_id="fail_if_products_unpaid", payback_task_id=PAYBACK_TASK,
                                           trigger_rule="all_done")
    create >> [check_totals, check_one_order, check_liquidated] >> summary >> verdict


hjs_maturity_payback()
