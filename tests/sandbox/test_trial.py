"""maturity.trial: paging, totals, order, and HJS's truncated interest."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.sandbox.builders import PRODUCT_CODE, product
from tests.sandbox.wire import call

pytestmark = pytest.mark.sandbox


def seed(handle, count: int, *, code: str = PRODUCT_CODE, shares: int = 1) -> list[str]:
    order_nos = [f"ZW{i:05d}" for i in range(count)]
    handle.admin.load_subscriptions(
        {"orderNo": o, "productCode": code, "assetId": f"A{i}", "userId": "U", "shares": shares}
        for i, o in enumerate(order_nos)
    )
    return order_nos


def trial(handle, page_no: int, page_size: int = 50, code: str = PRODUCT_CODE):
    return call(handle, "maturity.trial", {"productCode": code, "pageNo": page_no, "pageSize": page_size})


def test_pages_cover_every_record_once_in_order(sandbox):
    sandbox.admin.upsert_products([product()])
    order_nos = seed(sandbox, 123)
    seen = []
    for page_no in (1, 2, 3):
        answer = trial(sandbox, page_no)
        assert answer.code == "0000"
        page = answer.payload
        assert (page["productCode"], page["maturityDate"], page["total"]) == (PRODUCT_CODE, "2027-01-05", 123)
        assert (page["pageNo"], page["pageSize"]) == (page_no, 50)
        seen += [r["orderNo"] for r in page["records"]]
    assert seen == sorted(order_nos) and len(set(seen)) == 123
    assert trial(sandbox, 4).payload["records"] == []


def test_records_sorted_by_order_number_in_byte_order(sandbox):
    sandbox.admin.upsert_products([product()])
    sandbox.admin.load_subscriptions(
        {"orderNo": o, "productCode": PRODUCT_CODE, "assetId": o, "userId": "U", "shares": 1}
        for o in ["b1", "B2", "a10", "a9", "A1"]
    )
    assert [r["orderNo"] for r in trial(sandbox, 1).payload["records"]] == ["A1", "B2", "a10", "a9", "b1"]


def test_record_amounts_are_principal_plus_truncated_interest(sandbox):
    sandbox.admin.upsert_products([product()])  # 4.5% ACT/365 over 365 days: 225.00 per share, exact
    seed(sandbox, 1, shares=3)
    [record] = trial(sandbox, 1).payload["records"]
    assert record == {"orderNo": "ZW00000", "assetId": "A0", "holderAssetId": "A0",
                      "principal": "15000.00", "interest": "675.00", "amount": "15675.00"}


@pytest.mark.parametrize(
    ("day_count", "days", "hjs_interest", "zw_interest"),
    [
        # 5000.00 x 0.045 x 90 / 365 = 55.479452...: HJS truncates to 55.47, half-up gives 55.48
        ("ACT/365", 90, "55.47", "55.48"),
        # 5000.00 x 0.045 x 91 / 360 = 56.875: exactly half a fen, the classic case
        ("ACT/360", 91, "56.87", "56.88"),
    ],
)
def test_truncation_differs_from_half_up_by_one_fen(sandbox, day_count, days, hjs_interest, zw_interest):
    value_date = "2026-01-01"
    maturity = {90: "2026-04-01", 91: "2026-04-02"}[days]
    sandbox.admin.upsert_products([product(dayCount=day_count, valueDate=value_date, maturityDate=maturity)])
    seed(sandbox, 1)
    [record] = trial(sandbox, 1).payload["records"]
    exact = Decimal("5000.00") * Decimal("0.0450") * days / (365 if day_count == "ACT/365" else 360)
    assert exact.quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal(zw_interest)
    assert record["interest"] == hjs_interest
    assert Decimal(record["amount"]) == Decimal("5000.00") + Decimal(hjs_interest)


@pytest.mark.parametrize("page_size", [51, 0, 1000])
def test_page_size_outside_1_to_50_is_refused(sandbox, page_size):
    sandbox.admin.upsert_products([product()])
    assert trial(sandbox, 1, page_size).code == "1005"


def test_page_size_limits_are_inclusive(sandbox):
    sandbox.admin.upsert_products([product()])
    seed(sandbox, 60)
    assert len(trial(sandbox, 1, 50).payload["records"]) == 50
    assert len(trial(sandbox, 1, 1).payload["records"]) == 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"productCode": PRODUCT_CODE, "pageNo": 0, "pageSize": 10}, "1004"),
        ({"productCode": PRODUCT_CODE, "pageNo": "1", "pageSize": 10}, "1004"),
        ({"productCode": PRODUCT_CODE, "pageNo": 1}, "1004"),
        ({"productCode": "NOPE", "pageNo": 1, "pageSize": 10}, "1001"),
    ],
)
def test_trial_refusals(sandbox, payload, code):
    sandbox.admin.upsert_products([product()])
    assert call(sandbox, "maturity.trial", payload).code == code


def test_empty_product_has_total_zero(sandbox):
    sandbox.admin.upsert_products([product()])
    assert trial(sandbox, 1).payload["total"] == 0
