"""Late work: products a T-3 run reconciled after their T-3 day had passed.

A run picks up every product whose T-3 day has come and whose holders are not all sold (selection by
state), so after an outage, or while a product stays held, later runs take it again. Operations get one
e-mail per run day naming each late maturity date and product, how close its maturity is, and what
this run concluded: a product that reaches its maturity day unreconciled is announced by every T-3 run
before it, not first by the payback.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..notices import Notice
from ..repository.db import transaction
from ..repository.sql_files import load_sql


@dataclass(frozen=True)
class LateProduct:
    product_code: str
    channel_code: str
    maturity_date: date
    outcome: str
    class_counts: dict[str, Any]
    question_run: str | None
    asked_at: datetime | None

    def state(self) -> str:
        if self.outcome == "SETTLE":
            return "settled now (sell records written)"
        classes = ", ".join(f"{n} {name}" for name, n in sorted(self.class_counts.items()) if n)
        where = f"; decision pending in run {self.question_run}" if self.question_run else ""
        return f"HELD: {classes}{where}"


def late_products(zw_conn, run_id: str, target_date: date) -> list[LateProduct]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/late_products.sql"), {"run_id": run_id, "target_date": target_date})
        return [LateProduct(*row) for row in cur.fetchall()]


def when(maturity: date, run_day: date) -> str:
    days = (maturity - run_day).days
    if days < 0:
        return f"matured {-days} day(s) ago: its users are not paid"
    return "matures TODAY" if days == 0 else f"matures in {days} day(s)"


def late_notice(products: list[LateProduct], *, run_day: date, offset_days: int, run_id: str,
                to: list[str]) -> Notice:
    """One e-mail for the run day; its key follows the content, so a rerun that finds the same says nothing."""
    held = [p for p in products if p.outcome != "SETTLE"]
    days = sorted({p.maturity_date for p in products})
    rows = "".join(
        f"<tr><td>{p.maturity_date}</td><td>{html.escape(p.product_code)}</td><td>{html.escape(p.channel_code)}</td>"
        f"<td>{when(p.maturity_date, run_day)}</td><td>{html.escape(p.state())}</td></tr>" for p in products)
    body = (f"<p>The T-3 trial run of {run_day} (run <code>{html.escape(run_id)}</code>) reconciled "
            f"{len(products)} product(s) whose T-3 day ({offset_days} day(s) before maturity) had already passed: "
            "a day was missed (scheduler down, DAG paused, a run failed) or the product stayed held.</p>"
            "<table border=1 cellpadding=3><tr><th>maturity date</th><th>product</th><th>channel</th><th>when</th>"
            f"<th>this run</th></tr>{rows}</table>"
            + ("<p><b>Held products are not paid on their maturity day until someone decides them</b>: Airflow UI, "
               "DAG hjs_trial_reconciliation, Browse &rarr; Required Actions.</p>" if held else
               "<p>Nothing is left to do: the settled products are announced to HJS in the settlement notice "
               "(or an addendum), and the payback pays them on (or, if already past, after) maturity.</p>"))
    subject = (f"T-3 trial {run_day}: {len(products)} late product(s) for maturity date(s) "
               f"{', '.join(d.isoformat() for d in days)}" + (f" - {len(held)} STILL HELD" if held else ""))
    digest = hashlib.sha256("|".join(f"{p.product_code}:{p.outcome}" for p in products).encode()).hexdigest()[:16]
    return Notice(key=f"trial-late:{run_day.isoformat()}:{digest}", kind="trial-late", to=to, subject=subject,
                  html=body)
