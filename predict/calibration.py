"""Calibration of P(over): identity, Platt or isotonic, whichever predicts later events best.

The distribution says how likely the over is; calibration corrects it where the model is systematically
too sure or too timid. It is fitted on rows later than anything the booster or the dispersion saw
(the calibration window), on over/under events at the real line where a row has one and, since most
history has no line, at lines placed where books put them: the x.5 just below the model's own 30 %,
50 % and 70 % quantiles. Pushes are left out.

Which map to use is decided walk-forward, not in sample: isotonic always fits the window it was fitted on
at least as well as Platt, and Platt at least as well as identity, so an in-sample comparison would always
pick the most flexible map. The events (oldest first) are cut into consecutive blocks; each later block is
predicted by every candidate fitted on the blocks before it, the way the model is used on future games.
The winner is refitted on all events and stored as plain numbers, so scoring applies it without scipy.optimize.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from predict.distribution import Dispersion, quantile, side_probabilities

EPS = 1e-4
MIN_EVENTS = 200
PSEUDO_QUANTILES = (0.3, 0.5, 0.7)
METHODS = ("identity", "platt", "isotonic")  # in order of preference when walk-forward losses tie
WALK_FORWARD_BLOCKS = 4
PLATT_C = 1e6  # inverse L2 strength: practically unpenalised, the penalty only keeps lbfgs finite on separable data
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Calibration:
    """A monotone map of P(over | no push): identity, Platt p' = sigmoid(a + b * logit(p)), or isotonic
    (piecewise linear through the points ``x`` -> ``y``, flat beyond the ends).

    Metadata written before the isotonic option has only a, b, events and the two log losses; such a record
    loads as Platt when (a, b) is not the identity, since that is what it was applied as.
    """

    method: str = "identity"
    a: float = 0.0
    b: float = 1.0
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()
    events: int = 0
    logloss_before: float | None = None  # identity, in sample on all events
    logloss_after: float | None = None  # the chosen map, in sample on all events
    walk_forward: dict[str, float] = field(default_factory=dict, hash=False)  # candidate -> mean held-out log loss

    def __post_init__(self) -> None:
        method = self.method
        if method == "identity" and (self.a, self.b) != (0.0, 1.0):
            method = "platt"  # an old record: only (a, b) was stored
        if method not in METHODS:
            raise ValueError(f"unknown calibration method {self.method!r}; expected one of {METHODS}")
        x = tuple(float(v) for v in self.x)
        y = tuple(float(v) for v in self.y)
        if method == "isotonic" and (len(x) == 0 or len(x) != len(y)):
            raise ValueError(f"isotonic calibration needs as many x as y points (got {len(x)} and {len(y)})")
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "a", float(self.a))
        object.__setattr__(self, "b", float(self.b))
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "walk_forward", {str(k): float(v) for k, v in self.walk_forward.items()})

    def to_dict(self) -> dict:
        """JSON-ready: ``Calibration(**c.to_dict())`` gives back an equal calibration."""
        d = asdict(self)
        d["x"], d["y"] = list(self.x), list(self.y)
        return d

    def apply(self, p_over: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, non-decreasing in ``p_over`` and kept inside [EPS, 1 - EPS]."""
        p = np.clip(np.asarray(p_over, dtype="float64"), EPS, 1 - EPS)
        if self.method == "platt":
            p = special.expit(self.a + self.b * _logit(p))
        elif self.method == "isotonic":
            p = np.interp(p, self.x, self.y)
        return np.clip(p, EPS, 1 - EPS)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


def calibration_events(mu: np.ndarray, actual: np.ndarray, line: np.ndarray, disp: Dispersion) -> pd.DataFrame:
    """(p_over conditional on no push, over happened) for each row's real line and its pseudo-lines.

    Sorted by row, i.e. oldest first when the rows are, because the walk-forward choice in
    ``fit_calibration`` reads the frame order as time order.
    """
    frames = []
    candidates = [np.asarray(line, dtype="float64")]
    candidates += [quantile(q, mu, disp) - 0.5 for q in PSEUDO_QUANTILES]
    for lines in candidates:
        ok = np.isfinite(lines) & np.isfinite(actual) & (lines >= 0)
        probs = side_probabilities(mu[ok], lines[ok], disp)
        decided = actual[ok] != lines[ok]
        denom = probs.over + probs.under
        p = np.divide(probs.over, denom, out=np.full_like(denom, 0.5), where=denom > 0)
        frames.append(
            pd.DataFrame(
                {
                    "row": np.flatnonzero(ok)[decided],
                    "line": lines[ok][decided],
                    "p": p[decided],
                    "over": (actual[ok] > lines[ok])[decided],
                }
            )
        )
    events = pd.concat(frames, ignore_index=True).drop_duplicates(["row", "line"])
    return events.sort_values("row", kind="stable").reset_index(drop=True)


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, EPS, 1 - EPS)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def fit_calibration(events: pd.DataFrame) -> Calibration:
    """Calibration for over/under events (columns p, over; rows oldest first, as ``calibration_events`` gives)."""
    return fit_walk_forward_calibration(events["p"].to_numpy(dtype="float64"), events["over"].to_numpy(dtype="float64"))


def fit_walk_forward_calibration(p: np.ndarray, y: np.ndarray) -> Calibration:
    """Choose identity, Platt or isotonic by walk-forward log loss on (p, y) in time order, refit it on all.

    Identity is kept when there are fewer than MIN_EVENTS events or when no candidate beats it held out.
    """
    p = np.clip(np.asarray(p, dtype="float64"), EPS, 1 - EPS)
    y = np.asarray(y, dtype="float64")
    if len(p) < MIN_EVENTS:
        return Calibration(events=len(p))
    fitters = _fitters()
    walk = {name: walk_forward_log_loss(fit, p, y) for name, fit in fitters.items()}
    chosen = "identity"
    for name in METHODS:  # strictly better only, so ties go to the simpler map
        if walk[name] < walk[chosen] - TIE_TOLERANCE:
            chosen = name
    fitted = fitters[chosen](p, y)
    return Calibration(
        method=fitted.method,
        a=fitted.a,
        b=fitted.b,
        x=fitted.x,
        y=fitted.y,
        events=len(p),
        logloss_before=log_loss(p, y),
        logloss_after=log_loss(fitted.apply(p), y),
        walk_forward=walk,
    )


def walk_forward_log_loss(
    fit: Callable[[np.ndarray, np.ndarray], Calibration],
    p: np.ndarray,
    y: np.ndarray,
    blocks: int = WALK_FORWARD_BLOCKS,
) -> float:
    """Mean over blocks 2..k of the block's log loss under ``fit`` on all earlier blocks (consecutive blocks)."""
    cuts = [len(part) for part in np.array_split(np.arange(len(p)), blocks)]
    bounds = np.cumsum([0, *cuts])
    losses = [
        log_loss(fit(p[:lo], y[:lo]).apply(p[lo:hi]), y[lo:hi]) for lo, hi in zip(bounds[1:-1], bounds[2:]) if hi > lo
    ]
    return float(np.mean(losses))


def _fitters() -> dict[str, Callable[[np.ndarray, np.ndarray], Calibration]]:
    return {"identity": lambda p, y: Calibration(), "platt": _fit_platt, "isotonic": _fit_isotonic}


def _fit_platt(p: np.ndarray, y: np.ndarray) -> Calibration:
    """Logistic regression of the outcome on logit(p); identity when it cannot be fitted or would reverse p."""
    from predict.combiner import fit_logistic  # the one logistic fit (the market combiner uses it too)

    if np.unique(y).size < 2:
        return Calibration()
    z = _logit(p)
    (a, b), _ = fit_logistic(np.column_stack([np.ones_like(z), z]), y.astype("float64"))
    if not (np.isfinite(a) and np.isfinite(b)) or b <= 0:
        return Calibration()
    return Calibration(method="platt", a=float(a), b=float(b))


def _fit_isotonic(p: np.ndarray, y: np.ndarray) -> Calibration:
    """Non-decreasing step fit of the outcome on p (scipy's pool-adjacent-violators on the distinct p values,
    weighted by their counts), kept as its knots so applying it is one ``np.interp``."""
    from scipy.optimize import isotonic_regression  # training only: scoring never loads it

    ux, inverse = np.unique(p, return_inverse=True)
    counts = np.bincount(inverse).astype("float64")
    means = np.bincount(inverse, weights=y.astype("float64")) / counts
    fitted = np.clip(isotonic_regression(means, weights=counts, increasing=True).x, EPS, 1 - EPS)
    same_prev = np.r_[False, fitted[1:] == fitted[:-1]]
    same_next = np.r_[fitted[:-1] == fitted[1:], False]
    knots = ~(same_prev & same_next)  # interior points of a flat step add nothing to the interpolation
    return Calibration(method="isotonic", x=ux[knots].tolist(), y=fitted[knots].tolist())
