"""T-3 trial reconciliation: close transfers, fetch HJS's maturity amounts, compare, sell or hold, notify."""

from __future__ import annotations

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import Param, dag, task_group

from hjs_operators.dag_defaults import COMMON_TAGS, DEFAULT_ARGS, START_DATE
from hjs_operators.operators.trial import (
    AlertHeldProductsOperator,
    ApplyHoldDecisionOperator,
    BuildTrialReportOperator,
    CloseProductTransfersOperator,
    CompareProductsOperator,
    EmailLateProductsOperator,
    FetchMaturityAmountsOperator,
    RouteTrialOperator,
    SelectTrialProductsOperator,
    SendSettlementNoticeOperator,
    SettleMatchedProductsOperator,
)
from hjs_operators.settings import DRIFT_PER_ASSET_FEN, HJS_POOL, TOLERANCE_FEN, TRIAL_BATCH_SIZE, TRIAL_OFFSET_DAYS
from hjs_operators.trial.decisions import QUESTION_TIMEOUT
from hjs_operators.trial.questions import ACCEPT, KEEP

DOC = """
### T-3 trial reconciliation
Every day at 06:30 (Asia/Shanghai) a run of day **R** reconciles every product maturing on or before
**R + `offset_days`** (3 by default) whose holders still wait for their sell records: the products
whose T-3 day is today, and any whose T-3 day has passed without a settlement (a missed or failed
run, a product still held).

**Why selection by state, with `catchup=False`**: a missed day heals itself. After an outage of any
length the first run takes every unsettled product whose T-3 day has come, oldest maturity first, and
operations get one e-mail naming each late maturity date and product. Catch-up runs (`catchup=True`)
would only cover runs that were never created, not a run that failed and was never cleared, and
after a long outage they would queue one run per missed day; selection by state covers both with one
run. A product already settled or accepted is never taken again, so rerunning a day changes nothing.

- `select_products`: the products to reconcile (log: late ones, products already accepted), in
  batches of `batch_size` (one mapped task instance per batch in the next three tasks).
- `close_transfers`: closes the secondary market per product: pending transfers registered at HJS
  first, then closed at HJS and on zw (pool `hjs_api`). A product that cannot be closed is held.
- `fetch_amounts`: HJS's maturity amounts (50 a page) into `hjs_amount_snapshot` for this run. A
  malformed record (bad amount, NUL byte, an amount beyond NUMERIC(18,2)) is kept with its raw text
  and reason; a list that cannot be read consistently, HJS failing for one product after all retries,
  or transfers still open at HJS: that product's fetch is FAILED with the reason and it is held; the
  other products go on.
- `compare_products`: zw's principal + interest against HJS's per asset in integer fen (a transferred
  asset counts for its current holder): MATCH within `tolerance_fen` (5), else MISMATCH,
  MISSING_AT_HJS, MISSING_AT_ZW, DUPLICATE, BAD_HJS_RECORD, BAD_ZW_RECORD (NULL interest, an origin
  chain that is a cycle); per product TOTAL_DRIFT above `drift_per_asset_fen` x matched assets,
  MATURITY_DATE_MISMATCH when HJS's maturity date is not zw's, COMPARISON_FAILED when the comparison
  itself fails for that product. Records SETTLE or HOLD per product (`trial_product_result`) and an
  exception row per asset of a held product (`reconciliation_exception`).
- `build_report`: the run's report under the Variable `hjs_report_base` (default
  `file://$AIRFLOW_HOME/reports`), in `trial/<target date>/<run id>/`: `report.html` (counts, decisions,
  every product, each held product's exceptions), `products.csv` and `exceptions.csv` (exact amounts).
  Shown in the operations console; rewritten when a decision is applied, so it shows the decision.
- `email_late_products`: one e-mail to operations (`hjs_ops_email`) naming every product reconciled
  after its T-3 day, how close its maturity is and what this run concluded.
- `route_products` (branch): `settle_matched` if any product matched entirely, `alert_held` if any
  product is held.
- `settle_matched`: sell records with zw's amounts, each product all or nothing; its assets move
  INVEST_SUCCESS -> SELL_CONFIRMED. A product another run sold meanwhile counts as done.
- `send_settlement_notice`: tells HJS (`hjs_partner_email`) what to fund, per product, to balance
  accounts and to bank cards, CSV and report attached: one e-mail per maturity date, an addendum for
  products settled after that date's notice went out. Each product is announced once; the run param
  `resend_settlement_notice` sends the target date's notice again.
- `alert_held`: asks about each held product once (another run of the same date may already hold the
  question) and e-mails operations about the products it asks about.
- `decide_held.decide` / `decide_held.apply_decision`: one question per held product in the UI (the
  product's totals, a table of its exceptions and a link to its part of the report; the comment is
  optional), then the answer applied with who gave it.

**When a product is held**: nothing is written for it and the other products settle normally. Open the
report (attached to the alert) and **Browse -> Required Actions**: choose *Accept zw amounts* (in one
transaction: sell records with zw's amounts for every current holder and the decision; HJS gets an
addendum) or *Keep holding* (nothing is written; the next run compares afresh and asks again).
Accepting is final and happens once per product and maturity date. It is refused, naming the assets,
where zw itself has no amount (BAD_ZW_RECORD, a chain cycle, an asset never subscribed): the task
fails, nothing is written, and the product stays held until zw's data is fixed. Unanswered questions
fall back to *Keep holding* after two days.

**When a task fails for good** operations get an e-mail (DAG, run, task, error naming the product).
Every task is idempotent (snapshots and exceptions are replaced per run and product, sell records are
unique per asset, e-mails and announced products are recorded), so clear the task or the run, or
trigger the date again. More in docs/operations-bad-day.md.

**Rerun or backfill a day**: `airflow backfill create --dag-id hjs_trial_reconciliation --from-date
2026-11-24 --to-date 2026-11-24T23:59 --reprocess-behavior completed` (or trigger the DAG with that logical
date). It processes what that day would process, writes nothing twice and does not resend notices.
"""


@dag(
    dag_id="hjs_trial_reconciliation",
    schedule="30 6 * * *",  # 06:30 Shanghai: after the night's invest sync, with the business day ahead
    start_date=START_DATE,
    # Missed days are found from the data by the next run (see the docs above), not by catch-up runs.
    catchup=False,
    # a run stays open while a held product waits for its decision (up to two days): the next days'
    # runs must not queue behind it. The hjs_api pool, not this, limits the calls to HJS.
    max_active_runs=3,
    default_args=DEFAULT_ARGS,
    tags=[*COMMON_TAGS, "trial", "t-3"],
    doc_md=DOC,
    params={
        "offset_days": Param(TRIAL_OFFSET_DAYS, type="integer", minimum=0,
                             description="days between the run day and maturity"),
        "tolerance_fen": Param(TOLERANCE_FEN, type="integer", minimum=0, description="per-asset tolerance in fen"),
        "drift_per_asset_fen": Param(DRIFT_PER_ASSET_FEN, type="integer", minimum=0,
                                     description="per-product drift limit: fen x matched assets"),
        "batch_size": Param(TRIAL_BATCH_SIZE, type="integer", minimum=1, description="products per mapped task"),
        "resend_settlement_notice": Param(False, type="boolean",
                                          description="send the settlement e-mail again even if it was sent"),
    },
)
def hjs_trial_reconciliation():
    # From fetch_amounts on, a task runs when its upstream is done, failed or not: products are isolated
    # inside each task, and a batch whose task failed is held (not fetched, not compared), never a reason
    # to stop the other batches, the notice or the alert.
    done = "all_done"
    select = SelectTrialProductsOperator(task_id="select_products")
    close = CloseProductTransfersOperator.partial(task_id="close_transfers", pool=HJS_POOL).expand(
        product_ids=select.output)
    fetch = FetchMaturityAmountsOperator.partial(task_id="fetch_amounts", pool=HJS_POOL, trigger_rule=done).expand(
        product_ids=select.output)
    compare = CompareProductsOperator.partial(task_id="compare_products", trigger_rule=done).expand(
        product_ids=select.output)
    report = BuildTrialReportOperator(task_id="build_report", trigger_rule=done)
    late = EmailLateProductsOperator(task_id="email_late_products", trigger_rule=done)
    route = RouteTrialOperator(task_id="route_products", settle_task_id="settle_matched", hold_task_id="alert_held",
                               trigger_rule=done)
    settle = SettleMatchedProductsOperator(task_id="settle_matched")
    notice = SendSettlementNoticeOperator(task_id="send_settlement_notice", trigger_rule=done)
    held = AlertHeldProductsOperator(task_id="alert_held")

    @task_group(group_id="decide_held")
    def decide_held(product_id, subject, body):
        decide = HITLOperator(
            task_id="decide",
            subject=subject,
            body=body,
            options=[ACCEPT, KEEP],
            defaults=[KEEP],
            # optional for real: the UI requires a param whose type does not allow null; None starts the
            # field empty and is what an unanswered question records
            params={"comment": Param(None, type=["null", "string"],
                                     description="why (optional, kept with the decision)")},
            response_timeout=QUESTION_TIMEOUT,
        )
        apply = ApplyHoldDecisionOperator(task_id="apply_decision", product_id=product_id, decision=decide.output)
        decide >> apply

    select >> close >> fetch >> compare >> report >> [route, late]
    route >> [settle, held]
    settle >> notice
    decide_held.expand_kwargs(held.output)


hjs_trial_reconciliation()
