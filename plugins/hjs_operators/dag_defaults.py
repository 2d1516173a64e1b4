"""What every HJS DAG shares: owner, retry rules (each with its reason), time zone, start date, and
the e-mail to operations when a task fails for good.

Imported by the DAG files at parse time, so it imports nothing but pendulum (which Airflow has
already loaded) and reads no configuration.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum

from .settings import HJS_CONN_ID, OPS_EMAIL, SMTP_CONN_ID, ZW_CONN_ID  # noqa: F401 - re-exported

# Schedules, data intervals and "the day" of a run are Asia/Shanghai: zw's business day (GUIDE section 2).
TIMEZONE = pendulum.timezone("Asia/Shanghai")
# Fixed and in the past: the first day these pipelines may be asked to process (backfills stop here).
START_DATE = pendulum.datetime(2026, 1, 1, tz=TIMEZONE)
OWNER = "hjs-data-platform"


FAILURE_SUBJECT = ("[HJS pipelines] FAILED: {{ dag.dag_id }} / {{ ti.task_id }}"
                   "{% if ti.map_index is not none and ti.map_index >= 0 %}[{{ ti.map_index }}]{% endif %}"
                   " - run {{ run_id }}")
FAILURE_BODY = """<p>Task <b>{{ ti.task_id }}</b>{% if ti.map_index is not none and ti.map_index >= 0 %}
(mapped index {{ ti.map_index }}){% endif %} of DAG <b>{{ dag.dag_id }}</b>, run <code>{{ run_id }}</code>
(logical date {{ logical_date }}), failed on try {{ ti.try_number }} and will not be retried.</p>
<p>Error (it names the product or asset concerned):</p>
<pre>{{ exception | default('see the task log', true) | e }}</pre>
<p>What to do: docs/operations-bad-day.md and the DAG's Docs tab. Every task is idempotent: once the
cause is fixed, clear this task (with downstream) or trigger the same logical date again.</p>"""


def email_ops_on_failure(context: Any) -> None:
    """on_failure_callback: e-mail operations through the smtp provider's notifier. A new notifier per
    call: rendering fills its fields in place, and one process may report several tasks (dag.test)."""
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    SmtpNotifier(to=OPS_EMAIL, subject=FAILURE_SUBJECT, html_content=FAILURE_BODY,
                 smtp_conn_id=SMTP_CONN_ID)(context)


DEFAULT_ARGS = {
    "owner": OWNER,
    # Task-level retries cover what the client's own backoff could not ride out (an HJS outage of
    # minutes, a database failover). Every task is idempotent, so a retry never does anything twice.
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
    # A task that fails for good tells operations itself: nobody has to be watching the UI at 2 a.m.
    "on_failure_callback": email_ops_on_failure,
}

COMMON_TAGS = ["hjs", "zw"]
