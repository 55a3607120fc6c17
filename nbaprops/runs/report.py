"""`nbaprops report --date D` and `nbaprops report --backtest RUN`: one self-contained HTML file (inline CSS,
SVG charts drawn by matplotlib, a few lines of inline script to sort the picks; nothing fetched from
anywhere).

For a date: tonight's picks, the evidence gate per market, then the track record of every graded line up to
the date (predictions.results): cumulative units at the recommended stakes per market and overall, the
blend's log loss against the market's, calibration per market, hit rate and ROI by edge bucket with
intervals, CLV, the newest backtest, coverage and freshness. For a backtest: the same track record drawn
from the per-line rows it wrote (``backtest --out``), with its gates per retrain.

Every figure comes from one definition: ``predict.backtest.summarise`` (per market and overall) and
``predict.backtest.pick_summary`` (each edge bucket), which use ``predict.grade.bet_summary`` and the
intervals of ``predict.evaluation``.
"""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from nbacore.markets import MARKETS
from nbacore.settings import Settings
from nbacore.warehouse import Warehouse, as_date, open_warehouse
from nbaprops.runs import charts

EDGE_BUCKETS = ((0.0, 0.02, "0–2%"), (0.02, 0.05, "2–5%"), (0.05, 0.10, "5–10%"), (0.10, 1.0, "10%+"))
BETS = ("win", "loss", "push")  # a void is not a bet


# The graded rows the track record reads: the columns predictions.results and the rows a backtest writes
# (``backtest --out``) share, with the pick's edge (from its prediction in the warehouse).
def _graded_columns() -> dict[str, str]:
    from predict.backtest import ROW_COLUMNS
    from predict.tables import RESULTS

    return {c: RESULTS[c] for c in ROW_COLUMNS if c in RESULTS}


class ReportError(ValueError):
    """The report cannot be drawn from what was asked (an unknown backtest, rows not kept); one line with the fix."""


def _rows(wh: Warehouse, sql: str, params: dict | None = None) -> list[tuple]:
    return wh.rows(sql, params or {})


def _fmt(value, digits: int = 2, pct: bool = False, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if pct:
        return f"{value * 100:+.1f}%" if signed else f"{value * 100:.1f}%"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def odds_text(american) -> str:
    """American odds as a bettor reads them: +101, -110 (even money is +100)."""
    if american is None or american != american:
        return "–"
    return f"{american:+.0f}"


def _ci(interval: dict | None, pct: bool = True, digits: int = 4) -> str:
    """``estimate [low, high]`` of an ``Interval.to_dict()``; a dash without an estimate."""
    if not interval or interval.get("estimate") is None or interval["estimate"] != interval["estimate"]:
        return "–"
    est, low, high = interval["estimate"], interval.get("low"), interval.get("high")
    if low is None or high is None or low != low or high != high:
        return _fmt(est, digits, pct=pct, signed=not pct)
    if pct:
        return f"{100 * est:.1f}% [{100 * low:.1f}, {100 * high:.1f}]"
    return f"{est:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"


def _html_table(headers: list[str], rows: list[list[str]], empty: str, sortable: bool = False) -> str:
    if not rows:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_td(c) for c in r) + "</tr>" for r in rows)
    cls = ' class="sortable"' if sortable else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(value) -> str:
    """A cell; prose (a gate's evidence) reads left-aligned, figures right-aligned."""
    text = str(value)
    prose = len(text) > 24 and " " in text and text[:1] not in "+-–0123456789"
    return f'<td class="text">{html.escape(text)}</td>' if prose else f"<td>{html.escape(text)}</td>"


# ---- the graded rows ---------------------------------------------------------------------------------------


def product_rows(wh: Warehouse, day: date) -> pd.DataFrame:
    """Every graded current prediction up to ``day`` (predictions.results) with its pick's edge."""
    cols = ", ".join(f"r.{c}" for c in _graded_columns())
    if not (wh.table_exists("predictions.results") and wh.table_exists("predictions.predictions")):
        return _typed(pd.DataFrame(columns=[*_graded_columns(), "pick_edge"]))
    frame = wh.query(
        f"""
        select {cols}, p.pick_edge
        from predictions.results as r
        join predictions.predictions as p
          on p.game_id = r.game_id and p.player_id = r.player_id and p.market = r.market
         and p.prediction_version = r.prediction_version and p.model_version = r.model_version
         and p.game_date = r.game_date
        where r.game_date <= @day""",
        {"day": day},
    )
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["game_date"] = pd.to_datetime(frame["game_date"])
    numeric = {
        c for c, t in {**_graded_columns(), "pick_edge": "double"}.items() if t in ("double", "integer", "bigint")
    }
    for c in numeric & set(frame.columns):
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    return frame.reset_index(drop=True)


def backtest_details(wh: Warehouse, run_id: str) -> dict:
    """The recorded details of backtest ``run_id`` (predictions.runs, kind 'backtest')."""
    found = (
        wh.rows(
            "select details, started_at from predictions.runs where run_id = @run and kind = 'backtest'",
            {"run": run_id},
        )
        if wh.table_exists("predictions.runs")
        else []
    )
    if not found:
        recent = (
            [
                r
                for (r,) in wh.rows(
                    "select run_id from predictions.runs where kind = 'backtest' order by started_at desc limit 5"
                )
            ]
            if wh.table_exists("predictions.runs")
            else []
        )
        raise ReportError(
            f"--backtest {run_id}: no backtest with that run id in predictions.runs; "
            + (f"recent backtests: {', '.join(recent)}" if recent else "run `nbaprops backtest ... --out FILE` first")
        )
    return {**json.loads(found[0][0]), "run_id": run_id, "recorded_at": str(found[0][1])}


def backtest_rows(details: dict) -> pd.DataFrame:
    """The per-line rows a backtest wrote (``--out``), as the track record reads them."""
    from predict.backtest import read_rows

    run, path = details["run_id"], details.get("rows")
    if not path:
        raise ReportError(
            f"--backtest {run}: it was run without --out, so its per-line rows were not kept; rerun "
            f"`nbaprops backtest --start {details.get('start')} --end {details.get('end')} --out rows.parquet`"
        )
    if not Path(path).is_file():
        raise ReportError(
            f"--backtest {run}: its rows file {path} is gone; rerun the backtest with --out to write it again"
        )
    frame = read_rows(Path(path))
    cols = [*_graded_columns(), "pick_edge"]
    return _typed(frame.reindex(columns=cols))


# ---- the track record --------------------------------------------------------------------------------------


def track_record(frame: pd.DataFrame) -> dict:
    """Everything the track-record sections show, from graded rows (product or backtest)."""
    from predict.backtest import pick_summary, summarise

    frame = frame.reset_index(drop=True)
    days = sorted(frame["game_date"].dt.date.unique()) if len(frame) else []
    day_text = frame["game_date"].dt.date.astype(str)
    bets = frame[frame["pick"].isin(["OVER", "UNDER"]) & frame["pick_result"].isin(BETS)]
    markets = [m for m in MARKETS if m in set(frame["market"])] + sorted(set(frame["market"]) - set(MARKETS))

    units: dict[str, list[tuple[date, float]]] = {}
    if len(bets):
        for name in [*[m for m in markets if m in set(bets["market"])], charts.OVERALL]:
            b = bets if name == charts.OVERALL else bets[bets["market"] == name]
            daily = b.groupby(b["game_date"].dt.date)["stake_profit"].sum().reindex(days, fill_value=0.0)
            units[name] = [(d, 100 * float(v)) for d, v in daily.cumsum().items()]

    same = frame["brier_model"].notna() & frame["brier_market"].notna() & frame["brier_raw_model"].notna()
    scored = frame[same]
    scores: dict[str, list[tuple[date, float]]] = {}
    lines_per_day: dict[date, int] = {}
    if len(scored):
        by_day = scored.groupby(scored["game_date"].dt.date)
        n = by_day.size().cumsum()
        lines_per_day = {d: int(k) for d, k in by_day.size().items()}
        for name, system in (("blend (the product)", "model"), ("raw model", "raw_model")):
            diff = (scored[f"logloss_{system}"] - scored["logloss_market"]).groupby(scored["game_date"].dt.date).sum()
            scores[name] = [(d, float(v)) for d, v in (diff.cumsum() / n).items()]

    calibration: dict[str, list[tuple[float, float, int]]] = {}
    cal = frame[frame["over_outcome"].notna() & frame["blend_p_over"].notna()]
    for market in markets:
        c = cal[cal["market"] == market]
        if c.empty:
            continue
        bins = np.minimum(np.floor(c["blend_p_over"] * 10), 9)
        g = c.groupby(bins).agg(p=("blend_p_over", "mean"), q=("over_outcome", "mean"), n=("over_outcome", "size"))
        calibration[market] = [(float(r.p), float(r.q), int(r.n)) for r in g.itertuples()]

    buckets = []
    for low, high, label in EDGE_BUCKETS:
        inside = bets[(bets["pick_edge"] >= low) & (bets["pick_edge"] < high)]
        buckets.append((label, pick_summary(inside, day_text[inside.index])))

    return {
        "days": days,
        "lines": int(same.sum()),
        "bets": int(len(bets)),
        "units": units,
        "scores": scores,
        "lines_per_day": lines_per_day,
        "calibration": calibration,
        "buckets": buckets,
        "summary": summarise(frame) if len(frame) else {},
    }


def gather(wh: Warehouse, day: date) -> dict:
    """Everything the page for ``day`` shows, read from the warehouse (absent tables read as empty)."""
    from predict.tables import latest_backtest, latest_score_run

    data: dict = {"picks": [], "mae": [], "coverage": None, "freshness": [], "run": {}, "backtest": {}}
    if wh.table_exists("predictions.predictions"):
        data["picks"] = _rows(
            wh,
            """
            select player_name, team, opponent, market, pick, pick_line, pick_book, pick_odds, pred_mean, pick_prob, pick_edge, pick_ev,
                   stake, stake_amount
            from predictions.predictions
            where game_date = @day and is_current and pick in ('OVER', 'UNDER')
            order by pick_edge desc, player_name, market""",
            {"day": day},
        )
        offered = (
            wh.scalar(
                """
            select count(*) from (select distinct game_id, player_lookup, market from analytics.prop_offers
                                  where game_date = @day and is_pregame)""",
                {"day": day},
            )
            if wh.table_exists("analytics.prop_offers")
            else 0
        )
        predicted = wh.scalar(
            "select count(*) from predictions.predictions where game_date = @day and is_current", {"day": day}
        )
        data["coverage"] = (predicted, offered)
        data["run"] = latest_score_run(wh, day)
        data["backtest"] = latest_backtest(wh)
    data["record"] = track_record(product_rows(wh, day))
    if wh.table_exists("predictions.daily_performance"):
        data["mae"] = _rows(
            wh,
            """
            select market, system, sum(n), sum(mae * n) / nullif(sum(n), 0)
            from predictions.daily_performance where game_date <= @day and mae is not null
            group by market, system order by market, system""",
            {"day": day},
        )
    for table in ("player_game_logs", "team_game_logs", "schedule", "prop_snapshots"):
        if not wh.table_exists(f"raw.{table}"):
            data["freshness"].append((table, None, None))
            continue
        latest = as_date(wh.scalar(f"select max(game_date) from raw.{table} where game_date <= @day", {"day": day}))
        loaded = (
            wh.scalar(f"select max(_loaded_at) from raw.{table} where game_date = @latest", {"latest": latest})
            if latest
            else None
        )
        data["freshness"].append((table, latest, loaded))
    return data


# ---- the page ----------------------------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1b1f24;background:#fff;max-width:1280px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:14px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:right}
th{background:#f6f8fa}td:first-child,th:first-child{text-align:left}.empty{color:#57606a;font-style:italic}td.text{text-align:left}
table.sortable th{cursor:pointer;user-select:none}table.sortable th[data-dir=asc]::after{content:" ▲"}
table.sortable th[data-dir=desc]::after{content:" ▼"}.note{color:#57606a;font-size:13px}
figure.chart{margin:8px 0 16px}figure.chart svg{max-width:100%;height:auto}figcaption{font-size:12px;color:#57606a}
.research{border-left:4px solid #bf8700;padding-left:8px}
"""
# Click a header of a sortable table to sort by it (numbers as numbers: +101, -110, 5.2%), again to reverse.
SORT_SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0], asc = th.dataset.dir !== 'asc';
    th.closest('tr').querySelectorAll('th').forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = asc ? 'asc' : 'desc';
    var key = function (row) { var t = row.cells[col].textContent, n = parseFloat(t.replace(/[^0-9.+-]/g, ''));
                               return isNaN(n) ? t : n; };
    Array.from(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b), c = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === 'number' ? -1 : 1);
      return asc ? c : -c;
    }).forEach(function (row) { body.appendChild(row); });
  });
});
"""


def _chart(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption>{html.escape(caption)}</figcaption></figure>'


def _gate_rows(run: dict) -> list[list[str]]:
    return [
        [m, "open" if "OPEN" in text or "gate off" in text else "closed", text.split(" — ", 1)[-1]]
        for m, text in run.get("gates", {}).items()
    ]


def _backtest_rows(bt: dict) -> list[list[str]]:
    """Per market of the newest backtest: blend vs market with the paired interval, and the picks."""
    rows = []
    for market, e in bt.get("summary", {}).items():
        d, k = e.get("logloss_model_minus_market") or {}, e.get("picks", {})
        hit, roi = k.get("hit") or {}, k.get("roi_unit") or {}
        ci = f"{d['estimate']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}]" if d.get("estimate") is not None else "–"
        rows.append(
            [
                market,
                e.get("brier_n", 0),
                _fmt(e.get("brier_model"), 4),
                _fmt(e.get("brier_market"), 4),
                ci,
                k.get("picks", 0),
                _fmt(hit.get("estimate"), pct=True),
                _fmt(roi.get("estimate"), pct=True),
            ]
        )
    return rows


def market_rows(summary: dict) -> list[list[str]]:
    """Per market and overall: lines graded, Brier and log loss against the market (paired, 95 % CI by game
    day), bets, W–L–P, hit rate (Wilson), ROI per unit (day bootstrap), units at the recommended stakes, CLV."""
    rows = []
    for market, e in summary.items():
        k = e["picks"]
        clv = e["clv"]
        rows.append(
            [
                charts.OVERALL if market == "all" else market,
                e["days"],
                e["brier_n"],
                _fmt(e["brier_model"], 4),
                _fmt(e["brier_market"], 4),
                _ci(e["logloss_model_minus_market"], pct=False),
                k["bets"],
                f"{k['wins']}–{k['losses']}–{k['pushes']}",
                _ci(k["hit"]),
                _ci(k["roi_unit"]),
                _fmt(100 * k["profit_staked"], 2, signed=True) if k["bets"] else "–",
                f"{_fmt(clv['mean'], 3, signed=True)} (n={clv['n']})" if clv["n"] else "–",
            ]
        )
    return rows


MARKET_HEADERS = [
    "market",
    "days",
    "lines",
    "Brier blend",
    "Brier market",
    "log loss blend − market [95% CI]",
    "bets",
    "W–L–P",
    "hit [95% CI]",
    "ROI/unit [95% CI]",
    "units",
    "CLV",
]


def record_html(rec: dict, no_picks_reason: str) -> str:
    """The track-record sections: units chart (or why there is none), scores against the market, per-market
    table, calibration, edge buckets."""
    days = rec["days"]
    if not days:
        return '<p class="empty">nothing graded yet: the track record starts after the first scored date is graded</p>'
    span = f"{len(days)} graded game day(s), {days[0]} .. {days[-1]}; {rec['lines']:,} lines graded against the market"
    parts = [f"<p>{html.escape(span)}</p>", "<h3>Cumulative units at the recommended stakes</h3>"]
    if rec["units"]:
        final = rec["units"][charts.OVERALL][-1]
        parts.append(
            _chart(
                charts.cumulative_units(rec["units"]),
                f"1 unit = 1% of the bankroll; each pick counts at the stake recommended when it was scored "
                f"(stake_profit), not one unit per pick. {rec['bets']} graded bet(s); {final[0]}: "
                f"{final[1]:+.2f} units overall. Dashed: break-even.",
            )
        )
        table = [[str(d), *[_fmt(dict(s)[d], 2, signed=True) for s in rec["units"].values()]] for d in days]
        parts.append(
            "<details><summary>the numbers behind the chart</summary>"
            + _html_table(["game date", *rec["units"]], table, "")
            + "</details>"
        )
    else:
        parts.append(
            f'<p class="empty">no graded picks in these {len(days)} day(s): {html.escape(no_picks_reason)}. '
            "There is no profit to draw; the lines are still graded against the market below.</p>"
        )
    parts.append("<h3>Log loss against the market</h3>")
    if rec["scores"]:
        parts.append(
            _chart(
                charts.score_difference(rec["scores"]),
                "Running mean per graded line of (log loss − the de-vigged market's log loss), P(over | no push) at "
                "the reference line, on the same lines for every system; below 0 = better than the market.",
            )
        )
        parts.append(
            "<details><summary>the numbers behind the chart</summary>"
            + _html_table(
                ["game date", "lines", *rec["scores"]],
                [
                    [
                        str(d),
                        rec["lines_per_day"].get(d, 0),
                        *[_fmt(dict(s).get(d), 4, signed=True) for s in rec["scores"].values()],
                    ]
                    for d in days
                    if d in rec["lines_per_day"]
                ],
                "",
            )
            + "</details>"
        )
    else:
        parts.append('<p class="empty">no line with a market probability and a result yet</p>')
    parts.append("<h3>Per market</h3>")
    parts.append(
        '<p class="note">Brier and log loss: P(over | no push) of the blend and the de-vigged market on the same '
        "lines; the difference's interval resamples whole game days. Bets are picks graded win, loss or push "
        "(voids are not bets): hit rate = wins / (wins + losses) with a Wilson interval, ROI = profit per unit "
        "staked (a push returns its stake) with a game-day bootstrap interval, units = profit at the recommended "
        "stakes in % of the bankroll, CLV = closing fair probability × taken decimal odds − 1.</p>"
    )
    parts.append(_html_table(MARKET_HEADERS, market_rows(rec["summary"]), "nothing graded yet"))
    parts.append("<h3>Calibration per market</h3>")
    if rec["calibration"]:
        parts.append(
            _chart(
                charts.reliability(rec["calibration"]),
                "Blended P(over | no push) in tenths against the observed over rate; each point is labelled with "
                "its number of lines; the diagonal is perfect calibration.",
            )
        )
    else:
        parts.append('<p class="empty">no decided line with a blended probability yet</p>')
    parts.append("<h3>Hit rate and ROI by edge bucket</h3>")
    bucket_rows = [
        [
            label,
            s["bets"],
            f"{s['wins']}–{s['losses']}–{s['pushes']}",
            _fmt(s["hit_rate"], pct=True),
            _ci(s["hit"]),
            _fmt(s["roi"], pct=True),
            _ci(s["roi_unit"]),
        ]
        for label, s in rec["buckets"]
    ]
    if rec["bets"]:
        parts.append(
            _chart(
                charts.edge_buckets(
                    [
                        (
                            label,
                            s["hit"]["estimate"],
                            s["hit"]["low"],
                            s["hit"]["high"],
                            s["roi_unit"]["estimate"],
                            s["roi_unit"]["low"],
                            s["roi_unit"]["high"],
                            s["bets"],
                        )
                        for label, s in rec["buckets"]
                    ]
                ),
                "Edge = blended probability − fair probability of the side taken. Hit rate with a Wilson 95% "
                "interval (dashed: 50%); ROI per unit with a game-day bootstrap 95% interval (dashed: break-even).",
            )
        )
    parts.append(
        _html_table(
            ["edge", "bets", "W–L–P", "hit rate", "hit [95% CI]", "ROI", "ROI [95% CI]"],
            bucket_rows if rec["bets"] else [],
            "no graded picks: no edge buckets",
        )
    )
    return "\n".join(parts)


def _closed_reason(run: dict) -> str:
    gate = run.get("gate") or run.get("rules", {}).get("gate") or "strict"
    return (
        "the evidence gate kept every market closed on every scored day"
        if gate == "strict"
        else "no line cleared the edge and EV thresholds"
    )


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(title)}</h1>
{body}
<script>{SORT_SCRIPT}</script>
</body></html>
"""


def render(day: date, data: dict) -> str:
    picks = [
        [
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            _fmt(r[5], 1),
            r[6] or "–",
            odds_text(r[7]),
            _fmt(r[8], 1),
            _fmt(r[9], pct=True),
            _fmt(r[10], pct=True),
            _fmt(r[11], 3),
            _fmt(r[12], pct=True),
            _fmt(r[13], 2),
        ]
        for r in data["picks"]
    ]
    run, bt = data.get("run", {}), data.get("backtest", {})
    rules = run.get("rules", {})
    staking = (
        f"bankroll {rules['bankroll']:,.0f}; caps {rules['kelly_cap']:.0%} a bet, {rules['player_cap']:.0%} a player, "
        f"{rules['nightly_cap']:.0%} a night; tonight staked {run.get('max_night_stake', 0):.1%}"
        if rules
        else "no scoring run recorded for this date"
    )
    bt_head = (
        f"newest backtest {bt.get('start')} .. {bt.get('end')} (gate {bt.get('rules', {}).get('gate', '?')}), "
        f"recorded {bt.get('recorded_at')}"
        if bt
        else "no backtest recorded yet (nbaprops backtest)"
    )
    mae = [[m, s, n, _fmt(v, 2)] for m, s, n, v in data["mae"]]
    fresh = [[t, str(d) if d else "–", str(loaded) if loaded else "–"] for t, d, loaded in data["freshness"]]
    if data["coverage"]:
        predicted, offered = data["coverage"]
        coverage = f"{predicted} predictions for {offered} (player, market) lines offered" + (
            f" — {predicted / offered:.1%}" if offered else ""
        )
    else:
        coverage = "no predictions written yet"
    body = f"""<h2>Tonight's picks</h2>
<p>{html.escape(staking)}. Click a column to sort.</p>
{_html_table(["player", "team", "opp", "market", "pick", "line", "book", "odds", "pred", "P(pick)", "edge", "EV", "stake", "amount"], picks, "no picks tonight: no market cleared its evidence gate and the thresholds", sortable=True)}
<h2>Evidence gate</h2>
<p>A market gets picks only when its earlier lines show the model knows something the line does not.</p>
{_html_table(["market", "gate", "evidence"], _gate_rows(run), "no scoring run recorded for this date")}
<h2>Track record</h2>
{record_html(data["record"], _closed_reason(run))}
<h3>Model vs line (MAE)</h3>
{_html_table(["market", "system", "N", "MAE"], mae, "nothing graded yet")}
<h2>Backtest</h2>
<p>{html.escape(bt_head)}{" — the full page: " + html.escape(f"nbaprops report --backtest {bt['run_id']}") if bt.get("run_id") else ""}</p>
{_html_table(["market", "lines", "Brier blend", "Brier market", "log loss blend − market [95% CI]", "picks", "hit", "ROI"], _backtest_rows(bt), "no backtest recorded")}
<h2>Coverage and freshness</h2>
<p>{html.escape(coverage)}</p>
{_html_table(["raw table", "latest game_date", "loaded at (UTC)"], fresh, "no data")}"""
    return _page(f"nbaprops — picks for {day}", body)


def render_backtest(details: dict, rec: dict) -> str:
    """A backtest's page: what was run, its gates per retrain, and the track record of its rows."""
    gate = details.get("rules", {}).get("gate", "strict")
    research = (
        '<p class="research"><strong>Research run (gate off):</strong> picks were taken in every market whether '
        "or not its evidence gate was open. These are not the product's picks.</p>"
        if gate == "off"
        else ""
    )
    head = (
        f"walk-forward backtest {details.get('start')} .. {details.get('end')}: retrain {details.get('retrain')}, "
        f"priced at the {details.get('price_at')} pregame snapshot, gate {gate}; recorded {details.get('recorded_at')}"
    )
    gates = [
        [r["trained_before"], m, "open" if c.get("gate_open") else "closed", c.get("reason", "")]
        for r in details.get("retrains", [])
        for m, c in r.get("combiners", {}).items()
    ]
    body = f"""<p>{html.escape(head)}</p>{research}
<h2>Evidence gate per retrain</h2>
{_html_table(["trained before", "market", "gate", "evidence"], gates, "no retrain recorded")}
<h2>Track record</h2>
{record_html(rec, "the evidence gate kept every market closed" if gate == "strict" else "no line cleared the thresholds")}"""
    return _page(f"nbaprops — backtest {details['run_id']}", body)


def write_report(settings: Settings, day: date, out_dir: Path | None = None) -> Path:
    with open_warehouse(settings) as wh:
        page = render(day, gather(wh, day))
    return _write(settings, out_dir, f"report-{day}.html", page)


def write_backtest_report(settings: Settings, run_id: str, out_dir: Path | None = None) -> Path:
    with open_warehouse(settings) as wh:
        details = backtest_details(wh, run_id)
    page = render_backtest(details, track_record(backtest_rows(details)))
    return _write(settings, out_dir, f"report-{run_id}.html", page)


def _write(settings: Settings, out_dir: Path | None, name: str, page: str) -> Path:
    out_dir = out_dir or settings.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    path.write_text(page, encoding="utf-8")
    return path
