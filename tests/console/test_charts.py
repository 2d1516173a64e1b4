"""The console's pictures are self-contained SVG: drawn on the server, nothing fetched by the browser."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hjs_operators.console.charts import daily_totals_chart, difference_histogram
from hjs_operators.console.queries import DailyTotal, DifferenceCount


def _self_contained(svg: bytes) -> str:
    text = svg.decode()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "<script" not in text and 'href="http' not in text and "url(http" not in text
    return text


def test_the_difference_histogram_labels_each_difference_and_count():
    text = _self_contained(difference_histogram(
        [DifferenceCount(-7, "held", 1), DifferenceCount(0, "settled", 1200), DifferenceCount(1, "settled", 345)],
        "maturity date 2026-11-27"))
    for label in ("-7", "1200", "345", "maturity date 2026-11-27", "held", "settled"):
        assert label in text, label


def test_an_empty_day_says_so():
    assert "no compared asset" in _self_contained(difference_histogram([], "empty day"))


def test_daily_totals_draw_every_day_with_yuan_on_the_axis():
    days = [DailyTotal(date(2026, 11, 1) + timedelta(days=n), Decimal("2500000.00"), Decimal("1500000.50"),
                       Decimal(0), Decimal(0)) for n in range(42)]
    text = _self_contained(daily_totals_chart(days, "six weeks"))
    assert "4,000,000" in text  # the stacked funding, in yuan: bars are fen, labels divide by 100
    assert "funded to balance" in text and "paid to cards" in text
