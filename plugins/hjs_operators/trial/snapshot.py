"""HJS's maturity amounts of one product, read 50 a page, into hjs_amount_snapshot for one run.

Per (run, product), in ONE transaction: delete what an earlier attempt of this run wrote, insert
every record (COPY), and record the fetch in trial_fetch. A task retry therefore replaces, never
doubles. Records are parsed one by one: a record HJS sent malformed (amount "N/A", a missing field)
is kept with its raw amount text and the reason in `problem`, and the rest of the page is used.
What makes the whole list untrustworthy - a page of more than 50 records, a total that changes
between pages, an orderNo that repeats, a product HJS does not know - is recorded as a FAILED fetch
with the reason; the product is then held, and nothing of it is kept.
A record zw cannot store as HJS sent it (a NUL byte, an amount beyond NUMERIC(18,2)) is such a
malformed record too, never a database error. HJS's maturity date is kept beside the fetch: the
comparison holds a product whose date differs from zw's.
fetch_products isolates products: one whose fetch fails for good (HJS answering 5xx after the client's
retries, a write zw refuses) is recorded FAILED with the reason and the others go on; only HJS failing
for several products in a row (an outage, not a product) raises, so the task retries.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ..client import pager
from ..client.client import MATURITY_TRIAL
from ..client.results import MaturityPage, MaturityRecord
from ..protocol.errors import HjsBusinessError, HjsProtocolError, HjsTransientError
from ..repository.db import transaction
from ..repository.sql_files import load_sql

log = logging.getLogger(__name__)

_MONEY = re.compile(r"(0|[1-9][0-9]*)\.[0-9]{2}")
MAX_RAW = 64  # raw text kept for an operator; long enough for any amount, short enough to stay a field
MAX_INTEGER_DIGITS = 16  # NUMERIC(18, 2): at most 16 digits before the point
NUL = "\x00"
OUTAGE_AFTER = 3  # products failing transiently in a row: HJS is down, not one product


@dataclass(frozen=True)
class SnapshotRow:
    order_no: str  # what the pager orders and de-duplicates by ("" when HJS sent none)
    asset_id: str | None
    holder_asset_id: str | None
    principal: str | None
    interest: str | None
    amount: str | None
    amount_raw: str | None
    problem: str | None


@dataclass(frozen=True)
class FetchResult:
    product_id: int
    product_code: str
    status: str  # OK or FAILED
    records: int
    bad_records: int
    pages: int
    problem: str | None = None
    hjs_maturity_date: date | None = None


def _text(value: Any) -> str | None:
    """Text as an operator may see it and PostgreSQL may store it: NUL bytes shown as \\x00, trimmed."""
    if value is None:
        return None
    return (value if isinstance(value, str) else str(value)).replace(NUL, "\\x00")[:MAX_RAW]


def _unstorable(item: Any) -> str | None:
    """Why zw cannot keep a record HJS sent as it is, or None."""
    if not isinstance(item, dict):
        return None
    for name, value in item.items():
        if isinstance(value, str) and NUL in value:
            return f"{name} contains a NUL byte"
    for name in ("principal", "interest", "amount"):
        value = item.get(name)
        if isinstance(value, str) and _MONEY.fullmatch(value) and len(value.split(".")[0]) > MAX_INTEGER_DIGITS:
            return f"{name} {value[:24]}... is beyond any amount zw can hold (NUMERIC(18,2))"
    return None


def _money_or_none(value: Any) -> str | None:
    fits = isinstance(value, str) and _MONEY.fullmatch(value) and len(value.split(".")[0]) <= MAX_INTEGER_DIGITS
    return value if fits else None


def _lenient_record(item: Any, *, where: str, index: int) -> SnapshotRow:
    try:
        unstorable = _unstorable(item)
        if unstorable:
            raise HjsProtocolError(f"{where} record #{index}: {unstorable}", service=MATURITY_TRIAL)
        record = MaturityRecord.parse(item, service=MATURITY_TRIAL, where=where, index=index)
    except HjsProtocolError as exc:
        data = item if isinstance(item, dict) else {}
        order_no = data.get("orderNo")
        return SnapshotRow(
            order_no=_text(order_no) if isinstance(order_no, str) else "",
            asset_id=_text(data.get("assetId")), holder_asset_id=_text(data.get("holderAssetId")),
            principal=_money_or_none(data.get("principal")), interest=_money_or_none(data.get("interest")),
            amount=_money_or_none(data.get("amount")), amount_raw=_text(data.get("amount")),
            problem=str(exc).replace(NUL, "\\x00"))
    return SnapshotRow(order_no=record.order_no, asset_id=record.asset_id, holder_asset_id=record.holder_asset_id,
                       principal=f"{record.principal:f}", interest=f"{record.interest:f}",
                       amount=f"{record.amount:f}", amount_raw=_text(item.get("amount")), problem=None)


def _page_fetcher(client):
    """A pager fetch function that parses the page header strictly and the records leniently."""

    def fetch(product_code: str, page_no: int, page_size: int) -> MaturityPage:
        payload = client.maturity_trial_payload(product_code, page_no, page_size)
        items = payload.get("records")
        header = MaturityPage.parse({**payload, "records": []}, service=MATURITY_TRIAL,
                                    product_code=product_code, page_no=page_no)
        if not isinstance(items, list):
            raise HjsProtocolError(f"product {product_code} page {page_no}: records is not a list",
                                   service=MATURITY_TRIAL)
        where = f"product {product_code} page {page_no}"
        rows = tuple(_lenient_record(item, where=where, index=i + 1) for i, item in enumerate(items))
        return replace(header, records=rows)

    return fetch


def fetch_product(zw_conn, client, *, run_id: str, product_id: int, product_code: str,
                  page_size: int = pager.MAX_PAGE_SIZE) -> FetchResult:
    """Read every page of the product and replace this run's snapshot of it. See the module docstring.
    HjsTransientError (HJS still failing after the client's retries) propagates."""
    rows: list[SnapshotRow] = []
    pages = 0
    problem = None
    hjs_maturity = None
    try:
        for page in pager.iter_pages(_page_fetcher(client), product_code, page_size=page_size):
            rows.extend(page.records)
            hjs_maturity = page.maturity_date
            pages += 1
    except HjsProtocolError as exc:
        problem = f"maturity amounts could not be read consistently: {exc}"
    except HjsBusinessError as exc:
        problem = f"HJS refused the maturity trial: {exc}"
    if problem is not None:
        rows, hjs_maturity = [], None
    bad = sum(1 for row in rows if row.problem)
    result = FetchResult(product_id, product_code, "FAILED" if problem else "OK", len(rows), bad, pages, problem,
                         hjs_maturity)
    _write(zw_conn, run_id, result, rows)
    if problem:
        log.warning("product %s (%d): fetch FAILED, product will be held: %s", product_code, product_id, problem)
    else:
        log.info("product %s (%d): %d record(s) in %d page(s), %d malformed", product_code, product_id,
                 len(rows), pages, bad)
    return result


def record_failure(zw_conn, run_id: str, product_id: int, product_code: str, problem: str) -> FetchResult:
    """Record that the product could not be fetched at all (its snapshot of this run emptied)."""
    result = FetchResult(product_id, product_code, "FAILED", 0, 0, 0, problem)
    _write(zw_conn, run_id, result, [])
    log.error("product %s (%d): fetch FAILED, product will be held: %s", product_code, product_id, problem)
    return result


def fetch_products(zw_conn, client, *, run_id: str, products: dict[int, str],
                   page_size: int = pager.MAX_PAGE_SIZE) -> list[FetchResult]:
    """Fetch each product (id -> code); a product that fails for good is recorded FAILED and the others
    go on. HJS failing transiently for OUTAGE_AFTER products in a row raises (an outage: the task's
    retry is the better wait)."""
    results: list[FetchResult] = []
    in_a_row = 0
    open_at_hjs = _open_at_hjs(zw_conn, list(products))
    for done, (product_id, code) in enumerate(sorted(products.items()), start=1):
        if product_id in open_at_hjs:
            results.append(record_failure(zw_conn, run_id, product_id, code, open_at_hjs[product_id]))
            continue
        try:
            result = fetch_product(zw_conn, client, run_id=run_id, product_id=product_id, product_code=code,
                                   page_size=page_size)
            in_a_row = 0
        except HjsTransientError as exc:
            in_a_row += 1
            if in_a_row >= OUTAGE_AFTER:
                raise HjsTransientError(f"HJS failed for {in_a_row} products in a row (last {code}): {exc}",
                                        service=MATURITY_TRIAL) from exc
            result = record_failure(zw_conn, run_id, product_id, code, f"HJS kept failing: {exc}")
        except Exception as exc:  # noqa: BLE001 - any other failure of one product holds that product only
            result = record_failure(zw_conn, run_id, product_id, code,
                                    f"fetch failed ({type(exc).__name__}): {str(exc).replace(NUL, '')[:300]}")
        results.append(result)
        log.info("fetched %d/%d products (%d records so far)", done, len(products), sum(r.records for r in results))
    return results


def _open_at_hjs(zw_conn, product_ids: list[int]) -> dict[int, str]:
    """Products whose transfers are not closed at HJS -> why they are not fetched."""
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/closed_at_hjs.sql"), {"product_ids": product_ids})
        return {product_id: ("transfers are not closed at HJS, so its holdings could still change; close_transfers "
                             f"failed ({last_failure or 'see its log'})")
                for product_id, closed, last_failure in cur.fetchall() if not closed}


def _write(zw_conn, run_id: str, result: FetchResult, rows: list[SnapshotRow]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for r in rows:
        writer.writerow([run_id, result.product_id, r.order_no or None, r.asset_id, r.holder_asset_id, r.principal,
                         r.interest, r.amount, r.amount_raw, r.problem])
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/delete_snapshot.sql"), {"run_id": run_id, "product_id": result.product_id})
        if rows:
            with cur.copy(load_sql("trial/copy_snapshot.sql")) as copy:
                copy.write(buffer.getvalue())
        cur.execute(load_sql("trial/upsert_fetch.sql"), {
            "run_id": run_id, "product_id": result.product_id, "status": result.status,
            "records": result.records, "bad_records": result.bad_records, "pages": result.pages,
            "problem": result.problem, "hjs_maturity_date": result.hjs_maturity_date})
