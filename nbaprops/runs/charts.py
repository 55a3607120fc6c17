"""The report's charts: matplotlib figures rendered offline to inline SVG (no pyplot, no display, no fonts
fetched). Text stays text (``svg.fonttype = none``), so tick labels are readable and searchable in the page.

Every chart has both axes with ticks and labels, and every series is drawn with markers, so a series of one
day is a visible point rather than an invisible zero-length line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg")  # never a GUI backend, whatever the environment says

from matplotlib import dates as mdates  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

STYLE = {
    "svg.fonttype": "none",  # <text> elements, not glyph paths
    "svg.hashsalt": "nbaprops",  # stable clip-path ids: the same data gives the same page
    "font.size": 9,
    "font.family": "sans-serif",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
OVERALL = "all markets"
COLORS = {
    "points": "#0969da",
    "rebounds": "#1a7f37",
    "assists": "#bf3989",
    "threes": "#9a6700",
    "pra": "#8250df",
    OVERALL: "#1b1f24",
}


def to_svg(fig: Figure, label: str) -> str:
    """``fig`` as an inline ``<svg>`` element (no XML prolog or doctype), labelled for screen readers."""
    buf = io.StringIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r"<svg\b", f'<svg role="img" aria-label="{label}"', text, count=1)


def _figure(width: float = 7.0, height: float = 3.0, ncols: int = 1, nrows: int = 1, sharey: bool = False):
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharey=sharey, squeeze=False)
    return fig, [ax for row in axes for ax in row]


def _date_axis(ax, days: Sequence[date]) -> None:
    locator = mdates.AutoDateLocator(minticks=2, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if len(set(days)) == 1:  # one day: a week around it, so the point sits inside dated ticks
        (only,) = set(days)
        ax.set_xlim(mdates.date2num(only) - 3, mdates.date2num(only) + 3)


def cumulative_units(series: dict[str, list[tuple[date, float]]]) -> str:
    """Cumulative profit at the recommended stakes (units = % of bankroll) by game date, one line per market
    and the overall line; the dashed line at 0 is break-even."""
    fig, (ax,) = _figure(7.5, 3.4)
    with matplotlib.rc_context(STYLE):
        days = []
        for name, points in series.items():
            xs, ys = [d for d, _ in points], [v for _, v in points]
            days += xs
            overall = name == OVERALL
            ax.plot(
                xs,
                ys,
                marker="o",
                markersize=5 if overall else 3.5,
                linewidth=2.2 if overall else 1.2,
                color=COLORS.get(name),
                label=name,
                zorder=3 if overall else 2,
                gid=f"series-{name.replace(' ', '-')}",
            )
        ax.axhline(0, color="#57606a", linestyle="--", linewidth=1, label="break-even")
        _date_axis(ax, days)
        ax.set_xlabel("game date")
        ax.set_ylabel("cumulative units (% of bankroll)")
        ax.legend(loc="upper left", fontsize=8, ncols=3, frameon=False)
    return to_svg(fig, "cumulative units at the recommended stakes by game date")


def score_difference(series: dict[str, list[tuple[date, float]]], metric: str = "log loss") -> str:
    """Running mean of (system - market) per graded line by game date; below 0 = better than the line."""
    fig, (ax,) = _figure(7.5, 3.0)
    with matplotlib.rc_context(STYLE):
        days = []
        for (name, points), color in zip(series.items(), ("#0969da", "#bf3989", "#57606a")):
            xs, ys = [d for d, _ in points], [v for _, v in points]
            days += xs
            ax.plot(xs, ys, marker="o", markersize=3.5, linewidth=1.4, color=color, label=name)
        ax.axhline(0, color="#57606a", linestyle="--", linewidth=1, label="the market (0)")
        _date_axis(ax, days)
        ax.set_xlabel("game date")
        ax.set_ylabel(f"{metric} − market, running mean")
        ax.legend(loc="best", fontsize=8, frameon=False)
    return to_svg(fig, f"{metric} against the market by game date")


def reliability(curves: dict[str, list[tuple[float, float, int]]]) -> str:
    """One reliability panel per market: mean predicted P(over) against the observed over rate per bin, each
    point labelled with its count; the diagonal is perfect calibration."""
    n = len(curves)
    fig, axes = _figure(min(2.5 * n, 12.5), 2.8, ncols=n, sharey=True)
    with matplotlib.rc_context(STYLE):
        for ax, (market, points) in zip(axes, curves.items()):
            ax.plot([0, 1], [0, 1], color="#8c959f", linestyle="--", linewidth=1)
            xs, ys, ns = [p for p, _, _ in points], [q for _, q, _ in points], [k for _, _, k in points]
            ax.plot(xs, ys, marker="o", markersize=4, linewidth=1.2, color=COLORS.get(market, "#0969da"))
            for x, y, k in zip(xs, ys, ns):
                ax.annotate(f"{k}", (x, y), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=7)
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            ax.set_title(f"{market} (n={sum(ns):,})", fontsize=9)
            ax.set_xlabel("predicted P(over)")
        axes[0].set_ylabel("observed over rate")
    return to_svg(fig, "calibration per market")


def edge_buckets(rows: list[tuple[str, float, float, float, float, float, float, int]]) -> str:
    """Hit rate and ROI per unit by edge bucket with their 95 % intervals: rows of (label, hit, hit low, hit
    high, roi, roi low, roi high, bets); buckets without bets are left out."""
    fig, (hit_ax, roi_ax) = _figure(7.5, 2.8, ncols=2)
    rows = [r for r in rows if r[7] > 0]
    labels = [f"{r[0]}\n(n={r[7]})" for r in rows]
    with matplotlib.rc_context(STYLE):
        for ax, (est, low, high), ref, name in (
            (hit_ax, (1, 2, 3), 0.5, "hit rate"),
            (roi_ax, (4, 5, 6), 0.0, "ROI per unit staked"),
        ):
            ys = [r[est] for r in rows]
            err = [
                [max(0.0, r[est] - r[low]) if r[low] == r[low] else 0.0 for r in rows],
                [max(0.0, r[high] - r[est]) if r[high] == r[high] else 0.0 for r in rows],
            ]
            ax.errorbar(range(len(rows)), ys, yerr=err, fmt="o", capsize=4, color="#0969da")
            ax.axhline(ref, color="#57606a", linestyle="--", linewidth=1)
            ax.set_xticks(range(len(rows)), labels)
            ax.set_xlim(-0.5, len(rows) - 0.5)
            ax.set_xlabel("edge at the taken price")
            ax.set_ylabel(name)
            ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0, decimals=0))
    return to_svg(fig, "hit rate and ROI by edge bucket")
