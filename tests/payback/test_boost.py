"""Boost arithmetic: exact to the fen, property-based, and in agreement with what zw stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjs_operators.domain.interest import term_days
from hjs_operators.domain.money import to_fen
from tests.payback.boost_oracle import (
    DAILY_BOOST,
    RATE_BOOST,
    Boost,
    BoostError,
    boost_interest_fen,
    total_boost_interest_fen,
)

principals = st.integers(min_value=1, max_value=200).map(lambda shares: shares * 500_000)
rates = st.integers(min_value=1, max_value=999_999).map(lambda micro: Decimal(micro) / Decimal(1_000_000))
terms = st.integers(min_value=1, max_value=3 * 366)
day_counts = st.sampled_from(["ACT/365", "ACT/360"])
boosts = st.one_of(
    st.builds(Boost, kind=st.just(RATE_BOOST), rate=rates),
    st.builds(Boost, kind=st.just(DAILY_BOOST), rate=rates, days=st.integers(min_value=1, max_value=4 * 366)),
)


def exact(principal: int, boost: Boost, term: int, day_count: str) -> Fraction:
    days = term if boost.kind == RATE_BOOST else min(boost.days, term)
    return Fraction(principal) * Fraction(boost.rate) * days / (365 if day_count == "ACT/365" else 360)


@given(principals, boosts, terms, day_counts)
def test_each_boost_is_its_exact_value_rounded_half_up(principal, boost, term, day_count):
    fen = boost_interest_fen(principal, boost, term, day_count)
    value = exact(principal, boost, term, day_count)
    assert abs(fen - value) <= Fraction(1, 2)
    if value - int(value) == Fraction(1, 2):  # a tie goes up
        assert fen == int(value) + 1


@given(principals, st.lists(boosts, min_size=1, max_size=5), terms, day_counts)
def test_several_boosts_sum_their_own_rounded_amounts(principal, many, term, day_count):
    total = total_boost_interest_fen(principal, many, term, day_count)
    assert total == sum(boost_interest_fen(principal, b, term, day_count) for b in many)
    assert abs(total - sum(exact(principal, b, term, day_count) for b in many)) <= Fraction(len(many), 2)


@given(principals, rates, st.integers(min_value=1, max_value=2000), terms, day_counts)
def test_a_daily_boost_earns_at_most_the_whole_term(principal, rate, days, term, day_count):
    daily = boost_interest_fen(principal, Boost(DAILY_BOOST, rate, days), term, day_count)
    whole = boost_interest_fen(principal, Boost(RATE_BOOST, rate), term, day_count)
    assert daily <= whole
    if days >= term:
        assert daily == whole
    shorter = boost_interest_fen(principal, Boost(DAILY_BOOST, rate, max(1, days - 1)), term, day_count)
    assert shorter <= daily


def test_the_written_down_examples():
    # 10,000.00 x 2 % x 30 / 365 = 16.4383... -> 16.44 ; x 1 % whole year = 100.00
    assert boost_interest_fen(1_000_000, Boost(DAILY_BOOST, Decimal("0.02"), 30), 365, "ACT/365") == 1644
    assert boost_interest_fen(1_000_000, Boost(RATE_BOOST, Decimal("0.01")), 365, "ACT/365") == 10000
    # an exact tie, half a fen (1.00 yuan x 0.5 % for a whole 360-day term), rounds up
    assert boost_interest_fen(100, Boost(RATE_BOOST, Decimal("0.005")), 360, "ACT/360") == 1  # 0.5 fen -> 1


@pytest.mark.parametrize("bad", [Boost("COUPON", Decimal("0.01")), Boost(DAILY_BOOST, Decimal("0.01")),
                                 Boost(DAILY_BOOST, Decimal("0.01"), 0), Boost(RATE_BOOST, Decimal("0.01"), 5),
                                 Boost(RATE_BOOST, 0.01)])
def test_a_malformed_boost_is_refused(bad):
    with pytest.raises(BoostError):
        boost_interest_fen(1_000_000, bad, 365, "ACT/365")


@pytest.mark.postgres
def test_the_function_agrees_with_every_stored_boost_of_the_demo_data(zw_conn):
    from demo.generate import DemoSpec
    from demo.load import load

    load(zw_conn, DemoSpec(assets=3000, seed=7, today=date(2026, 11, 27)))
    with zw_conn.cursor() as cur:
        cur.execute("""
            SELECT e.id, e.kind, e.boost_rate, e.boost_days, e.extra_interest, a.create_amount,
                   h.value_date, h.maturity_date, h.day_count
            FROM asset_extra_interest e JOIN asset a ON a.id = e.asset_id JOIN hjs_product h ON h.id = a.product_id""")
        rows = cur.fetchall()
    assert len(rows) > 100
    kinds = {row[1] for row in rows}
    assert kinds == {RATE_BOOST, DAILY_BOOST}
    wrong = [row[0] for row in rows
             if boost_interest_fen(to_fen(row[5]), Boost(row[1], row[2], row[3]), term_days(row[6], row[7]), row[8])
             != to_fen(row[4])]
    assert wrong == []
