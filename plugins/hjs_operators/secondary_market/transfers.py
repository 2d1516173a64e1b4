"""record_transfer: a secondary-market transfer recorded in zw the way the platform records it.

The platform owns this write in production; the pipelines only read it. It lives here so that tests,
the demo and the documentation use exactly the rules the pipelines check (rules.py), in one transaction:
seller LIQUIDATED, buyer's asset created from the seller's, the liquidate_asset row. A refused transfer
raises TransferRefused naming the asset or product and why, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..dag_defaults import TIMEZONE
from ..domain.money import to_yuan
from ..repository.sql_files import load_sql
from ..settings import MAX_HOLDERS
from . import repository as repo
from .rules import TRANSFERABLE_STATUS, TransferRefused, close_date, fee_fen


@dataclass(frozen=True)
class RecordedTransfer:
    liquidate_id: int
    seller_asset_id: int
    buyer_asset_id: int
    product_id: int
    price_fen: int
    fee_rate: Decimal
    fee_fen: int
    transferred_at: datetime


def record_transfer(zw_conn, *, seller_asset_id: int, buyer_user_id: int, price_fen: int, fee_rate: Decimal,
                    pay_method: str = "BALANCE", card_id: str | None = None, at: datetime | None = None,
                    close_offset_days: int | None = None) -> RecordedTransfer:
    """Sell the whole asset `seller_asset_id` to user `buyer_user_id` for `price_fen`.

    `at` is the transfer's moment (default: the database's clock); it must be timezone-aware.
    """
    fee = fee_fen(price_fen, fee_rate)
    if fee >= price_fen:
        raise TransferRefused(
            f"asset {seller_asset_id}: fee {to_yuan(fee)} is not below the price {to_yuan(price_fen)}")
    if (pay_method == "CARD") != (card_id is not None) or pay_method not in ("CARD", "BALANCE"):
        raise TransferRefused(f"asset {seller_asset_id}: the buyer pays by CARD with a card id, or by BALANCE")
    if at is not None and at.tzinfo is None:
        raise TransferRefused("the transfer moment must be timezone-aware")
    offset = {} if close_offset_days is None else {"offset_days": close_offset_days}
    with repo.transaction(zw_conn) as cur:
        cur.execute(repo.sql("lock_seller"), {"asset_id": seller_asset_id})
        row = cur.fetchone()
        if row is None:
            raise TransferRefused(f"asset {seller_asset_id} does not exist")
        _, seller_user, product_id, status, interest, code, is_open, closed_at, maturity, db_now = row
        moment = at or db_now
        if status != TRANSFERABLE_STATUS:
            raise TransferRefused(f"asset {seller_asset_id} is {status}: only an {TRANSFERABLE_STATUS} asset can be "
                                  "transferred (subscribed at HJS, not sold, not yet confirmed for maturity)")
        if not is_open:
            raise TransferRefused(f"asset {seller_asset_id}: product {code} is closed for transfers since "
                                  f"{closed_at.astimezone(TIMEZONE):%Y-%m-%d %H:%M} (maturity {maturity})")
        last = close_date(maturity, **offset)
        if moment.astimezone(TIMEZONE).date() >= last:
            raise TransferRefused(f"asset {seller_asset_id}: product {code} stops transfers on {last} (maturity "
                                  f"{maturity}); a transfer on {moment.astimezone(TIMEZONE).date()} is too late")
        if interest is None:
            raise TransferRefused(f"asset {seller_asset_id} has no expected interest (bad data); fix it before selling")
        if seller_user == buyer_user_id:
            raise TransferRefused(f"asset {seller_asset_id}: buyer and seller are the same user")
        cur.execute(repo.sql("insert_buyer_asset"), {
            "buyer_user_id": buyer_user_id, "pay_method": pay_method, "card_id": card_id, "at": moment,
            "seller_asset_id": seller_asset_id})
        (buyer_asset_id,) = cur.fetchone()
        cur.execute(repo.sql("liquidate_seller"), {"seller_asset_id": seller_asset_id})
        cur.execute(repo.sql("insert_liquidation"), {
            "seller_asset_id": seller_asset_id, "buyer_asset_id": buyer_asset_id, "price": to_yuan(price_fen),
            "fee_rate": fee_rate, "fee": to_yuan(fee), "at": moment})
        (liquidate_id,) = cur.fetchone()
        cur.execute(load_sql("packages/holder_limit_breaches.sql"),
                    {"product_id": product_id, "max_holders": MAX_HOLDERS})
        over = cur.fetchone()
        if over is not None:
            raise TransferRefused(f"asset {seller_asset_id}: package {code} would have {over[3]} holders and "
                                  f"{over[4]} live shares, over its limit of {MAX_HOLDERS} holders and "
                                  f"{over[5]} shares")
    return RecordedTransfer(liquidate_id, seller_asset_id, buyer_asset_id, product_id, price_fen, fee_rate, fee,
                            moment)
