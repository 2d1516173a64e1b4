"""Transfer sync: every new secondary-market transfer registered at HJS exactly once, checks, fee report."""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import CronTriggerTimetable, Param, dag

from hjs_operators.dag_defaults import (
    COMMON_TAGS,
    DEFAULT_ARGS,
    HJS_CONN_ID,
    SMTP_CONN_ID,
    START_DATE,
    TIMEZONE,
    ZW_CONN_ID,
)
from hjs_operators.operators.transfers import (
    CheckTransferRulesOperator,
    RegisterTransfersOperator,
    SendTransferReportOperator,
)
from hjs_operators.settings import HJS_POOL, OPS_EMAIL

# A cron expression in Asia/Shanghai (default daily at 00:30, after the day's transfers are in); read from
# the environment at parse time, no database or network.
SCHEDULE = os.environ.get("HJS_TRANSFER_SYNC_CRON", "30 0 * * *")

DOC = f"""
### HJS transfer sync
Registers at HJS every secondary-market transfer (`liquidate_asset` row) made before the run's cutoff
(its data-interval end; for a run triggered by hand, the moment it was triggered) and **every older one
still unregistered**, then checks the market's rules and mails operations the day's report.
Schedule `{SCHEDULE}` Asia/Shanghai (env `HJS_TRANSFER_SYNC_CRON`). Rules and model:
`docs/secondary-market.md`.

1. `register_transfers` (pool `hjs_api`): for each pending transfer, in chain order (A→B before B→C),
   asks HJS whether it already has transfer number `ZWT` + liquidation id, sends it if not, and records
   `transfer_registration` with its audit row in one transaction. An unknown outcome (timeout, lost
   answer, killed task) is looked up at HJS before anything is sent again. Returns the counts.
2. `check_transfer_rules`: fails, naming the package or the transfer, if a package has more than 200
   holders (or more live shares than shares), or a transfer breaks a rule (seller not LIQUIDATED, made on
   or after the close date or after the product closed, buyer not inheriting the seller's asset, fee not
   price × rate half-up).
3. `send_report` (after 1): one e-mail per day to `hjs_ops_email`: what this run registered, every transfer
   refused and set aside with HJS's code and reason, and the fees per channel (count, volume, fees; also
   as CSV) of the day before the run's day (the run at 00:30 on day D reports day D-1). Keyed by the
   reported day: a rerun or backfill of the day does not send it again.

**When it fails.** A transfer HJS refuses (closed product `1006`, seller not the holder `1010`, conflict
`1008`) is recorded in `hjs_sync_attempt`, set aside (not sent again) and listed in the e-mail; the rest
go on. Fix the cause, then trigger this DAG with `retry_refused` = true. Transient failures are retried
with backoff inside the task; if some remain, `register_transfers` fails after doing everything else and
Airflow's retry (or the next run) finishes them. A failed `check_transfer_rules` means data written by
other means broke a rule: the error names it; correct the data, then clear the task.

**Rerun / backfill.** Clearing a task, rerunning or backfilling a day
(`airflow backfill create --dag-id hjs_transfer_sync --from-date D --to-date DT23:59`) never registers or
mails twice: HJS is idempotent on the transfer number and asked first, `transfer_registration` is unique
per liquidation, and the e-mail is keyed by day (`resend_report` = true sends it again on purpose).

Connections: `{ZW_CONN_ID}`, `{HJS_CONN_ID}`, `{SMTP_CONN_ID}`.
"""


@dag(
    dag_id="hjs_transfer_sync",
    schedule=CronTriggerTimetable(SCHEDULE, timezone=TIMEZONE, interval=timedelta(days=1)),
    start_date=START_DATE,
    catchup=False,  # one run takes every older pending transfer: missed days need no catch-up runs
    max_active_runs=1,  # two runs at once would only race for the same transfers
    default_args=DEFAULT_ARGS,
    tags=[*COMMON_TAGS, "secondary-market"],
    doc_md=DOC,
    params={
        "retry_refused": Param(False, type="boolean",
                               description="Send transfers HJS refused earlier again (after fixing the cause)"),
        "resend_report": Param(False, type="boolean", description="Send the day's e-mail again"),
    },
)
def hjs_transfer_sync():
    register = RegisterTransfersOperator(task_id="register_transfers", pool=HJS_POOL,
                                         retry_refused="{{ params.retry_refused }}")
    CheckTransferRulesOperator(task_id="check_transfer_rules")
    report = SendTransferReportOperator(task_id="send_report", to=OPS_EMAIL,
                                        resend="{{ params.resend_report }}")
    register >> report


hjs_transfer_sync()
