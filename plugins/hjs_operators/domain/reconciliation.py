"""The T-3 comparison: zw's expected maturity amounts against HJS's, per asset, in integer fen.

Plain pandas and numpy, no Airflow, no database: the trial loads the two sides into frames and calls
compare(); the tests and the benchmark call it directly.

Inputs (one row per asset on each side):
- zw:  product_id (int, -1 when the asset has no product), key (int: the subscribing asset id, i.e.
       the asset whose HJS order number the subscription carries), asset_id (int: the current holder
       after transfers), amount (int fen: principal + interest), problem (text or None: why the row
       cannot be trusted, e.g. null interest).
- hjs: product_id (int), key (int; -1 when the record's orderNo is not a zw order number), holder
       (int: HJS's holderAssetId, -1 when not a zw id), amount (int fen; 0 when unusable), problem (text
       or None: e.g. non-numeric amount).

Classes, per key (the subscription), first that applies:
- BAD_ZW_RECORD / BAD_HJS_RECORD: a side's row has a problem (nothing about it can be trusted);
- DUPLICATE: the key appears more than once on a side;
- MISSING_AT_HJS / MISSING_AT_ZW: only one side has it;
- MISMATCH: |zw - hjs| > tolerance, or HJS names another holder than zw;
- MATCH: |zw - hjs| <= tolerance (the sandbox truncates interest where zw rounds half-up, so one-fen
  differences are normal and match).
Per product, TOTAL_DRIFT when the summed difference of its MATCH assets exceeds
drift_per_asset_fen x their number (a mismatch is reported on its own, not again as drift):
rounding alone moves at most one fen per asset, so more on average is a systematic bias even when
every single asset is within tolerance.
A product is settled only when every one of its assets is MATCH and it has no TOTAL_DRIFT; otherwise
it is held.

diff is zw - hjs (positive: zw expects more than HJS will fund).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..settings import DRIFT_PER_ASSET_FEN, TOLERANCE_FEN

MATCH = "MATCH"
MISMATCH = "MISMATCH"
MISSING_AT_HJS = "MISSING_AT_HJS"
MISSING_AT_ZW = "MISSING_AT_ZW"
DUPLICATE = "DUPLICATE"
BAD_HJS_RECORD = "BAD_HJS_RECORD"
BAD_ZW_RECORD = "BAD_ZW_RECORD"
TOTAL_DRIFT = "TOTAL_DRIFT"

# Order matters: the category codes below index this tuple.
ASSET_CLASSES = (MATCH, MISMATCH, MISSING_AT_HJS, MISSING_AT_ZW, DUPLICATE, BAD_HJS_RECORD, BAD_ZW_RECORD)
_C = {name: code for code, name in enumerate(ASSET_CLASSES)}

DEFAULT_TOLERANCE_FEN = TOLERANCE_FEN
DEFAULT_DRIFT_PER_ASSET_FEN = DRIFT_PER_ASSET_FEN
NO_KEY = -1
NO_PRODUCT = -1

ZW_COLUMNS = ("product_id", "key", "asset_id", "amount", "problem")
HJS_COLUMNS = ("product_id", "key", "holder", "amount", "problem")


@dataclass(frozen=True)
class Comparison:
    """assets: one row per subscription key (and per row of a duplicated key), columns product_id,
    key, asset_id (zw holder, <NA> when zw lacks it), holder (HJS's, <NA> when HJS lacks it), zw_amount,
    hjs_amount, diff (nullable Int64 fen), cls (categorical), zw_row / hjs_row (position of the row in
    the input frame, -1 when that side has none), detail (text or None).
    products: one row per product: product_id, assets, matched, zw_total, hjs_total, drift,
    drift_limit, total_drift (bool), held (bool)."""

    assets: pd.DataFrame
    products: pd.DataFrame

    def class_counts(self) -> dict[str, int]:
        counts = self.assets["cls"].value_counts()
        result = {name: int(counts.get(name, 0)) for name in ASSET_CLASSES}
        result[TOTAL_DRIFT] = int(self.products["total_drift"].sum())
        return result

    def held_products(self) -> list[int]:
        return [int(p) for p in self.products.loc[self.products["held"], "product_id"]]

    def settled_products(self) -> list[int]:
        return [int(p) for p in self.products.loc[~self.products["held"], "product_id"]]


def _check_columns(frame: pd.DataFrame, columns: tuple[str, ...], side: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{side} frame lacks column(s) {missing}")
    for column in ("product_id", "key", "amount", "asset_id" if side == "zw" else "holder"):
        dtype = frame[column].dtype
        if not (pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)):
            # money and ids are integers: a float here would mean fen were lost somewhere upstream
            raise TypeError(f"{side}.{column} must be an integer column, not {dtype}")
        if frame[column].hasnans:
            raise ValueError(f"{side}.{column} has missing values; mark such rows with a problem instead")


def _problems(frame: pd.DataFrame) -> np.ndarray:
    return pd.notna(frame["problem"].to_numpy(dtype=object))


def _first_of(n: int, rules: list[tuple[np.ndarray, int]], default: int = _C[MATCH]) -> np.ndarray:
    """Class codes: the code of the first rule whose mask holds, else default (like np.select, but
    assigning from the last rule to the first is several times faster on a million rows)."""
    codes = np.full(n, default, dtype=np.int8)
    for mask, code in reversed(rules):
        codes[mask] = code
    return codes


def _dense_codes(zk: np.ndarray, hk: np.ndarray, h_keyed: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Both sides' keys as small non-negative codes (equal keys, equal codes) and the code range.

    Asset ids are dense integers, so they usually serve as codes themselves (a direct-address table
    instead of hashing); otherwise one factorize of both sides together."""
    valid_h = hk[h_keyed]
    if len(zk) + len(valid_h) == 0:
        return np.zeros(len(zk), np.int64), np.zeros(len(hk), np.int64), 1
    lo = min(zk.min(initial=0), valid_h.min(initial=0))
    hi = max(zk.max(initial=0), valid_h.max(initial=0))
    if lo >= 0 and hi < 4 * (len(zk) + len(hk)) + 1024:
        return zk, np.where(h_keyed, hk, 0), int(hi) + 1
    codes, uniques = pd.factorize(np.concatenate([zk, np.where(h_keyed, hk, zk[0] if len(zk) else 0)]))
    codes = codes.astype(np.int64)
    return codes[: len(zk)], codes[len(zk):], max(len(uniques), 1)


def compare(
    zw: pd.DataFrame,
    hjs: pd.DataFrame,
    *,
    tolerance_fen: int = DEFAULT_TOLERANCE_FEN,
    drift_per_asset_fen: int = DEFAULT_DRIFT_PER_ASSET_FEN,
) -> Comparison:
    """Classify every subscription of both sides; see the module docstring."""
    if tolerance_fen < 0 or drift_per_asset_fen < 0:
        raise ValueError("tolerance and drift limit are fen amounts >= 0")
    _check_columns(zw, ZW_COLUMNS, "zw")
    _check_columns(hjs, HJS_COLUMNS, "hjs")

    zk = zw["key"].to_numpy(dtype=np.int64)
    hk = hjs["key"].to_numpy(dtype=np.int64)
    z_bad = _problems(zw)
    h_bad = _problems(hjs)
    h_keyed = hk != NO_KEY
    zc, hc, size = _dense_codes(zk, hk, h_keyed)
    # duplicates: a key on a side more than once (HJS records without a usable key are bad, not dups)
    z_count = np.bincount(zc, minlength=size)
    h_count = np.bincount(hc[h_keyed], minlength=size)
    z_dup = z_count[zc] > 1
    h_dup = h_keyed & (h_count[hc] > 1)
    # zw rows look up their HJS partner (the first HJS row of the key; a duplicated key's class says
    # DUPLICATE anyway, and its later HJS rows are shown on their own below)
    keyed = np.flatnonzero(h_keyed)
    table = np.full(size, -1, dtype=np.int64)
    table[hc[keyed][::-1]] = keyed[::-1]
    pos = table[zc]
    paired = pos >= 0
    h_taken = np.zeros(len(hk), dtype=bool)
    h_taken[pos[paired]] = True
    h_only = ~h_taken  # includes the second and later rows of a duplicated key: each is shown

    # -- zw rows (with their partner's values when paired) ---------------------------------------
    h_amount = hjs["amount"].to_numpy(dtype=np.int64)
    h_holder = hjs["holder"].to_numpy(dtype=np.int64)
    h_product = hjs["product_id"].to_numpy(dtype=np.int64)
    # gathers for zw rows read position `safe` of these; one padding row keeps an empty HJS side valid
    g_amount, g_holder, g_product, g_bad, g_dup = (np.append(h_amount, 0), np.append(h_holder, NO_KEY),
                                                   np.append(h_product, NO_PRODUCT), np.append(h_bad, False),
                                                   np.append(h_dup, False))
    safe = np.where(paired, pos, len(hk))
    z_amount = zw["amount"].to_numpy(dtype=np.int64)
    z_holder = zw["asset_id"].to_numpy(dtype=np.int64)
    z_diff = z_amount - g_amount[safe]
    z_partner_bad = paired & g_bad[safe]
    z_partner_dup = paired & g_dup[safe]
    holder_differs = paired & (g_holder[safe] != z_holder)

    z_cls = _first_of(len(zk), [
        (z_bad, _C[BAD_ZW_RECORD]), (z_partner_bad, _C[BAD_HJS_RECORD]), (z_dup | z_partner_dup, _C[DUPLICATE]),
        (~paired, _C[MISSING_AT_HJS]), ((np.abs(z_diff) > tolerance_fen) | holder_differs, _C[MISMATCH])])

    # -- HJS rows without a zw partner -----------------------------------------------------------
    ho = np.flatnonzero(h_only)
    h_cls = _first_of(len(ho), [(h_bad[ho] | ~h_keyed[ho], _C[BAD_HJS_RECORD]), (h_dup[ho], _C[DUPLICATE])],
                      default=_C[MISSING_AT_ZW])

    # the zw product wins (a zw row without product takes its partner's product, so it is held there)
    z_product = zw["product_id"].to_numpy(dtype=np.int64)
    z_product = np.where((z_product == NO_PRODUCT) & paired, g_product[safe], z_product)

    n_z, n_h = len(zk), len(ho)
    has_hjs = np.concatenate([paired, np.ones(n_h, dtype=bool)])
    has_zw = np.concatenate([np.ones(n_z, dtype=bool), np.zeros(n_h, dtype=bool)])
    zw_amount = np.concatenate([z_amount, np.zeros(n_h, dtype=np.int64)])
    hjs_amount = np.concatenate([np.where(paired, g_amount[safe], 0), h_amount[ho]])
    cls_codes = np.concatenate([z_cls, h_cls])
    # an amount a side flagged as bad is not an amount: leave it out rather than show a guess
    zw_valid = has_zw & np.concatenate([~z_bad, np.zeros(n_h, dtype=bool)])
    hjs_valid = has_hjs & ~np.concatenate([z_partner_bad, h_bad[ho]])
    both = zw_valid & hjs_valid

    assets = pd.DataFrame({
        "product_id": np.concatenate([z_product, h_product[ho]]),
        "key": np.concatenate([zk, hk[ho]]),
        "asset_id": pd.arrays.IntegerArray(np.concatenate([z_holder, np.zeros(n_h, dtype=np.int64)]), ~has_zw),
        "holder": pd.arrays.IntegerArray(np.concatenate([g_holder[safe], h_holder[ho]]), ~has_hjs),
        "zw_amount": pd.arrays.IntegerArray(zw_amount, ~zw_valid),
        "hjs_amount": pd.arrays.IntegerArray(hjs_amount, ~hjs_valid),
        "diff": pd.arrays.IntegerArray(zw_amount - hjs_amount, ~both),
        "cls": pd.Categorical.from_codes(cls_codes, categories=list(ASSET_CLASSES)),
        # positions in the input frames (-1: that side has no row), for callers' own columns
        "zw_row": np.concatenate([np.arange(n_z, dtype=np.int64), np.full(n_h, -1, dtype=np.int64)]),
        "hjs_row": np.concatenate([np.where(paired, pos, -1), ho.astype(np.int64)]),
    })
    assets["detail"] = pd.Series(_details(zw, hjs, z_bad, z_partner_bad, safe, ho, holder_differs, cls_codes, n_z),
                                 dtype=object)
    products = _products(assets["product_id"].to_numpy(), cls_codes, zw_amount, hjs_amount,
                         drift_per_asset_fen)
    return Comparison(assets=assets, products=products)


def _details(zw, hjs, z_bad, z_partner_bad, safe, ho, holder_differs, cls_codes, n_z) -> np.ndarray:
    """A short reason for every row that is not MATCH (None for MATCH rows)."""
    detail = np.full(len(cls_codes), None, dtype=object)
    if not (cls_codes != _C[MATCH]).any():
        return detail
    z_problem = zw["problem"].to_numpy(dtype=object)
    h_problem = hjs["problem"].to_numpy(dtype=object)
    names = {code: name for name, code in _C.items()}
    for i in np.flatnonzero(cls_codes != _C[MATCH]):
        cls = names[int(cls_codes[i])]
        if i < n_z:
            if z_bad[i]:
                detail[i] = str(z_problem[i])
            elif z_partner_bad[i]:
                detail[i] = str(h_problem[safe[i]])
            elif cls == MISMATCH and holder_differs[i]:
                detail[i] = "HJS names another holder than zw (a transfer not registered at HJS?)"
            elif cls == MISSING_AT_HJS:
                detail[i] = "zw asset has no maturity record at HJS"
            elif cls == DUPLICATE:
                detail[i] = "subscription appears more than once"
            elif cls == MISMATCH:
                detail[i] = "amounts differ by more than the tolerance"
        else:
            j = ho[i - n_z]
            if cls == BAD_HJS_RECORD:
                detail[i] = str(h_problem[j]) if h_problem[j] is not None else "orderNo is not a zw order number"
            elif cls == DUPLICATE:
                detail[i] = "HJS sent this subscription more than once"
            else:
                detail[i] = "HJS record for an asset zw does not know"
    return detail


def _products(product_ids, cls_codes, zw_amount, hjs_amount, drift_per_asset_fen) -> pd.DataFrame:
    codes, uniques = pd.factorize(product_ids, sort=True)
    n = len(uniques)
    if n == 0:
        return pd.DataFrame({
            "product_id": pd.Series([], dtype=np.int64), "assets": pd.Series([], dtype=np.int64),
            "matched": pd.Series([], dtype=np.int64), "zw_total": pd.Series([], dtype=np.int64),
            "hjs_total": pd.Series([], dtype=np.int64), "drift": pd.Series([], dtype=np.int64),
            "drift_limit": pd.Series([], dtype=np.int64), "total_drift": pd.Series([], dtype=bool),
            "held": pd.Series([], dtype=bool)})
    assets = np.bincount(codes, minlength=n).astype(np.int64)
    matched = np.bincount(codes, weights=(cls_codes == _C[MATCH]), minlength=n).astype(np.int64)
    is_match = cls_codes == _C[MATCH]
    # sums of int64 fen: np.bincount would go through float64, exact only below 2^53 fen; use add.at
    zw_total = np.zeros(n, dtype=np.int64)
    hjs_total = np.zeros(n, dtype=np.int64)
    drift = np.zeros(n, dtype=np.int64)
    np.add.at(zw_total, codes, zw_amount)
    np.add.at(hjs_total, codes, hjs_amount)
    np.add.at(drift, codes, np.where(is_match, zw_amount - hjs_amount, 0))
    limit = matched * drift_per_asset_fen
    total_drift = np.abs(drift) > limit
    return pd.DataFrame({
        "product_id": uniques.astype(np.int64), "assets": assets, "matched": matched, "zw_total": zw_total,
        "hjs_total": hjs_total, "drift": drift, "drift_limit": limit, "total_drift": total_drift,
        "held": (matched < assets) | total_drift,
    })


def empty_zw() -> pd.DataFrame:
    return pd.DataFrame({"product_id": pd.Series([], dtype=np.int64), "key": pd.Series([], dtype=np.int64),
                         "asset_id": pd.Series([], dtype=np.int64), "amount": pd.Series([], dtype=np.int64),
                         "problem": pd.Series([], dtype=object)})


def empty_hjs() -> pd.DataFrame:
    return pd.DataFrame({"product_id": pd.Series([], dtype=np.int64), "key": pd.Series([], dtype=np.int64),
                         "holder": pd.Series([], dtype=np.int64), "amount": pd.Series([], dtype=np.int64),
                         "problem": pd.Series([], dtype=object)})
