"""The sandbox's own SQLite database: HJS's products, subscriptions and transfers.

One connection guarded by one re-entrant lock: the API runs on a single event loop and every
statement is sub-millisecond, so a lock is simpler and faster than a connection per thread.
WAL with synchronous=NORMAL: commits are durable across a crash of the process (not of the
machine), which is what a test exchange needs, without an fsync per request.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .models import Product, Subscription, Transfer

DB_FILE = "hjs-sandbox.sqlite3"
SCHEMA_VERSION = 1  # PRAGMA user_version; bump when _SCHEMA changes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    channel       TEXT NOT NULL,
    total_amount  INTEGER NOT NULL CHECK (total_amount > 0),      -- fen
    share_amount  INTEGER NOT NULL CHECK (share_amount > 0),      -- fen
    annual_rate   TEXT NOT NULL,                                  -- decimal string, as given
    day_count     TEXT NOT NULL CHECK (day_count IN ('ACT/365', 'ACT/360')),
    value_date    TEXT NOT NULL,
    maturity_date TEXT NOT NULL,
    transfer_open INTEGER NOT NULL,
    closed_at     TEXT,
    shares_subscribed INTEGER NOT NULL DEFAULT 0                  -- kept with each insert: O(1) quota check
);
CREATE TABLE IF NOT EXISTS subscriptions (
    order_no        TEXT PRIMARY KEY,
    hjs_order_id    TEXT NOT NULL,
    product_code    TEXT NOT NULL REFERENCES products (code),
    asset_id        TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    shares          INTEGER NOT NULL CHECK (shares > 0),
    amount          INTEGER NOT NULL,                             -- fen
    holder_asset_id TEXT NOT NULL,
    accepted_at     TEXT NOT NULL,
    answer          TEXT NOT NULL                                 -- the original answer, JSON
);
CREATE INDEX IF NOT EXISTS subscriptions_product ON subscriptions (product_code, order_no);
CREATE TABLE IF NOT EXISTS transfers (
    transfer_no     TEXT PRIMARY KEY,
    hjs_transfer_id TEXT NOT NULL,
    product_code    TEXT NOT NULL,
    order_no        TEXT NOT NULL REFERENCES subscriptions (order_no),
    seller_asset_id TEXT NOT NULL,
    buyer_asset_id  TEXT NOT NULL,
    price           INTEGER NOT NULL,                             -- fen
    fee             INTEGER NOT NULL,                             -- fen
    accepted_at     TEXT NOT NULL,
    answer          TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""

_SUBSCRIPTION_COLUMNS = (
    "order_no, hjs_order_id, product_code, asset_id, user_id, shares, amount, holder_asset_id, accepted_at"
)
_TRANSFER_COLUMNS = (
    "transfer_no, hjs_transfer_id, product_code, order_no, seller_asset_id, buyer_asset_id, price, fee, accepted_at"
)
_PRODUCT_COLUMNS = (
    "code, name, channel, total_amount, share_amount, annual_rate, day_count, value_date, maturity_date, "
    "transfer_open, closed_at"
)


def _product(row: tuple) -> Product:
    return Product(*row[:9], transfer_open=bool(row[9]), closed_at=row[10])


def _dumps(answer: dict) -> str:
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class Store:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_FILE
        self._lock = threading.RLock()
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly a `with`.
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version != SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} has sandbox schema {version}, not {SCHEMA_VERSION}; use another data dir")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Serialised read-modify-write: checks (quota, holder, idempotency) and writes in one unit."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Several reads that must see one state (every write holds the same lock)."""
        with self._lock:
            yield

    def _all(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def _one(self, sql: str, params: Iterable = ()) -> tuple | None:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchone()

    def reset(self) -> None:
        with self.transaction():
            for table in ("transfers", "subscriptions", "products", "sequences"):
                self._conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    def next_id(self, name: str) -> int:
        return self.reserve_ids(name, 1)

    def reserve_ids(self, name: str, count: int) -> int:
        """Take `count` consecutive ids at once (bulk loads); returns the first."""
        if count <= 0:
            return 0
        row = self._one(
            "INSERT INTO sequences (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
            (name, count),
        )
        assert row is not None
        return row[0] - count + 1

    # products
    def upsert_products(self, products: Iterable[Product]) -> int:
        """Insert or replace; closed_at follows transferOpen (kept if already closed, cleared on reopen)."""
        rows = [
            (p.code, p.name, p.channel, p.total_fen, p.share_fen, p.annual_rate, p.day_count, p.value_date,
             p.maturity_date, int(p.transfer_open), p.closed_at)
            for p in products
        ]
        with self.transaction():
            self._conn.executemany(
                f"INSERT INTO products ({_PRODUCT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
                "ON CONFLICT (code) DO UPDATE SET name = excluded.name, channel = excluded.channel, "
                "total_amount = excluded.total_amount, share_amount = excluded.share_amount, "
                "annual_rate = excluded.annual_rate, day_count = excluded.day_count, "
                "value_date = excluded.value_date, maturity_date = excluded.maturity_date, "
                "transfer_open = excluded.transfer_open, "
                "closed_at = CASE WHEN excluded.transfer_open THEN NULL "
                "                 ELSE COALESCE(products.closed_at, excluded.closed_at) END",
                rows,
            )
        return len(rows)

    def product(self, code: str) -> Product | None:
        row = self._one(f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE code = ?", (code,))  # noqa: S608
        return _product(row) if row else None

    def products(self) -> list[Product]:
        return [_product(r) for r in self._all(f"SELECT {_PRODUCT_COLUMNS} FROM products ORDER BY code")]  # noqa: S608

    def close_transfer(self, code: str, closed_at: str) -> None:
        self._one(
            "UPDATE products SET transfer_open = 0, closed_at = COALESCE(closed_at, ?) WHERE code = ?",
            (closed_at, code),
        )

    # subscriptions
    def subscription(self, order_no: str) -> Subscription | None:
        row = self._one(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE order_no = ?", (order_no,)  # noqa: S608
        )
        return Subscription(*row) if row else None

    def subscription_answer(self, order_no: str) -> dict | None:
        row = self._one("SELECT answer FROM subscriptions WHERE order_no = ?", (order_no,))
        return json.loads(row[0]) if row else None

    def shares_taken(self, product_code: str) -> int:
        row = self._one("SELECT shares_subscribed FROM products WHERE code = ?", (product_code,))
        return row[0] if row else 0

    def shares_by_product(self) -> dict[str, int]:
        return dict(self._all("SELECT code, shares_subscribed FROM products"))

    def insert_subscriptions(self, subscriptions: Iterable[Subscription]) -> None:
        """Insert and count the shares on their products. Call inside transaction()."""
        rows = []
        shares: dict[str, int] = {}
        for s in subscriptions:
            rows.append((s.order_no, s.hjs_order_id, s.product_code, s.asset_id, s.user_id, s.shares, s.amount_fen,
                         s.holder_asset_id, s.accepted_at, _dumps(s.answer())))
            shares[s.product_code] = shares.get(s.product_code, 0) + s.shares
        with self._lock:
            self._conn.executemany(
                f"INSERT INTO subscriptions ({_SUBSCRIPTION_COLUMNS}, answer) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._conn.executemany(
                "UPDATE products SET shares_subscribed = shares_subscribed + ? WHERE code = ?",
                [(n, code) for code, n in shares.items()],
            )

    def subscriptions_named(self, order_nos: list[str]) -> dict[str, Subscription]:
        """Existing subscriptions among order_nos (for bulk loads), in chunks under SQLite's variable limit."""
        found: dict[str, Subscription] = {}
        for start in range(0, len(order_nos), 500):
            chunk = order_nos[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in self._all(
                f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE order_no IN ({marks})", chunk  # noqa: S608
            ):
                found[row[0]] = Subscription(*row)
        return found

    def set_holder(self, order_no: str, holder_asset_id: str) -> None:
        self._one("UPDATE subscriptions SET holder_asset_id = ? WHERE order_no = ?", (holder_asset_id, order_no))

    def count_subscriptions(self, product_code: str) -> int:
        row = self._one("SELECT COUNT(*) FROM subscriptions WHERE product_code = ?", (product_code,))
        return row[0] if row else 0

    def subscriptions_page(self, product_code: str, offset: int, limit: int) -> list[Subscription]:
        """Sorted by order number in byte order (SQLite's BINARY collation), as maturity.trial pages them."""
        rows = self._all(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE product_code = ? "  # noqa: S608
            "ORDER BY order_no LIMIT ? OFFSET ?",
            (product_code, limit, offset),
        )
        return [Subscription(*r) for r in rows]

    def subscriptions(self, product_code: str | None = None) -> list[Subscription]:
        if product_code is None:
            rows = self._all(f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions ORDER BY order_no")  # noqa: S608
        else:
            rows = self._all(
                f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE product_code = ? "  # noqa: S608
                "ORDER BY order_no",
                (product_code,),
            )
        return [Subscription(*r) for r in rows]

    # transfers
    def transfer(self, transfer_no: str) -> Transfer | None:
        row = self._one(f"SELECT {_TRANSFER_COLUMNS} FROM transfers WHERE transfer_no = ?", (transfer_no,))  # noqa: S608
        return Transfer(*row) if row else None

    def transfer_answer(self, transfer_no: str) -> dict | None:
        row = self._one("SELECT answer FROM transfers WHERE transfer_no = ?", (transfer_no,))
        return json.loads(row[0]) if row else None

    def insert_transfer(self, t: Transfer) -> None:
        self._one(
            f"INSERT INTO transfers ({_TRANSFER_COLUMNS}, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (t.transfer_no, t.hjs_transfer_id, t.product_code, t.order_no, t.seller_asset_id, t.buyer_asset_id,
             t.price_fen, t.fee_fen, t.accepted_at, _dumps(t.answer())),
        )

    def transfers(self, product_code: str | None = None) -> list[Transfer]:
        sql = f"SELECT {_TRANSFER_COLUMNS} FROM transfers"  # noqa: S608
        if product_code is None:
            rows = self._all(sql + " ORDER BY rowid")
        else:
            rows = self._all(sql + " WHERE product_code = ? ORDER BY rowid", (product_code,))
        return [Transfer(*r) for r in rows]
