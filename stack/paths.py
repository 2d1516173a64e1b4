"""Where the local stack keeps things. Everything under .local/ is git-ignored and reused by the next run."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_DIR = REPO_ROOT / ".local"
VENV_BIN = REPO_ROOT / ".venv" / "bin"
DAGS_DIR = REPO_ROOT / "dags"
PLUGINS_DIR = REPO_ROOT / "plugins"
SETTINGS_FILE = REPO_ROOT / "airflow_settings.yaml"
