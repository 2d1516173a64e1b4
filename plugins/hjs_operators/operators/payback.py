"""Maturity payback operators: write the payback orders of every product due by the run's day (late
days included), check them, mail operations, fail the run at the end naming every product the guard
kept from being paid, and the deadline alert that reports what the run really did."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

from airflow.providers.common.sql.operators.sql import SQLValueCheckOperator
from airflow.sdk import BaseOperator

from ..dag_defaults import SMTP_CONN_ID, ZW_CONN_ID

log = logging.getLogger(__name__)


class UnpaidProductsError(RuntimeError):
    """Products maturing on the day that were not paid because the guard stopped them."""


class CreatePaybackOrdersOperator(BaseOperator):
    """One payback order per current holder of every product due by the run's day: maturing that day,
    or matured earlier and still not paid (a missed or stopped day is paid by the next run).

    One transaction per product; a product whose holders are not all confirmed (sell record, status
    SELL_CONFIRMED) is not paid at all and reported, the others are paid. This task does not fail for
    that: the checks and the summary e-mail still run, and `fail_if_products_unpaid` fails the run at
    the end. Returns a small summary for XCom (run day, counts, paid ids, late and unpaid products).
    """

    template_fields: Sequence[str] = ("zw_conn_id",)
    ui_color = "#fdf2e0"

    def __init__(self, *, zw_conn_id: str = ZW_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zw_conn_id = zw_conn_id

    def execute(self, context: Any) -> dict:
        from ..hooks.zw import ZwHook
        from ..payback import pay_maturity_day
        from ..run_dates import run_day

        day = run_day(context)
        conn = ZwHook(self.zw_conn_id).get_conn()
        try:
            result = pay_maturity_day(conn, day, run_id=context["run_id"], progress=self.log.info)
        finally:
            conn.close()
        self.log.info("run day %s: %d product(s) due (%d late), %d paid, %d NOT paid; %d new payback order(s), "
                      "%d already there", day, len(result.products), len(result.late), len(result.paid),
                      len(result.unpaid), result.new_orders, sum(p.existing_orders for p in result.products))
        if result.products and not result.new_orders and not result.unpaid:
            self.log.info("nothing new written: every product due by %s was already paid by an earlier run", day)
        return result.to_xcom()


def _outcome(context: Any, payback_task_id: str) -> dict:
    outcome = context["ti"].xcom_pull(task_ids=payback_task_id)
    if not outcome:
        raise RuntimeError(f"{payback_task_id} left no result: no product of this run is known to be paid; see "
                           "that task's log and rerun it")
    return outcome


def _zw_hook(operator: BaseOperator):
    """The check operators' hook: ZwHook on their conn_id (Airflow would pick PostgresHook by type)."""
    from ..hooks.zw import ZwHook

    return ZwHook(getattr(operator, operator.conn_id_field), **(operator.hook_params or {}))


class PaybackSQLValueCheckOperator(SQLValueCheckOperator):
    """SQLValueCheckOperator over every product the payback task paid (late days included), bound as
    %(product_ids)s from its XCom; no product paid -> the checks have nothing to look at and pass."""

    def __init__(self, *, payback_task_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.payback_task_id = payback_task_id

    def get_db_hook(self):
        return _zw_hook(self)

    def execute(self, context: Any) -> None:
        self.parameters = {"product_ids": list(_outcome(context, self.payback_task_id)["paid_product_ids"])}
        self.log.info("checking %d paid product(s)", len(self.parameters["product_ids"]))
        return super().execute(context)


class SendPaybackSummaryOperator(BaseOperator):
    """E-mail operations the run's payback: each late maturity day and its products, per product and
    destination the orders and totals, and the products not paid. Sent when the run wrote orders or
    left products unpaid, once per run day and outcome (notice_sent); a rerun that finds everything
    already paid and reported sends nothing. params.resend_summary re-sends."""

    template_fields: Sequence[str] = ("to", "zw_conn_id", "smtp_conn_id")

    def __init__(self, *, payback_task_id: str, to: str, zw_conn_id: str = ZW_CONN_ID,
                 smtp_conn_id: str = SMTP_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.payback_task_id = payback_task_id
        self.to = to
        self.zw_conn_id = zw_conn_id
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> bool:
        from ..hooks.zw import ZwHook
        from ..notices import recipients, send_once
        from ..payback import summary_notice

        outcome = _outcome(context, self.payback_task_id)
        resend = bool((context.get("params") or {}).get("resend_summary", False))
        if not outcome["products"]:
            self.log.info("no product is due by %s: no summary to send", outcome["run_day"])
            return False
        if not outcome["new_orders"] and not outcome["unpaid"] and not resend:
            # every order was written, and reported, by the run that wrote it
            self.log.info("nothing new and nothing unpaid by %s: no summary to send", outcome["run_day"])
            return False
        conn = ZwHook(self.zw_conn_id).get_conn()
        try:
            notice = summary_notice(conn, outcome, recipients(self.to))
            return send_once(conn, notice, smtp_conn_id=self.smtp_conn_id, run_id=context["run_id"], resend=resend)
        finally:
            conn.close()


class FailIfProductsUnpaidOperator(BaseOperator):
    """The guard's verdict, at the end of the run: fail naming every product not paid, its maturity date
    and what is missing. A product that stays blocked fails every later run the same way."""

    def __init__(self, *, payback_task_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.payback_task_id = payback_task_id

    def execute(self, context: Any) -> None:
        outcome = context["ti"].xcom_pull(task_ids=self.payback_task_id)
        if not outcome:
            raise UnpaidProductsError(f"{self.payback_task_id} left no result: no product of this run is known "
                                      "to be paid; see that task's log and rerun it")
        if outcome["unpaid"]:
            lines = [f"product {p['product_code']} (id {p['product_id']}, maturity {p['maturity_date']}"
                     f"{', ' + str(p['days_late']) + ' day(s) late' if p['days_late'] else ''}): {p['missing']}"
                     for p in outcome["unpaid"]]
            raise UnpaidProductsError(
                f"{len(outcome['unpaid'])} of {outcome['products']} product(s) due by {outcome['run_day']} were NOT "
                "paid (nothing written for them); the others were paid. " + " | ".join(lines))
        self.log.info("all %d product(s) due by %s are paid", outcome["products"], outcome["run_day"])


def _run_state_now(dag_id: str, run_id: str) -> str | None:
    """The run's state in Airflow's metadata now, asked through the Task SDK as the triggerer offers it
    (models/deadline.py hands the callback only a snapshot taken when the deadline passed). None where
    no supervisor answers such calls (outside the triggerer)."""
    try:
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

        state = RuntimeTaskInstance.get_dagrun_state(dag_id=dag_id, run_id=run_id)
    except Exception as exc:  # no supervisor here: fall back to the snapshot, and say so
        log.info("run state of %s not available from Airflow (%s); using the deadline's snapshot", run_id, exc)
        return None
    return str(getattr(state, "value", state))


def _due_unpaid(zw_conn_id: str, day: date) -> list[tuple[int, str, date]] | str:
    """zw's word: the products due by the run's day that still have an unpaid holder, or why it is unknown."""
    from ..hooks.zw import ZwHook
    from ..payback import due_unpaid_products

    try:
        conn = ZwHook(zw_conn_id).get_conn()
    except Exception as exc:  # the alert still goes out, saying zw could not be read
        return f"zw could not be read ({type(exc).__name__}: {exc})"
    try:
        return due_unpaid_products(conn, day)
    finally:
        conn.close()


async def alert_payback_deadline_missed(*, to_variable: str = "hjs_ops_email", smtp_conn_id: str = SMTP_CONN_ID,
                                        zw_conn_id: str = ZW_CONN_ID, deadline: str = "",
                                        context: dict | None = None) -> str:
    """Deadline callback (runs in the triggerer): the run missed its deadline. Says what is true now:
    a run created after its deadline started late; a finished run is reported finished, not unfinished;
    and zw says which products due by the run's day are still unpaid."""
    from ..dag_defaults import TIMEZONE
    from ..payback.deadline import moment, render_deadline_alert

    # The triggerer passes the run as Airflow's DAGRunResponse dumped to JSON, taken when the deadline
    # passed (so a run created after its deadline is always "queued" or "running" in it).
    context = context or {}
    run = context.get("dag_run") or {}
    deadline_at = moment((context.get("deadline") or {}).get("deadline_time"))
    run_id = run.get("dag_run_id") or run.get("run_id") or "?"
    logical = moment(run.get("logical_date")) or moment(run.get("run_after"))

    def work() -> str:
        from airflow.providers.smtp.hooks.smtp import SmtpHook
        from airflow.sdk import Variable

        from ..notices import recipients

        live = _run_state_now(run.get("dag_id") or "hjs_maturity_payback", run_id)
        state = live or str(run.get("state") or "unknown")
        due = _due_unpaid(zw_conn_id, logical.astimezone(TIMEZONE).date()) if logical else "the run has no date"
        subject, body = render_deadline_alert(run, state, live is not None, due, deadline, deadline_at)
        to = recipients(Variable.get(to_variable))
        with SmtpHook(smtp_conn_id=smtp_conn_id) as hook:
            hook.send_email_smtp(to=to, subject=subject, html_content=body)
        return subject

    subject = await asyncio.to_thread(work)
    log.warning("payback deadline missed for run %s; operations alerted: %s", run_id, subject)
    return subject
