"""Fixtures of the T-3 trial tests: demo data in zw, the sandbox seeded from it, a fast client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

# The run day the tests use; the demo lays its dates around it (products maturing at TODAY + 3 in every
# channel, one with an A -> B -> C transfer chain).
# Seed 5 gives T-3 products whose interest has a half fen or more for some share counts, so the
# sandbox (truncating) and zw (half-up) differ by one fen on those assets.
TODAY = date(2026, 11, 24)
T3 = date(2026, 11, 27)


@dataclass
class World:
    zw_db: object
    sandbox: object
    counts: dict


def load_world(zw_db, sandbox, *, assets: int = 300, max_shares: int = 20, seed: int = 5,
               missed_days: bool = False) -> World:
    from demo.generate import DemoSpec
    from demo.load import load
    from stack.sandbox_seed import seed_sandbox

    conn = zw_db.connect()
    try:
        counts = load(conn, DemoSpec(assets=assets, today=TODAY, max_shares=max_shares, seed=seed,
                                       missed_days=missed_days))
    finally:
        conn.close()
    seed_sandbox(zw_db, sandbox.base_url)
    return World(zw_db, sandbox, counts)


@pytest.fixture
def world(zw_db, sandbox) -> World:
    return load_world(zw_db, sandbox)


@pytest.fixture
def client(sandbox):
    from tests.client.helpers import make_client

    with make_client(sandbox) as c:
        yield c


def t3_products(conn) -> list[tuple[int, str]]:
    with conn.cursor() as cur:
        cur.execute("SELECT id, product_code FROM hjs_product WHERE maturity_date = %s ORDER BY id", (T3,))
        return cur.fetchall()


@pytest.fixture
def trial_env(pipeline_env, monkeypatch, tmp_path):
    zw_db, sandbox, mailbox = pipeline_env
    monkeypatch.setenv("AIRFLOW_VAR_HJS_REPORT_BASE", (tmp_path / "reports").as_uri())
    load_world(zw_db, sandbox)
    return zw_db, sandbox, mailbox, tmp_path / "reports"
