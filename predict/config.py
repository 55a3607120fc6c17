"""The knobs of phase 5 in one place: model size, time splits, betting thresholds (where models live is
``settings.registry_dir``).

Defaults are for the real warehouse; tests pass small ``ModelParams`` so the simulator backtests stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OBJECTIVES = ("reg:squarederror", "count:poisson", "reg:tweedie")
OBJECTIVE_SEARCH = ("season", "always")
EDGE_THRESHOLDS = (0.0, 0.02, 0.04, 0.06, 0.08, 0.10)
GATES = ("strict", "off")


@dataclass(frozen=True)
class ModelParams:
    """XGBoost and split settings for one training run (per market)."""

    objectives: tuple[str, ...] = OBJECTIVES  # candidates; validation log-likelihood picks one per market
    max_depth: int = 5
    # eta 0.05 with up to 600 rounds and a patience of 40. eta 0.1 (300, 20) halved the rounds but lost 0.0004 to
    # 0.0025 log-likelihood per row on every market on games after a 2025-02-01 cut (issue 18's note), so it stays.
    eta: float = 0.05
    max_rounds: int = 600
    early_stopping: int = 40
    min_child_weight: float = 20.0
    subsample: float = 0.8
    colsample: float = 0.8
    tweedie_power: float = 1.3
    nthread: int = 2  # cores: markets train this many at a time, each booster on nthread // workers threads
    max_bin: int = 256  # XGBoost hist bins per feature
    objective_search: str = "season"  # season: search once per season, reuse within it; always: every retrain
    seed: int = 7
    # Time-ordered split of the training window: fit | validation (early stopping, objective, dispersion)
    # | calibration (the latest rows).
    valid_share: float = 0.10
    calib_share: float = 0.10
    refit_on_all: bool = True  # after choosing, refit on the whole window with the chosen rounds
    history_seasons: int | None = 5  # train on this many most recent seasons (None: all history)

    def __post_init__(self) -> None:
        if self.objective_search not in OBJECTIVE_SEARCH:
            raise ValueError(
                f"ModelParams.objective_search={self.objective_search!r} is unknown; use one of "
                f"{', '.join(OBJECTIVE_SEARCH)}"
            )


@dataclass(frozen=True)
class PricingRules:
    """When a priced line becomes a bet, and how big.

    Probabilities come from the market-anchored blend (``predict.combiner``); a market whose gate is closed
    gets no picks under ``gate='strict'``. ``devig`` is the fallback de-vig method where a model carries no
    chosen method per market (older models; closing-line value). Stakes are shares of ``bankroll``: a
    fractional Kelly capped per bet, then per player across his markets, then per night (``predict.staking``).
    """

    min_edge: float = 0.04  # blended probability minus fair probability, on the side bet
    min_ev: float = 0.02  # expected profit per unit staked at the offered price
    kelly_fraction: float = 0.25
    kelly_cap: float = 0.02  # never stake more than this share of the bankroll on one line
    player_cap: float = 0.04  # one player's markets move together: one budget for all of them, per night
    nightly_cap: float = 0.10  # never more than this share of the bankroll on one night
    bankroll: float = 1000.0  # currency units; stake_amount = stake share x bankroll
    gate: str = "strict"  # strict: picks only in markets whose evidence gate is open; off: research only
    devig: str = "multiplicative"

    def __post_init__(self) -> None:
        from predict.market_view import DEVIG_METHODS

        if self.devig not in DEVIG_METHODS:
            raise ValueError(f"PricingRules.devig={self.devig!r} is unknown; use one of {', '.join(DEVIG_METHODS)}")
        if self.gate not in GATES:
            raise ValueError(f"--gate {self.gate!r} is unknown; use one of {', '.join(GATES)}")
        if not 0 < self.kelly_fraction <= 1 or not 0 <= self.kelly_cap <= 1:
            raise ValueError("PricingRules: kelly_fraction must be in (0, 1] and kelly_cap in [0, 1]")
        if not 0 <= self.player_cap <= 1 or not 0 <= self.nightly_cap <= 1:
            raise ValueError("PricingRules: --player-cap and --nightly-cap are shares of the bankroll in [0, 1]")
        if not self.bankroll > 0:
            raise ValueError(f"--bankroll {self.bankroll} must be a positive amount")


@dataclass(frozen=True)
class PredictConfig:
    """Everything a train / score / backtest run needs besides the data."""

    params: ModelParams = field(default_factory=ModelParams)
    rules: PricingRules = field(default_factory=PricingRules)
    min_prior_games: int = 5  # coverage is judged on players with at least this many earlier games
    edge_thresholds: tuple[float, ...] = EDGE_THRESHOLDS
