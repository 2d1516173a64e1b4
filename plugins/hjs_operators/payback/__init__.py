"""Maturity payback against zw, in plain Python (no Airflow imports); the operators in
hjs_operators.operators.payback wire it to Airflow.

- service: the guard and the payback orders of a run's day, each product all or nothing;
- summary: the operations e-mail of what a run paid (rows read from zw, HTML and CSV rendered);
- deadline: the text of the alert sent when a run misses its deadline.
"""

from .service import MaturityPayback, ProductOutcome, due_products, due_unpaid_products, pay_maturity_day, pay_product
from .summary import SummaryRow, render_summary, summary_key, summary_notice, summary_rows

__all__ = ["MaturityPayback", "ProductOutcome", "SummaryRow", "due_products", "due_unpaid_products",
           "pay_maturity_day", "pay_product", "render_summary", "summary_key", "summary_notice", "summary_rows"]
