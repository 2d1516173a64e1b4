"""T-3 trial reconciliation: close transfers, fetch HJS's maturity amounts, compare, sell or hold, notify."""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import Param, dag, task_group

from hjs_operators.dag_defaults import COMMON_TAGS, DEFAULT_ARGS, START_DATE
from hjs_operators.operators.trial import (
    ACCEPT,
    KEEP,
    AlertHeldProductsOperator,
    ApplyHoldDecisionOperator,
    BuildTrialReportOperator,
    CloseProductTransfersOperator,
    CompareProductsOperator,
    FetchMaturityAmountsOperator,
    RouteTrialOperator,
    SelectTrialProductsOperator,
    SendSettlementNoticeOperator,
    SettleMatchedProductsOperator,
)

DOC = """
### T-3 trial reconciliation
Every day (Asia/Shanghai), for the products maturing **run day + `offset_days`** (3 by default):

- `select_products`: the products of that maturity date, in batches of `batch_size` (one mapped task
  instance per batch in the next three tasks).
- `close_transfers`: closes the secondary market per product: pending transfers registered at HJS
  first, then closed at HJS and on zw (pool `hjs_api`).
- `fetch_amounts`: HJS's maturity amounts (50 a page) into `hjs_amount_snapshot` for this run. A
  malformed record is kept with its raw text and the reason; a list that cannot be read consistently
  (a page over 50, a total that moves) fails that product's fetch, which holds the product.
- `compare_products`: zw's principal + interest against HJS's per asset in integer fen (a transferred
  asset counts for its current holder): MATCH within `tolerance_fen` (5), else MISMATCH,
  MISSING_AT_HJS, MISSING_AT_ZW, DUPLICATE, BAD_HJS_RECORD, BAD_ZW_RECORD; per product TOTAL_DRIFT
  above `drift_per_asset_fen` x matched assets. Records SETTLE or HOLD per product
  (`trial_product_result`) and an exception row per asset of a held product (`reconciliation_exception`).
- `build_report`: the run's report (CSV + HTML: counts per class, held products, largest differences)
  under the Variable `hjs_report_base` (default `file://$AIRFLOW_HOME/reports`), in
  `trial/<maturity date>/<run id>/`.
- `route_products` (branch): `settle_matched` if any product matched entirely, `alert_held` if any
  product is held.
- `settle_matched`: sell records with zw's amounts, each product all or nothing; its assets move
  INVEST_SUCCESS → SELL_CONFIRMED.
- `send_settlement_notice`: one e-mail to HJS per maturity date (Variable `hjs_partner_email`): per
  product, what to fund to balance accounts and to bank cards, CSV and report attached. Sent once; the
  run param `resend_settlement_notice` sends it again.
- `alert_held`: e-mails operations (`hjs_ops_email`) with the report attached.
- `decide_held.decide` / `decide_held.apply_decision`: one question per held product in the UI, then
  the answer recorded in `hold_decision` with who gave it.

**When a product is held**: nothing is written for it and the other products settle normally. Open the
report (attached to the alert) and the run's **Required actions** in the UI: for each held product choose
*Accept zw amounts* (its sell records are written with zw's amounts and HJS gets an addendum e-mail for
that product) or *Keep holding* (nothing is written; sort it out with HJS, then trigger the DAG again for
the same logical date: the new run compares afresh). Unanswered questions fall back to *Keep holding*
after two days.

**When a task fails**: the log names the product and the reason. Every task is idempotent (snapshots and
exceptions are replaced per run and product, sell records are unique per asset, e-mails are recorded),
so clear the task or the run, or trigger the date again. A failed `close_transfers` keeps zw closed and
HJS open until its retry registers the pending transfers.

**Rerun or backfill a date**: trigger with the logical date of the run day (T-3 for the maturity date),
e.g. `airflow dags backfill hjs_trial_reconciliation -s 2026-11-24 -e 2026-11-24`. It processes exactly
what that day would have processed, writes nothing twice and does not resend the settlement notice.
"""


@dag(
    dag_id="hjs_trial_reconciliation",
    schedule="30 6 * * *",  # 06:30 Shanghai: after the night's invest sync, with the business day ahead
    start_date=START_DATE,
    catchup=False,
    # a run stays open while a held product waits for its decision (up to two days): the next days'
    # runs must not queue behind it. The hjs_api pool, not this, limits the calls to HJS.
    max_active_runs=3,
    default_args=DEFAULT_ARGS,
    tags=[*COMMON_TAGS, "trial", "t-3"],
    doc_md=DOC,
    params={
        "offset_days": Param(3, type="integer", minimum=0, description="days between the run day and maturity"),
        "tolerance_fen": Param(5, type="integer", minimum=0, description="per-asset tolerance in fen"),
        "drift_per_asset_fen": Param(1, type="integer", minimum=0,
                                     description="per-product drift limit: fen x matched assets"),
        "batch_size": Param(50, type="integer", minimum=1, description="products per mapped task"),
        "resend_settlement_notice": Param(False, type="boolean",
                                          description="send the settlement e-mail again even if it was sent"),
    },
)
def hjs_trial_reconciliation():
    select = SelectTrialProductsOperator(task_id="select_products")
    close = CloseProductTransfersOperator.partial(task_id="close_transfers", pool="hjs_api").expand(
        product_ids=select.output)
    fetch = FetchMaturityAmountsOperator.partial(task_id="fetch_amounts", pool="hjs_api").expand(
        product_ids=select.output)
    compare = CompareProductsOperator.partial(task_id="compare_products").expand(product_ids=select.output)
    report = BuildTrialReportOperator(task_id="build_report")
    route = RouteTrialOperator(task_id="route_products", settle_task_id="settle_matched", hold_task_id="alert_held")
    settle = SettleMatchedProductsOperator(task_id="settle_matched")
    notice = SendSettlementNoticeOperator(task_id="send_settlement_notice", trigger_rule="none_failed")
    held = AlertHeldProductsOperator(task_id="alert_held")

    @task_group(group_id="decide_held")
    def decide_held(product_id, subject, body):
        decide = HITLOperator(
            task_id="decide",
            subject=subject,
            body=body,
            options=[ACCEPT, KEEP],
            defaults=[KEEP],
            params={"comment": Param("", type="string", description="why (kept with the decision)")},
            response_timeout=timedelta(days=2),
        )
        apply = ApplyHoldDecisionOperator(task_id="apply_decision", product_id=product_id, decision=decide.output)
        decide >> apply

    select >> close >> fetch >> compare >> report >> route >> [settle, held]
    settle >> notice
    decide_held.expand_kwargs(held.output)


hjs_trial_reconciliation()
