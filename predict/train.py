"""Training: per market, an XGBoost mean model whose objective is chosen on a later validation window,
then the dispersion (validation window), the calibration (the latest window), the de-vig method and the
combiner that anchors the model on the market, with its evidence gate.

Only rows of games before the cutoff with a played result are used, split by date (never shuffled), so
every step is fitted on data earlier than the step that judges it. The combiner and the gate are fitted on
the lines of the validation and calibration windows, priced with the booster fitted before them (out of
fold); the booster refitted on the whole window for scoring never judges itself.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import scipy
import xgboost as xgb

from nbacore.markets import MARKETS
from predict.calibration import Calibration, calibration_events, fit_calibration
from predict.combiner import Combiner, fit_combiner
from predict.config import ModelParams
from predict.distribution import Dispersion, fit_dispersion, log_likelihood
from predict.market_view import DevigChoice, choose_devig
from predict.mart import feature_matrix
from predict.model import MarketModel, TrainedModel
from predict.offers import attach_players, snapshot_offers
from predict.pricing import KEYS, market_view, model_view, two_way_offers

MIN_TRAIN_ROWS = 200


class TrainingError(ValueError):
    """Not enough (or unusable) training rows."""


def trainable_rows(frame: pd.DataFrame, before: date) -> pd.DataFrame:
    """Rows with a played result for games strictly before ``before``, oldest first."""
    cutoff = pd.Timestamp(before)
    rows = frame[(frame["game_date"] < cutoff) & frame["actual"].notna() & frame["did_play"].fillna(False).astype(bool)]
    return rows.sort_values(["game_date", "game_id", "player_id"], kind="stable")


def time_split(dates: pd.Series, valid_share: float, calib_share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks (fit, valid, calib) cutting sorted ``dates`` on whole days by share of rows."""
    per_day = dates.value_counts().sort_index()
    share_after = 1.0 - per_day.cumsum() / per_day.sum()  # share of rows later than each day
    calib_from = per_day.index[share_after < calib_share][0] if calib_share > 0 else None
    valid_from = per_day.index[share_after < calib_share + valid_share][0]
    if calib_from is None or calib_from <= valid_from:
        calib_from = per_day.index[min(len(per_day) - 1, per_day.index.get_loc(valid_from) + 1)]
    fit = (dates < valid_from).to_numpy()
    valid = ((dates >= valid_from) & (dates < calib_from)).to_numpy()
    calib = (dates >= calib_from).to_numpy()
    return fit, valid, calib


def _booster_params(objective: str, p: ModelParams) -> dict:
    params = {
        "objective": objective,
        "tree_method": "hist",
        "max_depth": p.max_depth,
        "eta": p.eta,
        "min_child_weight": p.min_child_weight,
        "subsample": p.subsample,
        "colsample_bytree": p.colsample,
        "nthread": p.nthread,
        "seed": p.seed,
        "verbosity": 0,
    }
    if objective == "reg:tweedie":
        params["tweedie_variance_power"] = p.tweedie_power
    return params


def train_market(
    rows: pd.DataFrame, market: str, features: list[str], p: ModelParams, offers: pd.DataFrame | None = None
) -> MarketModel:
    """Fit one market: pick the objective by validation log-likelihood of the full predictive distribution."""
    if len(rows) < MIN_TRAIN_ROWS:
        raise TrainingError(
            f"market {market}: only {len(rows)} trainable rows (need {MIN_TRAIN_ROWS}); "
            "load more history or move the training cutoff later"
        )
    x, y = feature_matrix(rows, features), rows["actual"].to_numpy(dtype="float64")
    fit, valid, calib = time_split(rows["game_date"], p.valid_share, p.calib_share)
    if fit.sum() < MIN_TRAIN_ROWS // 2 or valid.sum() == 0 or calib.sum() == 0:
        raise TrainingError(
            f"market {market}: the time split left {fit.sum()}/{valid.sum()}/{calib.sum()} "
            "fit/valid/calibration rows; train on a longer window"
        )
    dfit = xgb.DMatrix(x[fit], label=y[fit], missing=np.nan)
    dvalid = xgb.DMatrix(x[valid], label=y[valid], missing=np.nan)
    candidates = {}
    for objective in p.objectives:
        booster = xgb.train(
            _booster_params(objective, p),
            dfit,
            num_boost_round=p.max_rounds,
            evals=[(dvalid, "valid")],
            early_stopping_rounds=p.early_stopping,
            verbose_eval=False,
        )
        rounds = booster.best_iteration + 1
        mu = booster.predict(dvalid, iteration_range=(0, rounds))
        disp = fit_dispersion(y[valid], mu)
        candidates[objective] = {
            "booster": booster,
            "rounds": rounds,
            "dispersion": disp,
            "nll": -float(log_likelihood(y[valid], mu, disp).mean()),
            "rmse": float(np.sqrt(np.mean((mu - y[valid]) ** 2))),
            "mae": float(np.mean(np.abs(mu - y[valid]))),
        }
    chosen = min(candidates, key=lambda o: candidates[o]["nll"])
    best = candidates[chosen]
    booster, rounds, disp = best["booster"], best["rounds"], best["dispersion"]

    mu_cal = booster.predict(xgb.DMatrix(x[calib], missing=np.nan), iteration_range=(0, rounds))
    events = calibration_events(mu_cal, y[calib], rows["line"].to_numpy(dtype="float64")[calib], disp)
    calibration = fit_calibration(events.sort_values("row", kind="stable"))  # rows are in time order
    mu_oof = np.full(len(rows), np.nan)
    mu_oof[valid] = booster.predict(dvalid, iteration_range=(0, rounds))
    mu_oof[calib] = mu_cal
    devig, combiner = market_anchor(market, rows.assign(model_mean=mu_oof), disp, calibration, offers)
    metrics = {
        "rows": {"fit": int(fit.sum()), "valid": int(valid.sum()), "calibration": int(calib.sum())},
        "windows": {
            name: [str(rows["game_date"][m].min().date()), str(rows["game_date"][m].max().date())]
            for name, m in (("fit", fit), ("valid", valid), ("calibration", calib))
        },
        "objective": chosen,
        "candidates": {
            o: {k: v for k, v in c.items() if k in ("rounds", "nll", "rmse", "mae")} for o, c in candidates.items()
        },
        "calibration_window": {
            "mae": float(np.mean(np.abs(mu_cal - y[calib]))),
            "events": int(len(events)),
            "logloss_uncalibrated": calibration.logloss_before,
            "logloss_calibrated": calibration.logloss_after,
            "method": calibration.method,
        },
        "devig": {"method": devig.method, "log_loss": devig.log_loss, "n": devig.n, "reason": devig.reason},
    }
    if p.refit_on_all:
        scaled = max(1, int(round(rounds * len(rows) / max(1, fit.sum()))))
        dall = xgb.DMatrix(x, label=y, missing=np.nan)
        booster, rounds = xgb.train(_booster_params(chosen, p), dall, num_boost_round=scaled), scaled
        metrics["refit_rounds"] = scaled
    return MarketModel(market, booster, chosen, rounds, disp, calibration, metrics, devig.method, combiner)


def market_anchor(
    market: str, rows: pd.DataFrame, disp: Dispersion, calibration: Calibration, offers: pd.DataFrame | None
) -> tuple[DevigChoice, Combiner]:
    """The market's de-vig method (lowest log loss on every book offer of this window's lines) and the combiner
    fitted on the lines whose ``model_mean`` is out of fold, with the gate decision."""
    if offers is None or offers.empty:
        none = np.array([])
        return choose_devig(none, none, none), fit_combiner(market, none, none, none, none)
    lined = rows[rows["line"].notna()]
    o = offers[offers["market"] == market].merge(lined[[*KEYS, "actual"]], on=KEYS, how="inner")
    o = o.dropna(subset=["over_odds", "under_odds", "line"])
    over = np.where(o["actual"] == o["line"], np.nan, (o["actual"] > o["line"]).astype("float64"))
    devig = choose_devig(o["over_odds"].to_numpy(dtype="float64"), o["under_odds"].to_numpy(dtype="float64"), over)
    oof = lined[lined["model_mean"].notna()]
    priced = two_way_offers(oof, offers[offers["market"] == market], {market: devig.method})
    r = oof.merge(market_view(oof, priced), on=KEYS, how="inner")
    r = r[r["fair_over"].notna()].reset_index(drop=True)
    probe = MarketModel(market, None, "", 0, disp, calibration)  # type: ignore[arg-type]  # probabilities only
    r = model_view(r, {market: probe})
    over = np.where(r["actual"] == r["market_line"], np.nan, (r["actual"] > r["market_line"]).astype("float64"))
    return devig, fit_combiner(
        market,
        r["fair_over"].to_numpy(dtype="float64"),
        r["model_p_over"].to_numpy(dtype="float64"),
        over,
        r["game_date"].to_numpy(),
    )


def train_model(
    frame: pd.DataFrame,
    features: list[str],
    before: date,
    p: ModelParams,
    markets: tuple[str, ...] = MARKETS,
    offers: pd.DataFrame | None = None,
    progress: Callable[[], None] | None = None,
) -> TrainedModel:
    """Train every market on rows before ``before``; the model carries what scoring must check. ``offers``
    (int_prop_offers-shaped, pregame) price the window's lines for the de-vig choice and the combiner; without
    them every market's combiner is the market and its gate stays closed. ``progress()`` after each market."""
    rows = trainable_rows(frame, before)
    if rows.empty:
        raise TrainingError(f"no played rows before {before} in the mart; build the mart or pick a later date")
    if p.history_seasons:
        keep = sorted(rows["season"].dropna().unique())[-p.history_seasons :]
        rows = rows[rows["season"].isin(keep)]
    versions = sorted(rows["feature_version"].dropna().astype(str).unique())
    if len(versions) != 1:
        raise TrainingError(
            f"training rows carry feature_version(s) {versions or 'none'}; rebuild the mart so "
            "every row has one feature_version"
        )
    if offers is not None:
        earlier = offers[offers["game_date"] < pd.Timestamp(before)]
        offers = snapshot_offers(attach_players(earlier, rows).dropna(subset=["player_id"]), which="latest")
    fitted = {}
    for m in markets:
        fitted[m] = train_market(rows[rows["market"] == m], m, features, p, offers)
        if progress:
            progress()
    created = datetime.now(UTC)
    fingerprint = json.dumps([features, versions[0], str(before), asdict(p), created.isoformat()], default=str)
    version = f"{before:%Y%m%d}-{created:%Y%m%dT%H%M%S}-{hashlib.sha1(fingerprint.encode()).hexdigest()[:6]}"
    return TrainedModel(
        version=version,
        features=list(features),
        feature_version=versions[0],
        trained_before=before,
        window_start=rows["game_date"].min().date(),
        window_end=rows["game_date"].max().date(),
        markets=fitted,
        params=asdict(p),
        library_versions=library_versions(),
        created_at=created.isoformat(),
        rows={m: int((rows["market"] == m).sum()) for m in markets},
    )


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "xgboost": xgb.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
    }
