"""Fault injection for /api/v1 calls: errors, latency, hangs, dropped answers, bad signatures and
misreported maturity amounts. Deterministic: every request draws the same fixed set of random
numbers from one random.Random(seed), so for a given seed the n-th request always meets the same
faults whatever knobs are switched on. Re-seeded whenever faults are set or reset.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .money import format_fen, parse_money

DROPPABLE = frozenset({"invest.create", "transfer.register"})
ERROR_STATUSES = ("mixed", "500", "503")
THROTTLE_STATUSES = (429, 503)
RETRY_AFTER_FORMATS = ("seconds", "http-date")
DROP_MODES = ("reset", "hang")
BAD_AMOUNT = "N/A"  # what bad_amount_for puts where a number should be


class FaultConfigError(ValueError):
    """A fault setting is unknown or out of range (answered 422 by the admin API)."""


def _rate(data: Mapping[str, Any], name: str) -> float:
    value = data.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise FaultConfigError(f"{name} must be a number between 0 and 1")
    return float(value)


def _non_negative(data: Mapping[str, Any], name: str, default: float = 0, kind: type = int) -> Any:
    value = data.get(name, default)
    allowed = (int,) if kind is int else (int, float)
    if isinstance(value, bool) or not isinstance(value, allowed) or value < 0:
        raise FaultConfigError(f"{name} must be a non-negative {'integer' if kind is int else 'number'}")
    return kind(value)


def _choice(data: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = data.get(name, allowed[0])
    if value not in allowed:
        raise FaultConfigError(f"{name} must be one of {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class FaultConfig:
    error_rate: float = 0.0
    error_status: str = "mixed"  # 500, 503 (+9999) or a mix of both
    latency_ms: int = 0
    latency_spike_ms: int = 0
    spike_rate: float = 0.0
    timeout_rate: float = 0.0
    hang_seconds: float = 30.0
    drop_after_commit_rate: float = 0.0
    drop_mode: str = "reset"  # reset: close the connection; hang: answer after hang_seconds
    bad_signature_rate: float = 0.0
    skew: dict[str, int] = field(default_factory=dict)
    total_drift: int = 0
    oversize_page: bool = False
    bad_amount_for: frozenset[str] = frozenset()
    # maturity.trial misbehaving for chosen products and records, every time (not drawn):
    fail_products: frozenset[str] = frozenset()  # answered 9999 system busy
    amount_text: dict[str, str] = field(default_factory=dict)  # orderNo -> literal text sent as its amount
    maturity_date_for: dict[str, str] = field(default_factory=dict)  # productCode -> the maturityDate sent
    services: frozenset[str] | None = None  # rate-based faults only for these services (None: all)
    # Rate limiting: the next throttle_count calls (of `services`) get throttle_status with Retry-After.
    throttle_count: int = 0
    throttle_status: int = 429
    retry_after: int = 1
    retry_after_format: str = "seconds"  # or "http-date" (RFC 9110 section 10.2.3 allows both)

    KNOBS = (
        "error_rate", "error_status", "latency_ms", "latency_spike_ms", "spike_rate", "timeout_rate",
        "hang_seconds", "drop_after_commit_rate", "drop_mode", "bad_signature_rate", "skew", "total_drift",
        "oversize_page", "bad_amount_for", "fail_products", "amount_text", "maturity_date_for",
        "services", "throttle_count", "throttle_status", "retry_after",
        "retry_after_format",
    )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultConfig:
        """Validate admin/CLI input. Unknown knobs are refused so a typo is not a silent no-op."""
        if not isinstance(data, Mapping):
            raise FaultConfigError("faults must be a JSON object")
        unknown = set(data) - set(cls.KNOBS) - {"seed"}
        if unknown:
            raise FaultConfigError(f"unknown fault knob(s): {', '.join(sorted(unknown))}")
        skew = data.get("skew") or {}
        if not isinstance(skew, Mapping) or not all(
            isinstance(k, str) and isinstance(d, int) and not isinstance(d, bool) for k, d in skew.items()
        ):
            raise FaultConfigError("skew must map assetId/orderNo strings to integer fen deltas")
        drift = data.get("total_drift", 0)
        if drift is True:
            drift = 1
        if isinstance(drift, bool) or not isinstance(drift, int):
            raise FaultConfigError("total_drift must be an integer (or true for 1)")
        bad_amounts = data.get("bad_amount_for") or []
        if not isinstance(bad_amounts, list) or not all(isinstance(o, str) for o in bad_amounts):
            raise FaultConfigError("bad_amount_for must be a list of orderNo strings")
        fail_products = data.get("fail_products") or []
        if not isinstance(fail_products, list) or not all(isinstance(o, str) for o in fail_products):
            raise FaultConfigError("fail_products must be a list of productCode strings")
        texts = {}
        for name in ("amount_text", "maturity_date_for"):
            texts[name] = data.get(name) or {}
            if not isinstance(texts[name], Mapping) or not all(
                    isinstance(k, str) and isinstance(t, str) for k, t in texts[name].items()):
                raise FaultConfigError(f"{name} must map strings to strings")
        services = data.get("services")
        if services is not None and (not isinstance(services, list) or not all(isinstance(s, str) for s in services)):
            raise FaultConfigError("services must be a list of service names")
        oversize = data.get("oversize_page", False)
        if not isinstance(oversize, bool):
            raise FaultConfigError("oversize_page must be a boolean")
        hang = _non_negative(data, "hang_seconds", 30.0, float)
        if hang <= 0:
            raise FaultConfigError("hang_seconds must be positive")
        throttle_status = data.get("throttle_status", 429)
        if throttle_status not in THROTTLE_STATUSES or isinstance(throttle_status, bool):
            raise FaultConfigError("throttle_status must be 429 or 503")
        return cls(
            error_rate=_rate(data, "error_rate"),
            error_status=_choice(data, "error_status", ERROR_STATUSES),
            latency_ms=_non_negative(data, "latency_ms"),
            latency_spike_ms=_non_negative(data, "latency_spike_ms"),
            spike_rate=_rate(data, "spike_rate"),
            timeout_rate=_rate(data, "timeout_rate"),
            hang_seconds=hang,
            drop_after_commit_rate=_rate(data, "drop_after_commit_rate"),
            drop_mode=_choice(data, "drop_mode", DROP_MODES),
            bad_signature_rate=_rate(data, "bad_signature_rate"),
            skew=dict(skew),
            total_drift=drift,
            oversize_page=oversize,
            bad_amount_for=frozenset(bad_amounts),
            fail_products=frozenset(fail_products),
            amount_text=dict(texts["amount_text"]),
            maturity_date_for=dict(texts["maturity_date_for"]),
            services=frozenset(services) if services is not None else None,
            throttle_count=_non_negative(data, "throttle_count"),
            throttle_status=throttle_status,
            retry_after=_non_negative(data, "retry_after", 1),
            retry_after_format=_choice(data, "retry_after_format", RETRY_AFTER_FORMATS),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["bad_amount_for"] = sorted(self.bad_amount_for)
        data["fail_products"] = sorted(self.fail_products)
        data["services"] = sorted(self.services) if self.services is not None else None
        return data

    def applies_to(self, service: str) -> bool:
        return self.services is None or service in self.services

    def distort_trial(self, answer: dict[str, Any]) -> dict[str, Any]:
        """Misreport a maturity.trial page as configured (skew, total_drift, bad_amount_for, amount_text,
        maturity_date_for)."""
        if not (self.skew or self.total_drift or self.bad_amount_for or self.amount_text or self.maturity_date_for):
            return answer
        answer["maturityDate"] = self.maturity_date_for.get(answer["productCode"], answer["maturityDate"])
        for record in answer["records"]:
            keys = (record["orderNo"], record["holderAssetId"], record["assetId"])
            delta = next((self.skew[k] for k in keys if k in self.skew), 0)
            if delta:
                # Kept self-consistent (amount = principal + interest): HJS computed another interest.
                record["interest"] = format_fen(parse_money(record["interest"]) + delta)
                record["amount"] = format_fen(parse_money(record["amount"]) + delta)
            if record["orderNo"] in self.bad_amount_for:
                record["amount"] = BAD_AMOUNT
            record["amount"] = self.amount_text.get(record["orderNo"], record["amount"])
        if self.total_drift and answer["pageNo"] > 1:
            answer["total"] += self.total_drift
        return answer


NO_FAULTS = FaultConfig()


@dataclass(frozen=True)
class Decision:
    """What happens to one request. Computed before the request is read."""

    delay_seconds: float = 0.0  # a latency spike, before anything is read
    error_status: int | None = None  # 500 or 503
    throttled: bool = False  # answered throttle_status with Retry-After, before anything is read
    hang: bool = False
    drop: bool = False
    bad_signature: bool = False


class FaultInjector:
    """The current FaultConfig plus its seeded random stream, both swapped under one lock."""

    def __init__(self, seed: int, config: FaultConfig = NO_FAULTS) -> None:
        self._lock = threading.Lock()
        self._default_seed = seed
        self.config = config
        self.seed = seed
        self._random = random.Random(seed)
        self._throttle_left = config.throttle_count

    def configure(self, config: FaultConfig, seed: int | None = None) -> None:
        with self._lock:
            self.config = config
            self.seed = self._default_seed if seed is None else seed
            self._random = random.Random(self.seed)
            self._throttle_left = config.throttle_count

    def reset(self) -> None:
        self.configure(NO_FAULTS)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"seed": self.seed, **self.config.to_dict(), "throttle_left": self._throttle_left}

    def draw(self, service: str) -> tuple[FaultConfig, Decision]:
        """Always six numbers per request, so one knob never shifts the pattern of another."""
        with self._lock:
            config = self.config
            u_error, u_kind, u_spike, u_hang, u_drop, u_sign = (self._random.random() for _ in range(6))
            # A count, not a rate: "429 twice, then success" must be exact, whatever the seed.
            throttled = self._throttle_left > 0 and config.applies_to(service)
            if throttled:
                self._throttle_left -= 1
        if throttled:
            return config, Decision(throttled=True)
        if config is NO_FAULTS or not config.applies_to(service):
            return config, Decision()
        delay = config.latency_spike_ms if u_spike < config.spike_rate else 0  # latency_ms is a floor (server.py)
        error_status = None
        if u_error < config.error_rate:
            if config.error_status == "mixed":
                error_status = 500 if u_kind < 0.5 else 503
            else:
                error_status = int(config.error_status)
        return config, Decision(
            delay_seconds=delay / 1000,
            error_status=error_status,
            hang=u_hang < config.timeout_rate,
            drop=service in DROPPABLE and u_drop < config.drop_after_commit_rate,
            bad_signature=u_sign < config.bad_signature_rate,
        )

