"""Payload builders for the sandbox tests."""

from __future__ import annotations

from typing import Any

PRODUCT_CODE = "HJSP0001"


def product(code: str = PRODUCT_CODE, **overrides: Any) -> dict[str, Any]:
    """A 1,000,000.00 package of 5,000.00 shares (200 shares), one year at 4.5% ACT/365, transfer open."""
    return {
        "productCode": code,
        "productName": "恒金稳盈 1号",
        "channel": "1",
        "totalAmount": "1000000.00",
        "shareAmount": "5000.00",
        "annualRate": "0.0450",
        "dayCount": "ACT/365",
        "valueDate": "2026-01-05",
        "maturityDate": "2027-01-05",
        "transferOpen": True,
        **overrides,
    }


def invest(order_no: str, asset_id: str | int, shares: int = 1, *, product_code: str = PRODUCT_CODE,
           user_id: str = "U1", share_amount: int = 5000, **overrides: Any) -> dict[str, Any]:
    return {
        "orderNo": order_no,
        "productCode": product_code,
        "assetId": asset_id,
        "userId": user_id,
        "shares": shares,
        "amount": f"{shares * share_amount}.00",
        **overrides,
    }


def transfer(transfer_no: str, order_no: str, seller: str, buyer: str, *, product_code: str = PRODUCT_CODE,
             price: str = "5010.00", fee: str = "10.00") -> dict[str, Any]:
    return {
        "transferNo": transfer_no,
        "productCode": product_code,
        "orderNo": order_no,
        "sellerAssetId": seller,
        "buyerAssetId": buyer,
        "price": price,
        "fee": fee,
    }
