"""Compare a batch of products and record, per product, SETTLE or HOLD (trial_product_result) and, for a
held product, one reconciliation_exception row per asset or record that is not a MATCH.

Per product in ONE transaction: delete this run's exception rows of the product, insert the new ones,
upsert its result; so a retry or a rerun of the task for the same run rewrites, never doubles.
A product whose fetch FAILED (or that was never fetched) is held with a BAD_HJS_RECORD row naming why;
one whose maturity date at HJS differs from zw's is held with MATURITY_DATE_MISMATCH naming both dates.
A product whose comparison itself fails is held with COMPARISON_FAILED and the error: the batch is then
compared product by product, so one product's bad data never stops the others.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..domain import reconciliation as rec
from ..domain.money import to_yuan
from ..domain.order_numbers import invest_order_no
from ..repository.db import transaction
from ..repository.sql_files import load_sql
from .products import products_by_id
from .sides import load_hjs_side, load_zw_side

log = logging.getLogger(__name__)

SETTLE = "SETTLE"
HOLD = "HOLD"
MATURITY_DATE_MISMATCH = "MATURITY_DATE_MISMATCH"
COMPARISON_FAILED = "COMPARISON_FAILED"
NOT_FETCHED = ("MISSING", "no maturity amounts were fetched by this run (see fetch_amounts' log)", None)


@dataclass(frozen=True)
class BatchOutcome:
    settle: list[int]
    hold: list[int]
    counts: dict[str, int]



def fetch_status(zw_conn, run_id: str, product_ids: list[int]) -> dict[int, tuple[str, str | None, date | None]]:
    """product -> (status, problem, HJS's maturity date) of this run's fetch."""
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/fetch_status.sql"), {"run_id": run_id, "product_ids": list(product_ids)})
        return {row[0]: (row[1], row[2], row[3]) for row in cur.fetchall()}


def compare_products(zw_conn, run_id: str, product_ids: list[int], *, tolerance_fen: int,
                     drift_per_asset_fen: int) -> tuple[rec.Comparison, pd.DataFrame, pd.DataFrame]:
    """Load both sides of the products for this run and compare them (nothing written)."""
    zw = load_zw_side(zw_conn, product_ids)
    hjs = load_hjs_side(zw_conn, run_id, product_ids)
    result = rec.compare(zw, hjs, tolerance_fen=tolerance_fen, drift_per_asset_fen=drift_per_asset_fen)
    return result, zw, hjs


def _money(fen) -> object:
    return None if fen is None or pd.isna(fen) else to_yuan(int(fen))


def _order_no(key: int) -> str | None:
    return invest_order_no(int(key)) if key > 0 else None


def compare_and_record(zw_conn, run_id: str, product_ids: list[int], *, tolerance_fen: int,
                       drift_per_asset_fen: int) -> BatchOutcome:
    """Compare the batch at once; if that fails, product by product, holding the ones that fail."""
    settings = {"tolerance_fen": tolerance_fen, "drift_per_asset_fen": drift_per_asset_fen}
    try:
        return _compare_and_record(zw_conn, run_id, product_ids, **settings)
    except Exception as exc:  # noqa: BLE001 - find the product(s) at fault, compare the rest
        log.warning("comparing the batch failed (%s: %s); comparing its %d product(s) one by one",
                    type(exc).__name__, exc, len(product_ids))
    outcomes = []
    for product_id in sorted(product_ids):
        try:
            outcomes.append(_compare_and_record(zw_conn, run_id, [product_id], **settings))
        except Exception as exc:  # noqa: BLE001 - held with the reason; the others go on
            outcomes.append(_record_failure(zw_conn, run_id, product_id, f"{type(exc).__name__}: {exc}"))
    totals: dict[str, int] = {}
    for outcome in outcomes:
        for name, n in outcome.counts.items():
            totals[name] = totals.get(name, 0) + n
    return BatchOutcome(settle=[p for o in outcomes for p in o.settle], hold=[p for o in outcomes for p in o.hold],
                        counts=totals)


def _record_failure(zw_conn, run_id: str, product_id: int, reason: str) -> BatchOutcome:
    code, _channel, maturity = products_by_id(zw_conn, [product_id])[product_id]
    log.error("product %s (%d): comparison FAILED, product held: %s", code, product_id, reason)
    exception = dict(subject_key="product", asset_id=None, order_no=None, zw_amount=None, hjs_amount=None,
                     diff=None, detail=f"the comparison failed: {reason}"[:1000])
    with transaction(zw_conn) as cur:
        _write_outcome(cur, run_id, product_id, maturity, HOLD, [(COMPARISON_FAILED, exception)], None, None,
                       {COMPARISON_FAILED: 1})
    return BatchOutcome(settle=[], hold=[product_id], counts={COMPARISON_FAILED: 1})


def _write_outcome(cur, run_id, product_id, maturity, outcome, exceptions, summary, max_abs_diff, counts) -> None:
    """Replace this run's exceptions and result of the product (one transaction, the caller's)."""
    cur.execute(load_sql("trial/delete_exceptions.sql"), {"run_id": run_id, "product_id": product_id})
    for cls, exc in exceptions:
        cur.execute(load_sql("trial/insert_exception.sql"), {
            "run_id": run_id, "product_id": product_id, "class": cls, **exc})
    cur.execute(load_sql("trial/upsert_product_result.sql"), {
        "run_id": run_id, "product_id": product_id, "maturity_date": maturity, "outcome": outcome,
        "assets": int(summary.assets) if summary is not None else 0,
        "matched": int(summary.matched) if summary is not None else 0,
        "zw_total": _money(summary.zw_total if summary is not None else 0),
        "hjs_total": _money(summary.hjs_total if summary is not None else 0),
        "drift": _money(summary.drift if summary is not None else 0),
        "max_abs_diff": max_abs_diff,
        "class_counts": json.dumps(counts, sort_keys=True)})


def _compare_and_record(zw_conn, run_id: str, product_ids: list[int], *, tolerance_fen: int,
                        drift_per_asset_fen: int) -> BatchOutcome:
    products = products_by_id(zw_conn, product_ids)
    unknown = sorted(set(product_ids) - set(products))
    if unknown:
        raise ValueError(f"products {unknown} do not exist in zw")
    statuses = fetch_status(zw_conn, run_id, product_ids)
    comparison, _zw, hjs = compare_products(zw_conn, run_id, product_ids, tolerance_fen=tolerance_fen,
                                            drift_per_asset_fen=drift_per_asset_fen)
    assets = comparison.assets
    by_product = {int(row.product_id): row for row in comparison.products.itertuples(index=False)}
    snapshot_ids = hjs["snapshot_id"].to_numpy() if len(hjs) else np.zeros(0, np.int64)
    order_nos = hjs["order_no"].to_numpy(dtype=object) if len(hjs) else np.zeros(0, object)
    groups = assets.groupby("product_id", sort=False).indices if len(assets) else {}
    settle, hold = [], []
    totals: dict[str, int] = dict.fromkeys([*rec.ASSET_CLASSES, rec.TOTAL_DRIFT], 0)
    for product_id in sorted(product_ids):
        code, _channel, maturity = products[product_id]
        status, problem, hjs_maturity = statuses.get(product_id, NOT_FETCHED)
        rows = assets.iloc[groups[product_id]] if product_id in groups else assets.iloc[0:0]
        summary = by_product.get(product_id)
        counts = {name: int(n) for name, n in rows["cls"].value_counts().items() if n}
        exceptions = []
        if status != "OK":
            counts[rec.BAD_HJS_RECORD] = counts.get(rec.BAD_HJS_RECORD, 0) + 1
            exceptions.append(dict(subject_key="fetch", asset_id=None, order_no=None, cls=rec.BAD_HJS_RECORD,
                                   zw_amount=None, hjs_amount=None, diff=None, detail=problem))
        elif hjs_maturity != maturity:
            counts[MATURITY_DATE_MISMATCH] = 1
            exceptions.append(dict(subject_key="product", asset_id=None, order_no=None, cls=MATURITY_DATE_MISMATCH,
                                   zw_amount=None, hjs_amount=None, diff=None,
                                   detail=f"HJS reports maturity date {hjs_maturity}, zw has {maturity}"))
        if summary is not None and summary.total_drift:
            counts[rec.TOTAL_DRIFT] = 1
            exceptions.append(dict(
                subject_key="product", asset_id=None, order_no=None, cls=rec.TOTAL_DRIFT,
                zw_amount=_money(summary.zw_total), hjs_amount=_money(summary.hjs_total), diff=_money(summary.drift),
                detail=f"summed difference {to_yuan(int(summary.drift))} over the limit "
                       f"{to_yuan(int(summary.drift_limit))} ({summary.drift_limit} fen for the compared assets)"))
        bad_rows = rows[rows["cls"] != rec.MATCH]
        for row in bad_rows.itertuples(index=False):
            key = int(row.key)
            hjs_row = int(row.hjs_row)
            order_no = _order_no(key) or (order_nos[hjs_row] if hjs_row >= 0 else None)
            subject = order_no or f"snapshot:{snapshot_ids[hjs_row]}"
            if row.cls == rec.DUPLICATE and hjs_row >= 0:
                subject = f"{subject}#snapshot:{snapshot_ids[hjs_row]}"
            exceptions.append(dict(
                subject_key=subject, asset_id=None if pd.isna(row.asset_id) else int(row.asset_id),
                order_no=order_no if isinstance(order_no, str) else None, cls=str(row.cls),
                zw_amount=_money(row.zw_amount), hjs_amount=_money(row.hjs_amount), diff=_money(row.diff),
                detail=row.detail))
        held = bool(exceptions) or summary is None or bool(summary.held)
        if summary is None and not exceptions:
            exceptions.append(dict(subject_key="product", asset_id=None, order_no=None, cls=rec.MISSING_AT_HJS,
                                   zw_amount=None, hjs_amount=None, diff=None,
                                   detail="neither zw nor HJS has any asset of this product"))
        diffs = rows["diff"].dropna()
        with transaction(zw_conn) as cur:
            _write_outcome(cur, run_id, product_id, maturity, HOLD if held else SETTLE,
                           [(exc.pop("cls"), exc) for exc in exceptions] if held else [], summary,
                           _money(int(diffs.abs().max())) if len(diffs) else None, counts)
        (hold if held else settle).append(product_id)
        for name, n in counts.items():
            totals[name] = totals.get(name, 0) + n
        log.info("product %s (%d), maturing %s: %s - %s", code, product_id, maturity, HOLD if held else SETTLE,
                 ", ".join(f"{n} {name}" for name, n in sorted(counts.items())))
    log.info("compared %d product(s): %d to settle, %d held", len(product_ids), len(settle), len(hold))
    return BatchOutcome(settle=settle, hold=hold, counts=totals)


def products_with_outcome(zw_conn, run_id: str, outcome: str) -> list[int]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/products_with_outcome.sql"), {"run_id": run_id, "outcome": outcome})
        return [row[0] for row in cur.fetchall()]
