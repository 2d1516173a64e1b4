"""The subscribing service against a real zw database and the sandbox over HTTP (no Airflow)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hjs_operators.domain.order_numbers import invest_order_no
from hjs_operators.invest_sync.service import plan_batches
from tests.invest_sync.helpers import (
    CUTOFF,
    assert_exactly_once,
    attempts,
    make_products,
    set_created,
    sync_all,
    zw_state,
)
from tests.zw_rows import add_asset

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox]


def test_plan_batches_stays_under_the_map_limit():
    assert plan_batches([]) == []
    assert plan_batches([3, 1, 2], per_batch=2) == [
        {"first_product_id": 1, "last_product_id": 2, "products": 2},
        {"first_product_id": 3, "last_product_id": 3, "products": 1}]
    batches = plan_batches(range(1, 30_001), per_batch=25, max_batches=512)
    assert len(batches) <= 512
    assert sum(b["products"] for b in batches) == 30_000
    assert batches[0]["first_product_id"] == 1 and batches[-1]["last_product_id"] == 30_000


def test_a_day_is_subscribed_once_and_the_future_is_left_alone(zw_conn, zw_db, sandbox):
    made = make_products(zw_conn, sandbox, products=2, assets=6)
    waiting = [a for ids in made.values() for a in ids]
    product_id = next(iter(made))
    old = add_asset(zw_conn, product_id, status="INVEST_START", shares=1)  # missed on an earlier day
    set_created(zw_conn, old, CUTOFF - timedelta(days=9))
    future = add_asset(zw_conn, product_id, status="INVEST_START", shares=1)  # bought after the cutoff
    set_created(zw_conn, future, CUTOFF + timedelta(seconds=1))
    zw_conn.commit()

    results = sync_all(zw_db, sandbox, concurrency=4)

    assert sum(r["subscribed"] for r in results) == 13
    assert sum(r["failed"] for r in results) == 0
    assert_exactly_once(zw_conn, sandbox, [*waiting, old])
    assert zw_state(zw_conn)["statuses"][future] == "INVEST_START"
    # a second run of the same day finds nothing to do and writes nothing
    assert sum(r["assets"] for r in sync_all(zw_db, sandbox, run_id="run-2")) == 0
    assert_exactly_once(zw_conn, sandbox, [*waiting, old])


def test_faults_and_lost_answers_still_subscribe_exactly_once(zw_conn, zw_db, sandbox):
    made = make_products(zw_conn, sandbox, products=3, assets=12)
    waiting = [a for ids in made.values() for a in ids]
    # 20% errors, 10% hangs past the client's read timeout, 20% answers lost after HJS committed
    sandbox.admin.set_faults(seed=7, error_rate=0.2, timeout_rate=0.1, hang_seconds=0.6,
                             drop_after_commit_rate=0.2)
    runs = 0
    while any(status == "INVEST_START" for status in zw_state(zw_conn)["statuses"].values()) and runs < 8:
        runs += 1
        sync_all(zw_db, sandbox, run_id=f"run-{runs}", read_timeout=0.3)
    sandbox.admin.clear_faults()
    assert_exactly_once(zw_conn, sandbox, waiting)
    outcomes = {outcome for _, outcome, *_ in attempts(zw_conn)}
    # a lost answer was looked up, not sent again
    assert "ALREADY_AT_HJS" in outcomes


def test_an_unknown_product_is_set_aside_and_the_others_go_on(zw_conn, zw_db, sandbox):
    known = make_products(zw_conn, sandbox, products=1, assets=3)
    unknown = make_products(zw_conn, sandbox, products=1, assets=2, at_hjs=False)
    results = sync_all(zw_db, sandbox)
    failed = {key: count for r in results for key, count in r["failed_by_reason"].items()}
    assert failed == {"1001 PRODUCT_NOT_FOUND": 2}
    statuses = zw_state(zw_conn)["statuses"]
    assert {statuses[a] for ids in known.values() for a in ids} == {"INVEST_SUCCESS"}
    unknown_assets = [a for ids in unknown.values() for a in ids]
    assert {statuses[a] for a in unknown_assets} == {"INVEST_START"}
    rows = [row for row in attempts(zw_conn) if row[0] in unknown_assets]
    assert {(outcome, code) for _, outcome, code, *_ in rows} == {("BUSINESS_FAILURE", "1001")}
    assert all("not confirmed at HJS" in reason for *_, reason, _ in rows)
    assert [a for a, *_ in attempts(zw_conn, kind="PRODUCT") if a in unknown] == list(unknown)
    unknown_orders = {invest_order_no(a) for a in unknown_assets}
    assert not [s for s in sandbox.admin.subscriptions() if s["orderNo"] in unknown_orders]


def test_an_asset_hjs_refuses_is_recorded_and_the_rest_go_on(zw_conn, zw_db, sandbox):
    made = make_products(zw_conn, sandbox, products=1, assets=3, shares=2)
    product_id, ids = next(iter(made.items()))
    # HJS already holds 198 shares of this package for others: one 2-share asset more fits, then it is full
    code = sandbox.admin.products()[0]["productCode"]
    sandbox.admin.load_subscriptions([{"orderNo": f"OTHER{n}", "productCode": code, "assetId": str(900000 + n),
                                       "userId": "9", "shares": 3, "amount": "15000.00"} for n in range(66)])
    results = sync_all(zw_db, sandbox, concurrency=1)
    assert results[0]["subscribed"] == 1
    assert results[0]["failed_by_reason"] == {"1009 QUOTA_EXCEEDED": 2}
    statuses = zw_state(zw_conn)["statuses"]
    assert [statuses[a] for a in ids] == ["INVEST_SUCCESS", "INVEST_START", "INVEST_START"]
