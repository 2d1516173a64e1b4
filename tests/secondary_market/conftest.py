"""Fixtures for the secondary-market tests: a subscribed product in zw and the sandbox, a fast client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

from hjs_operators.client import Timeouts
from stack.sandbox_seed import seed_sandbox
from tests.client.helpers import make_client
from tests.secondary_market.helpers import MATURITY, Market, add_invest_record
from tests.zw_rows import add_asset, add_product


@pytest.fixture
def hjs(sandbox) -> Iterator:
    # a short read timeout so that the sandbox's hangs are real client timeouts (hang_seconds > 0.8)
    client = make_client(sandbox, timeouts=Timeouts(connect=2.0, read=0.8))
    yield client
    client.close()



@pytest.fixture
def market(zw_db, zw_conn, sandbox) -> Callable[..., Market]:
    def make(assets: int = 3, *, maturity: date = MATURITY, value_date: date = date(2025, 11, 27),
             channel: str = "HJS_T") -> Market:
        product_id = add_product(zw_conn, channel=channel, value_date=value_date, maturity_date=maturity)
        ids = [add_asset(zw_conn, product_id, user_id=user) for user in range(1, assets + 1)]
        for asset_id in ids:
            add_invest_record(zw_conn, asset_id)
        with zw_conn.cursor() as cur:
            cur.execute("SELECT product_code FROM hjs_product WHERE id = %s", (product_id,))
            (code,) = cur.fetchone()
        zw_conn.commit()
        seed_sandbox(zw_db, sandbox.base_url)
        return Market(zw_conn, product_id, code, ids)

    return make

