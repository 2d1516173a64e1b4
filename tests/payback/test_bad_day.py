"""The maturity payback on a bad day, run by Airflow: missed days after an outage (the runs the
scheduler really creates, from the DAG's own timetable), a product that stays blocked, the same day
run twice, and refusals that name the assets and the real cause."""

from __future__ import annotations

from datetime import date, timedelta

import pendulum
import pytest
from psycopg import sql

from tests.fixtures.outage import scheduled_after_outage
from tests.payback.helpers import confirmed, fetch, orders_by_asset, statuses, summaries
from tests.zw_rows import add_asset, add_liquidation, add_product

pytestmark = [pytest.mark.airflow, pytest.mark.postgres]

SHANGHAI = pendulum.timezone("Asia/Shanghai")
DAG_ID = "hjs_maturity_payback"


def morning(day: date, hour: int = 6) -> pendulum.DateTime:
    """`hour`:00 Shanghai time on `day` (06:00 is the schedule's run time)."""
    return pendulum.datetime(day.year, day.month, day.day, hour, tz=SHANGHAI)


def task_states(run) -> dict:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def code_of(conn, product: int) -> str:
    return fetch(conn, "SELECT product_code FROM hjs_product WHERE id = %s", (product,))[0][0]


def ready_product(conn, maturity: date, holders: int = 2) -> tuple[int, list[int]]:
    product = add_product(conn, maturity_date=maturity, value_date=maturity - timedelta(days=365))
    return product, [confirmed(conn, product, user_id=100 + i) for i in range(holders)]


@pytest.fixture
def env(pipeline_env, zw_db):
    conn = zw_db.connect()
    yield conn, pipeline_env[2]
    conn.close()


LAST_RUN = date(2026, 11, 26)  # the last run before the outage; everything due by then was paid


@pytest.mark.parametrize("missed_days", [1, 3])
def test_the_runs_after_an_outage_pay_the_missed_days_and_say_so_once(env, run_dag, project_dags, missed_days):
    conn, mailbox = env
    missed = [LAST_RUN + timedelta(days=n) for n in range(1, missed_days + 1)]
    back = missed[-1] + timedelta(days=1)  # the scheduler is back that morning, after the run time
    late = {day: ready_product(conn, day) for day in missed}
    today, today_assets = ready_product(conn, back)
    tomorrow, tomorrow_assets = ready_product(conn, back + timedelta(days=1))
    conn.commit()

    runs = scheduled_after_outage(project_dags[DAG_ID], morning(LAST_RUN), morning(back, 7))
    assert runs == [morning(back)]  # catchup=False: the missed days get no run of their own
    for logical in runs:
        run = run_dag(DAG_ID, logical_date=logical, retries=0)
        assert run.state == "success", task_states(run)

    paid = {product for product, in fetch(conn, "SELECT DISTINCT product_id FROM payback_order")}
    assert paid == {product for product, _ in late.values()} | {today}
    after = statuses(conn)
    assert {after[a] for _, assets in late.values() for a in assets} | {after[a] for a in today_assets} == {
        "SELL_SUCCESS"}
    # nothing is paid before its maturity date
    assert {after[a] for a in tomorrow_assets} == {"SELL_CONFIRMED"}
    assert not set(tomorrow_assets) & set(orders_by_asset(conn))

    [mail] = mailbox.messages()  # one e-mail for the run, naming each late day and product
    text = mail["Subject"] + mail.get_body(("html",)).get_content()
    assert "LATE" in mail["Subject"]
    for day, (product, _) in late.items():
        days_late = (back - day).days
        assert f"{day} ({days_late} day(s) late)" in mail["Subject"]
        assert f"<b>{day}</b>, {days_late} day(s) late" in text
        assert f"{code_of(conn, product)}: now paid (2 new order(s))" in text
    assert code_of(conn, tomorrow) not in text
    [csv_part] = list(mail.iter_attachments())
    csv_days = {line.split(",")[0] for line in csv_part.get_content().splitlines()[1:]}
    assert csv_days == {str(day) for day in [*missed, back]}


def _install_writer(conn, event: str, condition: str, change: str, product_id: int) -> None:
    """A trigger that changes the rows the payback writes where `condition` holds for the product
    (composed client-side: a parameter cannot reach inside a function body)."""
    with conn.cursor() as cur:
        cur.execute(sql.SQL("""
            CREATE FUNCTION interfere() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF """ + condition + """ THEN """ + change + """
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER interfere """ + event + """ FOR EACH ROW EXECUTE FUNCTION interfere();
        """).format(sql.Literal(product_id)))
    conn.commit()


def test_the_checks_cover_the_late_days_the_run_paid(env, run_dag, project_dags):
    """A late product whose orders do not add up fails check_totals_add_up: the checks look at every
    product the run paid, not only the run day's maturity date."""
    conn, _ = env
    missed = LAST_RUN + timedelta(days=1)
    back = missed + timedelta(days=1)
    late, _ = ready_product(conn, missed)
    ready_product(conn, back)
    # a writer that adds a fen of boost to the late product's orders
    _install_writer(conn, "BEFORE INSERT ON payback_order", "NEW.product_id = {}", """
        NEW.boost_interest := NEW.boost_interest + 0.01;
        NEW.amount := NEW.amount + 0.01;
        NEW.destination := 'BALANCE';
        NEW.card_id := NULL;""", late)

    [logical] = scheduled_after_outage(project_dags[DAG_ID], morning(LAST_RUN), morning(back, 7))
    run = run_dag(DAG_ID, logical_date=logical, retries=0)
    states = task_states(run)
    assert states["create_payback_orders"] == "success"
    assert states["check_totals_add_up"] == "failed"
    assert states["check_one_order_per_holder"] == states["check_no_liquidated_asset_paid"] == "success"


def test_a_holder_left_unpaid_fails_check_one_order_per_holder(env, run_dag, project_dags):
    """A writer that leaves one holder's status behind while its order is written: the one-order check
    (three counts, each must be 0) fails on it; the totals still add up."""
    conn, _ = env
    day = LAST_RUN + timedelta(days=1)
    product, _ = ready_product(conn, day)
    _install_writer(conn, "BEFORE UPDATE ON asset", "NEW.id = (SELECT min(id) FROM asset WHERE product_id = {})",
                    "NEW.status := OLD.status;", product)

    [logical] = scheduled_after_outage(project_dags[DAG_ID], morning(LAST_RUN), morning(day, 7))
    states = task_states(run_dag(DAG_ID, logical_date=logical, retries=0))
    assert states["create_payback_orders"] == "success"
    assert states["check_one_order_per_holder"] == "failed"
    assert states["check_totals_add_up"] == states["check_no_liquidated_asset_paid"] == "success"


def test_a_product_never_reconciled_fails_every_later_run_naming_it(env, run_dag):
    conn, mailbox = env
    day = LAST_RUN + timedelta(days=1)
    blocked = add_product(conn, maturity_date=day, value_date=day - timedelta(days=365))
    ready = confirmed(conn, blocked, user_id=1)
    unconfirmed = add_asset(conn, blocked, status="INVEST_SUCCESS", user_id=2)  # the T-3 trial never ran for it
    conn.commit()
    code = code_of(conn, blocked)

    for days_late in (1, 2):
        run = run_dag(DAG_ID, logical_date=morning(day + timedelta(days=days_late)), retries=0)
        assert run.state == "failed"
        [verdict] = [ti for ti in run.get_task_instances() if ti.task_id == "fail_if_products_unpaid"]
        assert verdict.state == "failed"
        assert statuses(conn)[ready] == "SELL_CONFIRMED" and orders_by_asset(conn) == {}
        mail = summaries(mailbox)[-1]
        body = mail.get_body(("html",)).get_content()
        assert f"{day} ({days_late} day(s) late): {code}" in mail["Subject"] and "1 product(s) NOT PAID" in mail[
            "Subject"]
        assert f"{code}: still NOT PAID" in body and "no sell record" in body and str(unconfirmed) in body
    assert len(summaries(mailbox)) == 2  # one per run day, each naming the product again


def test_the_verdict_names_product_maturity_days_late_and_assets(env):
    from hjs_operators.operators.payback import FailIfProductsUnpaidOperator, UnpaidProductsError
    from hjs_operators.payback import pay_maturity_day

    conn, _ = env
    day = LAST_RUN + timedelta(days=1)
    blocked = add_product(conn, maturity_date=day, value_date=day - timedelta(days=365))
    unconfirmed = add_asset(conn, blocked, status="INVEST_SUCCESS", user_id=2)
    conn.commit()
    outcome = pay_maturity_day(conn, day + timedelta(days=3), run_id="r1").to_xcom()

    class TI:
        def xcom_pull(self, task_ids):
            return outcome

    expected = (rf"{code_of(conn, blocked)} \(id {blocked}, maturity {day}, 3 day\(s\) late\): 1 asset\(s\): "
                rf"no sell record: .* \(asset ids {unconfirmed}\)")
    with pytest.raises(UnpaidProductsError, match=expected):
        FailIfProductsUnpaidOperator(task_id="v", payback_task_id="p").execute({"ti": TI()})


def test_the_same_day_twice_and_a_backfill_change_nothing_and_pay_nothing_early(env, run_dag):
    conn, mailbox = env
    d1, d2 = LAST_RUN + timedelta(days=1), LAST_RUN + timedelta(days=2)
    p1, _ = ready_product(conn, d1)
    p2, p2_assets = ready_product(conn, d2)
    conn.commit()

    # a backfill of d1 pays d1 and leaves d2's ready product alone
    run_dag(DAG_ID, logical_date=morning(d1), retries=0)
    assert {p for p, in fetch(conn, "SELECT DISTINCT product_id FROM payback_order")} == {p1}
    assert {statuses(conn)[a] for a in p2_assets} == {"SELL_CONFIRMED"}
    run_dag(DAG_ID, logical_date=morning(d2), retries=0)
    orders, assets, mails = orders_by_asset(conn), statuses(conn), len(mailbox.messages())
    assert mails == 2

    for logical in (morning(d2) + timedelta(seconds=1), morning(d1) + timedelta(seconds=1)):
        run = run_dag(DAG_ID, logical_date=logical, retries=0)
        assert run.state == "success", task_states(run)
        assert orders_by_asset(conn) == orders and statuses(conn) == assets
    assert len(mailbox.messages()) == mails


@pytest.mark.parametrize("case", ["sell_success_without_order", "origin_cycle", "seller_still_holding",
                                  "confirmed_without_sell_record"])
def test_every_refusal_names_the_assets_and_the_real_cause(env, case):
    from hjs_operators.payback import pay_maturity_day

    conn, _ = env
    day = LAST_RUN + timedelta(days=1)
    product, (good, _) = ready_product(conn, day)
    if case == "sell_success_without_order":
        culprits = [confirmed(conn, product, user_id=7)]
        with conn.cursor() as cur:
            cur.execute("UPDATE asset SET status = 'SELL_SUCCESS', updated_at = now() WHERE id = %s", culprits)
        cause = "SELL_SUCCESS without a payback order"
    elif case == "origin_cycle":
        # a -> b -> c -> a, written by other means: the holding has no first buyer
        a = add_asset(conn, product, status="LIQUIDATED", user_id=7)
        b = add_asset(conn, product, status="LIQUIDATED", user_id=8, origin=a)
        c = confirmed(conn, product, user_id=9, origin=b)
        with conn.cursor() as cur:
            cur.execute("UPDATE asset SET origin_asset_id = %s WHERE id = %s", (c, a))
        add_liquidation(conn, a, b)
        add_liquidation(conn, b, c)
        culprits = [a, c, b]  # each bought from the next, from the lowest id
        cause = f"a cycle in the origin chain: {a} -> {c} -> {b} -> {a}"
    elif case == "seller_still_holding":
        seller = confirmed(conn, product, user_id=7)
        culprits = [confirmed(conn, product, user_id=8, origin=seller)]
        cause = "bought from an asset that is still SELL_CONFIRMED, not LIQUIDATED"
    else:
        culprits = [add_asset(conn, product, status="SELL_CONFIRMED", user_id=7)]
        cause = "no sell record for this product although its status is SELL_CONFIRMED"
    conn.commit()

    result = pay_maturity_day(conn, day, run_id="r1")
    [blocked] = result.unpaid
    [problem] = blocked.problems
    assert cause in problem.reason
    assert sorted(problem.sample_asset_ids) == sorted(culprits) and problem.assets == len(culprits)
    described = blocked.describe_problems()
    assert "zw does not know" not in described and "asset ids , " not in described
    assert all(str(asset) in described for asset in culprits)
    assert orders_by_asset(conn) == {} and statuses(conn)[good] == "SELL_CONFIRMED"
