"""A -> B -> C end to end: the transfer sync registers A -> B, the T-3 trial's close step registers B -> C and
closes the product, the trial reconciles C's holding, and the maturity payback pays C (not A, not B).

Runs hjs_transfer_sync, hjs_trial_reconciliation and hjs_maturity_payback with Airflow (dag.test) against
the test zw, the sandbox over HTTP and the SMTP sink."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from hjs_operators.domain.order_numbers import invest_order_no, transfer_no
from tests.secondary_market.helpers import SHANGHAI, hjs_transfers_by_number, rows
from tests.zw_rows import add_boost

pytestmark = [pytest.mark.airflow, pytest.mark.postgres, pytest.mark.sandbox]

SYNC_RUN = datetime(2026, 6, 2, 0, 30, tzinfo=SHANGHAI)
T3_RUN = datetime(2026, 11, 24, 6, 30, tzinfo=SHANGHAI)  # maturity 2026-11-27 - 3 days
PAYBACK_RUN = datetime(2026, 11, 27, 6, 0, tzinfo=SHANGHAI)


def task_states(run):
    return {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}


def test_a_to_b_to_c_reconciles_at_t3_and_pays_c_at_maturity(pipeline_env, run_dag, market, zw_conn):
    _, sandbox, _ = pipeline_env
    m = market(3)  # 2 shares each: 10,000.00 at 4.5% for 365 days = 450.00 interest
    a = m.assets[0]
    add_boost(zw_conn, a, coupon="A-BOOST", extra_interest="50.00")  # A's coupon: stays with A
    zw_conn.commit()
    ab = m.sell(a, buyer_user=11)
    run = run_dag("hjs_transfer_sync", logical_date=SYNC_RUN, retries=0)
    assert run.state == "success", task_states(run)
    bc = m.sell(ab.buyer_asset_id, buyer_user=12, at=datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI))
    assert set(hjs_transfers_by_number(sandbox)) == {transfer_no(ab.liquidate_id)}  # B -> C still pending

    run = run_dag("hjs_trial_reconciliation", logical_date=T3_RUN, retries=0)
    assert run.state == "success", task_states(run)

    # the close step registered B -> C and closed the product on both sides
    assert set(hjs_transfers_by_number(sandbox)) == {transfer_no(ab.liquidate_id), transfer_no(bc.liquidate_id)}
    trial = {s["orderNo"]: s["holderAssetId"] for s in sandbox.admin.subscriptions(m.product_code)}
    assert trial[invest_order_no(a)] == str(bc.buyer_asset_id)
    assert rows(zw_conn, "SELECT transfer_open FROM hjs_product WHERE id = %s", (m.product_id,)) == [(False,)]
    # reconciled: C's holding is confirmed, A and B are sold
    status = dict(rows(zw_conn, "SELECT id, status FROM asset"))
    assert status[bc.buyer_asset_id] == "SELL_CONFIRMED"
    assert status[a] == status[ab.buyer_asset_id] == "LIQUIDATED"
    assert rows(zw_conn, "SELECT count(*) FROM reconciliation_exception") == [(0,)]

    run = run_dag("hjs_maturity_payback", logical_date=PAYBACK_RUN, retries=0)
    assert run.state == "success", task_states(run)

    paid = rows(zw_conn, "SELECT asset_id, user_id, principal, interest, boost_interest, amount, destination "
                "FROM payback_order ORDER BY asset_id")
    by_asset = {row[0]: row[1:] for row in paid}
    assert set(by_asset) == {bc.buyer_asset_id, *m.assets[1:]}  # C and the untouched holders; never A or B
    assert by_asset[bc.buyer_asset_id] == (12, Decimal("10000.00"), Decimal("450.00"), Decimal("0.00"),
                                           Decimal("10450.00"), "BALANCE")  # A's boost is not paid to C
