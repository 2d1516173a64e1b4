"""Hand-made maturity days and row readers for the payback tests (tests/zw_rows.py builders)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tests.zw_rows import add_asset, add_boost, add_liquidation, add_product, add_sell_record

MATURITY = date(2026, 11, 27)  # value date 2025-11-27: 365 days, ACT/365, 4.5 %: 10,000.00 earns 450.00
NEXT_DAY = date(2026, 11, 28)


@dataclass
class Day:
    paid_product: int
    blocked_product: int
    later_product: int
    card: int
    balance: int
    boosted_card: int
    seller: int
    middle: int
    holder: int
    blocked_ready: int
    blocked_missing: int
    later: int


def confirmed(conn, product: int, **kwargs) -> int:
    asset = add_asset(conn, product, status="SELL_CONFIRMED", **kwargs)
    add_sell_record(conn, asset)
    return asset


def build_day(conn) -> Day:
    """P1 pays card, balance, boosted and transferred holders; P2 (same day) lacks a sell record; P3
    matures the next day. Committed."""
    p1 = add_product(conn, maturity_date=MATURITY)
    card = confirmed(conn, p1, pay_method="CARD", card_id="CARD0001", user_id=11)
    balance = confirmed(conn, p1, pay_method="BALANCE", user_id=12)
    boosted = confirmed(conn, p1, pay_method="CARD", card_id="CARD0003", user_id=13)
    # 10,000.00 x 1 % x 365/365 = 100.00; 10,000.00 x 2 % x 30/365 = 16.438... -> 16.44
    add_boost(conn, boosted, coupon="RATE1", kind="RATE_BOOST", rate="0.010000", extra_interest="100.00")
    add_boost(conn, boosted, coupon="DAY30", kind="DAILY_BOOST", rate="0.020000", days=30, extra_interest="16.44")
    # a transfer chain seller -> middle -> holder: only the holder is paid (the seller's coupon is not)
    seller = add_asset(conn, p1, status="LIQUIDATED", pay_method="CARD", card_id="CARD0004", user_id=14)
    add_boost(conn, seller, coupon="SELLER", kind="RATE_BOOST", rate="0.005000", extra_interest="50.00")
    middle = add_asset(conn, p1, status="LIQUIDATED", pay_method="BALANCE", user_id=15, origin=seller)
    holder = confirmed(conn, p1, pay_method="CARD", card_id="CARD0006", user_id=16, origin=middle)
    add_liquidation(conn, seller, middle)
    add_liquidation(conn, middle, holder)

    p2 = add_product(conn, maturity_date=MATURITY)
    blocked_ready = confirmed(conn, p2, pay_method="CARD", card_id="CARD0007", user_id=17)
    blocked_missing = add_asset(conn, p2, status="INVEST_SUCCESS", pay_method="BALANCE", user_id=18)

    p3 = add_product(conn, maturity_date=NEXT_DAY, value_date=date(2025, 11, 28))
    later = confirmed(conn, p3, pay_method="BALANCE", user_id=19)
    conn.commit()
    return Day(p1, p2, p3, card, balance, boosted, seller, middle, holder, blocked_ready, blocked_missing, later)


def fetch(conn, sql: str, params=None) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    conn.rollback()
    return rows


def orders_by_asset(conn) -> dict[int, tuple]:
    rows = fetch(conn, "SELECT asset_id, principal, interest, boost_interest, amount, destination, card_id, status "
                       "FROM payback_order ORDER BY asset_id")
    return {row[0]: tuple(str(v) if v is not None else None for v in row[1:]) for row in rows}


def statuses(conn) -> dict[int, str]:
    return dict(fetch(conn, "SELECT id, status FROM asset"))


# Independent of include/sql/payback: correlated subqueries per current holder of the products that
# have orders, computed from sell_record, asset_extra_interest and asset only.
EXPECTED_SQL = """
SELECT a.id,
       s.principal + s.interest + COALESCE((SELECT sum(e.extra_interest) FROM asset_extra_interest e
                                            WHERE e.asset_id = a.id), 0) AS amount,
       CASE WHEN EXISTS (SELECT 1 FROM asset_extra_interest e WHERE e.asset_id = a.id) THEN 'BALANCE'
            ELSE a.pay_method END AS destination
FROM asset a
JOIN sell_record s ON s.asset_id = a.id
JOIN hjs_product h ON h.id = a.product_id
WHERE h.maturity_date = %(day)s
  AND a.status <> 'LIQUIDATED'
  AND EXISTS (SELECT 1 FROM payback_order p WHERE p.product_id = a.product_id)
ORDER BY a.id
"""

ACTUAL_SQL = """
SELECT p.asset_id, p.amount, p.destination
FROM payback_order p JOIN hjs_product h ON h.id = p.product_id
WHERE h.maturity_date = %(day)s
ORDER BY p.asset_id
"""


def summaries(mailbox) -> list:
    """The payback summaries in the sink (a failed task also mails operations, through dag_defaults)."""
    return [m for m in mailbox.messages() if m["Subject"].startswith("HJS maturity payback ")]
