"""Sell records with zw's amounts (principal + interest), each product all or nothing.

The assets to sell are staged once per call (COPY into a session temp table). One statement
(include/sql/trial/sell_products.sql) then does a product's whole work, set-wise over its staged
assets: lock the product; count the staged assets that can be sold for the compared amount (still
that amount in zw, a status that may be sold, no sell record for another amount); and for a product
whose every staged asset can, insert the sell records (unique per asset: ON CONFLICT DO NOTHING, so a
rerun writes nothing) and move the assets INVEST_SUCCESS -> SELL_CONFIRMED. A product with one asset
in doubt is left out by the statement itself: nothing of it is written.

The statement takes PRODUCTS_PER_STATEMENT products at a time, in one transaction; the statement's
per-product counts are then checked (every staged asset now has its record and is confirmed). If one
falls short (someone changed it meanwhile, or a racing run got there first: a statement that waited
for a lock still reads its older snapshot) or the statement fails, the batch is rolled back. Every
product the batch did not sell is then taken on its own: lock first, so the statement after it sees a
racing run's work; the same statement for that one product; not sold, with the reason, if an asset
is in doubt or the counts fall short. A product that fails never stops the others.
Where the time goes: bench/README.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import psycopg

from ..repository.db import transaction
from ..repository.sql_files import load_sql

log = logging.getLogger(__name__)

PROGRESS_EVERY = 100  # products between two progress lines in the task log
SELL_CHUNK = 200  # products loaded, compared and sold per round
PRODUCTS_PER_STATEMENT = 100  # products one statement sells (20,000 sell records at 200 assets)


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
    """Rolls a transaction back; the message says why."""


@dataclass(frozen=True)
class _Verdict:
    """One product's row of sell_products.sql: what the check counted and what the writes did."""
    product_id: int
    staged: int
    sellable: int
    recorded: int  # sell records already there (an earlier run): not written again
    to_confirm: int
    written: int
    confirmed: int

    @property
    def all_sellable(self) -> bool:
        return self.sellable == self.staged

    @property
    def written_as_counted(self) -> bool:
        return self.written == self.staged - self.recorded and self.confirmed == self.to_confirm


def _sell_products(cur, run_id: str, product_ids: list[int]) -> dict[int, _Verdict]:
    # never a server-side prepared statement: a generic plan is blind to the products' array (see
    # payback/service.py); planning anew costs about a millisecond
    cur.execute(load_sql("trial/sell_products.sql"), {"run_id": run_id, "product_ids": product_ids}, prepare=False)
    return {int(row[0]): _Verdict(*map(int, row)) for row in cur.fetchall()}


def _sell_product(zw_conn, run_id: str, product_id: int) -> int:
    """Sell one staged product in one transaction; returns the sell records written, raises _NotSold."""
    try:
        return _sell_alone(zw_conn, run_id, product_id)
    except psycopg.DatabaseError as error:
        if zw_conn.broken:  # not this product's fault: no other product could be written either
            raise
        raise _NotSold(f"the write failed and was rolled back: {error}") from error


def _sell_alone(zw_conn, run_id: str, product_id: int) -> int:
    """_sell_product without the translation of a database error."""
    with transaction(zw_conn) as cur:
        # a second run of the same date waits here; the statement after it then sees the records written
        cur.execute(load_sql("trial/lock_product.sql"), {"product_id": product_id})
        verdict = _sell_products(cur, run_id, [product_id])[product_id]
        if not verdict.all_sellable:  # nothing was written
            raise _NotSold(f"{verdict.staged - verdict.sellable} of {verdict.staged} assets cannot be sold for the "
                           "compared amount (changed since the comparison, or sold for another amount)")
        # Anything changed by someone else between the check and the writes shows in the counts.
        if not verdict.written_as_counted:
            raise _NotSold(f"{verdict.written} of {verdict.staged - verdict.recorded} sell records written and "
                           f"{verdict.confirmed} of {verdict.to_confirm} assets confirmed (changed while writing); "
                           "rolled back")
    return verdict.written


def _sell_together(zw_conn, run_id: str, product_ids: list[int]) -> dict[int, int]:
    """Sell several staged products in one statement and one transaction; returns the sell records
    written per product it sold. A product with an asset in doubt is left out by the statement
    (nothing of it written) and is not returned; if any product's writes fall short of its counts, or
    the statement fails, nothing is kept and none is returned: the caller then takes each product on
    its own (_sell_product), which also waits for a racing run and says why a product is not sold."""
    try:
        with transaction(zw_conn) as cur:
            verdicts = _sell_products(cur, run_id, product_ids)
            if not all(v.written_as_counted for v in verdicts.values() if v.all_sellable):
                raise _NotSold("writes short of the counts")
    except (_NotSold, psycopg.DatabaseError) as reason:
        log.warning("%d product(s) sold together rolled back (%s); selling each on its own", len(product_ids), reason)
        return {}
    return {product_id: v.written for product_id, v in verdicts.items() if v.all_sellable}


def write_sell_records(zw_conn, run_id: str, rows: pd.DataFrame) -> SellResult:
    """Sell every product of `rows` (one row per asset to sell), each all or nothing: PRODUCTS_PER_STATEMENT
    at a time in one statement, and on its own any product that statement did not sell."""
    stage(zw_conn, rows)
    product_ids = sorted(int(p) for p in rows["product_id"].unique())
    sold, failed, inserted = [], {}, 0
    for start in range(0, len(product_ids), PRODUCTS_PER_STATEMENT):
        together = product_ids[start:start + PRODUCTS_PER_STATEMENT]
        sold_together = _sell_together(zw_conn, run_id, together)
        for done, product_id in enumerate(together, start=start + 1):
            try:
                inserted += (sold_together[product_id] if product_id in sold_together
                             else _sell_product(zw_conn, run_id, product_id))
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
