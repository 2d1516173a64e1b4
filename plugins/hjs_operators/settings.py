"""Every business setting of the pipelines, defined once. DAG Params, operators, packages, docs and tests
take their defaults from here. Imported by the DAG files at parse time: constants only, no imports.

Connection ids, Variables and the pool are the names a deployment configures (airflow_settings.yaml).
"""

from __future__ import annotations

# -- names a deployment configures -------------------------------------------------------------------
ZW_CONN_ID = "zw_postgres"
HJS_CONN_ID = "hjs_default"
SMTP_CONN_ID = "smtp_default"
OPS_EMAIL_VARIABLE = "hjs_ops_email"  # operations: alerts, summaries, failures (comma-separated)
OPS_EMAIL = "{{ var.value." + OPS_EMAIL_VARIABLE + " }}"  # the same, as a templated operator argument
PARTNER_EMAIL_VARIABLE = "hjs_partner_email"  # HJS: settlement notices
REPORT_BASE_VARIABLE = "hjs_report_base"  # ObjectStoragePath base of the T-3 reports
HJS_POOL = "hjs_api"  # bounds the calls in flight to HJS across every DAG and worker
CONSOLE_URL_PREFIX = "/hjs"  # where the api-server serves the operations console (plugin fastapi app)

# -- the T-3 trial -----------------------------------------------------------------------------------
TRIAL_OFFSET_DAYS = 3  # T-3: calendar days between the trial and maturity; transfers close that day too
TOLERANCE_FEN = 5  # an asset matches when |zw - HJS| <= 5 fen
DRIFT_PER_ASSET_FEN = 1  # a product's summed difference may not exceed 1 fen x its matched assets
TRIAL_BATCH_SIZE = 50  # products per mapped task instance

# -- packages ----------------------------------------------------------------------------------------
# At most 200 holders per package (the cap on investors of a private placement; a standard package has
# exactly 200 shares of 5,000.00). Checked by include/sql/packages/holder_limit_breaches.sql.
MAX_HOLDERS = 200
