"""zw's interest rule: exact, half-up once, from the product's own dates and day count."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjs_operators.domain.interest import simple_interest_fen, term_days


def reference(principal_fen: int, rate: Decimal, days: int, basis: int) -> int:
    """The rule as written in docs/data-model.md, computed with Decimal at ample precision."""
    exact = Decimal(principal_fen) * rate * days / basis
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(principal=st.integers(0, 10**11), rate=st.decimals("0", "0.999999", places=6),
       days=st.integers(0, 3660), day_count=st.sampled_from(["ACT/365", "ACT/360"]))
def test_integer_path_equals_the_decimal_rule(principal, rate, days, day_count):
    basis = 365 if day_count == "ACT/365" else 360
    assert simple_interest_fen(principal, rate, days, day_count) == reference(principal, rate, days, basis)


def test_half_a_fen_rounds_up_and_just_below_rounds_down():
    # 1 fen x 0.5 x 365/365 = 0.5 fen -> 1; 0.499... -> 0
    assert simple_interest_fen(1, Decimal("0.5"), 365, "ACT/365") == 1
    assert simple_interest_fen(1, Decimal("0.499999"), 365, "ACT/365") == 0


def test_a_one_year_package_share():
    # 5,000.00 at 4.5% for 365 days (ACT/365) = 225.00; for 366 days = 225.62 (225.616...)
    assert simple_interest_fen(500_000, Decimal("0.045"), 365, "ACT/365") == 22_500
    assert simple_interest_fen(500_000, Decimal("0.045"), 366, "ACT/365") == 22_562


def test_bad_inputs_are_named():
    with pytest.raises(TypeError, match="Decimal"):
        simple_interest_fen(100, 0.045, 365, "ACT/365")
    with pytest.raises(ValueError, match="day count"):
        simple_interest_fen(100, Decimal("0.045"), 365, "30/360")
    with pytest.raises(ValueError, match="not after"):
        term_days(date(2026, 1, 2), date(2026, 1, 2))
