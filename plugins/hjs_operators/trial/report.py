"""The run's reconciliation report, rebuilt from the run's rows in zw at any time:
- report.html, for people: counts per class, the decisions on the held products, the largest
  differences, every product, and a section per held product with its exceptions. Each product's part
  of the page has the id console_links.product_anchor(code). Money is grouped for reading (1,234,567.89).
- products.csv and exceptions.csv, for programs: one table each, money exact (1234567.89).
report_store stores the three files (console_links.REPORT_FILES); the console serves them and the
e-mails attach them."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ..console_links import product_anchor
from ..dag_defaults import TIMEZONE
from ..domain.money import format_amount
from ..domain.reconciliation import ASSET_CLASSES, TOTAL_DRIFT
from ..repository.db import transaction
from ..repository.sql_files import load_sql

LARGEST = 20  # differences listed near the top of the page, over the whole run
SECTION_ROWS = 200  # exceptions on the page per held product (200 holders at most); all are in exceptions.csv
OPEN = "OPEN"  # a held product nobody has decided on yet
DECISION_WORDS = {"ACCEPT_ZW": "accepted zw amounts", "KEEP_HOLDING": "kept holding", OPEN: "open"}


@dataclass(frozen=True)
class Report:
    html: str
    products_csv: bytes
    exceptions_csv: bytes
    counts: dict[str, int]
    settled: int
    held: list[str]


@dataclass(frozen=True)
class ProductResult:
    """A row of trial/run_results.sql."""
    product_id: int
    product_code: str
    channel_code: str
    maturity_date: date
    outcome: str
    assets: int
    matched: int
    zw_total: Decimal
    hjs_total: Decimal
    drift: Decimal
    max_abs_diff: Decimal | None
    class_counts: dict[str, int] | str  # jsonb: a dict, or its text where no loader is registered

    def counts(self) -> dict[str, int]:
        return self.class_counts if isinstance(self.class_counts, dict) else json.loads(self.class_counts)

    @property
    def difference(self) -> Decimal:
        return self.zw_total - self.hjs_total


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
    of_product: int  # exception rows of the product in this run, however many were read

    def subject(self) -> str:
        """'asset / order no' where both are known, else what the comparison keyed the row on."""
        if self.asset_id is not None and self.order_no:
            return f"{self.asset_id} / {self.order_no}"
        return str(self.asset_id) if self.asset_id is not None else self.subject_key


@dataclass(frozen=True)
class HeldDecision:
    """A row of trial/report_decisions.sql: the decision on a held product, NULLs while it is open."""
    product_id: int
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None
    run_id: str | None

    @property
    def state(self) -> str:
        return self.decision or OPEN

    def when(self) -> str:
        """When it was decided, in Asia/Shanghai as every page and document of the pipelines speaks."""
        if self.decided_at is None:
            return ""
        return self.decided_at.astimezone(TIMEZONE).isoformat(sep=" ", timespec="seconds")


def _read(zw_conn, sql_name: str, params: dict, row_type: type) -> list:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql(sql_name), params)
        return [row_type(*row) for row in cur.fetchall()]


def run_results(zw_conn, run_id: str) -> list[ProductResult]:
    return _read(zw_conn, "trial/run_results.sql", {"run_id": run_id}, ProductResult)


def run_exceptions(zw_conn, run_id: str, product_ids: Sequence[int] | None = None,
                   per_product: int | None = None) -> list[ExceptionRow]:
    """The run's exceptions, largest difference first: of the given products (None: all), at most
    per_product of each (None: all)."""
    return _read(zw_conn, "trial/run_exceptions.sql", {
        "run_id": run_id, "product_ids": None if product_ids is None else list(product_ids),
        "per_product": per_product}, ExceptionRow)


def held_decisions(zw_conn, run_id: str) -> dict[int, HeldDecision]:
    return {d.product_id: d for d in _read(zw_conn, "trial/report_decisions.sql", {"run_id": run_id}, HeldDecision)}


def _csv(header: list[str], rows: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def products_csv(results: list[ProductResult], decisions: dict[int, HeldDecision]) -> bytes:
    """One row per product; the decision columns are filled for held products (decision OPEN until
    someone decides)."""
    rows = []
    for r in results:
        d = decisions.get(r.product_id)
        rows.append([r.product_code, r.channel_code, r.maturity_date.isoformat(), r.outcome, r.assets, r.matched,
                     format_amount(r.zw_total), format_amount(r.hjs_total), format_amount(r.difference),
                     format_amount(r.drift), format_amount(r.max_abs_diff),
                     *([d.state, d.decided_by or "", d.when(), d.comment or ""] if d else ["", "", "", ""])])
    return _csv(["product_code", "channel", "maturity_date", "outcome", "assets", "matched", "zw_total",
                 "hjs_total", "difference", "drift", "max_abs_diff", "decision", "decided_by", "decided_at",
                 "comment"], rows)


def exceptions_csv(exceptions: list[ExceptionRow]) -> bytes:
    return _csv(["product_code", "class", "subject", "asset_id", "order_no", "zw_amount", "hjs_amount", "diff",
                 "detail"],
                ([x.product_code, x.cls, x.subject_key, "" if x.asset_id is None else x.asset_id, x.order_no or "",
                  format_amount(x.zw_amount), format_amount(x.hjs_amount), format_amount(x.diff), x.detail or ""]
                 for x in exceptions))


e = html.escape


def _money(value: Decimal | None) -> str:
    return format_amount(value, grouped=True)


NUMERIC = " class='n'"


def _table(head: list[str], rows: Iterable[str], numeric: Sequence[int] = ()) -> str:
    """A table; rows are made by _row. Columns listed in numeric are right-aligned."""
    ths = "".join(f"<th{NUMERIC if i in numeric else ''}>{e(h)}</th>" for i, h in enumerate(head))
    return f"<table><tr>{ths}</tr>{''.join(rows)}</table>"


def _row(cells: list[str], numeric: Sequence[int] = (), attrs: str = "") -> str:
    """One row of cells that are already HTML (escape text with e())."""
    tds = "".join(f"<td{NUMERIC if i in numeric else ''}>{c}</td>" for i, c in enumerate(cells))
    return f"<tr{attrs}>{tds}</tr>"


def _anchor(code: str) -> str:
    return e(product_anchor(code), quote=True)


def _link(code: str) -> str:
    return f"<a href='#{_anchor(code)}'>{e(code)}</a>"


EXCEPTION_HEAD = ["asset / order no", "class", "zw", "HJS", "difference", "reason"]


def _exception_cells(x: ExceptionRow) -> list[str]:
    return [e(x.subject()), e(x.cls), _money(x.zw_amount), _money(x.hjs_amount), _money(x.diff), e(x.detail or "")]


def _decisions_html(held: list[ProductResult], decisions: dict[int, HeldDecision], run_id: str) -> str:
    if not held:
        return "<h2>Decisions</h2><p>No product was held: nothing to decide.</p>"
    rows = []
    for r in held:
        d = decisions.get(r.product_id) or HeldDecision(r.product_id, None, None, None, None, None)
        by = e(d.decided_by or "") + (f" (run <code>{e(d.run_id)}</code>)" if d.run_id and d.run_id != run_id else "")
        rows.append(_row([_link(r.product_code), e(DECISION_WORDS[d.state]), by, e(d.when()), e(d.comment or "")],
                         attrs=f" class='{e(d.state)}'"))
    return ("<h2>Decisions</h2><p>Each held product is decided in the Airflow UI (Required actions of this run): "
            "accepting zw's amounts sells every holder, keeping it holds the product until the next run.</p>"
            + _table(["product", "decision", "by", "when", "comment"], rows))


def _product_section(r: ProductResult, rows: list[ExceptionRow], decision: HeldDecision | None) -> str:
    d = decision or HeldDecision(r.product_id, None, None, None, None, None)
    said = f" by {e(d.decided_by or '')} at {e(d.when())}" if d.decision else ""
    more = rows[0].of_product - min(len(rows), SECTION_ROWS) if rows else 0
    return "".join([
        f"<section id='{_anchor(r.product_code)}'>",
        f"<h3>{e(r.product_code)} ({e(r.channel_code)}), maturing {e(r.maturity_date.isoformat())}</h3>",
        f"<p>{r.matched} of {r.assets} asset(s) match. zw total {_money(r.zw_total)}, HJS total "
        f"{_money(r.hjs_total)}, difference {_money(r.difference)}.</p>",
        f"<p>Decision: <b>{e(DECISION_WORDS[d.state])}</b>{said}"
        + (f": {e(d.comment)}" if d.comment else "") + ".</p>",
        _table(EXCEPTION_HEAD, (_row(_exception_cells(x), (2, 3, 4)) for x in rows[:SECTION_ROWS]), (2, 3, 4)),
        f"<p>and {more} more in exceptions.csv</p>" if more > 0 else "",
        "</section>",
    ])


STYLE = ("body{font-family:sans-serif} table{border-collapse:collapse;margin-bottom:1em} td,th{border:1px solid #999;"
         "padding:3px 6px} .n{text-align:right} .HOLD,.OPEN{background:#fde2e2} .ACCEPT_ZW{background:#e2f5e2}")


def build_report(zw_conn, run_id: str, maturity_date: date) -> Report:
    results = run_results(zw_conn, run_id)
    exceptions = run_exceptions(zw_conn, run_id)
    decisions = held_decisions(zw_conn, run_id)
    counts = dict.fromkeys([*ASSET_CLASSES, TOTAL_DRIFT], 0)
    for row in results:
        for name, n in row.counts().items():
            counts[name] = counts.get(name, 0) + int(n)
    held = [r for r in results if r.outcome == "HOLD"]
    settled = sum(1 for r in results if r.outcome == "SETTLE")
    by_product: dict[int, list[ExceptionRow]] = {}
    for x in exceptions:
        by_product.setdefault(x.product_id, []).append(x)

    product_rows = [
        _row([_link(r.product_code) if r.outcome == "HOLD" else e(r.product_code), e(r.channel_code),
              e(r.maturity_date.isoformat()), e(r.outcome), str(r.assets), str(r.matched), _money(r.zw_total),
              _money(r.hjs_total), _money(r.difference), _money(r.drift), _money(r.max_abs_diff)],
             numeric=range(4, 11),
             attrs=f" class='{e(r.outcome)}'" + ("" if r.outcome == "HOLD" else f" id='{_anchor(r.product_code)}'"))
        for r in results]
    day = e(maturity_date.isoformat())
    page = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>T-3 trial {day}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>T-3 reconciliation, maturity date {day}</h1>",
        f"<p>Run <code>{e(run_id)}</code>: {len(results)} product(s), {settled} settled, {len(held)} held. "
        "Exact amounts for programs: <a href='products.csv'>products.csv</a>, "
        "<a href='exceptions.csv'>exceptions.csv</a>.</p>",
        "<h2>Counts per class</h2>",
        _table(["class", "count"], (_row([e(name), str(n)], numeric=(1,)) for name, n in counts.items()), (1,)),
        _decisions_html(held, decisions, run_id),
        f"<h2>Largest differences (up to {LARGEST})</h2>",
        _table(["product", *EXCEPTION_HEAD],
               (_row([_link(x.product_code), *_exception_cells(x)], (3, 4, 5)) for x in exceptions[:LARGEST]),
               (3, 4, 5)),
        "<h2>Products</h2>",
        _table(["product", "channel", "maturity", "outcome", "assets", "matched", "zw total", "HJS total",
                "difference", "drift", "max |diff|"], product_rows, numeric=range(4, 11)),
        "<h2>Held products</h2>",
        *(_product_section(r, by_product.get(r.product_id, []), decisions.get(r.product_id)) for r in held),
        "" if held else "<p>none</p>",
        "</body></html>",
    ]
    return Report(html="\n".join(page), products_csv=products_csv(results, decisions),
                  exceptions_csv=exceptions_csv(exceptions), counts=counts, settled=settled,
                  held=[r.product_code for r in held])
