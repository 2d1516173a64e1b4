"""What HJS must fund for a maturity date, per product: to users' balance accounts and to bank cards.

Principal + interest only (zw's figures from the sell records; boosts are zw's and never funded by
HJS). An asset with any boost is paid to the balance account; otherwise money goes back the way it was
paid (card purchase -> card, balance purchase -> balance).
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..domain.money import format_yuan, to_fen
from ..repository.db import transaction
from ..repository.sql_files import load_sql


@dataclass(frozen=True)
class ProductFunding:
    product_id: int
    product_code: str
    channel_code: str
    balance_fen: int
    card_fen: int
    balance_assets: int
    card_assets: int

    @property
    def total_fen(self) -> int:
        return self.balance_fen + self.card_fen


def funding_for(zw_conn, maturity_date: date) -> list[ProductFunding]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/settlement_amounts.sql"), {"maturity_date": maturity_date})
        return [ProductFunding(row[0], row[1], row[2], to_fen(Decimal(row[3])), to_fen(Decimal(row[4])), row[5],
                               row[6]) for row in cur.fetchall()]


def held_products(zw_conn, run_id: str) -> list[tuple[int, str, str]]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/held_products.sql"), {"run_id": run_id})
        return [tuple(row) for row in cur.fetchall()]


def notice_key(maturity_date: date) -> str:
    return f"settlement:{maturity_date.isoformat()}"


def funding_csv(rows: list[ProductFunding]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["product_code", "channel", "balance_amount", "card_amount", "total_amount", "balance_assets",
                     "card_assets"])
    for r in rows:
        writer.writerow([r.product_code, r.channel_code, format_yuan(r.balance_fen), format_yuan(r.card_fen),
                         format_yuan(r.total_fen), r.balance_assets, r.card_assets])
    writer.writerow(["TOTAL", "", format_yuan(sum(r.balance_fen for r in rows)),
                     format_yuan(sum(r.card_fen for r in rows)), format_yuan(sum(r.total_fen for r in rows)),
                     sum(r.balance_assets for r in rows), sum(r.card_assets for r in rows)])
    return buffer.getvalue().encode("utf-8")


def funding_html(maturity_date: date, rows: list[ProductFunding], held: list[tuple[int, str, str]],
                 *, addendum: bool = False) -> str:
    e = html.escape
    lines = [
        f"<h2>zw settlement {'addendum ' if addendum else ''}for maturity date {maturity_date.isoformat()}</h2>",
        "<p>Please fund the following amounts (principal + interest, yuan) for the products below. "
        "The CSV attachment has the same figures.</p>",
        "<table border='1' cellpadding='4' cellspacing='0'><tr><th>product</th><th>channel</th>"
        "<th>to balance accounts</th><th>to bank cards</th><th>total</th></tr>",
    ]
    for r in rows:
        lines.append(f"<tr><td>{e(r.product_code)}</td><td>{e(r.channel_code)}</td>"
                     f"<td align='right'>{format_yuan(r.balance_fen)}</td>"
                     f"<td align='right'>{format_yuan(r.card_fen)}</td><td align='right'>{format_yuan(r.total_fen)}"
                     "</td></tr>")
    lines.append(f"<tr><th colspan='2'>total</th><th align='right'>{format_yuan(sum(r.balance_fen for r in rows))}"
                 f"</th><th align='right'>{format_yuan(sum(r.card_fen for r in rows))}</th>"
                 f"<th align='right'>{format_yuan(sum(r.total_fen for r in rows))}</th></tr></table>")
    if held:
        lines.append("<p>Still under review (not included; a separate addendum follows once decided): "
                     + ", ".join(e(code) for _id, code, _channel in held) + "</p>")
    return "\n".join(lines)
