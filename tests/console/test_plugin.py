"""The console is registered exactly once by Airflow's own plugins_manager: from the plugins folder
under `make run` (the installed package's entry point standing aside, even where a development tree
lists the package twice), and through the entry point where the plugins folder does not hold it."""

from __future__ import annotations

from stack.paths import PLUGINS_DIR

CONSOLE = "hjs_settlement_console"


def test_with_the_plugins_folder_it_is_registered_once_without_an_import_error(monkeypatch):
    from airflow import plugins_manager, settings

    monkeypatch.setattr(settings, "PLUGINS_FOLDER", str(PLUGINS_DIR))
    plugins_manager._get_plugins.cache_clear()
    try:
        plugins, errors = plugins_manager._get_plugins()
        consoles = [p for p in plugins if p.name == CONSOLE]
        assert len(consoles) == 1 and str(consoles[0].source) == "$PLUGINS_FOLDER/hjs_console.py"
        assert errors == {}
    finally:
        plugins_manager._get_plugins.cache_clear()


def test_without_it_in_the_plugins_folder_the_entry_point_names_the_plugin(tmp_path):
    from airflow._shared.module_loading import entry_points_with_dist

    from hjs_operators.console import plugin

    (entry,) = {ep.value for ep, _dist in entry_points_with_dist("airflow.plugins") if ep.name == CONSOLE}
    assert entry == "hjs_operators.console.plugin:entry_point"
    assert plugin.entry_point_target(str(tmp_path)) is plugin.HjsSettlementConsolePlugin
    assert plugin.entry_point_target(str(PLUGINS_DIR)) is None


def test_the_app_is_mounted_under_the_console_prefix_with_a_navigation_entry():
    from hjs_operators.console.plugin import HjsSettlementConsolePlugin
    from hjs_operators.settings import CONSOLE_URL_PREFIX

    (app,) = HjsSettlementConsolePlugin.fastapi_apps
    assert app["url_prefix"] == CONSOLE_URL_PREFIX
    assert HjsSettlementConsolePlugin.fastapi_apps[0]["app"] is app["app"]  # built once
    assert HjsSettlementConsolePlugin.external_views[0]["href"] == f"{CONSOLE_URL_PREFIX}/"
    paths = {route.path for route in app["app"].routes}
    assert {"/", "/exceptions", "/maturity/{maturity_date}", "/api/exceptions",
            "/reports/{maturity_date}/{run_and_file:path}"} <= paths
