"""Package rollover operators: one package on sale per channel, and the compliance check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator

from ..settings import ZW_CONN_ID


class RollOverPackagesOperator(BaseOperator):
    """Per channel: when the package on sale has all its shares held, mark it SOLD_OUT and open the next
    PENDING one (lowest sequence), in one locked transaction. Returns what changed per channel."""

    template_fields: Sequence[str] = ("zw_conn_id",)
    ui_color = "#f3e8fb"

    def __init__(self, *, zw_conn_id: str = ZW_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zw_conn_id = zw_conn_id

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from dataclasses import asdict

        from ..hooks.zw import ZwHook
        from ..rollover import roll_over

        conn = ZwHook(self.zw_conn_id).get_conn()
        try:
            results = roll_over(conn)
        finally:
            conn.close()
        for result in results:
            if result.sold_out or result.opened:
                self.log.info("channel %s: sold out %s, opened %s", result.channel, result.sold_out, result.opened)
        return [asdict(result) for result in results]


class CheckPackageComplianceOperator(BaseOperator):
    """Fail, naming each package, if any package has more than 200 holders or more shares held than it
    has. Reads only."""

    template_fields: Sequence[str] = ("zw_conn_id",)
    ui_color = "#fbe8e8"

    def __init__(self, *, zw_conn_id: str = ZW_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zw_conn_id = zw_conn_id

    def execute(self, context: Any) -> None:
        from ..hooks.zw import ZwHook
        from ..rollover import check_compliance

        conn = ZwHook(self.zw_conn_id).get_conn()
        try:
            check_compliance(conn)
        finally:
            conn.close()
        self.log.info("every package has at most 200 holders and no more shares held than it has")
