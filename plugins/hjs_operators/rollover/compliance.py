"""The packages' compliance check: no package has more than settings.MAX_HOLDERS holders or more
shares held than it has (the one holder limit, packages/holder_limit_breaches.sql)."""

from __future__ import annotations

from dataclasses import dataclass

from ..repository.db import transaction
from ..repository.sql_files import load_sql
from ..settings import MAX_HOLDERS


class PackageComplianceError(RuntimeError):
    """A package has more holders or more shares held than allowed."""


@dataclass(frozen=True)
class Breach:
    product_code: str
    channel: str
    status: str
    total_shares: int
    held_shares: int
    holders: int

    def describe(self) -> str:
        problems = []
        if self.holders > MAX_HOLDERS:
            problems.append(f"{self.holders} holders (at most {MAX_HOLDERS})")
        if self.held_shares > self.total_shares:
            problems.append(f"{self.held_shares} shares held of {self.total_shares}")
        return f"package {self.product_code} (channel {self.channel}, {self.status}): {' and '.join(problems)}"


def compliance_breaches(conn) -> list[Breach]:
    with transaction(conn) as cur:
        cur.execute(load_sql("packages/holder_limit_breaches.sql"), {"product_id": None, "max_holders": MAX_HOLDERS})
        rows = cur.fetchall()
    return [Breach(code, channel, status, int(total), int(held), int(holders))
            for _id, code, channel, holders, held, total, status in rows]


def check_compliance(conn) -> None:
    """Raise PackageComplianceError naming every breaching package."""
    breaches = compliance_breaches(conn)
    if breaches:
        raise PackageComplianceError(
            f"{len(breaches)} package(s) break the sale rules: " + "; ".join(b.describe() for b in breaches))
