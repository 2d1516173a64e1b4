"""Subscribing a batch of products' waiting assets at HJS, exactly once, with N calls in flight.

Per product: read its waiting assets (at the run's cutoff), confirm the product at HJS
(product.query; unknown or different -> every asset of it is set aside with the reason), record the
confirmation, then subscribe the assets on `concurrency` calling threads, each with its own HJS client
(one HTTP session). The calling threads never wait on zw: each outcome goes to the Booker (booking.py),
one thread with its own zw connection that books successes in groups. The next product's confirmation
queues behind the current product's assets on the same threads, so it overlaps their last calls and
never adds a call in flight. Per asset:
- HjsClient.subscribe with the derived order number; check_first when an earlier sync may have sent
  it (see assets_of_product.sql), so a task killed after sending asks instead of sending again; an
  unknown outcome inside the call is asked about by the client before it re-sends;
- success -> status, invest record and audit row in the same transaction (record_successes.sql, a
  group of assets per statement), only if the asset is still INVEST_START;
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
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from ..client import HjsClient, InvestCommand
from ..domain.hjs_outcomes import BUSINESS_FAILURE, SUCCESS, TRANSIENT_FAILURE, failure_of
from ..domain.order_numbers import invest_order_no
from ..protocol import codes as hjs_codes
from ..protocol.errors import HjsError
from . import repository as repo
from .booking import GROUP_SIZE, LINGER_SECONDS, Attempt, Booker
from .repository import Booking, WaitingAsset, WaitingProduct

log = logging.getLogger("hjs_operators.invest_sync")

DEFAULT_PRODUCTS_PER_BATCH = 25
# Airflow's default max_map_length is 1,024 mapped tasks; stay well under it by growing the batches.
MAX_BATCHES = 512
ZW_INVALID = "ZW_INVALID_ASSET"
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


def plan_run(conn, cutoff: datetime, *, per_batch: int = DEFAULT_PRODUCTS_PER_BATCH,
             max_batches: int = MAX_BATCHES) -> list[dict[str, int]]:
    """A run's batches: the products with assets waiting at its cutoff, cut by plan_batches. The
    planning task and the tests both plan through this."""
    return plan_batches(repo.products_with_work(conn, cutoff), per_batch=per_batch, max_batches=max_batches)


def reason_key(code: str | None, outcome: str) -> str:
    """How a failure is counted and reported: "1009 QUOTA_EXCEEDED", "TRANSIENT_FAILURE", ..."""
    if outcome == BUSINESS_FAILURE and code:
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
            elif reason == TRANSIENT_FAILURE:
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
    HjsClient (one HTTP session each: one per calling thread); run_id is written on every row; cutoff is
    the run's data-interval end (never now()). booking_group and booking_linger: see booking.Booker.
    """

    def __init__(self, *, connect: Callable[[], Any], client_factory: Callable[[], HjsClient], run_id: str,
                 cutoff: datetime, concurrency: int = 4, progress_every: int = 500,
                 max_consecutive_transient: int = 20, booking_group: int = GROUP_SIZE,
                 booking_linger: float = LINGER_SECONDS) -> None:
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
        self.booking_group = booking_group
        self.booking_linger = booking_linger
        self._local = threading.local()
        self._clients: list[HjsClient] = []
        self._clients_lock = threading.Lock()
        self._stop = threading.Event()

    # -- per-thread HJS clients --------------------------------------------------------------------

    def _client(self) -> HjsClient:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self.client_factory()
            with self._clients_lock:
                self._clients.append(client)
        return client

    def _close_clients(self) -> None:
        for client in self._clients:
            try:
                client.close()
            except Exception:  # closing is best effort; the work is already booked
                log.warning("could not close %s", type(client).__name__)
        self._clients.clear()

    # -- subscribing -------------------------------------------------------------------------------------

    def subscribe_batch(self, first_product_id: int, last_product_id: int) -> dict[str, Any]:
        """Subscribe every waiting asset of the products in [first, last]; returns the counts."""
        conn = self.connect()
        try:
            products = repo.products_in_batch(conn, first_product_id, last_product_id, self.cutoff)
            tally = _Tally(sum(p.waiting for p in products), self.progress_every)
            log.info("batch of products %d-%d: %d product(s), %s waiting asset(s), %d call(s) in flight",
                     first_product_id, last_product_id, len(products), f"{tally.total:,}", self.concurrency)
            with Booker(connect=self.connect, run_id=self.run_id, counted=lambda outcome, key: self._counted(
                            tally, outcome, key), group_size=self.booking_group, linger=self.booking_linger
                        ) as booker, \
                    ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="invest") as pool:
                pending: list[Future] = []
                for number, product in enumerate(products, 1):
                    assets = repo.assets_of_product(conn, product.id, self.cutoff)
                    if self._stop.is_set() or booker.broken:
                        tally.add("not_attempted", len(assets))
                        continue
                    log.info("product %d/%d %s: %d waiting asset(s) (%d to check at HJS first)", number,
                             len(products), product.product_code, len(assets), sum(a.check_first for a in assets))
                    # The confirmation queues behind the previous product's assets: it runs as soon as a
                    # calling thread is free, while the others finish that product.
                    if not assets or not self._confirm(conn, pool, product, assets, tally):
                        continue
                    pending = _running(pending)
                    pending += [pool.submit(self._subscribe_one, booker, product, asset, tally) for asset in assets]
                for future in pending:
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
            conn.close()
            self._close_clients()

    def _counted(self, tally: _Tally, outcome: str, key: str | None) -> None:
        """An outcome written by the Booker; a long streak of transient failures stops the batch."""
        tally.add(outcome, reason=key)
        if key == TRANSIENT_FAILURE and tally.consecutive_transient >= self.max_consecutive_transient:
            if not self._stop.is_set():
                log.error("%d transient HJS failures in a row: HJS looks unavailable; stopping this batch",
                          tally.consecutive_transient)
            self._stop.set()

    def _confirm(self, conn, pool: ThreadPoolExecutor, product: WaitingProduct, assets: list[WaitingAsset],
                 tally: _Tally) -> bool:
        """product.query (on a calling thread, so no more than `concurrency` calls are ever in flight);
        on any failure every asset of the product is set aside with the reason."""
        code = product.product_code
        ids = [a.id for a in assets]
        try:
            found = pool.submit(lambda: self._client().query_product(code)).result()
        except HjsError as exc:
            failure = failure_of(exc)
            what = {BUSINESS_FAILURE: f" not confirmed at HJS: {failure.code}",
                    TRANSIENT_FAILURE: " could not be confirmed at HJS:"}.get(failure.outcome,
                                                                             ": untrustworthy answer from HJS:")
            return self._set_aside(conn, product, ids, tally, failure.outcome, failure.code,
                                   f"product {code}{what} {failure.reason}")
        differences = [name for name, ours, theirs in (
            ("shareAmount", product.share_amount, found.share_amount),
            ("totalAmount", product.total_amount, found.total_amount)) if ours != theirs]
        if differences:
            return self._set_aside(conn, product, ids, tally, BUSINESS_FAILURE, PRODUCT_MISMATCH,
                                   f"product {code} differs at HJS in {', '.join(differences)}")
        # Recorded before any asset is sent: a later sync then knows these assets may be at HJS.
        repo.record_attempts(conn, "PRODUCT", [product.id], outcome=SUCCESS, run_id=self.run_id, reference=code)
        return True

    def _set_aside(self, conn, product: WaitingProduct, asset_ids: list[int], tally: _Tally, outcome: str,
                   code: str | None, reason: str) -> bool:
        log.warning("%s; its %d waiting asset(s) are set aside", reason, len(asset_ids))
        repo.record_attempts(conn, "PRODUCT", [product.id], outcome=outcome, run_id=self.run_id,
                             reference=product.product_code, reason_code=code, reason=reason)
        repo.record_attempts(conn, "INVEST", asset_ids, outcome=outcome, run_id=self.run_id,
                             reason_code=code, reason=reason,
                             references=[_order_no(asset_id) for asset_id in asset_ids])
        tally.add("failed", len(asset_ids), reason=reason_key(code, outcome))
        return False

    def _subscribe_one(self, booker: Booker, product: WaitingProduct, asset: WaitingAsset, tally: _Tally) -> None:
        """One asset on a calling thread: the HJS call, then the outcome handed to the Booker."""
        if self._stop.is_set() or booker.broken:
            tally.add("not_attempted")
            return
        order_no = _order_no(asset.id)
        try:
            command = InvestCommand.for_asset(asset_id=asset.id, product_code=product.product_code,
                                              user_id=asset.user_id, shares=asset.shares, amount=asset.amount)
        except (TypeError, ValueError) as exc:
            self._fail(booker, asset, order_no, BUSINESS_FAILURE, ZW_INVALID,
                       f"asset {asset.id} cannot be sent: {exc}")
            return
        try:
            order = self._client().subscribe(command, check_first=asset.check_first)
        except HjsError as exc:
            failure = failure_of(exc)
            self._fail(booker, asset, order_no, failure.outcome, failure.code, failure.reason)
            return
        booker.book(Booking(asset_id=asset.id, order_no=order_no, hjs_order_id=order.hjs_order_id,
                            accepted_at=order.accepted_at, already_at_hjs=order.already_at_hjs))

    def _fail(self, booker: Booker, asset: WaitingAsset, order_no: str, outcome: str, code: str | None,
              reason: str) -> None:
        key = reason_key(code, outcome)
        log.warning("asset %d (order %s) not subscribed: %s: %s", asset.id, order_no, key, reason)
        booker.fail(Attempt(asset.id, order_no, outcome, code, reason, key))


def _running(futures: list[Future]) -> list[Future]:
    """The futures not done yet; a done one's unexpected error (a bug, not an HJS failure) is raised."""
    running = []
    for future in futures:
        if future.done():
            future.result()
        else:
            running.append(future)
    return running


def _order_no(asset_id: int) -> str:
    return invest_order_no(asset_id)
