"""Deterministic demo data for zw: channels, packages, assets, boosts and transfers.

Same seed, size and day -> the same rows. Dates are laid out around `today` so every pipeline has work
on the days around it:
- each channel has sold-out packages that matured 12, 9 and 6 days ago (history: reconciled, one held
  and kept, one held and accepted, paid), maturing today and in one and two days (confirmed at T-3 already:
  sell records), in three days (waiting for today's T-3 trial) and later (subscribed and running). The
  pipelines' results for the past days are written by the pipelines' own code (demo/history.py);
- channel HJS_D's dated packages count ACT/360, the others ACT/365 (and 10% of the rest at random); rates
  in eighths of a basis point, so interest falls between whole fen and HJS's truncation meets zw's
  half-up rounding one fen apart;
- one package per channel is ON_SALE with INVEST_START assets bought in the two days before, waiting
  for invest sync; the next packages are PENDING;
- about a fifth of the assets carry boosts; about 1% of running assets were transferred, with a chain
  A -> B -> C in every channel (one of them in a package maturing in three days); yesterday's
  transfers are not yet registered at HJS (today's transfer sync does that). Nothing lies after the
  start of `today`.
Rows are built as COPY text lines per chunk of packages; load.py writes them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from hjs_operators.domain.interest import simple_interest_fen, term_days
from hjs_operators.domain.money import format_yuan
from hjs_operators.domain.order_numbers import invest_order_no, transfer_no

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANNELS = (("HJS_A", "HJS channel A"), ("HJS_B", "HJS channel B"), ("HJS_C", "HJS channel C"),
            ("HJS_D", "HJS channel D"))
PACKAGE_FEN = 100_000_000  # 1,000,000.00 yuan
SHARE_FEN = 500_000  # 5,000.00 yuan
SHARES_PER_PACKAGE = PACKAGE_FEN // SHARE_FEN  # 200
PENDING_PER_CHANNEL = 2
# Days to maturity that every channel gets a package for, whatever the size: today, the two days
# already confirmed, and today's T-3.
FIXED_MATURITY_OFFSETS = (0, 1, 2, 3)
# Past maturity dates every channel has a package for: reconciled, settled (or held and decided) and paid
# by the pipelines' own code when the demo is loaded (demo/history.py), so there is history to look at.
HISTORY_OFFSETS = (-12, -9, -6)
# This channel's packages with a fixed maturity count ACT/360 (the others ACT/365, and 10% at random later).
ACT_360_CHANNEL = "HJS_D"
TERMS = (180, 365, 365, 365, 730)  # mostly one year, but never assumed
TRANSFER_SHARE = 0.01
BOOST_SHARE = 0.2
CHUNK_PACKAGES = 2_000
DEMO_RUN_ID = "demo-data"
NULL = "\\N"  # COPY text format's NULL

# COPY column lists, in the order the lines below are built. Tables are listed (and written) so that
# every foreign key points at rows written before it.
COLUMNS = {
    "hjs_channel": ("channel_code", "channel_name"),
    "hjs_product": ("id", "product_code", "product_name", "channel_code", "sequence_no", "total_amount",
                    "share_amount", "annual_rate", "day_count", "value_date", "maturity_date", "status",
                    "transfer_open", "transfer_closed_at", "created_at", "updated_at"),
    "asset": ("id", "user_id", "product_id", "share_amount", "shares", "create_amount",
              "create_expected_interest", "pay_method", "card_id", "status", "origin_asset_id",
              "created_at", "updated_at"),
    "asset_extra_interest": ("asset_id", "coupon_code", "kind", "boost_rate", "boost_days", "extra_interest",
                             "created_at"),
    "liquidate_asset": ("id", "seller_asset_id", "buyer_asset_id", "price", "fee_rate", "fee", "transferred_at"),
    "invest_record": ("asset_id", "order_no", "hjs_order_id", "amount", "accepted_at", "run_id"),
    "transfer_registration": ("liquidate_id", "transfer_no", "hjs_transfer_id", "accepted_at", "run_id"),
}
SHARE_YUAN = format_yuan(SHARE_FEN)
# Moments are integer epoch seconds, formatted through lookup tables: a million assets need two
# million timestamps, and datetime objects were a third of the build. Shanghai has had no daylight
# saving since 1991, so a fixed +08:00 is exact.
_OFFSET = 8 * 3600
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_TIME_OF_DAY: list[str] = []
_DAY_TEXT: dict[int, str] = {}


def _moment(day: date, second_of_day: int) -> int:
    return (day.toordinal() - _EPOCH_ORDINAL) * 86_400 - _OFFSET + second_of_day


def _day_of(moment: int) -> date:
    """The Shanghai calendar day of a moment."""
    return date.fromordinal(_EPOCH_ORDINAL + (moment + _OFFSET) // 86_400)


def _stamp(moment: int) -> str:
    """'2026-11-24 09:30:00+08', the form PostgreSQL's COPY reads for timestamptz."""
    if not _TIME_OF_DAY:
        _TIME_OF_DAY.extend(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08" for s in range(86_400))
    local = moment + _OFFSET
    day = local // 86_400
    text = _DAY_TEXT.get(day)
    if text is None:
        text = _DAY_TEXT[day] = date.fromordinal(_EPOCH_ORDINAL + day).isoformat() + " "
    return text + _TIME_OF_DAY[local % 86_400]
PRINCIPAL_YUAN = {shares: format_yuan(shares * SHARE_FEN) for shares in range(1, SHARES_PER_PACKAGE + 1)}


@dataclass(frozen=True)
class DemoSpec:
    assets: int = 5_000
    seed: int = 20261124
    today: date = field(default_factory=lambda: datetime.now(SHANGHAI).date())
    max_shares: int = 40  # shares per purchase: 1..max_shares (1 gives a package 200 holders)
    # As after an outage: yesterday's payback run and yesterday's T-3 run never happened, so a package
    # that matured yesterday is confirmed but unpaid, and the packages maturing in two days are not
    # reconciled. The next runs must find and finish that work by themselves (make run shows it).
    missed_days: bool = False

    @property
    def maturity_offsets(self) -> tuple[int, ...]:
        return (*HISTORY_OFFSETS, *((-1,) if self.missed_days else ()), *FIXED_MATURITY_OFFSETS)

    def confirmed(self, offset: int) -> bool:
        """Whether the T-3 trial already ran for a package maturing `offset` days from today."""
        return offset < (2 if self.missed_days else 3)


@dataclass
class Product:
    id: int
    rate: Decimal
    day_count: str
    value_date: date
    maturity: date
    interest_by_shares: dict[int, int] = field(default_factory=dict)

    def interest_fen(self, shares: int) -> int:
        """zw's expected interest; the same for every holding of the same size, so computed once."""
        if shares not in self.interest_by_shares:
            days = term_days(self.value_date, self.maturity)
            self.interest_by_shares[shares] = simple_interest_fen(shares * SHARE_FEN, self.rate, days, self.day_count)
        return self.interest_by_shares[shares]


@dataclass
class Holding:
    """One asset being built: who holds how many shares since when (epoch seconds)."""

    id: int
    shares: int
    created: int
    status: str
    origin: int | None = None


def _line(*values: object) -> str:
    return "\t".join(NULL if value is None else str(value) for value in values)


def _half_up_fen(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class DemoBuilder:
    """Builds COPY lines; knows nothing about the database."""

    def __init__(self, spec: DemoSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.random = self.rng.random
        self.next_id = {"product": 0, "asset": 0, "liquidation": 0}
        self.lines: dict[str, list[str]] = {table: [] for table in COLUMNS}
        self.users = max(50, spec.assets // 3)
        self.lines["hjs_channel"].extend(_line(code, name) for code, name in CHANNELS)

    def _id(self, kind: str) -> int:
        self.next_id[kind] += 1
        return self.next_id[kind]

    def _at(self, day: date) -> int:
        """A random moment of `day` in Shanghai, as epoch seconds."""
        return _moment(day, int(self.random() * 86_400))

    def take_lines(self) -> dict[str, list[str]]:
        lines, self.lines = self.lines, {table: [] for table in COLUMNS}
        return lines

    # --- packages -----------------------------------------------------------------------------

    def _product(self, channel: str, sequence: int, status: str, value_date: date, maturity: date,
                 transfer_open: bool, day_count: str | None = None) -> Product:
        rng = self.rng
        # eighths of a basis point: interest falls between whole fen, where HJS truncates and zw rounds half-up
        rate = Decimal("0.035000") + Decimal("0.000125") * rng.randrange(121)
        random_day_count = "ACT/360" if self.random() < 0.1 else "ACT/365"
        product = Product(self._id("product"), rate, day_count or random_day_count, value_date, maturity)
        code = f"{channel.replace('_', '')}{sequence:06d}"
        created = _stamp(self._at(min(value_date, self.spec.today) - timedelta(days=40)))
        closed_at = None if transfer_open else _stamp(self._at(maturity - timedelta(days=3)))
        self.lines["hjs_product"].append(_line(
            product.id, code, f"HJS fixed term {code}", channel, sequence, format_yuan(PACKAGE_FEN), SHARE_YUAN,
            product.rate, product.day_count, value_date, maturity, status, transfer_open, closed_at, created,
            created))
        return product

    def _purchase_time(self, value_date: date) -> int:
        """Bought during the month before the package starts earning."""
        return self._at(value_date - timedelta(days=1 + int(self.random() * 30)))

    def _shares_split(self, shares_to_sell: int) -> Iterator[int]:
        left, most = shares_to_sell, self.spec.max_shares
        while left > 0:
            take = min(left, 1 + int(self.random() * most))
            left -= take
            yield take

    def sold_out_package(self, channel: str, sequence: int, offset: int, with_chain: bool) -> None:
        today = self.spec.today
        maturity = today + timedelta(days=offset)
        # the package is already running: its value date lies before today, whatever the term
        term = self.rng.choice([t for t in TERMS if t > offset + 1] or [max(TERMS)])
        value_date = maturity - timedelta(days=term)
        confirmed = self.spec.confirmed(offset)
        fixed = offset in self.spec.maturity_offsets
        product = self._product(channel, sequence, "SOLD_OUT", value_date, maturity, transfer_open=offset > 3,
                                day_count=("ACT/360" if channel == ACT_360_CHANNEL else "ACT/365") if fixed else None)
        # a confirmed package's holders are sold later by the T-3 trial's own code (demo/history.py)
        holdings = [Holding(self._id("asset"), shares, self._purchase_time(value_date), "INVEST_SUCCESS")
                    for shares in self._shares_split(SHARES_PER_PACKAGE)]
        transfers = [] if confirmed else self._plan_transfers(product, holdings, with_chain)
        for holding in holdings:
            self._asset(product, holding)
            self._invest_record(holding)
            if self.random() < BOOST_SHARE:
                self._boosts(product, holding)
        for seller, buyer, when in transfers:
            self._asset(product, buyer)
            self._liquidation(product, seller, buyer, when)

    def _plan_transfers(self, product: Product, holdings: list[Holding], with_chain: bool
                        ) -> list[tuple[Holding, Holding, int]]:
        """Whole-asset transfers: a seller becomes LIQUIDATED, its buyer a new asset pointing back at it."""
        today = self.spec.today
        last_day = min(today, product.maturity - timedelta(days=4))
        if last_day <= product.value_date:
            return []
        span = (last_day - product.value_date).days
        before_today = _moment(today, 0) - 1

        def moment(after: int | None = None) -> int:
            # one in ten happens yesterday: the day today's transfer sync registers, so still pending
            if last_day == today and self.random() < 0.1:
                when = self._at(today - timedelta(days=1))
            else:
                when = self._at(product.value_date + timedelta(days=1 + int(self.random() * span)))
            return min(max(when, after + 300) if after else when, before_today)

        def sell(seller: Holding, when: int) -> Holding:
            seller.status = "LIQUIDATED"
            return Holding(self._id("asset"), seller.shares, when, "INVEST_SUCCESS", origin=seller.id)

        planned = []
        for index, seller in enumerate(holdings):
            chain = with_chain and index == 0
            if not chain and self.random() >= TRANSFER_SHARE:
                continue
            when = moment()
            buyer = sell(seller, when)
            planned.append((seller, buyer, when))
            if chain:  # A -> B -> C: B sells on to C later
                later = moment(after=when)
                planned.append((buyer, sell(buyer, later), later))
        return planned

    def on_sale_package(self, channel: str, sequence: int) -> None:
        today = self.spec.today
        value_date = today + timedelta(days=7)
        product = self._product(channel, sequence, "ON_SALE", value_date,
                                value_date + timedelta(days=self.rng.choice(TERMS)), transfer_open=True)
        sold = self.rng.randint(SHARES_PER_PACKAGE // 3, SHARES_PER_PACKAGE * 3 // 4)
        for shares in self._shares_split(sold):
            # bought during the two days before `today`: nothing in the demo lies in its own future
            holding = Holding(self._id("asset"), shares, self._at(today - timedelta(days=self.rng.randint(1, 2))),
                              "INVEST_START")
            self._asset(product, holding)
            if self.random() < BOOST_SHARE:
                self._boosts(product, holding)

    def pending_package(self, channel: str, sequence: int) -> None:
        value_date = self.spec.today + timedelta(days=30 * sequence % 360 + 14)
        self._product(channel, sequence, "PENDING", value_date,
                      value_date + timedelta(days=self.rng.choice(TERMS)), transfer_open=True)

    # --- rows of one asset ----------------------------------------------------------------------

    # The two lines below run once per asset: written as f-strings because they dominate the build.
    def _asset(self, product: Product, holding: Holding) -> None:
        user_id = 1 + int(self.random() * self.users)
        paid = f"CARD\tCARD{user_id:012d}" if self.random() < 0.7 else f"BALANCE\t{NULL}"
        origin = NULL if holding.origin is None else holding.origin
        created = _stamp(holding.created)
        self.lines["asset"].append(
            f"{holding.id}\t{user_id}\t{product.id}\t{SHARE_YUAN}\t{holding.shares}\t{PRINCIPAL_YUAN[holding.shares]}\t"
            f"{format_yuan(product.interest_fen(holding.shares))}\t{paid}\t{holding.status}\t{origin}\t"
            f"{created}\t{created}")

    def _invest_record(self, holding: Holding) -> None:
        accepted = _stamp(holding.created + 3600 * (1 + int(self.random() * 20)))
        self.lines["invest_record"].append(
            f"{holding.id}\t{invest_order_no(holding.id)}\tHJS{holding.id:012d}\t{PRINCIPAL_YUAN[holding.shares]}\t"
            f"{accepted}\t{DEMO_RUN_ID}")

    def _boosts(self, product: Product, holding: Holding) -> None:
        term = term_days(product.value_date, product.maturity)
        principal = holding.shares * SHARE_FEN
        for n in range(self.rng.choice((1, 1, 1, 2, 3))):
            if self.random() < 0.5:  # a rate boost runs the whole term
                kind, days, rate = "RATE_BOOST", None, Decimal("0.005") * self.rng.randint(1, 3)
            else:  # a daily boost runs for its own number of days, at most the term
                kind, days, rate = "DAILY_BOOST", min(term, self.rng.choice((7, 15, 30))), \
                    Decimal("0.01") * self.rng.randint(1, 3)
            extra = simple_interest_fen(principal, rate, days or term, product.day_count)
            if extra > 0:
                self.lines["asset_extra_interest"].append(_line(
                    holding.id, f"CPN{holding.id:010d}{n}", kind, rate, days, format_yuan(extra),
                    _stamp(holding.created)))

    def _liquidation(self, product: Product, seller: Holding, buyer: Holding, when: int) -> None:
        principal = seller.shares * SHARE_FEN
        held_days = max(1, (_day_of(when) - product.value_date).days)
        price = principal + simple_interest_fen(principal, product.rate, held_days, product.day_count)
        fee_rate = Decimal("0.001") * self.rng.randint(1, 5)
        fee = _half_up_fen(Decimal(price) * fee_rate)
        liquidation = self._id("liquidation")
        self.lines["liquidate_asset"].append(_line(
            liquidation, seller.id, buyer.id, format_yuan(price), fee_rate, format_yuan(fee), _stamp(when)))
        if _day_of(when) < self.spec.today - timedelta(days=1):  # registered by an earlier day's transfer sync
            self.lines["transfer_registration"].append(_line(
                liquidation, transfer_no(liquidation), f"HJST{liquidation:012d}", _stamp(when + 3600), DEMO_RUN_ID))


def _assets_per_package(max_shares: int) -> int:
    return max(1, round(SHARES_PER_PACKAGE / ((1 + max_shares) / 2)))


def build(spec: DemoSpec) -> Iterator[dict[str, list[str]]]:
    """Yield chunks of COPY lines per table, each chunk's foreign keys pointing inside it or before it."""
    builder = DemoBuilder(spec)
    offsets = spec.maturity_offsets
    sold_out_per_channel = max(len(offsets) + 1,
                               -(-spec.assets // (len(CHANNELS) * _assets_per_package(spec.max_shares))))
    packages = 0
    for sequence in range(1, sold_out_per_channel + 1):
        for channel_index, (channel, _) in enumerate(CHANNELS):
            fixed = sequence <= len(offsets)
            offset = offsets[sequence - 1] if fixed else builder.rng.randint(4, 360)
            # a chain A -> B -> C in every channel, and one in a package that T-3 reconciles today
            with_chain = sequence == len(offsets) + 1 or (offset == 3 and channel_index == 0)
            builder.sold_out_package(channel, sequence, offset, with_chain)
            packages += 1
            if packages % CHUNK_PACKAGES == 0:
                yield builder.take_lines()
    for channel, _ in CHANNELS:
        builder.on_sale_package(channel, sold_out_per_channel + 1)
        for extra in range(PENDING_PER_CHANNEL):
            builder.pending_package(channel, sold_out_per_channel + 2 + extra)
    yield builder.take_lines()
