"""SandboxAdmin: the sandbox's admin endpoints from Python (test fixtures, `make run` demo seeding).

Plain requests with timeouts; no protocol code, so it imports without hjs_operators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import requests

DEFAULT_TIMEOUT = 10.0  # seconds; bulk loads get more (see load_subscriptions)


class SandboxAdminError(RuntimeError):
    """The sandbox refused an admin call; carries the HTTP status and the sandbox's explanation."""

    def __init__(self, status: int, detail: Any) -> None:
        self.status = status
        self.detail = detail
        super().__init__(f"sandbox admin call failed with HTTP {status}: {detail}")


class SandboxAdmin:
    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def _call(self, method: str, path: str, *, json: Any = None, params: Mapping[str, str] | None = None,
              timeout: float | None = None) -> Any:
        response = self.session.request(
            method, self.base_url + path, json=json, params=params, timeout=timeout or self.timeout
        )
        if response.status_code >= 400:
            try:
                detail = response.json()
            except ValueError:
                detail = response.text[:200]
            raise SandboxAdminError(response.status_code, detail)
        return response.json()

    def healthy(self, timeout: float = 1.0) -> bool:
        try:
            return self.session.get(self.base_url + "/healthz", timeout=timeout).status_code == 200
        except requests.RequestException:
            return False

    def reset(self) -> None:
        """Forget every product, subscription, transfer, nonce and fault."""
        self._call("POST", "/admin/reset")

    def set_faults(self, seed: int | None = None, **knobs: Any) -> dict[str, Any]:
        """Replace the fault settings (knobs as in README.md); no knobs means no faults."""
        body = dict(knobs)
        if seed is not None:
            body["seed"] = seed
        return self._call("POST", "/admin/faults", json=body)

    def clear_faults(self) -> dict[str, Any]:
        return self.set_faults()

    def faults(self) -> dict[str, Any]:
        return self._call("GET", "/admin/faults")

    def traffic(self) -> dict[str, int]:
        """Protocol calls: in_flight now, max_in_flight since the last reset_traffic(), calls."""
        return self._call("GET", "/admin/traffic")

    def reset_traffic(self) -> dict[str, int]:
        return self._call("POST", "/admin/traffic/reset")

    def upsert_products(self, products: Sequence[Mapping[str, Any]]) -> int:
        """Products in product.query's camelCase shape (transferOpen optional, default true)."""
        return self._call("POST", "/admin/products", json=list(products))["upserted"]

    def products(self) -> list[dict[str, Any]]:
        return self._call("GET", "/admin/products")

    def load_subscriptions(self, rows: Iterable[Mapping[str, Any]], *, chunk_size: int = 20_000) -> dict[str, int]:
        """Bulk-load existing subscriptions, idempotently, in chunks (each chunk is all-or-nothing)."""
        totals = {"received": 0, "inserted": 0, "unchanged": 0}
        chunk: list[Mapping[str, Any]] = []

        def flush() -> None:
            result = self._call("POST", "/admin/subscriptions", json=chunk, timeout=max(self.timeout, 120.0))
            for name in totals:
                totals[name] += result[name]
            chunk.clear()

        for row in rows:
            chunk.append(row)
            if len(chunk) >= chunk_size:
                flush()
        if chunk:
            flush()
        return totals

    def subscriptions(self, product_code: str | None = None) -> list[dict[str, Any]]:
        params = {"productCode": product_code} if product_code else None
        return self._call("GET", "/admin/subscriptions", params=params, timeout=max(self.timeout, 60.0))

    def transfers(self, product_code: str | None = None) -> list[dict[str, Any]]:
        params = {"productCode": product_code} if product_code else None
        return self._call("GET", "/admin/transfers", params=params)
