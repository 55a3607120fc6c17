"""The market's view of a line (de-vig methods, their choice, the implied mean) and the evaluation intervals, on
hand-made and synthetic cases: fast, no data files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from predict.distribution import Dispersion, quantile, side_probabilities
from predict.evaluation import (
    Interval,
    brier_rows,
    day_bootstrap_mean,
    day_bootstrap_ratio,
    log_loss_rows,
    wilson,
)
from predict.market_view import DEVIG_METHODS, choose_devig, devig, implied_mean, implied_median


def _american(q: np.ndarray) -> np.ndarray:
    """American price of an implied probability."""
    return np.where(q >= 0.5, -100 * q / (1 - q), 100 * (1 - q) / q)


# --- de-vig ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", DEVIG_METHODS)
def test_devig_sums_to_one_and_is_even_on_a_symmetric_price(method):
    over = np.array([-110, -300, 240, -150, 105, 0, np.nan, -110])
    under = np.array([-110, 240, -300, 120, -125, -110, -110, np.nan])
    po, pu = devig(over, under, method)
    assert np.allclose(po[:5] + pu[:5], 1.0, atol=1e-9)
    assert po[0] == pytest.approx(0.5, abs=1e-12) and pu[0] == pytest.approx(0.5, abs=1e-12)
    assert po[1] == pytest.approx(pu[2], abs=1e-12)  # mirrored prices give mirrored probabilities
    assert np.isnan(po[5:]).all() and np.isnan(pu[5:]).all()


def test_devig_power_and_shin_take_more_off_the_long_shot():
    fav = {m: devig(np.array([-300.0]), np.array([240.0]), m)[0][0] for m in DEVIG_METHODS}
    assert fav["multiplicative"] == pytest.approx(0.75 / (0.75 + 1 / 3.4))
    assert fav["power"] > fav["multiplicative"]
    assert fav["shin"] > fav["multiplicative"]


def test_devig_without_margin_is_proportional():
    po, pu = devig(np.array([110.0]), np.array([110.0]), "shin")  # implied probabilities sum below 1
    assert po[0] == pytest.approx(0.5) and pu[0] == pytest.approx(0.5)


def test_devig_unknown_method():
    with pytest.raises(ValueError, match="'additive'.*multiplicative.*power.*shin"):
        devig(np.array([-110.0]), np.array([-110.0]), "additive")


def _shin_book(n: int, seed: int):
    """Two-way prices over a wide favourite-longshot range, with outcomes drawn from Shin's fair probabilities."""
    rng = np.random.default_rng(seed)
    fair, margin = rng.uniform(0.05, 0.95, n), rng.uniform(0.04, 0.10, n)
    qo, qu = fair + margin / 2, 1 - fair + margin / 2
    ok = (qo < 0.99) & (qu < 0.99)
    over, under = np.round(_american(qo[ok])), np.round(_american(qu[ok]))
    y = (rng.random(ok.sum()) < devig(over, under, "shin")[0]).astype("float64")
    return over, under, y


def test_choose_devig_finds_the_method_behind_the_outcomes():
    over, under, y = _shin_book(20_000, seed=7)
    y[:50] = np.nan  # pushes / unplayed
    over[50:60] = 0  # invalid price
    choice = choose_devig(over, under, y)
    assert choice.method == "shin"
    assert choice.n == len(y) - 60
    assert set(choice.log_loss) == set(DEVIG_METHODS)
    assert choice.log_loss["shin"] < min(choice.log_loss["power"], choice.log_loss["multiplicative"])
    assert choice.reason == f"shin: lowest log loss on {choice.n:,} earlier lines"


def test_choose_devig_keeps_the_default_with_few_lines():
    over, under, y = _shin_book(60, seed=1)
    choice = choose_devig(over, under, y, min_rows=200, default="power")
    assert choice.method == "power"
    assert choice.reason == f"power: default, only {choice.n:,} earlier lines (need 200)"
    assert all(np.isfinite(v) for v in choice.log_loss.values())
    empty = choose_devig(np.array([]), np.array([]), np.array([]))
    assert empty.method == "multiplicative" and empty.n == 0 and np.isnan(empty.log_loss["shin"])


# --- implied mean --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("disp", [Dispersion(), Dispersion(1.3, 0.05), Dispersion(1.0, 0.4), Dispersion(2.0, 0.0)])
def test_implied_mean_round_trip(disp):
    mu = np.array([0.8, 3.2, 7.5, 12.0, 24.6, 31.0, 9.0, 2.0])
    line = np.array([0.5, 3.0, 7.5, 11.5, 25.0, 27.5, 14.5, 4.5])  # whole lines (a push is possible) included
    s = side_probabilities(mu, line, disp)
    p = s.over / (s.over + s.under)
    assert np.allclose(implied_mean(p, line, disp), mu, rtol=1e-4)
    assert np.array_equal(implied_median(p, line, disp), quantile(0.5, implied_mean(p, line, disp), disp))


def test_implied_mean_edges():
    disp = Dispersion(1.2, 0.05)
    out = implied_mean(np.array([np.nan, 0.5, 1.0, 0.0]), np.array([10.5, np.nan, 10.5, 10.5]), disp)
    assert np.isnan(out[:2]).all()
    assert out[2] > 10.5 and out[3] < 10.5  # certain prices are clipped to 1:9999, not sent to the ends
    assert implied_mean(np.array([0.9]), np.array([10.5]), disp, max_mean=12.0)[0] == pytest.approx(12.0)
    assert implied_mean(np.array([0.01]), np.array([0.5]), disp)[0] == pytest.approx(0.05)  # below MIN_MEAN's price
    assert np.isnan(implied_median(np.array([np.nan]), np.array([3.5]), disp)).all()
    mean = implied_mean(np.array([0.3, 0.5, 0.7]), np.array([20.5, 20.5, 20.5]), disp)
    assert np.all(np.diff(mean) > 0)


def test_implied_mean_round_trips_on_many_random_lines():
    rng = np.random.default_rng(0)
    n = 100_000
    mu = rng.uniform(0.3, 40, n)
    line = np.round(mu * rng.uniform(0.6, 1.4, n)) + np.where(np.arange(n) % 2, 0.5, 0.0)
    disp = Dispersion(1.3, 0.05)
    s = side_probabilities(mu, line, disp)
    p = s.over / (s.over + s.under)
    got = implied_mean(p, line, disp)  # its speed is a `make bench` figure (scoring), never a timed test
    informative = (p > 1e-4) & (p < 1 - 1e-4) & (mu > 0.05)
    assert np.allclose(got[informative], mu[informative], rtol=1e-6)


# --- evaluation ----------------------------------------------------------------------------------------------


def test_row_scores():
    p, y = np.array([0.8, 0.8, 0.0, 1.0]), np.array([1.0, 0.0, 1.0, 1.0])
    assert np.allclose(log_loss_rows(p, y), [-np.log(0.8), -np.log(0.2), -np.log(1e-6), -np.log(1 - 1e-6)])
    assert np.allclose(brier_rows(p, y), [0.04, 0.64, 1.0, 0.0])


def _clustered(n_days: int, seed: int, per_day: int = 12):
    """Values with a shared day effect: true mean 1.0."""
    rng = np.random.default_rng(seed)
    day_effect = rng.normal(0, 0.5, n_days)
    days = np.repeat(pd.date_range("2024-11-01", periods=n_days).to_numpy(), per_day)
    values = 1.0 + np.repeat(day_effect, per_day) + rng.normal(0, 1, n_days * per_day)
    return values, days


def test_day_bootstrap_mean_covers_and_shrinks():
    values, days = _clustered(40, seed=3)
    small = day_bootstrap_mean(values, days)
    assert small.low < 1.0 < small.high
    assert small.estimate == pytest.approx(values.mean())
    assert (small.n, small.days) == (480, 40)
    big = day_bootstrap_mean(*_clustered(400, seed=3))
    assert big.low < 1.0 < big.high
    assert big.high - big.low < 0.5 * (small.high - small.low)
    assert day_bootstrap_mean(values, days) == small  # same seed, same answer


def test_day_bootstrap_mean_is_wider_than_a_naive_interval_on_clustered_rows():
    values, days = _clustered(60, seed=5, per_day=30)
    clustered = day_bootstrap_mean(values, days)
    naive = 2 * 1.96 * values.std() / np.sqrt(len(values))
    assert clustered.high - clustered.low > 1.5 * naive


def test_day_bootstrap_mean_edges():
    one_day = day_bootstrap_mean(np.array([0.3, 0.3, 0.3, np.nan]), ["2025-01-02"] * 4)
    assert one_day == Interval(0.3, 0.3, 0.3, 3, 1)
    same = day_bootstrap_mean(np.full(6, 2.0), pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03"] * 2))
    assert (same.low, same.high, same.days) == (2.0, 2.0, 3)
    empty = day_bootstrap_mean(np.array([np.nan]), ["2025-01-01"])
    assert np.isnan(empty.estimate) and (empty.n, empty.days) == (0, 0)
    assert set(empty.to_dict()) == {"estimate", "low", "high", "n", "days"}


def test_day_bootstrap_ratio():
    # day 1: +1 on 1 staked, day 2: -1 on 1 staked, day 3: +2 on 2 staked -> ROI 2/4
    profit = np.array([1.0, -1.0, 1.0, 1.0, np.nan])
    staked = np.array([1.0, 1.0, 1.0, 1.0, 1.0])
    days = ["d1", "d2", "d3", "d3", "d3"]
    roi = day_bootstrap_ratio(profit, staked, days, n_boot=4000)
    assert roi.estimate == pytest.approx(0.5)
    assert (roi.n, roi.days) == (4, 3)
    # resamples of whole days: the ROI ranges from all-d2 (-1) to d1/d3 only (+1)
    assert -1.0 <= roi.low < 0.5 < roi.high <= 1.0
    flat = day_bootstrap_ratio(np.array([0.2, 0.4]), np.array([1.0, 2.0]), ["a", "b"])
    assert (flat.estimate, flat.low, flat.high) == pytest.approx((0.2, 0.2, 0.2))
    nothing = day_bootstrap_ratio(np.array([0.0, 0.0]), np.array([0.0, 0.0]), ["a", "b"])
    assert np.isnan(nothing.estimate) and nothing.n == 2


def test_wilson():
    w = wilson(55, 100)
    assert w.estimate == pytest.approx(0.55)
    assert w.low == pytest.approx(0.4524, abs=1e-4) and w.high == pytest.approx(0.6438, abs=1e-4)
    assert (w.n, w.days) == (100, 0)
    assert wilson(0, 10).low == pytest.approx(0.0) and wilson(10, 10).high == pytest.approx(1.0)
    assert np.isnan(wilson(0, 0).estimate)


def test_median_without_scipy_stats_equals_the_negative_binomial_quantile():
    from predict.distribution import median, quantile

    rng = np.random.default_rng(1)
    for disp in (Dispersion(), Dispersion(1.8, 0.02), Dispersion(1.0, 0.3)):
        mu = rng.uniform(0.05, 60, 5000)
        assert np.array_equal(median(mu, disp), quantile(0.5, mu, disp))
    assert np.isnan(median(np.array([np.nan]), Dispersion()))[0]
