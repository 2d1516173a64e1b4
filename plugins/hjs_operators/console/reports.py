"""A run's stored report, read where the T-3 run stored it (trial.report_store under the Variable
hjs_report_base, any ObjectStoragePath), or built from zw when it was never stored."""

from __future__ import annotations

from datetime import date

from ..console_links import REPORT_FILES
from ..settings import REPORT_BASE_VARIABLE


class ReportNotFound(LookupError):
    pass


def report_base():
    """The report store's root, read the api-server's way (Airflow's metadata database, not the task
    SDK); by default $AIRFLOW_HOME/reports, as the run's tasks use."""
    from airflow.models import Variable
    from airflow.sdk import ObjectStoragePath

    from ..trial.report_store import default_report_base

    # the server's Variable on purpose: the api-server runs no task, so the task SDK has no server to ask
    base = Variable.get(REPORT_BASE_VARIABLE, default_var=default_report_base())  # noqa: AIR311
    return ObjectStoragePath(base)


def _built(zw_conn, run_id: str, maturity_date: date) -> dict[str, bytes]:
    from ..trial.report import build_report, run_results
    from ..trial.report_store import report_files

    if not run_results(zw_conn, run_id):
        raise ReportNotFound(f"no T-3 run {run_id!r} compared any product (maturity date {maturity_date})")
    return report_files(build_report(zw_conn, run_id, maturity_date))


def report_file(zw_conn, base, run_id: str, maturity_date: date, name: str) -> bytes:
    """One file of REPORT_FILES of the run's report: the stored one, else built live from zw."""
    from ..trial.report_store import report_folder

    if name not in REPORT_FILES:
        raise ReportNotFound(f"a report has no file {name!r} (only {', '.join(REPORT_FILES)})")
    stored = report_folder(base, run_id, maturity_date) / name
    if stored.exists():
        return stored.read_bytes()
    return _built(zw_conn, run_id, maturity_date)[name]
