"""Minimal zw rows for tests that need a few hand-made products and assets (not the demo data)."""

from __future__ import annotations

import itertools
from datetime import date

_codes = itertools.count(1)


def add_channel(conn, code: str = "HJS_T") -> str:
    with conn.cursor() as cur:
        cur.execute("INSERT INTO hjs_channel VALUES (%s, %s) ON CONFLICT DO NOTHING", (code, f"channel {code}"))
    return code


def add_product(conn, *, channel: str = "HJS_T", sequence: int | None = None, status: str = "SOLD_OUT",
                value_date: date = date(2025, 11, 27), maturity_date: date = date(2026, 11, 27),
                annual_rate: str = "0.045000", share_amount: str = "5000.00", total_amount: str = "1000000.00") -> int:
    add_channel(conn, channel)
    number = next(_codes)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO hjs_product (product_code, product_name, channel_code, sequence_no, total_amount, "
            "share_amount, annual_rate, value_date, maturity_date, status) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (f"TEST{number:06d}", f"test product {number}", channel, sequence or number, total_amount, share_amount,
             annual_rate, value_date, maturity_date, status))
        return cur.fetchone()[0]


def add_asset(conn, product_id: int, *, shares: int = 2, amount: str | None = None, interest: str | None = "450.00",
              status: str = "INVEST_SUCCESS", pay_method: str = "BALANCE", card_id: str | None = None,
              user_id: int = 1, origin: int | None = None) -> int:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO asset (user_id, product_id, share_amount, shares, create_amount, create_expected_interest, "
            "pay_method, card_id, status, origin_asset_id) "
            "SELECT %s, id, share_amount, %s, COALESCE(%s, share_amount * %s), %s, %s, %s, %s, %s "
            "FROM hjs_product WHERE id = %s RETURNING id",
            (user_id, shares, amount, shares, interest, pay_method, card_id, status, origin, product_id))
        return cur.fetchone()[0]


def add_sell_record(conn, asset_id: int, *, principal: str = "10000.00", interest: str = "450.00") -> int:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO sell_record (asset_id, product_id, principal, interest, amount) "
            "SELECT id, product_id, %s, %s, %s::numeric + %s::numeric FROM asset WHERE id = %s RETURNING id",
            (principal, interest, principal, interest, asset_id))
        return cur.fetchone()[0]


def add_boost(conn, asset_id: int, *, coupon: str, kind: str = "RATE_BOOST", rate: str = "0.010000",
              days: int | None = None, extra_interest: str = "100.00") -> int:
    """A boost coupon on an asset (asset_extra_interest); extra_interest is what the platform stored."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO asset_extra_interest (asset_id, coupon_code, kind, boost_rate, boost_days, extra_interest) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id", (asset_id, coupon, kind, rate, days, extra_interest))
        return cur.fetchone()[0]


def add_liquidation(conn, seller_asset_id: int, buyer_asset_id: int, *, price: str = "10100.00",
                    fee_rate: str = "0.002000", fee: str = "20.20") -> int:
    """A secondary-market transfer row (the seller's asset should be LIQUIDATED, the buyer's point at it)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO liquidate_asset (seller_asset_id, buyer_asset_id, price, fee_rate, fee) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING id", (seller_asset_id, buyer_asset_id, price, fee_rate, fee))
        return cur.fetchone()[0]
