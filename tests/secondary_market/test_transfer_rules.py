"""The transfer model and its rules, as the platform records a transfer (record_transfer), on real PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from hjs_operators.secondary_market.rules import TransferRefused, close_date, fee_fen
from tests.secondary_market.helpers import AT, MATURITY, SHANGHAI, rows, zw_state
from tests.zw_rows import add_asset, add_boost, add_product

pytestmark = [pytest.mark.postgres]


@pytest.mark.parametrize(("price", "rate", "fee"), [
    (1_000_000, Decimal("0.002"), 2_000),
    (333_333, Decimal("0.0015"), 500),  # 499.9995 fen -> 500
    (100_050, Decimal("0.005"), 500),  # 500.25 -> 500
    (100_100, Decimal("0.005"), 501),  # 500.5 -> 501: exactly half a fen goes up
    (1, Decimal("0.4"), 0),
    (999_999, Decimal("0"), 0),
])
def test_fee_is_price_times_rate_half_up_to_the_fen(price, rate, fee):
    assert fee_fen(price, rate) == fee


@pytest.mark.parametrize("rate", [Decimal("1"), Decimal("-0.1"), Decimal("0.0000001"), 0.002])
def test_bad_fee_rates_are_refused(rate):
    with pytest.raises(TransferRefused):
        fee_fen(100_000, rate)


def _product_with_asset(conn, **asset):
    product = add_product(conn, value_date=date(2025, 11, 27), maturity_date=MATURITY)
    asset_id = add_asset(conn, product, **asset)
    conn.commit()
    return product, asset_id


def test_a_transfer_moves_the_whole_asset_and_boosts_stay_with_the_seller(zw_conn):
    from hjs_operators.secondary_market.transfers import record_transfer

    product, seller = _product_with_asset(zw_conn, shares=3, interest="675.00", user_id=5)
    add_boost(zw_conn, seller, coupon="C1", extra_interest="88.00")
    zw_conn.commit()

    t = record_transfer(zw_conn, seller_asset_id=seller, buyer_user_id=6, price_fen=1_512_345,
                        fee_rate=Decimal("0.0025"), pay_method="CARD", card_id="CARD6", at=AT)

    assert t.fee_fen == 3_781  # 1,512,345 x 0.0025 = 3,780.8625 -> 3,781 fen
    assert rows(zw_conn, "SELECT status FROM asset WHERE id = %s", (seller,)) == [("LIQUIDATED",)]
    assert rows(zw_conn, "SELECT user_id, product_id, shares, create_amount, create_expected_interest, status, "
                "origin_asset_id, pay_method, card_id FROM asset WHERE id = %s", (t.buyer_asset_id,)) == [
        (6, product, 3, Decimal("15000.00"), Decimal("675.00"), "INVEST_SUCCESS", seller, "CARD", "CARD6")]
    assert rows(zw_conn, "SELECT seller_asset_id, buyer_asset_id, price, fee_rate, fee, transferred_at "
                "FROM liquidate_asset") == [(seller, t.buyer_asset_id, Decimal("15123.45"), Decimal("0.002500"),
                                             Decimal("37.81"), AT)]
    # the boost is the seller's coupon: still on the seller's asset, none on the buyer's
    assert rows(zw_conn, "SELECT asset_id FROM asset_extra_interest") == [(seller,)]


@pytest.mark.parametrize("status", ["INVEST_START", "LIQUIDATED", "SELL_CONFIRMED", "SELL_SUCCESS"])
def test_only_an_invest_success_asset_can_be_transferred(zw_conn, status):
    from hjs_operators.secondary_market.transfers import record_transfer

    _, asset = _product_with_asset(zw_conn, status=status)
    before = zw_state(zw_conn)
    with pytest.raises(TransferRefused, match=rf"asset {asset} is {status}: only an INVEST_SUCCESS asset"):
        record_transfer(zw_conn, seller_asset_id=asset, buyer_user_id=9, price_fen=1_000_000,
                        fee_rate=Decimal("0.001"), at=AT)
    assert zw_state(zw_conn) == before


def test_an_asset_is_sold_once(zw_conn):
    from hjs_operators.secondary_market.transfers import record_transfer

    _, asset = _product_with_asset(zw_conn)
    record_transfer(zw_conn, seller_asset_id=asset, buyer_user_id=9, price_fen=1_000_000, fee_rate=Decimal("0"),
                    at=AT)
    with pytest.raises(TransferRefused, match="is LIQUIDATED"):
        record_transfer(zw_conn, seller_asset_id=asset, buyer_user_id=10, price_fen=1_000_000,
                        fee_rate=Decimal("0"), at=AT)


def test_a_transfer_on_or_after_the_close_date_is_refused_and_nothing_changes(zw_conn):
    from hjs_operators.secondary_market.transfers import record_transfer

    _, asset = _product_with_asset(zw_conn)
    last = close_date(MATURITY)
    assert last == MATURITY - timedelta(days=3)
    before = zw_state(zw_conn)
    for moment in (datetime.combine(last, datetime.min.time(), SHANGHAI),
                   datetime.combine(MATURITY, datetime.min.time(), SHANGHAI) + timedelta(hours=9)):
        with pytest.raises(TransferRefused, match=rf"stops transfers on {last}"):
            record_transfer(zw_conn, seller_asset_id=asset, buyer_user_id=9, price_fen=1_000_000,
                            fee_rate=Decimal("0.001"), at=moment)
    assert zw_state(zw_conn) == before
    # the day before the close date is still fine
    record_transfer(zw_conn, seller_asset_id=asset, buyer_user_id=9, price_fen=1_000_000, fee_rate=Decimal("0.001"),
                    at=datetime.combine(last, datetime.min.time(), SHANGHAI) - timedelta(seconds=1))


def test_a_transfer_of_a_closed_product_is_refused_and_nothing_changes(zw_conn):
    from hjs_operators.secondary_market.transfers import record_transfer

    product, asset = _product_with_asset(zw_conn)
    with zw_conn.cursor() as cur:
        cur.execute("UPDATE hjs_product SET transfer_open = false, transfer_closed_at = now() WHERE id = %s",
                    (product,))
    zw_conn.commit()
    before = zw_state(zw_conn)
    with pytest.raises(TransferRefused, match="is closed for transfers since"):
        record_transfer(zw_conn, seller_asset_id=asset, buyer_user_id=9, price_fen=1_000_000,
                        fee_rate=Decimal("0.001"), at=AT)
    assert zw_state(zw_conn) == before


def test_other_refusals_name_the_asset(zw_conn):
    from hjs_operators.secondary_market.transfers import record_transfer

    _, asset = _product_with_asset(zw_conn, user_id=4)
    with pytest.raises(TransferRefused, match=f"asset {asset}: buyer and seller are the same user"):
        record_transfer(zw_conn, seller_asset_id=asset, buyer_user_id=4, price_fen=1_000_000, fee_rate=Decimal("0"),
                        at=AT)
    with pytest.raises(TransferRefused, match="asset 999999 does not exist"):
        record_transfer(zw_conn, seller_asset_id=999_999, buyer_user_id=4, price_fen=1, fee_rate=Decimal("0"), at=AT)
    with pytest.raises(TransferRefused, match="CARD with a card id"):
        record_transfer(zw_conn, seller_asset_id=asset, buyer_user_id=5, price_fen=1_000_000, fee_rate=Decimal("0"),
                        pay_method="CARD", at=AT)
    assert rows(zw_conn, "SELECT count(*) FROM liquidate_asset") == [(0,)]
