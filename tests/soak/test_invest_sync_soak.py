"""Fault soak of the invest sync: 20 seeds of HTTP errors, timeouts and answers lost after HJS committed.

Each seed: 3 products x 8 INVEST_START assets in a fresh zw, the products known to the sandbox. A pass
is what one run of hjs_invest_sync does (plan, then every batch through InvestSync.subscribe_batch, the
call the operator makes), with the faults on. An asset a pass could not subscribe must stay
INVEST_START with its failure recorded; passes repeat (at most MAX_PASSES) until nothing waits. Then:
every asset subscribed exactly once at HJS, INVEST_SUCCESS with one invest record in zw (tests/soak/checks.py).
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.invest_sync.helpers import make_products
from tests.soak.checks import check_invest, outcome_counts, rows
from tests.soak.drive import one_pass, waiting
from tests.soak.faults import MAX_PASSES, SEEDS, assert_faults_hit, faults_for, seed_id

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox]

PRODUCTS = 3
ASSETS_PER_PRODUCT = 8
FAILED = ("BUSINESS_FAILURE", "TRANSIENT_FAILURE", "PROTOCOL_FAILURE")


@pytest.mark.parametrize("seed", SEEDS, ids=seed_id)
def test_invest_sync_subscribes_every_asset_exactly_once_under_faults(seed, zw_conn, zw_db, sandbox):
    made = make_products(zw_conn, sandbox, products=PRODUCTS, assets=ASSETS_PER_PRODUCT)
    asset_ids = sorted(a for ids in made.values() for a in ids)
    product_of = {a: product_id for product_id, ids in made.items() for a in ids}
    outcomes: Counter[str] = Counter()
    booked = 0
    sandbox.admin.set_faults(**faults_for(seed))

    passes = 0
    while waiting(zw_conn, asset_ids) and passes < MAX_PASSES:
        passes += 1
        run_id = f"soak-{seed:02d}-pass-{passes}"
        results, stopped = one_pass(zw_db, sandbox, outcomes, run_id)
        for result in results:
            parts = (result["subscribed"] + result["already_at_hjs"] + result["already_booked"]
                     + result["not_attempted"] + result["failed"])
            assert parts == result["assets"], f"pass {passes}: counts do not add up: {result}"
            booked += result["subscribed"] + result["already_at_hjs"]
        # "failed, retry later" is legitimate only when recorded: an asset left waiting has a failure row of
        # this pass (or its batch stopped as a whole, which fails the task for Airflow to retry)
        failed_now = {subject for subject, in rows(
            zw_conn, "SELECT subject_id FROM hjs_sync_attempt WHERE kind = 'INVEST' AND run_id = %s "
                     "AND outcome = ANY(%s)", (run_id, list(FAILED)))}
        silent = [a for a in waiting(zw_conn, asset_ids) if a not in failed_now and product_of[a] not in stopped]
        assert not silent, f"pass {passes}: assets left INVEST_START with no failure recorded: {silent}"
    sandbox.admin.clear_faults()

    left = waiting(zw_conn, asset_ids)
    assert not left, f"still INVEST_START after {MAX_PASSES} passes with faults: {left}"
    assert booked == len(asset_ids), f"the passes booked {booked} subscriptions for {len(asset_ids)} assets"
    check_invest(zw_conn, sandbox, asset_ids)
    assert_faults_hit(outcomes, outcome_counts(zw_conn, "INVEST")["ALREADY_AT_HJS"])
