"""Package rollover: one package on sale per channel.

Rollover, per channel, in one transaction: lock the channel row (racing runs take turns), lock the
channel's ON_SALE and PENDING packages, and if the one on sale has all its shares held (INVEST_START,
INVEST_SUCCESS and later assets; a LIQUIDATED asset's shares are counted at its buyer's asset) move
it to SOLD_OUT and open the PENDING package with the lowest sequence number. A channel with nothing
on sale opens its next PENDING package. Each move is conditional on the status it saw. The partial
unique index hjs_product_one_on_sale_per_channel is the last guard against a writer that does not
take the lock: its violation rolls the channel back and is reported, never half-applied.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from psycopg.errors import UniqueViolation

from ..repository.db import transaction
from ..repository.sql_files import load_sql

log = logging.getLogger("hjs_operators.rollover")



@dataclass(frozen=True)
class Package:
    id: int
    product_code: str
    status: str
    sequence_no: int
    total_shares: int
    held_shares: int


@dataclass(frozen=True)
class ChannelRollover:
    channel: str
    sold_out: str | None = None  # product code moved to SOLD_OUT
    opened: str | None = None  # product code moved to ON_SALE
    on_sale: str | None = None  # what is on sale afterwards
    conflict: str | None = None  # why nothing was changed, when another writer got in the way


def _execute(cur, name: str, params: dict | None = None) -> None:
    cur.execute(load_sql(f"invest_sync/{name}.sql"), params or {})


def _move(cur, product_id: int, from_status: str, to_status: str) -> bool:
    """Move a package's status only from the status we saw; False if another writer moved it first."""
    _execute(cur, "rollover_set_status", {"product_id": product_id, "from_status": from_status,
                                          "to_status": to_status})
    return cur.fetchone() is not None


class _Conflict(Exception):
    """Rolls a channel's transaction back: another writer moved a package first; the message says which."""


def channels(conn) -> list[str]:
    with transaction(conn) as cur:
        _execute(cur, "rollover_channels")
        return [row[0] for row in cur.fetchall()]


def roll_over_channel(conn, channel: str) -> ChannelRollover:
    """One channel's rollover in one transaction (see the module doc)."""
    try:
        with transaction(conn) as cur:
            _execute(cur, "rollover_lock_channel", {"channel": channel})
            if cur.fetchone() is None:
                raise ValueError(f"channel {channel} does not exist")
            _execute(cur, "rollover_packages", {"channel": channel})
            packages = [Package(*row) for row in cur.fetchall()]
            on_sale = [p for p in packages if p.status == "ON_SALE"]
            pending = [p for p in packages if p.status == "PENDING"]
            current = on_sale[0] if on_sale else None
            if current is not None and current.held_shares < current.total_shares:
                return ChannelRollover(channel, on_sale=current.product_code)
            sold_out = None
            if current is not None:
                if not _move(cur, current.id, "ON_SALE", "SOLD_OUT"):
                    raise _Conflict(f"{current.product_code} changed status meanwhile")
                sold_out = current.product_code
            opened = None
            if pending:
                nxt = pending[0]
                if not _move(cur, nxt.id, "PENDING", "ON_SALE"):
                    raise _Conflict(f"{nxt.product_code} changed status meanwhile")
                opened = nxt.product_code
    except _Conflict as conflict:
        return ChannelRollover(channel, conflict=str(conflict))
    except UniqueViolation:
        # Someone put a package on sale without taking the channel lock: the index refused ours.
        message = f"channel {channel}: another package was put on sale concurrently; nothing changed here"
        log.warning(message)
        return ChannelRollover(channel, conflict=message)
    if sold_out:
        log.info("channel %s: package %s sold out (%d/%d shares)", channel, sold_out, current.held_shares,
                 current.total_shares)
    if opened:
        log.info("channel %s: package %s is now on sale", channel, opened)
    elif sold_out:
        log.warning("channel %s: no PENDING package left to open after %s", channel, sold_out)
    return ChannelRollover(channel, sold_out=sold_out, opened=opened, on_sale=opened)


def roll_over(conn, only_channels: list[str] | None = None) -> list[ChannelRollover]:
    """Rollover for every channel with a package on sale or pending (or the given ones)."""
    results = [roll_over_channel(conn, channel) for channel in (only_channels or channels(conn))]
    for result in results:
        log.info("channel %s: on sale %s%s", result.channel, result.on_sale or "nothing",
                 f" ({result.conflict})" if result.conflict else "")
    return results
