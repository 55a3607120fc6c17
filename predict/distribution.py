"""The predictive distribution: a negative binomial around the model's mean, with a fitted dispersion.

Box-score counts are over-dispersed and their spread grows with the mean, so the variance is
``mu * (a + b * mu)`` with ``a >= 1``, ``b >= 0`` fitted per market by maximum likelihood on held-out
rows (the validation window, so the spread includes the model's own error). When the fit leaves no
over-dispersion the distribution is Poisson. From it come P(over), P(under) and P(push) for any line:
a push is only possible on a whole-number line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import special  # scipy.stats/optimize load lazily: they double `nbaprops score`'s start-up

MIN_MEAN = 0.05  # a squared-error model can predict <= 0 for a deep bench player
POISSON_EPS = 1e-6


@dataclass(frozen=True)
class Dispersion:
    """Variance = mu * (a + b * mu)."""

    a: float = 1.0
    b: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class SideProbabilities:
    over: np.ndarray
    under: np.ndarray
    push: np.ndarray


def _nb_params(mu: np.ndarray, disp: Dispersion) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(mean, n, p) in scipy's parametrisation, and a mask where the distribution is Poisson."""
    mu = np.maximum(np.asarray(mu, dtype="float64"), MIN_MEAN)
    excess = (disp.a - 1.0) + disp.b * mu  # variance / mu - 1
    poisson = excess < POISSON_EPS
    excess = np.where(poisson, 1.0, excess)
    n = mu / excess
    p = 1.0 / (1.0 + excess)
    return mu, n, p, poisson


def cdf(k: np.ndarray, mu: np.ndarray, disp: Dispersion) -> np.ndarray:
    """P(X <= k) (k is floored; negative k gives 0): the regularised incomplete beta for the negative
    binomial, the Poisson sum for Poisson, as scipy.stats computes them."""
    mu, n, p, poisson = _nb_params(mu, disp)
    k = np.floor(np.asarray(k, dtype="float64"))
    valid = k >= 0
    k = np.where(valid, k, 0.0)
    return np.where(valid, np.where(poisson, special.pdtr(k, mu), special.betainc(n, k + 1.0, p)), 0.0)


def pmf(k: np.ndarray, mu: np.ndarray, disp: Dispersion) -> np.ndarray:
    """P(X = k) for whole-number ``k`` (0 for negative or fractional k)."""
    mu, n, p, poisson = _nb_params(mu, disp)
    k = np.asarray(k, dtype="float64")
    valid = (k >= 0) & (k == np.floor(k))
    k = np.where(valid, k, 0.0)
    log_k_fact = special.gammaln(k + 1)
    log_nb = special.gammaln(k + n) - special.gammaln(n) - log_k_fact + n * np.log(p) + special.xlog1py(k, -p)
    log_poisson = special.xlogy(k, mu) - mu - log_k_fact
    return np.where(valid, np.exp(np.where(poisson, log_poisson, log_nb)), 0.0)


def log_likelihood(y: np.ndarray, mu: np.ndarray, disp: Dispersion) -> np.ndarray:
    """Per-row log probability of the observed (rounded) counts (written out: scipy's logpmf is slow in a fit loop)."""
    mu, n, p, poisson = _nb_params(mu, disp)
    y = np.rint(np.asarray(y, dtype="float64"))
    log_y_fact = special.gammaln(y + 1)
    nb = special.gammaln(y + n) - special.gammaln(n) - log_y_fact + n * np.log(p) + y * np.log1p(-p)
    return np.where(poisson, y * np.log(mu) - mu - log_y_fact, nb)


def quantile(q: float, mu: np.ndarray, disp: Dispersion) -> np.ndarray:
    from scipy import stats

    mu, n, p, poisson = _nb_params(mu, disp)
    return np.where(poisson, stats.poisson.ppf(q, mu), stats.nbinom.ppf(q, n, p))


def median(mu: np.ndarray, disp: Dispersion) -> np.ndarray:
    """The smallest whole k with P(X <= k) >= 1/2, by bisection on whole numbers with ``cdf`` (scoring uses it:
    ``quantile`` would load scipy.stats, a second of start-up). NaN mean gives NaN."""
    mu = np.asarray(mu, dtype="float64")
    finite = np.isfinite(mu)
    m = np.maximum(np.where(finite, mu, 1.0), MIN_MEAN)
    sd = np.sqrt(m * (disp.a + max(disp.b, 0.0) * m))
    lo, hi = np.maximum(0.0, np.floor(m - 6 * sd - 1)), np.ceil(m + 6 * sd + 1)
    while np.any(hi > lo):
        mid = np.floor((lo + hi) / 2)
        enough = cdf(mid, m, disp) >= 0.5
        hi, lo = np.where(enough, mid, hi), np.where(enough, lo, mid + 1)
    return np.where(finite, lo, np.nan)


def side_probabilities(mu: np.ndarray, line: np.ndarray, disp: Dispersion) -> SideProbabilities:
    """P(over), P(under), P(push) of each line (over: strictly above; push: exactly on a whole line)."""
    line = np.asarray(line, dtype="float64")
    whole = np.isclose(line, np.round(line))
    under = cdf(np.ceil(line) - 1, mu, disp)
    push = np.where(whole, pmf(np.round(line), mu, disp), 0.0)
    over = np.clip(1.0 - under - push, 0.0, 1.0)
    return SideProbabilities(over=over, under=under, push=push)


def fit_dispersion(y: np.ndarray, mu: np.ndarray) -> Dispersion:
    """Maximum-likelihood (a, b) on held-out rows; a = 1 + e^t0, b = e^t1 keeps the family valid."""
    y = np.asarray(y, dtype="float64")
    mu = np.asarray(mu, dtype="float64")
    ok = np.isfinite(y) & np.isfinite(mu) & (y >= 0)
    y, mu = y[ok], mu[ok]
    if len(y) < 30:
        return Dispersion()

    from scipy import optimize

    def nll(theta: np.ndarray) -> float:
        disp = Dispersion(1.0 + float(np.exp(theta[0])), float(np.exp(theta[1])))
        return -float(log_likelihood(y, mu, disp).mean())

    best = optimize.minimize(nll, np.array([-1.0, -4.0]), method="Nelder-Mead", options={"xatol": 1e-3, "fatol": 1e-7})
    poisson_nll = -float(log_likelihood(y, mu, Dispersion()).mean())
    if poisson_nll <= best.fun:
        return Dispersion()
    return Dispersion(1.0 + float(np.exp(best.x[0])), float(np.exp(best.x[1])))
