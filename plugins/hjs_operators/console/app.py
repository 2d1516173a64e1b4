"""The console's FastAPI app, mounted by the api-server at settings.CONSOLE_URL_PREFIX (see plugin.py).

Read-only. Every route needs a user the api-server's own auth manager knows (its `get_user` dependency:
the UI's `_token` cookie or an `Authorization: Bearer` token) who may read the T-3 DAG's runs. An
anonymous request gets 401 from the JSON API and is sent to Airflow's login page from the pages and the
report files. JSON money is a two-place string (exact); times are Asia/Shanghai.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from ..console_links import REPORT_FILES, maturity_path, report_path
from ..dag_defaults import TIMEZONE
from ..settings import ZW_CONN_ID
from . import charts, queries
from .reports import ReportNotFound, report_base, report_file
from .runs import TRIAL_DAG_ID, required_actions_page, run_page, run_targets

API = "/api"
WINDOW_BEFORE, WINDOW_AFTER = timedelta(weeks=4), timedelta(weeks=2)  # the maturity dates listed by default
TOTALS_WEEKS = 6  # the daily totals chart: recent weeks up to today
MAX_WINDOW = timedelta(days=370)  # a longer window is refused: the queries are bounded by it


def zw_connection() -> Iterator[Any]:
    from ..hooks.zw import ZwHook

    conn = ZwHook(ZW_CONN_ID).get_conn()
    try:
        yield conn
    finally:
        conn.close()


def _metadata_session() -> Iterator[Any]:
    from airflow.utils.session import create_session

    with create_session(scoped=False) as session:
        yield session


Zw = Annotated[Any, Depends(zw_connection)]
Metadata = Annotated[Any, Depends(_metadata_session)]


def today() -> date:
    return datetime.now(TIMEZONE).date()


def _window(since: date | None, until: date | None, before: timedelta, after: timedelta) -> tuple[date, date]:
    since, until = since or today() - before, until or today() + after
    if until < since or until - since > MAX_WINDOW:
        raise HTTPException(422, f"the window {since} .. {until} must run forwards and span at most "
                                 f"{MAX_WINDOW.days} days")
    return since, until


def plain(value: Any) -> Any:
    """A JSON-ready value: money as an exact string, times in Asia/Shanghai."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(TIMEZONE).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _row(row: Any, **extra: Any) -> dict[str, Any]:
    return plain({**dataclasses.asdict(row), **extra})


def _links(run_id: str | None, open_question_run: str | None, targets: dict[str, date]) -> dict[str, str | None]:
    """Where to look further: the run, the Required actions of the question still waiting, the report.
    A run Airflow does not know (rows written outside a DAG run, a run deleted since) gets no link."""
    target = targets.get(run_id) if run_id else None
    return {"run": run_page(run_id) if target else None,
            "required_action": required_actions_page(open_question_run) if open_question_run else None,
            "report": report_path(target, run_id) if target else None}


def product_rows(conn, session, maturity_date: date) -> list[tuple[queries.ProductStage, dict[str, str | None]]]:
    products = queries.maturity_products(conn, maturity_date, today=today())
    targets = run_targets(session, [p.last_run_id for p in products])
    return [(p, _links(p.last_run_id, p.open_question_run, targets)) for p in products]


def exception_rows(conn, session, limit: int) -> list[tuple[queries.ExceptionItem, dict[str, str | None]]]:
    items = queries.open_exceptions(conn, today(), limit)
    targets = run_targets(session, [i.hold_run for i in items])
    return [(i, _links(i.hold_run, i.open_question_run, targets)) for i in items]


def _requires_trial_runs():
    """The api-server's own check: a logged-in user allowed to read the T-3 DAG's runs."""
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
    from airflow.api_fastapi.core_api.security import requires_access_dag

    return requires_access_dag("GET", DagAccessEntity.RUN, param_dag_id=TRIAL_DAG_ID)


def _to_login(request: Request, exc: HTTPException) -> Response:
    """Pages and report files send an anonymous visitor to Airflow's login and back; the API says 401."""
    if exc.status_code == 401 and not request.url.path.startswith(request.scope.get("root_path", "") + API):
        from airflow.api_fastapi.app import get_auth_manager

        return RedirectResponse(get_auth_manager().get_url_login(next_url=str(request.url)), status_code=303)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def create_app() -> FastAPI:
    from .pages import router as pages

    app = FastAPI(title="HJS settlement console", dependencies=[Depends(_requires_trial_runs())],
                  docs_url=None, redoc_url=None, openapi_url=f"{API}/openapi.json")
    app.add_exception_handler(HTTPException, _to_login)

    @app.get(f"{API}/maturity-dates")
    def api_maturity_dates(zw: Zw, since: date | None = None, until: date | None = None) -> list[dict]:
        since, until = _window(since, until, WINDOW_BEFORE, WINDOW_AFTER)
        return [_row(d, page=maturity_path(d.maturity_date))
                for d in queries.maturity_dates(zw, since, until, today=today())]

    @app.get(API + "/maturity/{maturity_date}/products")
    def api_products(maturity_date: date, zw: Zw, session: Metadata) -> list[dict]:
        return [_row(p, links=links) for p, links in product_rows(zw, session, maturity_date)]

    @app.get(API + "/maturity/{maturity_date}/differences")
    def api_differences(maturity_date: date, zw: Zw) -> list[dict]:
        return [_row(c) for c in queries.difference_distribution(zw, maturity_date)]

    @app.get(f"{API}/exceptions")
    def api_exceptions(zw: Zw, session: Metadata,
                       limit: Annotated[int, Query(ge=1, le=5000)] = queries.OPEN_EXCEPTIONS_LIMIT) -> list[dict]:
        return [_row(i, age_bucket=i.age_bucket, lifecycle=i.lifecycle, links=links)
                for i, links in exception_rows(zw, session, limit)]

    @app.get(f"{API}/daily-totals")
    def api_daily_totals(zw: Zw, since: date | None = None, until: date | None = None) -> list[dict]:
        since, until = _window(since, until, timedelta(weeks=TOTALS_WEEKS), timedelta(0))
        return [_row(t) for t in queries.daily_totals(zw, since, until)]

    @app.get("/charts/differences/{maturity_date}.svg")
    def chart_differences(maturity_date: date, zw: Zw) -> Response:
        svg = charts.difference_histogram(queries.difference_distribution(zw, maturity_date),
                                          f"zw - HJS per asset, maturity date {maturity_date}")
        return Response(svg, media_type="image/svg+xml")

    @app.get("/charts/daily-totals.svg")
    def chart_daily_totals(zw: Zw, since: date | None = None, until: date | None = None) -> Response:
        since, until = _window(since, until, timedelta(weeks=TOTALS_WEEKS), timedelta(0))
        svg = charts.daily_totals_chart(queries.daily_totals(zw, since, until),
                                        f"Funding asked of HJS and payback orders, {since} .. {until}")
        return Response(svg, media_type="image/svg+xml")

    # A run id may hold any character: everything between the date and the last "/" is the run id.
    @app.get("/reports/{maturity_date}/{run_and_file:path}")
    def report(maturity_date: date, run_and_file: str, zw: Zw) -> Response:
        run_id, _, name = run_and_file.rpartition("/")
        try:
            content = report_file(zw, report_base(), run_id, maturity_date, name)
        except ReportNotFound as missing:
            raise HTTPException(404, str(missing)) from None
        headers = {}
        if name != "report.html":
            headers["Content-Disposition"] = f'attachment; filename="trial-{maturity_date.isoformat()}-{name}"'
        return Response(content, media_type=REPORT_FILES[name], headers=headers)

    app.include_router(pages)
    return app
