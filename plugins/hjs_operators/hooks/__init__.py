"""Airflow hooks. Import the hook from its module (hjs_operators.hooks.hjs): this package stays empty
so that importing it costs nothing."""
