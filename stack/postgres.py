"""An embedded PostgreSQL (pgserver) that needs no system service: data in a folder, a Unix socket.

Why pgserver: it ships PostgreSQL 16 binaries inside a pip wheel, so a fresh machine with only Python
gets a real server (same SQL, same constraints as production) from `pip install`, with no root, no
apt and no Docker. It listens on a Unix socket only, so two runs never fight over a TCP port.
"""

from __future__ import annotations

import atexit
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PgEndpoint:
    """How to reach one database on the embedded server."""

    socket_dir: str
    dbname: str
    user: str = "postgres"

    @property
    def dsn(self) -> str:
        """libpq keyword string (psycopg.connect, psql, the demo's --dsn)."""
        return f"host={self.socket_dir} dbname={self.dbname} user={self.user}"

    @property
    def sqlalchemy_url(self) -> str:
        return f"postgresql+psycopg2://{self.user}:@/{self.dbname}?host={quote(self.socket_dir)}"

    def connect(self):
        """A psycopg 3 connection (autocommit off), the driver the pipelines use: what tests and the
        stack hand to product code must behave like ZwHook's connections."""
        import psycopg

        return psycopg.connect(self.dsn)


class EmbeddedPostgres:
    """Start (or reuse) the server whose data lives in `data_dir`; stop it with stop()."""

    def __init__(self, data_dir: Path) -> None:
        import pgserver

        # pgserver logs every pg_ctl call's output at INFO; only its warnings are worth a line here
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        data_dir.mkdir(parents=True, exist_ok=True)
        # cleanup_mode="stop": the server stops when this process releases it (stop() or exit)
        self._server = pgserver.get_server(data_dir, cleanup_mode="stop")
        info = self._server.get_postmaster_info()
        self.socket_dir = str(info.socket_dir)
        self.pid = info.pid
        log.info("embedded PostgreSQL running (pid %s, socket %s)", self.pid, self.socket_dir)

    def endpoint(self, dbname: str) -> PgEndpoint:
        return PgEndpoint(self.socket_dir, dbname)

    def ensure_database(self, dbname: str, template: str | None = None) -> PgEndpoint:
        """Create the database if it does not exist yet (optionally as a copy of `template`)."""
        from psycopg import sql

        admin = self.endpoint("postgres").connect()
        admin.autocommit = True
        try:
            with admin.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
                if cur.fetchone() is None:
                    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname))
                    if template:
                        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
                    cur.execute(statement)
        finally:
            admin.close()
        return self.endpoint(dbname)

    def drop_database(self, dbname: str) -> None:
        from psycopg import sql

        admin = self.endpoint("postgres").connect()
        admin.autocommit = True
        try:
            with admin.cursor() as cur:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        finally:
            admin.close()

    def stop(self) -> None:
        self._server.cleanup()
        # pgserver also registered this at exit, when logging may be gone: once is enough
        atexit.unregister(self._server._cleanup)
