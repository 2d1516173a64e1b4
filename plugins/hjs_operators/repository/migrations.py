"""Ordered, recorded, re-runnable schema migrations for the zw database.

Each file include/sql/migrations/NNNN_name.sql is applied once, in its own transaction together with
its row in schema_migration. A file that was applied and later edited is refused (its checksum no
longer matches): change a schema with a new migration, never by rewriting an old one. An advisory
lock keeps two runners (two `make run`s, a test and a scheduler) from applying the same file twice.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .db import is_idle, transaction
from .sql_files import sql_dir

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x484A5301  # "HJS" + 1: an arbitrary, fixed advisory-lock id for migrations

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migration (
    version     TEXT PRIMARY KEY,
    filename    TEXT NOT NULL,
    checksum    TEXT NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover(directory: Path | None = None) -> list[Migration]:
    directory = directory or sql_dir() / "migrations"
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} is not named NNNN_lower_case.sql")
        migrations.append(Migration(match.group(1), path))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files share a version number: {versions}")
    return migrations


def apply_migrations(conn, directory: Path | None = None) -> list[str]:
    """Apply what is not yet applied; return the versions applied now. `conn` is a psycopg 3 connection
    (ZwHook, or PgEndpoint.connect() in the stack and tests)."""
    pending = discover(directory)
    applied_now: list[str] = []
    if conn.autocommit or not is_idle(conn):
        raise MigrationError("apply_migrations needs a connection in transaction mode with no transaction open")
    # a session-level lock: it outlives the transactions below, so two appliers never interleave
    with transaction(conn) as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        with transaction(conn) as cur:
            cur.execute(_BOOKKEEPING)
            cur.execute("SELECT version, checksum FROM schema_migration")
            done = dict(cur.fetchall())
        for migration in pending:
            if migration.version in done:
                if done[migration.version] != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.path.name} was changed after it was applied; "
                        "add a new migration instead"
                    )
                continue
            log.info("applying migration %s", migration.path.name)
            with transaction(conn) as cur:
                cur.execute(migration.sql)
                cur.execute(
                    "INSERT INTO schema_migration (version, filename, checksum) VALUES (%s, %s, %s)",
                    (migration.version, migration.path.name, migration.checksum),
                )
            applied_now.append(migration.version)
    finally:
        with transaction(conn) as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return applied_now
