"""zw side of invest sync: every statement is a file in include/sql/invest_sync/, parameters bound.

Each function runs in its own transaction (repository.db.transaction), so a connection is always left
idle and clean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..repository.db import transaction
from ..repository.sql_files import load_sql


@dataclass(frozen=True)
class WaitingProduct:
    id: int
    product_code: str
    channel_code: str
    share_amount: Decimal
    total_amount: Decimal
    waiting: int


@dataclass(frozen=True)
class WaitingAsset:
    id: int
    user_id: int
    shares: int
    amount: Decimal
    check_first: bool  # an earlier sync may have sent it: ask HJS before sending

    def __repr__(self) -> str:  # no user id in logs
        return f"WaitingAsset(id={self.id}, shares={self.shares}, check_first={self.check_first})"


@dataclass(frozen=True)
class Failure:
    kind: str  # INVEST or PRODUCT
    subject_id: int
    reference: str | None
    outcome: str
    reason_code: str | None
    reason: str | None
    product_code: str | None


def _read(conn, name: str, params: dict) -> list[tuple]:
    with transaction(conn) as cur:
        cur.execute(load_sql(f"invest_sync/{name}.sql"), params)
        return cur.fetchall()


def products_with_work(conn, cutoff: datetime) -> list[int]:
    """Ids of the products with INVEST_START assets created before `cutoff`, ascending."""
    return [row[0] for row in _read(conn, "products_with_work", {"cutoff": cutoff})]


def products_in_batch(conn, first_product_id: int, last_product_id: int, cutoff: datetime) -> list[WaitingProduct]:
    rows = _read(conn, "products_in_batch",
                 {"first_product_id": first_product_id, "last_product_id": last_product_id, "cutoff": cutoff})
    return [WaitingProduct(*row) for row in rows]


def assets_of_product(conn, product_id: int, cutoff: datetime) -> list[WaitingAsset]:
    return [WaitingAsset(*row) for row in _read(conn, "assets_of_product", {"product_id": product_id,
                                                                             "cutoff": cutoff})]


@dataclass(frozen=True)
class Booking:
    """A subscription HJS holds (created now, or found there: already_at_hjs), to be booked in zw."""

    asset_id: int
    order_no: str
    hjs_order_id: str
    accepted_at: datetime
    already_at_hjs: bool


def record_successes(conn, bookings: Sequence[Booking], run_id: str) -> set[int]:
    """Book a group of subscriptions in one statement and one transaction: per asset its status, invest
    record and audit row, together (record_successes.sql).

    Returns the ids booked now; an asset missing from it was no longer INVEST_START (another run booked
    it). Any error (a unique violation: an invest record exists while the asset is still INVEST_START,
    i.e. bad data) rolls the whole group back and is raised, for the caller to book the group's assets
    one by one and set the bad one aside.
    """
    group = sorted(bookings, key=lambda b: b.asset_id)  # rows locked in id order: no deadlock between runs
    params = {"asset_ids": [b.asset_id for b in group], "order_nos": [b.order_no for b in group],
              "hjs_order_ids": [b.hjs_order_id for b in group], "accepted_ats": [b.accepted_at for b in group],
              "outcomes": ["ALREADY_AT_HJS" if b.already_at_hjs else "SUCCESS" for b in group],
              "run_id": run_id}
    with transaction(conn) as cur:
        cur.execute(load_sql("invest_sync/record_successes.sql"), params)
        return {row[0] for row in cur.fetchall()}


def record_attempts(conn, kind: str, subject_ids: Sequence[int], *, outcome: str, run_id: str,
                    reference: str | None = None, reason_code: str | None = None, reason: str | None = None,
                    references: Sequence[str | None] | None = None) -> None:
    """One attempt row per subject, in one transaction."""
    sql = load_sql("bookkeeping/record_attempt.sql")
    with transaction(conn) as cur:
        for index, subject_id in enumerate(subject_ids):
            cur.execute(sql, {"kind": kind, "subject_id": subject_id,
                              "reference": references[index] if references is not None else reference,
                              "outcome": outcome, "reason_code": reason_code,
                              "reason": None if reason is None else reason[:1000], "run_id": run_id})


def run_failures(conn, run_id: str) -> list[Failure]:
    return [Failure(*row) for row in _read(conn, "run_failures", {"run_id": run_id})]


def run_counts(conn, run_id: str) -> list[tuple[str, str, int]]:
    return [tuple(row) for row in _read(conn, "run_counts", {"run_id": run_id})]
