"""The held products' alert: claim each held product's question once, e-mail operations about the
products this run asks about (the report attached), and hand the decision tasks one question each
(worded in questions: the product's totals, its exceptions and a link to its part of the report)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from ..console_links import absolute, product_anchor, report_path
from ..notices import Attachment, Notice, send_once
from .decisions import Claims, claim_questions
from .questions import QUESTION_ROWS, question
from .report import run_exceptions, run_results
from .report_store import report_attachments
from .settlement import HeldProduct, held_products


@dataclass(frozen=True)
class HeldAlert:
    claims: Claims
    questions: list[dict[str, Any]]  # one per product asked: product_id, subject, body (XCom for mapping)


def held_notice(ask: list[HeldProduct], *, run_day: date, run_id: str, folder: str, report_url: str,
                to: list[str], attachments: list[Attachment]) -> Notice:
    codes = ", ".join(h.product_code for h in ask)
    return Notice(
        key=f"trial-held:{run_id}", kind="trial-held", to=to,
        subject=f"T-3 trial {run_day}: {len(ask)} product(s) held ({codes})",
        html=(f"<p>The T-3 trial run of {run_day} held {len(ask)} product(s): "
              + ", ".join(f"{h.product_code} (matures {h.maturity_date})" for h in ask)
              + ". No sell records were written for them; the others proceed.</p>"
              f"<p>Decide each one in the Airflow UI (DAG hjs_trial_reconciliation, run "
              f"{run_id}, Required actions). The report is attached, stored in {folder} and shown in "
              f"the console: <a href='{escape(report_url, quote=True)}'>{escape(report_url)}</a>.</p>"),
        attachments=attachments)


def report_link(console_base_url: str, maturity_date: date, run_id: str, product_code: str) -> str:
    """Where the console shows a product's part of the run's report (the run's target maturity date names
    the stored report)."""
    return absolute(console_base_url, report_path(maturity_date, run_id)) + "#" + product_anchor(product_code)


def alert_held_products(zw_conn, *, run_id: str, run_day: date, maturity_date: date, report_base,
                        console_base_url: str, to: Callable[[], list[str]], smtp_conn_id: str) -> HeldAlert:
    """Claim the run's held products' questions, mail operations about those this run asks (once per
    run), and return the claims and one question per product asked. `to` is called only when there is
    a mail to send, so a day without held products needs no recipients."""
    held = held_products(zw_conn, run_id)
    claims = claim_questions(zw_conn, run_id, [h.id for h in held])
    ask = [h for h in held if h.id in claims.asked]
    folder, attachments = report_attachments(zw_conn, report_base, run_id, maturity_date)
    if ask:
        report_url = absolute(console_base_url, report_path(maturity_date, run_id))
        send_once(zw_conn, held_notice(ask, run_day=run_day, run_id=run_id, folder=folder, report_url=report_url,
                                       to=to(), attachments=attachments),
                  smtp_conn_id=smtp_conn_id, run_id=run_id)
    results = {r.product_id: r for r in run_results(zw_conn, run_id)}
    exceptions: dict[int, list] = {}
    for x in run_exceptions(zw_conn, run_id, [h.id for h in ask], per_product=QUESTION_ROWS):
        exceptions.setdefault(x.product_id, []).append(x)
    return HeldAlert(claims, [
        question(h, results[h.id], exceptions.get(h.id, []),
                 report_link(console_base_url, maturity_date, run_id, h.product_code))
        for h in ask])
