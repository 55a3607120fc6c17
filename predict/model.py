"""A trained model in memory: one booster per market plus its distribution, calibration, de-vig method and
the combiner that anchors it on the market.

``TrainedModel`` is what the registry saves and loads and what scoring and the backtest use; nothing
else decides how a predicted mean becomes P(over), P(under) and P(push).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import xgboost as xgb

from predict.calibration import Calibration
from predict.combiner import Combiner
from predict.distribution import Dispersion, SideProbabilities, side_probabilities


@dataclass
class MarketModel:
    """One market's booster (predicting the mean), dispersion and calibration, with validation metrics."""

    market: str
    booster: xgb.Booster
    objective: str
    rounds: int
    dispersion: Dispersion
    calibration: Calibration
    metrics: dict = field(default_factory=dict)
    devig: str = "multiplicative"  # the de-vig method with the lowest log loss on this market's earlier lines
    combiner: Combiner = field(default_factory=Combiner)  # market anchor and evidence gate (the market when unfitted)

    def predict_mean(self, x: np.ndarray) -> np.ndarray:
        """The expected stat; rows of ``x`` are features in the model's order (NaN = missing)."""
        return self.booster.predict(xgb.DMatrix(x, missing=np.nan), iteration_range=(0, self.rounds))

    def probabilities(self, mu: np.ndarray, line: np.ndarray) -> SideProbabilities:
        """Calibrated P(over), P(under), P(push) at ``line``; calibration acts on P(over | no push)."""
        raw = side_probabilities(mu, line, self.dispersion)
        decided = 1.0 - raw.push
        total = raw.over + raw.under
        conditional = np.divide(raw.over, total, out=np.full_like(total, 0.5), where=total > 0)
        over = decided * self.calibration.apply(conditional)
        return SideProbabilities(over=over, under=decided - over, push=raw.push)


@dataclass
class TrainedModel:
    """All markets of one training run and the facts scoring checks before trusting it."""

    version: str
    features: list[str]
    feature_version: str
    trained_before: date  # exclusive: only games before this date were used
    window_start: date | None
    window_end: date | None  # the last game date in the training rows
    markets: dict[str, MarketModel]
    params: dict
    library_versions: dict
    created_at: str
    rows: dict[str, int] = field(default_factory=dict)
    trained_on_warehouse: str | None = None  # Warehouse.describe() of the training rows; None: saved before recorded
    objective_season: str | None = None  # the season of the games it scores (the objective search's key)
    objectives_chosen_by: str | None = None  # the model version whose search chose the objectives (maybe this one)
    refit_from: str | None = None  # only the boosters were refitted; the rest is this model version's
