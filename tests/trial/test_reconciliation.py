"""The comparison function on its own: tolerance edges (hypothesis), bad input, and the same classes as
datacompy's PandasCompare with abs_tol on the same frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hjs_operators.domain import reconciliation as rec


def frames(zw_rows, hjs_rows):
    """zw_rows: (product, key, amount[, problem]); hjs_rows: (product, key, amount[, problem[, holder]])."""
    zw = pd.DataFrame({
        "product_id": pd.Series([r[0] for r in zw_rows], dtype=np.int64),
        "key": pd.Series([r[1] for r in zw_rows], dtype=np.int64),
        "asset_id": pd.Series([r[1] for r in zw_rows], dtype=np.int64),
        "amount": pd.Series([r[2] for r in zw_rows], dtype=np.int64),
        "problem": pd.Series([r[3] if len(r) > 3 else None for r in zw_rows], dtype=object)})
    hjs = pd.DataFrame({
        "product_id": pd.Series([r[0] for r in hjs_rows], dtype=np.int64),
        "key": pd.Series([r[1] for r in hjs_rows], dtype=np.int64),
        "holder": pd.Series([r[4] if len(r) > 4 else r[1] for r in hjs_rows], dtype=np.int64),
        "amount": pd.Series([r[2] for r in hjs_rows], dtype=np.int64),
        "problem": pd.Series([r[3] if len(r) > 3 else None for r in hjs_rows], dtype=object)})
    return zw, hjs


def classes(result: rec.Comparison) -> dict[int, str]:
    return {int(k): str(c) for k, c in zip(result.assets["key"], result.assets["cls"], strict=True)}


AMOUNTS = st.integers(min_value=1, max_value=10**12)  # up to 10 billion yuan, in fen


@given(amount=AMOUNTS, diff=st.integers(min_value=-5, max_value=5))
def test_within_five_fen_either_way_matches(amount, diff):
    zw, hjs = frames([(1, 7, amount + diff)], [(1, 7, amount)])
    result = rec.compare(zw, hjs)
    assert classes(result) == {7: rec.MATCH}
    assert int(result.assets["diff"].iloc[0]) == diff
    assert result.held_products() == [] or abs(diff) > 1  # one asset: drift limit 1 fen


@given(amount=AMOUNTS, size=st.integers(min_value=6, max_value=10**6), sign=st.sampled_from([-1, 1]))
def test_six_fen_or_more_is_a_mismatch(amount, size, sign):
    zw, hjs = frames([(1, 7, amount + sign * size)], [(1, 7, amount)])
    result = rec.compare(zw, hjs)
    assert classes(result) == {7: rec.MISMATCH}
    assert result.held_products() == [1]


@given(tolerance=st.integers(min_value=0, max_value=50), amount=AMOUNTS)
def test_the_tolerance_edge_is_inclusive(tolerance, amount):
    zw, hjs = frames([(1, 1, amount + tolerance), (1, 2, amount - tolerance - 1)], [(1, 1, amount), (1, 2, amount)])
    result = rec.compare(zw, hjs, tolerance_fen=tolerance, drift_per_asset_fen=10**9)
    assert classes(result) == {1: rec.MATCH, 2: rec.MISMATCH}


@given(keys=st.lists(st.integers(min_value=1, max_value=10**9), unique=True, max_size=30), amount=AMOUNTS)
def test_empty_sides(keys, amount):
    zw, hjs = frames([(1, k, amount) for k in keys], [])
    assert set(classes(rec.compare(zw, hjs)).values()) <= {rec.MISSING_AT_HJS}
    zw, hjs = frames([], [(1, k, amount) for k in keys])
    assert set(classes(rec.compare(zw, hjs)).values()) <= {rec.MISSING_AT_ZW}
    empty = rec.compare(rec.empty_zw(), rec.empty_hjs())
    assert empty.assets.empty and empty.products.empty


def test_exact_edges():
    zw, hjs = frames([(1, 1, 1005), (1, 2, 1006), (1, 3, 995), (1, 4, 994)], [(1, k, 1000) for k in (1, 2, 3, 4)])
    result = rec.compare(zw, hjs, drift_per_asset_fen=100)
    assert classes(result) == {1: rec.MATCH, 2: rec.MISMATCH, 3: rec.MATCH, 4: rec.MISMATCH}
    assert result.assets.set_index("key")["diff"].to_dict() == {1: 5, 2: 6, 3: -5, 4: -6}


def test_systematic_small_bias_is_total_drift():
    # every asset within tolerance, but zw expects 2 fen more on each of 200: a bias, not rounding
    zw, hjs = frames([(9, k, 1002) for k in range(1, 201)], [(9, k, 1000) for k in range(1, 201)])
    result = rec.compare(zw, hjs)
    assert set(classes(result).values()) == {rec.MATCH}
    assert result.products["total_drift"].tolist() == [True] and result.held_products() == [9]
    # rounding alone (at most one fen per asset) is not drift
    zw, hjs = frames([(9, k, 1000 + k % 2) for k in range(1, 201)], [(9, k, 1000) for k in range(1, 201)])
    assert rec.compare(zw, hjs).held_products() == []


def test_bad_records_duplicates_and_missing_are_named():
    zw, hjs = frames(
        [(1, 1, 100), (1, 2, 100, "create_expected_interest is NULL"), (1, 3, 100), (1, 3, 100), (1, 4, 100),
         (1, 6, 100), (2, 8, 100)],
        [(1, 1, 100), (1, 2, 100), (1, 3, 100), (1, 5, 100), (1, 6, 0, "amount is missing"), (1, -1, 0, "bad orderNo"),
         (2, 8, 100, None, 9)])
    result = rec.compare(zw, hjs)
    by_key: dict[int, list[str]] = {}
    for key, cls in zip(result.assets["key"], result.assets["cls"], strict=True):
        by_key[int(key)] = sorted({*by_key.get(int(key), []), str(cls)})
    assert by_key == {1: [rec.MATCH], 2: [rec.BAD_ZW_RECORD], 3: [rec.DUPLICATE], 4: [rec.MISSING_AT_HJS],
                      5: [rec.MISSING_AT_ZW], 6: [rec.BAD_HJS_RECORD], -1: [rec.BAD_HJS_RECORD], 8: [rec.MISMATCH]}
    assert result.held_products() == [1, 2]
    # a bad side's amount is never shown as if it were one
    bad_hjs = result.assets[result.assets["key"] == 6].iloc[0]
    assert pd.isna(bad_hjs["hjs_amount"]) and pd.isna(bad_hjs["diff"]) and bad_hjs["detail"] == "amount is missing"
    assert "holder" in result.assets[result.assets["key"] == 8].iloc[0]["detail"]


def test_floats_are_refused():
    zw, hjs = frames([(1, 1, 100)], [(1, 1, 100)])
    zw["amount"] = zw["amount"].astype(float)
    with pytest.raises(TypeError, match="zw.amount"):
        rec.compare(zw, hjs)


def test_sparse_keys_use_hashing_and_agree():
    big = 10**15
    zw, hjs = frames([(1, big + 1, 100), (1, 3, 100)], [(1, big + 1, 108), (1, 3, 100), (1, big + 9, 1)])
    assert classes(rec.compare(zw, hjs)) == {big + 1: rec.MISMATCH, 3: rec.MATCH, big + 9: rec.MISSING_AT_ZW}


def datacompy_classes(zw: pd.DataFrame, hjs: pd.DataFrame, tolerance: int) -> dict[int, str]:
    import datacompy

    cmp = datacompy.PandasCompare(zw[["key", "amount"]], hjs[["key", "amount"]], join_columns="key",
                                  abs_tol=tolerance, rel_tol=0)
    out = {int(k): rec.MISSING_AT_HJS for k in cmp.df1_unq_rows["key"]}
    out.update({int(k): rec.MISSING_AT_ZW for k in cmp.df2_unq_rows["key"]})
    both = cmp.intersect_rows
    out.update({int(k): rec.MATCH if match else rec.MISMATCH
                for k, match in zip(both["key"], both["amount_match"], strict=True)})
    return out


pairs = st.lists(
    st.tuples(st.integers(min_value=1, max_value=400), st.integers(min_value=1, max_value=10**9),
              st.integers(min_value=-12, max_value=12), st.sampled_from(["both", "zw", "hjs"])),
    unique_by=lambda t: t[0], max_size=60)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=60)
@given(rows=pairs, tolerance=st.integers(min_value=0, max_value=8))
def test_same_classes_as_datacompy(rows, tolerance):
    zw_rows = [(1, k, a + d) for k, a, d, side in rows if side in ("both", "zw")]
    hjs_rows = [(1, k, a) for k, a, d, side in rows if side in ("both", "hjs")]
    zw, hjs = frames(zw_rows, hjs_rows)
    ours = classes(rec.compare(zw, hjs, tolerance_fen=tolerance))
    assert ours == datacompy_classes(zw, hjs, tolerance)
