"""The question asked about a held product (Airflow's Required actions) and its two answers.

The body is markdown (the UI renders GitHub-flavoured markdown, raw HTML skipped): the product, its
maturity date and its own totals, a table of its exceptions (the largest QUESTION_ROWS), and a link to
the product's part of the run's report in the console. Nothing heavy is imported at module level: the
DAG file reads ACCEPT and KEEP when it is parsed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.money import format_amount

if TYPE_CHECKING:
    from .report import ExceptionRow, ProductResult
    from .settlement import HeldProduct

ACCEPT = "Accept zw amounts"
KEEP = "Keep holding"
QUESTION_ROWS = 50  # exceptions in the question; the report has them all
def _cell(text: str) -> str:
    """Text safe inside a markdown table cell: no column break, no line break."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _money(value) -> str:
    return format_amount(value, grouped=True)


def question_body(h: HeldProduct, result: ProductResult, exceptions: list[ExceptionRow], report_link: str) -> str:
    """Markdown: the product's facts, its exceptions (largest first, at most QUESTION_ROWS) and the link."""
    shown = exceptions[:QUESTION_ROWS]
    total = exceptions[0].of_product if exceptions else 0
    lines = [
        f"Product **{h.product_code}** (channel {h.channel_code}), maturity date **{h.maturity_date}**, did not "
        "reconcile with HJS.",
        "",
        "| assets | matched | zw total | HJS total | difference |",
        "|---:|---:|---:|---:|---:|",
        f"| {result.assets} | {result.matched} | {_money(result.zw_total)} | {_money(result.hjs_total)} | "
        f"{_money(result.difference)} |",
        "",
        f"**{total} exception(s)**" + (f", the {len(shown)} largest:" if total > len(shown) else ":"),
        "",
        "| asset / order no | class | zw | HJS | difference | reason |",
        "|---|---|---:|---:|---:|---|",
        *(f"| {_cell(x.subject())} | {x.cls} | {_money(x.zw_amount)} | {_money(x.hjs_amount)} | {_money(x.diff)} "
          f"| {_cell(x.detail or '')} |" for x in shown),
    ]
    if total > len(shown):
        lines += ["", f"and {total - len(shown)} more in the report."]
    lines += [
        "", f"[Open this product in the run's report]({report_link})", "",
        f"**{ACCEPT}**: write sell records with zw's amounts for every current holder and tell HJS in an "
        "addendum (refused, with the assets named, where zw itself has no amount). "
        f"**{KEEP}**: nothing is written; investigate with HJS; the next run compares afresh and asks again.",
    ]
    return "\n".join(lines)


def question(h: HeldProduct, result: ProductResult, exceptions: list[ExceptionRow], report_link: str
             ) -> dict[str, Any]:
    """One question for the decision task of a held product (XCom for the mapped task group)."""
    return {
        "product_id": h.id,
        "subject": f"T-3 trial: product {h.product_code} ({h.channel_code}), maturing {h.maturity_date}, is held",
        "body": question_body(h, result, exceptions, report_link),
    }
