"""The sandbox's pure parts, without HTTP: money, interest, nonces, fault draws."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.faults import FaultConfig, FaultInjector
from sandbox.money import format_fen, parse_money, truncated_interest_fen
from sandbox.nonces import NonceCache

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize("text", ["0.00", "5000.00", "1000000.00", "0.01"])
def test_money_round_trip(text):
    assert format_fen(parse_money(text)) == text


@pytest.mark.parametrize("bad", ["5000", "5000.0", "5e3", "-1.00", "01.00", " 1.00", "1,000.00", 5000, 5000.0, None])
def test_money_refuses_non_canonical(bad):
    with pytest.raises(ValueError):
        parse_money(bad)


@given(
    principal=st.integers(min_value=0, max_value=10**12),
    rate=st.decimals(min_value=0, max_value=Decimal("0.5"), places=4),
    days=st.integers(min_value=1, max_value=3660),
    basis=st.sampled_from([360, 365]),
)
def test_interest_is_exact_truncation(principal, rate, days, basis):
    exact = Decimal(principal) * rate * days / basis  # in fen; Decimal with ample precision
    got = truncated_interest_fen(principal, rate, days, basis)
    assert got <= exact < got + 1


def test_nonce_cache_remembers_within_the_window_only():
    cache = NonceCache(window_ms=1000)
    assert cache.add("a" * 32, timestamp_ms=10_000, now_ms=10_000)
    assert not cache.add("a" * 32, timestamp_ms=10_500, now_ms=10_500)
    assert cache.add("b" * 32, timestamp_ms=12_100, now_ms=12_100)  # prunes "a" (expired at 12_000)
    assert len(cache) == 1


def test_fault_draws_do_not_depend_on_other_knobs():
    errors_only = FaultInjector(1, FaultConfig(error_rate=0.5))
    with_more = FaultInjector(1, FaultConfig(error_rate=0.5, spike_rate=0.3, bad_signature_rate=0.2))
    a = [errors_only.draw("system.ping")[1].error_status for _ in range(50)]
    b = [with_more.draw("system.ping")[1].error_status for _ in range(50)]
    assert a == b


def test_fault_config_round_trip():
    config = FaultConfig.from_dict({"error_rate": 0.1, "skew": {"A": 2}, "bad_amount_for": ["O1"], "total_drift": True})
    assert config.total_drift == 1
    assert FaultConfig.from_dict(config.to_dict()) == config


def test_every_fault_decision_repeats_for_a_seed():
    config = FaultConfig(error_rate=0.2, spike_rate=0.3, latency_spike_ms=5, timeout_rate=0.2,
                         drop_after_commit_rate=0.5, bad_signature_rate=0.4)
    runs = []
    for _ in range(2):
        injector = FaultInjector(0)
        injector.configure(config, seed=99)
        runs.append([injector.draw("invest.create")[1] for _ in range(200)])
    assert runs[0] == runs[1]
    decisions = runs[0]
    assert any(d.hang for d in decisions) and any(d.drop for d in decisions) and any(d.bad_signature for d in decisions)
    assert not any(FaultInjector(99, config).draw("system.ping")[1].drop for _ in range(50))  # never for a query
