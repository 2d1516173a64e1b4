"""The soak's checks can fail: each is shown a real state with one asset or transfer lost or doubled.

Without faults the sync and the registration leave a state the checks accept; then the state is spoilt
the way a bug would spoil it (on HJS's side through the sandbox, on zw's through its tables), and the
check must name what is wrong.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from hjs_operators.client import TransferCommand
from hjs_operators.secondary_market.registration import register_pending
from tests.invest_sync.helpers import CUTOFF, make_products, set_created
from tests.soak.checks import check_invest, check_transfers, rows
from tests.soak.drive import one_pass, subscribed_market
from tests.soak.faults import soak_client
from tests.zw_rows import add_asset

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox]


def test_invest_check_catches_a_lost_and_a_doubled_subscription(zw_conn, zw_db, sandbox):
    made = make_products(zw_conn, sandbox, products=1, assets=3)
    (product_id, asset_ids), = made.items()
    one_pass(zw_db, sandbox, Counter(), "clean-1")
    check_invest(zw_conn, sandbox, asset_ids)

    # lost: an asset the sync never subscribed
    late = add_asset(zw_conn, product_id, status="INVEST_START", user_id=2000)
    set_created(zw_conn, late, CUTOFF.replace(hour=1))  # after the cutoff: the sync leaves it alone
    zw_conn.commit()
    one_pass(zw_db, sandbox, Counter(), "clean-2")
    with pytest.raises(AssertionError, match=rf"never subscribed at HJS: \[{late}\]"):
        check_invest(zw_conn, sandbox, [*asset_ids, late])
    with zw_conn.cursor() as cur:
        cur.execute("DELETE FROM asset WHERE id = %s", (late,))
    zw_conn.commit()
    check_invest(zw_conn, sandbox, asset_ids)

    # booked twice in zw's audit trail
    rows(zw_conn, "INSERT INTO hjs_sync_attempt (kind, subject_id, outcome, run_id) "
                  "VALUES ('INVEST', %s, 'SUCCESS', 'sabotage') RETURNING id", (asset_ids[0],))
    with pytest.raises(AssertionError, match=rf"booked more than once: \{{{asset_ids[0]}: 2\}}"):
        check_invest(zw_conn, sandbox, asset_ids)
    rows(zw_conn, "DELETE FROM hjs_sync_attempt WHERE run_id = 'sabotage' RETURNING id")
    check_invest(zw_conn, sandbox, asset_ids)

    # subscribed twice at HJS, under a second order number
    first = sandbox.admin.subscriptions()[0]
    same = {key: first[key] for key in ("productCode", "assetId", "userId", "shares", "amount")}
    sandbox.admin.load_subscriptions([{**same, "orderNo": "SABOTAGE1"}])
    with pytest.raises(AssertionError, match=rf"subscribed more than once at HJS: \{{'{first['assetId']}': 2\}}"):
        check_invest(zw_conn, sandbox, asset_ids)


def test_transfer_check_catches_a_lost_and_an_extra_transfer(zw_conn, zw_db, sandbox):
    market = subscribed_market(zw_db, zw_conn, sandbox)
    ab = market.sell(market.assets[0], buyer_user=100)
    bc = market.sell(ab.buyer_asset_id, buyer_user=101)
    with soak_client(sandbox, Counter()) as client:
        register_pending(zw_conn, client, run_id="clean-1")

        def liquidations() -> list[tuple]:
            return rows(zw_conn, "SELECT * FROM liquidate_asset ORDER BY id")

        check_transfers(zw_conn, sandbox, market.product_code, liquidations())

        # lost: a transfer zw recorded and nobody registered
        lost = market.sell(market.assets[1], buyer_user=102)
        with pytest.raises(AssertionError, match=r"never registered at HJS: \['ZWT"):
            check_transfers(zw_conn, sandbox, market.product_code, liquidations())
        register_pending(zw_conn, client, run_id="clean-2")
        check_transfers(zw_conn, sandbox, market.product_code, liquidations())
        assert lost.liquidate_id in {liquidate_id for liquidate_id, in rows(
            zw_conn, "SELECT liquidate_id FROM transfer_registration")}

        # registered in zw's audit trail twice
        rows(zw_conn, "INSERT INTO hjs_sync_attempt (kind, subject_id, outcome, run_id) "
                      "VALUES ('TRANSFER', %s, 'ALREADY_AT_HJS', 'sabotage') RETURNING id", (ab.liquidate_id,))
        with pytest.raises(AssertionError, match=rf"booked more than once: \{{{ab.liquidate_id}: 2\}}"):
            check_transfers(zw_conn, sandbox, market.product_code, liquidations())
        rows(zw_conn, "DELETE FROM hjs_sync_attempt WHERE run_id = 'sabotage' RETURNING id")
        check_transfers(zw_conn, sandbox, market.product_code, liquidations())

        # HJS moved the holding once more, under a number zw never made (a second registration of a sale)
        order_no = rows(zw_conn, "SELECT order_no FROM invest_record WHERE asset_id = %s", (market.assets[0],))[0][0]
        client.register_transfer(TransferCommand(
            transfer_no="SABOTAGE2", product_code=market.product_code, order_no=order_no,
            seller_asset_id=str(bc.buyer_asset_id), buyer_asset_id="999999", price=Decimal("1.00"),
            fee=Decimal("0.00")))
    with pytest.raises(AssertionError, match=r"HJS holds transfers zw never made: \['SABOTAGE2'\]"):
        check_transfers(zw_conn, sandbox, market.product_code, liquidations())
