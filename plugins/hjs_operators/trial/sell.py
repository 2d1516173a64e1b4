"""Sell records with zw's amounts (principal + interest), each product all or nothing.

The assets to sell are staged once per call (COPY into a session temp table). Then, per group of
products in ONE transaction, set-wise:
1. find the products whose every staged asset can be sold for the compared amount (still that amount
   in zw, a status that may be sold, no sell record for another amount) - a product with any asset in
   doubt is left out entirely and reported;
2. insert the sell records of those products (unique per asset: ON CONFLICT DO NOTHING, so a rerun
   writes nothing) and move their assets INVEST_SUCCESS -> SELL_CONFIRMED (conditional);
3. check per product that every staged asset now has its sell record and is confirmed; if one falls
   short (someone changed it between 1 and 2), the group's transaction is rolled back and the call
   fails naming the product, so a product is never half sold.
Set-wise statements instead of one round of statements per product: 5,000 products x 3 statements
took minutes; the grouped form runs close to COPY's rate (bench/README.md).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..repository.db import transaction
from ..repository.sql_files import load_sql

log = logging.getLogger(__name__)

# Products per transaction (about 20,000 sell records): big enough that the per-statement cost vanishes,
# small enough that a rollback or a lock wait stays short.
COMMIT_EVERY = 100


@dataclass(frozen=True)
class SellResult:
    sold: list[int]  # products whose every asset has its sell record
    failed: dict[int, str]  # product -> why nothing was written for it
    inserted: int  # sell records written by this call (0 on a rerun)


def stage(zw_conn, rows: pd.DataFrame) -> None:
    """rows: asset_id, product_id, zw_fen, hjs_fen (Int64, may be <NA>)."""
    buffer = io.StringIO()
    frame = rows[["asset_id", "product_id", "zw_fen", "hjs_fen"]]
    frame.to_csv(buffer, header=False, index=False)
    buffer.seek(0)
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/create_sell_stage.sql"))
        cur.copy_expert(load_sql("trial/copy_sell_stage.sql"), buffer)
        cur.execute(load_sql("trial/analyze_sell_stage.sql"))  # per-product lookups use the index


def write_sell_records(zw_conn, run_id: str, rows: pd.DataFrame) -> SellResult:
    """Sell every product of `rows` (one row per asset to sell), each product all or nothing."""
    stage(zw_conn, rows)
    product_ids = sorted(int(p) for p in rows["product_id"].unique())
    sold, failed, inserted = [], {}, 0
    for start in range(0, len(product_ids), COMMIT_EVERY):
        group = product_ids[start:start + COMMIT_EVERY]
        with transaction(zw_conn) as cur:
            cur.execute(load_sql("trial/sell_group_plan.sql"))
            cur.execute(load_sql("trial/sellable_products.sql"), {"product_ids": group})
            sellable = []
            for product_id, staged, ok in cur.fetchall():
                if staged == ok:
                    sellable.append(product_id)
                else:
                    failed[product_id] = (f"{staged - ok} of {staged} assets cannot be sold for the compared amount "
                                          "(changed since the comparison, or sold for another amount)")
                    log.warning("product %d: nothing sold: %s", product_id, failed[product_id])
            params = {"run_id": run_id, "product_ids": sellable}
            cur.execute(load_sql("trial/insert_sell_records.sql"), params)
            new = cur.rowcount
            cur.execute(load_sql("trial/confirm_assets.sql"), params)
            cur.execute(load_sql("trial/count_sold.sql"), params)
            short = {pid: (staged, done) for pid, staged, done in cur.fetchall() if staged != done}
            if short:
                detail = "; ".join(f"product {pid}: {n} of {staged}" for pid, (staged, n) in sorted(short.items()))
                raise SellError(f"sell records fell short (rolled back, nothing of these products written): {detail}")
        sold += sellable
        inserted += new
        log.info("sell records: %d/%d products, %d record(s) written", start + len(group), len(product_ids),
                 inserted)
    return SellResult(sold=sold, failed=failed, inserted=inserted)


class SellError(RuntimeError):
    """A product's sell records could not all be written; its group was rolled back."""


def rows_to_sell(zw: pd.DataFrame, assets: pd.DataFrame, hjs: pd.DataFrame, *, only_match: bool) -> pd.DataFrame:
    """The zw assets to sell from a comparison: MATCH rows (or, for an accepted hold, every zw row with a
    trusted amount), with zw's amount and HJS's (when HJS has one)."""
    mask = assets["zw_row"].to_numpy() >= 0
    mask &= assets["zw_amount"].notna().to_numpy()
    if only_match:
        mask &= (assets["cls"] == "MATCH").to_numpy()
    picked = assets.loc[mask]
    return pd.DataFrame({
        "asset_id": picked["asset_id"].astype(np.int64).to_numpy(),
        "product_id": picked["product_id"].to_numpy(dtype=np.int64),
        "zw_fen": picked["zw_amount"].astype(np.int64).to_numpy(),
        "hjs_fen": picked["hjs_amount"].to_numpy(),
    })
