"""Which products a T-3 run reconciles, in batches for mapping.

A run of day R takes every product maturing on or before R + offset whose holders still wait for their
sell records (selection by state: trial/select_products.sql). A missed run, a failed run nobody
cleared, a held product kept for days: the next run takes them all, oldest maturity first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..repository.db import transaction
from ..repository.sql_files import load_sql
from ..settings import TRIAL_BATCH_SIZE, TRIAL_OFFSET_DAYS


@dataclass(frozen=True)
class TrialProduct:
    id: int
    product_code: str
    channel_code: str
    maturity_date: date


@dataclass(frozen=True)
class Acceptance:
    product_code: str
    decided_by: str
    decided_at: datetime
    run_id: str


def maturity_date_for(run_day: date, offset_days: int = TRIAL_OFFSET_DAYS) -> date:
    """The maturity date a run of `run_day` reconciles (T-3: three calendar days ahead by default)."""
    if offset_days < 0:
        raise ValueError("the trial offset is a number of days >= 0")
    return run_day + timedelta(days=offset_days)


def select_products(zw_conn, target_date: date) -> list[TrialProduct]:
    """Products maturing on or before `target_date` with holders still waiting for a sell record."""
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/select_products.sql"), {"target_date": target_date})
        return [TrialProduct(*row) for row in cur.fetchall()]


def accepted_products(zw_conn, maturity_date: date) -> list[Acceptance]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/accepted_products.sql"), {"maturity_date": maturity_date})
        return [Acceptance(*row) for row in cur.fetchall()]


def products_by_id(zw_conn, product_ids: list[int]) -> dict[int, tuple[str, str, date]]:
    """id -> (product_code, channel_code, maturity_date)."""
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/products_by_id.sql"), {"product_ids": list(product_ids)})
        return {row[0]: (row[1], row[2], row[3]) for row in cur.fetchall()}


def batches(ids: list[int], size: int = TRIAL_BATCH_SIZE) -> list[list[int]]:
    """Consecutive batches of at most `size` ids (each batch becomes one mapped task instance)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    return [list(ids[i:i + size]) for i in range(0, len(ids), size)]
