"""The console's pages (server-rendered HTML, Jinja2 templates in templates/): the overview (maturity
dates, daily totals), one maturity date (its products' path through the stages, the differences), and
the exceptions queue. The same figures as the JSON API, from the same functions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ..console_links import maturity_path
from ..dag_defaults import TIMEZONE
from ..domain.money import format_amount
from ..settings import CONSOLE_URL_PREFIX
from . import queries
from .app import TOTALS_WEEKS, WINDOW_AFTER, WINDOW_BEFORE, Metadata, Zw, exception_rows, product_rows, today
from .runs import TRIAL_DAG_ID

router = APIRouter(default_response_class=HTMLResponse)
STAGES = ("subscribed", "compared", "outcome", "notice sent", "paid")


def _when(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")


def _age(value: datetime) -> int:
    """Asia/Shanghai days from the moment to today, as the exceptions queue counts them."""
    return (today() - value.astimezone(TIMEZONE).date()).days


@cache
def _templates():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=lambda v: format_amount(v, grouped=True), when=_when, age=_age)
    env.globals.update(prefix=CONSOLE_URL_PREFIX, maturity_path=maturity_path, dag_id=TRIAL_DAG_ID,
                       timezone=TIMEZONE.name)
    return env


def render(name: str, **values: Any) -> str:
    return _templates().get_template(name).render(today=today(), **values)


@router.get("/")
def overview(zw: Zw) -> str:
    since, until = today() - WINDOW_BEFORE, today() + WINDOW_AFTER
    return render("overview.html", days=queries.maturity_dates(zw, since, until, today=today()), since=since,
                  until=until, totals_since=today() - timedelta(weeks=TOTALS_WEEKS))


@router.get("/maturity/{maturity_date}")
def maturity(maturity_date: date, zw: Zw, session: Metadata) -> str:
    return render("maturity.html", maturity_date=maturity_date, products=product_rows(zw, session, maturity_date),
                  previous=maturity_date - timedelta(days=1), next=maturity_date + timedelta(days=1))


@router.get("/exceptions")
def exceptions(zw: Zw, session: Metadata) -> str:
    return render("exceptions.html", items=exception_rows(zw, session, queries.OPEN_EXCEPTIONS_LIMIT),
                  limit=queries.OPEN_EXCEPTIONS_LIMIT, resolved_days=queries.RESOLVED_DAYS)
