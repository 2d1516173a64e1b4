"""The environment every Airflow process of the local stack runs with.

Airflow reads its configuration when first imported, so this is applied to child processes (and by
the tests before anything imports airflow), never patched into a running interpreter.
Secrets (JWT, API and Fernet keys, the admin password) are generated once per data folder and kept
there (git-ignored), so a restarted stack keeps its sessions and can decrypt its connections.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .paths import DAGS_DIR, PLUGINS_DIR, REPO_ROOT, VENV_BIN

ADMIN_USER = "admin"
# zw's business day: schedules, and the UI's default zone (the 3.3 UI has no server option for it; the
# plugin hjs_operators.ui_timezone gives the browser this zone until a user picks another).
BUSINESS_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class AirflowSecrets:
    jwt_secret: str
    api_secret_key: str
    fernet_key: str
    admin_password: str

    @classmethod
    def load_or_create(cls, home: Path) -> AirflowSecrets:
        path = home / "stack-secrets.json"
        if path.exists():
            return cls(**json.loads(path.read_text()))
        created = cls(
            jwt_secret=secrets.token_urlsafe(32),
            api_secret_key=secrets.token_urlsafe(32),
            fernet_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            admin_password=secrets.token_urlsafe(12),
        )
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(created.__dict__))
        path.chmod(0o600)
        return created


def airflow_environment(home: Path, metadata_url: str, api_port: int) -> dict[str, str]:
    """Variables for an Airflow process of this project (merged over os.environ by the caller)."""
    keys = AirflowSecrets.load_or_create(home)
    passwords = home / "simple_auth_manager_passwords.json"
    passwords.write_text(json.dumps({ADMIN_USER: keys.admin_password}))
    passwords.chmod(0o600)
    api_url = f"http://127.0.0.1:{api_port}"
    return {
        "AIRFLOW_HOME": str(home),
        # `airflow standalone`-style children are started as `airflow ...`: the venv must be on PATH
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": BUSINESS_TIMEZONE,
        "AIRFLOW__HJS__UI_DEFAULT_TIMEZONE": BUSINESS_TIMEZONE,
        # Nothing runs until an operator says so (the UI's trigger offers "Unpause on trigger").
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__FERNET_KEY": keys.fernet_key,
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__BASE_URL": api_url,
        "AIRFLOW__API__SECRET_KEY": keys.api_secret_key,
        "AIRFLOW__API_AUTH__JWT_SECRET": keys.jwt_secret,
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
    }


def admin_password(home: Path) -> str:
    return AirflowSecrets.load_or_create(home).admin_password
