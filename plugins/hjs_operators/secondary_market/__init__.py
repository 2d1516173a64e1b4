"""The secondary market: transfers of whole HJS assets, their registration at HJS, and the close step.

Plain Python, no Airflow imports (the operators in hjs_operators.operators.transfers wrap it):
- rules: fee, close date and the other rules of a transfer (docs/secondary-market.md);
- transfers: record_transfer, a transfer recorded in zw the way the platform does it;
- registration: register_pending, every new transfer registered at HJS exactly once;
- close: close_product_transfers, the T-3 trial's close step;
- checks: the holder limit and the transfer rules, checked over the data;
- holders: chain resolution, each subscription's current holder;
- fees: the fee report per day and channel;
- report: the transfer sync's e-mail to operations;
- repository: zw reads and writes of the secondary market (each statement a SQL file).
"""
