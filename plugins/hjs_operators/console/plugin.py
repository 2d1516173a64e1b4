"""The console as an Airflow plugin: its FastAPI app served by the api-server at CONSOLE_URL_PREFIX and
a navigation entry that shows it inside the Airflow UI (an external view with a url_route: Airflow 3.3
embeds it at /plugin/hjs-settlement and keeps the address bar in step with the pages inside).

Registered exactly once, whichever way the project reaches Airflow:
- plugins folder (`make run`, or a deployment that copies plugins/): plugins/hjs_console.py registers it;
- installed package without that file in the plugins folder: the `airflow.plugins` entry point
  (pyproject.toml) names `entry_point`, which is the plugin class then.
When the folder has the file, `entry_point` is None, which Airflow skips without a word: otherwise it
would load the plugin twice (and a development tree, where the plugins folder on sys.path also holds
the package's egg-info, lists the entry point twice), log "already registered" and show an import error.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from airflow.plugins_manager import AirflowPlugin

from ..settings import CONSOLE_URL_PREFIX

PLUGIN_NAME = "hjs_settlement_console"
FOLDER_MODULE = "hjs_console.py"  # the plugins-folder module that registers the console


@cache
def _apps() -> list[dict]:
    from .app import create_app

    return [{"app": create_app(), "url_prefix": CONSOLE_URL_PREFIX, "name": "HJS settlement console"}]


class _LazyApp:
    """The FastAPI app, built once when first asked for (by the api-server, which mounts it), not when a
    scheduler or worker loads the plugin: they never serve it."""

    def __get__(self, _instance, _owner) -> list[dict]:
        return _apps()


class HjsSettlementConsolePlugin(AirflowPlugin):
    name = PLUGIN_NAME
    fastapi_apps = _LazyApp()
    external_views = [{
        "name": "HJS settlement",
        "href": f"{CONSOLE_URL_PREFIX}/",
        "url_route": "hjs-settlement",
        "destination": "nav",
        "nav_top_level": True,
    }]


def registered_by_plugins_folder(plugins_folder: str | None = None) -> bool:
    if plugins_folder is None:
        from airflow import settings

        plugins_folder = settings.PLUGINS_FOLDER
    return bool(plugins_folder) and (Path(plugins_folder) / FOLDER_MODULE).is_file()


def entry_point_target(plugins_folder: str | None = None) -> type[AirflowPlugin] | None:
    return None if registered_by_plugins_folder(plugins_folder) else HjsSettlementConsolePlugin


entry_point = entry_point_target()
