"""The payback summary e-mail to operations: the run's orders and totals per product and destination
(read from zw), each late maturity day, the products not paid; rendered as HTML with a CSV attached.
Plain Python: the operator sends it with notices.send_once."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..domain.money import format_yuan, to_fen
from ..notices import Attachment, Notice
from ..repository.db import transaction
from ..repository.sql_files import load_sql


@dataclass(frozen=True)
class SummaryRow:
    maturity_date: date
    product_code: str
    destination: str
    orders: int
    principal_fen: int
    interest_fen: int
    boost_fen: int
    amount_fen: int


def summary_rows(conn, product_ids: list[int]) -> list[SummaryRow]:
    """Orders and totals per product and destination, for the given products (a run's products)."""
    with transaction(conn) as cur:
        cur.execute(load_sql("payback/summary.sql"), {"product_ids": list(product_ids)})
        rows = cur.fetchall()
    return [SummaryRow(maturity, code, dest, int(n), *(to_fen(Decimal(v)) for v in money))
            for maturity, code, dest, n, *money in rows]


def summary_key(outcome: dict) -> str:
    key = f"payback-summary:{outcome['run_day']}"
    # a run that pays a late day (a blocked product fixed, its day's run missed) has news of its own
    late = sorted(p["product_code"] for p in outcome["late"] if p["paid"] and p["new_orders"])
    unpaid = sorted(p["product_code"] for p in outcome["unpaid"])
    # a day whose outcome changes (a blocked product paid after a fix) gets its own, final mail
    return key + (f":late:{','.join(late)}" if late else "") + (f":unpaid:{','.join(unpaid)}" if unpaid else "")


def _late_days(outcome: dict) -> dict[str, list[dict]]:
    days: dict[str, list[dict]] = {}
    for product in outcome["late"]:
        days.setdefault(product["maturity_date"], []).append(product)
    return dict(sorted(days.items()))


def _late_line(product: dict, unpaid: dict[int, dict]) -> str:
    if product["paid"]:
        done = (f"now paid ({product['new_orders']} new order(s))" if product["new_orders"]
                else "paid (by an earlier run)")
        return f"{product['product_code']}: {done}"
    return f"{product['product_code']}: still NOT PAID: {unpaid[product['product_id']]['missing']}"


def render_summary(outcome: dict, rows: list) -> tuple[str, str, bytes]:
    """Subject, HTML body and CSV attachment of the operations summary."""
    day = outcome["run_day"]
    total = sum(r.amount_fen for r in rows)
    orders = sum(r.orders for r in rows)
    subject = (f"HJS maturity payback {day}: {outcome['paid']}/{outcome['products']} product(s) paid, "
               f"{orders} order(s), {format_yuan(total)} yuan")
    late_days = _late_days(outcome)
    if late_days:
        subject += " - LATE: " + "; ".join(
            f"{maturity} ({products[0]['days_late']} day(s) late): {', '.join(p['product_code'] for p in products)}"
            for maturity, products in late_days.items())
    if outcome["unpaid"]:
        subject += f" - {len(outcome['unpaid'])} product(s) NOT PAID"
    cells = "".join(
        f"<tr><td>{r.maturity_date}</td><td>{html.escape(r.product_code)}</td><td>{r.destination}</td>"
        f"<td align=right>{r.orders}</td>"
        f"<td align=right>{format_yuan(r.principal_fen)}</td><td align=right>{format_yuan(r.interest_fen)}</td>"
        f"<td align=right>{format_yuan(r.boost_fen)}</td><td align=right>{format_yuan(r.amount_fen)}</td></tr>"
        for r in rows)
    by_destination = {}
    for r in rows:
        n, fen = by_destination.get(r.destination, (0, 0))
        by_destination[r.destination] = (n + r.orders, fen + r.amount_fen)
    totals = "".join(f"<li>{dest}: {n} order(s), {format_yuan(fen)} yuan</li>"
                     for dest, (n, fen) in sorted(by_destination.items()))
    unpaid_by_id = {p["product_id"]: p for p in outcome["unpaid"]}
    unpaid = "".join(f"<li><b>{html.escape(p['product_code'])}</b> (maturity {p['maturity_date']}"
                     f"{', ' + str(p['days_late']) + ' day(s) late' if p['days_late'] else ''}): "
                     f"{html.escape(p['missing'])}</li>" for p in outcome["unpaid"])
    body = f"<h3>HJS maturity payback, run of {day}</h3>"
    if late_days:
        items = "".join(
            f"<li><b>{maturity}</b>, {products[0]['days_late']} day(s) late (that day's payback run was missed or "
            "stopped):<ul>" + "".join(f"<li>{html.escape(_late_line(p, unpaid_by_id))}</li>" for p in products)
            + "</ul></li>" for maturity, products in late_days.items())
        body += f"<h4>LATE maturity days paid by this run</h4><ul>{items}</ul>"
    body += (f"<p>{outcome['products']} product(s) due by {day}; {outcome['paid']} paid. Payback orders (status "
             f"SELL_SUCCESS) are paid out by the payment system's batch.</p>"
             f"<ul>{totals}</ul>"
             "<table border=1 cellpadding=3><tr><th>maturity date</th><th>product</th><th>destination</th>"
             "<th>orders</th><th>principal</th><th>interest</th><th>boost interest</th><th>amount</th></tr>"
             f"{cells}</table>")
    if unpaid:
        body += ("<h4>NOT PAID (nothing written for these products; every later run tries again and fails until "
                 f"they are fixed)</h4><ul>{unpaid}</ul>")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["maturity_date", "product_code", "destination", "orders", "principal", "interest",
                     "boost_interest", "amount"])
    for r in rows:
        writer.writerow([r.maturity_date, r.product_code, r.destination, r.orders, format_yuan(r.principal_fen),
                         format_yuan(r.interest_fen), format_yuan(r.boost_fen), format_yuan(r.amount_fen)])
    return subject, body, out.getvalue().encode("utf-8")


def summary_notice(conn, outcome: dict, to: list[str]) -> Notice:
    """The summary of the payback task's outcome (its XCom) as a notice, keyed per run day and outcome."""
    rows = summary_rows(conn, [*outcome["paid_product_ids"]])
    subject, body, attachment = render_summary(outcome, rows)
    return Notice(key=summary_key(outcome), kind="PAYBACK_SUMMARY", to=to, subject=subject, html=body,
                  attachments=[Attachment(f"payback-{outcome['run_day']}.csv", attachment)])
