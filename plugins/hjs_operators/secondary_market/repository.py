"""zw reads and writes of the secondary market. Every statement is a file in include/sql/secondary_market."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.money import to_fen
from ..repository.db import transaction
from ..repository.sql_files import load_sql

TRANSFER = "TRANSFER"
CLOSE_TRANSFER = "CLOSE_TRANSFER"


def sql(name: str) -> str:
    return load_sql(f"secondary_market/{name}.sql")


@dataclass(frozen=True)
class PendingTransfer:
    """A liquidation not yet registered at HJS, with what registering it needs."""

    liquidate_id: int
    product_id: int
    product_code: str
    seller_asset_id: int
    buyer_asset_id: int
    price_fen: int
    fee_fen: int
    transferred_at: datetime
    root_asset_id: int
    order_no: str | None  # the subscription's order number; None if the root asset was never subscribed
    depth: int  # 0 for A -> B, 1 for B -> C, ...
    predecessor_id: int | None  # the transfer that gave the seller its asset (B's A -> B), if any
    predecessor_registered: bool
    refused_code: str | None  # set when a refusal was recorded and nothing registered it since
    refused_reason: str | None

    @property
    def set_aside(self) -> bool:
        return self.refused_code is not None or self.refused_reason is not None


def unregistered_transfers(conn, *, product_id: int | None = None, cutoff: datetime | None = None
                           ) -> list[PendingTransfer]:
    """Pending transfers ordered by product, chain depth, id (the order HJS must receive them)."""
    with transaction(conn) as cur:
        cur.execute(sql("unregistered_transfers"), {"product_id": product_id, "cutoff": cutoff})
        rows = cur.fetchall()
    return [
        PendingTransfer(
            liquidate_id=row[0], product_id=row[1], product_code=row[2], seller_asset_id=row[3],
            buyer_asset_id=row[4], price_fen=to_fen(row[5]), fee_fen=to_fen(row[6]), transferred_at=row[7],
            root_asset_id=row[8], order_no=row[9], depth=row[10], predecessor_id=row[11],
            predecessor_registered=row[12], refused_code=row[13], refused_reason=row[14])
        for row in rows
    ]


def _attempt(cur, *, kind: str, subject_id: int, reference: str | None, outcome: str, reason_code: str | None,
             reason: str | None, run_id: str) -> None:
    cur.execute(load_sql("bookkeeping/record_attempt.sql"), {
        "kind": kind, "subject_id": subject_id, "reference": reference, "outcome": outcome,
        "reason_code": reason_code, "reason": reason[:1000] if reason else reason, "run_id": run_id})


def record_attempt(conn, **fields: Any) -> None:
    """One hjs_sync_attempt row in its own transaction (a failure: nothing else changes with it)."""
    with transaction(conn) as cur:
        _attempt(cur, **fields)


def record_registration(conn, *, liquidate_id: int, transfer_no: str, hjs_transfer_id: str,
                        accepted_at: datetime, already_at_hjs: bool, run_id: str) -> bool:
    """transfer_registration and its audit row in one transaction. False if it was recorded already."""
    with transaction(conn) as cur:
        cur.execute(sql("record_registration"), {
            "liquidate_id": liquidate_id, "transfer_no": transfer_no, "hjs_transfer_id": hjs_transfer_id,
            "accepted_at": accepted_at, "run_id": run_id})
        if cur.fetchone() is None:
            return False
        _attempt(cur, kind=TRANSFER, subject_id=liquidate_id, reference=transfer_no,
                 outcome="ALREADY_AT_HJS" if already_at_hjs else "SUCCESS", reason_code=None,
                 reason="found at HJS by transfer.query" if already_at_hjs else None, run_id=run_id)
    return True


@dataclass(frozen=True)
class ProductGate:
    product_id: int
    product_code: str
    closed_at: datetime
    closed_now: bool  # False: zw's side was already closed before this call


def close_product_gate(conn, product_id: int) -> ProductGate:
    """Set transfer_open = false (keeping an earlier transfer_closed_at) in one transaction.

    The product row is locked FOR UPDATE: a transfer being recorded holds it FOR SHARE, so this waits
    for it and the pending list read afterwards includes it; any later transfer finds the product closed.
    """
    with transaction(conn) as cur:
        cur.execute(sql("lock_product"), {"product_id": product_id})
        row = cur.fetchone()
        if row is None:
            raise LookupError(f"product {product_id} does not exist in zw")
        _, code, is_open, closed_at, _ = row
        if not is_open:
            return ProductGate(product_id, code, closed_at, closed_now=False)
        cur.execute(sql("close_product"), {"product_id": product_id})
        (closed_at,) = cur.fetchone()
    return ProductGate(product_id, code, closed_at, closed_now=True)


def record_close_success(conn, *, product_id: int, product_code: str, hjs_closed_at: datetime, run_id: str) -> bool:
    """The CLOSE_TRANSFER success row, written once per product. True if written now."""
    with transaction(conn) as cur:
        cur.execute(sql("record_close_success"), {
            "product_id": product_id, "product_code": product_code, "run_id": run_id,
            "reason": f"closed at HJS at {hjs_closed_at.isoformat()}"})
        return cur.rowcount == 1
