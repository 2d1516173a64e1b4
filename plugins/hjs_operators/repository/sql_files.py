"""Every SQL statement lives as a file under include/sql; this finds and caches them."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

# An installed wheel carries the SQL inside the package (setup.py copies include/sql there); a checkout or
# an editable install reads include/sql at the repository root. HJS_SQL_DIR overrides both.
_PACKAGED_SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
_CHECKOUT_SQL_DIR = Path(__file__).resolve().parents[3] / "include" / "sql"


def sql_dir() -> Path:
    if "HJS_SQL_DIR" in os.environ:
        return Path(os.environ["HJS_SQL_DIR"])
    return _PACKAGED_SQL_DIR if _PACKAGED_SQL_DIR.is_dir() else _CHECKOUT_SQL_DIR


@cache
def load_sql(relative_path: str) -> str:
    """The text of include/sql/<relative_path>; a missing file names itself."""
    path = sql_dir() / relative_path
    if not path.is_file():
        raise FileNotFoundError(f"SQL file {relative_path} not found under {sql_dir()}")
    return path.read_text(encoding="utf-8")
