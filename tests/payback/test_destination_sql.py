"""The payback destination rule has one SQL definition (payback_destination(), migration 0009), used by
the payback orders and the settlement notice; it must say exactly what the domain function says."""

from __future__ import annotations

import pytest

from hjs_operators.domain.payback import destination

pytestmark = [pytest.mark.postgres]


@pytest.mark.parametrize("pay_method", ["CARD", "BALANCE"])
@pytest.mark.parametrize("boost_fen", [0, 1, 250_000])
def test_sql_destination_equals_the_domain_rule(zw_conn, pay_method, boost_fen):
    with zw_conn.cursor() as cur:
        cur.execute("SELECT payback_destination(%s, %s)", (pay_method, boost_fen > 0))
        (in_sql,) = cur.fetchone()
    assert in_sql == destination(pay_method, "C1" if pay_method == "CARD" else None, boost_fen).kind


def test_the_statements_use_the_one_definition():
    from hjs_operators.repository.sql_files import load_sql

    for name in ("payback/pay_products.sql", "trial/settlement_amounts.sql"):
        sql = load_sql(name)
        assert "payback_destination(" in sql and "'CARD' END" not in sql, name
