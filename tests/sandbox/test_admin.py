"""Admin endpoints: products, bulk subscriptions, reset, inspection."""

from __future__ import annotations

import pytest

from sandbox.admin_client import SandboxAdminError
from tests.sandbox.builders import PRODUCT_CODE, invest, product
from tests.sandbox.wire import call

pytestmark = pytest.mark.sandbox


def rows(n: int, *, start: int = 0, shares: int = 1, code: str = PRODUCT_CODE) -> list[dict]:
    return [{"orderNo": f"ZW{i:06d}", "productCode": code, "assetId": str(i), "userId": f"U{i % 7}", "shares": shares}
            for i in range(start, start + n)]


def test_products_upsert_and_list(sandbox):
    assert sandbox.admin.upsert_products([product(), product("P2", channel=2, transferOpen=False)]) == 2
    listed = {p["productCode"]: p for p in sandbox.admin.products()}
    assert listed["P2"]["channel"] == "2" and listed["P2"]["transferOpen"] is False and listed["P2"]["closedAt"]
    assert listed[PRODUCT_CODE]["closedAt"] is None and listed[PRODUCT_CODE]["sharesSubscribed"] == 0
    sandbox.admin.upsert_products([product(productName="renamed")])
    assert call(sandbox, "product.query", {"productCode": PRODUCT_CODE}).payload["productName"] == "renamed"


@pytest.mark.parametrize(
    "change",
    [{"totalAmount": "1000000.5"}, {"totalAmount": "1002500.00"}, {"annualRate": 0.045}, {"dayCount": "30/360"},
     {"maturityDate": "2026-01-05"}, {"valueDate": "2026-13-01"}, {"transferOpen": "yes"}, {"productCode": ""}],
)
def test_bad_products_are_refused(sandbox, change):
    with pytest.raises(SandboxAdminError) as error:
        sandbox.admin.upsert_products([product(**change)])
    assert error.value.status == 422
    assert sandbox.admin.products() == []


def test_share_amount_cannot_change_under_subscriptions(sandbox):
    sandbox.admin.upsert_products([product()])
    sandbox.admin.load_subscriptions(rows(1))
    with pytest.raises(SandboxAdminError) as error:
        sandbox.admin.upsert_products([product(shareAmount="1000.00")])
    assert error.value.status == 409


def test_bulk_load_is_idempotent_and_visible_to_the_protocol(sandbox):
    sandbox.admin.upsert_products([product()])
    assert sandbox.admin.load_subscriptions(rows(150)) == {"received": 150, "inserted": 150, "unchanged": 0}
    assert sandbox.admin.load_subscriptions(rows(160)) == {"received": 160, "inserted": 10, "unchanged": 150}
    subs = sandbox.admin.subscriptions(PRODUCT_CODE)
    assert len(subs) == 160 and len({s["hjsOrderId"] for s in subs}) == 160
    assert len({s["assetId"] for s in subs}) == 160  # exactly one subscription per asset
    assert subs[0]["amount"] == "5000.00" and subs[0]["holderAssetId"] == subs[0]["assetId"]
    # an invest.create retry of a seeded order is answered as the original
    seeded = call(sandbox, "invest.create", invest("ZW000003", "3", user_id="U3"))
    assert seeded.code == "0000" and seeded.payload["hjsOrderId"] == subs[3]["hjsOrderId"]
    # and the quota counts seeded shares
    assert call(sandbox, "invest.create", invest("NEW1", "new", shares=41)).code == "1009"


def test_bulk_load_conflict_writes_nothing(sandbox):
    sandbox.admin.upsert_products([product()])
    sandbox.admin.load_subscriptions(rows(5))
    changed = rows(8)
    changed[2]["userId"] = "someone else"
    with pytest.raises(SandboxAdminError) as error:
        sandbox.admin.load_subscriptions(changed)
    assert error.value.status == 409 and error.value.detail["orderNos"] == ["ZW000002"]
    assert len(sandbox.admin.subscriptions()) == 5


@pytest.mark.parametrize(
    ("bad", "status"),
    [({"shares": 0}, 422), ({"productCode": "NOPE"}, 422), ({"amount": "1.00"}, 422), ({"orderNo": "a-b"}, 422)],
)
def test_bulk_load_validates_rows(sandbox, bad, status):
    sandbox.admin.upsert_products([product()])
    batch = rows(3)
    batch[1].update(bad)
    with pytest.raises(SandboxAdminError) as error:
        sandbox.admin.load_subscriptions(batch)
    assert error.value.status == status and "subscriptions[1]" in error.value.detail["detail"]
    assert sandbox.admin.subscriptions() == []


def test_bulk_load_respects_quota(sandbox):
    sandbox.admin.upsert_products([product()])
    with pytest.raises(SandboxAdminError) as error:
        sandbox.admin.load_subscriptions(rows(201))
    assert error.value.status == 422 and "quota" in error.value.detail["detail"]


def test_bulk_load_of_many_rows(sandbox):
    # 500 products x 40 subscriptions; the 100k-row case is measured by hand (README), not timed here.
    sandbox.admin.upsert_products([product(f"P{n:03d}") for n in range(500)])
    batch = [{"orderNo": f"O{p:03d}x{i:02d}", "productCode": f"P{p:03d}", "assetId": f"{p}-{i}", "userId": "U",
              "shares": 5, "holderAssetId": f"h{p}-{i}"} for p in range(500) for i in range(40)]
    assert sandbox.admin.load_subscriptions(batch, chunk_size=10_000)["inserted"] == 20_000
    assert len(sandbox.admin.subscriptions("P007")) == 40
    page = call(sandbox, "maturity.trial", {"productCode": "P007", "pageNo": 1, "pageSize": 50}).payload
    assert page["total"] == 40 and page["records"][0]["holderAssetId"] == "h7-0"


def test_reset_clears_everything(sandbox):
    sandbox.admin.upsert_products([product()])
    sandbox.admin.load_subscriptions(rows(3))
    sandbox.admin.set_faults(latency_ms=10)
    sandbox.admin.reset()
    assert sandbox.admin.products() == [] and sandbox.admin.subscriptions() == [] and sandbox.admin.transfers() == []
    assert sandbox.admin.faults()["latency_ms"] == 0
    sandbox.admin.upsert_products([product()])
    assert call(sandbox, "invest.create", invest("ZW1", "1")).payload["hjsOrderId"] == "HJSO000000000001"


def test_admin_rejects_non_json(sandbox):
    import requests

    http = requests.post(f"{sandbox.base_url}/admin/products", data=b"nope", timeout=5)
    assert http.status_code == 422
