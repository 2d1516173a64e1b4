"""Bulk loading of subscriptions through the admin API (seeding from demo data).

All or nothing, and idempotent: a row whose orderNo exists with the same content is skipped, one
with other content fails the whole load (409), as invest.create would answer 1003.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from . import validation as v
from .models import Product, Subscription, now_iso
from .state import Store


class SeedError(ValueError):
    """Bad input (422) or conflict with what HJS already has (409)."""

    def __init__(self, status: int, message: str, order_nos: Sequence[str] = ()) -> None:
        self.status = status
        self.order_nos = list(order_nos)
        super().__init__(message)


def _content(s: Subscription) -> tuple:
    # The holder is left out: it is HJS's evolving state (transfers move it), set only on first load.
    return (s.product_code, s.asset_id, s.user_id, s.shares, s.amount_fen)


def _parse(index: int, row: Any, products: Mapping[str, Product], accepted_at: str) -> Subscription:
    if not isinstance(row, Mapping):
        raise SeedError(422, f"subscriptions[{index}] is not an object")
    try:
        product_code = v.text(row, "productCode")
        product = products.get(product_code)
        if product is None:
            raise v.InvalidField("productCode", "names no product (load products first)")
        shares = v.positive_int(row, "shares")
        amount = shares * product.share_fen
        if row.get("amount") is not None and v.money(row, "amount") != amount:
            raise v.InvalidField("amount", "must equal shares x shareAmount")
        asset_id = v.identifier(row, "assetId")
        holder = v.identifier(row, "holderAssetId") if row.get("holderAssetId") is not None else asset_id
        return Subscription(
            order_no=v.number(row, "orderNo"),
            hjs_order_id=v.text(row, "hjsOrderId") if row.get("hjsOrderId") is not None else "",
            product_code=product_code,
            asset_id=asset_id,
            user_id=v.identifier(row, "userId"),
            shares=shares,
            amount_fen=amount,
            holder_asset_id=holder,
            accepted_at=v.text(row, "acceptedAt") if row.get("acceptedAt") is not None else accepted_at,
        )
    except v.InvalidField as exc:
        raise SeedError(422, f"subscriptions[{index}].{exc}") from exc


def load_subscriptions(store: Store, rows: Any) -> dict[str, int]:
    if not isinstance(rows, list):
        raise SeedError(422, "body must be a JSON list of subscriptions")
    products = {p.code: p for p in store.products()}
    accepted_at = now_iso()
    batch: dict[str, Subscription] = {}
    for index, row in enumerate(rows):
        sub = _parse(index, row, products, accepted_at)
        earlier = batch.setdefault(sub.order_no, sub)
        if _content(earlier) != _content(sub):
            raise SeedError(409, "the same orderNo appears twice with other content", [sub.order_no])
    with store.transaction():
        existing = store.subscriptions_named(list(batch))
        conflicts = [o for o, s in existing.items() if _content(s) != _content(batch[o])]
        if conflicts:
            raise SeedError(409, f"{len(conflicts)} orderNo(s) exist with other content", conflicts[:100])
        new = [s for o, s in batch.items() if o not in existing]
        wanted: dict[str, int] = {}
        for s in new:
            wanted[s.product_code] = wanted.get(s.product_code, 0) + s.shares
        taken = store.shares_by_product()
        over = [c for c, n in wanted.items() if taken.get(c, 0) + n > products[c].capacity_shares]
        if over:
            raise SeedError(422, f"quota exceeded for product(s) {', '.join(sorted(over))}")
        unnamed = [s for s in new if not s.hjs_order_id]
        first = store.reserve_ids("order", len(unnamed))
        ids = {s.order_no: f"HJSO{first + i:012d}" for i, s in enumerate(unnamed)}
        store.insert_subscriptions(
            replace(s, hjs_order_id=ids.get(s.order_no, s.hjs_order_id)) for s in new
        )
    return {"received": len(rows), "inserted": len(new), "unchanged": len(batch) - len(new)}
