"""Exact money: integer fen inside the sandbox, two-decimal strings on the wire. Never a float."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Two decimals exactly, no sign, no exponent, no leading zeros: what section 1 of the spec allows.
_MONEY = re.compile(r"(0|[1-9][0-9]{0,15})\.([0-9]{2})")
_RATE = re.compile(r"(0|[1-9][0-9]{0,2})(\.[0-9]{1,10})?")

DAY_COUNT_BASIS = {"ACT/365": 365, "ACT/360": 360}


def parse_money(value: object) -> int:
    """'5000.00' -> 500000 fen. Anything else (numbers, '5000', '5e3', '-1.00') is a ValueError."""
    if not isinstance(value, str):
        raise ValueError("must be a string with two decimals")
    match = _MONEY.fullmatch(value)
    if match is None:
        raise ValueError("must be a string with two decimals, e.g. '5000.00'")
    return int(match.group(1)) * 100 + int(match.group(2))


def format_fen(fen: int) -> str:
    """500000 -> '5000.00' (negative amounts keep their sign; only faults produce them)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def parse_rate(value: object) -> Decimal:
    """An annual rate as a decimal string, '0.0450'."""
    if not isinstance(value, str) or _RATE.fullmatch(value) is None:
        raise ValueError("must be a decimal string, e.g. '0.0450'")
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes it
        raise ValueError("must be a decimal string") from exc


def truncated_interest_fen(principal_fen: int, annual_rate: Decimal, days: int, basis: int) -> int:
    """principal x rate x days / basis, truncated (ROUND_DOWN) to the fen, in exact integer arithmetic.

    HJS truncates where zw rounds half-up: the one-fen differences this produces are intended.
    """
    numerator, denominator = annual_rate.as_integer_ratio()
    return (principal_fen * numerator * days) // (denominator * basis)
