"""Operators of the T-3 trial reconciliation (dags/hjs_trial_reconciliation.py), one unit of work each.

Every operator reads the run's settings from the DAG params (offset_days, tolerance_fen,
drift_per_asset_fen, batch_size, resend_settlement_notice), builds its hooks in execute() and calls the
plain-Python trial package (hjs_operators.trial); data between tasks lives in zw tables keyed by the
run id, XCom carries only product ids and counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from airflow.providers.standard.operators.branch import BaseBranchOperator
from airflow.sdk import BaseOperator

from ..dag_defaults import HJS_CONN_ID, SMTP_CONN_ID, ZW_CONN_ID
from ..run_dates import run_day

REPORT_BASE_VARIABLE = "hjs_report_base"
ACCEPT = "Accept zw amounts"
KEEP = "Keep holding"
DEFAULTS = {"offset_days": 3, "tolerance_fen": 5, "drift_per_asset_fen": 1, "batch_size": 50}
SELL_CHUNK = 200  # products loaded, compared and sold per round in the settle task


def setting(context: Any, name: str) -> Any:
    value = (context.get("params") or {}).get(name, DEFAULTS.get(name))
    return DEFAULTS[name] if value is None else value


def maturity_date(context: Any) -> date:
    return run_day(context) + timedelta(days=int(setting(context, "offset_days")))


_PG_OPTIONS = ("sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl", "connect_timeout", "options",
               "application_name", "keepalives", "keepalives_idle")


def _zw_conn(conn_id: str):
    """A psycopg2 connection to zw from the Airflow connection. The trial package relies on psycopg2:
    COPY through copy_expert, and `with conn:` as one transaction (psycopg 3's `with conn:` closes the
    connection, and PostgresHook hands out psycopg 3 under SQLAlchemy 2)."""
    import psycopg2
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    extra = conn.extra_dejson or {}
    options = {name: extra[name] for name in _PG_OPTIONS if name in extra}
    return psycopg2.connect(host=conn.host, port=conn.port or 5432, dbname=conn.schema, user=conn.login,
                            password=conn.password or None, **options)


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
    """The products maturing on run day + offset, as batches of ids (the map of the next tasks)."""

    def execute(self, context: Any) -> list[list[int]]:
        from ..trial.products import batches, select_products

        day = maturity_date(context)
        conn = _zw_conn(self.zw_conn_id)
        try:
            products = select_products(conn, day)
        finally:
            conn.close()
        result = batches([p.id for p in products], int(setting(context, "batch_size")))
        self.log.info("maturity date %s: %d product(s) in %d batch(es): %s", day, len(products), len(result),
                      ", ".join(p.product_code for p in products[:20]) + (" ..." if len(products) > 20 else ""))
        return result


class _BatchOperator(_TrialOperator):
    template_fields: Sequence[str] = ("product_ids",)

    def __init__(self, *, product_ids: list[int], hjs_conn_id: str = HJS_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.product_ids = product_ids
        self.hjs_conn_id = hjs_conn_id


class CloseProductTransfersOperator(_BatchOperator):
    """Close the secondary market of each product of the batch, at HJS and on zw (pending transfers
    registered first), so the holdings reconciled next cannot change. Idempotent per product."""

    def execute(self, context: Any) -> dict[str, int]:
        from ..secondary_market.close import close_product_transfers

        conn = _zw_conn(self.zw_conn_id)
        refused = 0
        try:
            with _hjs_client(self.hjs_conn_id) as client:
                for done, product_id in enumerate(self.product_ids, start=1):
                    result = close_product_transfers(conn, client, int(product_id), run_id=_run_id(context))
                    refused += len(result.refused)
                    self.log.info("close %d/%d: %s", done, len(self.product_ids), result.summary())
        finally:
            conn.close()
        return {"closed": len(self.product_ids), "refused_transfers": refused}


class FetchMaturityAmountsOperator(_BatchOperator):
    """Read HJS's maturity amounts of each product of the batch (50 a page) into hjs_amount_snapshot."""

    def execute(self, context: Any) -> dict[str, int]:
        from ..trial.products import products_by_id
        from ..trial.snapshot import fetch_product

        conn = _zw_conn(self.zw_conn_id)
        counts = {"products": 0, "records": 0, "bad_records": 0, "failed": 0}
        try:
            products = products_by_id(conn, [int(p) for p in self.product_ids])
            with _hjs_client(self.hjs_conn_id) as client:
                for done, product_id in enumerate(sorted(products), start=1):
                    code = products[product_id][0]
                    result = fetch_product(conn, client, run_id=_run_id(context), product_id=product_id,
                                           product_code=code)
                    counts["products"] += 1
                    counts["records"] += result.records
                    counts["bad_records"] += result.bad_records
                    counts["failed"] += result.status == "FAILED"
                    self.log.info("fetched %d/%d products (%d records so far)", done, len(products), counts["records"])
        finally:
            conn.close()
        return counts


class CompareProductsOperator(_BatchOperator):
    """Compare zw's amounts with the run's snapshot for the batch; record SETTLE/HOLD per product and an
    exception row per asset of a held product."""

    def execute(self, context: Any) -> dict[str, Any]:
        from ..trial.outcome import compare_and_record

        conn = _zw_conn(self.zw_conn_id)
        try:
            result = compare_and_record(
                conn, _run_id(context), [int(p) for p in self.product_ids],
                tolerance_fen=int(setting(context, "tolerance_fen")),
                drift_per_asset_fen=int(setting(context, "drift_per_asset_fen")))
        finally:
            conn.close()
        return {"settle": len(result.settle), "hold": len(result.hold), "counts": result.counts}


def report_base() -> str:
    import os

    from airflow.sdk import Variable

    default = "file://" + os.path.join(os.environ.get("AIRFLOW_HOME", os.path.expanduser("~/airflow")), "reports")
    return Variable.get(REPORT_BASE_VARIABLE, default=default)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def build_and_store_report(conn, context: Any):
    """Build the run's report from zw and write report.csv / report.html under the report base."""
    from airflow.sdk import ObjectStoragePath

    from ..trial.report import build_report

    day = maturity_date(context)
    report = build_report(conn, _run_id(context), day)
    folder = ObjectStoragePath(report_base()) / "trial" / day.isoformat() / _safe(_run_id(context))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.csv").write_bytes(report.csv)
    (folder / "report.html").write_bytes(report.html.encode("utf-8"))
    return report, str(folder)


class BuildTrialReportOperator(_TrialOperator):
    """Write the run's reconciliation report (CSV + HTML) where operators can open it."""

    def execute(self, context: Any) -> dict[str, Any]:
        conn = _zw_conn(self.zw_conn_id)
        try:
            report, folder = build_and_store_report(conn, context)
        finally:
            conn.close()
        self.log.info("report in %s: %d settled, %d held (%s); counts %s", folder, report.settled, len(report.held),
                      ", ".join(report.held), report.counts)
        return {"folder": folder, "settled": report.settled, "held": len(report.held)}


class RouteTrialOperator(BaseBranchOperator):
    """Branch: settle_matched when some product is all-MATCH, alert_held when some product is held."""

    def __init__(self, *, settle_task_id: str, hold_task_id: str, zw_conn_id: str = ZW_CONN_ID, **kwargs: Any):
        super().__init__(**kwargs)
        self.settle_task_id = settle_task_id
        self.hold_task_id = hold_task_id
        self.zw_conn_id = zw_conn_id

    def choose_branch(self, context: Any) -> list[str]:
        from ..trial.outcome import HOLD, SETTLE, products_with_outcome

        conn = _zw_conn(self.zw_conn_id)
        try:
            settle = products_with_outcome(conn, _run_id(context), SETTLE)
            hold = products_with_outcome(conn, _run_id(context), HOLD)
        finally:
            conn.close()
        branches = ([self.settle_task_id] if settle else []) + ([self.hold_task_id] if hold else [])
        self.log.info("%d product(s) to settle, %d held -> %s", len(settle), len(hold), branches or "nothing to do")
        return branches


def sell_products(conn, run_id: str, product_ids: list[int], *, only_match: bool, tolerance_fen: int,
                  drift_per_asset_fen: int, log) -> tuple[list[int], dict[int, str], int]:
    """Load, compare again and sell the products (each in its own transaction). A product that no longer
    compares clean (only_match) is not sold and reported in `failed`."""
    from ..trial.outcome import compare_products
    from ..trial.sell import rows_to_sell, write_sell_records

    sold, failed, inserted = [], {}, 0
    for start in range(0, len(product_ids), SELL_CHUNK):
        chunk = product_ids[start:start + SELL_CHUNK]
        comparison, zw, hjs = compare_products(conn, run_id, chunk, tolerance_fen=tolerance_fen,
                                               drift_per_asset_fen=drift_per_asset_fen)
        if only_match:
            changed = set(comparison.held_products()) & set(chunk)
            for product_id in sorted(changed):
                failed[product_id] = "no longer compares clean (the data changed since the comparison)"
            chunk = [p for p in chunk if p not in changed]
        rows = rows_to_sell(zw, comparison.assets, hjs, only_match=only_match)
        rows = rows[rows["product_id"].isin(chunk)]
        result = write_sell_records(conn, run_id, rows)
        sold += result.sold
        failed.update(result.failed)
        inserted += result.inserted
        log.info("sold %d/%d products (%d new sell record(s))", len(sold), len(product_ids), inserted)
    return sold, failed, inserted


class SettleMatchedProductsOperator(_TrialOperator):
    """Sell records with zw's amounts for every product of the run that matched entirely (each product
    all or nothing); the assets move to SELL_CONFIRMED. Fails naming any product it could not sell, after
    selling all the others."""

    def execute(self, context: Any) -> dict[str, int]:
        from ..trial.outcome import SETTLE, products_with_outcome

        conn = _zw_conn(self.zw_conn_id)
        try:
            ids = products_with_outcome(conn, _run_id(context), SETTLE)
            sold, failed, inserted = sell_products(
                conn, _run_id(context), ids, only_match=True, tolerance_fen=int(setting(context, "tolerance_fen")),
                drift_per_asset_fen=int(setting(context, "drift_per_asset_fen")), log=self.log)
        finally:
            conn.close()
        if failed:
            raise RuntimeError(f"{len(failed)} product(s) not sold (the others are): "
                               + "; ".join(f"{pid}: {why}" for pid, why in sorted(failed.items())))
        return {"products": len(sold), "sell_records_written": inserted}


def _report_attachments(conn, context: Any):
    from ..notices import Attachment

    report, folder = build_and_store_report(conn, context)
    day = maturity_date(context).isoformat()
    return report, folder, [Attachment(f"trial-{day}-report.csv", report.csv),
                            Attachment(f"trial-{day}-report.html", report.html.encode("utf-8"))]


class SendSettlementNoticeOperator(_TrialOperator):
    """One e-mail to HJS per maturity date: per product, what to fund to balance accounts and to bank
    cards, with a CSV. Recorded in notice_sent: a rerun sends nothing unless the run param
    resend_settlement_notice is true."""

    def __init__(self, *, smtp_conn_id: str = SMTP_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow.sdk import Variable

        from ..notices import Attachment, Notice, recipients, send_once
        from ..trial.settlement import funding_csv, funding_for, funding_html, held_products, notice_key

        day = maturity_date(context)
        conn = _zw_conn(self.zw_conn_id)
        try:
            rows = funding_for(conn, day)
            if not rows:
                self.log.info("maturity date %s: no sell records, so nothing to fund; no notice sent", day)
                return {"sent": False, "products": 0}
            held = held_products(conn, _run_id(context))
            _report, _folder, attachments = _report_attachments(conn, context)
            notice = Notice(
                key=notice_key(day), kind="settlement", to=recipients(Variable.get("hjs_partner_email")),
                subject=f"zw settlement for maturity date {day.isoformat()}: {len(rows)} product(s)",
                html=funding_html(day, rows, held),
                attachments=[Attachment(f"zw-settlement-{day.isoformat()}.csv", funding_csv(rows)), *attachments])
            sent = send_once(conn, notice, smtp_conn_id=self.smtp_conn_id, run_id=_run_id(context),
                             resend=bool(setting(context, "resend_settlement_notice")))
        finally:
            conn.close()
        return {"sent": sent, "products": len(rows), "held": len(held)}


class AlertHeldProductsOperator(_TrialOperator):
    """E-mail operations about the held products with the report attached (once per run), and return one
    entry per held product for the decision tasks."""

    def __init__(self, *, smtp_conn_id: str = SMTP_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from airflow.sdk import Variable

        from ..notices import Notice, recipients, send_once
        from ..trial.settlement import held_products

        day = maturity_date(context)
        conn = _zw_conn(self.zw_conn_id)
        try:
            held = held_products(conn, _run_id(context))
            report, folder, attachments = _report_attachments(conn, context)
            if held:
                codes = ", ".join(code for _id, code, _channel in held)
                send_once(conn, Notice(
                    key=f"trial-held:{_run_id(context)}", kind="trial-held",
                    to=recipients(Variable.get("hjs_ops_email")),
                    subject=f"T-3 trial {day.isoformat()}: {len(held)} product(s) held ({codes})",
                    html=(f"<p>The T-3 trial for maturity date {day.isoformat()} held {len(held)} product(s): "
                          f"{codes}. No sell records were written for them; the others proceed.</p>"
                          f"<p>Decide each one in the Airflow UI (DAG hjs_trial_reconciliation, run "
                          f"{_run_id(context)}, Required actions). The report is attached and stored in "
                          f"{folder}.</p>"),
                    attachments=attachments), smtp_conn_id=self.smtp_conn_id, run_id=_run_id(context))
        finally:
            conn.close()
        counts = report.counts
        return [{
            "product_id": product_id,
            "subject": f"T-3 trial {day.isoformat()}: product {code} ({channel}) is held",
            "body": (f"Product **{code}** (channel {channel}) did not reconcile with HJS for maturity date "
                     f"{day.isoformat()}. Run totals: " + ", ".join(f"{n} {name}" for name, n in counts.items() if n)
                     + f". The per-asset exceptions are in the report ({folder}) and in the table "
                     "reconciliation_exception of this run.\n\n"
                     f"**{ACCEPT}**: write sell records with zw's amounts and tell HJS in an addendum. "
                     f"**{KEEP}**: nothing is written; investigate with HJS and rerun the trial for this date."),
        } for product_id, code, channel in held]


class ApplyHoldDecisionOperator(_TrialOperator):
    """Record what a person decided about a held product (hold_decision, with who), and for an accepted
    product write its sell records with zw's amounts and send HJS an addendum for it."""

    template_fields: Sequence[str] = ("product_id", "decision")

    def __init__(self, *, product_id: Any, decision: Any, smtp_conn_id: str = SMTP_CONN_ID, **kwargs: Any):
        super().__init__(**kwargs)
        self.product_id = product_id
        self.decision = decision
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow.sdk import Variable

        from ..notices import Attachment, Notice, recipients, send_once
        from ..trial.decisions import decision_from_hitl, record_decision
        from ..trial.products import products_by_id
        from ..trial.settlement import funding_csv, funding_for, funding_html

        product_id = int(self.product_id)
        decision, decided_by, comment = decision_from_hitl(self.decision, accept_option=ACCEPT)
        conn = _zw_conn(self.zw_conn_id)
        try:
            stored = record_decision(conn, product_id=product_id, run_id=_run_id(context), decision=decision,
                                     decided_by=decided_by, comment=comment)
            code, _channel, day = products_by_id(conn, [product_id])[product_id]
            self.log.info("product %s: %s by %s", code, stored.decision, stored.decided_by)
            if stored.decision != "ACCEPT_ZW":
                return {"product_id": product_id, "decision": stored.decision, "sold": False}
            sold, failed, inserted = sell_products(
                conn, _run_id(context), [product_id], only_match=False,
                tolerance_fen=int(setting(context, "tolerance_fen")),
                drift_per_asset_fen=int(setting(context, "drift_per_asset_fen")), log=self.log)
            if failed:
                raise RuntimeError(f"product {code} accepted but not sold: {failed[product_id]}")
            rows = [r for r in funding_for(conn, day) if r.product_id == product_id]
            send_once(conn, Notice(
                key=f"settlement:{day.isoformat()}:{code}", kind="settlement-addendum",
                to=recipients(Variable.get("hjs_partner_email")),
                subject=f"zw settlement addendum for maturity date {day.isoformat()}: product {code}",
                html=funding_html(day, rows, [], addendum=True),
                attachments=[Attachment(f"zw-settlement-{day.isoformat()}-{code}.csv", funding_csv(rows))]),
                smtp_conn_id=self.smtp_conn_id, run_id=_run_id(context),
                resend=bool(setting(context, "resend_settlement_notice")))
        finally:
            conn.close()
        return {"product_id": product_id, "decision": "ACCEPT_ZW", "sold": True, "sell_records_written": inserted}
