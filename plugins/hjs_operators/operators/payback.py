"""Maturity payback operators: write the payback orders of every product due by the run's day (late
days included), check them, mail operations, fail the run at the end naming every product the guard
kept from being paid, and the deadline alert that reports what the run really did."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from airflow.providers.common.sql.operators.sql import SQLCheckOperator, SQLValueCheckOperator
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


def _bind_paid_products(operator: BaseOperator, context: Any, payback_task_id: str) -> None:
    """The checks run over every product the payback task paid (late days included), bound as
    %(product_ids)s from its XCom; no product paid -> the checks have nothing to look at and pass."""
    operator.parameters = {"product_ids": list(_outcome(context, payback_task_id)["paid_product_ids"])}
    operator.log.info("checking %d paid product(s)", len(operator.parameters["product_ids"]))


class PaybackSQLCheckOperator(SQLCheckOperator):
    """SQLCheckOperator over the products the run paid."""

    def __init__(self, *, payback_task_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.payback_task_id = payback_task_id

    def get_db_hook(self):
        return _zw_hook(self)

    def execute(self, context: Any) -> None:
        _bind_paid_products(self, context, self.payback_task_id)
        return super().execute(context)


class PaybackSQLValueCheckOperator(SQLValueCheckOperator):
    """SQLValueCheckOperator over the products the run paid."""

    def __init__(self, *, payback_task_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.payback_task_id = payback_task_id

    def get_db_hook(self):
        return _zw_hook(self)

    def execute(self, context: Any) -> None:
        _bind_paid_products(self, context, self.payback_task_id)
        return super().execute(context)


def _summary_key(outcome: dict) -> str:
    key = f"payback-summary:{outcome['run_day']}"
    # a run that pays a late day (a blocked product fixed, its day's run missed) has news of its own
    late = sorted(p["product_code"] for p in outcome["late"] if p["paid"] and p["new_orders"])
    unpaid = sorted(p["product_code"] for p in outcome["unpaid"])
    # a day whose outcome changes (a blocked product paid after a fix) gets its own, final mail
    return key + (f":late:{','.join(late)}" if late else "") + (f":unpaid:{','.join(unpaid)}" if unpaid else "")


def _late_days(outcome: dict) -> dict[str, list[dict]]:
    days: dict[str, list[dict]] = {}
    for product in outcome["late"]:
        days.setdefault(product["maturity_date"], []).append(product)
    return dict(sorted(days.items()))


def _late_line(product: dict, unpaid: dict[int, dict]) -> str:
    if product["paid"]:
        done = (f"now paid ({product['new_orders']} new order(s))" if product["new_orders"]
                else "paid (by an earlier run)")
        return f"{product['product_code']}: {done}"
    return f"{product['product_code']}: still NOT PAID: {unpaid[product['product_id']]['missing']}"


def render_summary(outcome: dict, rows: list) -> tuple[str, str, bytes]:
    """Subject, HTML body and CSV attachment of the operations summary."""
    from ..domain.money import format_yuan

    day = outcome["run_day"]
    total = sum(r.amount_fen for r in rows)
    orders = sum(r.orders for r in rows)
    subject = (f"HJS maturity payback {day}: {outcome['paid']}/{outcome['products']} product(s) paid, "
               f"{orders} order(s), {format_yuan(total)} yuan")
    late_days = _late_days(outcome)
    if late_days:
        subject += " - LATE: " + "; ".join(
            f"{maturity} ({products[0]['days_late']} day(s) late): {', '.join(p['product_code'] for p in products)}"
            for maturity, products in late_days.items())
    if outcome["unpaid"]:
        subject += f" - {len(outcome['unpaid'])} product(s) NOT PAID"
    cells = "".join(
        f"<tr><td>{r.maturity_date}</td><td>{html.escape(r.product_code)}</td><td>{r.destination}</td>"
        f"<td align=right>{r.orders}</td>"
        f"<td align=right>{format_yuan(r.principal_fen)}</td><td align=right>{format_yuan(r.interest_fen)}</td>"
        f"<td align=right>{format_yuan(r.boost_fen)}</td><td align=right>{format_yuan(r.amount_fen)}</td></tr>"
        for r in rows)
    by_destination = {}
    for r in rows:
        n, fen = by_destination.get(r.destination, (0, 0))
        by_destination[r.destination] = (n + r.orders, fen + r.amount_fen)
    totals = "".join(f"<li>{dest}: {n} order(s), {format_yuan(fen)} yuan</li>"
                     for dest, (n, fen) in sorted(by_destination.items()))
    unpaid_by_id = {p["product_id"]: p for p in outcome["unpaid"]}
    unpaid = "".join(f"<li><b>{html.escape(p['product_code'])}</b> (maturity {p['maturity_date']}"
                     f"{', ' + str(p['days_late']) + ' day(s) late' if p['days_late'] else ''}): "
                     f"{html.escape(p['missing'])}</li>" for p in outcome["unpaid"])
    body = f"<h3>HJS maturity payback, run of {day}</h3>"
    if late_days:
        items = "".join(
            f"<li><b>{maturity}</b>, {products[0]['days_late']} day(s) late (that day's payback run was missed or "
            "stopped):<ul>" + "".join(f"<li>{html.escape(_late_line(p, unpaid_by_id))}</li>" for p in products)
            + "</ul></li>" for maturity, products in late_days.items())
        body += f"<h4>LATE maturity days paid by this run</h4><ul>{items}</ul>"
    body += (f"<p>{outcome['products']} product(s) due by {day}; {outcome['paid']} paid. Payback orders (status "
             f"SELL_SUCCESS) are paid out by the payment system's batch.</p>"
             f"<ul>{totals}</ul>"
             "<table border=1 cellpadding=3><tr><th>maturity date</th><th>product</th><th>destination</th>"
             "<th>orders</th><th>principal</th><th>interest</th><th>boost interest</th><th>amount</th></tr>"
             f"{cells}</table>")
    if unpaid:
        body += ("<h4>NOT PAID (nothing written for these products; every later run tries again and fails until "
                 f"they are fixed)</h4><ul>{unpaid}</ul>")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["maturity_date", "product_code", "destination", "orders", "principal", "interest",
                     "boost_interest", "amount"])
    for r in rows:
        writer.writerow([r.maturity_date, r.product_code, r.destination, r.orders, format_yuan(r.principal_fen),
                         format_yuan(r.interest_fen), format_yuan(r.boost_fen), format_yuan(r.amount_fen)])
    return subject, body, out.getvalue().encode("utf-8")


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
        from ..notices import Attachment, Notice, recipients, send_once
        from ..payback import summary_rows

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
            rows = summary_rows(conn, [*outcome["paid_product_ids"]])
            subject, body, attachment = render_summary(outcome, rows)
            notice = Notice(key=_summary_key(outcome), kind="PAYBACK_SUMMARY", to=recipients(self.to),
                            subject=subject, html=body,
                            attachments=[Attachment(f"payback-{outcome['run_day']}.csv", attachment)])
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


# What the deadline alert says the run is doing, from its Airflow state.
_RUN_STATE_WORDS = {"success": "FINISHED", "failed": "FAILED"}


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


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


def render_deadline_alert(run: dict, state: str, state_is_live: bool, due: list | str, deadline: str,
                          deadline_at: datetime | None) -> tuple[str, str]:
    """Subject and HTML body of the deadline alert, from the facts only: when the run was created, its
    state, and what zw still has unpaid."""
    from ..dag_defaults import TIMEZONE

    run_id = run.get("dag_run_id") or run.get("run_id") or "?"
    logical = _moment(run.get("logical_date")) or _moment(run.get("run_after"))
    day = logical.astimezone(TIMEZONE).date() if logical else None
    # the latest of when it was asked for, queued and started: after the deadline, it began too late to make it
    began = max((m for m in map(_moment, (run.get("run_after"), run.get("queued_at"), run.get("start_date"))) if m),
                default=None)
    started_late = bool(began and deadline_at and began > deadline_at)
    finished = state in _RUN_STATE_WORDS
    facts = []
    if started_late:
        facts.append(f"STARTED LATE ({began.astimezone(TIMEZONE):%Y-%m-%d %H:%M}, after its "
                     f"{deadline or 'deadline'})")
    if finished:
        facts.append(f"{_RUN_STATE_WORDS[state]}" + ("" if started_late else f" after {deadline or 'its deadline'}"))
    elif state_is_live:
        facts.append(f"NOT FINISHED by {deadline or 'its deadline'} (state {state})")
    else:
        facts.append(f"not finished when its {deadline or 'deadline'} passed (state then: {state})")
    if isinstance(due, str):
        facts.append(due)
    elif due:
        facts.append(f"{len(due)} product(s) due by {day} NOT PAID")
    else:
        facts.append(f"every product due by {day} is paid")
    subject = f"HJS maturity payback {day}: run {run_id} " + ", ".join(facts)
    unpaid = "" if isinstance(due, str) or not due else "<ul>" + "".join(
        f"<li>{html.escape(code)} (id {pid}), maturity {maturity}</li>" for pid, code, maturity in due) + "</ul>"
    if finished and not due:
        todo = "Nothing to do for the payback itself; users were paid later than promised."
    elif finished:
        todo = ("Open the run: fail_if_products_unpaid names each product and what is missing; fix it and rerun "
                "the day (reruns write nothing twice) or let the next run pay it.")
    else:
        todo = ("Open the run in Airflow, see which task is waiting or failed, fix and rerun it (reruns write "
                "nothing twice).")
    body = (f"<p>The <b>hjs_maturity_payback</b> run <code>{html.escape(str(run_id))}</code> (day {day}, logical "
            f"date {html.escape(str(run.get('logical_date')))}) missed its deadline ({html.escape(deadline)}). "
            f"{html.escape('; '.join(facts))}.</p>{unpaid}"
            f"<p>Run state {'now, from Airflow' if state_is_live else 'when the deadline passed'}: "
            f"{html.escape(state)}. {todo}</p>")
    return subject, body


async def alert_payback_deadline_missed(*, to_variable: str = "hjs_ops_email", smtp_conn_id: str = SMTP_CONN_ID,
                                        zw_conn_id: str = ZW_CONN_ID, deadline: str = "",
                                        context: dict | None = None) -> str:
    """Deadline callback (runs in the triggerer): the run missed its deadline. Says what is true now:
    a run created after its deadline started late; a finished run is reported finished, not unfinished;
    and zw says which products due by the run's day are still unpaid."""
    from ..dag_defaults import TIMEZONE

    # The triggerer passes the run as Airflow's DAGRunResponse dumped to JSON, taken when the deadline
    # passed (so a run created after its deadline is always "queued" or "running" in it).
    context = context or {}
    run = context.get("dag_run") or {}
    deadline_at = _moment((context.get("deadline") or {}).get("deadline_time"))
    run_id = run.get("dag_run_id") or run.get("run_id") or "?"
    logical = _moment(run.get("logical_date")) or _moment(run.get("run_after"))

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
