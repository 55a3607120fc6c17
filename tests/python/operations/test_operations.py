"""Operations: US/Eastern dates, gates, resumable backfills, the one-writer lock, monitoring, alerts,
the HTML report in headless Chromium, doctor, and the whole morning run against the simulated APIs."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import missing_tool
from support.helpers import run_cli

from nbacore.dates import resolve_game_date
from nbacore.lock import WarehouseLocked, warehouse_lock
from nbacore.settings import load_settings
from nbacore.warehouse import open_warehouse, utc_now
from nbaprops.runs import morning
from nbaprops.runs.monitor import coverage_level


@pytest.mark.parametrize(
    ("now_utc", "expected"),
    [
        (datetime(2025, 10, 22, 3, 59, tzinfo=UTC), date(2025, 10, 21)),  # 23:59 EDT
        (datetime(2025, 10, 22, 4, 0, tzinfo=UTC), date(2025, 10, 22)),  # 00:00 EDT
        (datetime(2025, 12, 2, 4, 30, tzinfo=UTC), date(2025, 12, 1)),  # 23:30 EST (winter offset)
        (datetime(2025, 12, 2, 5, 0, tzinfo=UTC), date(2025, 12, 2)),  # 00:00 EST
    ],
)
def test_today_is_the_us_eastern_date_around_midnight(now_utc, expected):
    assert resolve_game_date("today", now_utc) == expected
    assert resolve_game_date("yesterday", now_utc) == date.fromordinal(expected.toordinal() - 1)
    assert resolve_game_date("2025-11-03") == date(2025, 11, 3)
    with pytest.raises(ValueError, match="use today, yesterday or YYYY-MM-DD"):
        resolve_game_date("11/03/2025")


def _schedule_final_game(con, day: date) -> None:
    con.con.execute(
        "insert into raw.schedule (game_id, game_date, season_type, home_team_abbreviation, away_team_abbreviation, "
        "game_status, _loaded_at, _source) values ('0022500100', ?, 'regular', 'BOS', 'NYK', 3, now(), 'test')",
        [day],
    )


def test_build_gate_refuses_a_missing_slate_and_names_the_game(warehouse_path):
    con = open_warehouse(load_settings())
    try:
        _schedule_final_game(con, date(2025, 11, 2))
        with pytest.raises(
            morning.GateClosed, match=r"1 final game\(s\) of 2025-11-02 have no box scores: 0022500100 NYK @ BOS"
        ):
            morning.gate_build(con, date(2025, 11, 3))
        con.con.execute(
            "insert into raw.team_game_logs (game_id, game_date, team_abbreviation, matchup, pts, _loaded_at, _source) values "
            "('0022500100', '2025-11-02', 'BOS', 'BOS vs. NYK', 100, now(), 't'), ('0022500100', '2025-11-02', 'NYK', 'NYK @ BOS', 90, now(), 't')"
        )
        assert "inputs complete" in morning.gate_build(con, date(2025, 11, 3))
    finally:
        con.close()


def test_a_closed_gate_is_recorded_and_force_runs_the_phase(warehouse_path):
    settings = load_settings()
    con = open_warehouse(settings)
    _schedule_final_game(con, date(2025, 11, 2))
    con.close()
    ran = []
    blocked = morning._run_phase(
        settings,
        "r1",
        "build",
        date(2025, 11, 3),
        lambda c: morning.gate_build(c, date(2025, 11, 3)),
        lambda: ran.append(1) or "built",
        force=False,
    )
    assert blocked.status == "blocked" and ran == []
    forced = morning._run_phase(
        settings,
        "r2",
        "build",
        date(2025, 11, 3),
        lambda c: morning.gate_build(c, date(2025, 11, 3)),
        lambda: ran.append(1) or "built",
        force=True,
    )
    assert forced.status == "success" and ran == [1]
    con = open_warehouse(settings)
    rows = con.con.execute(
        "select status, forced from ops.pipeline_runs where phase = 'build' order by started_at"
    ).fetchall()
    con.close()
    assert rows == [("skipped", False), ("success", True)]


def test_backfill_records_a_failed_date_continues_and_resumes(warehouse_path, monkeypatch):
    calls: list[date] = []
    broken = {date(2025, 11, 2)}

    def fake_scrape(settings, day, sources, schedules=None):
        calls.append(day)
        if day in broken:
            raise RuntimeError(f"scrape of {day} incomplete: injected")
        return f"scraped {day}"

    monkeypatch.setattr(morning, "_scrape", fake_scrape)
    monkeypatch.setattr(morning, "_build", lambda settings, since=None: "built")
    settings = load_settings()
    done = morning.backfill(settings, date(2025, 11, 1), date(2025, 11, 3), echo=lambda s: None)
    assert calls == [date(2025, 11, 1), date(2025, 11, 2), date(2025, 11, 3)]
    assert done["failed"] == [date(2025, 11, 2)] and done["success"] == [date(2025, 11, 1), date(2025, 11, 3)]
    broken.clear()
    calls.clear()
    done = morning.backfill(settings, date(2025, 11, 1), date(2025, 11, 3), echo=lambda s: None)
    assert calls == [date(2025, 11, 2)]  # only the failed date is retried
    assert done["skipped"] == [date(2025, 11, 1), date(2025, 11, 3)] and done["success"] == [date(2025, 11, 2)]


def test_a_second_concurrent_run_exits_at_once_with_a_clear_message(warehouse_path):
    with warehouse_lock(warehouse_path, "run --date 2025-11-03"):
        with pytest.raises(WarehouseLocked):
            with warehouse_lock(warehouse_path, "another"):
                pass
        result = run_cli("run", "--date", "2025-11-03")
    assert result.exit_code == 3
    assert (
        "another nbaprops command holds the warehouse lock" in result.stderr
        and "run --date 2025-11-03" in result.stderr
    )
    with warehouse_lock(warehouse_path, "after"):  # released when the holder finished
        pass


@pytest.mark.parametrize(
    ("predicted", "offered", "level"),
    [(95, 100, "ok"), (94, 100, "warn"), (85, 100, "warn"), (84, 100, "critical"), (0, 0, "ok")],
)
def test_coverage_thresholds(predicted, offered, level):
    assert coverage_level(predicted, offered) == level


def test_monitor_alerts_the_webhook_and_exits_nonzero_on_critical(warehouse_path, httpserver, monkeypatch):
    con = open_warehouse(load_settings())
    _schedule_final_game(con, date(2025, 11, 2))  # a final slate whose box scores never came
    con.close()
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    monkeypatch.setenv("NBAPROPS_ALERT_WEBHOOK_URL", httpserver.url_for("/hook"))
    result = run_cli("monitor", "--date", "2025-11-03")
    assert result.exit_code == 1
    assert "critical  freshness" in result.output
    ((request, _),) = httpserver.log
    text = json.loads(request.data)["text"]
    assert "[critical] freshness" in text and "2025-11-02" in text


# ---- the HTML report, from graded data ---------------------------------------------------------------------
# Four graded game days (wins, losses, pushes and voids at every edge, both sides of each bucket boundary), a
# superseded prediction version on a graded day, a graded day after the report date that the page must leave
# out, tonight scored twice, two backtests. Every number on the page is checked against pandas over these rows.

REPORT_DAY = date(2025, 11, 7)
GRADED_DAYS = (date(2025, 11, 3), date(2025, 11, 4), date(2025, 11, 5), date(2025, 11, 6))
AFTER_DAY = date(2025, 11, 8)
MARKETS = ("points", "rebounds", "assists", "threes", "pra")
EDGES = (0.0, 0.013, 0.02, 0.034, 0.05, 0.071, 0.1, 0.16)  # each side of every bucket boundary, the boundaries too
OUTCOMES = ("win", "loss", "push", "win", "void", "loss", "win", "win", "loss", "push", "win")  # 11 and 8: all pairs
ODDS = (-110.0, 105.0, -125.0, 130.0, -150.0)
P_OVER = (0.23, 0.47, 0.55, 0.61, 0.68, 0.74, 0.86)
BUCKETS = ((0.0, 0.02, "0–2%"), (0.02, 0.05, "2–5%"), (0.05, 0.10, "5–10%"), (0.10, 1.0, "10%+"))
TONIGHT_EDGES = (0.031, 0.118, 0.052, 0.044, 0.071, 0.026, 0.09, 0.064, 0.012)
SCORED_AT = datetime(2025, 11, 9, 12, 0)
GATES = {
    "points": "points: OPEN — log loss 0.0061 better than the line [0.0012, 0.0110] on 1,204 lines",
    "rebounds": "rebounds: closed — no evidence beyond the line [-0.0030, 0.0040]",
    "threes": "threes: gate off (research only): 88 lines",
}
BACKTEST = {
    "start": date(2025, 10, 22),
    "end": date(2025, 11, 6),
    "retrain": "weekly",
    "rules": {"gate": "strict"},
    "summary": {
        "points": {
            "brier_n": 412,
            "brier_model": 0.24391,
            "brier_market": 0.24712,
            "logloss_model_minus_market": {"estimate": -0.00642, "low": -0.01203, "high": -0.00081},
            "picks": {"picks": 37, "hit": {"estimate": 0.5676}, "roi_unit": {"estimate": 0.0741}},
        },
        "threes": {
            "brier_n": 96,
            "brier_model": float("nan"),
            "brier_market": 0.2467,
            "logloss_model_minus_market": {"estimate": float("nan"), "low": None, "high": None},
            "picks": {"picks": 0, "hit": {"estimate": float("nan")}, "roi_unit": {}},
        },
    },
}


def _american_profit(result: str, odds: float) -> float:
    if result == "win":
        return odds / 100 if odds > 0 else 100 / -odds
    return -1.0 if result == "loss" else 0.0


def _slate(day: date, first: int, n: int) -> pd.DataFrame:
    """``n`` predictions on ``day``; the k-th row of all graded days (k from ``first``) fixes edge, odds, side."""
    rows = []
    for k in range(first, first + n):
        pick = "PASS" if k % 9 == 8 else ("OVER" if k % 3 else "UNDER")
        stake = 0.0 if pick == "PASS" else round(0.004 + 0.001 * (k % 13), 4)
        rows.append(
            {
                "game_date": day,
                "game_id": f"g{day:%m%d}{k % 4}",
                "player_id": 1000 + k,
                "player_lookup": f"player{k:03d}",
                "player_name": f"Player {k:03d}",
                "team": ("BOS", "NYK", "LAL", "DEN")[k % 4],
                "opponent": ("MIA", "PHI", "GSW", "DAL")[k % 4],
                "market": MARKETS[k % 5],
                "line": 20.5,
                "pick": pick,
                "pick_line": 20.0 if OUTCOMES[k % 11] == "push" else 20.5,
                "pick_book": ("fanduel", "draftkings")[k % 2],
                "pick_odds": ODDS[k % 5],
                "pred_mean": 20.5 + (k % 7 - 3) * 1.3,
                "pick_prob": 0.52 + EDGES[k % 8],
                "pick_edge": EDGES[k % 8],
                "pick_ev": round(0.01 + 0.003 * (k % 11), 4),
                "stake": stake,
                "stake_amount": 1000 * stake,
                "p_over": P_OVER[k % 7],
                "model_version": "m1",
            }
        )
    return pd.DataFrame(rows)


def _tonight(superseded: bool) -> pd.DataFrame:
    frame = _slate(REPORT_DAY, 500, len(TONIGHT_EDGES))
    frame["pick_edge"] = [0.2] * len(frame) if superseded else list(TONIGHT_EDGES)
    frame.loc[[2, 6], "pick"] = "PASS"
    if superseded:
        frame["pick"] = "OVER"
    return frame


def _graded(preds: pd.DataFrame, bad_night: bool = False) -> pd.DataFrame:
    """Result rows as grading writes them, from the current predictions (versions included) of one day; on a
    bad night every win is a loss (so the cumulative profit falls)."""
    k = preds["player_id"] - 1000
    outcome = [("loss" if bad_night and OUTCOMES[i % 11] == "win" else OUTCOMES[i % 11]) for i in k]
    r = preds[
        [
            "game_date",
            "game_id",
            "player_id",
            "player_name",
            "market",
            "prediction_version",
            "model_version",
            "run_id",
            "line",
            "pick",
            "pick_line",
            "pick_odds",
            "stake",
            "stake_amount",
        ]
    ].copy()
    bet = r["pick"].isin(["OVER", "UNDER"])
    r["pick_result"] = [o if b else None for o, b in zip(outcome, bet)]
    r["did_play"] = [o != "void" for o in outcome]
    side_over = r["pick"] == "OVER"
    r["actual"] = [
        None if o == "void" else 20.0 if o == "push" else (25.0 if (o == "win") == bool(s) else 15.0)
        for o, s in zip(outcome, side_over)
    ]
    r["over_outcome"] = [None if a is None or a == li else float(a > li) for a, li in zip(r["actual"], r["pick_line"])]
    r["pick_profit"] = [_american_profit(o, odds) if b else None for o, odds, b in zip(outcome, r["pick_odds"], bet)]
    r["stake_profit"] = r["pick_profit"] * r["stake"]
    # P(over | no push) of the blend, the raw model and the market, scored as grading scores them
    y = pd.to_numeric(r["over_outcome"]).to_numpy()
    blend = np.array([P_OVER[i % 7] for i in k])
    for system, prob in (("model", blend), ("raw_model", 0.8 * blend + 0.1), ("market", np.full(len(r), 0.5))):
        r[f"brier_{system}"] = (prob - y) ** 2
        r[f"logloss_{system}"] = -(y * np.log(prob) + (1 - y) * np.log(1 - prob))
    r["blend_p_over"] = blend
    return r


def _performance(day: date, seed: int, mae_scale: float = 1.0) -> pd.DataFrame:
    rows = []
    for i, (market, system) in enumerate((m, s) for m in MARKETS[:4] for s in ("model", "line", "moving_average")):
        j = seed * 13 + i
        mae = None if j % 10 == 7 else round(mae_scale * (1.5 + (j * 37 % 60) / 10), 3)
        rows.append({"game_date": day, "market": market, "system": system, "n": 3 + j * 7 % 11, "mae": mae})
    return pd.DataFrame(rows)


@pytest.fixture
def graded_warehouse(warehouse_path) -> dict:
    """The warehouse described above; returns what was written (predictions, results, performance)."""
    from dataclasses import asdict

    from predict.config import PricingRules
    from predict.tables import current_predictions, log_run, replace_day, write_scores

    con = open_warehouse(load_settings())
    when = iter(SCORED_AT + timedelta(minutes=m) for m in range(100))
    empty = pd.DataFrame(columns=["game_id", "player_lookup", "market", "line", "reason"])
    rules = asdict(PricingRules())

    def score(day, frame, details):
        at = next(when)
        write_scores(con, f"score-{day}-{at:%H%M}", at, day, frame, empty, "m1", {"date": day, **details})

    results, performance, first = [], [], 0
    for i, day in enumerate((*GRADED_DAYS, AFTER_DAY)):
        slate = _slate(day, first, 22)
        first += 22
        if i == 1:  # an earlier version of the same lines, superseded before grading: never counted
            score(day, slate.assign(pick="OVER", pick_edge=0.5, p_over=0.99), {})
        score(day, slate, {"gates": {"points": "points: OPEN — other day"}, "rules": rules, "max_night_stake": 0.09})
        preds = current_predictions(con, day)
        res = _graded(preds.assign(game_date=preds["game_date"].dt.date), bad_night=i == 2)
        if day == AFTER_DAY:  # graded after the report date, all wins: must not show
            res["pick_result"] = res["pick_result"].where(res["pick_result"].isna(), "win")
            res["pick_profit"] = res["pick_profit"].where(res["pick_result"].isna(), 5.0)
            res["stake_profit"] = res["pick_profit"] * res["stake"]
        perf = _performance(day, i, mae_scale=10.0 if day == AFTER_DAY else 1.0)
        replace_day(con, day, res, perf, f"grade-{day}", next(when), {"date": day})
        results.append(res)
        performance.append(perf)
    score(
        REPORT_DAY,
        _tonight(superseded=True),
        {"gates": {"points": "points: closed — older run"}, "rules": rules, "max_night_stake": 0.05},
    )
    score(
        REPORT_DAY,
        _tonight(superseded=False),
        {"gate": "strict", "gates": GATES, "rules": rules, "max_night_stake": 0.0731},
    )
    score(
        AFTER_DAY,
        _slate(AFTER_DAY, 900, 3),
        {"gates": {"points": "points: OPEN — a later date"}, "rules": rules, "max_night_stake": 0.02},
    )
    log_run(
        con,
        "bt-old",
        "backtest",
        datetime(2025, 11, 8, 9, 0),
        None,
        {**BACKTEST, "start": date(2025, 10, 1), "summary": {"pra": BACKTEST["summary"]["points"]}},
    )
    log_run(con, "bt-new", "backtest", datetime(2025, 11, 8, 13, 0), None, BACKTEST)
    con.con.execute("create schema if not exists analytics")  # the public model the report reads
    con.con.execute(
        "create table analytics.prop_offers (game_id varchar, player_lookup varchar, market varchar, "
        "game_date date, is_pregame boolean, bookmaker varchar)"
    )
    tonight = _tonight(superseded=False)
    offers = [
        (g, p, m, REPORT_DAY, True, b)
        for g, p, m in zip(tonight["game_id"], tonight["player_lookup"], tonight["market"])
        for b in ("fanduel", "draftkings")
    ]
    offers += [
        ("g1107x", "unpriced", "points", REPORT_DAY, True, "fanduel"),  # offered, not predicted
        ("g1107x", "late", "points", REPORT_DAY, False, "fanduel"),  # after tip-off: not a pregame line
        ("g1106x", "yesterday", "points", GRADED_DAYS[-1], True, "fanduel"),
    ]
    con.con.executemany("insert into analytics.prop_offers values (?, ?, ?, ?, ?, ?)", offers)
    predictions = con.con.execute("select * from predictions.predictions").df()
    con.close()
    return {
        "predictions": predictions,
        "results": pd.concat(results, ignore_index=True),
        "performance": pd.concat(performance, ignore_index=True),
        "offers": offers,
    }


def _pct(value: float) -> str:
    return "–" if value != value else f"{100 * value:.1f}%"


def _ci(interval) -> str:
    return f"{100 * interval.estimate:.1f}% [{100 * interval.low:.1f}, {100 * interval.high:.1f}]"


def _expected(w: dict) -> dict:
    """What the page must show, computed here with pandas from the rows the fixture wrote (the intervals with
    predict.evaluation, whose own tests check them)."""
    from predict.evaluation import day_bootstrap_ratio, wilson

    p, perf = w["predictions"], w["performance"]
    r = w["results"].assign(game_date=pd.to_datetime(w["results"]["game_date"]))
    r = r[r["game_date"] <= pd.Timestamp(REPORT_DAY)]
    keys = ["game_id", "player_id", "market", "prediction_version", "model_version"]
    graded = r.merge(p[[*keys, "pick_edge"]], on=keys, how="inner", validate="one_to_one")
    bets = graded[graded["pick"].isin(["OVER", "UNDER"]) & graded["pick_result"].isin(["win", "loss", "push"])]
    voids = graded[graded["pick"].isin(["OVER", "UNDER"]) & (graded["pick_result"] == "void")]
    buckets = []
    for low, high, label in BUCKETS:
        b = bets[(bets["pick_edge"] >= low) & (bets["pick_edge"] < high)]
        wins, losses, pushes = (int((b["pick_result"] == x).sum()) for x in ("win", "loss", "push"))
        in_voids = voids[(voids["pick_edge"] >= low) & (voids["pick_edge"] < high)]
        assert pushes and len(in_voids) and wins and losses, label  # the data exercises pushes and voids everywhere
        roi = day_bootstrap_ratio(b["pick_profit"], np.ones(len(b)), b["game_date"].dt.date.astype(str))
        buckets.append(
            [
                label,
                str(len(b)),
                f"{wins}–{losses}–{pushes}",
                _pct(wins / (wins + losses)),
                _ci(wilson(wins, wins + losses)),
                _pct(b["pick_profit"].sum() / len(b)),
                _ci(roi),
            ]
        )
    assert roi.estimate == pytest.approx(b["pick_profit"].sum() / len(b))
    daily = bets.groupby("game_date")["stake_profit"].sum().sort_index().cumsum() * 100
    units = [(str(d.date()), float(v)) for d, v in daily.items()]
    per_market = {
        m: (bets[bets["market"] == m].groupby("game_date")["stake_profit"].sum().reindex(daily.index, fill_value=0))
        .cumsum()
        .mul(100)
        .tolist()
        for m in MARKETS
    }
    same = graded[graded["brier_model"].notna()].sort_values("game_date")
    diff = (same["logloss_model"] - same["logloss_market"]).groupby(same["game_date"]).agg(["sum", "size"]).cumsum()
    scores = (diff["sum"] / diff["size"]).tolist()
    m = perf.assign(game_date=pd.to_datetime(perf["game_date"]))
    m = m[(m["game_date"] <= pd.Timestamp(REPORT_DAY)) & m["mae"].notna()].assign(err=lambda x: x["mae"] * x["n"])
    m = m.groupby(["market", "system"], as_index=False)[["n", "err"]].sum().sort_values(["market", "system"])
    mae = [[row.market, row.system, str(int(row.n)), f"{row.err / row.n:.2f}"] for row in m.itertuples()]
    tonight = p[(pd.to_datetime(p["game_date"]) == pd.Timestamp(REPORT_DAY)) & p["is_current"]]
    picks = tonight[tonight["pick"].isin(["OVER", "UNDER"])].sort_values("pick_edge", ascending=False)
    pick_rows = [
        [
            x.player_name,
            x.team,
            x.opponent,
            x.market,
            x.pick,
            f"{x.pick_line:.1f}",
            x.pick_book,
            f"{x.pick_odds:+.0f}",
            f"{x.pred_mean:.1f}",
            _pct(x.pick_prob),
            _pct(x.pick_edge),
            f"{x.pick_ev:.3f}",
            _pct(x.stake),
            f"{x.stake_amount:.2f}",
        ]
        for x in picks.itertuples()
    ]
    cal = graded[graded["over_outcome"].notna()]
    calibration = {}
    for market, c in cal.groupby("market"):
        g = c.groupby(np.floor(c["blend_p_over"] * 10))
        calibration[market] = list(zip(g["blend_p_over"].mean(), g["over_outcome"].mean(), g.size()))
    offered = {(g, pl, mk) for g, pl, mk, d, pre, _ in w["offers"] if d == REPORT_DAY and pre}
    wins, losses, pushes = (int((bets["pick_result"] == x).sum()) for x in ("win", "loss", "push"))
    return {
        "buckets": buckets,
        "units": units,
        "units_per_market": per_market,
        "scores": scores,
        "mae": mae,
        "picks": pick_rows,
        "n_bets": len(bets),
        "calibration": calibration,
        "overall": ["all markets", str(len(GRADED_DAYS)), str(int(graded["brier_model"].notna().sum()))],
        "overall_bets": [str(len(bets)), f"{wins}–{losses}–{pushes}"],
        "coverage": f"{len(tonight)} predictions for {len(offered)} (player, market) lines offered — {len(tonight) / len(offered):.1%}",
        "gates": [
            ["points", "open", "log loss 0.0061 better than the line [0.0012, 0.0110] on 1,204 lines"],
            ["rebounds", "closed", "no evidence beyond the line [-0.0030, 0.0040]"],
            ["threes", "open", "threes: gate off (research only): 88 lines"],
        ],
        "backtest": [
            ["points", "412", "0.2439", "0.2471", "-0.0064 [-0.0120, -0.0008]", "37", "56.8%", "7.4%"],
            ["threes", "96", "–", "0.2467", "–", "0", "–", "–"],
        ],
        "texts": [
            "bankroll 1,000; caps 2% a bet, 4% a player, 10% a night; tonight staked 7.3%",
            "newest backtest 2025-10-22 .. 2025-11-06 (gate strict), recorded 2025-11-08 13:00:00",
            f"{units[-1][0]}: {units[-1][1]:+.2f} units overall",
            f"{len(GRADED_DAYS)} graded game day(s), {GRADED_DAYS[0]} .. {GRADED_DAYS[-1]}",
        ],
    }


class _Page(HTMLParser):
    """A page as a reader sees it: each table (header row first) under the heading above it, each chart's axes
    (tick labels and axis labels per matplotlib axis group), the scripts and the text."""

    def __init__(self, markup: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: list[dict] = []  # per figure.chart: {"svgs": n, "axes": [{"ticks": [...], "label": str}]}
        self.scripts: list[dict] = []
        self.text: list[str] = []
        self._heading: list[str] | None = None
        self._under = ""
        self._table = self._row = self._cell = None
        self._groups: list[str] = []
        self._axis: dict | None = None
        self._tick: list[str] | None = None
        self._in_chart = False
        self.feed(markup)
        self.close()
        self.joined = re.sub(r"\s+", " ", "".join(self.text))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("h1", "h2", "h3"):
            self._heading = []
        elif tag == "table":
            self._table = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "script":
            self.scripts.append(a)
        elif tag == "figure" and "chart" in (a.get("class") or ""):
            self._in_chart = True
            self.charts.append({"svgs": 0, "axes": []})
        elif tag == "svg" and self._in_chart:
            self.charts[-1]["svgs"] += 1
        elif tag == "g" and self._in_chart:
            gid = a.get("id") or ""
            self._groups.append(gid)
            if gid.startswith("matplotlib.axis_"):
                self._axis = {"ticks": [], "label": ""}
                self.charts[-1]["axes"].append(self._axis)
            elif gid.startswith(("xtick_", "ytick_")) and self._axis is not None:
                self._tick = []

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self._under, self._heading = "".join(self._heading).strip(), None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables[self._under], self._table = self._table, None
        elif tag == "figure":
            self._in_chart = False
        elif tag == "g" and self._in_chart and self._groups:
            gid = self._groups.pop()
            if gid.startswith(("xtick_", "ytick_")) and self._tick is not None:
                self._axis["ticks"].append("".join(self._tick).strip())
                self._tick = None
            elif gid.startswith("matplotlib.axis_"):
                self._axis = None

    def handle_data(self, data):
        for part in (self._heading, self._cell, self._tick):
            if part is not None:
                part.append(data)
        if self._axis is not None and self._tick is None and data.strip():
            self._axis["label"] += data.strip()
        self.text.append(data)


def _check_axes(page: _Page, charts: int) -> None:
    """Every chart is one SVG; every panel has an x and a y axis with at least two ticks; every x axis and the
    first y axis (panels may share it) have at least two tick labels and an axis label."""
    assert len(page.charts) == charts, page.charts
    for chart in page.charts:
        axes = chart["axes"]  # matplotlib numbers them x, y per panel
        assert chart["svgs"] == 1 and len(axes) >= 2 and len(axes) % 2 == 0, chart
        for i, axis in enumerate(axes):
            assert len(axis["ticks"]) >= 2, axis
            if i % 2 == 0 or i == 1:
                assert sum(1 for t in axis["ticks"] if t) >= 2 and axis["label"], axis


def _check_page(markup: str, exp: dict) -> None:
    page = _Page(markup)
    t = page.tables
    assert t["Evidence gate"] == [["market", "gate", "evidence"], *exp["gates"]]
    assert t["Tonight's picks"] == [
        [
            "player",
            "team",
            "opp",
            "market",
            "pick",
            "line",
            "book",
            "odds",
            "pred",
            "P(pick)",
            "edge",
            "EV",
            "stake",
            "amount",
        ],
        *exp["picks"],
    ]
    assert t["Backtest"] == [
        ["market", "lines", "Brier blend", "Brier market", "log loss blend − market [95% CI]", "picks", "hit", "ROI"],
        *exp["backtest"],
    ]
    assert t["Hit rate and ROI by edge bucket"] == [
        ["edge", "bets", "W–L–P", "hit rate", "hit [95% CI]", "ROI", "ROI [95% CI]"],
        *exp["buckets"],
    ]
    assert t["Model vs line (MAE)"] == [["market", "system", "N", "MAE"], *exp["mae"]]
    overall = t["Per market"][-1]
    assert overall[:3] == exp["overall"] and overall[6:8] == exp["overall_bets"]
    assert overall[10] == f"{exp['units'][-1][1]:+.2f}"
    units = t["Cumulative units at the recommended stakes"]
    assert [row[0] for row in units[1:]] == [d for d, _ in exp["units"]]
    assert [float(row[-1]) for row in units[1:]] == pytest.approx([v for _, v in exp["units"]], abs=0.006)
    scores = t["Log loss against the market"]
    assert [float(row[2]) for row in scores[1:]] == pytest.approx(exp["scores"], abs=6e-5)
    for text in (*exp["texts"], exp["coverage"]):
        assert text in page.joined, text
    _check_axes(page, charts=4)  # units, log loss, calibration, edge buckets
    assert page.scripts == [{}]  # one inline script (sorting the picks), nothing loaded from anywhere


def test_report_shows_the_numbers_of_the_graded_rows(graded_warehouse, tmp_path):
    """Picks, edge buckets (pushes out of the hit rate, as bet_summary), cumulative profit at the recommended
    stakes, MAE, gate and backtest: each against pandas over the rows written, later dates left out."""
    from nbaprops.runs.report import gather, write_report

    exp = _expected(graded_warehouse)
    assert exp["n_bets"] > 40 and len(exp["picks"]) == 6
    _check_page(write_report(load_settings(), REPORT_DAY, out_dir=tmp_path).read_text(), exp)
    con = open_warehouse(load_settings())
    try:
        rec = gather(con, REPORT_DAY)["record"]
    finally:
        con.close()
    overall = rec["units"]["all markets"]
    assert [str(d) for d, _ in overall] == [d for d, _ in exp["units"]]
    assert [v for _, v in overall] == pytest.approx([v for _, v in exp["units"]], abs=1e-9)
    for market, values in exp["units_per_market"].items():
        assert [v for _, v in rec["units"].get(market, [])] == pytest.approx(values, abs=1e-9), market
    assert [v for _, v in rec["scores"]["blend (the product)"]] == pytest.approx(exp["scores"], abs=1e-12)
    assert set(rec["calibration"]) == set(exp["calibration"])
    for market, points in exp["calibration"].items():
        got = rec["calibration"][market]
        assert [n for *_, n in got] == [n for *_, n in points], market  # the counts the chart labels
        assert [x for p in got for x in p[:2]] == pytest.approx([x for p in points for x in p[:2]]), market


def _chromium(browser: str, page: Path, work: Path) -> tuple[str, list[str], Path]:
    """Render ``page`` headless: (the DOM after load, the console messages, a screenshot)."""
    work.mkdir(parents=True, exist_ok=True)
    shot = work / "shot.png"
    proc = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={work / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,900",
            f"--screenshot={shot}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    return proc.stdout, [line for line in proc.stderr.splitlines() if re.search(r":CONSOLE[:(]", line)], shot


def _png_pixels_vary(path: Path) -> bool:
    """Decode just enough PNG to tell a blank (single-colour) screenshot from a rendered page."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    ink = sum(1 for b in raw[::7] if b not in (0, 255))  # not white, not a filter/zero byte
    return len(set(raw)) > 8 and ink / len(raw[::7]) > 0.002


def test_report_renders_in_headless_chromium_without_console_errors(graded_warehouse, tmp_path):
    """The graded report in a real browser: not blank, nothing on the console (its one script only sorts, so
    any message is a fault), the rendered DOM shows the same numbers and every chart has labelled axes, and a
    click on a header sorts the picks (odds as numbers: -125 before +105). Both checks are shown to fail on a
    blank page and on a page that logs an error."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        missing_tool("no Chromium found (.ci/run installs Debian's chromium package)")
    from nbaprops.runs.report import write_report

    page = write_report(load_settings(), REPORT_DAY, out_dir=tmp_path)
    markup = page.read_text()
    assert markup.count("<script") == 1 and "<script>" in markup  # the sorting lines, inline
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", markup)  # self-contained: nothing fetched
    dom, console, shot = _chromium(browser, page, tmp_path / "report")
    assert _png_pixels_vary(shot)
    assert console == []
    _check_page(dom, _expected(graded_warehouse))

    blank = tmp_path / "blank.html"
    blank.write_text("<!doctype html><html><body></body></html>")
    assert not _png_pixels_vary(_chromium(browser, blank, tmp_path / "blank")[2])
    noisy = tmp_path / "noisy.html"
    noisy.write_text(markup.replace("</body>", "<script>console.error('injected fault')</script></body>"))
    assert any("injected fault" in line for line in _chromium(browser, noisy, tmp_path / "noisy")[1])

    clicked = tmp_path / "clicked.html"  # the odds header clicked once (ascending), then pred twice (descending)
    clicks = "".join(f"document.querySelectorAll('table.sortable th')[{i}].click();" for i in (7, 8, 8))
    clicked.write_text(markup.replace("</body>", f"<script>{clicks}</script></body>"))
    dom, console, _ = _chromium(browser, clicked, tmp_path / "clicked")
    rows = _Page(dom).tables["Tonight's picks"][1:]
    assert console == [] and sorted(map(tuple, rows)) == sorted(map(tuple, _expected(graded_warehouse)["picks"]))
    assert [float(r[8]) for r in rows] == sorted((float(r[8]) for r in rows), reverse=True)
    once = tmp_path / "once.html"
    once.write_text(
        markup.replace("</body>", "<script>document.querySelectorAll('table.sortable th')[7].click()</script></body>")
    )
    odds = [int(r[7]) for r in _Page(_chromium(browser, once, tmp_path / "once")[0]).tables["Tonight's picks"][1:]]
    assert odds == sorted(odds) and odds[0] < 0 < odds[-1]


def test_doctor_fails_on_a_broken_setting(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(blocker / "nbaprops.duckdb"))
    result = run_cli("doctor")
    assert result.exit_code == 1
    assert "FAIL settings" in result.output and "FAIL warehouse" in result.output
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(tmp_path / "ok" / "nbaprops.duckdb"))
    monkeypatch.delenv("NBAPROPS_BQ_PROJECT", raising=False)
    result = run_cli("--target", "bigquery", "doctor")
    assert re.search(r"FAIL credentials +NBAPROPS_BQ_PROJECT is not set", result.output), result.output
    assert "ok   imports" in result.output


def test_morning_run_against_the_simulated_apis_completes_every_phase(tmp_path, monkeypatch):
    """Backfill a few simulated days through the scrapers, train, run tonight; status shows every phase done."""
    from dataclasses import replace
    from datetime import timedelta

    from nbacore.settings import SourceSettings
    from nbaprops.runs.demo import DEMO_KEY, FAST_SCRAPES
    from predict import commands
    from predict.config import PredictConfig
    from simulator import SimConfig, simulate_season
    from simulator.serve import SimApi, start_server

    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(tmp_path / "wh" / "nbaprops.duckdb"))
    monkeypatch.setenv("NBAPROPS_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("NBAPROPS_MODEL_REGISTRY", str(tmp_path / "registry"))
    season = simulate_season(SimConfig(seed=3, days=8))
    running = start_server(SimApi(season, api_key=DEMO_KEY, quota=100_000))
    try:
        settings = replace(
            load_settings(),
            sources=SourceSettings(running.url, running.url, running.url, DEMO_KEY, injury_base_url=running.url),
            scrape=FAST_SCRAPES,
        )
        tonight = season.tonight
        first = min(g.game_date for g in season.games)
        done = morning.backfill(settings, first, tonight - timedelta(days=2), echo=lambda s: None)
        assert done["failed"] == []
        commands.train(settings, PredictConfig())
        outcomes = morning.run_day(settings, tonight, echo=lambda s: None)
    finally:
        running.shutdown()
    assert [(o.phase, o.status) for o in outcomes] == [(p, "success") for p in morning.RUN_PHASES]
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(settings.duckdb_path))
    result = run_cli("status", "--date", str(tonight))
    assert result.exit_code == 0
    for phase in morning.RUN_PHASES:
        assert f"  {phase:<15} success" in result.output
    assert f"  {'analytics':<15} 9/9 models built" in result.output


def test_a_second_writer_on_the_bigquery_target_is_refused_on_the_same_host(warehouse_path, monkeypatch):
    """On BigQuery the one-writer lock is a file on the scheduler host, beside where the DuckDB file would be; a
    second writer there exits 3 before touching BigQuery (the endpoint is a closed port: it is never reached)."""
    from nbaprops.cli.common import lock_anchor

    monkeypatch.setenv("NBAPROPS_TARGET", "bigquery_emulator")
    monkeypatch.setenv("NBAPROPS_BQ_EMULATOR_ENDPOINT", "http://127.0.0.1:9")
    anchor = lock_anchor(load_settings())
    assert anchor.parent == warehouse_path.parent and anchor.name == "bigquery_emulator-nbaprops-emulator"
    with warehouse_lock(anchor, "run --date 2025-11-03"):
        result = run_cli("--target", "bigquery_emulator", "score", "--date", "2025-11-03")
    assert result.exit_code == 3, result.output
    assert "another nbaprops command holds the warehouse lock" in result.stderr
    assert "bigquery_emulator-nbaprops-emulator.nbaprops-lock" in result.stderr


def test_doctor_and_the_scraper_agree_that_a_missing_odds_key_fails(tmp_path, monkeypatch):
    """The scraper fails the odds source without ODDS_API_KEY; doctor used to say it would be skipped."""
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(tmp_path / "ok" / "nbaprops.duckdb"))
    monkeypatch.delenv("ODDS_API_KEY", raising=False)
    result = run_cli("doctor")
    assert result.exit_code == 1
    assert re.search(r"FAIL odds api key +ODDS_API_KEY is not set: the odds source fails", result.output), result.output
    monkeypatch.setenv("ODDS_API_KEY", "a-key")
    monkeypatch.setenv("NBAPROPS_ODDS_BOOKMAKERS", "DraftKings, fanduel")
    result = run_cli("doctor")
    assert re.search(r"ok +odds api key +ODDS_API_KEY is set; lines from bookmakers draftkings,fanduel", result.output)
    assert "a-key" not in result.output


def test_odds_regions_and_bookmakers_are_settings():
    from nbacore.settings import load_source_settings
    from scrapers.odds_api import books

    assert books(load_source_settings({})) == {"regions": "us"}
    assert books(load_source_settings({"NBAPROPS_ODDS_REGIONS": "us,uk"})) == {"regions": "us,uk"}
    chosen = load_source_settings({"NBAPROPS_ODDS_REGIONS": "uk", "NBAPROPS_ODDS_BOOKMAKERS": "draftkings,fanduel"})
    assert books(chosen) == {"bookmakers": "draftkings,fanduel"}  # the API prefers bookmakers over regions
    with pytest.raises(ValueError, match=r"NBAPROPS_ODDS_REGIONS='us; uk'"):
        load_source_settings({"NBAPROPS_ODDS_REGIONS": "us; uk"})


def test_monitor_for_a_date_when_nothing_ran_is_critical(warehouse_path):
    """It used to exit 0 with "coverage 0/0 (n/a)" when no phase and no scrape ran for the date."""
    open_warehouse(load_settings()).close()
    result = run_cli("monitor", "--date", "2025-11-03")
    assert result.exit_code == 1
    assert re.search(r"critical +runs +nothing ran for 2025-11-03: no phase in ops.pipeline_runs", result.output)


def test_freshness_on_days_without_games_keeps_the_true_age_and_says_none_was_due(warehouse_path):
    """Box scores of 2025-11-02 landed 30 hours ago; 11-03 and 11-04 have no games. The dbt source freshness calls
    that fresh by returning the current time (an age of 0 s); monitor keeps the true age and says none was due."""
    con = open_warehouse(load_settings())
    _schedule_final_game(con, date(2025, 11, 2))
    landed = utc_now() - timedelta(hours=30)
    con.con.execute(
        "insert into raw.player_game_logs (game_id, game_date, player_id, team_abbreviation, pts, _loaded_at, _source) "
        "values ('0022500100', '2025-11-02', 1, 'BOS', 20, ?, 't')",
        [landed],
    )
    con.close()
    result = run_cli("monitor", "--date", "2025-11-04")
    line = next(line for line in result.output.splitlines() if "freshness: box scores" in line)
    assert line.startswith("ok"), line
    assert re.search(r"through 2025-11-02 \(landed 30\.\d h ago\); none due since: no competitive game", line), line


def test_a_record_without_picks_says_so_and_still_draws_the_graded_lines(graded_warehouse, tmp_path):
    """Every gate closed: no profit chart (a flat line would read as break-even betting), a sentence saying
    why, and the log loss and calibration charts of the graded lines, each with labelled axes."""
    from nbaprops.runs.report import product_rows, record_html, track_record

    con = open_warehouse(load_settings())
    try:
        rows = product_rows(con, REPORT_DAY)
    finally:
        con.close()
    rows["pick"] = "PASS"
    rec = track_record(rows)
    assert rec["bets"] == 0 and rec["units"] == {} and len(rec["days"]) == len(GRADED_DAYS)
    page = _Page(record_html(rec, "the evidence gate kept every market closed on every scored day"))
    assert "no graded picks in these 4 day(s): the evidence gate kept every market closed" in page.joined
    _check_axes(page, charts=2)  # log loss against the market, calibration
    assert "no graded picks: no edge buckets" in page.joined


def test_a_one_day_curve_is_a_visible_marker_between_dated_ticks():
    from nbaprops.runs import charts

    markup = charts.cumulative_units({charts.OVERALL: [(GRADED_DAYS[0], 1.25)]})
    page = _Page(f'<figure class="chart">{markup}</figure>')
    _check_axes(page, charts=1)
    x_ticks = [t for t in page.charts[0]["axes"][0]["ticks"] if t]
    assert len(x_ticks) >= 2  # dates either side of the one day
    series = re.search(r'<g id="series-all-markets">(.*?)</g>\s*</g>', markup, re.S)
    assert series and series.group(1).count("<use ") == 1  # the day's marker is drawn
