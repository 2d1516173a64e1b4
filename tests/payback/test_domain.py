"""Payback destination, amounts and the guard's reasons, as plain functions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjs_operators.domain.payback import Destination, destination, holder_problem, payback_amounts


def test_money_goes_back_the_way_it_came_unless_boosted():
    assert destination("CARD", "C1", 0) == Destination("CARD", "C1")
    assert destination("BALANCE", None, 0) == Destination("BALANCE")
    assert destination("CARD", "C1", 1) == Destination("BALANCE")
    assert destination("BALANCE", None, 500) == Destination("BALANCE")


@given(st.sampled_from([("CARD", "C9"), ("BALANCE", None)]), st.integers(min_value=1, max_value=10**9))
def test_boosted_money_never_goes_to_a_card(purchase, boost):
    assert destination(*purchase, boost).kind == "BALANCE"


@pytest.mark.parametrize("args", [("CARD", None, 0), ("WECHAT", None, 0), ("BALANCE", None, -1)])
def test_bad_inputs_are_refused(args):
    with pytest.raises(ValueError):
        destination(*args)


@given(st.integers(1, 10**10), st.integers(1, 10**8), st.lists(st.integers(1, 10**6), max_size=5))
def test_amount_is_the_sum_of_its_stored_parts(principal, interest, boosts):
    amounts = payback_amounts(principal, interest, boosts)
    assert amounts.boost_fen == sum(boosts)
    assert amounts.amount_fen == principal + interest + sum(boosts)


def test_guard_reasons():
    assert holder_problem("SELL_CONFIRMED", True) is None
    assert holder_problem("SELL_SUCCESS", True, has_order=True) is None
    assert holder_problem("LIQUIDATED", False) is None
    assert "T-3" in holder_problem("INVEST_SUCCESS", False)
    assert "INVEST_START" in holder_problem("INVEST_START", False)
    assert "no sell record" in holder_problem("SELL_CONFIRMED", False)
    assert "INVEST_SUCCESS" in holder_problem("INVEST_SUCCESS", True)
