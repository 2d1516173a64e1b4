"""Money as text: exact for files and HJS, grouped for people."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hjs_operators.domain.money import MoneyError, format_amount, format_yuan


@pytest.mark.parametrize(("fen", "exact", "grouped"), [
    (0, "0.00", "0.00"), (5, "0.05", "0.05"), (-700, "-7.00", "-7.00"), (99_999, "999.99", "999.99"),
    (100_000, "1000.00", "1,000.00"), (-12_345_678, "-123456.78", "-123,456.78"),
    (123_456_789_012, "1234567890.12", "1,234,567,890.12")])
def test_exact_and_grouped(fen, exact, grouped):
    assert format_yuan(fen) == exact and format_yuan(fen, grouped=True) == grouped


def test_amounts_from_the_database():
    assert format_amount(Decimal("1022684.93"), grouped=True) == "1,022,684.93"
    assert format_amount(Decimal("-0.10")) == "-0.10" and format_amount(None) == ""
    with pytest.raises(MoneyError):
        format_amount(Decimal("1.005"))
    with pytest.raises(MoneyError):
        format_yuan(1.5, grouped=True)
