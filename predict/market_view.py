"""The market's view of a line: fair probabilities from a book's two-way price, and the distribution they imply.

De-vig: the two sides' implied probabilities (1 / decimal odds) sum to more than 1 by the book's margin, and
how that margin is shared between the sides is a modelling choice:

- ``multiplicative`` divides each side by the sum (the margin is shared in proportion to the price);
- ``power`` raises both to the k that makes them sum to 1 (more of the margin comes off the long shot);
- ``shin`` is Shin's (1993) model of a book pricing against a share z of insiders, which also loads the
  margin onto the long shot (the favourite-longshot bias).

None of them has a fitted parameter, so their log loss on earlier lines is an honest out-of-sample figure,
and :func:`choose_devig` picks the one that has priced past outcomes best.

Implied mean: the fair P(over) at a line pins down the one mean of the model's distribution family (the
negative binomial of :mod:`predict.distribution` with a given dispersion) that reproduces it; that mean (or
its median) is the market's projection, comparable with the model's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from predict.distribution import MIN_MEAN, Dispersion, cdf, median, pmf

DEVIG_METHODS = ("multiplicative", "power", "shin")
LOG_LOSS_EPS = 1e-6
P_CLIP = 1e-4  # implied_mean: fair prices beyond 1:9999 carry no information about the mean
_LOGIT_CLIP = 1e-15


def american_to_decimal(odds) -> np.ndarray:
    """-110 -> 1.909, +150 -> 2.5; 0 or NaN -> NaN. (Kept here too so pricing can import de-vig without a cycle.)"""
    o = np.asarray(odds, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(o > 0, 1 + o / 100.0, 1 + 100.0 / np.abs(o))
    return np.where((o == 0) | ~np.isfinite(o), np.nan, out)


def _implied(over_odds, under_odds) -> tuple[np.ndarray, np.ndarray]:
    return 1.0 / american_to_decimal(over_odds), 1.0 / american_to_decimal(under_odds)


def devig(over_odds, under_odds, method: str = "multiplicative") -> tuple[np.ndarray, np.ndarray]:
    """Fair (over, under) probabilities of two-way American prices (arrays). NaN where odds are invalid (0/NaN)."""
    if method not in DEVIG_METHODS:
        raise ValueError(f"de-vig method {method!r} is unknown; use one of {', '.join(map(repr, DEVIG_METHODS))}")
    qo, qu = _implied(over_odds, under_odds)
    if method == "multiplicative":
        total = qo + qu
        return qo / total, qu / total
    if method == "power":
        po, pu = _power(qo, qu)
    else:
        po, pu = _shin(qo, qu)
    total = po + pu  # the bisection leaves the sum a hair off 1; the callers rely on it being exact
    return po / total, pu / total


def _power(qo: np.ndarray, qu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """qo**k, qu**k with the k (by bisection; the sum falls with k) that makes them sum to 1."""
    lo, hi = np.full_like(qo, 0.2), np.full_like(qo, 5.0)
    for _ in range(60):
        k = (lo + hi) / 2
        above = qo**k + qu**k > 1
        lo, hi = np.where(above, k, lo), np.where(above, hi, k)
    k = (lo + hi) / 2
    return qo**k, qu**k


def _shin_probs(z: np.ndarray, q: np.ndarray, total: np.ndarray) -> np.ndarray:
    return (np.sqrt(z**2 + 4 * (1 - z) * q**2 / total) - z) / (2 * (1 - z))


def _shin(qo: np.ndarray, qu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shin's probabilities: the insider share z in [0, 1) (by bisection; the sum falls with z) that makes them
    sum to 1. With no margin (sum of implied <= 1) there is nothing to explain: z = 0 and the result is q / sum."""
    total = qo + qu
    margin = total > 1
    lo, hi = np.zeros_like(qo), np.ones_like(qo)
    for _ in range(60):
        z = (lo + hi) / 2
        above = _shin_probs(z, qo, total) + _shin_probs(z, qu, total) > 1
        lo, hi = np.where(above, z, lo), np.where(above, hi, z)
    z = (lo + hi) / 2
    po = np.where(margin, _shin_probs(z, qo, total), qo / total)
    pu = np.where(margin, _shin_probs(z, qu, total), qu / total)
    return po, pu


@dataclass(frozen=True)
class DevigChoice:
    method: str  # chosen method
    log_loss: dict[str, float]  # per method, mean log loss of fair P(over) on the rows used
    n: int  # rows used (decided lines)
    reason: str


def choose_devig(
    over_odds, under_odds, over_happened, min_rows: int = 200, default: str = "multiplicative"
) -> DevigChoice:
    """The de-vig method whose fair P(over) had the lowest log loss on earlier decided lines (individual book
    offers). The methods have no fitted parameter, so this is already out of sample; with too few lines to tell
    them apart the ``default`` stays."""
    if default not in DEVIG_METHODS:
        raise ValueError(f"default de-vig method {default!r} is unknown; use one of {', '.join(DEVIG_METHODS)}")
    y = np.asarray(over_happened, dtype="float64")
    qo, qu = _implied(over_odds, under_odds)
    used = np.isfinite(y) & np.isfinite(qo) & np.isfinite(qu)
    n = int(used.sum())
    over, under = np.asarray(over_odds, dtype="float64")[used], np.asarray(under_odds, dtype="float64")[used]
    y = y[used]
    log_loss = {}
    for method in DEVIG_METHODS:
        p = np.clip(devig(over, under, method)[0], LOG_LOSS_EPS, 1 - LOG_LOSS_EPS)
        log_loss[method] = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))) if n else float("nan")
    if n < min_rows:
        return DevigChoice(default, log_loss, n, f"{default}: default, only {n:,} earlier lines (need {min_rows:,})")
    best = min(DEVIG_METHODS, key=lambda m: log_loss[m])  # ties go to the earlier (simpler) method
    return DevigChoice(best, log_loss, n, f"{best}: lowest log loss on {n:,} earlier lines")


def _over_share(mu: np.ndarray, line: np.ndarray, whole: np.ndarray, dispersion: Dispersion) -> np.ndarray:
    """P(over | no push) = over / (over + under), as side_probabilities gives it, but with the push (the cheap pmf)
    only on whole lines: the incomplete beta of the CDF is nearly all of the cost, and this runs once per pass."""
    under = cdf(np.ceil(line) - 1, mu, dispersion)
    share = 1.0 - under
    if whole.any():
        over = np.clip(share[whole] - pmf(line[whole], mu[whole], dispersion), 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            share[whole] = over / (over + under[whole])
    return share


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _LOGIT_CLIP, 1 - _LOGIT_CLIP)
    return np.log(p) - np.log1p(-p)


def _normal_guess(p: np.ndarray, line: np.ndarray, dispersion: Dispersion) -> np.ndarray:
    """A starting mean from the normal approximation, mu = line + z_p * sd(mu) (a few fixed-point steps): close
    enough that the exact root is usually within a few per cent of it."""
    z = special.ndtri(p)
    mu = np.maximum(line, 1.0)
    for _ in range(6):
        sd = np.sqrt(mu * (dispersion.a + dispersion.b * mu))
        mu = np.clip(line + z * sd, MIN_MEAN, 1e6)
    return mu


def implied_mean(p_over, line, dispersion: Dispersion, max_mean: float | None = None) -> np.ndarray:
    """The mean of the market's distribution (the negative binomial of predict.distribution with this dispersion) whose
    P(over | no push) at `line` equals `p_over`: the distribution family's parameter that reproduces the fair price.

    P(over | no push) rises with the mean, so a root on log(mean) is bracketed by stepping out (doubling the step)
    from the normal approximation's guess, within [MIN_MEAN, max_mean] (a price beyond an end gives that end), and
    then found by Anderson-Bjorck regula falsi on the logit scale, where the curve is close to a straight line.
    Each pass costs an incomplete beta per row: a plain bisection would need ~60 passes over every row, this needs
    a handful, and rows drop out as they converge (100,000 rows in a fraction of a second)."""
    p = np.asarray(p_over, dtype="float64")
    line = np.asarray(line, dtype="float64")
    p, line = np.broadcast_arrays(p, line)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p) & np.isfinite(line)
    if not ok.any():
        return out
    p = np.clip(p[ok], P_CLIP, 1 - P_CLIP)
    ln = line[ok]
    whole = np.isclose(ln, np.round(ln))
    ln = np.where(whole, np.round(ln), ln)
    target = _logit(p)

    def f(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return _logit(_over_share(np.exp(x), ln[idx], whole[idx], dispersion)) - target[idx]

    lo_end = np.log(MIN_MEAN)
    hi_end = np.log(max(max_mean, MIN_MEAN)) if max_mean is not None else np.log(1e9)
    x = np.clip(np.log(_normal_guess(p, ln, dispersion)), lo_end, hi_end)
    a, b, fa, fb, active = _bracket(f, x, lo_end, hi_end)
    _anderson_bjorck(f, x, a, b, fa, fb, active)
    out[ok] = np.exp(x)
    return out


def _bracket(f, x: np.ndarray, lo_end: float, hi_end: float):
    """Per row a bracket a < b with f(a) < 0 < f(b), stepping out from ``x`` with a doubling step, and the rows that
    have one. Rows without one get their answer written into ``x`` in place: an exact root, or the end reached (a
    price beyond what any mean inside the ends gives)."""
    n = len(x)
    a, b, fa, fb = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    f0 = f(x, np.arange(n))
    x[~np.isfinite(f0)] = np.nan
    up = f0 < 0
    prev, f_prev = x.copy(), f0
    step = np.where(up, 0.05, -0.05)
    bracketed = np.zeros(n, dtype=bool)
    todo = np.flatnonzero(np.isfinite(f0) & (f0 != 0))
    for _ in range(60):
        if not len(todo):
            break
        xn = np.clip(prev[todo] + step[todo], lo_end, hi_end)
        fn = f(xn, todo)
        rising = up[todo]
        crossed = np.where(rising, fn > 0, fn < 0)
        x[todo] = xn
        rows = todo[crossed]
        a[rows] = np.where(rising, prev[todo], xn)[crossed]
        fa[rows] = np.where(rising, f_prev[todo], fn)[crossed]
        b[rows] = np.where(rising, xn, prev[todo])[crossed]
        fb[rows] = np.where(rising, fn, f_prev[todo])[crossed]
        bracketed[rows] = True
        prev[todo], f_prev[todo] = xn, fn
        step[todo] *= 2
        todo = todo[~crossed & (fn != 0) & (xn > lo_end) & (xn < hi_end)]
    return a, b, fa, fb, np.flatnonzero(bracketed)


def _anderson_bjorck(
    f, x: np.ndarray, a: np.ndarray, b: np.ndarray, fa: np.ndarray, fb: np.ndarray, active: np.ndarray
) -> None:
    """Regula falsi with the Anderson-Bjorck weight on the bracketed rows, writing each new point into ``x`` in
    place. Plain regula falsi keeps one end for ever on a convex curve; scaling the kept end's value by
    1 - f(c)/f(replaced end) restores superlinear convergence while the root stays bracketed."""
    a, b, fa, fb = a[active], b[active], fa[active], fb[active]
    for _ in range(100):
        if not len(active):
            break
        c = b - fb * (b - a) / (fb - fa)
        bad = ~((c > a) & (c < b))
        c[bad] = (a[bad] + b[bad]) / 2
        fc = f(c, active)
        x[active] = c
        up = fc > 0  # c replaces b, a is kept
        with np.errstate(divide="ignore", invalid="ignore"):
            m = 1 - fc / np.where(up, fb, fa)
        m = np.where(m > 0, m, 0.5)
        fa = np.where(up, fa * m, fc)
        fb = np.where(up, fc, fb * m)
        a, b = np.where(up, a, c), np.where(up, c, b)
        keep = (np.abs(fc) > 1e-9) & (b - a > 1e-12)
        active, a, b, fa, fb = active[keep], a[keep], b[keep], fa[keep], fb[keep]


def implied_median(p_over, line, dispersion: Dispersion) -> np.ndarray:
    """The median of the market's implied distribution: a whole-number projection to set beside the model's."""
    mu = implied_mean(p_over, line, dispersion)
    return median(mu, dispersion)
