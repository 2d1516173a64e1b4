"""The soak's verdicts: nothing twice, nothing lost, on HJS's side (the sandbox's own records, read
through its admin API) and on zw's (statuses, invest records, liquidations, registrations, audit rows).

Duplicates are looked for where a unique key would not already forbid them: at HJS per asset and per
seller (a second order or transfer number for the same thing), and in zw's audit trail (one booking per
asset or liquidation). Every check names what it found, so a failing seed says which asset or transfer.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hjs_operators.domain.order_numbers import invest_order_no, transfer_no
from hjs_operators.secondary_market.holders import current_holders

BOOKED = ("SUCCESS", "ALREADY_AT_HJS")


def rows(conn, query: str, params: tuple = ()) -> list[tuple]:
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute(query, params)
        result = cur.fetchall()
    conn.commit()
    return result


def booked_counts(conn, kind: str) -> Counter[int]:
    """subject id -> how many SUCCESS / ALREADY_AT_HJS audit rows it has."""
    return Counter(dict(rows(conn, "SELECT subject_id, count(*) FROM hjs_sync_attempt WHERE kind = %s "
                                   "AND outcome IN ('SUCCESS', 'ALREADY_AT_HJS') GROUP BY subject_id", (kind,))))


def outcome_counts(conn, kind: str) -> Counter[str]:
    return Counter(dict(rows(conn, "SELECT outcome, count(*) FROM hjs_sync_attempt WHERE kind = %s GROUP BY outcome",
                             (kind,))))


def duplicated(counts: Counter) -> dict:
    return {key: n for key, n in counts.items() if n > 1}


# -- invest sync -------------------------------------------------------------------------------------------

def check_invest(conn, sandbox, asset_ids: list[int]) -> None:
    """Each asset subscribed exactly once at HJS and booked exactly once in zw, and nothing else."""
    expected = set(asset_ids)
    assets = {asset_id: (status, product_code, user_id, shares, amount) for asset_id, status, product_code, user_id,
              shares, amount in rows(conn, "SELECT a.id, a.status, p.product_code, a.user_id, a.shares, "
                                           "a.create_amount FROM asset a JOIN hjs_product p ON p.id = a.product_id")}
    assert set(assets) == expected, "the soak's zw database holds other assets than it made"

    # HJS: one subscription per asset, under the asset's own order number, with zw's content
    at_hjs = sandbox.admin.subscriptions()
    per_asset = Counter(s["assetId"] for s in at_hjs)
    assert not duplicated(per_asset), f"assets subscribed more than once at HJS: {duplicated(per_asset)}"
    per_order = Counter(s["orderNo"] for s in at_hjs)
    assert not duplicated(per_order), f"order numbers held twice at HJS: {duplicated(per_order)}"
    lost_at_hjs = sorted(a for a in expected if str(a) not in per_asset)
    assert not lost_at_hjs, f"assets never subscribed at HJS: {lost_at_hjs}"
    unknown = sorted(s["assetId"] for s in at_hjs if not s["assetId"].isdigit() or int(s["assetId"]) not in expected)
    assert not unknown, f"HJS holds subscriptions zw never made: {unknown}"
    for s in at_hjs:
        asset_id = int(s["assetId"])
        _, product_code, user_id, shares, amount = assets[asset_id]
        assert (s["orderNo"], s["productCode"], s["userId"], s["shares"], Decimal(s["amount"])) == (
            invest_order_no(asset_id), product_code, str(user_id), shares, amount), f"asset {asset_id} at HJS: {s}"
        assert s["holderAssetId"] == s["assetId"], f"asset {asset_id}: HJS moved a holding nobody sold: {s}"

    # zw: every asset INVEST_SUCCESS, one invest record naming HJS's order, one booking in the audit
    not_subscribed = sorted(a for a in expected if assets[a][0] != "INVEST_SUCCESS")
    assert not not_subscribed, f"assets not INVEST_SUCCESS in zw: {not_subscribed}"
    records = rows(conn, "SELECT asset_id, order_no, hjs_order_id, amount FROM invest_record")
    per_record = Counter(asset_id for asset_id, *_ in records)
    assert not duplicated(per_record), f"assets with several invest records: {duplicated(per_record)}"
    assert set(per_record) == expected, f"invest records missing for {sorted(expected - set(per_record))}"
    hjs_ids = {int(s["assetId"]): s["hjsOrderId"] for s in at_hjs}
    for asset_id, order_no, hjs_order_id, amount in records:
        wanted = (invest_order_no(asset_id), hjs_ids[asset_id], assets[asset_id][4])
        assert (order_no, hjs_order_id, amount) == wanted, (
            f"asset {asset_id}: zw booked {order_no}/{hjs_order_id}/{amount}, HJS has {hjs_ids[asset_id]}")
    bookings = booked_counts(conn, "INVEST")
    assert not duplicated(bookings), f"assets booked more than once: {duplicated(bookings)}"
    assert set(bookings) == expected, f"assets without a booking audit row: {sorted(expected - set(bookings))}"

    # the package's quota at HJS counts each asset once
    shares_by_code: Counter[str] = Counter()
    for _, product_code, _, shares, _ in assets.values():
        shares_by_code[product_code] += shares
    at_hjs_products = {p["productCode"]: p["sharesSubscribed"] for p in sandbox.admin.products()}
    assert {code: at_hjs_products.get(code) for code in shares_by_code} == dict(shares_by_code)


# -- transfer registration ---------------------------------------------------------------------------------

def check_transfers(conn, sandbox, product_code: str, liquidations_before: list[tuple]) -> None:
    """Every liquidation registered exactly once at HJS and recorded exactly once in zw; HJS's holders
    are zw's; the liquidations themselves untouched by registering them."""
    liquidations = rows(conn, "SELECT * FROM liquidate_asset ORDER BY id")
    assert liquidations == liquidations_before, "registering changed zw's liquidate_asset rows"
    numbers = {transfer_no(row[0]): row[0] for row in liquidations}
    sale = {liquidate_id: (seller, buyer, price, fee) for liquidate_id, seller, buyer, price, fee in rows(
        conn, "SELECT id, seller_asset_id, buyer_asset_id, price, fee FROM liquidate_asset")}
    roots = {h.holder_asset_id: h for h in current_holders(conn, registered_only=False)}
    root_of: dict[int, str] = {}  # seller asset -> order number of the subscription it sold
    chain = {buyer: seller for seller, buyer, _, _ in sale.values()}
    for seller, _, _, _ in sale.values():
        asset = seller
        while asset in chain:
            asset = chain[asset]
        root_of[seller] = invest_order_no(asset)

    # HJS: one transfer per liquidation, under its own number, with zw's content; no other transfer
    at_hjs = sandbox.admin.transfers(product_code)
    per_number = Counter(t["transferNo"] for t in at_hjs)
    assert not duplicated(per_number), f"transfer numbers held twice at HJS: {duplicated(per_number)}"
    per_seller = Counter((t["orderNo"], t["sellerAssetId"]) for t in at_hjs)
    assert not duplicated(per_seller), f"holdings transferred more than once by one seller: {duplicated(per_seller)}"
    lost_at_hjs = sorted(set(numbers) - set(per_number))
    assert not lost_at_hjs, f"transfers never registered at HJS: {lost_at_hjs}"
    unknown = sorted(set(per_number) - set(numbers))
    assert not unknown, f"HJS holds transfers zw never made: {unknown}"
    for t in at_hjs:
        liquidate_id = numbers[t["transferNo"]]
        seller, buyer, price, fee = sale[liquidate_id]
        assert (t["productCode"], t["orderNo"], t["sellerAssetId"], t["buyerAssetId"], Decimal(t["price"]),
                Decimal(t["fee"])) == (product_code, root_of[seller], str(seller), str(buyer), price, fee), (
            f"liquidation {liquidate_id} at HJS: {t}")

    # HJS's holder of each subscription is the asset zw pays at maturity
    zw_holders = {h.order_no: str(h.holder_asset_id) for h in roots.values()}
    hjs_holders = {s["orderNo"]: s["holderAssetId"] for s in sandbox.admin.subscriptions(product_code)}
    assert hjs_holders == zw_holders, "HJS and zw disagree on who holds a subscription: " + str(
        {o: (hjs_holders.get(o), zw_holders.get(o)) for o in set(hjs_holders) | set(zw_holders)
         if hjs_holders.get(o) != zw_holders.get(o)})

    # zw: one registration per liquidation naming HJS's transfer, one booking in the audit, nothing refused
    registered = rows(conn, "SELECT liquidate_id, transfer_no, hjs_transfer_id FROM transfer_registration")
    missing = sorted(set(sale) - {liquidate_id for liquidate_id, *_ in registered})
    assert not missing, f"liquidations without a registration in zw: {missing}"
    hjs_ids = {t["transferNo"]: t["hjsTransferId"] for t in at_hjs}
    for liquidate_id, number, hjs_transfer_id in registered:
        assert (number, hjs_transfer_id) == (transfer_no(liquidate_id), hjs_ids.get(number)), (
            f"liquidation {liquidate_id}: zw recorded {number}/{hjs_transfer_id}, HJS has {hjs_ids.get(number)}")
    bookings = booked_counts(conn, "TRANSFER")
    assert not duplicated(bookings), f"liquidations booked more than once: {duplicated(bookings)}"
    assert set(bookings) == set(sale), f"liquidations without a booking audit row: {sorted(set(sale) - set(bookings))}"
    refused = rows(conn, "SELECT subject_id, reason_code, reason FROM hjs_sync_attempt WHERE kind = 'TRANSFER' "
                         "AND outcome = 'BUSINESS_FAILURE'")
    assert not refused, f"transfers refused (set aside, so lost) although every one was valid: {refused}"
    registered_view = {h.order_no: h.holder_asset_id for h in current_holders(conn, registered_only=True)}
    assert registered_view == {h.order_no: h.holder_asset_id for h in roots.values()}

    # statuses: every seller LIQUIDATED, every current holder INVEST_SUCCESS
    statuses = dict(rows(conn, "SELECT id, status FROM asset"))
    assert {statuses[seller] for seller, *_ in sale.values()} == {"LIQUIDATED"}
    assert {statuses[holder] for holder in roots} == {"INVEST_SUCCESS"}
