"""The maturity pager's consistency checks, with pages built in memory.

Over-HTTP versions of the drift, oversize and bad-amount cases are in test_client_sandbox.py; the
repeat and ordering cases need answers the sandbox cannot be made to give, so they are here.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest

from hjs_operators.client import pager
from hjs_operators.client.results import MaturityPage, MaturityRecord
from hjs_operators.domain.order_numbers import invest_order_no
from hjs_operators.protocol.errors import HjsProtocolError

MATURITY = date(2026, 12, 31)


def record(n: int) -> MaturityRecord:
    return MaturityRecord(invest_order_no(n), str(n), str(n), Decimal("5000.00"), Decimal("55.47"), Decimal("5055.47"))


def source(total: int, *, tamper=None):
    """fetch(product, page_no, size) over `total` records; tamper(page_no, records, total) may change a page."""
    calls = []

    def fetch(product_code: str, page_no: int, page_size: int) -> MaturityPage:
        calls.append(page_no)
        start = (page_no - 1) * page_size
        records = [record(n) for n in range(start + 1, min(total, start + page_size) + 1)]
        page_total, maturity = total, MATURITY
        if tamper:
            records, page_total, maturity = tamper(page_no, records, page_total, maturity)
        return MaturityPage(product_code, maturity, page_total, page_no, page_size, tuple(records))

    return fetch, calls


def test_reads_until_total(caplog):
    fetch, calls = source(137)
    with caplog.at_level(logging.INFO, logger="hjs_operators.client.pager"):
        trial = pager.collect(fetch, "P1")
    assert calls == [1, 2, 3] and trial.pages == 3 and trial.total == 137
    assert [r.order_no for r in trial.records] == [invest_order_no(n) for n in range(1, 138)]
    assert [m.getMessage() for m in caplog.records] == [
        "product P1: page 1/3 (50/137 records)",
        "product P1: page 2/3 (100/137 records)",
        "product P1: page 3/3 (137/137 records)",
    ]


def test_exact_multiple_and_empty_product():
    fetch, calls = source(100)
    assert pager.collect(fetch, "P1").total == 100 and calls == [1, 2]
    fetch, calls = source(0)
    trial = pager.collect(fetch, "P1")
    assert trial.records == () and calls == [1]


def test_smaller_page_size():
    fetch, calls = source(7)
    assert len(pager.collect(fetch, "P1", page_size=3).records) == 7 and calls == [1, 2, 3]


@pytest.mark.parametrize("size", [0, 51])
def test_page_size_outside_hjs_cap_refused_before_sending(size):
    fetch, calls = source(10)
    with pytest.raises(ValueError):
        pager.collect(fetch, "P1", page_size=size)
    assert calls == []


def fails(tamper, total=137, match=""):
    fetch, _ = source(total, tamper=tamper)
    with pytest.raises(HjsProtocolError, match=match) as info:
        pager.collect(fetch, "P1")
    assert info.value.service == "maturity.trial"
    return str(info.value)


def test_total_drift():
    message = fails(lambda p, r, t, m: (r, t + 1 if p == 2 else t, m), match="total changed from 137 to 138")
    assert message.startswith("maturity.trial: product P1 page 2:")


def test_oversize_page():
    message = fails(
        lambda p, r, t, m: (r + [record(999)] if p == 1 else r, t, m), match="51 records on a page of at most 50"
    )
    assert "product P1 page 1" in message


def test_short_page():
    fails(lambda p, r, t, m: (r[:-1] if p == 2 else r, t, m), match="page 2: 49 records where 50 were due")


def test_empty_page_before_total_does_not_loop():
    fails(lambda p, r, t, m: ([] if p == 3 else r, t, m), match="page 3: 0 records where 37 were due")


def test_repeated_order_no_across_pages():
    message = fails(lambda p, r, t, m: ([record(50)] + r[1:] if p == 2 else r, t, m), match="repeats")
    assert f"page 2: orderNo {invest_order_no(50)} repeats" in message


def test_repeated_order_no_within_a_page():
    fails(lambda p, r, t, m: ([r[0], r[0]] + r[2:] if p == 1 else r, t, m), match=f"{invest_order_no(1)} repeats")


def test_out_of_order():
    fails(lambda p, r, t, m: (list(reversed(r)) if p == 1 else r, t, m), match="out of order")


def test_maturity_date_change():
    fails(lambda p, r, t, m: (r, t, date(2027, 1, 1) if p == 3 else m), match="page 3: maturityDate changed")
