"""Test oracle: boost (extra) interest, exact to the fen, the coupons zw pays on top of HJS's interest.

The pipelines never compute a boost: a payback pays the extra_interest the platform stored when the
coupon was applied (docs/payback.md). This is the written-down rule those stored figures follow;
test_boost.py checks it property by property and against every boost of the demo data.

The rule (docs/payback.md, "Boost arithmetic"):
- a RATE_BOOST earns its boost_rate for the whole term of the product;
- a DAILY_BOOST earns its boost_rate for boost_days days, capped at the term (a coupon cannot earn
  beyond maturity);
- each boost is principal x boost_rate x days / basis (the product's day count), rounded half-up to
  the fen ONCE, per boost; an asset's boost interest is the sum of its boosts' rounded amounts.
Rounding per boost (not once over the sum) is what the platform stores in
asset_extra_interest.extra_interest when a coupon is applied and shows to the user, so the sum of the
stored rows is the sum of these figures, fen for fen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from hjs_operators.domain.interest import simple_interest_fen

RATE_BOOST = "RATE_BOOST"
DAILY_BOOST = "DAILY_BOOST"


class BoostError(ValueError):
    """A boost that cannot be computed (unknown kind, days missing or not positive, a float rate)."""


@dataclass(frozen=True)
class Boost:
    kind: str
    rate: Decimal
    days: int | None = None  # DAILY_BOOST only

    def earning_days(self, term_days: int) -> int:
        if term_days <= 0:
            raise BoostError(f"term of {term_days} days is not positive")
        if self.kind == RATE_BOOST:
            if self.days is not None:
                raise BoostError("a RATE_BOOST runs the whole term and carries no days")
            return term_days
        if self.kind == DAILY_BOOST:
            if self.days is None or self.days <= 0:
                raise BoostError(f"a DAILY_BOOST needs a positive number of days, not {self.days!r}")
            return min(self.days, term_days)
        raise BoostError(f"unknown boost kind {self.kind!r}")


def boost_interest_fen(principal_fen: int, boost: Boost, term_days: int, day_count: str) -> int:
    """One boost's money: principal x rate x earning days / basis, half-up to the fen."""
    if not isinstance(boost.rate, Decimal):
        raise BoostError("boost rate must be a Decimal, never a float")
    return simple_interest_fen(principal_fen, boost.rate, boost.earning_days(term_days), day_count)


def total_boost_interest_fen(principal_fen: int, boosts: Iterable[Boost], term_days: int, day_count: str) -> int:
    """An asset's boost interest: the sum of its boosts, each rounded on its own."""
    return sum(boost_interest_fen(principal_fen, boost, term_days, day_count) for boost in boosts)
