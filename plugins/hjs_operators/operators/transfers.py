"""Transfer sync operators: register new transfers at HJS, check the market's rules, mail the report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseOperator

from ..dag_defaults import HJS_CONN_ID, SMTP_CONN_ID, ZW_CONN_ID
from ..run_dates import run_cutoff


class TransferSyncIncomplete(RuntimeError):
    """Some transfers could not be registered (HJS unavailable, untrusted answer): the task retries them."""


def _zw(conn_id: str):
    from ..hooks.zw import ZwHook

    return ZwHook(conn_id).get_conn()


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


class RegisterTransfersOperator(BaseOperator):
    """Register at HJS, exactly once, every transfer made before the run's data-interval end (and every
    older one still pending). Refusals are recorded and set aside; the task fails at the end, after
    doing everything else, if any transfer's registration is unfinished, so Airflow's retry (or the next
    run) finishes it. Returns the counts for XCom."""

    template_fields: Sequence[str] = ("zw_conn_id", "hjs_conn_id", "retry_refused")
    ui_color = "#e6eefc"

    def __init__(self, *, zw_conn_id: str = ZW_CONN_ID, hjs_conn_id: str = HJS_CONN_ID,
                 retry_refused: bool | str = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zw_conn_id = zw_conn_id
        self.hjs_conn_id = hjs_conn_id
        self.retry_refused = retry_refused

    def execute(self, context: Any) -> dict[str, int]:
        from ..hooks.hjs import HjsHook
        from ..secondary_market.registration import register_pending

        cutoff = run_cutoff(context)
        conn = _zw(self.zw_conn_id)
        try:
            with HjsHook(hjs_conn_id=self.hjs_conn_id).get_conn() as client:
                result = register_pending(conn, client, run_id=context["run_id"], cutoff=cutoff,
                                          retry_refused=_truthy(self.retry_refused))
        finally:
            conn.close()
        counts = result.counts()
        self.log.info("transfers made before %s: %s", cutoff.isoformat(), counts)
        for refusal in result.refused:
            self.log.warning("liquidation %d (%s, product %s) not registered: %s %s", refusal.liquidate_id,
                             refusal.transfer_no, refusal.product_code, refusal.code, refusal.reason)
        if result.unfinished:
            raise TransferSyncIncomplete(
                f"{len(result.unfinished)} transfer(s) not registered yet: " + "; ".join(
                    f"liquidation {u.liquidate_id} ({u.outcome}: {u.reason})" for u in result.unfinished[:20])
                + " - retried by this task's retries and by the next run (HJS is asked before re-sending)")
        return counts


class CheckTransferRulesOperator(BaseOperator):
    """Fail loudly, naming the package or transfer, if any package has more holders than shares or any
    transfer breaks the market's rules (whoever wrote it)."""

    template_fields: Sequence[str] = ("zw_conn_id",)
    ui_color = "#fbeaea"

    def __init__(self, *, zw_conn_id: str = ZW_CONN_ID, close_offset_days: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zw_conn_id = zw_conn_id
        self.close_offset_days = close_offset_days

    def execute(self, context: Any) -> None:
        from ..secondary_market.checks import check_holder_limit, check_transfer_rules
        from ..secondary_market.rules import CLOSE_OFFSET_DAYS

        conn = _zw(self.zw_conn_id)
        try:
            check_holder_limit(conn)
            check_transfer_rules(conn, self.close_offset_days or CLOSE_OFFSET_DAYS)
        finally:
            conn.close()
        self.log.info("every package within its holder limit; no transfer breaks the rules")


class SendTransferReportOperator(BaseOperator):
    """One e-mail per day to operations: this run's registrations, refused transfers with reasons, and the
    fees per channel of the last full day before the run's day (also as CSV): a run at 00:30 on day D
    reports day D-1, whose transfers it has just registered. Sent once per reported day (notice key),
    unless `resend` is true."""

    template_fields: Sequence[str] = ("zw_conn_id", "to", "resend")
    ui_color = "#eef7e6"

    def __init__(self, *, to: str, zw_conn_id: str = ZW_CONN_ID, smtp_conn_id: str = SMTP_CONN_ID,
                 resend: bool | str = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.to = to
        self.zw_conn_id = zw_conn_id
        self.smtp_conn_id = smtp_conn_id
        self.resend = resend

    def execute(self, context: Any) -> bool:
        from ..notices import Attachment, Notice, recipients, send_once
        from ..run_dates import run_day
        from ..secondary_market.report import build_report

        day = run_day(context) - timedelta(days=1)
        conn = _zw(self.zw_conn_id)
        try:
            report = build_report(conn, day=day, run_id=context["run_id"])
            notice = Notice(key=f"hjs_transfer_sync:{day}", kind="transfer_sync", to=recipients(self.to),
                            subject=report.subject(), html=report.html(),
                            attachments=(Attachment(f"transfer-fees-{day}.csv", report.csv()),))
            sent = send_once(conn, notice, smtp_conn_id=self.smtp_conn_id, run_id=context["run_id"],
                             resend=_truthy(self.resend))
        finally:
            conn.close()
        self.log.info("report for %s: %d refused transfer(s) listed, %d fee line(s); %s", day, len(report.set_aside),
                      len(report.fees), "sent" if sent else "already sent for this day, not sent again")
        return sent
