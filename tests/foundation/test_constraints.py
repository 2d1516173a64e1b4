"""The database refuses rows that would lose or double money, whoever writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from psycopg import errors

from tests.zw_rows import add_asset, add_product, add_sell_record

pytestmark = pytest.mark.postgres


@pytest.fixture
def conn(zw_conn):
    zw_conn.autocommit = True  # each statement stands alone, so a refused one does not poison the next
    return zw_conn


def refused(conn, error, statement, params=()):
    with pytest.raises(error), conn.cursor() as cur:
        cur.execute(statement, params)


def test_second_sell_record_for_an_asset_is_refused(conn):
    asset = add_asset(conn, add_product(conn))
    add_sell_record(conn, asset)
    with pytest.raises(errors.UniqueViolation):
        add_sell_record(conn, asset)


def test_second_invest_record_and_second_payback_for_an_asset_are_refused(conn):
    asset = add_asset(conn, add_product(conn))
    insert = ("INSERT INTO invest_record (asset_id, order_no, hjs_order_id, amount, accepted_at) "
              "VALUES (%s, %s, 'H1', 10000.00, now())")
    with conn.cursor() as cur:
        cur.execute(insert, (asset, "ZWI1"))
    refused(conn, errors.UniqueViolation, insert, (asset, "ZWI2"))
    sell = add_sell_record(conn, asset)
    payback = ("INSERT INTO payback_order (asset_id, sell_record_id, product_id, user_id, principal, interest, "
               "amount, destination) SELECT %s, %s, product_id, 1, 10000.00, 450.00, 10450.00, 'BALANCE' "
               "FROM asset WHERE id = %s")
    with conn.cursor() as cur:
        cur.execute(payback, (asset, sell, asset))
    refused(conn, errors.UniqueViolation, payback, (asset, sell, asset))


@pytest.mark.parametrize("amount", ["-5000.00", "0.00"])
def test_negative_or_zero_money_is_refused(conn, amount):
    product = add_product(conn)
    with pytest.raises(errors.CheckViolation):
        add_asset(conn, product, shares=1, amount=amount)
    asset = add_asset(conn, product)
    with pytest.raises(errors.CheckViolation):
        add_sell_record(conn, asset, principal=amount)


def test_shares_that_do_not_match_the_amount_are_refused(conn):
    with pytest.raises(errors.CheckViolation, match="asset_check"):
        add_asset(conn, add_product(conn), shares=3, amount="10000.00")


def test_share_amount_must_be_the_products(conn):
    product = add_product(conn)
    refused(conn, errors.ForeignKeyViolation,
            "INSERT INTO asset (user_id, product_id, share_amount, shares, create_amount, pay_method) "
            "VALUES (1, %s, 1000.00, 5, 5000.00, 'BALANCE')", (product,))


def test_second_on_sale_package_in_a_channel_is_refused(conn):
    add_product(conn, channel="HJS_X", status="ON_SALE")
    add_product(conn, channel="HJS_Y", status="ON_SALE")  # another channel may have its own
    pending = add_product(conn, channel="HJS_X", status="PENDING")
    with pytest.raises(errors.UniqueViolation, match="one_on_sale_per_channel"):
        add_product(conn, channel="HJS_X", status="ON_SALE")
    refused(conn, errors.UniqueViolation, "UPDATE hjs_product SET status = 'ON_SALE' WHERE id = %s", (pending,))


def test_status_moves_outside_the_lifecycle_are_refused(conn):
    asset = add_asset(conn, add_product(conn), status="INVEST_START")
    refused(conn, errors.CheckViolation, "UPDATE asset SET status = 'SELL_SUCCESS' WHERE id = %s", (asset,))
    with conn.cursor() as cur:
        cur.execute("UPDATE asset SET status = 'INVEST_SUCCESS' WHERE id = %s", (asset,))
    refused(conn, errors.CheckViolation, "UPDATE asset SET status = 'INVEST_START' WHERE id = %s", (asset,))


def test_boosted_money_never_goes_to_a_card(conn):
    asset = add_asset(conn, add_product(conn), pay_method="CARD", card_id="CARD1")
    sell = add_sell_record(conn, asset)
    refused(conn, errors.CheckViolation,
            "INSERT INTO payback_order (asset_id, sell_record_id, product_id, user_id, principal, interest, "
            "boost_interest, amount, destination, card_id) SELECT %s, %s, product_id, 1, 10000.00, 450.00, 12.00, "
            "10462.00, 'CARD', 'CARD1' FROM asset WHERE id = %s", (asset, sell, asset))


def test_a_card_purchase_needs_its_card(conn):
    with pytest.raises(errors.CheckViolation):
        add_asset(conn, add_product(conn), pay_method="CARD", card_id=None)


def test_foreign_keys_hold(conn):
    refused(conn, errors.ForeignKeyViolation,
            "INSERT INTO asset_extra_interest (asset_id, coupon_code, kind, boost_rate, extra_interest) "
            "VALUES (999999, 'C1', 'RATE_BOOST', 0.01, 5.00)")


def test_money_comes_back_as_exact_decimal(conn):
    asset = add_asset(conn, add_product(conn))
    with conn.cursor() as cur:
        cur.execute("SELECT create_amount FROM asset WHERE id = %s", (asset,))
        amount = cur.fetchone()[0]
    assert isinstance(amount, Decimal) and amount == Decimal("10000.00")


def test_one_refused_move_refuses_the_whole_statement_and_names_the_asset(conn):
    """The guard runs once per statement over all its rows: one bad row and nothing moves."""
    product = add_product(conn)
    allowed = add_asset(conn, product, status="INVEST_START")
    bad = add_asset(conn, product, status="INVEST_SUCCESS")
    with pytest.raises(errors.CheckViolation, match=f"asset {bad}: status may not move from INVEST_SUCCESS to "
                                                    "INVEST_START"), conn.cursor() as cur:
        cur.execute("UPDATE asset SET status = CASE id WHEN %s THEN 'INVEST_SUCCESS' ELSE 'INVEST_START' END "
                    "WHERE id IN (%s, %s)", (allowed, allowed, bad))
    with conn.cursor() as cur:
        cur.execute("SELECT id, status FROM asset WHERE id IN (%s, %s) ORDER BY id", (allowed, bad))
        assert cur.fetchall() == [(allowed, "INVEST_START"), (bad, "INVEST_SUCCESS")]


def test_an_assets_id_and_product_are_never_rewritten(conn):
    asset = add_asset(conn, add_product(conn))
    other = add_product(conn)
    refused(conn, errors.CheckViolation, "UPDATE asset SET id = id + 1000000 WHERE id = %s", (asset,))
    refused(conn, errors.CheckViolation, "UPDATE asset SET product_id = %s WHERE id = %s", (other, asset))
