"""Sell records with zw's amounts (principal + interest): one transaction per product, all or nothing.

The assets to sell are staged once per call (COPY into a session temp table). Then, per product in its
own transaction, set-wise over its staged assets:
1. check that every staged asset can be sold for the compared amount (still that amount in zw, a
   status that may be sold, no sell record for another amount) - if one is in doubt, nothing of the
   product is written and the reason is reported;
2. insert the sell records (unique per asset: ON CONFLICT DO NOTHING, so a rerun writes nothing) and
   move the assets INVEST_SUCCESS -> SELL_CONFIRMED (conditional);
3. check by the statements' row counts that every staged asset now has its sell record and is
   confirmed; if one falls short (someone changed it between 1 and 2), the product's transaction is
   rolled back and reported.
A product that fails never stops the others. Where the time goes: bench/README.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..repository.db import transaction
from ..repository.sql_files import load_sql

log = logging.getLogger(__name__)

PROGRESS_EVERY = 100  # products between two progress lines in the task log
SELL_CHUNK = 200  # products loaded, compared and sold per round


@dataclass(frozen=True)
class SellResult:
    sold: list[int]  # products whose every asset has its sell record
    failed: dict[int, str]  # product -> why nothing was written for it
    inserted: int  # sell records written by this call (0 on a rerun)


def stage(zw_conn, rows: pd.DataFrame) -> None:
    """rows: asset_id, product_id, zw_fen, hjs_fen (Int64, may be <NA>)."""
    text = rows[["asset_id", "product_id", "zw_fen", "hjs_fen"]].to_csv(header=False, index=False)
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/create_sell_stage.sql"))
        with cur.copy(load_sql("trial/copy_sell_stage.sql")) as copy:
            copy.write(text)
        cur.execute(load_sql("trial/analyze_sell_stage.sql"))  # per-product lookups use the index


class _NotSold(Exception):
    """Rolls one product's transaction back; the message says why."""


def _sell_product(zw_conn, run_id: str, product_id: int) -> int:
    """Sell one staged product in one transaction; returns the sell records written, raises _NotSold."""
    params = {"run_id": run_id, "product_id": product_id}
    with transaction(zw_conn) as cur:
        # a second run of the same date waits here, then finds the records written (work already done)
        cur.execute(load_sql("trial/lock_product.sql"), params)
        cur.execute(load_sql("trial/sellable_product.sql"), params)
        staged, sellable, recorded, to_confirm = cur.fetchone()
        if staged != sellable:
            raise _NotSold(f"{staged - sellable} of {staged} assets cannot be sold for the compared amount "
                           "(changed since the comparison, or sold for another amount)")
        cur.execute(load_sql("trial/insert_sell_records.sql"), params)
        written = cur.rowcount
        cur.execute(load_sql("trial/confirm_assets.sql"), params)
        confirmed = cur.rowcount
        # Anything changed by someone else between the check and the writes shows in the counts.
        if written != staged - recorded or confirmed != to_confirm:
            raise _NotSold(f"{written} of {staged - recorded} sell records written and {confirmed} of {to_confirm} "
                           "assets confirmed (changed while writing); rolled back")
    return written


def write_sell_records(zw_conn, run_id: str, rows: pd.DataFrame) -> SellResult:
    """Sell every product of `rows` (one row per asset to sell), each in its own transaction."""
    stage(zw_conn, rows)
    product_ids = sorted(int(p) for p in rows["product_id"].unique())
    sold, failed, inserted = [], {}, 0
    for done, product_id in enumerate(product_ids, start=1):
        try:
            inserted += _sell_product(zw_conn, run_id, product_id)
            sold.append(product_id)
        except _NotSold as reason:
            failed[product_id] = str(reason)
            log.warning("product %d: nothing sold: %s", product_id, reason)
        if done % PROGRESS_EVERY == 0 or done == len(product_ids):
            log.info("sell records: %d/%d products, %d record(s) written", done, len(product_ids), inserted)
    return SellResult(sold=sold, failed=failed, inserted=inserted)


def rows_to_sell(zw: pd.DataFrame, assets: pd.DataFrame, hjs: pd.DataFrame) -> pd.DataFrame:
    """The zw assets to sell from a comparison: its MATCH rows, with zw's amount and HJS's."""
    mask = (assets["zw_row"].to_numpy() >= 0) & assets["zw_amount"].notna().to_numpy()
    mask &= (assets["cls"] == "MATCH").to_numpy()
    picked = assets.loc[mask]
    return pd.DataFrame({
        "asset_id": picked["asset_id"].astype(np.int64).to_numpy(),
        "product_id": picked["product_id"].to_numpy(dtype=np.int64),
        "zw_fen": picked["zw_amount"].astype(np.int64).to_numpy(),
        # nullable integers stay integers: to_numpy() of <NA> beside ints would write "5250000.0"
        "hjs_fen": pd.array(picked["hjs_amount"], dtype="Int64"),
    })


def settle_products(zw_conn, run_id: str, product_ids: list[int], *, tolerance_fen: int,
                    drift_per_asset_fen: int) -> SellResult:
    """Sell the products the run found all-MATCH, SELL_CHUNK at a time: load and compare them again
    (a product that no longer compares clean is not sold and is reported), then write each product in
    its own transaction. A product another run sold meanwhile counts as done."""
    from .outcome import compare_products

    sold, failed, inserted = [], {}, 0
    for start in range(0, len(product_ids), SELL_CHUNK):
        chunk = product_ids[start:start + SELL_CHUNK]
        comparison, zw, hjs = compare_products(zw_conn, run_id, chunk, tolerance_fen=tolerance_fen,
                                               drift_per_asset_fen=drift_per_asset_fen)
        changed = set(comparison.held_products()) & set(chunk)
        for product_id in sorted(changed):
            failed[product_id] = "no longer compares clean (the data changed since the comparison)"
        rows = rows_to_sell(zw, comparison.assets, hjs)
        rows = rows[rows["product_id"].isin([p for p in chunk if p not in changed])]
        result = write_sell_records(zw_conn, run_id, rows)
        sold += result.sold
        failed.update(result.failed)
        inserted += result.inserted
        log.info("sold %d/%d products (%d new sell record(s))", len(sold), len(product_ids), inserted)
    return SellResult(sold=sold, failed=failed, inserted=inserted)
