"""Write demo data into an empty zw with COPY, in one transaction; then the past days' pipeline results,
written by the pipelines' own code (demo/history.py), each step in its own transaction as in a run.

Two things make a million assets load in seconds rather than minutes:
- a writer thread COPYs chunk N while the main thread builds chunk N+1 (PostgreSQL works in its own
  process, so on two cores the halves overlap);
- as superuser, the load runs with session_replication_role=replica, which skips the per-row
  foreign-key triggers (half of COPY's time here), and then proves every foreign key of the schema
  at once with one anti-join each, read from the catalog. CHECK and UNIQUE constraints apply as
  always. A failed proof rolls the whole load back. Without superuser the triggers just run.
"""

from __future__ import annotations

import logging
import queue
import threading

from psycopg import sql

from hjs_operators.repository.db import transaction

from .generate import COLUMNS, DemoSpec, build
from .history import replay_history

log = logging.getLogger(__name__)

# Each table's text goes to COPY in slices of this size: psycopg sends a slice while the builder thread
# works on the next chunk, without first copying a whole chunk into a second buffer.
COPY_WRITE_SIZE = 1 << 20

IDENTITY_TABLES = ("hjs_product", "asset", "asset_extra_interest", "liquidate_asset", "invest_record",
                   "sell_record")

_FOREIGN_KEYS = """
SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
       array_agg(child.attname ORDER BY k.ord), array_agg(parent.attname ORDER BY k.ord)
FROM pg_constraint c
CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(child_col, parent_col, ord)
JOIN pg_attribute child ON child.attrelid = c.conrelid AND child.attnum = k.child_col
JOIN pg_attribute parent ON parent.attrelid = c.confrelid AND parent.attnum = k.parent_col
WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
GROUP BY c.conname, c.conrelid, c.confrelid
ORDER BY c.conname
"""


class DemoLoadError(RuntimeError):
    pass


def _is_empty(cur) -> bool:
    cur.execute("SELECT NOT EXISTS (SELECT 1 FROM hjs_product) AND NOT EXISTS (SELECT 1 FROM asset)")
    return bool(cur.fetchone()[0])


def zw_is_empty(conn) -> bool:
    with transaction(conn) as cur:
        return _is_empty(cur)


def _is_superuser(cur) -> bool:
    cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    return bool(cur.fetchone()[0])


def check_foreign_keys(cur) -> None:
    """Every foreign key of the schema, checked set-wise (MATCH SIMPLE: a NULL column skips the row)."""
    cur.execute(_FOREIGN_KEYS)
    for name, child, parent, child_cols, parent_cols in cur.fetchall():
        not_null = sql.SQL(" AND ").join(sql.SQL("x.{} IS NOT NULL").format(sql.Identifier(c)) for c in child_cols)
        matches = sql.SQL(" AND ").join(sql.SQL("p.{} = x.{}").format(sql.Identifier(p), sql.Identifier(c))
                                        for c, p in zip(child_cols, parent_cols, strict=True))
        cur.execute(sql.SQL("SELECT count(*) FROM {} x WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})").format(
            sql.Identifier(child), not_null, sql.Identifier(parent), matches))
        orphans = cur.fetchone()[0]
        if orphans:
            raise DemoLoadError(f"foreign key {name}: {orphans} row(s) of {child} point at no {parent} row")


def _copy_statement(table: str) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, COLUMNS[table])))


def copy_text(cur, table: str, text: str) -> None:
    """COPY tab-separated `text` into `table` (its demo columns)."""
    with cur.copy(_copy_statement(table)) as copy:
        for start in range(0, len(text), COPY_WRITE_SIZE):
            copy.write(text[start:start + COPY_WRITE_SIZE])


def load(conn, spec: DemoSpec) -> dict[str, int]:
    """Load the demo data; refuses a zw that already holds products or assets. Returns rows per table."""
    counts = dict.fromkeys(COLUMNS, 0)
    chunks: queue.Queue[dict[str, str] | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def write(cur) -> None:
        while (chunk := chunks.get()) is not None:
            if failure:
                continue  # keep draining so the builder never blocks on a dead writer
            try:
                for table, text in chunk.items():
                    copy_text(cur, table, text)
            except BaseException as exc:  # handed to the main thread, which raises it
                failure.append(exc)

    with transaction(conn) as cur:
        if not _is_empty(cur):
            raise DemoLoadError("zw already holds products or assets; demo data only goes into an empty zw")
        fast = _is_superuser(cur)
        if fast:
            cur.execute("SET LOCAL session_replication_role = replica")
        writer = threading.Thread(target=write, args=(cur,), name="demo-copy")
        writer.start()
        try:
            for chunk in build(spec):
                if failure:
                    break
                texts = {}
                for table, lines in chunk.items():
                    if lines:
                        counts[table] += len(lines)
                        texts[table] = "\n".join(lines) + "\n"
                chunks.put(texts)
                log.info("demo data: %s assets built", f"{counts['asset']:,}")
        finally:
            chunks.put(None)
            writer.join()
        if failure:
            raise failure[0]
        if fast:
            cur.execute("SET LOCAL session_replication_role = origin")
            check_foreign_keys(cur)
        for table in IDENTITY_TABLES:  # identities continue after the explicit ids written above
            cur.execute(sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                                "GREATEST((SELECT max(id) FROM {}), 1))").format(sql.Identifier(table)), (table,))
    try:
        history = replay_history(conn, spec)
    except Exception as exc:
        raise DemoLoadError(f"the demo's history could not be written ({type(exc).__name__}: {exc}); zw holds the "
                            "demo rows without it: empty zw (make clean) and load again") from exc
    log.info("demo history: %s", ", ".join(f"{n} {what}" for what, n in history.items()))
    return counts
