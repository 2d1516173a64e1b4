"""Interest arithmetic, exact to the fen.

zw's rule (docs/data-model.md): interest = principal x annual rate x days / basis, rounded half-up to
the fen once, at the end. days is the product's term (maturity date - value date); the basis comes from
the product's day count (ACT/365 or ACT/360). HJS truncates instead (docs/hjs-protocol.md), which is
why the T-3 trial tolerates a few fen.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

DAY_BASIS = {"ACT/365": 365, "ACT/360": 360}


def day_basis(day_count: str) -> int:
    try:
        return DAY_BASIS[day_count]
    except KeyError:
        raise ValueError(f"unknown day count {day_count!r}; expected one of {sorted(DAY_BASIS)}") from None


def term_days(value_date: date, maturity_date: date) -> int:
    days = (maturity_date - value_date).days
    if days <= 0:
        raise ValueError(f"maturity date {maturity_date} is not after value date {value_date}")
    return days


def simple_interest_fen(principal_fen: int, annual_rate: Decimal, days: int, day_count: str) -> int:
    """principal x rate x days / basis, half-up to the fen. Rates are Decimal, never float."""
    if not isinstance(annual_rate, Decimal):
        raise TypeError("annual_rate must be a Decimal")
    exact = Decimal(principal_fen) * annual_rate * days / day_basis(day_count)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
