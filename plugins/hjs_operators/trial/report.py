"""The run's reconciliation report: a CSV of every exception and a readable HTML page (counts per
class, held products, largest differences, per-product results). Built from the run's rows in zw, so it
can be rebuilt at any time; stored by the operator layer and attached to the e-mails."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from datetime import date

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


def _fmt(value) -> str:
    return "" if value is None else f"{value:.2f}" if not isinstance(value, str) else value


def build_report(zw_conn, run_id: str, maturity_date: date) -> Report:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/run_results.sql"), {"run_id": run_id})
        results = cur.fetchall()
        cur.execute(load_sql("trial/run_exceptions.sql"), {"run_id": run_id})
        exceptions = cur.fetchall()
    counts = dict.fromkeys([*ASSET_CLASSES, TOTAL_DRIFT], 0)
    for row in results:
        class_counts = row[10] if isinstance(row[10], dict) else json.loads(row[10])
        for name, n in class_counts.items():
            counts[name] = counts.get(name, 0) + int(n)
    held = [row[1] for row in results if row[3] == "HOLD"]
    settled = sum(1 for row in results if row[3] == "SETTLE")

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["product_code", "class", "subject", "asset_id", "order_no", "zw_amount", "hjs_amount", "diff",
                     "detail"])
    for row in exceptions:
        writer.writerow([row[1], row[5], row[2], row[3] or "", row[4] or "", _fmt(row[6]), _fmt(row[7]),
                         _fmt(row[8]), row[9] or ""])
    writer.writerow([])
    writer.writerow(["product_code", "channel", "outcome", "assets", "matched", "zw_total", "hjs_total", "drift",
                     "max_abs_diff"])
    for row in results:
        writer.writerow([row[1], row[2], row[3], row[4], row[5], _fmt(row[6]), _fmt(row[7]), _fmt(row[8]),
                         _fmt(row[9])])

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
        *[f"<tr><td>{e(r[1])}</td><td>{e(r[5])}</td><td>{e(r[2])}</td><td class='n'>{_fmt(r[6])}</td>"
          f"<td class='n'>{_fmt(r[7])}</td><td class='n'>{_fmt(r[8])}</td><td>{e(r[9] or '')}</td></tr>"
          for r in exceptions[:LARGEST]],
        "</table>",
        "<h2>Products</h2><table><tr><th>product</th><th>channel</th><th>outcome</th><th>assets</th>"
        "<th>matched</th><th>zw total</th><th>HJS total</th><th>drift</th><th>max |diff|</th></tr>",
        *[f"<tr class='{e(r[3])}'><td>{e(r[1])}</td><td>{e(r[2])}</td><td>{e(r[3])}</td><td class='n'>{r[4]}</td>"
          f"<td class='n'>{r[5]}</td><td class='n'>{_fmt(r[6])}</td><td class='n'>{_fmt(r[7])}</td>"
          f"<td class='n'>{_fmt(r[8])}</td><td class='n'>{_fmt(r[9])}</td></tr>" for r in results],
        "</table></body></html>",
    ]
    return Report(csv=buffer.getvalue().encode("utf-8"), html="\n".join(page), counts=counts, settled=settled,
                  held=held)


def product_results(zw_conn, run_id: str) -> dict[int, str]:
    """product id -> a one-line account of the run's result for it (classes, totals, largest difference)."""
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/run_results.sql"), {"run_id": run_id})
        rows = cur.fetchall()
    lines = {}
    for product_id, _code, _channel, _outcome, assets, matched, zw_total, hjs_total, _drift, max_diff, counts in rows:
        counts = counts if isinstance(counts, dict) else json.loads(counts)
        classes = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()) if n and name != "MATCH")
        lines[product_id] = (f"{matched} of {assets} asset(s) match; {classes or 'no exception'}; zw total "
                             f"{_fmt(zw_total)}, HJS total {_fmt(hjs_total)}, largest difference {_fmt(max_diff)}")
    return lines
