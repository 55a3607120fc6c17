"""Leakage alarms and the evidence gate on the simulator, through the walk-forward backtest.

- Efficient market (every line at the x.5 nearest the player's true median, priced at the true odds): the
  model knows nothing the books do not, so every market's gate stays closed and not one of >= 2,000 graded
  lines is picked; the side the raw model prefers must win within noise of 50 % (above 53 % means leakage).
- Noisy lines (books off the truth by 30 % sd): the model does know more, the gate opens, and the picks win
  above 55 % with a positive ROI, never staking more than the nightly cap.
- The alarm itself is checked: the same backtest with the result leaked into one feature must trip it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from support.sim_mart import sim_mart

from predict.backtest import BacktestResult, run_backtest
from predict.config import ModelParams, PredictConfig
from predict.mart import MartData
from simulator import SimConfig, simulate_season
from simulator.games import MARKETS, play_game
from simulator.market import TRUE_VARIANCE

SMALL = ModelParams(
    max_depth=3,
    eta=0.1,
    max_rounds=60,
    early_stopping=10,
    min_child_weight=5,
    nthread=2,
    objectives=("reg:squarederror", "count:poisson"),
    valid_share=0.15,
    calib_share=0.15,
    history_seasons=None,
)
DAYS, BACKTEST_FROM = 38, 28  # 28 days of history, then 9 backtest days with a retrain a week in


def backtest(mart: MartData, offers: pd.DataFrame, config: SimConfig, retrain: str = "weekly") -> BacktestResult:
    start = config.start_date + timedelta(days=BACKTEST_FROM)
    end = config.tonight - timedelta(days=1)
    return run_backtest(mart, offers, start, end, PredictConfig(params=SMALL), retrain=retrain)


def win_rate(result: pd.Series) -> tuple[float, int]:
    wins, losses = int((result == "win").sum()), int((result == "loss").sum())
    return wins / max(1, wins + losses), wins + losses


@pytest.fixture(scope="module")
def efficient():
    config = SimConfig(seed=21, days=DAYS, efficient_market=True)
    season = simulate_season(config)
    mart, offers = sim_mart(season)
    return season, mart, offers, backtest(mart, offers, config)


def test_efficient_market_closes_every_gate_and_picks_nothing(efficient):
    *_, result = efficient
    graded = result.results["lean_result"].isin(["win", "loss"]).sum()
    picks = result.results["pick"].isin(["OVER", "UNDER"]).sum()
    assert graded >= 2000, f"only {graded} graded lines; lengthen the simulated backtest"
    opened = {(r["trained_before"], m) for r in result.retrains for m, c in r["combiners"].items() if c["gate_open"]}
    assert not opened, f"the gate opened against an efficient market: {sorted(opened)}"
    assert picks == 0, f"{picks} picks against an efficient market"
    assert (result.results["stake"] == 0).all()
    reasons = set(result.results["pass_reason"])
    assert all("closed" in r for r in reasons if r and "two-way" not in r), reasons


def test_efficient_market_the_preferred_side_wins_about_half(efficient):
    *_, result = efficient
    rate, n = win_rate(result.results["lean_result"])
    assert n >= 2000, f"only {n} graded lines; lengthen the simulated backtest"
    assert rate <= 0.53, f"preferred side won {rate:.1%} of {n} lines against an efficient market: leakage?"
    assert rate >= 0.47, f"preferred side won only {rate:.1%} of {n} lines: the lean is systematically wrong"


def test_the_alarm_trips_when_the_result_leaks_into_a_feature(efficient):
    season, mart, offers, _ = efficient
    leaked = mart.frame.copy()
    leaked["f_days_rest"] = leaked["actual"]  # the answer smuggled in as a "pregame" feature
    result = backtest(MartData(leaked, mart.features), offers, season.config, retrain="none")
    rate, n = win_rate(result.results["lean_result"])
    assert n >= 2000 and rate > 0.53, f"a leaked result gave only {rate:.1%} on {n} lines: the alarm would not fire"


def test_noisy_lines_open_the_gate_and_the_picks_win_above_55_percent_with_positive_roi():
    config = SimConfig(seed=22, days=BACKTEST_FROM + 5, market_noise=0.3)  # 4 backtest days: plenty of bets
    mart, offers = sim_mart(simulate_season(config))
    result = backtest(mart, offers, config)
    opened = [m for r in result.retrains for m, c in r["combiners"].items() if c["gate_open"]]
    assert len(opened) >= 2, f"the gate opened only for {opened} against books 30 % off the truth"
    rate, n = win_rate(result.results["pick_result"])
    assert n >= 300, f"only {n} recommended bets graded"
    assert rate > 0.55, f"recommended bets won {rate:.1%} of {n} against noisy lines"
    picks = result.results[result.results["pick_result"].isin(["win", "loss", "push"])]
    assert picks["pick_profit"].sum() > 0, "the picks lost money at the offered prices"
    assert (picks["stake_profit"].sum()) > 0, "the recommended stakes lost money"
    per_night = result.results.groupby("game_date")["stake"].sum()
    assert per_night.max() <= PredictConfig().rules.nightly_cap + 1e-9, per_night.max()


def test_the_efficient_books_know_the_sims_true_spread(efficient):
    """TRUE_VARIANCE (variance = mean * (a + b * mean)) must still describe replayed games within 15 %."""
    season, *_ = efficient
    observed, expected = {m: 0.0 for m in MARKETS}, {m: 0.0 for m in MARKETS}
    for g in [g for g in season.games if g.game_id in season.boxes][:80]:
        sides = season.sides[g.game_id]
        for rep in range(2):
            box = play_game(g, sides, replace(season.config, seed=90_000 + rep))
            for side, lines in zip(sides, box.lines):
                means, minutes = side.means(), dict(zip([p.player_id for p in side.players], side.minutes))
                for p, s in lines:
                    if minutes[p.player_id] < 15:
                        continue
                    values = [s["PTS"], s["REB"], s["AST"], s["FG3M"], s["PTS"] + s["REB"] + s["AST"]]
                    for market, y in zip(MARKETS, values):
                        mu = means[p.player_id][market]
                        a, b = TRUE_VARIANCE[market]
                        observed[market] += (y - mu) ** 2
                        expected[market] += mu * (a + b * mu)
    ratios = {m: observed[m] / expected[m] for m in MARKETS}
    assert all(0.85 < r < 1.15 for r in ratios.values()), ratios
    assert np.isfinite(list(ratios.values())).all()
