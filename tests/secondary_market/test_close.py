"""The T-3 close step: register what is pending exactly once, close at HJS, close zw, refuse later transfers.

Real PostgreSQL (a fresh zw per test) and the HJS sandbox over HTTP.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hjs_operators.client import TransferCommand
from hjs_operators.domain.order_numbers import invest_order_no, transfer_no
from hjs_operators.secondary_market.close import CloseIncompleteError, close_product_transfers
from hjs_operators.secondary_market.rules import TransferRefused
from tests.secondary_market.helpers import hjs_transfers_by_number, holders_at_hjs, rows, zw_state

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox]


def test_close_registers_pending_transfers_then_closes_both_sides(market, hjs, sandbox, zw_conn):
    m = market(4)
    a, other, untouched, _ = m.assets
    ab = m.sell(a, buyer_user=11)
    bc = m.sell(ab.buyer_asset_id, buyer_user=12)  # A -> B -> C: registered in chain order
    single = m.sell(other, buyer_user=13)

    result = close_product_transfers(zw_conn, hjs, m.product_id, run_id="t3-test")

    assert result.product_code == m.product_code
    assert sorted(result.registered_now) == sorted([ab.liquidate_id, bc.liquidate_id, single.liquidate_id])
    assert result.already_registered == () and result.refused == () and result.closed_now
    # HJS: each transfer exactly once, the holding of A's subscription now with C
    at_hjs = hjs_transfers_by_number(sandbox)
    assert {number: len(items) for number, items in at_hjs.items()} == {
        transfer_no(t.liquidate_id): 1 for t in (ab, bc, single)}
    assert [t["transferNo"] for t in sandbox.admin.transfers()].index(transfer_no(ab.liquidate_id)) < \
        [t["transferNo"] for t in sandbox.admin.transfers()].index(transfer_no(bc.liquidate_id))
    holders = holders_at_hjs(sandbox, m.product_code)
    assert holders[invest_order_no(a)] == str(bc.buyer_asset_id)
    assert holders[invest_order_no(other)] == str(single.buyer_asset_id)
    assert holders[invest_order_no(untouched)] == str(untouched)
    product_at_hjs = next(p for p in sandbox.admin.products() if p["productCode"] == m.product_code)
    assert product_at_hjs["transferOpen"] is False
    # zw: one registration each, the product closed with its moment
    registered = rows(zw_conn, "SELECT liquidate_id, transfer_no FROM transfer_registration ORDER BY 1")
    assert registered == sorted((t.liquidate_id, transfer_no(t.liquidate_id)) for t in (ab, bc, single))
    assert rows(zw_conn, "SELECT transfer_open, transfer_closed_at FROM hjs_product WHERE id = %s",
                (m.product_id,)) == [(False, result.closed_at)]
    assert rows(zw_conn, "SELECT outcome FROM hjs_sync_attempt WHERE kind = 'CLOSE_TRANSFER'") == [("SUCCESS",)]

    # a later transfer of that product is refused with a clear reason, and nothing changes
    before = zw_state(zw_conn)
    with pytest.raises(TransferRefused, match=rf"product {m.product_code} is closed for transfers"):
        m.sell(untouched, buyer_user=14)
    assert zw_state(zw_conn) == before


def test_calling_close_twice_changes_nothing_the_second_time(market, hjs, sandbox, zw_conn):
    m = market(3)
    first_transfer = m.sell(m.assets[0], buyer_user=21)
    first = close_product_transfers(zw_conn, hjs, m.product_id, run_id="run-1")
    zw_before, hjs_before = zw_state(zw_conn), (sandbox.admin.transfers(), sandbox.admin.products())

    second = close_product_transfers(zw_conn, hjs, m.product_id, run_id="run-2")

    assert zw_state(zw_conn) == zw_before
    assert (sandbox.admin.transfers(), sandbox.admin.products()) == hjs_before
    assert second.registered_now == () and second.already_registered == (first_transfer.liquidate_id,)
    assert second.closed_at == first.closed_at and second.hjs_closed_at == first.hjs_closed_at
    assert not second.closed_now


def test_a_refused_transfer_is_reported_and_the_product_still_closes(market, hjs, sandbox, zw_conn):
    """HJS refuses A -> B (at HJS someone else holds A's subscription): the product must still close
    (maturity is coming); the refusal is recorded with HJS's reason, B -> C cannot go either."""
    m = market(3)
    a, good = m.assets[0], m.assets[1]
    ab = m.sell(a, buyer_user=31)
    bc = m.sell(ab.buyer_asset_id, buyer_user=32)
    fine = m.sell(good, buyer_user=33)
    # at HJS, A's holding moved elsewhere by a transfer zw knows nothing about
    hjs.register_transfer(TransferCommand(
        transfer_no="FOREIGN1", product_code=m.product_code, order_no=invest_order_no(a), seller_asset_id=str(a),
        buyer_asset_id="999999", price=Decimal("1.00"), fee=Decimal("0.00")))

    result = close_product_transfers(zw_conn, hjs, m.product_id, run_id="t3-refused")

    assert result.registered_now == (fine.liquidate_id,)
    refused = {r.liquidate_id: r for r in result.refused}
    assert set(refused) == {ab.liquidate_id, bc.liquidate_id}
    assert refused[ab.liquidate_id].code == "1010" and "holder" in refused[ab.liquidate_id].reason
    assert refused[bc.liquidate_id].code == "ZW_PREDECESSOR_REFUSED"
    assert all(r.new for r in result.refused)
    assert rows(zw_conn, "SELECT subject_id, outcome, reason_code FROM hjs_sync_attempt WHERE kind = 'TRANSFER' "
                "AND outcome = 'BUSINESS_FAILURE' ORDER BY subject_id") == [
        (ab.liquidate_id, "BUSINESS_FAILURE", "1010"), (bc.liquidate_id, "BUSINESS_FAILURE", "ZW_PREDECESSOR_REFUSED")]
    assert rows(zw_conn, "SELECT transfer_open FROM hjs_product WHERE id = %s", (m.product_id,)) == [(False,)]
    assert next(p for p in sandbox.admin.products() if p["productCode"] == m.product_code)["transferOpen"] is False
    assert set(hjs_transfers_by_number(sandbox)) == {"FOREIGN1", transfer_no(fine.liquidate_id)}

    # again: nothing is re-sent or re-recorded, the refusals are still reported (set aside)
    before = zw_state(zw_conn)
    again = close_product_transfers(zw_conn, hjs, m.product_id, run_id="t3-refused-2")
    assert zw_state(zw_conn) == before
    assert {r.liquidate_id for r in again.refused} == {ab.liquidate_id, bc.liquidate_id}
    assert not any(r.new for r in again.refused)


def test_hjs_unavailable_leaves_hjs_open_and_a_retry_finishes(market, hjs, sandbox, zw_conn):
    m = market(2)
    t = m.sell(m.assets[0], buyer_user=41)
    sandbox.admin.set_faults(error_rate=1.0)

    with pytest.raises(CloseIncompleteError, match=rf"product {m.product_code}: 1 transfer"):
        close_product_transfers(zw_conn, hjs, m.product_id, run_id="t3-down")

    # zw is closed (no new transfer can slip in), HJS is not (the pending transfer can still be registered)
    assert rows(zw_conn, "SELECT transfer_open FROM hjs_product WHERE id = %s", (m.product_id,)) == [(False,)]
    assert rows(zw_conn, "SELECT count(*) FROM transfer_registration") == [(0,)]
    assert rows(zw_conn, "SELECT outcome FROM hjs_sync_attempt WHERE subject_id = %s", (t.liquidate_id,)) == [
        ("TRANSIENT_FAILURE",)]
    sandbox.admin.clear_faults()
    assert next(p for p in sandbox.admin.products() if p["productCode"] == m.product_code)["transferOpen"] is True

    result = close_product_transfers(zw_conn, hjs, m.product_id, run_id="t3-down-retry")
    assert result.registered_now == (t.liquidate_id,) and not result.closed_now
    assert set(hjs_transfers_by_number(sandbox)) == {transfer_no(t.liquidate_id)}
    assert next(p for p in sandbox.admin.products() if p["productCode"] == m.product_code)["transferOpen"] is False


def test_close_under_injected_faults_registers_each_transfer_exactly_once(market, hjs, sandbox, zw_conn):
    """Errors, timeouts and answers dropped after HJS committed: retried until done, then exactly once on
    both sides."""
    m = market(8)
    made = [m.sell(asset, buyer_user=100 + n) for n, asset in enumerate(m.assets[:6])]
    made.append(m.sell(made[0].buyer_asset_id, buyer_user=200))  # and a chain
    sandbox.admin.set_faults(seed=7, error_rate=0.2, timeout_rate=0.15, hang_seconds=1.2,
                             drop_after_commit_rate=0.4, drop_mode="reset",
                             services=["transfer.register", "transfer.query", "product.closeTransfer"])
    result = None
    for attempt in range(30):
        try:
            result = close_product_transfers(zw_conn, hjs, m.product_id, run_id=f"t3-faults-{attempt}")
            break
        except CloseIncompleteError:
            continue
    assert result is not None, "the close step never finished under faults"
    sandbox.admin.clear_faults()
    # the faults did bite: some answers were lost after HJS committed and were found by transfer.query
    assert rows(zw_conn, "SELECT count(*) FROM hjs_sync_attempt WHERE outcome = 'ALREADY_AT_HJS'")[0][0] >= 1

    expected = {transfer_no(t.liquidate_id) for t in made}
    at_hjs = hjs_transfers_by_number(sandbox)
    assert set(at_hjs) == expected and all(len(items) == 1 for items in at_hjs.values())
    registered = rows(zw_conn, "SELECT transfer_no, hjs_transfer_id FROM transfer_registration")
    assert {number for number, _ in registered} == expected and len(registered) == len(expected)
    assert {number: hjs_id for number, hjs_id in registered} == {
        number: items[0]["hjsTransferId"] for number, items in at_hjs.items()}
    assert holders_at_hjs(sandbox, m.product_code)[invest_order_no(m.assets[0])] == str(made[-1].buyer_asset_id)
    assert next(p for p in sandbox.admin.products() if p["productCode"] == m.product_code)["transferOpen"] is False
