"""The transfer sync's e-mail to operations: what the run registered, what HJS refused, fees per day
and channel. Plain Python: the operator sends it with notices.send_once."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from ..domain.money import format_yuan
from ..domain.order_numbers import transfer_no
from ..repository.db import transaction
from . import repository as repo
from .fees import FeeLine, fee_report
from .registration import Refusal


@dataclass(frozen=True)
class SyncReport:
    day: date
    outcomes: dict[str, int]  # this run's attempts by outcome
    set_aside: tuple[Refusal, ...]  # transfers refused by HJS (or zw) and not registered
    fees: tuple[FeeLine, ...]

    def subject(self) -> str:
        flag = f"{len(self.set_aside)} refused transfer(s) - " if self.set_aside else ""
        return f"[HJS transfer sync] {self.day}: {flag}fee report"

    def html(self) -> str:
        esc = html.escape
        parts = [f"<h3>HJS transfer sync for {self.day}</h3>"]
        done = ", ".join(f"{esc(k)}: {v}" for k, v in sorted(self.outcomes.items())) or "nothing to register"
        parts.append(f"<p>This run: {done}.</p>")
        if self.set_aside:
            parts.append(f"<h4>Refused, not registered at HJS ({len(self.set_aside)})</h4><p>Each is set aside and "
                         "not sent again. HJS still shows the seller as the holder: fix the cause, then trigger "
                         "hjs_transfer_sync with <code>retry_refused</code> = true.</p>")
            parts.append("<table border='1' cellpadding='3'><tr><th>liquidation</th><th>transfer no</th>"
                         "<th>product</th><th>code</th><th>reason</th></tr>")
            parts.extend(f"<tr><td>{r.liquidate_id}</td><td>{esc(r.transfer_no)}</td><td>{esc(r.product_code)}</td>"
                         f"<td>{esc(r.code or '')}</td><td>{esc(r.reason)}</td></tr>" for r in self.set_aside)
            parts.append("</table>")
        parts.append(f"<h4>Fees on {self.day} per channel</h4>")
        if self.fees:
            parts.append("<table border='1' cellpadding='3'><tr><th>day</th><th>channel</th><th>transfers</th>"
                         "<th>volume (yuan)</th><th>fees (yuan)</th></tr>")
            parts.extend(f"<tr><td>{f.day}</td><td>{esc(f.channel_code)}</td><td>{f.transfers}</td>"
                         f"<td align='right'>{format_yuan(f.volume_fen)}</td>"
                         f"<td align='right'>{format_yuan(f.fees_fen)}</td></tr>" for f in self.fees)
            total = (sum(f.transfers for f in self.fees), sum(f.volume_fen for f in self.fees),
                     sum(f.fees_fen for f in self.fees))
            parts.append(f"<tr><th colspan='2'>total</th><th>{total[0]}</th><th align='right'>"
                         f"{format_yuan(total[1])}</th><th align='right'>{format_yuan(total[2])}</th></tr></table>")
        else:
            parts.append("<p>No transfers on this day.</p>")
        return "\n".join(parts)

    def csv(self) -> bytes:
        lines = ["day,channel,transfers,volume,fees"]
        lines.extend(f"{f.day},{f.channel_code},{f.transfers},{format_yuan(f.volume_fen)},{format_yuan(f.fees_fen)}"
                     for f in self.fees)
        return ("\n".join(lines) + "\n").encode("utf-8")


def build_report(conn, *, day: date, run_id: str) -> SyncReport:
    with transaction(conn) as cur:
        cur.execute(repo.sql("run_outcomes"), {"run_id": run_id})
        outcomes = dict(cur.fetchall())
    pending = repo.unregistered_transfers(conn)
    set_aside = tuple(Refusal(p.liquidate_id, transfer_no(p.liquidate_id), p.product_code, p.refused_code,
                              p.refused_reason or "", new=False) for p in pending if p.set_aside)
    return SyncReport(day, outcomes, set_aside, tuple(fee_report(conn, day, day)))
