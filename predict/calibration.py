"""Calibration of P(over): a two-parameter logistic map fitted on the latest window of the training data.

The distribution says how likely the over is; calibration corrects it where the model is systematically
too sure or too timid. It is fitted on rows later than anything the booster or the dispersion saw
(the calibration window), on over/under events at the real line where a row has one and, since most
history has no line, at lines placed where books put them: the x.5 just below the model's own 30 %,
50 % and 70 % quantiles. Pushes are left out; a fit that does not improve log loss is not used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from predict.distribution import Dispersion, quantile, side_probabilities

EPS = 1e-4
MIN_EVENTS = 200
PSEUDO_QUANTILES = (0.3, 0.5, 0.7)


@dataclass(frozen=True)
class Calibration:
    """p' = sigmoid(a + b * logit(p)), applied to P(over | no push)."""

    a: float = 0.0
    b: float = 1.0
    events: int = 0
    logloss_before: float | None = None
    logloss_after: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def apply(self, p_over: np.ndarray) -> np.ndarray:
        z = _logit(np.asarray(p_over, dtype="float64"))
        return 1.0 / (1.0 + np.exp(-(self.a + self.b * z)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


def calibration_events(mu: np.ndarray, actual: np.ndarray, line: np.ndarray, disp: Dispersion) -> pd.DataFrame:
    """(p_over conditional on no push, over happened) for each row's real line and its pseudo-lines."""
    frames = []
    candidates = [np.asarray(line, dtype="float64")]
    candidates += [quantile(q, mu, disp) - 0.5 for q in PSEUDO_QUANTILES]
    for lines in candidates:
        ok = np.isfinite(lines) & np.isfinite(actual) & (lines >= 0)
        probs = side_probabilities(mu[ok], lines[ok], disp)
        decided = actual[ok] != lines[ok]
        denom = probs.over + probs.under
        p = np.divide(probs.over, denom, out=np.full_like(denom, 0.5), where=denom > 0)
        frames.append(pd.DataFrame({
            "row": np.flatnonzero(ok)[decided], "line": lines[ok][decided],
            "p": p[decided], "over": (actual[ok] > lines[ok])[decided],
        }))  # fmt: skip
    events = pd.concat(frames, ignore_index=True)
    return events.drop_duplicates(["row", "line"]).reset_index(drop=True)


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, EPS, 1 - EPS)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def fit_calibration(events: pd.DataFrame) -> Calibration:
    """Fit (a, b) by maximum likelihood; identity when there are too few events or it does not help."""
    if len(events) < MIN_EVENTS:
        return Calibration(events=len(events))
    from scipy import optimize  # training only: scoring never loads it

    z = _logit(events["p"].to_numpy(dtype="float64"))
    y = events["over"].to_numpy(dtype="float64")

    def loss(theta: np.ndarray) -> float:
        return log_loss(1.0 / (1.0 + np.exp(-(theta[0] + theta[1] * z))), y)

    fit = optimize.minimize(loss, np.array([0.0, 1.0]), method="BFGS")
    before = log_loss(1.0 / (1.0 + np.exp(-z)), y)
    a, b = (float(v) for v in fit.x)
    if b <= 0 or not np.isfinite(fit.fun) or fit.fun >= before:
        return Calibration(events=len(events), logloss_before=before, logloss_after=before)
    return Calibration(a=a, b=b, events=len(events), logloss_before=before, logloss_after=float(fit.fun))
