"""Maturity payback operators: write the day's payback orders, check them, mail operations, and fail
the run at the end naming every product the guard kept from being paid."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import logging
from collections.abc import Sequence
from typing import Any

from airflow.providers.common.sql.operators.sql import SQLCheckOperator, SQLValueCheckOperator
from airflow.sdk import BaseOperator

from ..dag_defaults import SMTP_CONN_ID, ZW_CONN_ID

log = logging.getLogger(__name__)


class UnpaidProductsError(RuntimeError):
    """Products maturing on the day that were not paid because the guard stopped them."""


class CreatePaybackOrdersOperator(BaseOperator):
    """One payback order per current holder of every product maturing on the run's day.

    One transaction per product; a product whose holders are not all confirmed (sell record, status
    SELL_CONFIRMED) is not paid at all and reported, the others are paid. This task does not fail for
    that: the checks and the summary e-mail still run, and `fail_if_products_unpaid` fails the run at
    the end. Returns a small summary for XCom (maturity date, counts, the unpaid products).
    """

    template_fields: Sequence[str] = ("zw_conn_id",)
    ui_color = "#fdf2e0"

    def __init__(self, *, zw_conn_id: str = ZW_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zw_conn_id = zw_conn_id

    def execute(self, context: Any) -> dict:
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        from ..payback import pay_maturity_day
        from ..run_dates import run_day

        day = run_day(context)
        conn = PostgresHook(postgres_conn_id=self.zw_conn_id).get_conn()
        try:
            result = pay_maturity_day(conn, day, run_id=context["run_id"], progress=self.log.info)
        finally:
            conn.close()
        self.log.info("maturity %s: %d product(s), %d paid, %d NOT paid; %d new payback order(s), %d already there",
                      day, len(result.products), len(result.paid), len(result.unpaid), result.new_orders,
                      sum(p.existing_orders for p in result.products))
        if result.products and not result.new_orders and not result.unpaid:
            self.log.info("nothing new written: every product of %s was already paid by an earlier run", day)
        return result.to_xcom()


class PaybackSQLCheckOperator(SQLCheckOperator):
    """SQLCheckOperator whose bound parameters are templated too (the maturity date comes from XCom)."""

    template_fields: Sequence[str] = (*SQLCheckOperator.template_fields, "parameters")


class PaybackSQLValueCheckOperator(SQLValueCheckOperator):
    """SQLValueCheckOperator whose bound parameters are templated too."""

    template_fields: Sequence[str] = (*SQLValueCheckOperator.template_fields, "parameters")


def _summary_key(outcome: dict) -> str:
    key = f"payback-summary:{outcome['maturity_date']}"
    unpaid = sorted(p["product_code"] for p in outcome["unpaid"])
    # a day whose outcome changes (a blocked product paid after a fix) gets its own, final mail
    return f"{key}:unpaid:{','.join(unpaid)}" if unpaid else key


def render_summary(outcome: dict, rows: list) -> tuple[str, str, bytes]:
    """Subject, HTML body and CSV attachment of the operations summary."""
    from ..domain.money import format_yuan

    day = outcome["maturity_date"]
    total = sum(r.amount_fen for r in rows)
    orders = sum(r.orders for r in rows)
    subject = (f"HJS maturity payback {day}: {outcome['paid']}/{outcome['products']} product(s) paid, "
               f"{orders} order(s), {format_yuan(total)} yuan")
    if outcome["unpaid"]:
        subject += f" - {len(outcome['unpaid'])} product(s) NOT PAID"
    cells = "".join(
        f"<tr><td>{html.escape(r.product_code)}</td><td>{r.destination}</td><td align=right>{r.orders}</td>"
        f"<td align=right>{format_yuan(r.principal_fen)}</td><td align=right>{format_yuan(r.interest_fen)}</td>"
        f"<td align=right>{format_yuan(r.boost_fen)}</td><td align=right>{format_yuan(r.amount_fen)}</td></tr>"
        for r in rows)
    by_destination = {}
    for r in rows:
        n, fen = by_destination.get(r.destination, (0, 0))
        by_destination[r.destination] = (n + r.orders, fen + r.amount_fen)
    totals = "".join(f"<li>{dest}: {n} order(s), {format_yuan(fen)} yuan</li>"
                     for dest, (n, fen) in sorted(by_destination.items()))
    unpaid = "".join(f"<li><b>{html.escape(p['product_code'])}</b>: {html.escape(p['missing'])}</li>"
                     for p in outcome["unpaid"])
    body = (f"<h3>HJS maturity payback for {day}</h3>"
            f"<p>{outcome['products']} product(s) mature; {outcome['paid']} paid. Payback orders (status "
            f"SELL_SUCCESS) are paid out by the payment system's batch.</p>"
            f"<ul>{totals}</ul>"
            "<table border=1 cellpadding=3><tr><th>product</th><th>destination</th><th>orders</th>"
            "<th>principal</th><th>interest</th><th>boost interest</th><th>amount</th></tr>"
            f"{cells}</table>")
    if unpaid:
        body += ("<h4>NOT PAID (nothing written for these products; the run fails until they are fixed and "
                 f"the day is rerun)</h4><ul>{unpaid}</ul>")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["maturity_date", "product_code", "destination", "orders", "principal", "interest",
                     "boost_interest", "amount"])
    for r in rows:
        writer.writerow([day, r.product_code, r.destination, r.orders, format_yuan(r.principal_fen),
                         format_yuan(r.interest_fen), format_yuan(r.boost_fen), format_yuan(r.amount_fen)])
    return subject, body, out.getvalue().encode("utf-8")


class SendPaybackSummaryOperator(BaseOperator):
    """E-mail operations the day's payback: per product and destination, orders and totals, and the
    products not paid. Once per maturity date and outcome (notice_sent); params.resend_summary re-sends."""

    template_fields: Sequence[str] = ("to", "zw_conn_id", "smtp_conn_id")

    def __init__(self, *, payback_task_id: str, to: str, zw_conn_id: str = ZW_CONN_ID,
                 smtp_conn_id: str = SMTP_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.payback_task_id = payback_task_id
        self.to = to
        self.zw_conn_id = zw_conn_id
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> bool:
        from datetime import date

        from airflow.providers.postgres.hooks.postgres import PostgresHook

        from ..notices import Attachment, Notice, recipients, send_once
        from ..payback import summary_rows

        outcome = context["ti"].xcom_pull(task_ids=self.payback_task_id)
        if not outcome:
            raise RuntimeError(f"no result from {self.payback_task_id}; rerun that task first")
        if not outcome["products"]:
            self.log.info("no product matures on %s: no summary to send", outcome["maturity_date"])
            return False
        conn = PostgresHook(postgres_conn_id=self.zw_conn_id).get_conn()
        try:
            rows = summary_rows(conn, date.fromisoformat(outcome["maturity_date"]))
            subject, body, attachment = render_summary(outcome, rows)
            notice = Notice(key=_summary_key(outcome), kind="PAYBACK_SUMMARY", to=recipients(self.to),
                            subject=subject, html=body,
                            attachments=[Attachment(f"payback-{outcome['maturity_date']}.csv", attachment)])
            resend = bool((context.get("params") or {}).get("resend_summary", False))
            return send_once(conn, notice, smtp_conn_id=self.smtp_conn_id, run_id=context["run_id"], resend=resend)
        finally:
            conn.close()


class FailIfProductsUnpaidOperator(BaseOperator):
    """The guard's verdict, at the end of the run: fail naming every product not paid and what is missing."""

    def __init__(self, *, payback_task_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.payback_task_id = payback_task_id

    def execute(self, context: Any) -> None:
        outcome = context["ti"].xcom_pull(task_ids=self.payback_task_id)
        if not outcome:
            raise UnpaidProductsError(f"{self.payback_task_id} left no result: no product of this day is known "
                                      "to be paid; see that task's log and rerun it")
        if outcome["unpaid"]:
            lines = [f"product {p['product_code']} (id {p['product_id']}): {p['missing']}" for p in outcome["unpaid"]]
            raise UnpaidProductsError(
                f"{len(outcome['unpaid'])} of {outcome['products']} product(s) maturing on {outcome['maturity_date']} "
                "were NOT paid (nothing written for them); the others were paid. " + " | ".join(lines))
        self.log.info("all %d product(s) maturing on %s are paid", outcome["products"], outcome["maturity_date"])


async def alert_payback_deadline_missed(*, to_variable: str = "hjs_ops_email", smtp_conn_id: str = SMTP_CONN_ID,
                                        deadline: str = "", context: dict | None = None) -> str:
    """Deadline callback (runs in the triggerer): the maturity payback run has not finished in time."""
    # The triggerer passes the run as Airflow's DAGRunResponse dumped to JSON: its id is "dag_run_id".
    run = (context or {}).get("dag_run") or {}
    run_id = run.get("dag_run_id") or run.get("run_id") or "?"
    subject = f"HJS maturity payback NOT FINISHED by {deadline or 'its deadline'}: run {run_id}"
    body = (f"<p>The <b>hjs_maturity_payback</b> run <code>{html.escape(str(run_id))}</code> (logical date "
            f"{html.escape(str(run.get('logical_date')))}) had not finished by {html.escape(deadline)}. Users expect "
            "their payback today: open the run in Airflow, see which task is waiting or failed, fix and rerun "
            "it (reruns write nothing twice).</p>")

    def send() -> None:
        from airflow.providers.smtp.hooks.smtp import SmtpHook
        from airflow.sdk import Variable

        from ..notices import recipients

        to = recipients(Variable.get(to_variable))
        with SmtpHook(smtp_conn_id=smtp_conn_id) as hook:
            hook.send_email_smtp(to=to, subject=subject, html_content=body)

    await asyncio.to_thread(send)
    log.warning("payback deadline missed for run %s; operations alerted", run_id)
    return subject
