"""Every SQL statement lives as a file under include/sql; this finds and caches them."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

# plugins/hjs_operators/repository -> repository root; HJS_SQL_DIR overrides it where a deployment
# puts include/ elsewhere.
_DEFAULT_SQL_DIR = Path(__file__).resolve().parents[3] / "include" / "sql"


def sql_dir() -> Path:
    return Path(os.environ.get("HJS_SQL_DIR", _DEFAULT_SQL_DIR))


@cache
def load_sql(relative_path: str) -> str:
    """The text of include/sql/<relative_path>; a missing file names itself."""
    path = sql_dir() / relative_path
    if not path.is_file():
        raise FileNotFoundError(f"SQL file {relative_path} not found under {sql_dir()}")
    return path.read_text(encoding="utf-8")
