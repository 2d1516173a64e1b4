"""Package rollover: one package on sale per channel; the next opens when it sells out."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronTriggerTimetable, dag

from hjs_operators.dag_defaults import COMMON_TAGS, DEFAULT_ARGS, START_DATE, TIMEZONE, ZW_CONN_ID
from hjs_operators.operators.rollover import CheckPackageComplianceOperator, RollOverPackagesOperator

DOC = f"""
### HJS package rollover
Every five minutes, per channel: when the package on sale has all its shares sold (200 shares of
5,000.00; the shares held by `INVEST_START`, `INVEST_SUCCESS` and later assets, a transferred asset
counted once, at its buyer) it becomes `SOLD_OUT` and the channel's next `PENDING` package (lowest
sequence number) goes `ON_SALE`. A channel with nothing on sale opens its next pending package. Each
channel is one transaction holding the channel's row lock, so two runs never open two packages; the
database's partial unique index (one `ON_SALE` per channel) is the last guard, and a conflict with
another writer changes nothing and is logged.

Then `check_compliance` fails loudly, naming each package, if any package has more than 200 holders
or more shares held than it has: stop sales of that package and investigate (nothing is changed).

**Rerun / backfill.** Both tasks look only at the current state of `{ZW_CONN_ID}`, so a rerun or clear is
always safe and a backfill is pointless (catchup is off).
"""


@dag(
    dag_id="hjs_package_rollover",
    schedule=CronTriggerTimetable("*/5 * * * *", timezone=TIMEZONE),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    # a rollover a few minutes late only delays the next package's opening: retry soon, not with backoff
    default_args={**DEFAULT_ARGS, "retries": 1, "retry_delay": timedelta(minutes=1),
                  "retry_exponential_backoff": False},
    dagrun_timeout=timedelta(minutes=4),
    tags=[*COMMON_TAGS, "rollover"],
    doc_md=DOC,
)
def hjs_package_rollover():
    RollOverPackagesOperator(task_id="roll_over_packages") >> CheckPackageComplianceOperator(
        task_id="check_compliance")


hjs_package_rollover()
