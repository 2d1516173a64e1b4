"""Connection check: can the HJS pipelines reach zw, HJS and the mail relay right now?"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag

from hjs_operators.dag_defaults import COMMON_TAGS, DEFAULT_ARGS, HJS_CONN_ID, SMTP_CONN_ID, START_DATE, ZW_CONN_ID
from hjs_operators.operators.health import CheckConnectionsOperator

DOC = f"""
### HJS connection check
Tests every connection the HJS pipelines use, the way the UI's **Test** button does:
`{ZW_CONN_ID}` (a query on zw), `{HJS_CONN_ID}` (a signed, 3DES-encrypted ping to HJS, which proves the
merchant id, key, IV, mode, sign type and charset agree) and `{SMTP_CONN_ID}` (a login to the relay).

**When it fails** the task log and the error name each failing connection and why. Fix the connection
under *Admin → Connections* (a rotated HJS key, a moved database, a relay password) and trigger again.
Nothing is written anywhere, so it can be run at any time, as often as needed.
"""


@dag(
    dag_id="hjs_connection_check",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    # one quick retry rides out a blip; more would only delay the answer the operator is waiting for
    default_args={**DEFAULT_ARGS, "retries": 1, "retry_delay": timedelta(seconds=30)},
    tags=[*COMMON_TAGS, "health"],
    doc_md=DOC,
)
def hjs_connection_check():
    CheckConnectionsOperator(task_id="check_connections", conn_ids=[ZW_CONN_ID, HJS_CONN_ID, SMTP_CONN_ID])


hjs_connection_check()
