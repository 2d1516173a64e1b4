"""What zw asks HJS to do: validated, immutable requests for the state-changing calls.

Validation happens here, before anything is signed and sent, so a bad amount or number is a plain
ValueError/TypeError in our code rather than a 1004 from HJS. Personal fields are kept out of repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..domain.order_numbers import invest_order_no, is_valid_number, transfer_no
from .fields import format_money


def _check_number(value: str, what: str) -> None:
    if not is_valid_number(value):
        raise ValueError(f"{what} must be 1-32 characters of [A-Za-z0-9]")


def _check_text(value: object, what: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")


def _id_text(value: int | str, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        raise ValueError(f"{what} must be an integer or a non-empty string")
    return str(value)


@dataclass(frozen=True)
class InvestCommand:
    """An invest.create request. Build it with for_asset() so the order number is the derived one."""

    order_no: str
    product_code: str
    asset_id: str
    user_id: str = field(repr=False)  # personal data
    shares: int
    amount: Decimal

    def __post_init__(self) -> None:
        _check_number(self.order_no, "order number")
        _check_text(self.product_code, "product code")
        object.__setattr__(self, "asset_id", _id_text(self.asset_id, "asset id"))
        object.__setattr__(self, "user_id", _id_text(self.user_id, "user id"))
        if isinstance(self.shares, bool) or not isinstance(self.shares, int) or self.shares <= 0:
            raise ValueError("shares must be a positive integer")
        format_money(self.amount, "amount")  # validates: Decimal, two decimals at most, not negative

    @classmethod
    def for_asset(
        cls, *, asset_id: int | str, product_code: str, user_id: int | str, shares: int, amount: Decimal
    ) -> InvestCommand:
        """The subscription of zw asset `asset_id`; its order number is invest_order_no(asset_id)."""
        return cls(
            order_no=invest_order_no(asset_id),
            product_code=product_code,
            asset_id=str(asset_id),
            user_id=str(user_id),
            shares=shares,
            amount=amount,
        )

    def payload(self) -> dict[str, Any]:
        return {
            "orderNo": self.order_no,
            "productCode": self.product_code,
            "assetId": self.asset_id,
            "userId": self.user_id,
            "shares": self.shares,
            "amount": format_money(self.amount, "amount"),
        }


@dataclass(frozen=True)
class TransferCommand:
    """A transfer.register request: subscription `order_no` moves from seller to buyer asset."""

    transfer_no: str
    product_code: str
    order_no: str
    seller_asset_id: str
    buyer_asset_id: str
    price: Decimal
    fee: Decimal

    def __post_init__(self) -> None:
        _check_number(self.transfer_no, "transfer number")
        _check_number(self.order_no, "order number")
        _check_text(self.product_code, "product code")
        object.__setattr__(self, "seller_asset_id", _id_text(self.seller_asset_id, "seller asset id"))
        object.__setattr__(self, "buyer_asset_id", _id_text(self.buyer_asset_id, "buyer asset id"))
        format_money(self.price, "price")
        format_money(self.fee, "fee")

    @classmethod
    def for_liquidation(
        cls,
        *,
        liquidate_id: int | str,
        product_code: str,
        order_no: str,
        seller_asset_id: int | str,
        buyer_asset_id: int | str,
        price: Decimal,
        fee: Decimal,
    ) -> TransferCommand:
        """The registration of zw liquidation `liquidate_id`; its number is transfer_no(liquidate_id)."""
        return cls(
            transfer_no=transfer_no(liquidate_id),
            product_code=product_code,
            order_no=order_no,
            seller_asset_id=str(seller_asset_id),
            buyer_asset_id=str(buyer_asset_id),
            price=price,
            fee=fee,
        )

    def payload(self) -> dict[str, Any]:
        return {
            "transferNo": self.transfer_no,
            "productCode": self.product_code,
            "orderNo": self.order_no,
            "sellerAssetId": self.seller_asset_id,
            "buyerAssetId": self.buyer_asset_id,
            "price": format_money(self.price, "price"),
            "fee": format_money(self.fee, "fee"),
        }
