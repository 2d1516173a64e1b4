"""Reading all maturity records of a product, 50 a page, with the consistency checks of spec 5.

HJS pages by position (pageNo, pageSize), so the records of a page depend on the whole list staying
put while we read. The pager therefore checks, page by page, that:
- `total` is the same on every page (a change means the list moved underneath us);
- each page has exactly as many records as its position allows - min(size, total - already read) -
  so neither a 51-record page (HJS's cap is 50) nor a short page slips through;
- no orderNo appears twice, and orderNos ascend (the spec sorts by orderNo, so a repeat or a step
  back means pages overlap);
- maturityDate is the same on every page.
Any failure is an HjsProtocolError naming the product and the page. Progress is logged per page.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator

from ..protocol.errors import HjsProtocolError
from .results import MaturityPage, MaturityRecord, MaturityTrial

log = logging.getLogger("hjs_operators.client.pager")

SERVICE = "maturity.trial"
MAX_PAGE_SIZE = 50  # HJS's cap (spec section 5); asking for more is refused with 1005

FetchPage = Callable[[str, int, int], MaturityPage]


def _fail(product_code: str, page_no: int, problem: str) -> HjsProtocolError:
    return HjsProtocolError(f"product {product_code} page {page_no}: {problem}", service=SERVICE)


def iter_pages(fetch: FetchPage, product_code: str, *, page_size: int = MAX_PAGE_SIZE) -> Iterator[MaturityPage]:
    """Yield checked pages until `total` records have been read. fetch(product, page_no, size)."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page size must be between 1 and {MAX_PAGE_SIZE}")
    page_no = 0
    read = 0
    total: int | None = None
    maturity_date = None
    last_order_no: str | None = None
    seen: set[str] = set()
    while total is None or read < total:
        page_no += 1
        page = fetch(product_code, page_no, page_size)
        if total is None:
            total, maturity_date = page.total, page.maturity_date
        elif page.total != total:
            raise _fail(product_code, page_no, f"total changed from {total} to {page.total} between pages")
        if page.maturity_date != maturity_date:
            raise _fail(product_code, page_no, "maturityDate changed between pages")
        expected = min(page_size, total - read)
        count = len(page.records)
        if count > page_size:
            raise _fail(product_code, page_no, f"{count} records on a page of at most {page_size}")
        if count != expected:
            raise _fail(product_code, page_no, f"{count} records where {expected} were due (total {total})")
        for record in page.records:
            if record.order_no in seen:
                raise _fail(product_code, page_no, f"orderNo {record.order_no} repeats")
            if last_order_no is not None and record.order_no < last_order_no:
                raise _fail(product_code, page_no, f"orderNo {record.order_no} is out of order")
            seen.add(record.order_no)
            last_order_no = record.order_no
        read += count
        pages = max(1, math.ceil(total / page_size))
        log.info("product %s: page %d/%d (%d/%d records)", product_code, page_no, pages, read, total)
        yield page


def collect(fetch: FetchPage, product_code: str, *, page_size: int = MAX_PAGE_SIZE) -> MaturityTrial:
    """All pages of a product as one MaturityTrial."""
    records: list[MaturityRecord] = []
    first: MaturityPage | None = None
    pages = 0
    for page in iter_pages(fetch, product_code, page_size=page_size):
        first = first or page
        records.extend(page.records)
        pages += 1
    assert first is not None  # iter_pages always fetches at least one page
    return MaturityTrial(
        product_code=product_code,
        maturity_date=first.maturity_date,
        total=first.total,
        records=tuple(records),
        pages=pages,
    )
