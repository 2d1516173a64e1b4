"""The console's pictures, drawn on the server as SVG with matplotlib (no browser library, no network):
the distribution of zw - HJS differences for a maturity date, and the daily funding and payback totals.
Figures are built with matplotlib.figure.Figure, not pyplot, so concurrent requests share no state."""

from __future__ import annotations

import io
from collections import defaultdict

from ..domain.money import FEN_PER_YUAN, to_fen
from .queries import DailyTotal, DifferenceCount

WIDTH, HEIGHT = 9.0, 3.6  # inches at matplotlib's 72 points per inch of SVG
SIDE_COLOURS = {"settled": "#4c78a8", "held": "#e45756"}
TOTAL_SERIES = (("funded_balance", "funded to balance", "#4c78a8"), ("funded_card", "funded to cards", "#9ecae9"),
                ("paid_balance", "paid to balance", "#f58518"), ("paid_card", "paid to cards", "#ffbf79"))
_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "hjs-console", "font.size": 9, "axes.spines.top": False,
          "axes.spines.right": False}


def _svg(figure) -> bytes:
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context(_STYLE):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def _figure():
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(WIDTH, HEIGHT))
        return figure, figure.add_subplot()


def difference_histogram(counts: list[DifferenceCount], title: str) -> bytes:
    """Assets per difference (fen), settled and held side by side; an empty day says so."""
    figure, axes = _figure()
    by_side: dict[str, dict[int, int]] = defaultdict(dict)
    for c in counts:
        by_side[c.side][c.diff_fen] = c.assets
    diffs = sorted({c.diff_fen for c in counts})
    if not diffs:
        axes.text(0.5, 0.5, "no compared asset for this date", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
    positions = {d: i for i, d in enumerate(diffs)}
    width = 0.8 / max(len(by_side), 1)
    for n, (side, values) in enumerate(sorted(by_side.items())):
        xs = [positions[d] + (n - (len(by_side) - 1) / 2) * width for d in values]
        bars = axes.bar(xs, list(values.values()), width=width, label=side, color=SIDE_COLOURS.get(side, "#888"))
        axes.bar_label(bars, fontsize=8)  # a lone held asset stays readable beside thousands of matches
    if diffs:
        step = max(1, len(diffs) // 25)  # at most about 25 labels, however wide the spread
        axes.set_xticks([positions[d] for d in diffs[::step]], [str(d) for d in diffs[::step]])
        axes.set_xlabel("zw - HJS per asset (fen)")
        axes.set_ylabel("assets")
        axes.legend(frameon=False)
    axes.set_title(title)
    return _svg(figure)


def daily_totals_chart(totals: list[DailyTotal], title: str) -> bytes:
    """Per day, funding asked of HJS (balance, cards) beside the payback orders (balance, cards). Bars
    are integer fen; only the axis labels divide by 100."""
    figure, axes = _figure()
    days = [t.day for t in totals]
    width = 0.4
    for offset, series in ((-width / 2, TOTAL_SERIES[:2]), (width / 2, TOTAL_SERIES[2:])):
        bottom = [0] * len(totals)
        for field, label, colour in series:
            heights = [to_fen(getattr(t, field)) for t in totals]
            axes.bar([i + offset for i in range(len(totals))], heights, width=width, bottom=bottom, label=label,
                     color=colour)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(days) // 14)
    axes.set_xticks(range(0, len(days), step), [d.strftime("%m-%d") for d in days[::step]])
    axes.set_ylabel("yuan")
    axes.yaxis.set_major_formatter(lambda tick, _pos: f"{tick / FEN_PER_YUAN:,.0f}")
    axes.legend(frameon=False, ncols=4, loc="upper left", bbox_to_anchor=(0, -0.12))
    axes.set_title(title)
    return _svg(figure)
