"""Which products a T-3 run reconciles: those maturing on run day + offset, in batches for mapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..repository.db import transaction
from ..repository.sql_files import load_sql

DEFAULT_OFFSET_DAYS = 3
DEFAULT_BATCH_SIZE = 50


@dataclass(frozen=True)
class TrialProduct:
    id: int
    product_code: str
    channel_code: str


def maturity_date_for(run_day: date, offset_days: int = DEFAULT_OFFSET_DAYS) -> date:
    """The maturity date a run of `run_day` reconciles (T-3: three calendar days ahead by default)."""
    if offset_days < 0:
        raise ValueError("the trial offset is a number of days >= 0")
    return run_day + timedelta(days=offset_days)


def select_products(zw_conn, maturity_date: date) -> list[TrialProduct]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/select_products.sql"), {"maturity_date": maturity_date})
        return [TrialProduct(*row) for row in cur.fetchall()]


def products_by_id(zw_conn, product_ids: list[int]) -> dict[int, tuple[str, str, date]]:
    """id -> (product_code, channel_code, maturity_date)."""
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/products_by_id.sql"), {"product_ids": list(product_ids)})
        return {row[0]: (row[1], row[2], row[3]) for row in cur.fetchall()}


def batches(ids: list[int], size: int = DEFAULT_BATCH_SIZE) -> list[list[int]]:
    """Consecutive batches of at most `size` ids (each batch becomes one mapped task instance)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    return [list(ids[i:i + size]) for i in range(0, len(ids), size)]
