"""Helpers for the secondary-market tests: hand-made subscribed products, state snapshots of both sides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hjs_operators.domain.order_numbers import invest_order_no
from hjs_operators.repository.db import transaction
from hjs_operators.secondary_market.transfers import RecordedTransfer, record_transfer

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Transfers in these tests happen well before the products' close dates unless a test says otherwise.
AT = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
MATURITY = date(2026, 11, 27)
PRICE_FEN = 1_010_000  # 10,100.00 yuan for a 2-share (10,000.00) asset
FEE_RATE = Decimal("0.002")


def add_invest_record(conn, asset_id: int) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO invest_record (asset_id, order_no, hjs_order_id, amount, accepted_at, run_id) "
            "SELECT id, %s, %s, create_amount, now(), 'test' FROM asset WHERE id = %s",
            (invest_order_no(asset_id), f"HJSO{asset_id:012d}", asset_id))


@dataclass
class Market:
    """One product, subscribed in zw (invest records) and known to the sandbox (seeded from zw)."""

    conn: object
    product_id: int
    product_code: str
    assets: list[int]  # the original subscribers' assets, user ids 1..n

    def sell(self, seller: int, buyer_user: int, *, at: datetime = AT, price_fen: int = PRICE_FEN,
             fee_rate: Decimal = FEE_RATE) -> RecordedTransfer:
        return record_transfer(self.conn, seller_asset_id=seller, buyer_user_id=buyer_user, price_fen=price_fen,
                               fee_rate=fee_rate, at=at)


def rows(conn, query: str, params: tuple = ()) -> list[tuple]:
    with transaction(conn) as cur:
        cur.execute(query, params)
        return cur.fetchall()


def zw_state(conn) -> dict[str, list[tuple]]:
    """Everything the secondary market writes in zw, for before/after comparisons."""
    return {
        "asset": rows(conn, "SELECT id, user_id, status, origin_asset_id, updated_at FROM asset ORDER BY id"),
        "liquidate_asset": rows(conn, "SELECT * FROM liquidate_asset ORDER BY id"),
        "transfer_registration": rows(conn, "SELECT * FROM transfer_registration ORDER BY liquidate_id"),
        "hjs_sync_attempt": rows(conn, "SELECT * FROM hjs_sync_attempt ORDER BY id"),
        "hjs_product": rows(conn, "SELECT id, transfer_open, transfer_closed_at, updated_at FROM hjs_product"),
    }


def hjs_transfers_by_number(sandbox) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for item in sandbox.admin.transfers():
        found.setdefault(item["transferNo"], []).append(item)
    return found


def holders_at_hjs(sandbox, product_code: str) -> dict[str, str]:
    """orderNo -> holderAssetId as HJS has it."""
    return {s["orderNo"]: s["holderAssetId"] for s in sandbox.admin.subscriptions(product_code)}

