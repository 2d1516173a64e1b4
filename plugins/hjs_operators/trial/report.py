"""The run's reconciliation report: a CSV of every exception and a readable HTML page (counts per
class, held products, largest differences, per-product results). Built from the run's rows in zw, so it
can be rebuilt at any time; stored by report_store and attached to the e-mails."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..domain.reconciliation import ASSET_CLASSES, TOTAL_DRIFT
from ..repository.db import transaction
from ..repository.sql_files import load_sql

LARGEST = 20


@dataclass(frozen=True)
class Report:
    csv: bytes
    html: str
    counts: dict[str, int]
    settled: int
    held: list[str]


@dataclass(frozen=True)
class ProductResult:
    """A row of trial/run_results.sql."""
    product_id: int
    product_code: str
    channel_code: str
    outcome: str
    assets: int
    matched: int
    zw_total: Decimal | None
    hjs_total: Decimal | None
    drift: Decimal | None
    max_abs_diff: Decimal | None
    class_counts: dict[str, int] | str  # jsonb: a dict, or its text where no loader is registered

    def counts(self) -> dict[str, int]:
        return self.class_counts if isinstance(self.class_counts, dict) else json.loads(self.class_counts)


@dataclass(frozen=True)
class ExceptionRow:
    """A row of trial/run_exceptions.sql."""
    product_id: int
    product_code: str
    subject_key: str
    asset_id: int | None
    order_no: str | None
    cls: str
    zw_amount: Decimal | None
    hjs_amount: Decimal | None
    diff: Decimal | None
    detail: str | None


def run_results(zw_conn, run_id: str) -> list[ProductResult]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/run_results.sql"), {"run_id": run_id})
        return [ProductResult(*row) for row in cur.fetchall()]


def run_exceptions(zw_conn, run_id: str) -> list[ExceptionRow]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/run_exceptions.sql"), {"run_id": run_id})
        return [ExceptionRow(*row) for row in cur.fetchall()]


def _fmt(value) -> str:
    return "" if value is None else f"{value:.2f}" if not isinstance(value, str) else value


def build_report(zw_conn, run_id: str, maturity_date: date) -> Report:
    results = run_results(zw_conn, run_id)
    exceptions = run_exceptions(zw_conn, run_id)
    counts = dict.fromkeys([*ASSET_CLASSES, TOTAL_DRIFT], 0)
    for row in results:
        for name, n in row.counts().items():
            counts[name] = counts.get(name, 0) + int(n)
    held = [row.product_code for row in results if row.outcome == "HOLD"]
    settled = sum(1 for row in results if row.outcome == "SETTLE")

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["product_code", "class", "subject", "asset_id", "order_no", "zw_amount", "hjs_amount", "diff",
                     "detail"])
    for row in exceptions:
        writer.writerow([row.product_code, row.cls, row.subject_key, row.asset_id or "", row.order_no or "",
                         _fmt(row.zw_amount), _fmt(row.hjs_amount), _fmt(row.diff), row.detail or ""])
    writer.writerow([])
    writer.writerow(["product_code", "channel", "outcome", "assets", "matched", "zw_total", "hjs_total", "drift",
                     "max_abs_diff"])
    for row in results:
        writer.writerow([row.product_code, row.channel_code, row.outcome, row.assets, row.matched,
                         _fmt(row.zw_total), _fmt(row.hjs_total), _fmt(row.drift), _fmt(row.max_abs_diff)])

    e = html.escape
    page = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>T-3 trial {e(maturity_date.isoformat())}</title>",
        "<style>body{font-family:sans-serif} table{border-collapse:collapse} td,th{border:1px solid #999;"
        "padding:3px 6px} td.n{text-align:right} .HOLD{background:#fde2e2}</style></head><body>",
        f"<h1>T-3 reconciliation, maturity date {e(maturity_date.isoformat())}</h1>",
        f"<p>Run <code>{e(run_id)}</code>: {len(results)} product(s), {settled} settled, {len(held)} held.</p>",
        "<h2>Counts per class</h2><table><tr><th>class</th><th>count</th></tr>",
        *[f"<tr><td>{e(name)}</td><td class='n'>{n}</td></tr>" for name, n in counts.items()],
        "</table>",
        "<h2>Held products</h2>",
        ("<p>none</p>" if not held else "<ul>" + "".join(f"<li>{e(code)}</li>" for code in held) + "</ul>"
         "<p>An operator decides each held product in the Airflow UI (Required actions of this run).</p>"),
        f"<h2>Largest differences (up to {LARGEST})</h2><table><tr><th>product</th><th>class</th><th>subject</th>"
        "<th>zw</th><th>HJS</th><th>diff</th><th>detail</th></tr>",
        *[f"<tr><td>{e(r.product_code)}</td><td>{e(r.cls)}</td><td>{e(r.subject_key)}</td>"
          f"<td class='n'>{_fmt(r.zw_amount)}</td><td class='n'>{_fmt(r.hjs_amount)}</td>"
          f"<td class='n'>{_fmt(r.diff)}</td><td>{e(r.detail or '')}</td></tr>"
          for r in exceptions[:LARGEST]],
        "</table>",
        "<h2>Products</h2><table><tr><th>product</th><th>channel</th><th>outcome</th><th>assets</th>"
        "<th>matched</th><th>zw total</th><th>HJS total</th><th>drift</th><th>max |diff|</th></tr>",
        *[f"<tr class='{e(r.outcome)}'><td>{e(r.product_code)}</td><td>{e(r.channel_code)}</td>"
          f"<td>{e(r.outcome)}</td><td class='n'>{r.assets}</td><td class='n'>{r.matched}</td>"
          f"<td class='n'>{_fmt(r.zw_total)}</td><td class='n'>{_fmt(r.hjs_total)}</td>"
          f"<td class='n'>{_fmt(r.drift)}</td><td class='n'>{_fmt(r.max_abs_diff)}</td></tr>" for r in results],
        "</table></body></html>",
    ]
    return Report(csv=buffer.getvalue().encode("utf-8"), html="\n".join(page), counts=counts, settled=settled,
                  held=held)


def product_results(zw_conn, run_id: str) -> dict[int, str]:
    """product id -> a one-line account of the run's result for it (classes, totals, largest difference)."""
    lines = {}
    for r in run_results(zw_conn, run_id):
        classes = ", ".join(f"{n} {name}" for name, n in sorted(r.counts().items()) if n and name != "MATCH")
        lines[r.product_id] = (f"{r.matched} of {r.assets} asset(s) match; {classes or 'no exception'}; zw total "
                               f"{_fmt(r.zw_total)}, HJS total {_fmt(r.hjs_total)}, largest difference "
                               f"{_fmt(r.max_abs_diff)}")
    return lines
