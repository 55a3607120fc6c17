"""Anchor on the market: a per-market combiner of the market's fair probability and the model's, and the
evidence gate that decides whether a market gets picks at all.

Sportsbook prop lines are sharp, so the starting point is the market's de-vigged P(over) at its consensus
line; the model may only move it as far as it has been shown to know more:

    logit p_blend = a + b * logit p_market + c * (logit p_model - logit p_market)

fitted by maximum likelihood on earlier lines whose model probabilities come from a booster that did not
train on them (out of fold). ``c`` is the weight of the model's disagreement with the line; its 95 %
interval is cluster-robust by game day (lines of one night share games and news).

The gate opens a market only when both hold on those earlier lines:
- the lower end of ``c``'s 95 % interval is above 0, and
- the walk-forward paired log-loss difference (blend - market; each block of days predicted by a
  combiner fitted on the days before it), bootstrapped by game day, has its 95 % interval below 0.
A closed gate prices every line of the market at the market itself (the blend is the market); with
``gate='off'`` the fitted combiner is used and picks are allowed anyway (research only).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from predict.config import GATES
from predict.evaluation import day_bootstrap_mean, log_loss_rows

MIN_LINES = 300  # fewer earlier lines than this: the combiner is the market (c = 0)
WALK_FORWARD_BLOCKS = 5
Z95 = 1.959963984540054
EPS = 1e-4


@dataclass(frozen=True)
class Combiner:
    """One market's fitted combiner, its intervals, the walk-forward evidence and the gate decision."""

    market: str = ""
    a: float = 0.0
    b: float = 1.0
    c: float = 0.0
    a_ci: tuple[float, float] | None = None
    b_ci: tuple[float, float] | None = None
    c_ci: tuple[float, float] | None = None
    n: int = 0  # earlier lines it was fitted on
    days: int = 0
    fitted: bool = False  # False: too few lines, the combiner is the market
    gate_open: bool = False
    reason: str = ""
    walk_forward: dict = field(default_factory=dict)  # logloss / brier difference blend - market, with interval

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Combiner:
        d = dict(d)
        for k in ("a_ci", "b_ci", "c_ci"):
            if d.get(k) is not None:
                d[k] = tuple(d[k])
        return cls(**d)

    def blend(self, p_market: np.ndarray, p_model: np.ndarray, gate: str = "strict") -> np.ndarray:
        """P(over | no push) the product uses: the market unless the combiner is fitted and (strict) the gate is open."""
        p_market = np.asarray(p_market, dtype="float64")
        if not self.fitted or (gate == "strict" and not self.gate_open):
            return p_market.copy()
        zm, zd = _logit(p_market), _logit(np.asarray(p_model, dtype="float64")) - _logit(p_market)
        out = _sigmoid(self.a + self.b * zm + self.c * zd)
        return np.where(np.isfinite(p_market) & np.isfinite(p_model), out, p_market)

    def picks_allowed(self, gate: str = "strict") -> bool:
        assert gate in GATES, gate
        return gate == "off" or self.gate_open

    def coefficients(self) -> list[str]:
        """``a``, ``b``, ``c`` as "estimate [low, high]" (or "market" when unfitted), for the printed tables."""
        return [
            f"{getattr(self, k):+.2f} [{getattr(self, k + '_ci')[0]:+.2f},{getattr(self, k + '_ci')[1]:+.2f}]"
            if getattr(self, k + "_ci")
            else "market"
            for k in ("a", "b", "c")
        ]

    def summary(self) -> str:
        """One line: the gate decision and the figures behind it."""
        return f"{self.market}: {'OPEN' if self.gate_open else 'closed'} — {self.reason}"


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return special.expit(z)


def design(p_market: np.ndarray, p_model: np.ndarray) -> np.ndarray:
    zm = _logit(p_market)
    return np.column_stack([np.ones_like(zm), zm, _logit(p_model) - zm])


def fit_logistic(
    x: np.ndarray, y: np.ndarray, clusters: np.ndarray | None = None, iterations: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """(coefficients, covariance) of a logistic regression by Newton-Raphson; the covariance is the
    cluster-robust sandwich when ``clusters`` is given (else the inverse Fisher information)."""
    beta = np.zeros(x.shape[1])
    beta[1] = 1.0 if x.shape[1] > 1 else 0.0  # start at "the market is right"
    ridge = 1e-8 * np.eye(x.shape[1])
    for _ in range(iterations):
        p = _sigmoid(x @ beta)
        w = p * (1 - p)
        hessian = x.T @ (x * w[:, None]) + ridge
        step = np.linalg.solve(hessian, x.T @ (y - p))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = _sigmoid(x @ beta)
    bread = np.linalg.inv(x.T @ (x * (p * (1 - p))[:, None]) + ridge)
    if clusters is None:
        return beta, bread
    scores = x * (y - p)[:, None]
    codes, _ = pd.factorize(clusters)
    per_cluster = np.zeros((codes.max() + 1, x.shape[1]))
    np.add.at(per_cluster, codes, scores)
    g = len(per_cluster)
    meat = per_cluster.T @ per_cluster * (g / max(1, g - 1))
    return beta, bread @ meat @ bread


def walk_forward_difference(
    p_market: np.ndarray, p_model: np.ndarray, y: np.ndarray, days: np.ndarray, blocks: int = WALK_FORWARD_BLOCKS
) -> dict:
    """Paired per-line log-loss and Brier differences (blend - market) where each block of game days is
    predicted by a combiner fitted only on the days before it; intervals bootstrap whole game days."""
    order = np.argsort(days, kind="stable")
    p_market, p_model, y, days = p_market[order], p_model[order], y[order], days[order]
    unique_days = np.unique(days)
    if len(unique_days) < blocks:
        return {"n": 0}
    cuts = np.array_split(unique_days, blocks)
    diff_ll, diff_brier, when = [], [], []
    for k in range(1, blocks):
        train = days < cuts[k][0]
        test = np.isin(days, cuts[k])
        if train.sum() < MIN_LINES // 2 or not test.any():
            continue
        beta, _ = fit_logistic(design(p_market[train], p_model[train]), y[train])
        blend = _sigmoid(design(p_market[test], p_model[test]) @ beta)
        diff_ll.append(log_loss_rows(blend, y[test]) - log_loss_rows(p_market[test], y[test]))
        diff_brier.append((blend - y[test]) ** 2 - (p_market[test] - y[test]) ** 2)
        when.append(days[test])
    if not diff_ll:
        return {"n": 0}
    when_all = np.concatenate(when)
    ll = day_bootstrap_mean(np.concatenate(diff_ll), when_all)
    brier = day_bootstrap_mean(np.concatenate(diff_brier), when_all)
    return {"n": ll.n, "days": ll.days, "logloss_diff": ll.to_dict(), "brier_diff": brier.to_dict()}


def fit_combiner(
    market: str,
    p_market: np.ndarray,
    p_model: np.ndarray,
    over: np.ndarray,
    days: np.ndarray,
    min_lines: int = MIN_LINES,
) -> Combiner:
    """Fit the combiner on earlier decided lines (``over`` 1/0, NaN dropped) and decide the gate."""
    p_market, p_model = np.asarray(p_market, dtype="float64"), np.asarray(p_model, dtype="float64")
    y = np.asarray(over, dtype="float64")
    days = np.asarray(pd.to_datetime(pd.Series(days)).to_numpy())
    ok = np.isfinite(p_market) & np.isfinite(p_model) & np.isfinite(y)
    p_market, p_model, y, days = p_market[ok], p_model[ok], y[ok], days[ok]
    n, n_days = int(len(y)), int(len(np.unique(days)))
    if n < min_lines:
        return Combiner(
            market=market,
            n=n,
            days=n_days,
            reason=f"no demonstrated information beyond the line: only {n:,} earlier lines with an "
            f"out-of-fold model probability (need {min_lines:,}); the combiner is the market (c = 0)",
        )
    beta, cov = fit_logistic(design(p_market, p_model), y, clusters=days)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    ci = [(float(beta[i] - Z95 * se[i]), float(beta[i] + Z95 * se[i])) for i in range(3)]
    wf = walk_forward_difference(p_market, p_model, y, days)
    c, (c_lo, c_hi) = float(beta[2]), ci[2]
    figures = f"c = {c:.2f} [{c_lo:.2f}, {c_hi:.2f}] on {n:,} lines"
    if wf.get("n"):
        d = wf["logloss_diff"]
        figures += (
            f"; walk-forward log loss blend - market {d['estimate']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}] "
            f"on {wf['n']:,} lines"
        )
    evidence = c_lo > 0 and bool(wf.get("n")) and wf["logloss_diff"]["high"] < 0
    if evidence:
        reason = f"the model adds information beyond the line ({figures})"
    elif c_lo <= 0:
        reason = f"no demonstrated information beyond the line ({figures})"
    else:
        reason = f"the model's information did not improve log loss out of sample ({figures})"
    return Combiner(
        market=market,
        a=float(beta[0]),
        b=float(beta[1]),
        c=c,
        a_ci=ci[0],
        b_ci=ci[1],
        c_ci=ci[2],
        n=n,
        days=n_days,
        fitted=True,
        gate_open=evidence,
        reason=reason,
        walk_forward=wf,
    )
