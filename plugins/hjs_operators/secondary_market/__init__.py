"""The secondary market: transfers of whole HJS assets, their registration at HJS, and the close step.

Plain Python, no Airflow imports (the operators in hjs_operators.operators.transfers wrap it):
- rules: fee, close date and the other rules of a transfer (docs/secondary-market.md);
- transfers: record_transfer, a transfer recorded in zw the way the platform does it;
- registration: register_pending, every new transfer registered at HJS exactly once;
- close: close_product_transfers, the T-3 trial's close step;
- checks: holder limit and rule checks over the data, chain resolution, the fee report.
"""
