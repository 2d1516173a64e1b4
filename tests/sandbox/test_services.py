"""Each service of docs/hjs-protocol.md section 5 over real HTTP: answers, refusals, idempotency."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.sandbox.builders import PRODUCT_CODE, invest, product, transfer
from tests.sandbox.wire import call, resign

pytestmark = pytest.mark.sandbox


@pytest.fixture
def hjs(sandbox):
    sandbox.admin.upsert_products([product()])
    return sandbox


def test_ping_answers_merchant_and_time(sandbox):
    answer = call(sandbox, "system.ping", {})
    assert (answer.status, answer.code) == (200, "0000")
    assert answer.payload["merchantId"] == "ZWTEST01"
    assert datetime.fromisoformat(answer.payload["serverTime"]).utcoffset().total_seconds() == 8 * 3600


def test_ping_without_data_field(sandbox):
    def drop_data(request):
        return resign({k: v for k, v in request.items() if k != "data"}, sandbox.settings)

    assert call(sandbox, "system.ping", None, tamper=drop_data).code == "0000"


def test_product_query(hjs):
    answer = call(hjs, "product.query", {"productCode": PRODUCT_CODE})
    assert answer.code == "0000"
    assert answer.payload == {k: v for k, v in product().items()}


def test_product_query_unknown_product(hjs):
    answer = call(hjs, "product.query", {"productCode": "NOPE"})
    assert (answer.status, answer.code, answer.payload) == (200, "1001", {})


def test_invest_create_and_query(hjs):
    created = call(hjs, "invest.create", invest("ZW100", "100", shares=2))
    assert created.code == "0000"
    answer = created.payload
    assert answer["orderNo"] == "ZW100" and answer["assetId"] == "100" and answer["productCode"] == PRODUCT_CODE
    assert answer["shares"] == 2 and answer["amount"] == "10000.00" and answer["status"] == "SUCCESS"
    assert answer["hjsOrderId"] and datetime.fromisoformat(answer["acceptedAt"]).tzinfo is not None
    queried = call(hjs, "invest.query", {"orderNo": "ZW100"})
    assert (queried.code, queried.payload) == ("0000", answer)
    assert [s["orderNo"] for s in hjs.admin.subscriptions()] == ["ZW100"]


def test_invest_query_unknown_order(hjs):
    assert call(hjs, "invest.query", {"orderNo": "ZW404"}).code == "1002"


def test_invest_integer_ids_are_answered_as_text(hjs):
    answer = call(hjs, "invest.create", invest("ZW7", 7, user_id=42)).payload
    assert answer["assetId"] == "7"
    assert call(hjs, "invest.create", invest("ZW7", "7", user_id="42")).payload == answer  # same content


def test_invest_same_order_same_content_returns_original_answer(hjs):
    first = call(hjs, "invest.create", invest("ZW1", "1")).payload
    again = call(hjs, "invest.create", invest("ZW1", "1"))
    assert (again.code, again.payload) == ("0000", first)
    assert len(hjs.admin.subscriptions()) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"shares": 2, "amount": "10000.00"},
        {"assetId": "2"},
        {"userId": "U2"},
    ],
)
def test_invest_same_order_other_content_conflicts(hjs, change):
    first = call(hjs, "invest.create", invest("ZW1", "1")).payload
    answer = call(hjs, "invest.create", {**invest("ZW1", "1"), **change})
    assert (answer.status, answer.code) == (200, "1003")
    assert call(hjs, "invest.query", {"orderNo": "ZW1"}).payload == first
    assert [s["shares"] for s in hjs.admin.subscriptions()] == [1]


def test_invest_unknown_product(hjs):
    assert call(hjs, "invest.create", invest("ZW1", "1", product_code="NOPE")).code == "1001"
    assert hjs.admin.subscriptions() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "abc"}, "amount"),
        ({"amount": 5000}, "amount"),  # a JSON number: money is always a string
        ({"amount": "5000.0"}, "amount"),
        ({"amount": "5000.001"}, "amount"),
        ({"amount": "-5000.00"}, "amount"),
        ({"amount": "10000.00"}, "amount"),  # != shares x shareAmount
        ({"shares": 0}, "shares"),
        ({"shares": -1}, "shares"),
        ({"shares": 1.0}, "shares"),
        ({"shares": "1"}, "shares"),
        ({"shares": True}, "shares"),
        ({"orderNo": "ZW-1"}, "orderNo"),
        ({"orderNo": "Z" * 33}, "orderNo"),
        ({"orderNo": ""}, "orderNo"),
        ({"assetId": 1.5}, "assetId"),
        ({"assetId": None}, "assetId"),
        ({"userId": ""}, "userId"),
        ({"productCode": 7}, "productCode"),
    ],
)
def test_invest_malformed_fields_are_refused_naming_the_field(hjs, change, field):
    answer = call(hjs, "invest.create", {**invest("ZW1", "1"), **change})
    assert (answer.status, answer.code) == (200, "1004")
    assert field in answer.response.message
    assert hjs.admin.subscriptions() == []


@pytest.mark.parametrize("field", ["orderNo", "productCode", "assetId", "userId", "shares", "amount"])
def test_invest_missing_field(hjs, field):
    payload = invest("ZW1", "1")
    del payload[field]
    answer = call(hjs, "invest.create", payload)
    assert answer.code == "1004" and field in answer.response.message


def test_quota_is_the_product_share_count(hjs):
    assert call(hjs, "invest.create", invest("ZW1", "1", shares=150)).code == "0000"
    assert call(hjs, "invest.create", invest("ZW2", "2", shares=49)).code == "0000"
    over = call(hjs, "invest.create", invest("ZW3", "3", shares=2))
    assert over.code == "1009" and "1 share" in over.response.message
    assert call(hjs, "invest.create", invest("ZW3", "3", shares=1)).code == "0000"
    assert call(hjs, "invest.create", invest("ZW4", "4", shares=1)).code == "1009"
    assert sum(s["shares"] for s in hjs.admin.subscriptions()) == 200
    # a retry of an accepted order still gets its answer when the product is full
    assert call(hjs, "invest.create", invest("ZW1", "1", shares=150)).code == "0000"


def test_quota_holds_under_concurrent_orders(hjs):
    from concurrent.futures import ThreadPoolExecutor

    hjs.admin.upsert_products([product("SMALL", totalAmount="50000.00")])  # 10 shares
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda i: call(hjs, "invest.create", invest(f"C{i}", str(i), product_code="SMALL")).code,
                              range(16)))
    assert sorted(codes) == ["0000"] * 10 + ["1009"] * 6
    assert len(hjs.admin.subscriptions("SMALL")) == 10


@pytest.fixture
def held(hjs):
    assert call(hjs, "invest.create", invest("ZW1", "A")).code == "0000"
    return hjs


def test_transfer_chain_moves_the_holder(held):
    first = call(held, "transfer.register", transfer("T1", "ZW1", "A", "B"))
    assert first.code == "0000"
    assert first.payload == {"transferNo": "T1", "hjsTransferId": first.payload["hjsTransferId"], "orderNo": "ZW1",
                             "buyerAssetId": "B", "status": "SUCCESS", "acceptedAt": first.payload["acceptedAt"]}
    assert call(held, "transfer.register", transfer("T2", "ZW1", "B", "C")).code == "0000"
    [sub] = held.admin.subscriptions()
    assert (sub["assetId"], sub["holderAssetId"]) == ("A", "C")
    assert [(t["transferNo"], t["sellerAssetId"], t["buyerAssetId"]) for t in held.admin.transfers()] == [
        ("T1", "A", "B"), ("T2", "B", "C")]
    # the first transfer, retried after the chain moved on, still answers its original answer
    again = call(held, "transfer.register", transfer("T1", "ZW1", "A", "B"))
    assert (again.code, again.payload) == ("0000", first.payload)
    assert call(held, "transfer.query", {"transferNo": "T1"}).payload == first.payload
    trial = call(held, "maturity.trial", {"productCode": PRODUCT_CODE, "pageNo": 1, "pageSize": 10}).payload
    assert [(r["assetId"], r["holderAssetId"]) for r in trial["records"]] == [("A", "C")]


def test_transfer_from_a_former_holder_is_refused(held):
    assert call(held, "transfer.register", transfer("T1", "ZW1", "A", "B")).code == "0000"
    answer = call(held, "transfer.register", transfer("T2", "ZW1", "A", "C"))
    assert answer.code == "1010"
    assert [t["transferNo"] for t in held.admin.transfers()] == ["T1"]
    assert held.admin.subscriptions()[0]["holderAssetId"] == "B"


def test_transfer_same_number_other_content_conflicts(held):
    assert call(held, "transfer.register", transfer("T1", "ZW1", "A", "B")).code == "0000"
    assert call(held, "transfer.register", transfer("T1", "ZW1", "A", "B", price="6000.00")).code == "1008"
    assert call(held, "transfer.register", transfer("T1", "ZW1", "A", "X")).code == "1008"
    assert held.admin.subscriptions()[0]["holderAssetId"] == "B"


def test_transfer_unknown_order_and_product(held):
    assert call(held, "transfer.register", transfer("T1", "ZW404", "A", "B")).code == "1002"
    assert call(held, "transfer.register", transfer("T1", "ZW1", "A", "B", product_code="NOPE")).code == "1001"
    assert call(held, "transfer.query", {"transferNo": "T1"}).code == "1007"
    assert held.admin.transfers() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [({"price": "abc"}, "price"), ({"fee": 1}, "fee"), ({"fee": "6000.00"}, "fee"),
     ({"buyerAssetId": "A"}, "buyerAssetId"), ({"transferNo": "T 1"}, "transferNo")],
)
def test_transfer_malformed_fields(held, change, field):
    answer = call(held, "transfer.register", {**transfer("T1", "ZW1", "A", "B"), **change})
    assert answer.code == "1004" and field in answer.response.message
    assert held.admin.transfers() == []


def test_close_transfer_is_idempotent_and_blocks_transfers(held):
    closed = call(held, "product.closeTransfer", {"productCode": PRODUCT_CODE})
    assert closed.code == "0000"
    assert closed.payload["productCode"] == PRODUCT_CODE and closed.payload["transferOpen"] is False
    again = call(held, "product.closeTransfer", {"productCode": PRODUCT_CODE})
    assert again.payload["closedAt"] == closed.payload["closedAt"]
    assert call(held, "product.query", {"productCode": PRODUCT_CODE}).payload["transferOpen"] is False
    assert call(held, "transfer.register", transfer("T1", "ZW1", "A", "B")).code == "1006"
    assert held.admin.transfers() == []
    assert call(held, "product.closeTransfer", {"productCode": "NOPE"}).code == "1001"


def test_transfer_registered_before_close_still_answers_after(held):
    first = call(held, "transfer.register", transfer("T1", "ZW1", "A", "B")).payload
    call(held, "product.closeTransfer", {"productCode": PRODUCT_CODE})
    assert call(held, "transfer.register", transfer("T1", "ZW1", "A", "B")).payload == first


def test_extra_payload_fields_are_ignored(hjs):
    assert call(hjs, "invest.create", {**invest("ZW1", "1"), "remark": "x"}).code == "0000"
