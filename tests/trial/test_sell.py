"""Writing sell records (trial.sell.write_sell_records) against a real zw database, without HJS: the
products are sold together by one statement, each all or nothing, and one product whose writes fall
short or fail never keeps the others from being sold."""

from __future__ import annotations

import pandas as pd
import pytest

from hjs_operators.repository.db import transaction
from hjs_operators.repository.sql_files import load_sql
from hjs_operators.trial import sell
from tests.concurrency import blocked_then_released
from tests.write_interference import interfere_with_inserts
from tests.zw_rows import add_asset, add_product

pytestmark = pytest.mark.postgres

RUN = "manual__test-run"


def three_products(conn) -> list[list[int]]:
    """Three products of three INVEST_SUCCESS assets each (committed); their asset ids."""
    assets = []
    for _ in range(3):
        product = add_product(conn)
        assets.append([add_asset(conn, product, user_id=user) for user in (1, 2, 3)])
    conn.commit()
    return assets


def rows_to_sell(conn) -> pd.DataFrame:
    """What a clean comparison hands write_sell_records: every asset with zw's amount, HJS agreeing."""
    with transaction(conn) as cur:
        cur.execute("SELECT id, product_id, ((create_amount + create_expected_interest) * 100)::bigint FROM asset "
                    "ORDER BY id")
        rows = pd.DataFrame(cur.fetchall(), columns=["asset_id", "product_id", "zw_fen"])
    return rows.assign(hjs_fen=pd.array(rows["zw_fen"], dtype="Int64"))


def written(conn, asset_ids: list[int]) -> tuple[int, set[str]]:
    """(sell records, statuses) of the assets."""
    with transaction(conn) as cur:
        cur.execute("SELECT (SELECT count(*) FROM sell_record WHERE asset_id = ANY(%(ids)s)), "
                    "ARRAY(SELECT DISTINCT status FROM asset WHERE id = ANY(%(ids)s))", {"ids": asset_ids})
        records, found = cur.fetchone()
    return records, set(found)


def product_of(conn, asset_id: int) -> int:
    with transaction(conn) as cur:
        cur.execute("SELECT product_id FROM asset WHERE id = %s", (asset_id,))
        return cur.fetchone()[0]


def test_a_product_whose_records_fall_short_is_rolled_back_whole_and_the_others_are_sold(zw_conn):
    first, short, last = three_products(zw_conn)
    interfere_with_inserts(zw_conn, "sell_record", short[1])  # another writer drops one record

    result = sell.write_sell_records(zw_conn, RUN, rows_to_sell(zw_conn))

    short_product = product_of(zw_conn, short[0])
    assert list(result.failed) == [short_product] and short_product not in result.sold
    assert "2 of 3 sell records written" in result.failed[short_product]
    assert "rolled back" in result.failed[short_product]
    assert written(zw_conn, short) == (0, {"INVEST_SUCCESS"})
    assert written(zw_conn, first + last) == (6, {"SELL_CONFIRMED"}) and result.inserted == 6


def test_a_product_whose_write_fails_is_reported_and_the_others_are_sold(zw_conn):
    first, refused, last = three_products(zw_conn)
    interfere_with_inserts(zw_conn, "sell_record", refused[2], refuse=True)

    result = sell.write_sell_records(zw_conn, RUN, rows_to_sell(zw_conn))

    refused_product = product_of(zw_conn, refused[0])
    assert list(result.failed) == [refused_product]
    assert "the write failed and was rolled back" in result.failed[refused_product]
    assert f"refused by the test for asset {refused[2]}" in result.failed[refused_product]
    assert written(zw_conn, refused) == (0, {"INVEST_SUCCESS"})
    assert written(zw_conn, first + last) == (6, {"SELL_CONFIRMED"})
    again = sell.write_sell_records(zw_conn, RUN, rows_to_sell(zw_conn))
    assert again.inserted == 0 and list(again.failed) == [refused_product]


def test_a_run_that_waited_for_another_runs_lock_counts_the_product_as_sold(zw_db, zw_conn):
    """The second run's statement waits for the first run's product lock, then reads its own older
    snapshot: its writes come out short, so it is rolled back and each product taken on its own, which
    sees the first run's records: sold, nothing written twice, nothing failed."""
    assets = three_products(zw_conn)
    rows = rows_to_sell(zw_conn)
    taken = product_of(zw_conn, assets[0][0])
    first, second, watcher = zw_db.connect(), zw_db.connect(), zw_db.connect()
    try:
        sell.stage(first, rows)
        with first.cursor() as cur:  # the first run, between its writes and its commit
            cur.execute(load_sql("trial/lock_product.sql"), {"product_id": taken})
            cur.execute(load_sql("trial/sell_products.sql"), {"product_ids": [taken], "run_id": "run-a"})
        result = blocked_then_released(lambda: sell.write_sell_records(second, "run-b", rows), first.commit, watcher)
        assert result.failed == {} and result.sold == sorted(set(rows["product_id"])) and result.inserted == 6
        with transaction(watcher) as cur:
            cur.execute("SELECT run_id, count(*) FROM sell_record GROUP BY run_id ORDER BY run_id")
            assert cur.fetchall() == [("run-a", 3), ("run-b", 6)]
    finally:
        for conn in (first, second, watcher):
            conn.close()
