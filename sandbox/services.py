"""HJS's business rules for each service of docs/hjs-protocol.md section 5.

Each handler takes the decrypted payload and returns an Outcome (code, message, payload). The
envelope, signatures and faults are other modules' business; only maturity.trial asks the fault
settings how to misreport its pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hjs_operators.protocol import codes
from hjs_operators.protocol.settings import CHARSET_PROBE

from . import validation as v
from .faults import FaultConfig
from .models import Product, Subscription, Transfer, now_iso
from .money import format_fen, parse_rate, truncated_interest_fen
from .state import Store

MAX_PAGE_SIZE = 50  # HJS's cap on maturity.trial (spec section 5)
MAX_PAGE_NO = 1_000_000_000  # keeps OFFSET inside SQLite's integer range
OK = "success"


@dataclass(frozen=True)
class Outcome:
    code: str
    message: str
    payload: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.code == codes.SUCCESS


def _refuse(code: str, message: str) -> Outcome:
    return Outcome(code, message)


class Services:
    def __init__(self, store: Store, merchant_id: str) -> None:
        self.store = store
        self.merchant_id = merchant_id
        self._handlers: dict[str, Callable[[Mapping[str, Any], FaultConfig], Outcome]] = {
            "system.ping": self.ping,
            "product.query": self.product_query,
            "invest.create": self.invest_create,
            "invest.query": self.invest_query,
            "maturity.trial": self.maturity_trial,
            "transfer.register": self.transfer_register,
            "transfer.query": self.transfer_query,
            "product.closeTransfer": self.close_transfer,
        }

    def knows(self, service: str) -> bool:
        return service in self._handlers

    def handle(self, service: str, payload: Mapping[str, Any], faults: FaultConfig) -> Outcome:
        try:
            return self._handlers[service](payload, faults)
        except v.InvalidField as exc:
            return _refuse(codes.INVALID_REQUEST, str(exc))

    def _product(self, code: str) -> Product | Outcome:
        product = self.store.product(code)
        return product if product is not None else _refuse(codes.PRODUCT_NOT_FOUND, "product not found")

    # services
    def ping(self, payload: Mapping[str, Any], faults: FaultConfig) -> Outcome:
        # Bytes valid in both charsets decrypt without error; only the known text shows a mismatch.
        if "charsetProbe" in payload and payload["charsetProbe"] != CHARSET_PROBE:
            return _refuse(codes.DECRYPT_FAILED, "charsetProbe does not read back: charset mismatch")
        answer = {"merchantId": self.merchant_id, "serverTime": now_iso(), "charsetProbe": CHARSET_PROBE}
        return Outcome(codes.SUCCESS, OK, answer)

    def product_query(self, payload: Mapping[str, Any], faults: FaultConfig) -> Outcome:
        product = self._product(v.text(payload, "productCode"))
        return product if isinstance(product, Outcome) else Outcome(codes.SUCCESS, OK, product.wire())

    def invest_create(self, payload: Mapping[str, Any], faults: FaultConfig) -> Outcome:
        order_no = v.number(payload, "orderNo")
        product_code = v.text(payload, "productCode")
        asset_id = v.identifier(payload, "assetId")
        user_id = v.identifier(payload, "userId")
        shares = v.positive_int(payload, "shares")
        amount = v.money(payload, "amount")
        with self.store.transaction():  # idempotency, quota and insert must see one state
            existing = self.store.subscription(order_no)
            if existing is not None:
                content = (product_code, asset_id, user_id, shares, amount)
                if content == (existing.product_code, existing.asset_id, existing.user_id, existing.shares,
                               existing.amount_fen):
                    return Outcome(codes.SUCCESS, OK, self.store.subscription_answer(order_no))
                return _refuse(codes.ORDER_CONFLICT, "orderNo was already used with other content")
            product = self._product(product_code)
            if isinstance(product, Outcome):
                return product
            if amount != shares * product.share_fen:
                return _refuse(
                    codes.INVALID_REQUEST,
                    f"amount must equal shares x shareAmount ({format_fen(product.share_fen)})",
                )
            left = product.capacity_shares - self.store.shares_taken(product_code)
            if shares > left:
                return _refuse(codes.QUOTA_EXCEEDED, f"product has {left} share(s) left")
            subscription = Subscription(
                order_no=order_no,
                hjs_order_id=f"HJSO{self.store.next_id('order'):012d}",
                product_code=product_code,
                asset_id=asset_id,
                user_id=user_id,
                shares=shares,
                amount_fen=amount,
                holder_asset_id=asset_id,
                accepted_at=now_iso(),
            )
            self.store.insert_subscriptions([subscription])
        return Outcome(codes.SUCCESS, OK, subscription.answer())

    def invest_query(self, payload: Mapping[str, Any], faults: FaultConfig) -> Outcome:
        answer = self.store.subscription_answer(v.number(payload, "orderNo"))
        if answer is None:
            return _refuse(codes.ORDER_NOT_FOUND, "order not found")
        return Outcome(codes.SUCCESS, OK, answer)

    def maturity_trial(self, payload: Mapping[str, Any], faults: FaultConfig) -> Outcome:
        product_code = v.text(payload, "productCode")
        page_no = v.integer(payload, "pageNo")
        if not 1 <= page_no <= MAX_PAGE_NO:
            raise v.InvalidField("pageNo", f"must be between 1 and {MAX_PAGE_NO}")
        page_size = v.integer(payload, "pageSize")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            return _refuse(codes.PAGE_SIZE_EXCEEDED, f"pageSize must be between 1 and {MAX_PAGE_SIZE}")
        product = self._product(product_code)
        if isinstance(product, Outcome):
            return product
        if product_code in faults.fail_products:
            return _refuse(codes.SYSTEM_BUSY, "system busy")
        rate = parse_rate(product.annual_rate)
        days, basis = product.days, product.basis
        limit = page_size + 1 if faults.oversize_page else page_size
        with self.store.snapshot():  # total and page from the same state
            total = self.store.count_subscriptions(product_code)
            page = self.store.subscriptions_page(product_code, (page_no - 1) * page_size, limit)
        records = []
        for sub in page:
            interest = truncated_interest_fen(sub.amount_fen, rate, days, basis)
            records.append({
                "orderNo": sub.order_no,
                "assetId": sub.asset_id,
                "holderAssetId": sub.holder_asset_id,
                "principal": format_fen(sub.amount_fen),
                "interest": format_fen(interest),
                "amount": format_fen(sub.amount_fen + interest),
            })
        answer = {
            "productCode": product_code,
            "maturityDate": product.maturity_date,
            "total": total,
            "pageNo": page_no,
            "pageSize": page_size,
            "records": records,
        }
        return Outcome(codes.SUCCESS, OK, faults.distort_trial(answer))

    def transfer_register(self, payload: Mapping[str, Any], faults: FaultConfig) -> Outcome:
        transfer_no = v.number(payload, "transferNo")
        product_code = v.text(payload, "productCode")
        order_no = v.number(payload, "orderNo")
        seller = v.identifier(payload, "sellerAssetId")
        buyer = v.identifier(payload, "buyerAssetId")
        price = v.money(payload, "price")
        fee = v.money(payload, "fee")
        if buyer == seller:
            raise v.InvalidField("buyerAssetId", "must differ from sellerAssetId")
        if fee > price:
            raise v.InvalidField("fee", "must not exceed price")
        with self.store.transaction():  # idempotency, holder check and holder move in one unit
            existing = self.store.transfer(transfer_no)
            if existing is not None:
                content = (product_code, order_no, seller, buyer, price, fee)
                if content == (existing.product_code, existing.order_no, existing.seller_asset_id,
                               existing.buyer_asset_id, existing.price_fen, existing.fee_fen):
                    return Outcome(codes.SUCCESS, OK, self.store.transfer_answer(transfer_no))
                return _refuse(codes.TRANSFER_CONFLICT, "transferNo was already used with other content")
            product = self._product(product_code)
            if isinstance(product, Outcome):
                return product
            if not product.transfer_open:
                return _refuse(codes.TRANSFER_CLOSED, "transfer is closed for this product")
            subscription = self.store.subscription(order_no)
            if subscription is None or subscription.product_code != product_code:
                return _refuse(codes.ORDER_NOT_FOUND, "order not found for this product")
            if subscription.holder_asset_id != seller:
                return _refuse(codes.HOLDER_MISMATCH, "sellerAssetId is not the current holder")
            transfer = Transfer(
                transfer_no=transfer_no,
                hjs_transfer_id=f"HJST{self.store.next_id('transfer'):012d}",
                product_code=product_code,
                order_no=order_no,
                seller_asset_id=seller,
                buyer_asset_id=buyer,
                price_fen=price,
                fee_fen=fee,
                accepted_at=now_iso(),
            )
            self.store.insert_transfer(transfer)
            self.store.set_holder(order_no, buyer)
        return Outcome(codes.SUCCESS, OK, transfer.answer())

    def transfer_query(self, payload: Mapping[str, Any], faults: FaultConfig) -> Outcome:
        answer = self.store.transfer_answer(v.number(payload, "transferNo"))
        if answer is None:
            return _refuse(codes.TRANSFER_NOT_FOUND, "transfer not found")
        return Outcome(codes.SUCCESS, OK, answer)

    def close_transfer(self, payload: Mapping[str, Any], faults: FaultConfig) -> Outcome:
        product_code = v.text(payload, "productCode")
        with self.store.transaction():
            product = self._product(product_code)
            if isinstance(product, Outcome):
                return product
            self.store.close_transfer(product_code, now_iso())  # keeps the first closedAt
            product = self.store.product(product_code)
        assert product is not None
        return Outcome(codes.SUCCESS, OK, {"productCode": product_code, "transferOpen": False,
                                           "closedAt": product.closed_at})
