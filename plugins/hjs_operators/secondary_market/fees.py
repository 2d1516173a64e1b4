"""The fee report: transfers, volume and fees per day and channel (include/sql/secondary_market/fee_report.sql)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..domain.money import to_fen
from ..repository.db import transaction
from . import repository as repo


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
