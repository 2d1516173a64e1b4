"""HJS order and transfer numbers derived from zw ids.

Derived, not random: the same asset always yields the same order number, so a retry after a lost
response asks HJS about (or re-sends) the very same order and HJS's idempotency does the rest.
Fixed width keeps them sortable; the prefix keeps the two namespaces apart (spec: <= 32 of [A-Za-z0-9]).
"""

from __future__ import annotations

INVEST_PREFIX = "ZWI"
TRANSFER_PREFIX = "ZWT"
_WIDTH = 16


def _derive(prefix: str, zw_id: int) -> str:
    if isinstance(zw_id, bool) or not isinstance(zw_id, int) or not 0 < zw_id < 10**_WIDTH:
        raise ValueError(f"zw id must be a positive integer below 10^{_WIDTH}, got {zw_id!r}")
    return f"{prefix}{zw_id:0{_WIDTH}d}"


def invest_order_no(asset_id: int) -> str:
    return _derive(INVEST_PREFIX, asset_id)


def transfer_no(liquidate_id: int) -> str:
    return _derive(TRANSFER_PREFIX, liquidate_id)


def asset_id_of(order_no: str) -> int:
    """Inverse of invest_order_no, for HJS records that come back keyed by order number."""
    if not (order_no.startswith(INVEST_PREFIX) and len(order_no) == len(INVEST_PREFIX) + _WIDTH):
        raise ValueError(f"{order_no!r} is not a zw invest order number")
    return int(order_no[len(INVEST_PREFIX):])
