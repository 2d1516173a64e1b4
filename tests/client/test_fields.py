"""Strict parsing of HJS payload fields and of the money we send."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from hjs_operators.client.fields import FieldReader, format_money
from hjs_operators.protocol.errors import HjsProtocolError


def reader(**data):
    return FieldReader(data, service="maturity.trial", where="product P1 page 2 record ZWI1")


@pytest.mark.parametrize(("text", "value"), [("5000.00", Decimal("5000.00")), ("0.01", Decimal("0.01")), ("0.00", 0)])
def test_money_exact(text, value):
    parsed = reader(amount=text).money("amount")
    assert parsed == value and isinstance(parsed, Decimal) and parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "bad",
    [
        "5000",
        "5000.0",
        "5000.000",
        "5e3",
        "-1.00",
        "+1.00",
        " 1.00",
        "1,000.00",
        "N/A",
        "05.00",
        "１.００",
        5000.0,
        5000,
        True,
        [],
        None,
    ],
)
def test_money_refuses_anything_else(bad):
    with pytest.raises(HjsProtocolError) as info:
        reader(amount=bad).money("amount")
    message = str(info.value)
    assert message.startswith("maturity.trial: product P1 page 2 record ZWI1 field 'amount'")
    assert info.value.service == "maturity.trial"


def test_missing_field_named():
    with pytest.raises(HjsProtocolError, match="field 'interest' is missing"):
        reader().money("interest")


def test_other_types():
    r = reader(n=3, b=False, d="2026-12-31", t="2026-11-24T10:00:00.123+08:00", i=17, s="x", rate="0.0450")
    assert r.integer("n") == 3 and r.boolean("b") is False and r.day("d") == date(2026, 12, 31)
    assert r.instant("t").utcoffset() == timedelta(hours=8)
    assert r.identifier("i") == "17" and r.identifier("s") == "x" and r.rate("rate") == Decimal("0.0450")
    for name, method in (("n", "boolean"), ("b", "integer"), ("i", "text"), ("d", "instant")):
        with pytest.raises(HjsProtocolError):
            getattr(r, method)(name)
    with pytest.raises(HjsProtocolError, match="no UTC offset"):
        reader(t="2026-11-24T10:00:00").instant("t")
    with pytest.raises(HjsProtocolError, match="valid calendar date"):
        reader(d="2026-02-30").day("d")


def test_record_that_is_not_an_object():
    with pytest.raises(HjsProtocolError, match="is an array, not a JSON object"):
        FieldReader([], service="maturity.trial", where="record #3")


@pytest.mark.parametrize(("value", "text"), [(Decimal("5000"), "5000.00"), (Decimal("0.5"), "0.50"), (12, "12.00")])
def test_format_money(value, text):
    assert format_money(value, "amount") == text


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (5000.0, TypeError),
        (True, TypeError),
        ("5000.00", TypeError),
        (Decimal("0.001"), ValueError),
        (Decimal("-1"), ValueError),
        (Decimal("NaN"), ValueError),
        (Decimal("Infinity"), ValueError),
    ],
)
def test_format_money_refuses(value, error):
    with pytest.raises(error):
        format_money(value, "amount")
