"""What HJS must fund for a maturity date, per product: to users' balance accounts and to bank cards.

Principal + interest only (zw's figures from the sell records; boosts are zw's and never funded by
HJS). An asset with any boost is paid to the balance account; otherwise money goes back the way it was
paid (card purchase -> card, balance purchase -> balance).

Each product is announced to HJS exactly once (settlement_notice_product, written in the transaction
that claims the e-mail): the first notice of a maturity date is "settlement:<date>", anything settled
for that date later (an acceptance, a product settled on a later run, a missed day) goes out as an
addendum naming its products. What is announced is found from the data, so a run that failed to send
leaves the work to the next one.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..domain.money import format_yuan, to_fen
from ..notices import Attachment, Notice, send_once
from ..repository.db import transaction
from ..repository.sql_files import load_sql


@dataclass(frozen=True)
class ProductFunding:
    product_id: int
    product_code: str
    channel_code: str
    maturity_date: date
    balance_fen: int
    card_fen: int
    balance_assets: int
    card_assets: int

    @property
    def total_fen(self) -> int:
        return self.balance_fen + self.card_fen


@dataclass(frozen=True)
class HeldProduct:
    id: int
    product_code: str
    channel_code: str
    maturity_date: date


def funding_of(zw_conn, product_ids: list[int]) -> list[ProductFunding]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/settlement_amounts.sql"), {"product_ids": list(product_ids)})
        return [ProductFunding(*row[:4], to_fen(Decimal(row[4])), to_fen(Decimal(row[5])), row[6], row[7])
                for row in cur.fetchall()]


def held_products(zw_conn, run_id: str) -> list[HeldProduct]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/held_products.sql"), {"run_id": run_id})
        return [HeldProduct(*row) for row in cur.fetchall()]


def _ids(zw_conn, sql_name: str, params: dict) -> list[int]:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql(sql_name), params)
        return [row[0] for row in cur.fetchall()]


def _notice_exists(zw_conn, key: str) -> bool:
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/notice_exists.sql"), {"notice_key": key})
        return bool(cur.fetchone()[0])


@dataclass(frozen=True)
class Sent:
    key: str
    maturity_date: date
    products: list[str]
    sent: bool


def announce_settled(zw_conn, *, target_date: date, run_id: str, to: Sequence[str], smtp_conn_id: str,
                     held: Sequence[HeldProduct] = (), attachments: Sequence[Attachment] = (),
                     resend_date: date | None = None) -> list[Sent]:
    """Tell HJS what to fund for every settled product not yet announced (maturity <= target_date), one
    e-mail per maturity date: the date's notice, or an addendum when the notice already went out.
    resend_date: send that date's notice again with every product announced for it."""
    pending = funding_of(zw_conn, _ids(zw_conn, "trial/unannounced_products.sql", {"target_date": target_date}))
    by_date: dict[date, list[ProductFunding]] = {}
    for row in pending:
        by_date.setdefault(row.maturity_date, []).append(row)
    results = []
    for day, rows in sorted(by_date.items()):
        addendum = _notice_exists(zw_conn, notice_key(day))
        results.append(_send(zw_conn, day, rows, addendum=addendum, run_id=run_id, to=to, smtp_conn_id=smtp_conn_id,
                             held=[h for h in held if h.maturity_date == day], attachments=attachments))
    if resend_date is not None and not any(r.sent and r.key == notice_key(resend_date) for r in results):
        rows = funding_of(zw_conn, _ids(zw_conn, "trial/announced_products.sql", {"maturity_date": resend_date}))
        if rows:
            results.append(_send(zw_conn, resend_date, rows, addendum=False, run_id=run_id, to=to,
                                 smtp_conn_id=smtp_conn_id, resend=True, attachments=attachments,
                                 held=[h for h in held if h.maturity_date == resend_date]))
    return results


def _send(zw_conn, day: date, rows: list[ProductFunding], *, addendum: bool, run_id: str, to: Sequence[str],
          smtp_conn_id: str, held: Sequence[HeldProduct], attachments: Sequence[Attachment],
          resend: bool = False) -> Sent:
    codes = [r.product_code for r in rows]
    key = f"{notice_key(day)}:addendum:{','.join(sorted(codes))}" if addendum else notice_key(day)
    name = f"zw-settlement-{day.isoformat()}{'-addendum' if addendum else ''}.csv"
    subject = (f"zw settlement {'addendum ' if addendum else ''}for maturity date {day.isoformat()}: "
               f"{len(rows)} product(s)" + (f" ({', '.join(codes)})" if addendum else ""))
    notice = Notice(key=key, kind="settlement-addendum" if addendum else "settlement", to=list(to), subject=subject,
                    html=funding_html(day, rows, held, addendum=addendum),
                    attachments=[Attachment(name, funding_csv(rows)), *attachments])

    def record(cur) -> None:
        cur.execute(load_sql("trial/record_announced.sql"), {
            "product_ids": [r.product_id for r in rows], "maturity_date": day, "notice_key": key, "run_id": run_id})

    sent = send_once(zw_conn, notice, smtp_conn_id=smtp_conn_id, run_id=run_id, resend=resend, record=record)
    return Sent(key, day, codes, sent)


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


def funding_html(maturity_date: date, rows: list[ProductFunding], held: Sequence[HeldProduct],
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
                     + ", ".join(e(h.product_code) for h in held) + "</p>")
    return "\n".join(lines)
