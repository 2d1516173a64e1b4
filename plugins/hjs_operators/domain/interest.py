"""Interest arithmetic, exact to the fen.

zw's rule (docs/data-model.md): interest = principal x annual rate x days / basis, rounded half-up to
the fen once, at the end. days is the product's term (maturity date - value date); the basis comes from
the product's day count (ACT/365 or ACT/360). HJS truncates instead (docs/hjs-protocol.md), which is
why the T-3 trial tolerates a few fen.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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
    """principal x rate x days / basis, half-up to the fen. Rates are Decimal, never float.

    Computed on integers: a finite Decimal is exactly num/den, so the result is exact whatever the
    rate's precision (no Decimal context rounding), and cheap enough for bulk work.
    """
    if not isinstance(annual_rate, Decimal) or not annual_rate.is_finite():
        raise TypeError("annual_rate must be a finite Decimal")
    if principal_fen < 0 or days < 0 or annual_rate < 0:
        raise ValueError("principal, rate and days must not be negative")
    rate_num, rate_den = annual_rate.as_integer_ratio()
    numerator = principal_fen * rate_num * days
    denominator = rate_den * day_basis(day_count)
    return (2 * numerator + denominator) // (2 * denominator)  # half-up for a non-negative quotient
