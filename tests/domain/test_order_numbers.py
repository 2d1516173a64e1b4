"""Order and transfer numbers: derived, injective, inside the spec's 32-character alphanumeric rule."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjs_operators.domain.order_numbers import (
    MAX_ID,
    asset_id_from_order_no,
    invest_order_no,
    is_valid_number,
    liquidate_id_from_transfer_no,
    transfer_no,
)

SPEC_NUMBER = re.compile(r"[A-Za-z0-9]{1,32}")
ids = st.integers(min_value=1, max_value=MAX_ID)


def test_examples():
    assert invest_order_no(42) == "ZWI0000000000000042"
    assert transfer_no(7) == "ZWT0000000000000007"
    assert invest_order_no("42") == invest_order_no(42)  # ids read as text give the same number


@given(ids)
def test_within_spec_and_invertible(zw_id):
    for number, inverse in (
        (invest_order_no(zw_id), asset_id_from_order_no),
        (transfer_no(zw_id), liquidate_id_from_transfer_no),
    ):
        assert SPEC_NUMBER.fullmatch(number) and len(number) <= 32 and is_valid_number(number)
        assert inverse(number) == zw_id  # an exact inverse exists, so the mapping is injective


@given(ids, ids)
def test_injective_and_namespaces_apart(a, b):
    if a != b:
        assert invest_order_no(a) != invest_order_no(b)
        assert transfer_no(a) != transfer_no(b)
    assert invest_order_no(a) != transfer_no(b)


@given(ids, ids)
def test_order_follows_id_order(a, b):
    """Fixed width: HJS sorts maturity records by orderNo, which is then the order of asset ids."""
    assert (invest_order_no(a) < invest_order_no(b)) == (a < b)


@pytest.mark.parametrize("bad", [0, -1, MAX_ID + 1, "", "12a", "١٢", " 12", 1.0, True, None])
def test_bad_ids_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        invest_order_no(bad)
    with pytest.raises((ValueError, TypeError)):
        transfer_no(bad)


@pytest.mark.parametrize("bad", ["ZWT0000000000000042", "ZWI42", "ZWI00000000000000042", "XYZ0000000000000042"])
def test_inverse_refuses_numbers_zw_did_not_make(bad):
    with pytest.raises(ValueError):
        asset_id_from_order_no(bad)
