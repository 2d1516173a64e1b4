"""Register every new transfer at HJS exactly once.

The transfer number is derived from the liquidate_asset id (domain.order_numbers.transfer_no), and every
send goes through HjsClient.register_transfer(..., check_first=True): HJS is asked first whether it has
the number (a previous run may have sent it and lost the answer, or been killed before recording it),
and asked again after any failure whose outcome is unknown. What HJS accepted or already had is recorded
in transfer_registration (unique per liquidation) with its audit row, in one transaction.

Fault handling (the invest sync's):
- transient (HJS unavailable, timeouts after the client's own retries) and unverifiable answers
  (protocol failures): recorded with the reason, the transfer stays pending and is tried again by the
  next call (the operator fails its task, so Airflow retries it);
- business refusals (HJS said no, with a code): recorded as BUSINESS_FAILURE with HJS's code and
  message and set aside: not sent again automatically (the same request gets the same answer), reported;
  `retry_refused=True` sends them again once an operator has fixed the cause;
- a verified protocol refusal (wrong key, unknown merchant): stops at once; every call would fail alike.

Chains: B -> C can only be registered after A -> B (HJS moves the holding from its current holder).
Transfers are processed by depth; a transfer whose predecessor is still pending waits for the next call,
one whose predecessor was refused is set aside with zw's code ZW_PREDECESSOR_REFUSED.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from ..client import HjsRefusedError, TransferCommand
from ..domain.hjs_outcomes import BUSINESS_FAILURE, failure_of
from ..domain.money import to_yuan
from ..domain.order_numbers import transfer_no
from ..protocol.errors import HjsBusinessError, HjsProtocolError, HjsTransientError
from . import repository as repo

log = logging.getLogger(__name__)

ZW_NOT_SUBSCRIBED = "ZW_NOT_SUBSCRIBED"
ZW_PREDECESSOR_REFUSED = "ZW_PREDECESSOR_REFUSED"
PROGRESS_EVERY = 100


@dataclass(frozen=True)
class Refusal:
    """A transfer that is not registered because HJS (or zw's own check) refused it."""

    liquidate_id: int
    transfer_no: str
    product_code: str
    code: str | None
    reason: str
    new: bool  # refused by this call (False: refused earlier and set aside)


@dataclass(frozen=True)
class Unfinished:
    """A transfer whose registration did not finish (HJS unavailable or an answer that could not be trusted)."""

    liquidate_id: int
    transfer_no: str
    product_code: str
    outcome: str  # TRANSIENT_FAILURE, PROTOCOL_FAILURE, or WAITING (its predecessor is unfinished)
    reason: str


@dataclass(frozen=True)
class RegistrationResult:
    registered: tuple[int, ...] = ()  # liquidate ids registered by this call (sent now)
    already_at_hjs: tuple[int, ...] = ()  # found at HJS (a lost answer or an earlier run), recorded now
    refused: tuple[Refusal, ...] = ()  # refused now, and earlier refusals still set aside
    unfinished: tuple[Unfinished, ...] = ()

    @property
    def recorded(self) -> tuple[int, ...]:
        return self.registered + self.already_at_hjs

    def counts(self) -> dict[str, int]:
        return {"registered": len(self.registered), "already_at_hjs": len(self.already_at_hjs),
                "refused_now": sum(r.new for r in self.refused),
                "set_aside": sum(not r.new for r in self.refused), "unfinished": len(self.unfinished)}


@dataclass
class _Run:
    registered: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    unfinished: list[Unfinished] = field(default_factory=list)
    state: dict[int, str] = field(default_factory=dict)  # liquidate id -> ok / refused / unfinished

    def result(self) -> RegistrationResult:
        return RegistrationResult(tuple(self.registered), tuple(self.already), tuple(self.refused),
                                  tuple(self.unfinished))


def register_pending(zw_conn, client, *, run_id: str, product_id: int | None = None, cutoff: datetime | None = None,
                     retry_refused: bool = False) -> RegistrationResult:
    """Register the pending transfers (of one product, or all; made before `cutoff` if given)."""
    pending = repo.unregistered_transfers(zw_conn, product_id=product_id, cutoff=cutoff)
    run = _Run()
    total = len(pending)
    log.info("transfer registration: %d transfer(s) not yet registered at HJS%s", total,
             f" for product {product_id}" if product_id is not None else "")
    for index, item in enumerate(pending, 1):
        _register_one(zw_conn, client, item, run, run_id=run_id, retry_refused=retry_refused)
        if index % PROGRESS_EVERY == 0 or index == total:
            log.info("transfer registration: %d/%d transfers handled (registered %d, already at HJS %d, "
                     "refused %d, unfinished %d)", index, total, len(run.registered), len(run.already),
                     len(run.refused), len(run.unfinished))
    return run.result()


def _register_one(zw_conn, client, item: repo.PendingTransfer, run: _Run, *, run_id: str,
                  retry_refused: bool) -> None:
    number = transfer_no(item.liquidate_id)

    def refuse(code: str | None, reason: str, *, record: bool = True) -> None:
        if record:
            repo.record_attempt(zw_conn, kind=repo.TRANSFER, subject_id=item.liquidate_id, reference=number,
                                outcome=BUSINESS_FAILURE, reason_code=code, reason=reason, run_id=run_id)
            log.warning("transfer %s (liquidation %d, product %s) refused: %s %s", number, item.liquidate_id,
                        item.product_code, code, reason)
        run.refused.append(Refusal(item.liquidate_id, number, item.product_code, code, reason, new=record))
        run.state[item.liquidate_id] = "refused"

    def unfinished(outcome: str, reason: str) -> None:
        run.unfinished.append(Unfinished(item.liquidate_id, number, item.product_code, outcome, reason))
        run.state[item.liquidate_id] = "unfinished"

    if item.set_aside and not retry_refused:
        refuse(item.refused_code, item.refused_reason or "refused earlier", record=False)
        return
    if item.order_no is None:
        refuse(ZW_NOT_SUBSCRIBED, f"liquidation {item.liquidate_id}: asset {item.root_asset_id} at the start of its "
                                  "chain has no invest record (never subscribed at HJS); fix the data first")
        return
    if item.predecessor_id is not None and not item.predecessor_registered:
        before = run.state.get(item.predecessor_id)
        if before == "refused":
            refuse(ZW_PREDECESSOR_REFUSED, f"liquidation {item.liquidate_id} sells what liquidation "
                                           f"{item.predecessor_id} bought, and that transfer was refused")
            return
        if before != "ok":
            unfinished("WAITING", f"waits for liquidation {item.predecessor_id} to be registered first")
            return

    command = TransferCommand.for_liquidation(
        liquidate_id=item.liquidate_id, product_code=item.product_code, order_no=item.order_no,
        seller_asset_id=item.seller_asset_id, buyer_asset_id=item.buyer_asset_id,
        price=to_yuan(item.price_fen), fee=to_yuan(item.fee_fen))
    try:
        transfer = client.register_transfer(command, check_first=True)
    except HjsRefusedError:
        raise  # HJS refused our credentials or envelope: every other call would fail alike
    except HjsBusinessError as exc:
        refuse(exc.code, exc.hjs_message)
        return
    except (HjsTransientError, HjsProtocolError) as exc:
        failure = failure_of(exc)
        repo.record_attempt(zw_conn, kind=repo.TRANSFER, subject_id=item.liquidate_id, reference=number,
                            outcome=failure.outcome, reason_code=None, reason=failure.reason, run_id=run_id)
        log.warning("transfer %s (liquidation %d) not registered yet, tried again later: %s", number,
                    item.liquidate_id, exc)
        unfinished(failure.outcome, failure.reason)
        return
    repo.record_registration(zw_conn, liquidate_id=item.liquidate_id, transfer_no=number,
                             hjs_transfer_id=transfer.hjs_transfer_id, accepted_at=transfer.accepted_at,
                             already_at_hjs=transfer.already_at_hjs, run_id=run_id)
    (run.already if transfer.already_at_hjs else run.registered).append(item.liquidate_id)
    run.state[item.liquidate_id] = "ok"
