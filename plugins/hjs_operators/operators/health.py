"""Check that the pipelines can reach every system they depend on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator

from ..settings import ZW_CONN_ID


class ConnectionHealthError(RuntimeError):
    pass


class CheckConnectionsOperator(BaseOperator):
    """Run each connection's own test (the UI's Test button) and fail naming every one that fails.

    Each connection is tested through the hook of its type (HJS: a signed, encrypted ping; Postgres:
    a query; SMTP: a login), so a wrong key, a moved database or a dead mail relay shows up here, not
    halfway through a settlement run.
    """

    template_fields: Sequence[str] = ("conn_ids",)
    ui_color = "#e8f4ea"

    def __init__(self, *, conn_ids: Sequence[str], zw_conn_id: str = ZW_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.conn_ids = conn_ids
        self.zw_conn_id = zw_conn_id

    def execute(self, context: Any) -> dict[str, str]:
        from airflow.sdk import BaseHook

        from ..hooks.zw import ZwHook

        results: dict[str, str] = {}
        failed: list[str] = []
        for conn_id in self.conn_ids:
            try:
                # zw through the hook the pipelines use, so an extra they refuse fails here too
                hook = ZwHook(conn_id) if conn_id == self.zw_conn_id else BaseHook.get_hook(conn_id)
                ok, message = hook.test_connection()
            except Exception as exc:  # a hook that raises instead of answering still gets reported
                ok, message = False, f"{type(exc).__name__}: {exc}"
            results[conn_id] = "ok" if ok else f"FAILED: {message}"
            self.log.info("connection %s: %s", conn_id, results[conn_id])
            if not ok:
                failed.append(conn_id)
        if failed:
            raise ConnectionHealthError(
                f"{len(failed)} of {len(self.conn_ids)} connection(s) failed: "
                + "; ".join(f"{conn_id} ({results[conn_id]})" for conn_id in failed))
        return results
