"""What HJS keeps: products, subscriptions and transfers, and their wire (camelCase) forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from . import validation as v
from .money import DAY_COUNT_BASIS, format_fen, parse_rate

# Asia/Shanghai has had no DST since 1991: a fixed offset avoids depending on tzdata.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def now_iso() -> str:
    """An instant as ISO-8601 with offset, as the spec wants (e.g. 2026-11-24T10:00:00.123+08:00)."""
    return datetime.now(SHANGHAI).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    channel: str
    total_fen: int
    share_fen: int
    annual_rate: str
    day_count: str
    value_date: str
    maturity_date: str
    transfer_open: bool
    closed_at: str | None = None

    @property
    def capacity_shares(self) -> int:
        return self.total_fen // self.share_fen

    @property
    def days(self) -> int:
        return (date.fromisoformat(self.maturity_date) - date.fromisoformat(self.value_date)).days

    @property
    def basis(self) -> int:
        return DAY_COUNT_BASIS[self.day_count]

    def wire(self) -> dict[str, Any]:
        """The product.query answer."""
        return {
            "productCode": self.code,
            "productName": self.name,
            "channel": self.channel,
            "totalAmount": format_fen(self.total_fen),
            "shareAmount": format_fen(self.share_fen),
            "annualRate": self.annual_rate,
            "dayCount": self.day_count,
            "valueDate": self.value_date,
            "maturityDate": self.maturity_date,
            "transferOpen": self.transfer_open,
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Product:
        """Admin input, in the same camelCase shape as product.query's answer. Raises InvalidField."""
        channel = data.get("channel")
        if isinstance(channel, int) and not isinstance(channel, bool):
            channel = str(channel)  # channels are ids: accept 3 as "3"
        total = v.money(data, "totalAmount")
        share = v.money(data, "shareAmount")
        if share <= 0 or total <= 0 or total % share:
            raise v.InvalidField("totalAmount", "must be a positive whole number of shareAmount")
        try:
            parse_rate(data.get("annualRate"))
        except ValueError as exc:
            raise v.InvalidField("annualRate", str(exc)) from exc
        day_count = data.get("dayCount")
        if day_count not in DAY_COUNT_BASIS:
            raise v.InvalidField("dayCount", "must be ACT/365 or ACT/360")
        value_date = v.iso_date(data, "valueDate")
        maturity_date = v.iso_date(data, "maturityDate")
        if maturity_date <= value_date:
            raise v.InvalidField("maturityDate", "must be after valueDate")
        transfer_open = v.boolean(data, "transferOpen") if "transferOpen" in data else True
        return cls(
            code=v.text(data, "productCode"),
            name=v.text(data, "productName", max_length=200),
            channel=v.text({"channel": channel}, "channel"),
            total_fen=total,
            share_fen=share,
            annual_rate=data["annualRate"],
            day_count=day_count,
            value_date=value_date.isoformat(),
            maturity_date=maturity_date.isoformat(),
            transfer_open=transfer_open,
        )


@dataclass(frozen=True)
class Subscription:
    order_no: str
    hjs_order_id: str
    product_code: str
    asset_id: str
    user_id: str
    shares: int
    amount_fen: int
    holder_asset_id: str
    accepted_at: str

    def answer(self) -> dict[str, Any]:
        """The invest.create / invest.query answer."""
        return {
            "orderNo": self.order_no,
            "hjsOrderId": self.hjs_order_id,
            "productCode": self.product_code,
            "assetId": self.asset_id,
            "shares": self.shares,
            "amount": format_fen(self.amount_fen),
            "status": "SUCCESS",
            "acceptedAt": self.accepted_at,
        }

    def admin_view(self) -> dict[str, Any]:
        return {
            "orderNo": self.order_no,
            "hjsOrderId": self.hjs_order_id,
            "productCode": self.product_code,
            "assetId": self.asset_id,
            "userId": self.user_id,
            "shares": self.shares,
            "amount": format_fen(self.amount_fen),
            "holderAssetId": self.holder_asset_id,
            "acceptedAt": self.accepted_at,
        }


@dataclass(frozen=True)
class Transfer:
    transfer_no: str
    hjs_transfer_id: str
    product_code: str
    order_no: str
    seller_asset_id: str
    buyer_asset_id: str
    price_fen: int
    fee_fen: int
    accepted_at: str

    def answer(self) -> dict[str, Any]:
        """The transfer.register / transfer.query answer."""
        return {
            "transferNo": self.transfer_no,
            "hjsTransferId": self.hjs_transfer_id,
            "orderNo": self.order_no,
            "buyerAssetId": self.buyer_asset_id,
            "status": "SUCCESS",
            "acceptedAt": self.accepted_at,
        }

    def admin_view(self) -> dict[str, Any]:
        return {
            "transferNo": self.transfer_no,
            "hjsTransferId": self.hjs_transfer_id,
            "productCode": self.product_code,
            "orderNo": self.order_no,
            "sellerAssetId": self.seller_asset_id,
            "buyerAssetId": self.buyer_asset_id,
            "price": format_fen(self.price_fen),
            "fee": format_fen(self.fee_fen),
            "acceptedAt": self.accepted_at,
        }
