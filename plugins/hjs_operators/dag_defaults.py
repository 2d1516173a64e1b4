"""What every HJS DAG shares: owner, retry rules (each with its reason), time zone, start date.

Imported by the DAG files at parse time, so it imports nothing but pendulum (which Airflow has
already loaded) and reads no configuration.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum

# Schedules, data intervals and "the day" of a run are Asia/Shanghai: zw's business day (GUIDE section 2).
TIMEZONE = pendulum.timezone("Asia/Shanghai")
# Fixed and in the past: the first day these pipelines may be asked to process (backfills stop here).
START_DATE = pendulum.datetime(2026, 1, 1, tz=TIMEZONE)
OWNER = "hjs-data-platform"

DEFAULT_ARGS = {
    "owner": OWNER,
    # Task-level retries cover what the client's own backoff could not ride out (an HJS outage of
    # minutes, a database failover). Every task is idempotent, so a retry never does anything twice.
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
}

COMMON_TAGS = ["hjs", "zw"]
ZW_CONN_ID = "zw_postgres"
HJS_CONN_ID = "hjs_default"
SMTP_CONN_ID = "smtp_default"
