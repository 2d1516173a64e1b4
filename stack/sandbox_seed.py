"""Make the HJS sandbox agree with zw, so a fresh `make run` is consistent from the first click.

The sandbox stands in for HJS, which in life already knows every product it issued and every
subscription and transfer registered with it. Seeding is idempotent (the sandbox skips what it has).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hjs_operators.repository.sql_files import load_sql


@dataclass(frozen=True)
class SandboxSettings:
    """The protocol settings of the hjs_default connection in airflow_settings.yaml."""

    merchant_id: str
    key: str
    mode: str
    iv: str | None
    sign_type: str
    charset: str

    def cli_args(self) -> list[str]:
        return ["--merchant-id", self.merchant_id, "--mode", self.mode, "--sign-type", self.sign_type,
                "--charset", self.charset]

    def secret_env(self) -> dict[str, str]:
        """Key and IV go to the sandbox by environment, not on a command line others can read."""
        return {"HJS_SANDBOX_KEY": self.key, **({"HJS_SANDBOX_IV": self.iv} if self.iv else {})}


def sandbox_settings_from_yaml(path: Path, conn_id: str = "hjs_default") -> SandboxSettings:
    import yaml

    connections = (yaml.safe_load(path.read_text(encoding="utf-8")).get("airflow") or {}).get("connections") or []
    item = next((c for c in connections if c.get("conn_id") == conn_id), None)
    if item is None:
        raise ValueError(f"{path.name} has no connection {conn_id}")
    extra = item.get("conn_extra") or {}
    return SandboxSettings(
        merchant_id=item["conn_login"], key=item["conn_password"], mode=extra.get("mode", "CBC"),
        iv=extra.get("iv"), sign_type=extra.get("sign_type", "HMAC-SHA256"), charset=extra.get("charset", "UTF-8"))


def _money(value) -> str:
    return f"{value:.2f}"


def seed_sandbox(zw, sandbox_url: str, leave_out: frozenset[str] = frozenset()) -> dict[str, int]:
    """Load zw's products and subscriptions into the sandbox at `sandbox_url`; `zw` is a PgEndpoint.
    leave_out: orderNos HJS must not know (the demo's asset missing at HJS)."""
    from sandbox.admin_client import SandboxAdmin

    admin = SandboxAdmin(sandbox_url)
    conn = zw.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(load_sql("stack/sandbox_products.sql"))
            products = [
                {"productCode": code, "productName": name, "channel": channel, "totalAmount": _money(total),
                 "shareAmount": _money(share), "annualRate": str(rate), "dayCount": day_count,
                 "valueDate": value_date.isoformat(), "maturityDate": maturity.isoformat(), "transferOpen": is_open}
                for code, name, channel, total, share, rate, day_count, value_date, maturity, is_open in cur]
            admin.upsert_products(products)
            # HJS knows the holder reached through the transfers registered there (A -> B -> C)
            cur.execute(load_sql("secondary_market/current_holder.sql"), {"product_id": None, "registered_only": True})
            holders = {row[1]: row[3] for row in cur}  # root_asset_id -> holder_asset_id
            cur.execute(load_sql("stack/sandbox_subscriptions.sql"))
            loaded = admin.load_subscriptions(
                {"orderNo": order_no, "hjsOrderId": hjs_order_id, "productCode": code, "assetId": asset_id,
                 "userId": user_id, "shares": shares, "amount": _money(amount), "holderAssetId": holders[asset_id],
                 "acceptedAt": accepted_at.isoformat()}
                for order_no, hjs_order_id, code, asset_id, user_id, shares, amount, accepted_at in cur
                if order_no not in leave_out)
    finally:
        conn.close()
    return {"products": len(products), **{f"subscriptions_{k}": v for k, v in loaded.items()}}


# HJS reports this many fen more for the skewed demo asset: beyond the 5-fen tolerance, so its product
# waits for a person's decision in the UI while the other products maturing that day settle.
DEMO_SKEW_FEN = 7
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class DemoFaults:
    """How HJS gets the demo's T-3 products wrong: one product with a mismatch, another with an asset
    HJS does not know, so the trial holds two products, each for its own reason."""

    skewed_product: str
    skewed_order: str
    missing_product: str
    missing_order: str

    def describe(self) -> str:
        return (f"the sandbox misreports order {self.skewed_order} of {self.skewed_product} by {DEMO_SKEW_FEN} fen "
                f"and does not know order {self.missing_order} of {self.missing_product}: their T-3 trial holds "
                "both for a decision in the UI")


def _rows(zw, sql_name: str, params: dict) -> list[tuple]:
    conn = zw.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(load_sql(sql_name), params)
            return cur.fetchall()
    finally:
        conn.close()


def demo_faults(zw, today: date) -> DemoFaults | None:
    """The faults for the products maturing three days after `today`, while they still wait for their trial."""
    orders = {channel: (code, order_no) for channel, code, order_no in
              _rows(zw, "stack/demo_held_order.sql", {"maturity_date": today + timedelta(days=3)})}
    if set(orders) != {"HJS_B", "HJS_C"}:
        return None
    return DemoFaults(*orders["HJS_B"], *orders["HJS_C"])


def inject_demo_faults(sandbox_url: str, faults: DemoFaults) -> None:
    from sandbox.admin_client import SandboxAdmin

    SandboxAdmin(sandbox_url).set_faults(skew={faults.skewed_order: DEMO_SKEW_FEN})


def undecided(zw) -> list[str]:
    """What still waits for a person: every open question about a held product, as a line each."""
    return [f"{code} (maturing {maturity}) is held: its question from run {run_id} "
            f"({asked_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}) waits in Browse -> Required Actions"
            for code, maturity, run_id, asked_at in _rows(zw, "stack/open_hold_questions.sql", {})]
