"""Checks over the data, whoever wrote it: the holder limit and the transfer rules; each fails naming
every package or transfer at fault."""

from __future__ import annotations

from dataclasses import dataclass

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
