"""Maturity payback against zw: the guard, writing payback orders, the summary. No Airflow imports."""

from .repository import (
    MaturityPayback,
    ProductOutcome,
    SummaryRow,
    due_products,
    due_unpaid_products,
    pay_maturity_day,
    pay_product,
    summary_rows,
)

__all__ = ["MaturityPayback", "ProductOutcome", "SummaryRow", "due_products", "due_unpaid_products",
           "pay_maturity_day", "pay_product", "summary_rows"]
