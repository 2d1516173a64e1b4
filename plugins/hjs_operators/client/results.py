"""Typed, immutable results of HJS calls, parsed strictly from the (already verified) payloads.

Money is Decimal, exact from the two-decimal strings; dates are dates, instants are aware datetimes.
Each parser also checks that the answer is about what we asked (same order, product, page), since an
answer about something else must not be booked against our request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..protocol.settings import CHARSET_PROBE
from .fields import FieldReader

SUCCESS_STATUS = "SUCCESS"
DAY_COUNTS = ("ACT/365", "ACT/360")


@dataclass(frozen=True)
class Ping:
    merchant_id: str
    server_time: datetime

    @classmethod
    def parse(cls, payload: Mapping[str, Any], *, service: str, merchant_id: str, charset: str) -> Ping:
        r = FieldReader(payload, service=service, where="answer")
        r.expect("merchantId", merchant_id, r.text("merchantId"))
        if r.text("charsetProbe") != CHARSET_PROBE:
            # Signature and decryption held, so key, mode and IV are right: only the charset is left.
            raise r.error(
                f"does not read back as the agreed text in {charset}: charset mismatch, "
                "HJS encodes payloads in another charset than the connection says",
                "charsetProbe",
            )
        return cls(merchant_id=r.text("merchantId"), server_time=r.instant("serverTime"))


@dataclass(frozen=True)
class Product:
    product_code: str
    product_name: str
    channel: str
    total_amount: Decimal
    share_amount: Decimal
    annual_rate: Decimal
    day_count: str
    value_date: date
    maturity_date: date
    transfer_open: bool

    @classmethod
    def parse(cls, payload: Mapping[str, Any], *, service: str, product_code: str) -> Product:
        r = FieldReader(payload, service=service, where=f"product {product_code}")
        r.expect("productCode", product_code, r.text("productCode"))
        day_count = r.text("dayCount")
        if day_count not in DAY_COUNTS:
            raise r.error("is not ACT/365 or ACT/360", "dayCount")
        return cls(
            product_code=product_code,
            product_name=r.text("productName"),
            channel=r.identifier("channel"),
            total_amount=r.money("totalAmount"),
            share_amount=r.money("shareAmount"),
            annual_rate=r.rate("annualRate"),
            day_count=day_count,
            value_date=r.day("valueDate"),
            maturity_date=r.day("maturityDate"),
            transfer_open=r.boolean("transferOpen"),
        )


@dataclass(frozen=True)
class InvestOrder:
    """A subscription as HJS has it. already_at_hjs: found by invest.query rather than created now."""

    order_no: str
    hjs_order_id: str
    product_code: str
    asset_id: str
    shares: int
    amount: Decimal
    status: str
    accepted_at: datetime
    already_at_hjs: bool = False

    @classmethod
    def parse(cls, payload: Mapping[str, Any], *, service: str, order_no: str) -> InvestOrder:
        r = FieldReader(payload, service=service, where=f"order {order_no}")
        r.expect("orderNo", order_no, r.text("orderNo"))
        status = r.text("status")
        if status != SUCCESS_STATUS:
            raise r.error(f"is {status[:20]!r}, expected {SUCCESS_STATUS!r}", "status")
        return cls(
            order_no=order_no,
            hjs_order_id=r.identifier("hjsOrderId"),
            product_code=r.text("productCode"),
            asset_id=r.identifier("assetId"),
            shares=r.integer("shares"),
            amount=r.money("amount"),
            status=status,
            accepted_at=r.instant("acceptedAt"),
        )

    def differences(self, payload: Mapping[str, Any]) -> list[str]:
        """Names of the request fields (an invest.create payload) this order does not match."""
        ours = {
            "productCode": self.product_code,
            "assetId": self.asset_id,
            "shares": str(self.shares),
            "amount": f"{self.amount:f}",
        }
        return [name for name, value in ours.items() if str(payload[name]) != value]


@dataclass(frozen=True)
class MaturityRecord:
    order_no: str
    asset_id: str
    holder_asset_id: str
    principal: Decimal
    interest: Decimal
    amount: Decimal

    @classmethod
    def parse(cls, item: object, *, service: str, where: str, index: int) -> MaturityRecord:
        # Name the record by its orderNo when it has a usable one, by position (1-based) otherwise.
        if isinstance(item, Mapping) and isinstance(item.get("orderNo"), str) and item["orderNo"]:
            where = f"{where} record {item['orderNo'][:32]}"
        else:
            where = f"{where} record #{index}"
        r = FieldReader(item, service=service, where=where)
        record = cls(
            order_no=r.text("orderNo"),
            asset_id=r.identifier("assetId"),
            holder_asset_id=r.identifier("holderAssetId"),
            principal=r.money("principal"),
            interest=r.money("interest"),
            amount=r.money("amount"),
        )
        if record.principal + record.interest != record.amount:
            raise r.error("is not principal + interest", "amount")
        return record


@dataclass(frozen=True)
class MaturityPage:
    product_code: str
    maturity_date: date
    total: int
    page_no: int
    page_size: int
    records: tuple[MaturityRecord, ...]

    @classmethod
    def parse(cls, payload: Mapping[str, Any], *, service: str, product_code: str, page_no: int) -> MaturityPage:
        where = f"product {product_code} page {page_no}"
        r = FieldReader(payload, service=service, where=where)
        r.expect("productCode", product_code, r.text("productCode"))
        r.expect("pageNo", page_no, r.integer("pageNo"))
        total = r.integer("total")
        if total < 0:
            raise r.error("is negative", "total")
        items = r.array("records")
        records = tuple(
            MaturityRecord.parse(item, service=service, where=where, index=index + 1)
            for index, item in enumerate(items)
        )
        return cls(
            product_code=product_code,
            maturity_date=r.day("maturityDate"),
            total=total,
            page_no=page_no,
            page_size=r.integer("pageSize"),
            records=records,
        )


@dataclass(frozen=True)
class MaturityTrial:
    """All maturity records of one product, read page by page and checked for consistency."""

    product_code: str
    maturity_date: date
    total: int
    records: tuple[MaturityRecord, ...]
    pages: int


@dataclass(frozen=True)
class Transfer:
    """A registered transfer. already_at_hjs: found by transfer.query rather than registered now."""

    transfer_no: str
    hjs_transfer_id: str
    order_no: str
    buyer_asset_id: str
    status: str
    accepted_at: datetime
    already_at_hjs: bool = False

    @classmethod
    def parse(cls, payload: Mapping[str, Any], *, service: str, transfer_no: str) -> Transfer:
        r = FieldReader(payload, service=service, where=f"transfer {transfer_no}")
        r.expect("transferNo", transfer_no, r.text("transferNo"))
        status = r.text("status")
        if status != SUCCESS_STATUS:
            raise r.error(f"is {status[:20]!r}, expected {SUCCESS_STATUS!r}", "status")
        return cls(
            transfer_no=transfer_no,
            hjs_transfer_id=r.identifier("hjsTransferId"),
            order_no=r.text("orderNo"),
            buyer_asset_id=r.identifier("buyerAssetId"),
            status=status,
            accepted_at=r.instant("acceptedAt"),
        )

    def differences(self, payload: Mapping[str, Any]) -> list[str]:
        """Request fields (a transfer.register payload) that the answer shows and does not match."""
        ours = {"orderNo": self.order_no, "buyerAssetId": self.buyer_asset_id}
        return [name for name, value in ours.items() if str(payload[name]) != value]


@dataclass(frozen=True)
class TransferClose:
    product_code: str
    transfer_open: bool
    closed_at: datetime

    @classmethod
    def parse(cls, payload: Mapping[str, Any], *, service: str, product_code: str) -> TransferClose:
        r = FieldReader(payload, service=service, where=f"product {product_code}")
        r.expect("productCode", product_code, r.text("productCode"))
        if r.boolean("transferOpen"):
            raise r.error("is still true after closing", "transferOpen")
        return cls(product_code=product_code, transfer_open=False, closed_at=r.instant("closedAt"))
