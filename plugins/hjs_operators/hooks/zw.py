"""The zw database hook: the one way product code reaches zw.

PostgresHook already turns the connection into libpq arguments: host, port, login, password, schema
(the database) and every extra except its own switches (iam, redshift, cursor, sqlalchemy_*, ...), so
sslmode/sslcert/sslkey/sslrootcert/sslcrl, options, connect_timeout, application_name, keepalives*,
target_session_attrs and any other libpq keyword set on `zw_postgres` reach the server unchanged.
ZwHook adds only what zw code needs on top: always psycopg 3 (whatever driver PostgresHook would pick),
and tuple rows (the zw packages unpack rows positionally, so a `cursor` extra is refused, not ignored).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.postgres.hooks.postgres import PostgresHook

from ..settings import ZW_CONN_ID


class ZwHook(PostgresHook):
    """psycopg 3 connections to zw, with autocommit off: run statements through
    hjs_operators.repository.db.transaction (never `with conn:`, which closes a psycopg 3 connection)."""

    conn_name_attr = "zw_conn_id"
    default_conn_name = ZW_CONN_ID
    hook_name = "zw (PostgreSQL)"

    def __init__(self, zw_conn_id: str = ZW_CONN_ID, **kwargs: Any) -> None:
        kwargs.setdefault(self.conn_name_attr, zw_conn_id)
        super().__init__(**kwargs)

    def _get_cursor_config(self, raw_cursor: str) -> tuple[str, Any]:
        raise ValueError(f"connection {getattr(self, self.conn_name_attr)!r}: extra 'cursor'={raw_cursor!r} is not "
                         "supported for zw; the zw code reads plain tuple rows. Remove it from the extra.")

    def _create_connection(self, conn_args: dict[str, Any]):
        import psycopg
        from psycopg.types.json import register_default_adapters

        connection = psycopg.Connection.connect(**conn_args)
        register_default_adapters(connection)
        if self.enable_log_db_messages:
            connection.add_notice_handler(self._notice_handler)
        return connection
