"""Unsigned, sandbox-only endpoints: health, reset, faults, seeding and inspection (see README.md).

Never subject to fault injection. Bodies are parsed by hand, not by pydantic models, so a 100k-row
subscription load stays a matter of seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from . import validation as v
from .faults import FaultConfig, FaultConfigError, FaultInjector
from .models import Product, now_iso
from .nonces import NonceCache
from .seeding import SeedError, load_subscriptions
from .state import Store


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": message, **extra}, status_code=status)


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError as exc:
        raise SeedError(422, "body is not JSON") from exc


def build_admin_router(store: Store, injector: FaultInjector, nonces: NonceCache, charset: str) -> APIRouter:
    router = APIRouter()

    def guarded(handler: Callable[..., Any]) -> Callable[..., Any]:
        """Turn input errors into 422/409 answers naming what is wrong."""

        async def wrapper(request: Request) -> Any:
            try:
                return await handler(request)
            except SeedError as exc:
                return _error(exc.status, str(exc), orderNos=exc.order_nos) if exc.order_nos else _error(
                    exc.status, str(exc)
                )
            except (FaultConfigError, v.InvalidField) as exc:
                return _error(422, str(exc))

        return wrapper

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.post("/admin/reset")
    async def reset() -> dict[str, str]:
        store.reset()
        injector.reset()
        nonces.clear()
        return {"status": "reset"}

    @router.get("/admin/faults")
    async def get_faults() -> dict[str, Any]:
        return injector.snapshot()

    async def set_faults(request: Request) -> dict[str, Any]:
        data = await _json(request)
        config = FaultConfig.from_dict(data)
        seed = data.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise FaultConfigError("seed must be an integer")
        injector.configure(config, seed)
        return injector.snapshot()

    router.add_api_route("/admin/faults", guarded(set_faults), methods=["POST"])

    @router.get("/admin/products")
    async def get_products() -> list[dict[str, Any]]:
        taken = store.shares_by_product()
        return [
            {**p.wire(), "closedAt": p.closed_at, "sharesSubscribed": taken.get(p.code, 0)} for p in store.products()
        ]

    async def post_products(request: Request) -> dict[str, int]:
        rows = await _json(request)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise SeedError(422, "body must be a JSON list of products")
        products = []
        for index, row in enumerate(rows):
            try:
                product = Product.from_wire(row)
                product.name.encode(charset)  # it must fit the agreed charset to be answered
            except v.InvalidField as exc:
                raise SeedError(422, f"products[{index}].{exc}") from exc
            except UnicodeEncodeError as exc:
                raise SeedError(422, f"products[{index}].productName is not encodable in {charset}") from exc
            current = store.product(product.code)
            taken = store.shares_taken(product.code)
            if current is not None and taken and (
                current.share_fen != product.share_fen or product.capacity_shares < taken
            ):
                raise SeedError(409, f"products[{index}] has subscriptions: shareAmount/totalAmount cannot shrink")
            if not product.transfer_open:  # closed by the admin: closedAt is now (or stays the first one)
                product = replace(product, closed_at=now_iso())
            products.append(product)
        return {"upserted": store.upsert_products(products)}

    router.add_api_route("/admin/products", guarded(post_products), methods=["POST"])

    @router.get("/admin/subscriptions")
    async def get_subscriptions(productCode: str | None = None) -> JSONResponse:  # noqa: N803 - wire name
        return JSONResponse([s.admin_view() for s in store.subscriptions(productCode)])

    async def post_subscriptions(request: Request) -> dict[str, int]:
        return load_subscriptions(store, await _json(request))

    router.add_api_route("/admin/subscriptions", guarded(post_subscriptions), methods=["POST"])

    @router.get("/admin/transfers")
    async def get_transfers(productCode: str | None = None) -> JSONResponse:  # noqa: N803 - wire name
        return JSONResponse([t.admin_view() for t in store.transfers(productCode)])

    return router
