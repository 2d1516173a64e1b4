"""Operators of the T-3 trial reconciliation (dags/hjs_trial_reconciliation.py), one unit of work each.

Every operator reads the run's settings from the DAG params (offset_days, tolerance_fen,
drift_per_asset_fen, batch_size, resend_settlement_notice), builds its hooks in execute() and calls the
plain-Python trial package (hjs_operators.trial); data between tasks lives in zw tables keyed by the
run id, XCom carries only product ids and counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from airflow.providers.standard.operators.branch import BaseBranchOperator
from airflow.sdk import BaseOperator

from ..dag_defaults import HJS_CONN_ID, SMTP_CONN_ID, ZW_CONN_ID
from ..run_dates import run_day
from ..settings import (
    DRIFT_PER_ASSET_FEN,
    OPS_EMAIL_VARIABLE,
    PARTNER_EMAIL_VARIABLE,
    REPORT_BASE_VARIABLE,
    TOLERANCE_FEN,
    TRIAL_BATCH_SIZE,
    TRIAL_OFFSET_DAYS,
)
from ..trial.questions import ACCEPT

DEFAULTS = {"offset_days": TRIAL_OFFSET_DAYS, "tolerance_fen": TOLERANCE_FEN,
            "drift_per_asset_fen": DRIFT_PER_ASSET_FEN, "batch_size": TRIAL_BATCH_SIZE}


def setting(context: Any, name: str) -> Any:
    value = (context.get("params") or {}).get(name, DEFAULTS.get(name))
    return DEFAULTS[name] if value is None else value


def maturity_date(context: Any) -> date:
    """The run's target date: run day + offset. The run takes every product maturing on or before it."""
    return run_day(context) + timedelta(days=int(setting(context, "offset_days")))


def _zw(conn_id: str):
    """A psycopg 3 connection to zw (ZwHook: every extra of the Airflow connection honoured)."""
    from ..hooks.zw import ZwHook

    return ZwHook(conn_id).get_conn()


def _hjs_client(conn_id: str):
    from ..hooks.hjs import HjsHook

    return HjsHook(hjs_conn_id=conn_id).get_conn()


def _run_id(context: Any) -> str:
    return context["run_id"]


class _TrialOperator(BaseOperator):
    ui_color = "#eef3fb"

    def __init__(self, *, zw_conn_id: str = ZW_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zw_conn_id = zw_conn_id


class SelectTrialProductsOperator(_TrialOperator):
    """Every product maturing on or before run day + offset whose holders still wait for their sell
    records (missed days and still-held products included), as batches of ids for the next tasks."""

    def execute(self, context: Any) -> list[list[int]]:
        from ..trial.products import accepted_products, batches, select_products

        target = maturity_date(context)
        conn = _zw(self.zw_conn_id)
        try:
            products = select_products(conn, target)
            accepted = accepted_products(conn, target)
        finally:
            conn.close()
        late = [p for p in products if p.maturity_date < target]
        self.log.info("target maturity date %s: %d product(s) to reconcile in %s batch(es)", target, len(products),
                      -(-len(products) // int(setting(context, "batch_size"))))
        for p in late:
            self.log.warning("LATE: product %s matures on %s, its T-3 day has passed: reconciled by this run",
                             p.product_code, p.maturity_date)
        for a in accepted:
            self.log.info("product %s was accepted with zw's amounts by %s at %s (run %s): nothing to ask",
                          a.product_code, a.decided_by, a.decided_at, a.run_id)
        return batches([p.id for p in products], int(setting(context, "batch_size")))


class _BatchOperator(_TrialOperator):
    template_fields: Sequence[str] = ("product_ids",)

    def __init__(self, *, product_ids: list[int], hjs_conn_id: str = HJS_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.product_ids = product_ids
        self.hjs_conn_id = hjs_conn_id


class CloseProductTransfersOperator(_BatchOperator):
    """Close the secondary market of each product of the batch, at HJS and on zw (pending transfers
    registered first), so the holdings reconciled next cannot change. Idempotent per product. A product
    that cannot be closed is logged and left open at HJS; fetch_amounts then holds it with the reason."""

    def execute(self, context: Any) -> dict[str, int]:
        from ..secondary_market.close import close_products

        conn = _zw(self.zw_conn_id)
        try:
            with _hjs_client(self.hjs_conn_id) as client:
                return close_products(conn, client, [int(p) for p in self.product_ids], run_id=_run_id(context))
        finally:
            conn.close()


class FetchMaturityAmountsOperator(_BatchOperator):
    """Read HJS's maturity amounts of each product of the batch (50 a page) into hjs_amount_snapshot. A
    product whose fetch fails for good is recorded FAILED (and held by the comparison); the others go on."""

    def execute(self, context: Any) -> dict[str, int]:
        from ..trial.products import products_by_id
        from ..trial.snapshot import fetch_products

        conn = _zw(self.zw_conn_id)
        try:
            products = products_by_id(conn, [int(p) for p in self.product_ids])
            with _hjs_client(self.hjs_conn_id) as client:
                results = fetch_products(conn, client, run_id=_run_id(context),
                                         products={pid: code for pid, (code, _c, _d) in products.items()})
        finally:
            conn.close()
        return {"products": len(results), "records": sum(r.records for r in results),
                "bad_records": sum(r.bad_records for r in results),
                "failed": sum(r.status == "FAILED" for r in results)}


class CompareProductsOperator(_BatchOperator):
    """Compare zw's amounts with the run's snapshot for the batch; record SETTLE/HOLD per product and an
    exception row per asset of a held product."""

    def execute(self, context: Any) -> dict[str, Any]:
        from ..trial.outcome import compare_and_record

        conn = _zw(self.zw_conn_id)
        try:
            result = compare_and_record(
                conn, _run_id(context), [int(p) for p in self.product_ids],
                tolerance_fen=int(setting(context, "tolerance_fen")),
                drift_per_asset_fen=int(setting(context, "drift_per_asset_fen")))
        finally:
            conn.close()
        return {"settle": len(result.settle), "hold": len(result.hold), "counts": result.counts}


def _report_base():
    """The report store's root: the Variable hjs_report_base (any ObjectStoragePath URL), by default
    $AIRFLOW_HOME/reports."""
    from airflow.sdk import ObjectStoragePath, Variable

    from ..trial.report_store import default_report_base

    return ObjectStoragePath(Variable.get(REPORT_BASE_VARIABLE, default=default_report_base()))


class BuildTrialReportOperator(_TrialOperator):
    """Write the run's reconciliation report (report.html, products.csv, exceptions.csv) where operators
    open it (the console) and the e-mails attach it from."""

    def execute(self, context: Any) -> dict[str, Any]:
        from ..trial.report_store import store_report

        conn = _zw(self.zw_conn_id)
        try:
            report, folder = store_report(conn, _report_base(), _run_id(context), maturity_date(context))
        finally:
            conn.close()
        self.log.info("report in %s: %d settled, %d held (%s); counts %s", folder, report.settled, len(report.held),
                      ", ".join(report.held), report.counts)
        return {"folder": folder, "settled": report.settled, "held": len(report.held)}


class EmailLateProductsOperator(_TrialOperator):
    """One e-mail to operations naming every product this run reconciled after its T-3 day (a missed
    day, or a product still held), its maturity date, how close it is and what this run concluded."""

    def __init__(self, *, smtp_conn_id: str = SMTP_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow.sdk import Variable

        from ..notices import recipients, send_once
        from ..trial.late import late_notice, late_products

        conn = _zw(self.zw_conn_id)
        try:
            late = late_products(conn, _run_id(context), maturity_date(context))
            if not late:
                self.log.info("no late product: every product of this run is on its T-3 day")
                return {"late": 0, "sent": False}
            notice = late_notice(late, run_day=run_day(context), offset_days=int(setting(context, "offset_days")),
                                 run_id=_run_id(context), to=recipients(Variable.get(OPS_EMAIL_VARIABLE)))
            sent = send_once(conn, notice, smtp_conn_id=self.smtp_conn_id, run_id=_run_id(context))
        finally:
            conn.close()
        for p in late:
            self.log.warning("LATE: %s maturing %s: %s", p.product_code, p.maturity_date, p.state())
        return {"late": len(late), "sent": sent}


class RouteTrialOperator(BaseBranchOperator):
    """Branch: settle_matched when some product is all-MATCH, alert_held when some product is held."""

    def __init__(self, *, settle_task_id: str, hold_task_id: str, zw_conn_id: str = ZW_CONN_ID, **kwargs: Any):
        super().__init__(**kwargs)
        self.settle_task_id = settle_task_id
        self.hold_task_id = hold_task_id
        self.zw_conn_id = zw_conn_id

    def choose_branch(self, context: Any) -> list[str]:
        from ..trial.outcome import HOLD, SETTLE, products_with_outcome

        conn = _zw(self.zw_conn_id)
        try:
            settle = products_with_outcome(conn, _run_id(context), SETTLE)
            hold = products_with_outcome(conn, _run_id(context), HOLD)
        finally:
            conn.close()
        branches = ([self.settle_task_id] if settle else []) + ([self.hold_task_id] if hold else [])
        self.log.info("%d product(s) to settle, %d held -> %s", len(settle), len(hold), branches or "nothing to do")
        return branches


class SettleMatchedProductsOperator(_TrialOperator):
    """Sell records with zw's amounts for every product of the run that matched entirely (each product
    all or nothing); the assets move to SELL_CONFIRMED. Products another run sold meanwhile count as
    done. Fails naming any product it could not sell, after selling all the others."""

    def execute(self, context: Any) -> dict[str, int]:
        from ..trial.outcome import SETTLE, products_with_outcome
        from ..trial.sell import settle_products

        conn = _zw(self.zw_conn_id)
        try:
            ids = products_with_outcome(conn, _run_id(context), SETTLE)
            result = settle_products(conn, _run_id(context), ids, tolerance_fen=int(setting(context, "tolerance_fen")),
                                     drift_per_asset_fen=int(setting(context, "drift_per_asset_fen")))
        finally:
            conn.close()
        if result.failed:
            raise RuntimeError(f"{len(result.failed)} product(s) not sold (the others are): "
                               + "; ".join(f"product id {pid}: {why}" for pid, why in sorted(result.failed.items())))
        return {"products": len(result.sold), "sell_records_written": result.inserted}


def _announce(conn, context: Any, *, smtp_conn_id: str, target: date, attachments=(), resend_date=None):
    from airflow.sdk import Variable

    from ..notices import recipients
    from ..trial.settlement import announce_settled, held_products

    return announce_settled(conn, target_date=target, run_id=_run_id(context),
                            to=recipients(Variable.get(PARTNER_EMAIL_VARIABLE)), smtp_conn_id=smtp_conn_id,
                            held=held_products(conn, _run_id(context)), attachments=attachments,
                            resend_date=resend_date)


class SendSettlementNoticeOperator(_TrialOperator):
    """Tell HJS what to fund: for every settled product not yet announced (this run's, and any a late
    settle, an acceptance or a failed send left behind), one e-mail per maturity date with a CSV: the
    date's notice, or an addendum once the notice went out. Recorded per product, so a rerun sends
    nothing; the run param resend_settlement_notice sends the target date's notice again."""

    def __init__(self, *, smtp_conn_id: str = SMTP_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        from ..trial.report_store import report_attachments

        target = maturity_date(context)
        conn = _zw(self.zw_conn_id)
        try:
            _folder, attachments = report_attachments(conn, _report_base(), _run_id(context), target)
            sent = _announce(conn, context, smtp_conn_id=self.smtp_conn_id, target=target, attachments=attachments,
                             resend_date=target if setting(context, "resend_settlement_notice") else None)
        finally:
            conn.close()
        for notice in sent:
            self.log.info("%s %s: %s", "sent" if notice.sent else "already sent (another run)", notice.key,
                          ", ".join(notice.products))
        if not sent:
            self.log.info("nothing new to announce to HJS up to maturity date %s", target)
        return {"notices": [n.key for n in sent if n.sent]}


class AlertHeldProductsOperator(_TrialOperator):
    """Ask about each held product once: claim its question (another run of the same date may hold it
    already), e-mail operations about the products this run asks about, and return one entry per such
    product for the decision tasks."""

    def __init__(self, *, smtp_conn_id: str = SMTP_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from airflow.sdk import Variable
        from airflow.sdk.configuration import conf

        from ..notices import recipients
        from ..trial.alerts import alert_held_products

        conn = _zw(self.zw_conn_id)
        try:
            # the console is served by the api-server: without api.base_url its links stay relative
            alert = alert_held_products(conn, run_id=_run_id(context), run_day=run_day(context),
                                        maturity_date=maturity_date(context), report_base=_report_base(),
                                        console_base_url=conf.get("api", "base_url", fallback=None) or "",
                                        to=lambda: recipients(Variable.get(OPS_EMAIL_VARIABLE)),
                                        smtp_conn_id=self.smtp_conn_id)
        finally:
            conn.close()
        for product_id, decision in alert.claims.accepted.items():
            self.log.info("product %s: accepted by %s at %s (run %s) meanwhile: nothing to ask", product_id,
                          decision.decided_by, decision.decided_at, decision.run_id)
        for product_id, (run, asked_at) in alert.claims.open_elsewhere.items():
            self.log.info("product %s: its question is open in run %s since %s: not asked again", product_id, run,
                          asked_at)
        return alert.questions


class ApplyHoldDecisionOperator(_TrialOperator):
    """Apply what a person decided about a held product: accepting writes every current holder's sell
    record with zw's amounts and the decision in one transaction, then announces the product to HJS;
    keeping records the answer. An answer for a product already accepted changes nothing. The run's
    stored report is then rewritten so it shows the decision."""

    template_fields: Sequence[str] = ("product_id", "decision")

    def __init__(self, *, product_id: Any, decision: Any, smtp_conn_id: str = SMTP_CONN_ID, **kwargs: Any):
        super().__init__(**kwargs)
        self.product_id = product_id
        self.decision = decision
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from ..trial.decisions import ACCEPT_ZW, DecisionRefused, accept_zw_amounts, decision_from_hitl, keep_holding
        from ..trial.report_store import store_report

        product_id = int(self.product_id)
        decision, decided_by, comment = decision_from_hitl(self.decision, accept_option=ACCEPT)
        apply = accept_zw_amounts if decision == ACCEPT_ZW else keep_holding
        conn = _zw(self.zw_conn_id)
        try:
            try:
                applied = apply(conn, product_id=product_id, run_id=_run_id(context), decided_by=decided_by,
                                comment=comment)
            except DecisionRefused as refused:
                raise AirflowFailException(str(refused)) from None  # the same data gives the same refusal
            stands = applied.decision
            if not applied.recorded_now and stands.decision == ACCEPT_ZW:
                self.log.warning("product %s was already accepted by %s at %s (run %s): this answer (%s by %s) "
                                 "changes nothing", applied.product_code, stands.decided_by, stands.decided_at,
                                 stands.run_id, decision, decided_by)
            else:
                self.log.info("product %s: %s by %s", applied.product_code, stands.decision, stands.decided_by)
            if stands.decision == ACCEPT_ZW:
                _announce(conn, context, smtp_conn_id=self.smtp_conn_id, target=applied.maturity_date)
            # the stored report shows the decision (the same files rewritten)
            store_report(conn, _report_base(), _run_id(context), maturity_date(context))
        finally:
            conn.close()
        return {"product_id": product_id, "decision": stands.decision, "decided_by": stands.decided_by,
                "sell_records_written": applied.sell_records_written}
