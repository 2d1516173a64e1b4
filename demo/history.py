"""The demo's past days, written by the pipelines' own code, so what they show is what the DAGs write.

For every maturity date the demo has already confirmed (demo/generate.py), the T-3 run of that date is
replayed through the trial's own functions: transfers recorded closed at HJS, HJS's maturity amounts
fetched (from HjsAsItAnswered: HJS's truncating arithmetic, as the sandbox computes it, with that day's
faults), compared, the matching products sold, the held ones asked about and decided, the settlement
notice recorded; then the payback of each past maturity date. Two held products make the history:
- 9 days ago, HJS misreported one asset of channel HJS_C's product: kept on its T-3 day, held again the
  next day and then accepted with zw's amounts;
- 6 days ago, HJS did not know one asset of channel HJS_A's product: accepted on its T-3 day.
Every row a replayed run wrote is then moved to the moment that run happened (runs at 06:30 and 06:00,
Asia/Shanghai). E-mails are recorded as sent (notice_sent), not sent: the demo has no mail server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hjs_operators.domain.interest import day_basis, term_days
from hjs_operators.domain.money import to_fen
from hjs_operators.repository.db import transaction
from hjs_operators.repository.sql_files import load_sql
from hjs_operators.settings import DRIFT_PER_ASSET_FEN, TOLERANCE_FEN, TRIAL_OFFSET_DAYS
from sandbox.money import format_fen, truncated_interest_fen

from .generate import HISTORY_OFFSETS, SHANGHAI, DemoSpec

TRIAL_AT = time(6, 30)  # the T-3 DAG's schedule
PAYBACK_AT = time(6, 0)  # the payback DAG's schedule
PARTNER = "settlement@hjs.example"  # airflow_settings.yaml's hjs_partner_email
OPS = "hjs-ops@zw.example"  # and hjs_ops_email


@dataclass(frozen=True)
class HeldInHistory:
    """A past product HJS got wrong, and what people decided about it."""

    offset: int
    channel: str
    skew_fen: int  # 0: HJS did not know the asset at all
    kept_by: str | None  # "keep holding" on the T-3 day, then accepted the next day
    accepted_by: str
    comment: str


HELD_IN_HISTORY = (
    HeldInHistory(-9, "HJS_C", 9, kept_by="ops.li", accepted_by="ops.wang",
                  comment="HJS confirmed by phone that zw's amount is right; their record is corrected"),
    HeldInHistory(-6, "HJS_A", 0, kept_by=None, accepted_by="ops.li",
                  comment="HJS registered the subscription late; zw's amounts are right"),
)


def history_run_id(dag: str, day: date) -> str:
    return f"demo-history__{dag}__{day.isoformat()}"


def _at(day: date, moment: time, minutes: int = 0) -> datetime:
    return datetime.combine(day, moment, SHANGHAI) + timedelta(minutes=minutes)


class HjsAsItAnswered:
    """HJS's maturity.trial pages as HJS answered them that day: every subscription it knew, interest
    truncated to the fen (sandbox.money, HJS's rule), `skew` fen added to some orders, `unknown` left out."""

    def __init__(self, conn, skew: dict[str, int], unknown: set[str]) -> None:
        self.conn, self.skew, self.unknown = conn, skew, unknown

    def _records(self, product_code: str) -> tuple[list[dict], date | None]:
        with transaction(self.conn) as cur:
            cur.execute(load_sql("demo/hjs_subscriptions.sql"), {"product_code": product_code})
            rows = cur.fetchall()
        records = []
        for order_no, asset_id, amount, rate, day_count, value_date, maturity in rows:
            if order_no in self.unknown:
                continue
            principal = to_fen(amount)
            interest = truncated_interest_fen(principal, Decimal(rate), term_days(value_date, maturity),
                                              day_basis(day_count)) + self.skew.get(order_no, 0)
            records.append({"orderNo": order_no, "assetId": str(asset_id), "holderAssetId": str(asset_id),
                            "principal": format_fen(principal), "interest": format_fen(interest),
                            "amount": format_fen(principal + interest)})
        return records, rows[0][6] if rows else None

    def maturity_trial_payload(self, product_code: str, page_no: int, page_size: int) -> dict:
        records, maturity = self._records(product_code)
        return {"productCode": product_code, "maturityDate": maturity.isoformat() if maturity else None,
                "total": len(records), "pageNo": page_no, "pageSize": page_size,
                "records": records[(page_no - 1) * page_size:page_no * page_size]}


@contextmanager
def _quiet() -> Iterator[None]:
    """The pipelines log every product at INFO; loading the demo says only what it loaded."""
    logger = logging.getLogger("hjs_operators")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _execute(conn, sql_name: str, params: dict) -> list[tuple]:
    with transaction(conn) as cur:
        cur.execute(load_sql(sql_name), params)
        return cur.fetchall() if cur.description else []


def _record_notice(conn, *, key: str, kind: str, to: str, subject: str, run_id: str,
                   announced: tuple[date, list[int]] | None = None) -> None:
    """What send_once records for a notice, and which products a settlement notice announced."""
    _execute(conn, "notices/claim.sql", {"key": key, "kind": kind, "recipients": to, "subject": subject,
                                         "run_id": run_id, "resend": False})
    if announced:
        maturity, product_ids = announced
        _execute(conn, "trial/record_announced.sql", {"product_ids": product_ids, "maturity_date": maturity,
                                                      "notice_key": key, "run_id": run_id})


class HistoryReplay:
    def __init__(self, conn, spec: DemoSpec) -> None:
        self.conn, self.spec = conn, spec
        self.moments: dict[str, datetime] = {}  # run id -> when that run happened
        self.decisions: list[tuple[int, str, datetime]] = []  # (product, run id, when decided)

    def _products(self, maturity: date) -> dict[int, tuple[str, str]]:
        """Products maturing by `maturity` whose holders wait for their sell records: id -> (code, channel)."""
        rows = _execute(self.conn, "trial/select_products.sql", {"target_date": maturity})
        return {product_id: (code, channel) for product_id, code, channel, _maturity in rows}

    def _faults(self, maturity: date, products: dict[int, tuple[str, str]]) -> tuple[dict[str, int], set[str]]:
        skew, unknown = {}, set()
        for held in HELD_IN_HISTORY:
            if maturity != self.spec.today + timedelta(days=held.offset):
                continue
            code = next(code for code, channel in products.values() if channel == held.channel)
            first_order = HjsAsItAnswered(self.conn, {}, set())._records(code)[0][0]["orderNo"]
            if held.skew_fen:
                skew[first_order] = held.skew_fen
            else:
                unknown.add(first_order)
        return skew, unknown

    def trial_run(self, run_day: date, maturity: date) -> dict[int, str]:
        """The T-3 run of `run_day` for the products maturing by `maturity`; returns the held ones' channels."""
        from hjs_operators.trial.decisions import claim_questions
        from hjs_operators.trial.outcome import compare_and_record
        from hjs_operators.trial.sell import settle_products
        from hjs_operators.trial.settlement import notice_key
        from hjs_operators.trial.snapshot import fetch_products

        run_id = history_run_id("hjs_trial_reconciliation", run_day)
        self.moments[run_id] = _at(run_day, TRIAL_AT, minutes=2)
        products = self._products(maturity)
        for product_id, (code, _channel) in products.items():
            _execute(self.conn, "secondary_market/record_close_success.sql", {
                "product_id": product_id, "product_code": code, "reason": "closed at HJS", "run_id": run_id})
        skew, unknown = self._faults(maturity, products)
        fetch_products(self.conn, HjsAsItAnswered(self.conn, skew, unknown), run_id=run_id,
                       products={product_id: code for product_id, (code, _) in products.items()})
        outcome = compare_and_record(self.conn, run_id, list(products), tolerance_fen=TOLERANCE_FEN,
                                     drift_per_asset_fen=DRIFT_PER_ASSET_FEN)
        sold = settle_products(self.conn, run_id, outcome.settle, tolerance_fen=TOLERANCE_FEN,
                               drift_per_asset_fen=DRIFT_PER_ASSET_FEN).sold
        claim_questions(self.conn, run_id, outcome.hold)
        if sold:
            _record_notice(self.conn, key=notice_key(maturity), kind="settlement", to=PARTNER, run_id=run_id,
                           subject=f"zw settlement for maturity date {maturity}: {len(sold)} product(s)",
                           announced=(maturity, sorted(sold)))
        return {product_id: products[product_id][1] for product_id in outcome.hold}

    def decide(self, held: HeldInHistory, product_id: int, maturity: date) -> None:
        from hjs_operators.trial.decisions import accept_zw_amounts, keep_holding
        from hjs_operators.trial.settlement import notice_key

        run_day = maturity - timedelta(days=TRIAL_OFFSET_DAYS)
        run_id = history_run_id("hjs_trial_reconciliation", run_day)
        if held.kept_by:
            keep_holding(self.conn, product_id=product_id, run_id=run_id, decided_by=held.kept_by,
                         comment="HJS is checking its record; ask again tomorrow")
            self.decisions.append((product_id, run_id, _at(run_day, time(10, 5))))
            run_day += timedelta(days=1)  # the next day's run compares afresh and asks again
            if list(self.trial_run(run_day, maturity)) != [product_id]:
                raise RuntimeError(f"demo history: the kept product {product_id} should be held again, alone")
            run_id = history_run_id("hjs_trial_reconciliation", run_day)
        applied = accept_zw_amounts(self.conn, product_id=product_id, run_id=run_id, decided_by=held.accepted_by,
                                    comment=held.comment)
        self.decisions.append((product_id, run_id, _at(run_day, time(9, 40))))
        _record_notice(self.conn, key=f"{notice_key(maturity)}:addendum:{applied.product_code}",
                       kind="settlement-addendum", to=PARTNER, run_id=run_id,
                       subject=f"zw settlement addendum for maturity date {maturity}: 1 product(s) "
                               f"({applied.product_code})",
                       announced=(maturity, [product_id]))

    def payback_run(self, maturity: date) -> None:
        from hjs_operators.payback.service import pay_maturity_day
        from hjs_operators.payback.summary import summary_key

        run_id = history_run_id("hjs_maturity_payback", maturity)
        self.moments[run_id] = _at(maturity, PAYBACK_AT, minutes=1)
        result = pay_maturity_day(self.conn, maturity, run_id=run_id)
        if result.unpaid:
            raise RuntimeError(f"demo history: the payback of {maturity} left products unpaid: "
                               + "; ".join(p.describe_problems() for p in result.unpaid))
        _record_notice(self.conn, key=summary_key(result.to_xcom()), kind="PAYBACK_SUMMARY", to=OPS, run_id=run_id,
                       subject=f"zw payback {maturity}: {result.new_orders} order(s) for {len(result.paid)} product(s)")

    def retime(self) -> None:
        for run_id, at in self.moments.items():
            _execute(self.conn, "demo/retime_run.sql", {"run_id": run_id, "at": at})
        for product_id, run_id, at in self.decisions:
            _execute(self.conn, "demo/retime_decision.sql", {"product_id": product_id, "run_id": run_id, "at": at})


def replay_history(conn, spec: DemoSpec) -> dict[str, int]:
    """Run the pipelines over the demo's confirmed maturity dates (see the module docstring)."""
    replay = HistoryReplay(conn, spec)
    confirmed = [spec.today + timedelta(days=offset) for offset in spec.maturity_offsets
                 if spec.confirmed(offset)]
    with _quiet():
        for maturity in sorted(confirmed):
            held_now = replay.trial_run(maturity - timedelta(days=TRIAL_OFFSET_DAYS), maturity)
            for held in HELD_IN_HISTORY:
                if maturity == spec.today + timedelta(days=held.offset):
                    [product_id] = [p for p, channel in held_now.items() if channel == held.channel]
                    replay.decide(held, product_id, maturity)
        for offset in sorted(HISTORY_OFFSETS):
            replay.payback_run(spec.today + timedelta(days=offset))
        replay.retime()
    return {"trial runs": len([r for r in replay.moments if "trial" in r]),
            "payback runs": len([r for r in replay.moments if "payback" in r]), "decisions": len(replay.decisions)}
