"""Walk-forward backtest: retrain on games before each retrain date, score the lines until the next one
exactly as ``nbaprops score`` would, grade them, and summarise per market against both baselines.

Nothing dated on or after a retrain date reaches that model: training rows are cut at the date, the
baselines look strictly backwards, and the features come from the mart, which is built leak-proof.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import numpy as np
import pandas as pd

from predict.baselines import add_baselines, played_history
from predict.config import MARKETS, PredictConfig
from predict.grade import bet_summary, grade_predictions, grade_sides, profit
from predict.mart import MartData
from predict.offers import attach_players, snapshot_offers
from predict.score import predict_lines, split_scorable
from predict.tables import plain
from predict.train import train_model

RETRAIN_DAYS = {"weekly": 7, "daily": 1, "none": None}


@dataclass
class BacktestResult:
    results: pd.DataFrame  # one graded row per line
    summary: dict  # per market and "all"
    retrains: list[dict] = field(default_factory=list)


def retrain_dates(start: date, end: date, retrain: str) -> list[date]:
    if retrain not in RETRAIN_DAYS:
        raise ValueError(f"--retrain {retrain!r} is unknown; use one of {', '.join(RETRAIN_DAYS)}")
    step = RETRAIN_DAYS[retrain]
    if step is None:
        return [start]
    out, d = [], start
    while d <= end:
        out.append(d)
        d += timedelta(days=step)
    return out


def run_backtest(
    mart: MartData, offers: pd.DataFrame, start: date, end: date, config: PredictConfig,
    retrain: str = "weekly", price_at: str = "latest", progress: Callable[[str], None] | None = None,
) -> BacktestResult:  # fmt: skip
    """Backtest ``start``..``end`` (inclusive). ``offers``: int_prop_offers-shaped rows covering the window;
    ``price_at``: price each line at its ``latest`` pregame snapshot or its ``opening`` one (then CLV exists)."""
    frame = mart.frame
    history = played_history(frame[frame["game_date"] < pd.Timestamp(end + timedelta(days=1))])
    window = frame[(frame["game_date"] >= pd.Timestamp(start)) & (frame["game_date"] <= pd.Timestamp(end))]
    lined = add_baselines(window[window["line"].notna() & window["player_id"].notna()], history)
    offers = attach_players(offers, window)
    dates = retrain_dates(start, end, retrain)
    graded, retrains = [], []
    for i, cut in enumerate(dates):
        stop = dates[i + 1] if i + 1 < len(dates) else end + timedelta(days=1)
        seg = lined[(lined["game_date"] >= pd.Timestamp(cut)) & (lined["game_date"] < pd.Timestamp(stop))]
        if seg.empty:
            continue
        model = train_model(frame, mart.features, cut, config.params)
        seg, refused = split_scorable(seg, model)
        seg_offers = offers[(offers["game_date"] >= pd.Timestamp(cut)) & (offers["game_date"] < pd.Timestamp(stop))]
        pricing = snapshot_offers(seg_offers, which=price_at)
        closing = snapshot_offers(seg_offers, which="latest")
        preds = predict_lines(model, seg, pricing, config)
        graded.append(grade_predictions(preds, seg, closing, config.rules.devig))
        retrains.append({"trained_before": str(cut), "scored_until": str(stop - timedelta(days=1)),
                         "window": [str(model.window_start), str(model.window_end)], "lines": int(len(seg)),
                         "refused": refused["reason"].value_counts().to_dict(),
                         "objectives": {m: mm.objective for m, mm in model.markets.items()}})  # fmt: skip
        if progress:
            progress(f"trained before {cut} ({model.window_start}..{model.window_end}); scored {len(seg)} lines")
    results = pd.concat(graded, ignore_index=True) if graded else pd.DataFrame()
    return BacktestResult(results, summarise(results, config.edge_thresholds), retrains)


def threshold_bets(r: pd.DataFrame, threshold: float) -> tuple[pd.Series, pd.Series]:
    """(result, profit) of the side with the larger best-offer edge when that edge >= ``threshold``."""
    over_edge, under_edge = r["best_over_edge"].astype(float), r["best_under_edge"].astype(float)
    side = np.where(over_edge.fillna(-9) >= under_edge.fillna(-9), "OVER", "UNDER")
    edge = np.where(side == "OVER", over_edge, under_edge)
    line = np.where(side == "OVER", r["best_over_line"], r["best_under_line"]).astype(float)
    odds = np.where(side == "OVER", r["best_over_odds"], r["best_under_odds"]).astype(float)
    take = pd.Series(edge >= threshold, index=r.index)
    result = grade_sides(r["actual"], pd.Series(line, index=r.index), pd.Series(np.where(take, side, None), index=r.index),
                         r["did_play"])  # fmt: skip
    return result, profit(result, pd.Series(odds, index=r.index))


def summarise(results: pd.DataFrame, thresholds: tuple[float, ...]) -> dict:
    """Per market and overall: N, MAE of model / line / moving average, hit rates by edge threshold, Brier."""
    out: dict = {}
    if results.empty:
        return out
    for market in [*[m for m in MARKETS if m in set(results["market"])], "all"]:
        r = results if market == "all" else results[results["market"] == market]
        both = r["model_abs_error"].notna() & r["line_abs_error"].notna() & r["ma_abs_error"].notna()
        lean = bet_summary(r["lean_result"], pd.Series(0.0, index=r.index))
        entry = {
            "n": int(r["model_abs_error"].notna().sum()),
            "n_mae": int(both.sum()),
            "mae_model": _mean(r.loc[both, "model_abs_error"]),
            "mae_line": _mean(r.loc[both, "line_abs_error"]),
            "mae_moving_average": _mean(r.loc[both, "ma_abs_error"]),
            "lean": {"n": lean["wins"] + lean["losses"], "hit_rate": lean["hit_rate"], "pushes": lean["pushes"]},
            "brier_n": int((r["brier_model"].notna() & r["brier_market"].notna()).sum()),
            "brier_model": _mean(r.loc[r["brier_market"].notna(), "brier_model"]),
            "brier_market": _mean(r["brier_market"]),
            "thresholds": {},
            "picks": bet_summary(r["pick_result"], r["pick_profit"]),
            "moving_average_bets": bet_summary(r["ma_result"], r["ma_profit"]),
            "clv": {"n": int(r["clv"].notna().sum()), "mean": _mean(r["clv"]), "line_mean": _mean(r["clv_line"])},
        }
        for t in thresholds:
            res, prof = threshold_bets(r, t)
            s = bet_summary(res, prof)
            entry["thresholds"][f"{t:.2f}"] = {"n": s["wins"] + s["losses"], "hit_rate": s["hit_rate"],
                                               "roi": s["roi"], "bets": s["bets"]}  # fmt: skip
        out[market] = entry
    return out


def format_table(summary: dict, thresholds: tuple[float, ...]) -> str:
    """The human table: one line per market, then hit rate / N / ROI per edge threshold."""
    head = f"{'market':<9}{'N':>6}{'MAE model':>11}{'MAE line':>10}{'MAE MA':>8}{'lean hit':>10}{'Brier model':>13}{'Brier mkt':>11}"
    lines = [head, "-" * len(head)]
    for market, e in summary.items():
        lines.append(
            f"{market:<9}{e['n']:>6}{_f(e['mae_model'], 3):>11}{_f(e['mae_line'], 3):>10}{_f(e['mae_moving_average'], 3):>8}"
            f"{_pct(e['lean']['hit_rate']):>10}{_f(e['brier_model'], 4):>13}{_f(e['brier_market'], 4):>11}"
        )
    lines.append("")
    cols = "".join(f"{'edge>=' + format(t, '.2f'):>22}" for t in thresholds)
    lines.append(f"{'market':<9}{cols}")
    lines.append(f"{'':<9}" + "".join(f"{'hit% / N / ROI':>22}" for _ in thresholds))
    for market, e in summary.items():
        cells = []
        for t in thresholds:
            c = e["thresholds"][f"{t:.2f}"]
            cells.append(f"{_pct(c['hit_rate']) + ' / ' + str(c['n']) + ' / ' + _pct(c['roi'], signed=True):>22}")
        lines.append(f"{market:<9}" + "".join(cells))
    return "\n".join(lines)


def to_json(result: BacktestResult, meta: dict) -> str:
    """Strict JSON (NaN becomes null) for machines."""
    return json.dumps(plain({**meta, "retrains": result.retrains, "summary": result.summary}), indent=2)


def _mean(s: pd.Series) -> float | None:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.mean()) if len(s) else None


def _f(v: float | None, digits: int) -> str:
    return "-" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.{digits}f}"


def _pct(v: float | None, signed: bool = False) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "-"
    return f"{100 * v:+.1f}%" if signed else f"{100 * v:.1f}%"
