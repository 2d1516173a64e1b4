"""Where a run's report lives: report.csv and report.html under <base>/trial/<maturity date>/<run id>.

build_report's task stores it once per run; the tasks that attach it read the stored files and build
it only if they are missing (a cleared or skipped build task). `base` is any path object with the
pathlib interface: the operators pass an ObjectStoragePath, so the report can live on any fsspec store.
"""

from __future__ import annotations

import re
from datetime import date

from ..notices import Attachment
from .report import Report, build_report


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def report_folder(base, run_id: str, maturity_date: date):
    return base / "trial" / maturity_date.isoformat() / _safe(run_id)


def store_report(zw_conn, base, run_id: str, maturity_date: date) -> tuple[Report, str]:
    """Build the run's report from zw and write report.csv / report.html; returns it and its folder."""
    report = build_report(zw_conn, run_id, maturity_date)
    folder = report_folder(base, run_id, maturity_date)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.csv").write_bytes(report.csv)
    (folder / "report.html").write_bytes(report.html.encode("utf-8"))
    return report, str(folder)


def report_attachments(zw_conn, base, run_id: str, maturity_date: date) -> tuple[str, list[Attachment]]:
    """The run's stored report as attachments, and its folder (stored here first if it is missing)."""
    folder = report_folder(base, run_id, maturity_date)
    if not (folder / "report.html").exists():
        store_report(zw_conn, base, run_id, maturity_date)
    day = maturity_date.isoformat()
    return str(folder), [Attachment(f"trial-{day}-report.csv", (folder / "report.csv").read_bytes()),
                         Attachment(f"trial-{day}-report.html", (folder / "report.html").read_bytes())]
