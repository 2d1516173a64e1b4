"""Fixtures of the payback tests: a hand-made maturity day in this test's zw database."""

from __future__ import annotations

import pytest

from tests.payback.helpers import Day, build_day


@pytest.fixture
def day(zw_conn) -> Day:
    return build_day(zw_conn)
