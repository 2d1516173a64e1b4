"""Subscribing a batch of products' waiting assets at HJS, exactly once, with N calls in flight.

Per product: read its waiting assets (at the run's cutoff), confirm the product at HJS
(product.query; unknown or different -> every asset of it is set aside with the reason), record the
confirmation, then subscribe the assets on `concurrency` threads, each with its own HJS client
(one HTTP session) and its own zw connection. Per asset:
- HjsClient.subscribe with the derived order number; check_first when an earlier sync may have sent
  it (see assets_of_product.sql), so a task killed after sending asks instead of sending again; an
  unknown outcome inside the call is asked about by the client before it re-sends;
- success -> status, invest record and audit row in one transaction (record_success.sql), only if
  the asset is still INVEST_START;
- a refusal (1xxx), a transient failure the client's backoff could not ride out, an untrustworthy
  answer, or bad zw data -> an attempt row with the code and reason; the asset stays INVEST_START
  for the next run, the others go on.
A long streak of transient failures means HJS is down: the batch stops and raises, so Airflow's task
retry (or the next run) takes over instead of every asset sitting out its own backoff.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from ..client import HjsClient, InvestCommand
from ..domain.order_numbers import invest_order_no
from ..protocol import codes as hjs_codes
from ..protocol.errors import HjsBusinessError, HjsProtocolError, HjsTransientError
from . import repository as repo
from .repository import WaitingAsset, WaitingProduct

log = logging.getLogger("hjs_operators.invest_sync")

DEFAULT_PRODUCTS_PER_BATCH = 25
# Airflow's default max_map_length is 1,024 mapped tasks; stay well under it by growing the batches.
MAX_BATCHES = 512
TRANSIENT = "TRANSIENT_FAILURE"
PROTOCOL = "PROTOCOL_FAILURE"
ZW_INVALID = "ZW_INVALID_ASSET"
ZW_CONFLICT = "ZW_RECORD_CONFLICT"
PRODUCT_MISMATCH = "PRODUCT_MISMATCH"


class HjsUnavailableError(RuntimeError):
    """Too many transient failures in a row: HJS looks down; let the task retry later."""


def plan_batches(product_ids: Sequence[int], *, per_batch: int = DEFAULT_PRODUCTS_PER_BATCH,
                 max_batches: int = MAX_BATCHES) -> list[dict[str, int]]:
    """Contiguous ranges of the (ascending) product ids, at most max_batches of them.

    Each batch is a small XCom (two ids and a count); the mapped task re-reads its products in the
    range at the same cutoff, so it sees exactly what the planner saw.
    """
    if per_batch < 1 or max_batches < 1:
        raise ValueError("per_batch and max_batches must be positive")
    ids = sorted(product_ids)
    if not ids:
        return []
    size = max(per_batch, math.ceil(len(ids) / max_batches))
    return [{"first_product_id": chunk[0], "last_product_id": chunk[-1], "products": len(chunk)}
            for chunk in (ids[start:start + size] for start in range(0, len(ids), size))]


def reason_key(code: str | None, outcome: str) -> str:
    """How a failure is counted and reported: "1009 QUOTA_EXCEEDED", "TRANSIENT_FAILURE", ..."""
    if outcome == "BUSINESS_FAILURE" and code:
        return hjs_codes.describe(code) if code in hjs_codes.NAMES else code
    return outcome


class _Tally:
    """Counts shared by the worker threads."""

    def __init__(self, total: int, progress_every: int) -> None:
        self.lock = threading.Lock()
        self.total = total
        self.progress_every = max(1, progress_every)
        self.done = 0
        self.subscribed = 0
        self.already_at_hjs = 0
        self.already_booked = 0
        self.not_attempted = 0
        self.failed: Counter[str] = Counter()
        self.consecutive_transient = 0

    def add(self, outcome: str, count: int = 1, *, reason: str | None = None) -> None:
        with self.lock:
            if outcome == "subscribed":
                self.subscribed += count
            elif outcome == "already_at_hjs":
                self.already_at_hjs += count
            elif outcome == "already_booked":
                self.already_booked += count
            elif outcome == "not_attempted":
                self.not_attempted += count
            else:
                self.failed[reason or outcome] += count
            if outcome in ("subscribed", "already_at_hjs"):
                self.consecutive_transient = 0
            elif reason == TRANSIENT:
                self.consecutive_transient += count
            before, self.done = self.done, self.done + count
            if self.done // self.progress_every > before // self.progress_every or self.done == self.total:
                log.info("invest sync progress: %s/%s assets (subscribed %d, already at HJS %d, failed %d)",
                         f"{self.done:,}", f"{self.total:,}", self.subscribed, self.already_at_hjs,
                         sum(self.failed.values()))

    def result(self, products: int) -> dict[str, Any]:
        return {"products": products, "assets": self.total, "subscribed": self.subscribed,
                "already_at_hjs": self.already_at_hjs, "already_booked": self.already_booked,
                "not_attempted": self.not_attempted, "failed": sum(self.failed.values()),
                "failed_by_reason": dict(sorted(self.failed.items()))}


class InvestSync:
    """Subscribes the waiting assets of product-id ranges at HJS for one run.

    connect: () -> a new zw DB-API connection (psycopg2 or psycopg 3); client_factory: () -> a new
    HjsClient (one HTTP session each: one per thread); run_id is written on every row; cutoff is the
    run's data-interval end (never now()).
    """

    def __init__(self, *, connect: Callable[[], Any], client_factory: Callable[[], HjsClient], run_id: str,
                 cutoff: datetime, concurrency: int = 4, progress_every: int = 500,
                 max_consecutive_transient: int = 20) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if cutoff.tzinfo is None:
            raise ValueError("cutoff must be timezone-aware")
        self.connect = connect
        self.client_factory = client_factory
        self.run_id = run_id
        self.cutoff = cutoff
        self.concurrency = concurrency
        self.progress_every = progress_every
        self.max_consecutive_transient = max_consecutive_transient
        self._local = threading.local()
        self._opened: list[Any] = []
        self._opened_lock = threading.Lock()
        self._stop = threading.Event()

    # -- per-thread resources ----------------------------------------------------------------------

    def _resources(self) -> tuple[Any, HjsClient]:
        local = self._local
        if getattr(local, "conn", None) is None:
            local.conn = self.connect()
            local.client = self.client_factory()
            with self._opened_lock:
                self._opened.extend([local.conn, local.client])
        return local.conn, local.client

    def _close_all(self) -> None:
        for resource in self._opened:
            try:
                resource.close()
            except Exception:  # closing is best effort; the work is already booked
                log.warning("could not close %s", type(resource).__name__)
        self._opened.clear()

    # -- planning --------------------------------------------------------------------------------------

    def plan(self, *, per_batch: int = DEFAULT_PRODUCTS_PER_BATCH, max_batches: int = MAX_BATCHES) -> list[dict]:
        conn = self.connect()
        try:
            ids = repo.products_with_work(conn, self.cutoff)
        finally:
            conn.close()
        batches = plan_batches(ids, per_batch=per_batch, max_batches=max_batches)
        log.info("invest sync at cutoff %s: %d product(s) with waiting assets in %d batch(es)",
                 self.cutoff.isoformat(), len(ids), len(batches))
        return batches

    # -- subscribing -------------------------------------------------------------------------------------

    def subscribe_batch(self, first_product_id: int, last_product_id: int) -> dict[str, Any]:
        """Subscribe every waiting asset of the products in [first, last]; returns the counts."""
        try:
            conn, client = self._resources()
            products = repo.products_in_batch(conn, first_product_id, last_product_id, self.cutoff)
            tally = _Tally(sum(p.waiting for p in products), self.progress_every)
            log.info("batch of products %d-%d: %d product(s), %s waiting asset(s), %d call(s) in flight",
                     first_product_id, last_product_id, len(products), f"{tally.total:,}", self.concurrency)
            with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="invest") as pool:
                for number, product in enumerate(products, 1):
                    assets = repo.assets_of_product(conn, product.id, self.cutoff)
                    if self._stop.is_set():
                        tally.add("not_attempted", len(assets))
                        continue
                    log.info("product %d/%d %s: %d waiting asset(s) (%d to check at HJS first)", number,
                             len(products), product.product_code, len(assets), sum(a.check_first for a in assets))
                    if not assets or not self._confirm(conn, client, product, assets, tally):
                        continue
                    # every future is collected, so an unexpected error (zw down) surfaces here
                    for future in [pool.submit(self._subscribe_one, product, asset, tally) for asset in assets]:
                        future.result()
            result = tally.result(len(products))
            log.info("batch of products %d-%d done: %s", first_product_id, last_product_id, result)
            if self._stop.is_set():
                raise HjsUnavailableError(
                    f"stopped after {tally.consecutive_transient} transient HJS failures in a row; "
                    f"{result['not_attempted']} asset(s) not attempted; a task retry or the next run continues "
                    f"(counts so far: {result})")
            return result
        finally:
            self._close_all()

    def _confirm(self, conn, client: HjsClient, product: WaitingProduct, assets: list[WaitingAsset],
                 tally: _Tally) -> bool:
        """product.query; on any failure every asset of the product is set aside with the reason."""
        code = product.product_code
        ids = [a.id for a in assets]
        try:
            found = client.query_product(code)
        except HjsBusinessError as exc:
            return self._set_aside(conn, product, ids, tally, "BUSINESS_FAILURE", exc.code,
                                   f"product {code} not confirmed at HJS: {exc.code} {exc.hjs_message}")
        except HjsTransientError as exc:
            return self._set_aside(conn, product, ids, tally, TRANSIENT, None,
                                   f"product {code} could not be confirmed at HJS: {exc}")
        except HjsProtocolError as exc:
            return self._set_aside(conn, product, ids, tally, PROTOCOL, None,
                                   f"product {code}: untrustworthy answer from HJS: {exc}")
        differences = [name for name, ours, theirs in (
            ("shareAmount", product.share_amount, found.share_amount),
            ("totalAmount", product.total_amount, found.total_amount)) if ours != theirs]
        if differences:
            return self._set_aside(conn, product, ids, tally, "BUSINESS_FAILURE", PRODUCT_MISMATCH,
                                   f"product {code} differs at HJS in {', '.join(differences)}")
        # Recorded before any asset is sent: a later sync then knows these assets may be at HJS.
        repo.record_attempts(conn, "PRODUCT", [product.id], outcome="SUCCESS", run_id=self.run_id, reference=code)
        return True

    def _set_aside(self, conn, product: WaitingProduct, asset_ids: list[int], tally: _Tally, outcome: str,
                   code: str | None, reason: str) -> bool:
        kind_outcome = "BUSINESS_FAILURE" if outcome == "BUSINESS_FAILURE" else outcome
        log.warning("%s; its %d waiting asset(s) are set aside", reason, len(asset_ids))
        repo.record_attempts(conn, "PRODUCT", [product.id], outcome=kind_outcome, run_id=self.run_id,
                             reference=product.product_code, reason_code=code, reason=reason)
        repo.record_attempts(conn, "INVEST", asset_ids, outcome=kind_outcome, run_id=self.run_id,
                             reason_code=code, reason=reason,
                             references=[_order_no(asset_id) for asset_id in asset_ids])
        tally.add("failed", len(asset_ids), reason=reason_key(code, kind_outcome))
        return False

    def _subscribe_one(self, product: WaitingProduct, asset: WaitingAsset, tally: _Tally) -> None:
        if self._stop.is_set():
            tally.add("not_attempted")
            return
        conn, client = self._resources()
        order_no = _order_no(asset.id)
        try:
            command = InvestCommand.for_asset(asset_id=asset.id, product_code=product.product_code,
                                              user_id=asset.user_id, shares=asset.shares, amount=asset.amount)
        except (TypeError, ValueError) as exc:
            self._fail(conn, asset, order_no, tally, "BUSINESS_FAILURE", ZW_INVALID,
                       f"asset {asset.id} cannot be sent: {exc}")
            return
        try:
            order = client.subscribe(command, check_first=asset.check_first)
        except HjsBusinessError as exc:
            self._fail(conn, asset, order_no, tally, "BUSINESS_FAILURE", exc.code, exc.hjs_message)
            return
        except HjsTransientError as exc:
            self._fail(conn, asset, order_no, tally, TRANSIENT, None, str(exc))
            return
        except HjsProtocolError as exc:
            self._fail(conn, asset, order_no, tally, PROTOCOL, None, str(exc))
            return
        try:
            booked = repo.record_success(conn, asset_id=asset.id, order_no=order_no, hjs_order_id=order.hjs_order_id,
                                         accepted_at=order.accepted_at, already_at_hjs=order.already_at_hjs,
                                         run_id=self.run_id)
        except Exception as exc:
            if repo.sqlstate(exc) != repo.UNIQUE_VIOLATION:
                raise
            self._fail(conn, asset, order_no, tally, "BUSINESS_FAILURE", ZW_CONFLICT,
                       f"asset {asset.id} is INVEST_START but an invest record for it or {order_no} already exists")
            return
        if not booked:
            log.info("asset %d was booked by another run meanwhile; nothing written", asset.id)
            tally.add("already_booked")
        else:
            tally.add("already_at_hjs" if order.already_at_hjs else "subscribed")

    def _fail(self, conn, asset: WaitingAsset, order_no: str, tally: _Tally, outcome: str, code: str | None,
              reason: str) -> None:
        key = reason_key(code, outcome)
        log.warning("asset %d (order %s) not subscribed: %s: %s", asset.id, order_no, key, reason)
        repo.record_attempts(conn, "INVEST", [asset.id], outcome=outcome, run_id=self.run_id, reference=order_no,
                             reason_code=code, reason=reason)
        tally.add("failed", reason=key)
        if key == TRANSIENT and tally.consecutive_transient >= self.max_consecutive_transient:
            if not self._stop.is_set():
                log.error("%d transient HJS failures in a row: HJS looks unavailable; stopping this batch",
                          tally.consecutive_transient)
            self._stop.set()


def _order_no(asset_id: int) -> str:
    return invest_order_no(asset_id)
