"""Chain resolution: each subscription -> the asset that holds it now, following its transfers
(include/sql/secondary_market/current_holder.sql)."""

from __future__ import annotations

from dataclasses import dataclass

from ..repository.db import transaction
from . import repository as repo


@dataclass(frozen=True)
class CurrentHolder:
    product_id: int
    root_asset_id: int  # the asset that subscribed the holding
    order_no: str | None
    holder_asset_id: int
    holder_user_id: int
    holder_status: str
    transfers: int


def current_holders(conn, *, product_id: int | None = None, registered_only: bool = False) -> list[CurrentHolder]:
    """include/sql/secondary_market/current_holder.sql: each subscription -> the asset holding it now."""
    with transaction(conn) as cur:
        cur.execute(repo.sql("current_holder"), {"product_id": product_id, "registered_only": registered_only})
        return [CurrentHolder(*row) for row in cur.fetchall()]
