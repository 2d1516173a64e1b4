"""Both sides of the T-3 comparison as pandas frames in integer fen, read with COPY ... TO STDOUT.

zw:  product_id, key (subscribing asset), asset_id (current holder), amount (principal + interest),
     problem, plus principal and interest; one row per current holder.
hjs: product_id, key (the asset id inside a zw orderNo, -1 if it is none), holder, amount, problem, plus
     snapshot_id and order_no; one row per snapshot record.
Bad values never become guesses: a NULL interest, a non-zw orderNo or holder, a missing amount turn into
a `problem` text on that row (amount 0), which the comparison reports as BAD_ZW_RECORD / BAD_HJS_RECORD.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ..domain.order_numbers import ID_DIGITS, INVEST_PREFIX
from ..domain.reconciliation import NO_KEY
from ..repository.db import transaction
from ..repository.sql_files import load_sql

_ORDER_NO = rf"{INVEST_PREFIX}[0-9]{{{ID_DIGITS}}}"


def _copy_out(zw_conn, sql: str, params: dict) -> io.BytesIO:
    """COPY ... TO STDOUT into memory. COPY takes no server-side parameters: psycopg binds `params`
    into the statement on the client, quoted and typed (never string formatting)."""
    buffer = io.BytesIO()
    with transaction(zw_conn) as cur, cur.copy(sql, params) as copy:
        for data in copy:
            buffer.write(data)
    buffer.seek(0)
    return buffer


def zw_side_sql() -> str:
    """The zw side's query (also read row by row when a held product is accepted)."""
    return load_sql("trial/zw_side.sql")


def load_zw_side(zw_conn, product_ids: list[int]) -> pd.DataFrame:
    buffer = _copy_out(zw_conn, f"COPY ({zw_side_sql()}) TO STDOUT WITH (FORMAT csv)",
                       {"product_ids": list(product_ids)})
    frame = pd.read_csv(
        buffer, header=None, names=["product_id", "key", "asset_id", "principal", "interest", "status", "problem"],
        dtype={"product_id": np.int64, "key": np.int64, "asset_id": np.int64, "principal": np.int64,
               "interest": "Int64", "status": object, "problem": object}, engine="c")
    interest_missing = frame["interest"].isna().to_numpy()
    frame["amount"] = frame["principal"].to_numpy() + frame["interest"].fillna(0).to_numpy(dtype=np.int64)
    frame["interest"] = frame["interest"].fillna(0).astype(np.int64)
    problem = frame["problem"].to_numpy(dtype=object).copy()
    problem[pd.isna(problem)] = None
    problem[interest_missing & pd.isna(problem)] = "create_expected_interest is NULL: zw's amount is unknown"
    frame["problem"] = pd.Series(problem, dtype=object)
    return frame


def load_hjs_side(zw_conn, run_id: str, product_ids: list[int]) -> pd.DataFrame:
    buffer = _copy_out(zw_conn, load_sql("trial/copy_hjs_side.sql"),
                       {"run_id": run_id, "product_ids": list(product_ids)})
    frame = pd.read_csv(
        buffer, header=None, names=["product_id", "order_no", "holder", "amount", "problem", "snapshot_id"],
        dtype={"product_id": np.int64, "order_no": object, "holder": object, "amount": "Int64", "problem": object,
               "snapshot_id": np.int64}, engine="c", keep_default_na=False, na_values={"amount": [""]})
    order_no = frame["order_no"].astype(object)
    is_zw = order_no.str.fullmatch(_ORDER_NO).fillna(False).to_numpy(dtype=bool)
    key = np.full(len(frame), NO_KEY, dtype=np.int64)
    if is_zw.any():
        key[is_zw] = order_no[is_zw].str.slice(len(INVEST_PREFIX)).astype(np.int64).to_numpy()
    frame["key"] = key
    holder_text = frame["holder"].astype(object)
    holder_ok = holder_text.str.fullmatch(r"[1-9][0-9]{0,15}").fillna(False).to_numpy(dtype=bool)
    holder = np.full(len(frame), NO_KEY, dtype=np.int64)
    if holder_ok.any():
        holder[holder_ok] = holder_text[holder_ok].astype(np.int64).to_numpy()
    frame["holder"] = holder
    amount_missing = frame["amount"].isna().to_numpy()
    frame["amount"] = frame["amount"].fillna(0).astype(np.int64)
    problem = frame["problem"].to_numpy(dtype=object).copy()
    problem[problem == ""] = None
    add = np.flatnonzero(pd.isna(problem) & (amount_missing | ~is_zw | ~holder_ok))
    for i in add:
        problem[i] = ("amount is missing" if amount_missing[i] else
                      "orderNo is not a zw order number" if not is_zw[i] else
                      "holderAssetId is not a zw asset id")
    frame["problem"] = pd.Series(problem, dtype=object)
    return frame
