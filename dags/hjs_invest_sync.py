"""Daily invest sync: every INVEST_START asset subscribed at HJS exactly once."""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import CronTriggerTimetable, TriggerRule, dag

from hjs_operators.dag_defaults import (
    COMMON_TAGS,
    DEFAULT_ARGS,
    HJS_CONN_ID,
    SMTP_CONN_ID,
    START_DATE,
    TIMEZONE,
    ZW_CONN_ID,
)
from hjs_operators.operators.invest_sync import (
    PlanInvestBatchesOperator,
    ReportInvestSyncOperator,
    SubscribeInvestBatchOperator,
)
from hjs_operators.settings import HJS_POOL

# The interval is a setting: a cron expression in Asia/Shanghai (default: daily at 00:00). Read from the
# environment at parse time (no database or network); e.g. "0 */6 * * *" to sync every six hours.
SCHEDULE = os.environ.get("HJS_INVEST_SYNC_CRON", "0 0 * * *")
# HJS calls in flight per mapped task; each task takes that many slots of the hjs_api pool (8 slots =
# 8 calls in flight across all tasks, HJS's per-merchant limit), so two batches run side by side.
CALLS_PER_TASK = 4

DOC = f"""
### HJS invest sync
Subscribes at HJS every asset bought on zw that is still `INVEST_START`: the assets created before the
run's cutoff (its data-interval end, the moment the run is for; never the clock), **and every older one
still waiting**, so a missed day is caught up by the next run and a run never takes assets from its future.
Schedule: `{SCHEDULE}` Asia/Shanghai (env `HJS_INVEST_SYNC_CRON`); a run triggered by hand takes
everything bought up to the moment it was triggered.

1. `plan_batches` finds the products with waiting assets and cuts them into batches of product ids.
2. `subscribe_batches` (one mapped task per batch, pool `hjs_api`, {CALLS_PER_TASK} slots each = HJS calls in
   flight) confirms each product at HJS, then subscribes its assets. The HJS order number is derived
   from the asset id; an order whose outcome is unknown (a timeout, a lost answer, a killed task) is
   looked up at HJS before anything is sent again. On success the asset becomes `INVEST_SUCCESS` and its
   invest record is written in one transaction. Returns the counts; the log shows progress.
3. `report_failures` (runs whatever happened upstream) returns the run's counts and e-mails operations
   (`hjs_ops_email`, via `{SMTP_CONN_ID}`) the assets left failed, with HJS's code and reason: one
   e-mail per run (keyed by the run's day and what failed, so a rerun of the day sends nothing new),
   none when everything succeeded.

**When something fails.** A product HJS does not know, or an asset HJS refuses, stays `INVEST_START`
with the reason in `hjs_sync_attempt` and in the e-mail; the rest go on and the task succeeds. Fix the
cause (e.g. ask HJS to set up the product) and the next run, or a clear of `subscribe_batches`, retries
it. Transient failures (timeouts, 5xx) are retried with backoff inside the task and then by the next
run. A `subscribe_batches` task that fails (zw unreachable, HJS down: many transient failures in a row)
is retried by Airflow; clearing it by hand is always safe.

**Rerun / backfill.** Clearing any task, rerunning the run, or backfilling past days
(`airflow backfill create --dag-id hjs_invest_sync --from-date D --to-date DT23:59`) never subscribes,
books or e-mails anything twice: the booking is conditional on `INVEST_START`, invest records are
unique per asset, HJS is idempotent on the order number, and the e-mail is keyed by the day and its
failures.
Connections: `{ZW_CONN_ID}`, `{HJS_CONN_ID}`, `{SMTP_CONN_ID}`.
"""


@dag(
    dag_id="hjs_invest_sync",
    schedule=CronTriggerTimetable(SCHEDULE, timezone=TIMEZONE, interval=timedelta(days=1)),
    start_date=START_DATE,
    catchup=False,  # one run takes every older waiting asset: missed days need no catch-up runs
    max_active_runs=1,  # two runs at once would only compete for the same assets and the same pool
    default_args=DEFAULT_ARGS,
    tags=[*COMMON_TAGS, "invest"],
    doc_md=DOC,
)
def hjs_invest_sync():
    plan = PlanInvestBatchesOperator(task_id="plan_batches")
    subscribe = SubscribeInvestBatchOperator.partial(
        task_id="subscribe_batches", pool=HJS_POOL, pool_slots=CALLS_PER_TASK, concurrency=CALLS_PER_TASK,
        progress_every=500,
    ).expand(batch=plan.output)
    report = ReportInvestSyncOperator(task_id="report_failures", trigger_rule=TriggerRule.ALL_DONE)
    plan >> subscribe >> report


hjs_invest_sync()
