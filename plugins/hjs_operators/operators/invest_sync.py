"""Invest sync operators: plan the run's product batches, subscribe one batch at HJS (mapped, in the
hjs_api pool), and report the run's failures to operations (one e-mail per run).

Each operator stores its arguments, builds hooks in execute and hands the work to
hjs_operators.invest_sync (plain Python). The cutoff of a run is its data-interval end, never now().
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator

from ..dag_defaults import HJS_CONN_ID, SMTP_CONN_ID, ZW_CONN_ID
from ..run_dates import run_cutoff
from ..settings import OPS_EMAIL

DEFAULT_CONCURRENCY = 4


def _zw_connector(zw_conn_id: str):
    """A function returning new zw connections. The Airflow connection is read once, here, in the
    task's main thread (the worker threads only open sockets)."""
    from ..hooks.zw import ZwHook

    hook = ZwHook(zw_conn_id)
    hook.get_conn().close()  # reads and caches the connection; fails early and clearly if it is wrong
    return hook.get_conn


def _service(context: Any, *, zw_conn_id: str, hjs_conn_id: str, concurrency: int, progress_every: int = 500):
    from ..hooks.hjs import HjsHook
    from ..invest_sync.service import InvestSync

    config = HjsHook(hjs_conn_id).connection_config()
    return InvestSync(connect=_zw_connector(zw_conn_id), client_factory=config.build_client,
                      run_id=context["run_id"], cutoff=run_cutoff(context), concurrency=concurrency,
                      progress_every=progress_every)


class PlanInvestBatchesOperator(BaseOperator):
    """Find the products with assets waiting at the run's cutoff and cut them into batches of product
    ids for the mapped subscription task (at most 512 batches, well under max_map_length 1,024).
    Returns the batches: [{first_product_id, last_product_id, products}, ...] (small XCom)."""

    template_fields: Sequence[str] = ("zw_conn_id", "products_per_batch")
    ui_color = "#e8f0fb"

    def __init__(self, *, zw_conn_id: str = ZW_CONN_ID, products_per_batch: int = 25, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zw_conn_id = zw_conn_id
        self.products_per_batch = products_per_batch

    def execute(self, context: Any) -> list[dict[str, int]]:
        from ..invest_sync.service import plan_run

        cutoff = run_cutoff(context)
        conn = _zw_connector(self.zw_conn_id)()
        try:
            batches = plan_run(conn, cutoff, per_batch=int(self.products_per_batch))
        finally:
            conn.close()
        self.log.info("cutoff %s: %d product(s) with waiting assets, %d batch(es)", cutoff.isoformat(),
                      sum(b["products"] for b in batches), len(batches))
        return batches


class SubscribeInvestBatchOperator(BaseOperator):
    """Subscribe at HJS every waiting asset of one batch of products, exactly once.

    `concurrency` HJS calls are in flight at once (threads, each with its own HTTP session; one more
    thread with its own zw connection books what they get, in groups); the task takes that many slots
    of its pool (hjs_api), so the pool's size is the number of HJS calls in flight across all tasks.
    Business refusals and transient failures are recorded and counted, not raised; the task fails
    only when zw fails or HJS looks down (a long streak of transient failures), and its retry
    continues where it stopped. Returns the counts.
    """

    template_fields: Sequence[str] = ("batch", "zw_conn_id", "hjs_conn_id")
    ui_color = "#e3f1e8"

    def __init__(self, *, batch: Mapping[str, int], zw_conn_id: str = ZW_CONN_ID, hjs_conn_id: str = HJS_CONN_ID,
                 concurrency: int = DEFAULT_CONCURRENCY, progress_every: int = 500, **kwargs: Any) -> None:
        kwargs.setdefault("pool_slots", concurrency)
        super().__init__(**kwargs)
        self.batch = batch
        self.zw_conn_id = zw_conn_id
        self.hjs_conn_id = hjs_conn_id
        self.concurrency = concurrency
        self.progress_every = progress_every

    def execute(self, context: Any) -> dict[str, Any]:
        service = _service(context, zw_conn_id=self.zw_conn_id, hjs_conn_id=self.hjs_conn_id,
                           concurrency=self.concurrency, progress_every=self.progress_every)
        result = service.subscribe_batch(int(self.batch["first_product_id"]), int(self.batch["last_product_id"]))
        self.log.info("subscribed %d, already at HJS %d, failed %d %s", result["subscribed"],
                      result["already_at_hjs"], result["failed"], result["failed_by_reason"])
        return result


class ReportInvestSyncOperator(BaseOperator):
    """Count the run's outcomes and e-mail operations the assets it left failed, with reasons.

    Runs whatever happened upstream (trigger rule all_done). One e-mail per run and day (the notice key
    is the DAG, the run's cutoff and a digest of the failures, so a cleared task, a rerun or a backfill
    of the same day with the same failures does not send it again); none when nothing failed.
    Returns the counts: subscribed, already at HJS, failed by reason.
    """

    template_fields: Sequence[str] = ("zw_conn_id", "smtp_conn_id", "to")
    ui_color = "#fbeee6"

    def __init__(self, *, to: str = OPS_EMAIL, zw_conn_id: str = ZW_CONN_ID,
                 smtp_conn_id: str = SMTP_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.to = to
        self.zw_conn_id = zw_conn_id
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        from ..invest_sync import report
        from ..invest_sync import repository as repo
        from ..invest_sync.service import reason_key
        from ..notices import Notice, recipients, send_once

        run_id = context["run_id"]
        connect = _zw_connector(self.zw_conn_id)
        conn = connect()
        try:
            counts = repo.run_counts(conn, run_id)
            failures = repo.run_failures(conn, run_id)
        finally:
            conn.close()
        failed_by_reason: dict[str, int] = {}
        for outcome, code, count in counts:
            if outcome not in ("SUCCESS", "ALREADY_AT_HJS"):
                key = reason_key(code or None, outcome)
                failed_by_reason[key] = failed_by_reason.get(key, 0) + count
        still_failed = sum(1 for f in failures if f.kind == "INVEST")
        result = {
            "subscribed": sum(c for o, _, c in counts if o == "SUCCESS"),
            "already_at_hjs": sum(c for o, _, c in counts if o == "ALREADY_AT_HJS"),
            "failed": still_failed,
            "failed_by_reason": dict(sorted(failed_by_reason.items())),
            "products_not_confirmed": sorted({f.product_code for f in failures if f.kind == "PRODUCT"}),
            "email_sent": False,
        }
        self.log.info("run %s: subscribed %d, already at HJS %d, still failed %d %s", run_id, result["subscribed"],
                      result["already_at_hjs"], still_failed, result["failed_by_reason"])
        if failures:
            day = f"assets bought before {run_cutoff(context):%Y-%m-%d %H:%M}"
            key = report.notice_key(context["dag"].dag_id, run_cutoff(context), failures)
            notice = Notice(key=key, kind=report.KIND,
                            to=recipients(self.to), subject=report.subject(day, failures),
                            html=report.html(day, run_id, failures))
            mail_conn = connect()  # send_once owns the transaction of its claim
            try:
                result["email_sent"] = send_once(mail_conn, notice, smtp_conn_id=self.smtp_conn_id, run_id=run_id)
            finally:
                mail_conn.close()
        else:
            self.log.info("nothing failed: no e-mail")
        return result
