"""Where a run's report lives: the files of console_links.REPORT_FILES (report.html, products.csv,
exceptions.csv) under <base>/trial/<maturity date>/<run id>.

build_report's task stores it once per run, and applying a decision stores it again (the same files
rewritten) so the stored report shows the decision; the tasks that attach it read the stored files and
build them only if one is missing (a cleared or skipped build task). `base` is any path object with
the pathlib interface: the operators pass an ObjectStoragePath, so the report can live on any fsspec
store, and the console serves the files from there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from ..console_links import REPORT_FILES
from ..notices import Attachment
from ..repository.db import transaction
from ..repository.sql_files import load_sql
from .report import Report, build_report


def default_report_base() -> str:
    """The store's root when the Variable hjs_report_base is unset: $AIRFLOW_HOME/reports. Right only
    where every task and the api-server share that folder (one machine); workers with their own homes
    need the Variable (docs/deploy.md)."""
    return "file://" + os.path.join(os.environ.get("AIRFLOW_HOME", os.path.expanduser("~/airflow")), "reports")


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def report_folder(base, run_id: str, maturity_date: date):
    return base / "trial" / maturity_date.isoformat() / _safe(run_id)


def report_files(report: Report) -> dict[str, bytes]:
    """The stored files of a report, by the names in REPORT_FILES."""
    return {"report.html": report.html.encode("utf-8"), "products.csv": report.products_csv,
            "exceptions.csv": report.exceptions_csv}


@contextmanager
def one_writer(zw_conn, key: str) -> Iterator[None]:
    """Decisions applied at once each store the report: their builds and writes take turns."""
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/report_lock.sql"), {"key": key})
    try:
        yield
    finally:
        with transaction(zw_conn) as cur:
            cur.execute(load_sql("trial/report_unlock.sql"), {"key": key})


def writer_key(run_id: str, maturity_date: date) -> str:
    """The advisory lock the writers of one run's report take turns on."""
    return f"trial-report:{maturity_date.isoformat()}:{run_id}"


def store_report(zw_conn, base, run_id: str, maturity_date: date) -> tuple[Report, str]:
    """Build the run's report from zw and (re)write its files; returns it and its folder."""
    folder = report_folder(base, run_id, maturity_date)
    with one_writer(zw_conn, writer_key(run_id, maturity_date)):
        report = build_report(zw_conn, run_id, maturity_date)
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in report_files(report).items():
            (folder / name).write_bytes(content)
    return report, str(folder)


def report_attachments(zw_conn, base, run_id: str, maturity_date: date) -> tuple[str, list[Attachment]]:
    """The run's stored report as attachments with their content types, and its folder (stored here
    first if a file is missing)."""
    folder = report_folder(base, run_id, maturity_date)
    if not all((folder / name).exists() for name in REPORT_FILES):
        store_report(zw_conn, base, run_id, maturity_date)
    day = maturity_date.isoformat()
    return str(folder), [Attachment(f"trial-{day}-{name}", (folder / name).read_bytes(), content_type)
                         for name, content_type in REPORT_FILES.items()]
