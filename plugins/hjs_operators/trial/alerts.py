"""The held products' alert: claim each held product's question once, e-mail operations about the
products this run asks about (the report attached), and hand the decision tasks one question each
(worded in questions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..notices import Attachment, Notice, send_once
from .decisions import Claims, claim_questions
from .questions import question
from .report import product_results
from .report_store import report_attachments
from .settlement import HeldProduct, held_products


@dataclass(frozen=True)
class HeldAlert:
    claims: Claims
    questions: list[dict[str, Any]]  # one per product asked: product_id, subject, body (XCom for mapping)


def held_notice(ask: list[HeldProduct], *, run_day: date, run_id: str, folder: str, to: list[str],
                attachments: list[Attachment]) -> Notice:
    codes = ", ".join(h.product_code for h in ask)
    return Notice(
        key=f"trial-held:{run_id}", kind="trial-held", to=to,
        subject=f"T-3 trial {run_day}: {len(ask)} product(s) held ({codes})",
        html=(f"<p>The T-3 trial run of {run_day} held {len(ask)} product(s): "
              + ", ".join(f"{h.product_code} (matures {h.maturity_date})" for h in ask)
              + ". No sell records were written for them; the others proceed.</p>"
              f"<p>Decide each one in the Airflow UI (DAG hjs_trial_reconciliation, run "
              f"{run_id}, Required actions). The report is attached and stored in "
              f"{folder}.</p>"),
        attachments=attachments)


def alert_held_products(zw_conn, *, run_id: str, run_day: date, maturity_date: date, report_base,
                        to: Callable[[], list[str]], smtp_conn_id: str) -> HeldAlert:
    """Claim the run's held products' questions, mail operations about those this run asks (once per
    run), and return the claims and one question per product asked. `to` is called only when there is
    a mail to send, so a day without held products needs no recipients."""
    held = held_products(zw_conn, run_id)
    claims = claim_questions(zw_conn, run_id, [h.id for h in held])
    ask = [h for h in held if h.id in claims.asked]
    results = product_results(zw_conn, run_id)
    folder, attachments = report_attachments(zw_conn, report_base, run_id, maturity_date)
    if ask:
        send_once(zw_conn, held_notice(ask, run_day=run_day, run_id=run_id, folder=folder, to=to(),
                                       attachments=attachments),
                  smtp_conn_id=smtp_conn_id, run_id=run_id)
    return HeldAlert(claims, [question(h, results.get(h.id, "see the report"), folder) for h in ask])
