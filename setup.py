"""Packaging beyond what pyproject.toml can say: the wheel carries include/sql as hjs_operators/sql.

The SQL files live at the repository's top (include/sql, beside the DAGs) and are found there by a
checkout and an editable install; a wheel installed into another Airflow has no repository, so the
build copies them into the package, where repository/sql_files.py looks first.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SQL_SOURCE = Path(__file__).resolve().parent / "include" / "sql"


class BuildPyWithSql(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads include/sql from the checkout
        target = Path(self.build_lib) / "hjs_operators" / "sql"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(SQL_SOURCE, target, ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildPyWithSql})
