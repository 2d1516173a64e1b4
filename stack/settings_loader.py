"""Apply airflow_settings.yaml (connections, pools, variables) to Airflow's metadata database.

The Astro CLI reads that file itself; plain Airflow does not, so this makes the same calls:
upsert each connection, pool and variable, so applying the file twice changes nothing. `${NAME}` in
a value is replaced from the environment (the stack sets where the sandbox, the SMTP sink and zw
are); a name that is not set is an error, never an empty string. Values are never printed.

Run inside an Airflow environment: `python -m stack.settings_loader airflow_settings.yaml`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")


class SettingsError(ValueError):
    pass


def expand(value: Any, env: Mapping[str, str], where: str) -> Any:
    """Replace ${NAME} in strings (recursively in lists and dicts) from env."""
    if isinstance(value, str):
        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name not in env:
                raise SettingsError(f"{where}: environment variable {name} is not set")
            return env[name]

        return _PLACEHOLDER.sub(substitute, value)
    if isinstance(value, list):
        return [expand(item, env, where) for item in value]
    if isinstance(value, dict):
        return {key: expand(item, env, f"{where}.{key}") for key, item in value.items()}
    return value


def read_settings(path: Path, env: Mapping[str, str]) -> dict[str, list[dict]]:
    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    section = document.get("airflow") or {}
    return {kind: [expand(item, env, f"{kind}[{i}]") for i, item in enumerate(section.get(kind) or [])]
            for kind in ("connections", "pools", "variables")}


def _connection_fields(item: dict) -> dict[str, Any]:
    extra = item.get("conn_extra")
    port = item.get("conn_port")
    return {
        "conn_type": item["conn_type"],
        "description": item.get("conn_description"),
        "host": item.get("conn_host") or None,
        "schema": item.get("conn_schema") or None,
        "login": item.get("conn_login") or None,
        "password": item.get("conn_password") or None,
        "port": int(port) if port not in (None, "") else None,
        "extra": json.dumps(extra) if isinstance(extra, dict) else (extra or None),
    }


def apply(settings: dict[str, list[dict]]) -> dict[str, int]:
    from airflow.models import Connection, Pool, Variable
    from airflow.utils.session import create_session

    with create_session() as session:
        for item in settings["connections"]:
            fields = _connection_fields(item)
            connection = session.query(Connection).filter(Connection.conn_id == item["conn_id"]).one_or_none()
            if connection is None:
                session.add(Connection(conn_id=item["conn_id"], **fields))
            else:
                for name, value in fields.items():
                    setattr(connection, name, value)
            log.info("connection %s (%s) applied", item["conn_id"], fields["conn_type"])
        for item in settings["pools"]:
            Pool.create_or_update_pool(item["pool_name"], int(item["pool_slot"]), item.get("pool_description") or "",
                                       include_deferred=False, session=session)
            log.info("pool %s applied (%s slots)", item["pool_name"], item["pool_slot"])
        for item in settings["variables"]:
            value = item["variable_value"]
            Variable.set(item["variable_name"], value if isinstance(value, str) else json.dumps(value),
                         description=item.get("variable_description"), session=session)
            log.info("variable %s applied", item["variable_name"])
    return {kind: len(items) for kind, items in settings.items()}


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s settings %(message)s")
    path = Path(args[0]) if args else Path(__file__).resolve().parents[1] / "airflow_settings.yaml"
    counts = apply(read_settings(path, os.environ))
    log.info("airflow_settings.yaml applied: %s", counts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
