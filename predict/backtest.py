"""Walk-forward backtest: retrain on games before each retrain date, score the lines until the next one
exactly as ``nbaprops score`` would, grade them, and summarise per market against both baselines.

Nothing dated on or after a retrain date reaches that model: training rows are cut at the date, the
baselines look strictly backwards, and the features come from the mart, which is built leak-proof.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from nbacore.markets import MARKETS
from predict.baselines import add_baselines, played_history
from predict.combiner import Combiner
from predict.config import PredictConfig
from predict.evaluation import day_bootstrap_mean, day_bootstrap_ratio, wilson
from predict.grade import bet_summary, grade_predictions, grade_sides, profit
from predict.mart import MartData
from predict.offers import attach_players, snapshot_offers
from predict.score import predict_lines, split_scorable
from predict.tables import plain
from predict.train import TrainingRows, train_model

RETRAIN_DAYS = {"weekly": 7, "daily": 1, "none": None}
FULL_RETRAIN_DAYS = 7  # daily retrains refit the boosters; the full training (out-of-fold parts too) stays weekly
# The per-line file of ``backtest --out``: every column ``summarise`` reads, plus what an analyst needs.
ROW_COLUMNS = [
    "game_date",
    "game_id",
    "player_id",
    "player_name",
    "team",
    "opponent",
    "market",
    "model_version",
    "line",
    "market_line",
    "books",
    "priced_at",
    "fair_over",
    "fair_under",
    "market_mean",
    "model_mean",
    "model_p_over",
    "blend_p_over",
    "pred_mean",
    "pred_median",
    "p_over",
    "p_under",
    "p_push",
    "gate_open",
    "gate_reason",
    "lean",
    "best_over_book",
    "best_over_line",
    "best_over_odds",
    "best_over_edge",
    "best_over_ev",
    "best_under_book",
    "best_under_line",
    "best_under_odds",
    "best_under_edge",
    "best_under_ev",
    "pick",
    "pick_book",
    "pick_line",
    "pick_odds",
    "pick_prob",
    "pick_edge",
    "pick_ev",
    "kelly_stake",
    "stake",
    "stake_amount",
    "pass_reason",
    "ma_pred",
    "actual",
    "did_play",
    "over_outcome",
    "lean_result",
    "pick_result",
    "pick_profit",
    "stake_profit",
    "model_abs_error",
    "median_abs_error",
    "raw_model_abs_error",
    "line_abs_error",
    "ma_abs_error",
    "brier_model",
    "brier_raw_model",
    "brier_market",
    "logloss_model",
    "logloss_raw_model",
    "logloss_market",
    "ma_result",
    "ma_profit",
    "clv",
    "clv_line",
]


@dataclass
class BacktestResult:
    results: pd.DataFrame  # one graded row per line
    summary: dict  # per market and "all"
    retrains: list[dict] = field(default_factory=list)  # per retrain: window, combiners and gate decisions
    cap_notes: list[str] = field(default_factory=list)  # every stake cap that bound


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
    mart: MartData,
    offers: pd.DataFrame,
    start: date,
    end: date,
    config: PredictConfig,
    retrain: str = "weekly",
    price_at: str = "latest",
    progress: Callable[[int, int, str], None] | None = None,
) -> BacktestResult:
    """Backtest ``start``..``end`` (inclusive). ``offers``: int_prop_offers-shaped rows covering the training
    window and the backtest (earlier lines fit each model's combiner and gate); ``price_at``: price each line at
    its ``latest`` pregame snapshot or its ``opening`` one (then CLV exists). ``progress(done, total, message)``
    after each retrain segment."""
    frame = mart.frame
    window = frame[(frame["game_date"] >= pd.Timestamp(start)) & (frame["game_date"] <= pd.Timestamp(end))]
    lined = window[window["line"].notna() & window["player_id"].notna()]
    # The baselines' rolling history of only the players and markets with lines (each is its own series).
    past = frame[
        (frame["game_date"] <= pd.Timestamp(end))
        & frame["player_id"].isin(lined["player_id"].unique())
        & frame["market"].isin(lined["market"].unique())
    ]
    lined = add_baselines(lined, played_history(past))
    offers = attach_players(offers, frame)
    dates = retrain_dates(start, end, retrain)
    graded, retrains, notes = [], [], []
    played = TrainingRows.of(frame, mart.features)  # once: each retrain's window is a slice of it
    model = None  # the previous retrain's model: its season's objective search is reused
    full, full_cut = None, None  # the latest full training and its date: daily retrains refit its boosters
    for i, cut in enumerate(dates):
        stop = dates[i + 1] if i + 1 < len(dates) else end + timedelta(days=1)
        seg = lined[(lined["game_date"] >= pd.Timestamp(cut)) & (lined["game_date"] < pd.Timestamp(stop))]
        if seg.empty:
            if progress:
                progress(i + 1, len(dates), f"no lines {cut} .. {stop - timedelta(days=1)}")
            continue
        # Only the markets this segment has lines for: a season with PRA and threes lines trains two boosters, not five.
        markets = tuple(m for m in MARKETS if m in set(seg["market"]))
        refit = full is not None and (cut - full_cut).days < FULL_RETRAIN_DAYS and set(markets) <= set(full.markets)
        model = train_model(
            played,
            mart.features,
            cut,
            config.params,
            markets=markets,
            offers=offers,
            previous=model,
            refit_from=full if refit else None,
        )
        if model.refit_from is None:
            full, full_cut = model, cut
        seg, refused = split_scorable(seg, model)
        seg_offers = offers[(offers["game_date"] >= pd.Timestamp(cut)) & (offers["game_date"] < pd.Timestamp(stop))]
        pricing = snapshot_offers(seg_offers, which=price_at)
        closing = snapshot_offers(seg_offers, which="latest")
        preds, caps = predict_lines(model, seg, pricing, config)
        notes += caps.notes
        graded.append(grade_predictions(preds, seg, closing, config.rules.devig))
        retrains.append(
            {
                "trained_before": str(cut),
                "scored_until": str(stop - timedelta(days=1)),
                "window": [str(model.window_start), str(model.window_end)],
                "lines": int(len(seg)),
                "model_version": model.version,
                "refused": refused["reason"].value_counts().to_dict(),
                "objectives": {m: mm.objective for m, mm in model.markets.items()},
                "objectives_chosen_by": model.objectives_chosen_by,
                "refit_from": model.refit_from,
                "devig": {m: mm.devig for m, mm in model.markets.items()},
                "calibration": {m: mm.calibration.method for m, mm in model.markets.items()},
                "combiners": {m: mm.combiner.to_dict() for m, mm in model.markets.items()},
            }
        )
        if progress:
            opened = [m for m, mm in model.markets.items() if mm.combiner.picks_allowed(config.rules.gate)]
            progress(
                i + 1,
                len(dates),
                f"trained before {cut} ({model.window_start}..{model.window_end}); scored {len(seg)} lines; "
                f"picks allowed in: {', '.join(opened) or 'no market'}",
            )
    results = pd.concat(graded, ignore_index=True) if graded else pd.DataFrame()
    return BacktestResult(results, summarise(results, config.edge_thresholds), retrains, notes)


def threshold_bets(r: pd.DataFrame, threshold: float) -> tuple[pd.Series, pd.Series]:
    """(result, profit) of the side with the larger best-offer edge when that edge >= ``threshold``."""
    over_edge, under_edge = r["best_over_edge"].astype(float), r["best_under_edge"].astype(float)
    side = np.where(over_edge.fillna(-9) >= under_edge.fillna(-9), "OVER", "UNDER")
    edge = np.where(side == "OVER", over_edge, under_edge)
    line = np.where(side == "OVER", r["best_over_line"], r["best_under_line"]).astype(float)
    odds = np.where(side == "OVER", r["best_over_odds"], r["best_under_odds"]).astype(float)
    take = pd.Series(edge >= threshold, index=r.index)
    result = grade_sides(
        r["actual"], pd.Series(line, index=r.index), pd.Series(np.where(take, side, None), index=r.index), r["did_play"]
    )
    return result, profit(result, pd.Series(odds, index=r.index))


def summarise(results: pd.DataFrame, thresholds: tuple[float, ...] = ()) -> dict:
    """Per market and overall, on the same lines for every system: Brier and log loss of blend, raw model and
    market with the paired differences (bootstrap by game day); MAE of the blended median and mean, the raw
    model, the line and the moving average; the lean; picks with a Wilson hit-rate interval, ROI per unit and
    per staked amount with day-bootstrap intervals, bets and stake per night; CLV; hit rates by edge threshold.
    Everything is recomputable from the per-line rows (``--out``)."""
    out: dict = {}
    if results.empty:
        return out
    days = pd.to_datetime(results["game_date"]).dt.date.astype(str)
    for market in [*[m for m in MARKETS if m in set(results["market"])], "all"]:
        r = results if market == "all" else results[results["market"] == market]
        d = days[r.index]
        both = r["model_abs_error"].notna() & r["line_abs_error"].notna() & r["ma_abs_error"].notna()
        same = r["brier_model"].notna() & r["brier_market"].notna() & r["brier_raw_model"].notna()
        lean = bet_summary(r["lean_result"], pd.Series(0.0, index=r.index))
        entry = {
            "n": int(r["model_abs_error"].notna().sum()),
            "days": int(d.nunique()),
            "n_mae": int(both.sum()),
            "mae_median": _mean(r.loc[both, "median_abs_error"]),
            "mae_model": _mean(r.loc[both, "model_abs_error"]),
            "mae_raw_model": _mean(r.loc[both, "raw_model_abs_error"]),
            "mae_line": _mean(r.loc[both, "line_abs_error"]),
            "mae_moving_average": _mean(r.loc[both, "ma_abs_error"]),
            "lean": {"n": lean["wins"] + lean["losses"], "hit_rate": lean["hit_rate"], "pushes": lean["pushes"]},
            "brier_n": int(same.sum()),
            "thresholds": {},
            "picks": pick_summary(r, d),
            "moving_average_bets": bet_summary(r["ma_result"], r["ma_profit"]),
            "clv": {"n": int(r["clv"].notna().sum()), "mean": _mean(r["clv"]), "line_mean": _mean(r["clv_line"])},
        }
        for metric in ("brier", "logloss"):
            for system in ("model", "raw_model", "market"):
                entry[f"{metric}_{system}"] = _mean(r.loc[same, f"{metric}_{system}"])
            for system in ("model", "raw_model"):
                diff = r.loc[same, f"{metric}_{system}"] - r.loc[same, f"{metric}_market"]
                entry[f"{metric}_{system}_minus_market"] = day_bootstrap_mean(
                    diff.to_numpy(), d[same].to_numpy()
                ).to_dict()
        for t in thresholds:
            res, prof = threshold_bets(r, t)
            s = bet_summary(res, prof)
            entry["thresholds"][f"{t:.2f}"] = {
                "n": s["wins"] + s["losses"],
                "hit_rate": s["hit_rate"],
                "roi": s["roi"],
                "bets": s["bets"],
            }
        out[market] = entry
    return out


def pick_summary(r: pd.DataFrame, days: pd.Series) -> dict:
    """Picks graded: hit rate (Wilson), ROI per unit and per staked share (day bootstrap), per-night volume."""
    s = bet_summary(r["pick_result"], r["pick_profit"])
    graded = r["pick_result"].isin(["win", "loss", "push"])
    unit = day_bootstrap_ratio(
        r.loc[graded, "pick_profit"].to_numpy(), np.ones(int(graded.sum())), days[graded].to_numpy()
    )
    staked = day_bootstrap_ratio(
        r.loc[graded, "stake_profit"].to_numpy(), r.loc[graded, "stake"].to_numpy(), days[graded].to_numpy()
    )
    picked = r["pick"].isin(["OVER", "UNDER"])
    per_night = picked.groupby(days).sum()
    stake_night = r["stake"].fillna(0).groupby(days).sum()
    return {
        **s,
        "hit": wilson(s["wins"], s["wins"] + s["losses"]).to_dict(),
        "roi_unit": unit.to_dict(),
        "roi_staked": staked.to_dict(),
        "picks": int(picked.sum()),
        "nights": int(len(per_night)),
        "picks_per_night": float(per_night.mean()) if len(per_night) else 0.0,
        "max_picks_night": int(per_night.max()) if len(per_night) else 0,
        "max_stake_night": float(stake_night.max()) if len(stake_night) else 0.0,
        "profit_staked": float(r["stake_profit"].fillna(0).sum()),
    }


SUMMARY_COLUMNS = (
    "market",
    "n",
    "days",
    "brier_n",
    "brier_model",
    "brier_raw_model",
    "brier_market",
    "brier_model_minus_market",
    "brier_low",
    "brier_high",
    "logloss_model",
    "logloss_raw_model",
    "logloss_market",
    "logloss_model_minus_market",
    "logloss_low",
    "logloss_high",
    "mae_model",
    "mae_line",
    "picks",
    "hit_rate",
    "hit_low",
    "hit_high",
    "roi_unit",
    "roi_unit_low",
    "roi_unit_high",
    "roi_staked",
    "profit_staked",
    "clv_n",
    "clv",
)


def summary_rows(summary: dict) -> pd.DataFrame:
    """``summarise``'s per-market entries as one flat row each (``SUMMARY_COLUMNS``): the CSV of a backtest."""
    rows = []
    for market, e in summary.items():
        k = e["picks"]
        row = {"market": market, "n": e["n"], "days": e["days"], "brier_n": e["brier_n"]}
        for metric in ("brier", "logloss"):
            diff = e[f"{metric}_model_minus_market"]
            row |= {f"{metric}_{s}": e[f"{metric}_{s}"] for s in ("model", "raw_model", "market")}
            row |= {f"{metric}_model_minus_market": diff["estimate"], f"{metric}_low": diff["low"]}
            row[f"{metric}_high"] = diff["high"]
        row |= {"mae_model": e["mae_model"], "mae_line": e["mae_line"], "picks": k["picks"]}
        row |= {"hit_rate": k["hit"]["estimate"], "hit_low": k["hit"]["low"], "hit_high": k["hit"]["high"]}
        row |= {"roi_unit": k["roi_unit"]["estimate"], "roi_unit_low": k["roi_unit"]["low"]}
        row |= {"roi_unit_high": k["roi_unit"]["high"], "roi_staked": k["roi_staked"]["estimate"]}
        row |= {"profit_staked": k["profit_staked"], "clv_n": e["clv"]["n"], "clv": e["clv"]["mean"]}
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def format_table(summary: dict, retrains: list[dict] | None = None) -> str:
    """The human tables: probabilities against the market, errors, picks, and each retrain's combiners and gates."""
    head = (
        f"{'market':<9}{'N':>6}{'Brier blend':>12}{'model':>8}{'market':>8}{'blend-mkt [95% CI]':>27}"
        f"{'LogL blend':>11}{'model':>8}{'market':>8}{'blend-mkt [95% CI]':>27}"
    )
    lines = [head, "-" * len(head)]
    for market, e in summary.items():
        lines.append(
            f"{market:<9}{e['brier_n']:>6}{_f(e['brier_model'], 4):>12}{_f(e['brier_raw_model'], 4):>8}"
            f"{_f(e['brier_market'], 4):>8}{_ci(e['brier_model_minus_market'], 4):>27}"
            f"{_f(e['logloss_model'], 4):>11}{_f(e['logloss_raw_model'], 4):>8}{_f(e['logloss_market'], 4):>8}"
            f"{_ci(e['logloss_model_minus_market'], 4):>27}"
        )
    lines += ["", f"{'market':<9}{'N':>6}{'MAE median':>11}{'mean':>8}{'model':>8}{'line':>8}{'MA':>8}{'lean hit':>10}"]
    for market, e in summary.items():
        lines.append(
            f"{market:<9}{e['n_mae']:>6}{_f(e['mae_median'], 3):>11}{_f(e['mae_model'], 3):>8}"
            f"{_f(e['mae_raw_model'], 3):>8}{_f(e['mae_line'], 3):>8}{_f(e['mae_moving_average'], 3):>8}"
            f"{_pct(e['lean']['hit_rate']):>10}"
        )
    lines += [
        "",
        f"{'market':<9}{'picks':>6}{'per night':>10}{'hit [95% CI]':>24}{'ROI/unit [95% CI]':>27}"
        f"{'ROI staked':>11}{'max stake/night':>16}{'CLV':>8}",
    ]
    for market, e in summary.items():
        k = e["picks"]
        lines.append(
            f"{market:<9}{k['picks']:>6}{k['picks_per_night']:>10.1f}{_ci(k['hit'], pct=True):>24}"
            f"{_ci(k['roi_unit'], pct=True):>27}{_pct(k['roi_staked']['estimate'], signed=True):>11}"
            f"{_pct(k['max_stake_night']):>16}{_f(e['clv']['mean'], 3):>8}"
        )
    for r in retrains or []:
        lines += [
            "",
            f"combiner fitted before {r['trained_before']} (scores {r['trained_before']} .. {r['scored_until']}): "
            "logit p = a + b*logit p_market + c*(logit p_model - logit p_market), 95% CI by game day",
        ]
        lines.append(f"  {'market':<9}{'devig':<16}{'calib':<10}{'lines':>7}{'a':>22}{'b':>22}{'c':>22}  gate")
        for m, c in r["combiners"].items():
            coef = Combiner.from_dict(c).coefficients()
            lines.append(
                f"  {m:<9}{r['devig'][m]:<16}{r['calibration'][m]:<10}{c['n']:>7,}{coef[0]:>22}{coef[1]:>22}"
                f"{coef[2]:>22}  {'OPEN' if c['gate_open'] else 'closed'}: {c['reason']}"
            )
    return "\n".join(lines)


def write_rows(results: pd.DataFrame, path: Path) -> Path:
    """Every scored line (keys, model version, market view, blend, pick, stake, actual, result) as Parquet or
    CSV by the file's extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = [c for c in ROW_COLUMNS if c in results]
    if path.suffix.lower() == ".parquet":
        results[cols].to_parquet(path, index=False)
    elif path.suffix.lower() == ".csv":
        results[cols].to_csv(path, index=False)
    else:
        raise ValueError(f"--out {path}: unknown extension {path.suffix!r}; use .parquet or .csv")
    return path


def read_rows(path: Path) -> pd.DataFrame:
    """A ``write_rows`` file back as the frame ``summarise`` reads."""
    frame = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path, low_memory=False)
    frame["game_date"] = pd.to_datetime(frame["game_date"])
    return frame


def to_json(result: BacktestResult, meta: dict) -> str:
    """Strict JSON (NaN becomes null) for machines."""
    return json.dumps(
        plain({**meta, "retrains": result.retrains, "cap_notes": result.cap_notes, "summary": result.summary}), indent=2
    )


def _mean(s: pd.Series) -> float | None:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.mean()) if len(s) else None


def _f(v: float | None, digits: int) -> str:
    return "-" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.{digits}f}"


def _ci(i: dict, digits: int = 4, pct: bool = False) -> str:
    """estimate [low, high] of an ``Interval.to_dict()``."""
    if i is None or i.get("n", 0) == 0 or i["estimate"] is None or np.isnan(i["estimate"]):
        return "-"
    if pct:
        return f"{100 * i['estimate']:+.1f}% [{100 * i['low']:+.1f}, {100 * i['high']:+.1f}]"
    return f"{i['estimate']:+.{digits}f} [{i['low']:+.{digits}f}, {i['high']:+.{digits}f}]"


def _pct(v: float | None, signed: bool = False) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "-"
    return f"{100 * v:+.1f}%" if signed else f"{100 * v:.1f}%"
