"""Checks over the data (whoever wrote it), chain resolution, and the fee report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..domain.money import to_fen
from ..repository.db import transaction
from ..repository.sql_files import load_sql
from ..settings import MAX_HOLDERS
from . import repository as repo
from .rules import CLOSE_OFFSET_DAYS


class HolderLimitError(RuntimeError):
    """A package has more holders (or live shares) than it has shares; names every such package."""


class TransferRuleError(RuntimeError):
    """Transfers in zw that break the secondary market's rules; names every one."""


@dataclass(frozen=True)
class OverLimit:
    product_id: int
    product_code: str
    channel_code: str
    holders: int
    live_shares: int
    total_shares: int
    status: str


def packages_over_holder_limit(conn, product_id: int | None = None) -> list[OverLimit]:
    with transaction(conn) as cur:
        cur.execute(load_sql("packages/holder_limit_breaches.sql"),
                    {"product_id": product_id, "max_holders": MAX_HOLDERS})
        return [OverLimit(*row) for row in cur.fetchall()]


def check_holder_limit(conn, product_id: int | None = None) -> None:
    """Raise HolderLimitError naming each package over its limit."""
    over = packages_over_holder_limit(conn, product_id)
    if over:
        raise HolderLimitError(
            f"{len(over)} package(s) over the holder limit: " + "; ".join(
                f"package {o.product_code} (id {o.product_id}, channel {o.channel_code}) has {o.holders} holders "
                f"and {o.live_shares} live shares, limit {MAX_HOLDERS} holders and {o.total_shares} shares"
                for o in over))


def rule_violations(conn, close_offset_days: int = CLOSE_OFFSET_DAYS) -> list[tuple[int, str, str]]:
    """(liquidate id, product code, problem) for every transfer that breaks a rule."""
    with transaction(conn) as cur:
        cur.execute(repo.sql("rule_violations"), {"close_offset_days": close_offset_days})
        return cur.fetchall()


def check_transfer_rules(conn, close_offset_days: int = CLOSE_OFFSET_DAYS) -> None:
    problems = rule_violations(conn, close_offset_days)
    if problems:
        shown = "; ".join(f"liquidation {lid} (product {code}): {problem}" for lid, code, problem in problems[:50])
        more = f" (and {len(problems) - 50} more)" if len(problems) > 50 else ""
        raise TransferRuleError(f"{len(problems)} transfer rule violation(s): {shown}{more}")


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


@dataclass(frozen=True)
class FeeLine:
    day: date
    channel_code: str
    transfers: int
    volume_fen: int
    fees_fen: int


def fee_report(conn, first_day: date, last_day: date) -> list[FeeLine]:
    with transaction(conn) as cur:
        cur.execute(repo.sql("fee_report"), {"first_day": first_day, "last_day": last_day})
        return [FeeLine(day, channel, count, to_fen(volume), to_fen(fees))
                for day, channel, count, volume, fees in cur.fetchall()]
