"""A run's report as the console serves it: the stored file where the run stored one, else built from
zw on the spot; a file or run that does not exist is named in the refusal."""

from __future__ import annotations

import pytest

from hjs_operators.console.reports import ReportNotFound, report_file
from hjs_operators.trial.report_store import report_folder
from tests.console.rows import MATURITY, build_world

pytestmark = pytest.mark.postgres


def test_a_report_never_stored_is_built_from_zw(zw_conn, tmp_path):
    world = build_world(zw_conn)
    products = report_file(zw_conn, tmp_path, "run-today", MATURITY, "products.csv").decode()
    assert world.codes["held"] in products and world.codes["settled"] in products
    exceptions = report_file(zw_conn, tmp_path, "run-today", MATURITY, "exceptions.csv").decode()
    assert "asset:1" in exceptions
    assert world.codes["held"] in report_file(zw_conn, tmp_path, "run-today", MATURITY, "report.html").decode()
    assert not (tmp_path / "trial").exists(), "serving a report writes nothing"


def test_a_stored_report_is_served_as_stored(zw_conn, tmp_path):
    build_world(zw_conn)
    folder = report_folder(tmp_path, "run-today", MATURITY)
    folder.mkdir(parents=True)
    (folder / "report.html").write_bytes(b"<p>as the run stored it</p>")
    assert report_file(zw_conn, tmp_path, "run-today", MATURITY, "report.html") == b"<p>as the run stored it</p>"


def test_unknown_files_and_runs_are_refused_by_name(zw_conn, tmp_path):
    build_world(zw_conn)
    with pytest.raises(ReportNotFound, match="report.csv"):
        report_file(zw_conn, tmp_path, "run-today", MATURITY, "report.csv")
    with pytest.raises(ReportNotFound, match="no-such-run"):
        report_file(zw_conn, tmp_path, "no-such-run", MATURITY, "report.html")
