"""Scoring: the model's mean and probabilities for every line on a date, priced against the books, with
every line that could not be scored listed with its reason.

The same ``predict_lines`` serves ``nbaprops score`` and the backtest, so the backtest measures exactly
what scoring would have said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from predict.availability import Statuses, attach_statuses
from predict.baselines import add_baselines, played_history
from predict.config import PredictConfig
from predict.mart import MartData, feature_matrix, required_nulls
from predict.model import TrainedModel
from predict.offers import attach_players, snapshot_offers
from predict.pricing import gate_decision, price_rows
from predict.registry import check_compatible
from predict.staking import CapReport


class ScoringRefused(ValueError):
    """The model may not score this date (it has seen the outcomes, or does not match the mart)."""


@dataclass(frozen=True)
class ScoreOutcome:
    predictions: pd.DataFrame
    unscored: pd.DataFrame  # game_id, player_lookup, player_name, market, line, reason
    coverage: dict
    refused: pd.DataFrame  # mart rows with a line that were refused (their earlier predictions are superseded)
    caps: CapReport  # which stake caps bound
    gates: dict[str, str]  # market -> the gate decision and its figures


def predict_lines(
    model: TrainedModel, rows: pd.DataFrame, offers: pd.DataFrame, config: PredictConfig
) -> tuple[pd.DataFrame, CapReport]:
    """Model mean, market view, blend, best prices, pick and capped stake for ``rows`` (mart rows with a line,
    already carrying ``ma_pred``/``prior_games``); ``offers`` is the pricing snapshot with ``player_id``."""
    out = rows.copy()
    out["pred_mean"] = np.nan
    for market, idx in out.groupby("market").indices.items():
        out.iloc[idx, out.columns.get_loc("pred_mean")] = model.markets[str(market)].predict_mean(
            feature_matrix(out.iloc[idx], model.features)
        )
    priced, caps = price_rows(out, offers.dropna(subset=["player_id"]), model.markets, config.rules)
    priced["model_version"] = model.version
    return priced, caps


def split_scorable(rows: pd.DataFrame, model: TrainedModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows the model can score, refused rows with ``reason``): required NULLs are named, unknown markets too."""
    nulls = required_nulls(rows, model.features)
    no_market = ~rows["market"].isin(list(model.markets))
    refused = pd.concat(
        [
            rows[nulls != ""].assign(reason="required value NULL: " + nulls[nulls != ""]),
            rows[(nulls == "") & no_market].assign(reason="the model has no booster for this market"),
        ]
    )
    return rows[(nulls == "") & ~no_market], refused


def score_rows(
    model: TrainedModel,
    mart: MartData,
    day: date,
    offers: pd.DataFrame,
    config: PredictConfig,
    as_of: datetime | None = None,
    lookups: pd.DataFrame | None = None,
    earlier: pd.DataFrame | None = None,
    statuses: Statuses | None | bool = False,
) -> ScoreOutcome:
    """Score every line on ``day``. ``mart`` must hold ``day`` and, unless ``earlier`` is given, enough earlier
    rows for the baselines (this season and the last); ``earlier``: those earlier rows with only the columns
    the baselines read (``predict.mart.read_history``), so scoring need not load every feature of two seasons.
    ``offers`` are that day's pregame offers (int_prop_offers shape). ``statuses``: the injury report as of the
    scoring time (``predict.availability.read_statuses``; None = no report models, every status unknown; False =
    not asked, no status columns): Out and Doubtful lines pass with that reason."""
    if model.trained_before > day:
        raise ScoringRefused(
            f"model {model.version} was trained on games before {model.trained_before}, which includes {day}: "
            f"its predictions for {day} would have seen the results. Train with `nbaprops train --before {day}`"
        )
    frame = mart.frame
    today = frame[frame["game_date"] == pd.Timestamp(day)]
    check_compatible(model, mart.features, sorted(today["feature_version"].dropna().astype(str).unique()))
    history = played_history(frame[frame["game_date"] < pd.Timestamp(day)] if earlier is None else earlier)
    lined = add_baselines(today[today["line"].notna()], history)

    scorable, refused = split_scorable(lined, model)
    day_offers = attach_players(
        offers[offers["game_date"] == pd.Timestamp(day)], frame[frame["game_date"] == pd.Timestamp(day)]
    )
    pricing = snapshot_offers(day_offers, as_of=as_of)
    if statuses is not False:
        scorable = attach_statuses(scorable, statuses)
    if len(scorable):
        preds, caps = predict_lines(model, scorable, pricing, config)
    else:
        preds, caps = scorable.assign(pred_mean=[]), CapReport([], 0.0)
    unscored = explain_unscored(day_offers, lined, preds, refused, lookups)
    coverage = coverage_of(day_offers, lined, preds, unscored, history, lookups, config.min_prior_games)
    gates = {m: gate_decision(mm.combiner, config.rules.gate) for m, mm in model.markets.items()}
    return ScoreOutcome(preds, unscored, coverage, refused, caps, gates)


def explain_unscored(
    day_offers: pd.DataFrame,
    lined: pd.DataFrame,
    preds: pd.DataFrame,
    refused: pd.DataFrame,
    lookups: pd.DataFrame | None,
) -> pd.DataFrame:
    """Every (game, player, market) with a pregame line that has no prediction, with the reason."""
    cols = ["game_id", "player_lookup", "player_name", "market", "line", "reason"]
    scored = set(zip(preds["game_id"].astype(str), preds["player_lookup"].astype(str), preds["market"].astype(str)))
    out = [refused[cols]] if len(refused) else []
    seen = scored | set(
        zip(refused["game_id"].astype(str), refused["player_lookup"].astype(str), refused["market"].astype(str))
    )
    offered = day_offers.sort_values("snapshot_at").drop_duplicates(["game_id", "player_lookup", "market"], keep="last")
    mart_keys = set(zip(lined["game_id"].astype(str), lined["player_lookup"].astype(str), lined["market"].astype(str)))
    known = set(lookups["player_lookup"].astype(str)) if lookups is not None else set()
    extra = []
    for r in offered.itertuples(index=False):
        key = (str(r.game_id), str(r.player_lookup), str(r.market))
        if key in seen:
            continue
        if pd.isna(r.game_id):
            reason = "the offer matched no scheduled game (teams or date not in the schedule)"
        elif pd.isna(r.player_id):
            reason = f"no feature-mart row for this game and player_lookup '{r.player_lookup}'"
            if lookups is not None and r.player_lookup not in known:
                reason += (
                    "; the name matches no player in the box scores (add an alias to seeds/player_name_aliases.csv)"
                )
            elif lookups is not None:
                reason += "; the name is a known player, so he is not on either team's rows for this game (roster?)"
        elif key not in mart_keys:
            reason = "the feature mart has this player and game but no line for this market"
        else:
            reason = "not scored"
        extra.append((r.game_id, r.player_lookup, r.player_name, r.market, r.line, reason))
    if extra:
        out.append(pd.DataFrame(extra, columns=cols))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=cols)


def coverage_of(
    day_offers: pd.DataFrame,
    lined: pd.DataFrame,
    preds: pd.DataFrame,
    unscored: pd.DataFrame,
    history: pd.DataFrame,
    lookups: pd.DataFrame | None,
    min_prior: int,
) -> dict:
    """Share of (player, market) lines scored, overall and for players with ``min_prior`` earlier games."""
    universe = pd.concat(
        [
            lined[["game_id", "player_lookup", "market", "player_id"]],
            day_offers[["game_id", "player_lookup", "market", "player_id"]],
        ]
    ).drop_duplicates(["game_id", "player_lookup", "market"])
    if lookups is not None:
        unique_ids = lookups.groupby("player_lookup")["player_id"].agg(
            lambda s: s.iloc[0] if s.nunique() == 1 else None
        )
        guess = universe["player_lookup"].map(unique_ids)
        universe["player_id"] = universe["player_id"].astype("Float64").fillna(pd.to_numeric(guess, errors="coerce"))
    games = history.groupby("player_id")["hist_date"].nunique() if len(history) else pd.Series(dtype=float)
    universe["prior_games"] = pd.to_numeric(universe["player_id"], errors="coerce").map(games).fillna(0)
    scored = set(zip(preds["game_id"].astype(str), preds["player_lookup"].astype(str), preds["market"].astype(str)))
    universe["scored"] = [
        k in scored
        for k in zip(
            universe["game_id"].astype(str), universe["player_lookup"].astype(str), universe["market"].astype(str)
        )
    ]
    eligible = universe[universe["prior_games"] >= min_prior]
    return {
        "lines": int(len(universe)),
        "scored": int(universe["scored"].sum()),
        "eligible_lines": int(len(eligible)),
        "eligible_scored": int(eligible["scored"].sum()),
        "eligible_share": float(eligible["scored"].mean()) if len(eligible) else None,
        "min_prior_games": min_prior,
        "unscored": int(len(unscored)),
    }
