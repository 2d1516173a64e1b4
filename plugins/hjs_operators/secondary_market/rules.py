"""The rules of a secondary-market transfer (docs/secondary-market.md), as plain functions.

- A transfer moves a whole asset: the buyer's new asset inherits shares, principal (create_amount),
  expected interest and maturity (the product), and points to the seller's asset (origin_asset_id).
- Fee = price x fee_rate, computed exactly in fen and rounded half-up to a whole fen, once: a price of
  3,333.33 yuan (333,333 fen) at 0.0015 is 499.9995 fen -> 500 fen = 5.00 yuan; exactly half a fen goes
  up (0.5 -> 1). The fee rate is in [0, 1) with at most six decimals; the fee is below the price.
- Boosts (asset_extra_interest) stay with the seller's asset: they are coupons zw gave that user, paid
  by zw, and are never paid to the buyer. The buyer's asset is paid principal + interest only.
- Only an INVEST_SUCCESS asset can be sold (subscribed at HJS, or itself bought on the market); not a
  LIQUIDATED one (already sold), nor one confirmed at T-3 or paid back.
- The product's transfer interface must be open, and the transfer's day (Asia/Shanghai) must be before
  the close date = maturity date - CLOSE_OFFSET_DAYS (the T-3 trial's offset): the trial closes it that
  day, and the calendar rule holds even if the close step has not run yet.
- A package never has more holders (distinct users of its live assets) than it has shares (200).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..settings import TRIAL_OFFSET_DAYS

CLOSE_OFFSET_DAYS = TRIAL_OFFSET_DAYS  # transfers close on the day the T-3 trial runs
TRANSFERABLE_STATUS = "INVEST_SUCCESS"
LIVE_STATUSES = ("INVEST_START", "INVEST_SUCCESS", "SELL_CONFIRMED", "SELL_SUCCESS")  # not LIQUIDATED


class TransferRefused(ValueError):
    """The platform may not record this transfer; the message names the asset or product and why."""


def fee_fen(price_fen: int, fee_rate: Decimal) -> int:
    """price x fee_rate, half-up to the fen. Exact Decimal arithmetic; never a float."""
    if isinstance(price_fen, bool) or not isinstance(price_fen, int) or price_fen <= 0:
        raise TransferRefused(f"price must be a positive whole number of fen, got {price_fen!r}")
    if not isinstance(fee_rate, Decimal) or not fee_rate.is_finite():
        raise TransferRefused("fee rate must be a Decimal (never a float)")
    if not Decimal(0) <= fee_rate < Decimal(1):
        raise TransferRefused(f"fee rate {fee_rate} is outside [0, 1)")
    if fee_rate != fee_rate.quantize(Decimal("0.000001")):
        raise TransferRefused(f"fee rate {fee_rate} has more than six decimal places (NUMERIC(7,6))")
    return int((Decimal(price_fen) * fee_rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def close_date(maturity_date: date, offset_days: int = CLOSE_OFFSET_DAYS) -> date:
    """The first day on which the product's assets can no longer be transferred."""
    return maturity_date - timedelta(days=offset_days)
