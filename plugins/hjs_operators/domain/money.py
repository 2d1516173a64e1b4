"""Money is integer fen inside Python; Decimal with two places only at the edges (SQL, HJS, e-mails)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

FEN_PER_YUAN = 100
_TWO_PLACES = Decimal("0.01")


class MoneyError(ValueError):
    """A value that is not an exact amount of money."""


def to_fen(value: Decimal | str | int) -> int:
    """Exact conversion of yuan to fen; refuses floats, non-numbers and sub-fen amounts."""
    if isinstance(value, float | bool):
        raise MoneyError(f"{value!r}: money must not be a float")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise MoneyError(f"{value!r} is not a number") from exc
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise MoneyError(f"{value!r} has more than two decimal places")
    return int(fen)


def to_yuan(fen: int) -> Decimal:
    """Integer fen to a two-place Decimal, for SQL parameters and messages."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(_TWO_PLACES)


def format_yuan(fen: int, *, grouped: bool = False) -> str:
    """'1234567.89' — the form HJS and our CSV files use; grouped: '1,234,567.89', for people (HTML
    pages, questions in the UI). Integer arithmetic only (hot in bulk writes)."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError(f"{fen!r}: fen must be an integer")
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    yuan = f"{fen // FEN_PER_YUAN:,}" if grouped else fen // FEN_PER_YUAN
    return f"{sign}{yuan}.{fen % FEN_PER_YUAN:02d}"


def format_amount(yuan: Decimal | None, *, grouped: bool = False) -> str:
    """An amount from the database (two-place Decimal) as format_yuan writes it; '' for no amount."""
    return "" if yuan is None else format_yuan(to_fen(yuan), grouped=grouped)
