"""What the operations console shows, read from zw: one function per question, each taking a psycopg 3
connection (hooks.zw.ZwHook) and returning named rows. The SQL is in include/sql/console/; every query
starts from the products of a bounded maturity-date window (or the few held results) and reads the big
tables (asset, sell_record, reconciliation_exception) only by product, through their indexes.
Days are Asia/Shanghai days, as everywhere in the pipelines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from psycopg import sql

from ..dag_defaults import TIMEZONE
from ..repository.db import transaction
from ..repository.sql_files import load_sql
from ..settings import TRIAL_OFFSET_DAYS

TZ = TIMEZONE.name
OPEN_EXCEPTIONS_LIMIT = 500  # rows of the exceptions queue shown at once (oldest first)
RESOLVED_DAYS = 7  # resolved exceptions stay in the queue this many days, marked resolved
AGE_BUCKETS = ((1, "0-1"), (7, "2-7"), (30, "8-30"))  # (up to days, label); older: ">30"


@dataclass(frozen=True)
class MaturityDay:
    """A row of console/maturity_dates.sql: one maturity date's products per stage."""
    maturity_date: date
    products: int
    compared: int
    settled: int
    held: int
    accepted: int
    kept: int
    notice_sent: int
    paid: int
    late: int
    missed: int
    zw_total: Decimal
    hjs_total: Decimal


@dataclass(frozen=True)
class ProductStage:
    """A row of console/product_stages.sql, with the product's current holders and their principal."""
    product_id: int
    product_code: str
    channel_code: str
    maturity_date: date
    last_run_id: str | None
    last_outcome: str | None  # SETTLE / HOLD of the newest T-3 result
    compared_assets: int | None
    matched: int | None
    zw_total: Decimal | None
    hjs_total: Decimal | None
    drift: Decimal | None
    max_abs_diff: Decimal | None
    first_compared_at: datetime | None
    first_held_at: datetime | None
    first_held_run: str | None
    sold: bool
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None
    decision_run: str | None
    open_question_run: str | None  # the run whose question waits for an answer (Required actions)
    asked_at: datetime | None
    notice_key: str | None
    announced_at: datetime | None
    paid_at: datetime | None
    outcome: str | None  # accepted / settled / kept / held, or None before the T-3 comparison
    late: bool
    missed: bool
    holders: int = 0
    principal: Decimal = Decimal(0)


@dataclass(frozen=True)
class ExceptionItem:
    """A row of console/open_exceptions.sql: one exception of a held product's newest holding run."""
    product_id: int
    product_code: str
    channel_code: str
    maturity_date: date
    hold_run: str
    cls: str
    subject_key: str
    asset_id: int | None
    zw_amount: Decimal | None
    hjs_amount: Decimal | None
    diff: Decimal | None
    detail: str | None
    first_held_at: datetime
    holds: int  # runs that held the product for this maturity date
    resolved_at: datetime | None
    age_days: int  # Asia/Shanghai days from the first holding run to today (or to the resolution)
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None
    open_question_run: str | None  # the run whose question waits for an answer (Required actions)

    @property
    def age_bucket(self) -> str:
        return age_bucket(self.age_days)

    @property
    def lifecycle(self) -> str:
        """resolved (accepted or settled later), new (held by one run so far) or persisting."""
        if self.resolved_at is not None:
            return "resolved"
        return "new" if self.holds == 1 else "persisting"


@dataclass(frozen=True)
class DifferenceCount:
    """A row of console/difference_distribution.sql: assets whose zw - HJS is diff_fen."""
    diff_fen: int
    side: str  # settled (sell records) or held (exceptions)
    assets: int


@dataclass(frozen=True)
class DailyTotal:
    """A row of console/daily_totals.sql: one maturity date's funding and payback per destination."""
    day: date
    funded_balance: Decimal
    funded_card: Decimal
    paid_balance: Decimal
    paid_card: Decimal


def age_bucket(days: int) -> str:
    for limit, label in AGE_BUCKETS:
        if days <= limit:
            return label
    return ">30"


def _stages_sql() -> sql.Composable:
    return sql.SQL(load_sql("console/product_stages.sql"))


def _stage_params(since: date, until: date, today: date | None, offset_days: int) -> dict:
    return {"since": since, "until": until, "today": today or datetime.now(TIMEZONE).date(), "tz": TZ,
            "offset_days": offset_days}


def maturity_dates(conn, since: date, until: date, *, today: date | None = None,
                   offset_days: int = TRIAL_OFFSET_DAYS) -> list[MaturityDay]:
    """Every maturity date in [since, until] that has products, with its products per stage."""
    query = sql.SQL(load_sql("console/maturity_dates.sql")).format(stages=_stages_sql())
    with transaction(conn) as cur:
        cur.execute(query, _stage_params(since, until, today, offset_days))
        return [MaturityDay(*row) for row in cur.fetchall()]


def maturity_products(conn, maturity_date: date, *, today: date | None = None,
                      offset_days: int = TRIAL_OFFSET_DAYS) -> list[ProductStage]:
    """Each product maturing on the date: its path through the stages, holders and principal."""
    query = sql.SQL("SELECT * FROM ({stages}) s ORDER BY s.channel_code, s.product_code").format(
        stages=_stages_sql())
    with transaction(conn) as cur:
        cur.execute(query, _stage_params(maturity_date, maturity_date, today, offset_days))
        rows = cur.fetchall()
        cur.execute(load_sql("console/maturity_holders.sql"), {"maturity_date": maturity_date})
        holders = {product_id: (n, principal) for product_id, n, principal in cur.fetchall()}
    products = []
    for row in rows:
        n, principal = holders.get(row[0], (0, Decimal(0)))
        products.append(ProductStage(*row, holders=n, principal=principal))
    return products


def open_exceptions(conn, today: date, limit: int = OPEN_EXCEPTIONS_LIMIT, *,
                    resolved_days: int = RESOLVED_DAYS) -> list[ExceptionItem]:
    """The exceptions queue across every maturity date: open ones oldest first, then those resolved in
    the last `resolved_days` days; at most `limit` rows."""
    params = {"today": today, "tz": TZ, "limit": limit, "resolved_since": today - timedelta(days=resolved_days)}
    with transaction(conn) as cur:
        cur.execute(load_sql("console/open_exceptions.sql"), params)
        return [ExceptionItem(*row) for row in cur.fetchall()]


def difference_distribution(conn, maturity_date: date) -> list[DifferenceCount]:
    """How many assets maturing on the date differ by each amount (zw - HJS, fen)."""
    with transaction(conn) as cur:
        cur.execute(load_sql("console/difference_distribution.sql"), {"maturity_date": maturity_date})
        return [DifferenceCount(int(d), side, int(n)) for d, side, n in cur.fetchall()]


def daily_totals(conn, since: date, until: date) -> list[DailyTotal]:
    """Per maturity date in [since, until] (every day, zero where nothing matures): funding asked of HJS
    and payback orders, to balance accounts and to cards."""
    with transaction(conn) as cur:
        cur.execute(load_sql("console/daily_totals.sql"), {"since": since, "until": until})
        return [DailyTotal(*row) for row in cur.fetchall()]
