"""Addresses inside the operations console, shared by the console's routes and by everything that links
to it (the held-product question, e-mails, the report). Pure functions, standard library only."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from .settings import CONSOLE_URL_PREFIX

REPORT_FILES = {  # the files of a stored run report and the content type each is served and mailed with
    "report.html": "text/html; charset=utf-8",
    "products.csv": "text/csv; charset=utf-8",
    "exceptions.csv": "text/csv; charset=utf-8",
}


def report_path(maturity_date: date, run_id: str, file: str = "report.html") -> str:
    """Path (below the api-server's base URL) of one file of a run's report for one maturity date."""
    return f"{CONSOLE_URL_PREFIX}/reports/{maturity_date.isoformat()}/{quote(run_id, safe='')}/{file}"


def maturity_path(maturity_date: date) -> str:
    """Path of the console's page for one maturity date."""
    return f"{CONSOLE_URL_PREFIX}/maturity/{maturity_date.isoformat()}"


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def product_anchor(product_code: str) -> str:
    """The id of a product's part of report.html: report_path(...) + '#' + product_anchor(code)."""
    return f"product-{quote(product_code, safe='')}"
