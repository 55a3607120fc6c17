"""`nbaprops report --date D`: one self-contained HTML file (inline CSS and SVG, no scripts or fonts
from anywhere) with tonight's picks, the track record and the state of the data behind them."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from nbacore.settings import Settings
from nbacore.warehouse import Warehouse, as_date, open_warehouse

EDGE_BUCKETS = ((0.0, 0.02, "0–2%"), (0.02, 0.05, "2–5%"), (0.05, 0.10, "5–10%"), (0.10, 1.0, "10%+"))


def _rows(wh: Warehouse, sql: str, params: dict | None = None) -> list[tuple]:
    return wh.rows(sql, params or {})


def _fmt(value, digits: int = 2, pct: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.1f}%" if pct else f"{value:.{digits}f}"


def _none(value: float) -> float | None:
    """NaN (nothing to divide by) as None, which the page shows as a dash."""
    return None if value != value else float(value)


def _html_table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def calibration_svg(points: list[tuple[float, float, int]], size: int = 260) -> str:
    """Predicted P(over) against the observed over rate per bin; the diagonal is perfect calibration."""
    pad = 30
    inner = size - 2 * pad

    def xy(p: float, q: float) -> tuple[float, float]:
        return pad + p * inner, size - pad - q * inner

    dots = "".join(
        f'<circle cx="{xy(p, q)[0]:.1f}" cy="{xy(p, q)[1]:.1f}" r="{3 + min(n, 400) ** 0.5 / 4:.1f}" class="dot"><title>{p:.2f} → {q:.2f} (n={n})</title></circle>'
        for p, q, n in points
    )
    x0, y0 = xy(0, 0)
    x1, y1 = xy(1, 1)
    return (
        f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img" aria-label="calibration">'
        f'<rect x="{pad}" y="{pad}" width="{inner}" height="{inner}" class="frame"/>'
        f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" class="diag"/>{dots}'
        f'<text x="{size / 2}" y="{size - 6}" text-anchor="middle">predicted P(over)</text>'
        f'<text x="10" y="{size / 2}" transform="rotate(-90 10 {size / 2})" text-anchor="middle">observed</text></svg>'
    )


def roi_svg(series: list[tuple[str, float]], width: int = 520, height: int = 200) -> str:
    """Cumulative profit of the model's picks by date, at the stakes recommended (share of bankroll, in %)."""
    if not series:
        return '<p class="empty">no graded picks yet</p>'
    pad = 30
    values = [v for _, v in series]
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(1, len(series) - 1)
    pts = " ".join(
        f"{pad + i * step:.1f},{height - pad - (v - low) / span * (height - 2 * pad):.1f}"
        for i, (_, v) in enumerate(series)
    )
    zero = height - pad - (0 - low) / span * (height - 2 * pad)
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="cumulative profit">'
        f'<line x1="{pad}" y1="{zero:.1f}" x2="{width - pad}" y2="{zero:.1f}" class="diag"/>'
        f'<polyline points="{pts}" class="line"/>'
        f'<text x="{pad}" y="{height - 8}">{html.escape(series[0][0])}</text>'
        f'<text x="{width - pad}" y="{height - 8}" text-anchor="end">{html.escape(series[-1][0])}: {values[-1]:+.2f}% of bankroll</text></svg>'
    )


def gather(wh: Warehouse, day: date) -> dict:
    """Everything the page shows, read from the warehouse (absent tables read as empty)."""
    from predict.grade import bet_summary
    from predict.tables import latest_backtest, latest_score_run

    data: dict = {
        "picks": [],
        "calibration": [],
        "buckets": [],
        "roi": [],
        "mae": [],
        "coverage": None,
        "freshness": [],
        "run": {},
        "backtest": {},
    }
    has_predictions = wh.table_exists("predictions.predictions")
    has_results = wh.table_exists("predictions.results")
    if has_predictions:
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
    if has_results and has_predictions:
        graded = """
            select r.*, p.p_over, p.pick_edge
            from predictions.results r
            join predictions.predictions p
              using (game_id, player_id, market, prediction_version, model_version)
            where r.game_date <= @day"""
        data["calibration"] = _rows(
            wh,
            f"""
            select floor(p_over * 10) / 10 + 0.05 as bin, avg(over_outcome), count(*)
            from ({graded}) as graded where over_outcome is not null and p_over is not null group by 1 order by 1""",
            {"day": day},
        )
        bets = wh.query(
            f"""
            select pick_edge, pick_result, pick_profit from ({graded}) as graded
            where pick in ('OVER', 'UNDER') and pick_result in ('win', 'loss', 'push')""",
            {"day": day},
        )
        for low, high, label in EDGE_BUCKETS:
            inside = bets[(bets["pick_edge"] >= low) & (bets["pick_edge"] < high)]
            s = bet_summary(inside["pick_result"], inside["pick_profit"])  # the one definition of hit rate and ROI
            data["buckets"].append(
                (label, s["bets"], f"{s['wins']}–{s['losses']}–{s['pushes']}", _none(s["hit_rate"]), _none(s["roi"]))
            )
        data["roi"] = [
            (str(d), 100 * float(v))
            for d, v in _rows(
                wh,
                """
            select game_date, sum(sum(coalesce(stake_profit, 0))) over (order by game_date)
            from predictions.results where game_date <= @day and pick in ('OVER', 'UNDER')
              and pick_result in ('win', 'loss', 'push') group by game_date order by game_date""",
                {"day": day},
            )
        ]
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
        latest = as_date(wh.scalar(f"select max(game_date) from raw.{table} where game_date <= @day", {"day": day}))
        loaded = (
            wh.scalar(f"select max(_loaded_at) from raw.{table} where game_date = @latest", {"latest": latest})
            if latest
            else None
        )
        data["freshness"].append((table, latest, loaded))
    return data


STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:right}
th{background:#f6f8fa}td:first-child,th:first-child{text-align:left}.empty{color:#57606a;font-style:italic}
.frame{fill:#f6f8fa;stroke:#d0d7de}.diag{stroke:#8c959f;stroke-dasharray:4 3}.dot{fill:#0969da;fill-opacity:.7}
.line{fill:none;stroke:#0969da;stroke-width:2}svg text{font-size:11px;fill:#57606a}.grid{display:flex;gap:32px;flex-wrap:wrap}
"""


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
            _fmt(r[7], 0),
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
    buckets = [[label, n, wlp, _fmt(hit, pct=True), _fmt(roi, pct=True)] for label, n, wlp, hit, roi in data["buckets"]]
    mae = [[m, s, n, _fmt(v, 2)] for m, s, n, v in data["mae"]]
    fresh = [[t, str(d) if d else "–", str(loaded) if loaded else "–"] for t, d, loaded in data["freshness"]]
    if data["coverage"]:
        predicted, offered = data["coverage"]
        coverage = f"{predicted} predictions for {offered} (player, market) lines offered" + (
            f" — {predicted / offered:.1%}" if offered else ""
        )
    else:
        coverage = "no predictions written yet"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nbaprops — {day}</title>
<style>{STYLE}</style></head><body>
<h1>nbaprops — picks for {day}</h1>
<h2>Evidence gate</h2>
<p>A market gets picks only when its earlier lines show the model knows something the line does not.</p>
{_html_table(["market", "gate", "evidence"], _gate_rows(run), "no scoring run recorded for this date")}
<h2>Tonight's picks</h2>
<p>{html.escape(staking)}</p>
{_html_table(["player", "team", "opp", "market", "pick", "line", "book", "odds", "pred", "P(pick)", "edge", "EV", "stake", "amount"], picks, "no picks tonight: no market cleared its evidence gate and the thresholds")}
<h2>Backtest</h2>
<p>{html.escape(bt_head)}</p>
{_html_table(["market", "lines", "Brier blend", "Brier market", "log loss blend − market [95% CI]", "picks", "hit", "ROI"], _backtest_rows(bt), "no backtest recorded")}
<h2>Track record</h2>
<div class="grid"><div><h3>Calibration</h3>{calibration_svg([(float(b), float(q), int(n)) for b, q, n in data["calibration"]]) if data["calibration"] else '<p class="empty">nothing graded yet</p>'}</div>
<div><h3>Cumulative profit at the recommended stakes (% of bankroll)</h3>{roi_svg(data["roi"])}</div></div>
<h3>Hit rate and ROI by edge bucket</h3>
<p>Picks graded win, loss or push (voids are not bets), as in <code>predict.grade.bet_summary</code>: hit rate = wins / (wins + losses),
pushes left out; ROI = profit per unit staked over all of them, a push returning its stake.</p>
{_html_table(["edge", "bets", "W–L–P", "hit rate", "ROI"], buckets, "nothing graded yet")}
<h3>Model vs line (MAE)</h3>
{_html_table(["market", "system", "N", "MAE"], mae, "nothing graded yet")}
<h2>Coverage and freshness</h2>
<p>{html.escape(coverage)}</p>
{_html_table(["raw table", "latest game_date", "loaded at (UTC)"], fresh, "no data")}
</body></html>
"""


def write_report(settings: Settings, day: date, out_dir: Path | None = None) -> Path:
    with open_warehouse(settings) as wh:
        page = render(day, gather(wh, day))
    out_dir = out_dir or settings.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report-{day}.html"
    path.write_text(page, encoding="utf-8")
    return path
