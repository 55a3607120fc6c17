"""Honest figures: per-row scores and means, ratios and hit rates with intervals that respect how the rows cluster.

Rows of one game day are not independent draws: they share games, injury news and the books' moves, so an
interval that treats every row as independent is too narrow. The bootstrap here resamples whole game days.
A hit rate over independent bets gets the Wilson score interval, which stays inside [0, 1] and behaves at
small n where the normal approximation does not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

EPS = 1e-6
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    estimate: float  # NaN when n == 0
    low: float
    high: float
    n: int  # rows
    days: int  # distinct game days (clusters)

    def to_dict(self) -> dict:
        return asdict(self)


def _empty() -> Interval:
    return Interval(float("nan"), float("nan"), float("nan"), 0, 0)


def log_loss_rows(p, y) -> np.ndarray:
    """Per-row -[y log p + (1-y) log(1-p)], p clipped to [EPS, 1-EPS] so one confident miss is costly, not infinite."""
    p = np.clip(np.asarray(p, dtype="float64"), EPS, 1 - EPS)
    y = np.asarray(y, dtype="float64")
    return -(y * np.log(p) + (1 - y) * np.log1p(-p))


def brier_rows(p, y) -> np.ndarray:
    """Per-row (p - y)^2."""
    return (np.asarray(p, dtype="float64") - np.asarray(y, dtype="float64")) ** 2


def _day_codes(days, keep: np.ndarray) -> tuple[np.ndarray, int]:
    """Cluster index per kept row (a missing day is one cluster of its own kind, not dropped)."""
    codes, uniques = pd.factorize(pd.Series(np.asarray(days)[keep]), use_na_sentinel=False)
    return codes, len(uniques)


def _day_weights(n_days: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, n_days) counts of how often each day is drawn when n_days days are drawn with replacement."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_days, np.full(n_days, 1.0 / n_days), size=n_boot).astype("float64")


def _percentiles(boot: np.ndarray, level: float) -> tuple[float, float]:
    boot = boot[np.isfinite(boot)]
    if not len(boot):
        return float("nan"), float("nan")
    tail = (1 - level) / 2
    low, high = np.quantile(boot, [tail, 1 - tail])
    return float(low), float(high)


def day_bootstrap_mean(values, days, n_boot: int = 2000, seed: int = 0, level: float = 0.95) -> Interval:
    """Mean of `values` with a percentile bootstrap interval that resamples whole game days (rows of one day are
    correlated: same games, same news). Vectorised: per-day sums and counts, multinomial day weights
    (rng.multinomial(n_days, [1/n_days]*n_days, size=n_boot)), boot mean = (W @ sums) / (W @ counts).
    NaN values dropped."""
    values = np.asarray(values, dtype="float64")
    keep = np.isfinite(values)
    if not keep.any():
        return _empty()
    codes, n_days = _day_codes(days, keep)
    sums = np.bincount(codes, weights=values[keep], minlength=n_days)
    counts = np.bincount(codes, minlength=n_days).astype("float64")
    w = _day_weights(n_days, n_boot, seed)
    low, high = _percentiles((w @ sums) / (w @ counts), level)
    return Interval(float(values[keep].mean()), low, high, int(keep.sum()), n_days)


def day_bootstrap_ratio(
    numerator, denominator, days, n_boot: int = 2000, seed: int = 0, level: float = 0.95
) -> Interval:
    """sum(numerator)/sum(denominator) with the same day bootstrap (ROI = profit / staked). Rows where either is NaN
    dropped; estimate NaN when the denominator sums to 0 (a resample whose denominator is 0 is left out)."""
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    keep = np.isfinite(num) & np.isfinite(den)
    if not keep.any():
        return _empty()
    codes, n_days = _day_codes(days, keep)
    num_sums = np.bincount(codes, weights=num[keep], minlength=n_days)
    den_sums = np.bincount(codes, weights=den[keep], minlength=n_days)
    total = den_sums.sum()
    estimate = float(num_sums.sum() / total) if total != 0 else float("nan")
    w = _day_weights(n_days, n_boot, seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = (w @ num_sums) / (w @ den_sums)
    low, high = _percentiles(boot, level) if np.isfinite(estimate) else (float("nan"), float("nan"))
    return Interval(estimate, low, high, int(keep.sum()), n_days)


def wilson(wins: int, n: int, z: float = Z95) -> Interval:
    """Hit rate wins/n with the Wilson score interval (days=0: it assumes independent bets); n=0 gives NaN."""
    if n <= 0:
        return _empty()
    p = wins / n
    shrink = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / shrink
    half = z / shrink * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return Interval(float(p), float(centre - half), float(centre + half), int(n), 0)
