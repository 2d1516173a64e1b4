"""The plugin package as a platform team installs it into an existing Airflow (docs/deploy.md): built as
a wheel with `python -m build`, installed into a fresh virtualenv next to requirements.txt, and then the
DAGs parse, the `hjs` connection type and the console plugin are registered, and the SQL is read from
inside the installed package, with no path into this checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stack.paths import DAGS_DIR, REPO_ROOT

# Run inside the fresh virtualenv, from a folder outside the checkout.
CHECK = textwrap.dedent("""
    import json, sys
    from airflow.dag_processing.dagbag import DagBag
    from airflow.providers_manager import ProvidersManager
    from airflow import plugins_manager
    import hjs_operators
    from hjs_operators.repository.sql_files import load_sql, sql_dir

    bag = DagBag(dag_folder=sys.argv[1])
    print(json.dumps({
        "dags": sorted(bag.dag_ids),
        "import_errors": {str(k): v for k, v in bag.import_errors.items()},
        "connection_types": sorted(ProvidersManager().hooks),
        "plugins": sorted(info["name"] for info in plugins_manager.get_plugin_info()),
        "package": hjs_operators.__file__,
        "sql_dir": str(sql_dir()),
        "sql_read": bool(load_sql("bookkeeping/record_attempt.sql")),
    }))
""")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # the default build goes through the sdist, so what MANIFEST.in leaves out is missing from the wheel too
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO_ROOT)], check=True,
                   capture_output=True)
    [built] = out.glob("*.whl")
    return built


def test_the_wheel_installs_into_a_fresh_airflow_and_the_dags_parse(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel), "-r",
                    str(REPO_ROOT / "requirements.txt"), "-c", str(REPO_ROOT / "constraints.txt")],
                   check=True, capture_output=True)
    dags = shutil.copytree(DAGS_DIR, tmp_path / "dags", ignore=shutil.ignore_patterns("__pycache__"))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AIRFLOW", "PYTHON", "HJS_"))}
    env.update({"AIRFLOW_HOME": str(tmp_path / "airflow-home"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(tmp_path / "no-plugins")})
    done = subprocess.run([str(python), "-c", CHECK, str(dags)], cwd=tmp_path, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])

    assert found["import_errors"] == {}
    assert set(found["dags"]) == {path.stem for path in DAGS_DIR.glob("hjs_*.py")}
    assert "hjs" in found["connection_types"]
    assert any("console" in name.lower() for name in found["plugins"]), found["plugins"]
    installed = Path(found["package"]).resolve()
    assert venv.resolve() in installed.parents and REPO_ROOT not in installed.parents
    assert venv.resolve() in Path(found["sql_dir"]).resolve().parents
    assert found["sql_read"]
