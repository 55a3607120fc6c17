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
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import scipy
import xgboost as xgb

from nbacore.dates import season_label
from nbacore.markets import MARKETS
from predict.calibration import Calibration, calibration_events, fit_calibration
from predict.combiner import Combiner, fit_combiner
from predict.config import ModelParams
from predict.distribution import Dispersion, fit_dispersion, log_likelihood
from predict.market_view import DevigChoice, choose_devig
from predict.mart import feature_matrix, played_mask
from predict.model import MarketModel, TrainedModel
from predict.offers import attach_players, snapshot_offers
from predict.pricing import KEYS, market_view, model_view, two_way_offers

MIN_TRAIN_ROWS = 200


class TrainingError(ValueError):
    """Not enough (or unusable) training rows."""


ROW_ORDER = ["game_date", "game_id", "player_id"]
# What training reads besides the features: keys, the split, the season window and the offers' join.
TRAIN_COLUMNS = (
    "game_date",
    "game_id",
    "player_id",
    "player_lookup",
    "market",
    "season",
    "actual",
    "line",
    "feature_version",
)


def trainable_rows(frame: pd.DataFrame, before: date) -> pd.DataFrame:
    """Rows with a played result for games strictly before ``before``, oldest first."""
    cutoff = pd.Timestamp(before)
    rows = frame[(frame["game_date"] < cutoff) & played_mask(frame)]
    return rows.sort_values(ROW_ORDER, kind="stable")


@dataclass(frozen=True)
class TrainingRows:
    """Every played row per market, oldest first, with only the columns training reads. Built once, each
    retrain's window is two slices (rows before a date are a prefix; seasons are consecutive blocks), so a
    walk-forward backtest does not filter and copy the whole mart at every retrain."""

    by_market: dict[str, pd.DataFrame]
    season_starts: dict[str, dict[str, int]]  # market -> season -> first position (seasons in time order)
    feature_versions: list[str]
    columns: list[str]

    @classmethod
    def of(cls, frame: pd.DataFrame, features: list[str], markets: tuple[str, ...] = MARKETS) -> TrainingRows:
        columns = [c for c in dict.fromkeys([*TRAIN_COLUMNS, *features]) if c in frame or c != "player_lookup"]
        played = frame[played_mask(frame)]
        by_market, starts = {}, {}
        for m in markets:
            rows = played.loc[played["market"] == m, columns].sort_values(ROW_ORDER, kind="stable")
            by_market[m] = rows.reset_index(drop=True)
            season = by_market[m]["season"].astype("object").to_numpy()
            first = {}
            for i in np.flatnonzero(np.r_[True, season[1:] != season[:-1]]) if len(season) else []:
                if season[i] in first:  # a season split in two blocks: the windows would not be slices
                    raise TrainingError(f"market {m}: season {season[i]} is not one block of game dates in the mart")
                first[season[i]] = int(i)
            starts[m] = first
        versions = sorted(played["feature_version"].dropna().astype(str).unique())
        return cls(by_market, starts, versions, columns)

    def seasons_before(self, before: date) -> list[str]:
        """Seasons with a played row (any market) before ``before``, oldest first."""
        cutoff = pd.Timestamp(before)
        found = {
            season
            for m, rows in self.by_market.items()
            for season, first in self.season_starts[m].items()
            if len(rows) and rows["game_date"].iat[first] < cutoff
        }
        return sorted(found)

    def window(self, market: str, before: date, seasons: list[str]) -> pd.DataFrame:
        """The market's played rows before ``before`` from the first of ``seasons`` on (all when empty)."""
        rows = self.by_market.get(market)
        if rows is None or rows.empty:
            return pd.DataFrame(columns=self.columns)
        end = int(rows["game_date"].searchsorted(pd.Timestamp(before), side="left"))
        kept = [first for season, first in self.season_starts[market].items() if not seasons or season >= seasons[0]]
        return rows.iloc[min(kept, default=end) : end]


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


class Stopwatch:
    """Seconds per named step of one market's training (``metrics['seconds']``; ``make bench`` sums them)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = round(self.laps.get(step, 0.0) + now - self._last, 3)
        self._last = now


class CoreShare:
    """The machine's cores shared by the markets training side by side: each running booster gets
    ``cores // running`` threads, re-read after every round, so the last market still training takes both
    cores instead of one while the other sits idle. XGBoost's results do not depend on its thread count here
    (``test_markets_side_by_side_equal_markets_one_after_another``)."""

    def __init__(self, cores: int) -> None:
        self.cores = max(1, cores)
        self.running = 0
        self._lock = threading.Lock()

    def __enter__(self) -> CoreShare:
        with self._lock:
            self.running += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.running -= 1

    def threads(self) -> int:
        with self._lock:
            return max(1, self.cores // max(1, self.running))

    def callbacks(self) -> list[xgb.callback.TrainingCallback]:
        return [_ShareCores(self)]


class _ShareCores(xgb.callback.TrainingCallback):
    def __init__(self, share: CoreShare) -> None:
        super().__init__()
        self.share, self.current = share, None

    def after_iteration(self, model: xgb.Booster, epoch: int, evals_log: dict) -> bool:
        threads = self.share.threads()
        if threads != self.current:
            model.set_param({"nthread": threads})
            self.current = threads
        return False  # never stops training


def _booster_params(objective: str, p: ModelParams, nthread: int | None = None) -> dict:
    params = {
        "objective": objective,
        "tree_method": "hist",
        "max_depth": p.max_depth,
        "eta": p.eta,
        "min_child_weight": p.min_child_weight,
        "subsample": p.subsample,
        "colsample_bytree": p.colsample,
        "nthread": nthread or p.nthread,
        "max_bin": p.max_bin,
        "seed": p.seed,
        "verbosity": 0,
    }
    if objective == "reg:tweedie":
        params["tweedie_variance_power"] = p.tweedie_power
    return params


def train_market(
    rows: pd.DataFrame,
    market: str,
    features: list[str],
    p: ModelParams,
    offers: pd.DataFrame | None = None,
    objective: str | None = None,
    cores: CoreShare | None = None,
) -> MarketModel:
    """Fit one market: pick the objective by validation log-likelihood of the full predictive distribution
    among ``p.objectives``, or take ``objective`` when this season's search already chose it. ``cores``: the
    threads to share with markets training beside it (``p.nthread`` threads when None)."""
    nthread = cores.threads if cores else lambda: p.nthread
    callbacks = cores.callbacks() if cores else None
    if len(rows) < MIN_TRAIN_ROWS:
        raise TrainingError(
            f"market {market}: only {len(rows)} trainable rows (need {MIN_TRAIN_ROWS}); "
            "load more history or move the training cutoff later"
        )
    clock = Stopwatch()
    x, y = feature_matrix(rows, features), rows["actual"].to_numpy(dtype="float64")
    fit, valid, calib = time_split(rows["game_date"], p.valid_share, p.calib_share)
    if fit.sum() < MIN_TRAIN_ROWS // 2 or valid.sum() == 0 or calib.sum() == 0:
        raise TrainingError(
            f"market {market}: the time split left {fit.sum()}/{valid.sum()}/{calib.sum()} "
            "fit/valid/calibration rows; train on a longer window"
        )
    dfit = xgb.DMatrix(x[fit], label=y[fit], missing=np.nan)
    dvalid = xgb.DMatrix(x[valid], label=y[valid], missing=np.nan)
    clock.lap("matrices")
    candidates = {}
    for candidate in (objective,) if objective else p.objectives:
        booster = xgb.train(
            _booster_params(candidate, p, nthread()),
            dfit,
            num_boost_round=p.max_rounds,
            evals=[(dvalid, "valid")],
            early_stopping_rounds=p.early_stopping,
            verbose_eval=False,
            callbacks=callbacks,
        )
        rounds = booster.best_iteration + 1
        mu = booster.predict(dvalid, iteration_range=(0, rounds))
        clock.lap("boosting")
        disp = fit_dispersion(y[valid], mu)
        candidates[candidate] = {
            "booster": booster,
            "rounds": rounds,
            "dispersion": disp,
            "nll": -float(log_likelihood(y[valid], mu, disp).mean()),
            "rmse": float(np.sqrt(np.mean((mu - y[valid]) ** 2))),
            "mae": float(np.mean(np.abs(mu - y[valid]))),
        }
        clock.lap("dispersion")
    chosen = min(candidates, key=lambda o: candidates[o]["nll"])
    best = candidates[chosen]
    booster, rounds, disp = best["booster"], best["rounds"], best["dispersion"]

    mu_cal = booster.predict(xgb.DMatrix(x[calib], missing=np.nan), iteration_range=(0, rounds))
    events = calibration_events(mu_cal, y[calib], rows["line"].to_numpy(dtype="float64")[calib], disp)
    calibration = fit_calibration(events.sort_values("row", kind="stable"))  # rows are in time order
    clock.lap("calibration")
    mu_oof = np.full(len(rows), np.nan)
    mu_oof[valid] = booster.predict(dvalid, iteration_range=(0, rounds))
    mu_oof[calib] = mu_cal
    devig, combiner = market_anchor(market, rows.assign(model_mean=mu_oof), disp, calibration, offers)
    clock.lap("market anchor")
    metrics = {
        "rows": {"fit": int(fit.sum()), "valid": int(valid.sum()), "calibration": int(calib.sum())},
        "windows": {
            name: [str(rows["game_date"][m].min().date()), str(rows["game_date"][m].max().date())]
            for name, m in (("fit", fit), ("valid", valid), ("calibration", calib))
        },
        "objective": chosen,
        "objective_searched": objective is None,
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
        params = _booster_params(chosen, p, nthread())
        booster = xgb.train(params, dall, num_boost_round=scaled, callbacks=callbacks)
        rounds = scaled
        metrics["refit_rounds"] = scaled
        clock.lap("refit")
    metrics["seconds"] = clock.laps
    return MarketModel(market, booster, chosen, rounds, disp, calibration, metrics, devig.method, combiner)


def refit_market(
    rows: pd.DataFrame, base: MarketModel, features: list[str], p: ModelParams, cores: CoreShare | None = None
) -> MarketModel:
    """``base`` with only its booster refitted on ``rows`` (the same objective, rounds scaled to the rows as
    ``train_market`` scales them); the dispersion, calibration, de-vig method and combiner with its gate are
    ``base``'s, fitted out of fold on its own windows. The daily retrain between weekly full ones: the booster
    learns the newest games, the parts fitted on 20 % windows of five seasons stay as they were."""
    if not p.refit_on_all:
        return base
    clock = Stopwatch()
    x, y = feature_matrix(rows, features), rows["actual"].to_numpy(dtype="float64")
    fit, _, _ = time_split(rows["game_date"], p.valid_share, p.calib_share)
    searched = base.metrics["candidates"][base.objective]["rounds"]
    scaled = max(1, int(round(searched * len(rows) / max(1, fit.sum()))))
    dall = xgb.DMatrix(x, label=y, missing=np.nan)
    clock.lap("matrices")
    params = _booster_params(base.objective, p, cores.threads() if cores else None)
    booster = xgb.train(params, dall, num_boost_round=scaled, callbacks=cores.callbacks() if cores else None)
    clock.lap("refit")
    metrics = {**base.metrics, "refit_rounds": scaled, "refit_only": True, "seconds": clock.laps}
    return MarketModel(
        base.market,
        booster,
        base.objective,
        scaled,
        base.dispersion,
        base.calibration,
        metrics,
        base.devig,
        base.combiner,
    )


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
    frame: pd.DataFrame | TrainingRows,
    features: list[str],
    before: date,
    p: ModelParams,
    markets: tuple[str, ...] = MARKETS,
    offers: pd.DataFrame | None = None,
    progress: Callable[[], None] | None = None,
    previous: TrainedModel | None = None,
    refit_from: TrainedModel | None = None,
) -> TrainedModel:
    """Train every market on rows before ``before``; the model carries what scoring must check. ``offers``
    (int_prop_offers-shaped, pregame) price the window's lines for the de-vig choice and the combiner; without
    them every market's combiner is the market and its gate stays closed. ``previous``: an earlier model whose
    objective search this run may reuse (``season_objectives``). ``refit_from``: an earlier model whose markets
    only get their booster refitted (``refit_market``; the backtest's daily retrains between weekly full ones).
    ``progress()`` after each market.

    Markets train side by side (``p.nthread`` workers sharing the cores, ``CoreShare``): a booster on two threads is
    barely faster than on one for these sizes, and far slower when the machine is busy."""
    played = frame if isinstance(frame, TrainingRows) else TrainingRows.of(frame, features, markets)
    seasons = played.seasons_before(before)[-p.history_seasons :] if p.history_seasons else []
    windows = {m: played.window(m, before, seasons) for m in markets}
    keys = [c for c in ("game_date", "game_id", "player_id", "player_lookup", "season") if c in played.columns]
    rows = pd.concat([w[keys] for w in windows.values()])
    if rows.empty:
        raise TrainingError(f"no played rows before {before} in the mart; build the mart or pick a later date")
    versions = played.feature_versions
    if len(versions) != 1:
        versions = sorted({str(v) for w in windows.values() for v in w["feature_version"].dropna().unique()})
    if len(versions) != 1:
        raise TrainingError(
            f"training rows carry feature_version(s) {versions or 'none'}; rebuild the mart so "
            "every row has one feature_version"
        )
    if offers is not None:
        earlier = offers[offers["game_date"] < pd.Timestamp(before)]
        offers = snapshot_offers(attach_players(earlier, rows).dropna(subset=["player_id"]), which="latest")
    scored_season = season_label(before)  # the season of the games this model will score
    known = season_objectives(previous, scored_season, versions[0], p)
    if refit_from is not None and not season_objectives(refit_from, scored_season, versions[0], p):
        refit_from = None  # a new season (or feature_version): train in full
    workers = max(1, min(p.nthread, len(markets)))

    share = CoreShare(p.nthread)

    def fit(m: str) -> MarketModel:
        with share:
            if refit_from is not None and m in refit_from.markets:
                return refit_market(windows[m], refit_from.markets[m], features, p, cores=share)
            return train_market(windows[m], m, features, p, offers, known.get(m), cores=share)

    # Longest first (by the earlier model's rounds), so two workers finish together; each market's result is
    # its own, whatever the order.
    order = sorted(markets, key=lambda m: -(previous.markets[m].rounds if previous and m in previous.markets else 0))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="train") as pool:
        futures = {pool.submit(fit, m): m for m in order}
        for future in as_completed(futures):
            future.result()  # a failed market fails the run now, naming its market
            if progress:
                progress()
    done = {m: f.result() for f, m in futures.items()}
    fitted = {m: done[m] for m in markets}
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
        rows={m: len(windows[m]) for m in markets},
        objective_season=scored_season,
        objectives_chosen_by=previous.objectives_chosen_by if known and previous else version,
        refit_from=refit_from.version if refit_from is not None else None,
    )


def season_objectives(previous: TrainedModel | None, season: str, feature_version: str, p: ModelParams) -> dict:
    """Each market's objective to reuse from ``previous`` (empty: search). The search runs once per season (of the
    games to score, ``season_label(before)``) and again whenever the candidates, the feature_version or
    ``p.objective_search`` say so. Within a season the choice barely moves (a few weeks of rows among five
    seasons), and the search is three boosters per market where one is needed."""
    if p.objective_search != "season" or previous is None or previous.objective_season != season:
        return {}
    if previous.feature_version != feature_version:
        return {}
    if tuple(previous.params.get("objectives", ())) != tuple(p.objectives):
        return {}
    return {m: mm.objective for m, mm in previous.markets.items() if mm.objective in p.objectives}


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "xgboost": xgb.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
    }
