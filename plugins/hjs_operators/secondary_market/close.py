"""The close step of the T-3 trial: freeze a product's holdings before they are reconciled.

    close_product_transfers(zw_conn, client, product_id, run_id=...) -> CloseResult

In this order, each step idempotent, so calling it again (a task retry, a rerun of the trial, a
backfill) changes nothing the second time:

1. Gate zw: in one transaction, with the product row locked, set hjs_product.transfer_open = false and
   transfer_closed_at (kept from the first close). From that commit on, record_transfer refuses the
   product with a clear reason. The gate comes FIRST on purpose: closing zw last would leave a window in
   which the platform records a transfer after the pending list was read, which could then never be
   registered (HJS closed) and would silently change a holding under the trial.
2. Register every transfer of the product not yet registered at HJS (registration.register_pending:
   exactly once, check_first=True; refusals recorded in hjs_sync_attempt and set aside).
3. If any transfer is unfinished (HJS unavailable, an answer that could not be trusted), stop with
   CloseIncompleteError BEFORE closing at HJS: closing now would make those transfers impossible to
   register. zw stays closed; the retry finishes the job.
4. Close the transfer interface at HJS (product.closeTransfer, idempotent: HJS answers its first
   closedAt) and record it once (hjs_sync_attempt CLOSE_TRANSFER SUCCESS).

A transfer HJS refuses does NOT keep the product open: maturity is coming and the holdings must be
frozen. The refusal is in CloseResult.refused (and hjs_sync_attempt) for operations: at HJS the seller
still holds that subscription, in zw the buyer does, so the T-3 trial will see the difference.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from ..domain.hjs_outcomes import failure_of
from ..protocol.errors import HjsError
from ..repository.db import transaction
from . import repository as repo
from .registration import Refusal, RegistrationResult, Unfinished, register_pending

log = logging.getLogger(__name__)


class CloseError(RuntimeError):
    """The close step could not finish; the message names the product and what to do."""


class CloseIncompleteError(CloseError):
    """Some pending transfers of the product are not registered yet (transient): HJS was not closed."""

    def __init__(self, message: str, unfinished: tuple[Unfinished, ...]) -> None:
        super().__init__(message)
        self.unfinished = unfinished


@dataclass(frozen=True)
class CloseResult:
    product_id: int
    product_code: str
    registered_now: tuple[int, ...]  # liquidate ids recorded as registered by this call (sent, or found at HJS)
    already_registered: tuple[int, ...]  # liquidate ids of the product registered before this call
    refused: tuple[Refusal, ...]  # not registered: refused now (new=True) or earlier and set aside
    closed_at: datetime  # zw's transfer_closed_at (from the first close)
    hjs_closed_at: datetime  # HJS's closedAt (from the first close at HJS)
    closed_now: bool  # False when zw's side was already closed before this call

    def summary(self) -> str:
        return (f"product {self.product_code}: {len(self.registered_now)} transfer(s) registered now, "
                f"{len(self.already_registered)} already registered, {len(self.refused)} refused; "
                f"transfers closed at {self.closed_at.isoformat()}")


def close_product_transfers(zw_conn, client, product_id: int, *, run_id: str) -> CloseResult:
    """Register what is pending, close at HJS, keep zw closed. See the module docstring."""
    gate = repo.close_product_gate(zw_conn, product_id)
    log.info("close step: product %s (%d) %s in zw at %s", gate.product_code, product_id,
             "closed" if gate.closed_now else "was already closed", gate.closed_at.isoformat())
    before = _registered_ids(zw_conn, product_id)
    registration: RegistrationResult = register_pending(zw_conn, client, run_id=run_id, product_id=product_id)
    if registration.unfinished:
        ids = ", ".join(str(u.liquidate_id) for u in registration.unfinished)
        raise CloseIncompleteError(
            f"product {gate.product_code}: {len(registration.unfinished)} transfer(s) could not be registered at "
            f"HJS yet (liquidations {ids}; first reason: {registration.unfinished[0].reason}). The product is "
            "closed in zw but NOT yet at HJS; retry the close step (it registers them, then closes at HJS)",
            registration.unfinished)
    try:
        closed = client.close_transfer(gate.product_code)
    except HjsError as exc:
        failure = failure_of(exc)
        repo.record_attempt(zw_conn, kind=repo.CLOSE_TRANSFER, subject_id=product_id, reference=gate.product_code,
                            outcome=failure.outcome, reason_code=failure.code, reason=str(exc), run_id=run_id)
        raise CloseError(f"product {gate.product_code}: closing the transfer interface at HJS failed: {exc}. "
                         "zw is closed and every pending transfer is registered; retry the close step") from exc
    repo.record_close_success(zw_conn, product_id=product_id, product_code=gate.product_code,
                              hjs_closed_at=closed.closed_at, run_id=run_id)
    result = CloseResult(
        product_id=product_id, product_code=gate.product_code, registered_now=registration.recorded,
        already_registered=tuple(sorted(before)), refused=registration.refused, closed_at=gate.closed_at,
        hjs_closed_at=closed.closed_at, closed_now=gate.closed_now)
    log.info("close step: %s", result.summary())
    for refusal in result.refused:
        log.warning("close step: product %s transfer %s (liquidation %d) NOT registered: %s %s - report to "
                    "operations: zw and HJS disagree on its holder", refusal.product_code, refusal.transfer_no,
                    refusal.liquidate_id, refusal.code, refusal.reason)
    return result


def _registered_ids(zw_conn, product_id: int) -> list[int]:
    with transaction(zw_conn) as cur:
        cur.execute(repo.sql("registered_of_product"), {"product_id": product_id})
        return [row[0] for row in cur.fetchall()]


def close_products(zw_conn, client, product_ids: list[int], *, run_id: str) -> dict[str, int]:
    """The close step for each product of a batch. A product that cannot be closed is logged and left
    open at HJS (the T-3 fetch then holds it with the reason); it never stops the others."""
    refused = failed = 0
    for done, product_id in enumerate(product_ids, start=1):
        try:
            result = close_product_transfers(zw_conn, client, int(product_id), run_id=run_id)
        except Exception as exc:  # noqa: BLE001 - one product never stops the others
            failed += 1
            log.error("close %d/%d: product %s NOT closed, it will be held: %s", done, len(product_ids),
                      product_id, exc)
            continue
        refused += len(result.refused)
        log.info("close %d/%d: %s", done, len(product_ids), result.summary())
    return {"closed": len(product_ids) - failed, "not_closed": failed, "refused_transfers": refused}
