"""Maturity payback rules: where an asset's money goes, what a payback order carries, and which
current holders keep a product from being paid. Plain Python, no Airflow, no database.

The SQL that writes payback orders in bulk (include/sql/payback/pay_products.sql) applies the same
rules set-wise; tests/payback checks every order it writes against the functions here.
"""

from __future__ import annotations

from dataclasses import dataclass

BALANCE = "BALANCE"
CARD = "CARD"

# Statuses a current holder (not LIQUIDATED) may have on maturity day for its product to be paid.
PAYABLE_STATUSES = frozenset({"SELL_CONFIRMED", "SELL_SUCCESS"})


@dataclass(frozen=True)
class Destination:
    kind: str  # BALANCE or CARD
    card_id: str | None = None


def destination(pay_method: str, card_id: str | None, boost_fen: int) -> Destination:
    """Any boost -> the balance account (principal, interest and boost in ONE payback); otherwise the
    money goes back the way it came: a card purchase to that card, a balance purchase to the balance."""
    if boost_fen < 0:
        raise ValueError(f"boost interest {boost_fen} fen is negative")
    if boost_fen > 0:
        return Destination(BALANCE)
    if pay_method == CARD:
        if not card_id:
            raise ValueError("a card purchase without a card id")
        return Destination(CARD, card_id)
    if pay_method == BALANCE:
        return Destination(BALANCE)
    raise ValueError(f"unknown pay method {pay_method!r}")


@dataclass(frozen=True)
class PaybackAmounts:
    principal_fen: int
    interest_fen: int
    boost_fen: int

    @property
    def amount_fen(self) -> int:
        return self.principal_fen + self.interest_fen + self.boost_fen


def payback_amounts(sell_principal_fen: int, sell_interest_fen: int, boost_fens: list[int] | tuple[int, ...]
                    ) -> PaybackAmounts:
    """Principal and interest as the T-3 trial confirmed them (the sell record), plus the sum of the
    asset's stored boost interest; each part kept apart, the amount their sum."""
    if sell_principal_fen <= 0 or sell_interest_fen <= 0:
        raise ValueError("a sell record's principal and interest are positive")
    if any(b <= 0 for b in boost_fens):
        raise ValueError("every boost's interest is positive")
    return PaybackAmounts(sell_principal_fen, sell_interest_fen, sum(boost_fens))


def holder_problem(status: str, has_sell_record: bool, has_order: bool = False,
                   origin_status: str | None = None) -> str | None:
    """Why a current holder keeps its product from being paid, or None if it is ready (or paid).

    origin_status is the status of the asset it was bought from when that asset is still a current
    holder (not LIQUIDATED). A product is paid only when every current holder is ready: never a
    partial payout."""
    if status == "LIQUIDATED":
        return None  # not a current holder: its buyer's asset is paid instead
    if origin_status is not None:
        return (f"bought from an asset that is still {origin_status}, not LIQUIDATED (a transfer half written: "
                "seller and buyer would both be paid for one holding)")
    if status == "SELL_SUCCESS" and not has_order:
        return ("SELL_SUCCESS without a payback order (moved by something other than the payback: nobody would "
                "pay it)")
    if status == "SELL_CONFIRMED" and has_order:
        return "already has a payback order but is still SELL_CONFIRMED (an order written by another writer)"
    if status in PAYABLE_STATUSES and has_sell_record:
        return None
    if status == "INVEST_START":
        return "never subscribed at HJS (still INVEST_START)"
    if status == "INVEST_SUCCESS" and not has_sell_record:
        return "no sell record: the T-3 trial did not confirm it (trial missed, or the product is held)"
    if not has_sell_record:
        return f"no sell record for this product although its status is {status}"
    return f"has a sell record but status {status} (expected SELL_CONFIRMED)"


def cycle_problem(cycle_asset_ids: list[int] | tuple[int, ...]) -> str:
    """The reason given for a cycle in the origin chain (each asset bought from the next)."""
    chain = " -> ".join(map(str, [*cycle_asset_ids, cycle_asset_ids[0]]))
    return (f"a cycle in the origin chain: {chain} (each bought from the next): the holding has no first buyer, "
            "so its holder cannot be told")
