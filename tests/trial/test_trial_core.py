"""The trial's plain-Python steps against real PostgreSQL and the sandbox over HTTP (no Airflow)."""

from __future__ import annotations

import pytest

from hjs_operators.domain.order_numbers import invest_order_no
from hjs_operators.repository.db import transaction
from hjs_operators.secondary_market.close import close_product_transfers
from hjs_operators.trial import outcome, sell, snapshot
from hjs_operators.trial.products import maturity_date_for, select_products
from tests.concurrency import at_once
from tests.trial.conftest import T3, TODAY, t3_products

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox]

RUN = "manual__test-run"


def fetch_all(conn, client, run_id=RUN, page_size=50):
    results = []
    for product in select_products(conn, maturity_date_for(TODAY)):
        results.append(snapshot.fetch_product(conn, client, run_id=run_id, product_id=product.id,
                                              product_code=product.product_code, page_size=page_size))
    return results


def test_everything_matches_within_tolerance_and_sells(world, client, zw_conn):
    ids = [pid for pid, _ in t3_products(zw_conn)]
    assert len(ids) == 4
    for pid in ids:
        close_product_transfers(zw_conn, client, pid, run_id=RUN)
    results = fetch_all(zw_conn, client)
    assert all(r.status == "OK" for r in results)
    batch = outcome.compare_and_record(zw_conn, RUN, ids, tolerance_fen=5, drift_per_asset_fen=1)
    assert batch.hold == [] and batch.settle == ids
    comparison, zw, hjs = outcome.compare_products(zw_conn, RUN, ids, tolerance_fen=5, drift_per_asset_fen=1)
    diffs = comparison.assets["diff"].astype(int)
    # the sandbox truncates where zw rounds half-up: one-fen differences exist and match
    assert set(diffs.unique()) <= {0, 1} and (diffs == 1).any()
    rows = sell.rows_to_sell(zw, comparison.assets, hjs)
    result = sell.write_sell_records(zw_conn, RUN, rows)
    assert result.sold == ids and result.inserted == len(rows)
    # a rerun writes nothing
    again = sell.write_sell_records(zw_conn, RUN, rows)
    assert again.sold == ids and again.inserted == 0
    with zw_conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM sell_record s JOIN hjs_product p ON p.id = s.product_id "
                    "WHERE p.maturity_date = %s", (T3,))
        assert cur.fetchone()[0] == len(rows)
        cur.execute("SELECT count(*) FROM asset a WHERE a.product_id = ANY(%s) AND a.status = 'INVEST_SUCCESS'",
                    (ids,))
        assert cur.fetchone()[0] == 0


def test_skewed_asset_holds_only_its_product(world, client, zw_conn, sandbox):
    ids = [pid for pid, _ in t3_products(zw_conn)]
    with zw_conn.cursor() as cur:
        cur.execute("SELECT id FROM asset WHERE product_id = %s AND status = 'INVEST_SUCCESS' "
                    "AND origin_asset_id IS NULL ORDER BY id LIMIT 1", (ids[1],))
        skewed = cur.fetchone()[0]
    sandbox.admin.set_faults(skew={invest_order_no(skewed): 600})
    fetch_all(zw_conn, client)
    batch = outcome.compare_and_record(zw_conn, RUN, ids, tolerance_fen=5, drift_per_asset_fen=1)
    assert batch.hold == [ids[1]]
    with zw_conn.cursor() as cur:
        cur.execute("SELECT class, asset_id, zw_amount - hjs_amount, diff FROM reconciliation_exception "
                    "WHERE run_id = %s", (RUN,))
        rows = cur.fetchall()
    assert len(rows) == 1
    cls, asset_id, computed, diff = rows[0]
    assert cls == "MISMATCH" and asset_id == skewed and computed == diff and diff == -6


def test_bad_amount_is_recorded_not_dropped(world, client, zw_conn, sandbox):
    ids = [pid for pid, _ in t3_products(zw_conn)]
    with zw_conn.cursor() as cur:
        cur.execute("SELECT min(id) FROM asset WHERE product_id = %s AND origin_asset_id IS NULL", (ids[2],))
        bad = cur.fetchone()[0]
    sandbox.admin.set_faults(bad_amount_for=[invest_order_no(bad)])
    fetch_all(zw_conn, client)
    with zw_conn.cursor() as cur:
        cur.execute("SELECT amount, amount_raw, problem FROM hjs_amount_snapshot WHERE order_no = %s",
                    (invest_order_no(bad),))
        amount, raw, problem = cur.fetchone()
    assert amount is None and raw == "N/A" and "amount" in problem
    batch = outcome.compare_and_record(zw_conn, RUN, ids, tolerance_fen=5, drift_per_asset_fen=1)
    assert batch.hold == [ids[2]]
    with zw_conn.cursor() as cur:
        cur.execute("SELECT class, order_no FROM reconciliation_exception WHERE run_id = %s", (RUN,))
        assert cur.fetchall() == [("BAD_HJS_RECORD", invest_order_no(bad))]


def test_oversize_page_fails_the_product_fetch(world, client, zw_conn, sandbox):
    sandbox.admin.set_faults(oversize_page=True)
    results = fetch_all(zw_conn, client, page_size=10)  # the demo's products have fewer than 50 holders
    failed = [r for r in results if r.status == "FAILED"]
    assert failed and all("records" in r.problem for r in failed)
    ids = [pid for pid, _ in t3_products(zw_conn)]
    batch = outcome.compare_and_record(zw_conn, RUN, ids, tolerance_fen=5, drift_per_asset_fen=1)
    assert set(batch.hold) == {r.product_id for r in failed}
    with zw_conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM hjs_amount_snapshot WHERE product_id = ANY(%s)",
                    ([r.product_id for r in failed],))
        assert cur.fetchone()[0] == 0


def test_fetch_retry_replaces_the_snapshot(world, client, zw_conn):
    first = fetch_all(zw_conn, client)
    second = fetch_all(zw_conn, client)
    assert [r.records for r in first] == [r.records for r in second]
    with zw_conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM hjs_amount_snapshot WHERE run_id = %s", (RUN,))
        assert cur.fetchone()[0] == sum(r.records for r in first)


def test_a_product_in_doubt_is_not_sold_at_all(world, client, zw_conn):
    ids = [pid for pid, _ in t3_products(zw_conn)]
    fetch_all(zw_conn, client)
    comparison, zw, hjs = outcome.compare_products(zw_conn, RUN, ids, tolerance_fen=5, drift_per_asset_fen=1)
    rows = sell.rows_to_sell(zw, comparison.assets, hjs)
    changed = int(rows.loc[rows["product_id"] == ids[0], "asset_id"].iloc[-1])
    with transaction(zw_conn) as cur:  # zw's amount moves after the comparison
        cur.execute("UPDATE asset SET create_expected_interest = create_expected_interest + 1 WHERE id = %s",
                    (changed,))
    result = sell.write_sell_records(zw_conn, RUN, rows)
    assert list(result.failed) == [ids[0]] and result.sold == ids[1:]
    with zw_conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM sell_record WHERE product_id = %s", (ids[0],))
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM asset WHERE product_id = %s AND status = 'SELL_CONFIRMED'", (ids[0],))
        assert cur.fetchone()[0] == 0


def test_two_runs_settling_the_same_products_at_once_both_succeed_and_write_once(world, client, zw_conn):
    """Same date, two runs: the second finds the first one's work done (it waits on the product's lock)."""
    ids = [pid for pid, _ in t3_products(zw_conn)]
    for pid in ids:
        close_product_transfers(zw_conn, client, pid, run_id=RUN)
    for run in ("run-a", "run-b"):
        for product in select_products(zw_conn, maturity_date_for(TODAY)):
            snapshot.fetch_product(zw_conn, client, run_id=run, product_id=product.id,
                                   product_code=product.product_code)
        outcome.compare_and_record(zw_conn, run, ids, tolerance_fen=5, drift_per_asset_fen=1)
    def settle(run):
        conn = world.zw_db.connect()
        try:
            return sell.settle_products(conn, run, ids, tolerance_fen=5, drift_per_asset_fen=1)
        finally:
            conn.close()

    results, errors = at_once(settle, ["run-a", "run-b"])
    assert errors == []
    assert all(r.sold == ids and r.failed == {} for r in results)
    with zw_conn.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT asset_id) FROM sell_record WHERE product_id = ANY(%s)", (ids,))
        written, distinct = cur.fetchone()
    assert written == distinct == sum(r.inserted for r in results)
