"""Holder limit, rule checks, chain resolution (current_holder.sql) and the fee report, on real PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from hjs_operators.secondary_market.checks import (
    HolderLimitError,
    TransferRuleError,
    check_holder_limit,
    check_transfer_rules,
)
from hjs_operators.secondary_market.fees import fee_report
from hjs_operators.secondary_market.holders import current_holders
from hjs_operators.secondary_market.transfers import record_transfer
from tests.secondary_market.helpers import AT, MATURITY, SHANGHAI, add_invest_record
from tests.zw_rows import add_asset, add_liquidation, add_product

pytestmark = [pytest.mark.postgres]


def test_the_holder_check_fails_naming_the_package_with_201_holders(zw_conn):
    fine = add_product(zw_conn, channel="HJS_A")
    for user in range(1, 201):  # 200 holders: exactly at the limit
        add_asset(zw_conn, fine, shares=1, user_id=user)
    crowded = add_product(zw_conn, channel="HJS_B")
    for user in range(1, 202):  # written by other means: 201 one-share holdings
        add_asset(zw_conn, crowded, shares=1, user_id=user)
    zw_conn.commit()
    with zw_conn.cursor() as cur:
        cur.execute("SELECT product_code FROM hjs_product WHERE id = %s", (crowded,))
        (code,) = cur.fetchone()

    with pytest.raises(HolderLimitError, match=rf"1 package\(s\).*package {code} \(id {crowded}, channel HJS_B\) "
                                               r"has 201 holders and 201 live shares, limit 200"):
        check_holder_limit(zw_conn)
    check_holder_limit(zw_conn, fine)  # the other package passes on its own


def test_sold_assets_do_not_count_as_holders(zw_conn):
    product = add_product(zw_conn)
    assets = [add_asset(zw_conn, product, shares=1, user_id=user) for user in range(1, 201)]
    add_invest_record(zw_conn, assets[0])
    zw_conn.commit()
    record_transfer(zw_conn, seller_asset_id=assets[0], buyer_user_id=500, price_fen=500_000,
                    fee_rate=Decimal("0.001"), at=AT)
    check_holder_limit(zw_conn)  # 200 holdings: the seller's is LIQUIDATED, the buyer's replaces it


def test_a_chain_resolves_to_its_current_holder(zw_conn):
    product = add_product(zw_conn)
    a, other = add_asset(zw_conn, product, user_id=1), add_asset(zw_conn, product, user_id=2)
    add_invest_record(zw_conn, a)
    add_invest_record(zw_conn, other)
    zw_conn.commit()
    ab = record_transfer(zw_conn, seller_asset_id=a, buyer_user_id=3, price_fen=1_000_000,
                         fee_rate=Decimal("0.001"), at=AT)
    bc = record_transfer(zw_conn, seller_asset_id=ab.buyer_asset_id, buyer_user_id=4, price_fen=1_000_000,
                         fee_rate=Decimal("0.001"), at=AT)
    with zw_conn.cursor() as cur:  # only A -> B is registered at HJS so far
        cur.execute("INSERT INTO transfer_registration VALUES (%s, 'ZWT1', 'HJST1', now(), 't')", (ab.liquidate_id,))
    zw_conn.commit()

    by_root = {h.root_asset_id: h for h in current_holders(zw_conn, product_id=product)}
    assert set(by_root) == {a, other}
    assert (by_root[a].holder_asset_id, by_root[a].holder_user_id, by_root[a].transfers) == (bc.buyer_asset_id, 4, 2)
    assert (by_root[other].holder_asset_id, by_root[other].transfers) == (other, 0)
    assert by_root[a].order_no.startswith("ZWI")
    at_hjs = {h.root_asset_id: h.holder_asset_id for h in current_holders(zw_conn, registered_only=True)}
    assert at_hjs == {a: ab.buyer_asset_id, other: other}


def test_the_rule_check_names_transfers_written_against_the_rules(zw_conn):
    product = add_product(zw_conn, maturity_date=MATURITY)
    seller = add_asset(zw_conn, product, user_id=1)  # still INVEST_SUCCESS: not sold
    buyer = add_asset(zw_conn, product, user_id=2, shares=3, origin=seller)  # does not inherit the holding
    lid = add_liquidation(zw_conn, seller, buyer, price="10000.00", fee_rate="0.001000", fee="99.00")
    with zw_conn.cursor() as cur:
        cur.execute("UPDATE liquidate_asset SET transferred_at = %s WHERE id = %s",
                    (datetime(2026, 11, 25, 9, tzinfo=SHANGHAI), lid))
    zw_conn.commit()
    with pytest.raises(TransferRuleError) as raised:
        check_transfer_rules(zw_conn)
    message = str(raised.value)
    assert f"liquidation {lid}" in message
    for problem in ("is INVEST_SUCCESS, not LIQUIDATED", "on or after the close date 2026-11-24",
                    "does not inherit", "fee 99.00 is not price x fee rate rounded half-up (10.00)"):
        assert problem in message


def test_the_fee_report_sums_per_day_and_channel(zw_conn):
    made = []
    for channel, count in (("HJS_A", 2), ("HJS_B", 1)):
        product = add_product(zw_conn, channel=channel)
        for n in range(count):
            made.append((channel, add_asset(zw_conn, product, user_id=10 + n)))
    zw_conn.commit()
    day = date(2026, 6, 1)
    late = datetime(2026, 6, 1, 23, 59, tzinfo=SHANGHAI)  # still June 1st in Shanghai (15:59 UTC)
    prices = [1_000_000, 1_000_001, 2_000_000]
    for (_channel, asset), price, at in zip(made, prices, (AT, late, AT), strict=True):
        record_transfer(zw_conn, seller_asset_id=asset, buyer_user_id=99, price_fen=price,
                        fee_rate=Decimal("0.0015"), at=at)
    next_day = add_asset(zw_conn, add_product(zw_conn, channel="HJS_A"), user_id=5)
    zw_conn.commit()
    record_transfer(zw_conn, seller_asset_id=next_day, buyer_user_id=99, price_fen=1_000_000,
                    fee_rate=Decimal("0.0015"), at=datetime(2026, 6, 2, 0, 0, tzinfo=SHANGHAI))

    lines = fee_report(zw_conn, day, day)
    assert [(f.day, f.channel_code, f.transfers, f.volume_fen, f.fees_fen) for f in lines] == [
        (day, "HJS_A", 2, 2_000_001, 1_500 + 1_500),  # 1,500.0015 fen -> 1,500
        (day, "HJS_B", 1, 2_000_000, 3_000),
    ]
    assert [f.day for f in fee_report(zw_conn, day, date(2026, 6, 2))] == [day, day, date(2026, 6, 2)]
