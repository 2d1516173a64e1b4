"""HjsClient against the HJS sandbox over real HTTP: every operation, retries, exactly-once, paging.

Requests are counted at the HTTP adapter (Recorder), so "retried" and "not retried" are checked on
what actually went over the wire. Waits between attempts are skipped through the client's sleep
hook, which some tests also use to switch a fault off after n failures ("fail twice, then succeed").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hjs_operators.client import InvestCommand, RetryPolicy, Timeouts, TransferCommand
from hjs_operators.domain.order_numbers import invest_order_no, transfer_no
from hjs_operators.protocol import ProtocolSettings
from hjs_operators.protocol.errors import HjsBusinessError, HjsProtocolError, HjsTransientError
from tests.client.helpers import (
    PRODUCT,
    PRODUCT_ROW,
    Recorder,
    clear_faults_after,
    make_client,
    subscription_rows,
)

pytestmark = pytest.mark.sandbox


@pytest.fixture
def hjs(sandbox):
    """The reset sandbox with one product on sale."""
    sandbox.admin.upsert_products([PRODUCT_ROW])
    return sandbox


def invest(asset_id: int, shares: int = 2, user_id: str = "U-0001") -> InvestCommand:
    return InvestCommand.for_asset(
        asset_id=asset_id,
        product_code=PRODUCT,
        user_id=user_id,
        shares=shares,
        amount=Decimal("5000.00") * shares,
    )


# -- every operation ------------------------------------------------------------------------------


def test_ping(hjs):
    with make_client(hjs) as client:
        ping = client.ping()
    assert ping.merchant_id == hjs.settings.merchant_id and ping.server_time.tzinfo is not None


def test_query_product(hjs):
    with make_client(hjs) as client:
        product = client.query_product(PRODUCT)
    assert product.product_name == "稳盈一号·90天"
    assert product.total_amount == Decimal("1000000.00") and product.share_amount == Decimal("5000.00")
    assert product.annual_rate == Decimal("0.0450") and product.day_count == "ACT/365"
    assert (product.value_date, product.maturity_date) == (date(2026, 1, 1), date(2026, 12, 31))
    assert product.transfer_open is True


def test_unknown_product_is_a_business_error_sent_once(hjs):
    recorder = Recorder()
    with make_client(hjs, recorder=recorder) as client, pytest.raises(HjsBusinessError) as info:
        client.query_product("NOPE")
    assert info.value.code == "1001" and info.value.service == "product.query"
    assert str(info.value).startswith("product.query: HJS refused with 1001")
    assert recorder.services() == ["product.query"]


def test_create_and_query_invest(hjs):
    with make_client(hjs) as client:
        assert client.query_invest(invest_order_no(11)) is None
        created = client.create_invest(invest(11))
        found = client.query_invest(invest_order_no(11))
    assert created.order_no == invest_order_no(11) and created.asset_id == "11"
    assert created.shares == 2 and created.amount == Decimal("10000.00") and created.status == "SUCCESS"
    assert created.accepted_at.tzinfo is not None and not created.already_at_hjs
    assert found == created
    assert "U-0001" not in repr(invest(11))  # the user id stays out of reprs


def test_create_invest_is_idempotent_at_hjs_and_conflicts_are_business_errors(hjs):
    recorder = Recorder()
    with make_client(hjs, recorder=recorder) as client:
        first = client.create_invest(invest(12))
        assert client.create_invest(invest(12)) == first  # same content: the original answer
        with pytest.raises(HjsBusinessError) as info:
            client.create_invest(invest(12, shares=3))
    assert info.value.code == "1003"
    assert recorder.services() == ["invest.create"] * 3  # the conflict was not retried
    assert len(hjs.admin.subscriptions()) == 1


def test_quota_exceeded(hjs):
    with make_client(hjs) as client, pytest.raises(HjsBusinessError) as info:
        client.create_invest(invest(13, shares=201))
    assert info.value.code == "1009"


def test_subscribe_new_order(hjs):
    recorder = Recorder()
    with make_client(hjs, recorder=recorder) as client:
        order = client.subscribe(invest(14))
    assert not order.already_at_hjs and recorder.services() == ["invest.create"]


def test_subscribe_check_first(hjs):
    recorder = Recorder()
    with make_client(hjs, recorder=recorder) as client:
        new = client.subscribe(invest(15), check_first=True)
        again = client.subscribe(invest(15), check_first=True)
    assert not new.already_at_hjs and again.already_at_hjs
    assert again.hjs_order_id == new.hjs_order_id
    assert recorder.services() == ["invest.query", "invest.create", "invest.query"]
    assert len(hjs.admin.subscriptions()) == 1


def test_subscribe_check_first_finds_other_content_as_conflict(hjs):
    hjs.admin.load_subscriptions(subscription_rows(1, start=16))  # 1 share; we would ask for 2
    recorder = Recorder()
    with make_client(hjs, recorder=recorder) as client, pytest.raises(HjsBusinessError) as info:
        client.subscribe(invest(16, user_id="U000016"), check_first=True)
    assert info.value.code == "1003" and "shares" in str(info.value) and "amount" in str(info.value)
    assert recorder.services() == ["invest.query"]


def test_maturity_trial_three_pages(hjs, caplog):
    hjs.admin.load_subscriptions(subscription_rows(137))
    recorder = Recorder()
    with caplog.at_level("INFO", logger="hjs_operators.client.pager"), make_client(hjs, recorder=recorder) as client:
        trial = client.maturity_trial(PRODUCT)
    assert recorder.services() == ["maturity.trial"] * 3 and trial.pages == 3
    assert trial.total == 137 and len(trial.records) == 137 and trial.maturity_date == date(2026, 12, 31)
    first = trial.records[0]
    # 5000.00 x 0.045 x 364 / 365, truncated to the fen by HJS: 224.38
    assert (first.principal, first.interest, first.amount) == (
        Decimal("5000.00"),
        Decimal("224.38"),
        Decimal("5224.38"),
    )
    assert first.holder_asset_id == first.asset_id == "1"
    assert "product P2026A: page 3/3 (137/137 records)" in caplog.messages


def test_maturity_trial_page_size_over_cap_is_refused_by_hjs(hjs):
    with make_client(hjs) as client, pytest.raises(HjsBusinessError) as info:
        client.maturity_trial_page(PRODUCT, 1, page_size=51)
    assert info.value.code == "1005"


def test_transfer_register_query_close(hjs):
    hjs.admin.load_subscriptions(subscription_rows(1, start=21))
    command = TransferCommand.for_liquidation(
        liquidate_id=5,
        product_code=PRODUCT,
        order_no=invest_order_no(21),
        seller_asset_id=21,
        buyer_asset_id=9021,
        price=Decimal("5010.00"),
        fee=Decimal("5.01"),
    )
    with make_client(hjs) as client:
        assert client.query_transfer(transfer_no(5)) is None
        registered = client.register_transfer(command)
        assert client.query_transfer(transfer_no(5)) == registered
        assert client.register_transfer(command, check_first=True).already_at_hjs
        trial = client.maturity_trial(PRODUCT)
        closed = client.close_transfer(PRODUCT)
        assert client.close_transfer(PRODUCT).closed_at == closed.closed_at  # idempotent
        assert client.query_product(PRODUCT).transfer_open is False
        later = TransferCommand.for_liquidation(
            liquidate_id=6,
            product_code=PRODUCT,
            order_no=invest_order_no(21),
            seller_asset_id=9021,
            buyer_asset_id=9022,
            price=Decimal("5020.00"),
            fee=Decimal("0.00"),
        )
        with pytest.raises(HjsBusinessError) as info:
            client.register_transfer(later)
    assert registered.transfer_no == transfer_no(5) and registered.buyer_asset_id == "9021"
    assert not registered.already_at_hjs and closed.transfer_open is False
    assert trial.records[0].holder_asset_id == "9021" and trial.records[0].asset_id == "21"
    assert info.value.code == "1006"
    assert len(hjs.admin.transfers()) == 1


def test_transfer_from_a_seller_who_is_not_the_holder(hjs):
    hjs.admin.load_subscriptions(subscription_rows(1, start=22))
    command = TransferCommand.for_liquidation(
        liquidate_id=7,
        product_code=PRODUCT,
        order_no=invest_order_no(22),
        seller_asset_id=999,
        buyer_asset_id=1000,
        price=Decimal("5000.00"),
        fee=Decimal("0.00"),
    )
    with make_client(hjs) as client, pytest.raises(HjsBusinessError) as info:
        client.register_transfer(command)
    assert info.value.code == "1010"


def test_other_settings_ecb_md5_gbk(sandbox_factory):
    """A partner on ECB, MD5 and GBK: the same client, other connection settings."""
    other = sandbox_factory(mode="ECB", sign_type="MD5", charset="GBK", key="hex:0123456789ABCDEFFEDCBA9876543210")
    other.admin.upsert_products([PRODUCT_ROW])
    with make_client(other) as client:
        assert client.ping().merchant_id == other.settings.merchant_id
        assert client.query_product(PRODUCT).product_name == "稳盈一号·90天"
        assert client.subscribe(invest(31)).order_no == invest_order_no(31)


# -- retries on transient failures ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["500", "503"])
def test_5xx_retried_with_new_envelopes_until_success(hjs, status):
    hjs.admin.set_faults(error_rate=1.0, error_status=status)
    sleep, sleeps = clear_faults_after(hjs, 2)
    recorder = Recorder()
    with make_client(hjs, recorder=recorder, sleep=sleep) as client:
        assert client.query_product(PRODUCT).product_code == PRODUCT
    assert recorder.services() == ["product.query"] * 3 and len(sleeps) == 2
    nonces = [nonce for _, nonce in recorder.sent]
    assert len(set(nonces)) == 3  # every retry is a new envelope


def test_timeouts_retried_until_success(hjs):
    hjs.admin.set_faults(timeout_rate=1.0, hang_seconds=2.0)
    sleep, _ = clear_faults_after(hjs, 1)
    recorder = Recorder()
    with make_client(hjs, recorder=recorder, sleep=sleep, timeouts=Timeouts(connect=1.0, read=0.3)) as client:
        assert client.ping()
    assert recorder.services() == ["system.ping"] * 2


def test_gives_up_after_max_attempts(hjs):
    hjs.admin.set_faults(error_rate=1.0, error_status="503")
    recorder = Recorder()
    with make_client(hjs, recorder=recorder, retry=RetryPolicy(max_attempts=3, base_delay=0)) as client:
        with pytest.raises(HjsTransientError) as info:
            client.ping()
    assert recorder.services() == ["system.ping"] * 3 and info.value.service == "system.ping"


def test_connection_refused_is_transient_and_known_unsent():
    class Nowhere:
        base_url = "http://127.0.0.1:9"  # discard port: nothing listens
        settings = ProtocolSettings.from_strings(merchant_id="ZW0001", key="k" * 8 + "e" * 8 + "y" * 8, iv="12345678")

    with make_client(Nowhere(), retry=RetryPolicy(max_attempts=2, base_delay=0)) as client:
        with pytest.raises(HjsTransientError, match="could not connect") as info:
            client.ping()
    assert info.value.outcome_unknown is False


# -- exactly-once writes -----------------------------------------------------------------------------


def test_subscribe_exactly_once_when_the_answer_is_lost(hjs):
    hjs.admin.set_faults(drop_after_commit_rate=1.0, drop_mode="reset", services=["invest.create"])
    recorder = Recorder()
    with make_client(hjs, recorder=recorder) as client:
        order = client.subscribe(invest(41))
    assert order.already_at_hjs and order.order_no == invest_order_no(41)
    assert recorder.services() == ["invest.create", "invest.query"]  # asked before re-sending; no re-send
    assert [s["orderNo"] for s in hjs.admin.subscriptions()] == [invest_order_no(41)]


def test_subscribe_exactly_once_when_the_answer_hangs(hjs):
    hjs.admin.set_faults(drop_after_commit_rate=1.0, drop_mode="hang", hang_seconds=2.0, services=["invest.create"])
    recorder = Recorder()
    with make_client(hjs, recorder=recorder, timeouts=Timeouts(connect=1.0, read=0.3)) as client:
        order = client.subscribe(invest(42))
    assert order.already_at_hjs and recorder.services() == ["invest.create", "invest.query"]
    assert len(hjs.admin.subscriptions()) == 1


def test_subscribe_resends_when_hjs_does_not_have_it(hjs):
    """A 500 before HJS did anything: the query says ORDER_NOT_FOUND, so sending again is safe."""
    hjs.admin.set_faults(error_rate=1.0, error_status="500", services=["invest.create"])
    sleep, _ = clear_faults_after(hjs, 1)
    recorder = Recorder()
    with make_client(hjs, recorder=recorder, sleep=sleep) as client:
        order = client.subscribe(invest(43))
    assert not order.already_at_hjs
    assert recorder.services() == ["invest.create", "invest.query", "invest.create"]
    assert len({nonce for _, nonce in recorder.sent}) == 3
    assert len(hjs.admin.subscriptions()) == 1


def test_subscribe_gives_up_with_the_order_not_at_hjs(hjs):
    hjs.admin.set_faults(error_rate=1.0, error_status="503", services=["invest.create"])
    recorder = Recorder()
    with make_client(hjs, recorder=recorder, retry=RetryPolicy(max_attempts=2, base_delay=0)) as client:
        with pytest.raises(HjsTransientError, match="not at HJS after 2 attempts") as info:
            client.subscribe(invest(44))
    assert info.value.outcome_unknown is False
    assert recorder.services() == ["invest.create", "invest.query"] * 2
    assert hjs.admin.subscriptions() == []


def test_register_transfer_exactly_once_when_the_answer_is_lost(hjs):
    hjs.admin.load_subscriptions(subscription_rows(1, start=45))
    hjs.admin.set_faults(drop_after_commit_rate=1.0, services=["transfer.register"])
    command = TransferCommand.for_liquidation(
        liquidate_id=45,
        product_code=PRODUCT,
        order_no=invest_order_no(45),
        seller_asset_id=45,
        buyer_asset_id=4500,
        price=Decimal("5000.00"),
        fee=Decimal("2.50"),
    )
    recorder = Recorder()
    with make_client(hjs, recorder=recorder) as client:
        transfer = client.register_transfer(command)
    assert transfer.already_at_hjs and transfer.buyer_asset_id == "4500"
    assert recorder.services() == ["transfer.register", "transfer.query"]
    assert len(hjs.admin.transfers()) == 1


# -- answers that cannot be trusted ------------------------------------------------------------------


def test_bad_signature_is_a_protocol_error_without_retries(hjs):
    hjs.admin.set_faults(bad_signature_rate=1.0)
    recorder = Recorder()
    with make_client(hjs, recorder=recorder) as client:
        with pytest.raises(HjsProtocolError, match="signature does not verify") as info:
            client.query_product(PRODUCT)
        with pytest.raises(HjsProtocolError):
            client.subscribe(invest(51))
    assert info.value.service == "product.query"
    # One request each: no retry storm, and no blind re-send of the create (nor a query on an
    # untrusted answer); the order's fate is for the next run's check_first to find out.
    assert recorder.services() == ["product.query", "invest.create"]


def test_wrong_key_on_our_side(hjs):
    wrong = ProtocolSettings.from_strings(
        merchant_id=hjs.settings.merchant_id, key="AnotherKeyOf24Bytes!!!!!", iv="zwIv2026"
    )
    recorder = Recorder()
    with make_client(hjs, recorder=recorder, settings=wrong) as client, pytest.raises(HjsProtocolError) as info:
        client.ping()
    # HJS refuses our signature (2001) in an envelope signed with its key, which we cannot verify.
    assert "signature does not verify" in str(info.value) and recorder.services() == ["system.ping"]


def test_unknown_merchant_gets_an_unsigned_refusal(hjs):
    stranger = ProtocolSettings.from_strings(merchant_id="ZW9999", key="ZwSandboxTestKey24Bytes!", iv="zwIv2026")
    with make_client(hjs, settings=stranger) as client, pytest.raises(HjsProtocolError) as info:
        client.ping()
    assert "unsigned (untrusted) answer, code 2006 UNKNOWN_MERCHANT" in str(info.value)


def test_pager_total_drift(hjs):
    hjs.admin.load_subscriptions(subscription_rows(137))
    hjs.admin.set_faults(total_drift=1)
    with make_client(hjs) as client, pytest.raises(HjsProtocolError) as info:
        client.maturity_trial(PRODUCT)
    assert str(info.value) == "maturity.trial: product P2026A page 2: total changed from 137 to 138 between pages"


def test_pager_oversize_page(hjs):
    hjs.admin.load_subscriptions(subscription_rows(137))
    hjs.admin.set_faults(oversize_page=True)
    with make_client(hjs) as client, pytest.raises(HjsProtocolError) as info:
        client.maturity_trial(PRODUCT)
    assert str(info.value) == "maturity.trial: product P2026A page 1: 51 records on a page of at most 50"


def test_pager_non_numeric_amount(hjs):
    hjs.admin.load_subscriptions(subscription_rows(137))
    hjs.admin.set_faults(bad_amount_for=[invest_order_no(77)])
    with make_client(hjs) as client, pytest.raises(HjsProtocolError) as info:
        client.maturity_trial(PRODUCT)
    assert str(info.value) == (
        f"maturity.trial: product P2026A page 2 record {invest_order_no(77)} field 'amount' "
        "is not a money string with exactly two decimals"
    )


def test_pager_skewed_amounts_are_data_not_errors(hjs):
    """A skewed interest is HJS's figure, for reconciliation to judge: the pager passes it on."""
    hjs.admin.load_subscriptions(subscription_rows(3))
    hjs.admin.set_faults(skew={invest_order_no(2): 1})
    with make_client(hjs) as client:
        records = client.maturity_trial(PRODUCT).records
    assert [r.interest for r in records] == [Decimal("224.38"), Decimal("224.39"), Decimal("224.38")]


def test_verified_protocol_refusal_is_not_retried_nor_queried(hjs, monkeypatch):
    """Our clock 400 s behind: HJS answers a signed 2002, which we can verify; nothing was done."""
    from hjs_operators.client import HjsRefusedError
    from hjs_operators.protocol import envelope

    build = envelope.build_request
    monkeypatch.setattr(
        envelope, "build_request", lambda *args, **kw: build(*args, **kw, at_ms=envelope.now_ms() - 400_000)
    )
    recorder = Recorder()
    with make_client(hjs, recorder=recorder) as client, pytest.raises(HjsRefusedError) as info:
        client.subscribe(invest(52))
    assert info.value.code == "2002" and "2002 TIMESTAMP_EXPIRED" in str(info.value)
    assert recorder.services() == ["invest.create"] and hjs.admin.subscriptions() == []
