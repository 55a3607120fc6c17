"""The calibration map is chosen walk-forward among identity, Platt and isotonic, on synthetic events whose
true curve is known, and it survives the JSON trip to model metadata (including metadata written before
isotonic existed) without scoring having to import the fitting code (scipy.optimize)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from predict.calibration import MIN_EVENTS, Calibration, fit_calibration, fit_walk_forward_calibration

N = 20000


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _model_probabilities(rng: np.random.Generator, n: int = N) -> np.ndarray:
    return _sigmoid(rng.normal(0, 1.2, n))


def test_a_logistic_distortion_is_recovered_by_platt():
    rng = np.random.default_rng(11)
    p = _model_probabilities(rng)
    truth = _sigmoid(0.3 + 0.6 * np.log(p / (1 - p)))
    cal = fit_calibration(pd.DataFrame({"p": p, "over": rng.random(N) < truth}))
    assert cal.method == "platt"
    assert cal.a == pytest.approx(0.3, abs=0.05) and cal.b == pytest.approx(0.6, abs=0.05)
    assert cal.walk_forward["platt"] < min(cal.walk_forward["identity"], cal.walk_forward["isotonic"])
    assert cal.events == N and cal.logloss_after < cal.logloss_before


def test_a_step_shaped_truth_is_recovered_by_isotonic():
    rng = np.random.default_rng(12)
    p = rng.random(N)
    y = rng.random(N) < np.where(p < 0.5, 0.2, 0.8)
    cal = fit_walk_forward_calibration(p, y)
    assert cal.method == "isotonic"
    assert set(cal.walk_forward) == {"identity", "platt", "isotonic"}
    assert cal.walk_forward["isotonic"] < cal.walk_forward["platt"] < cal.walk_forward["identity"]
    assert cal.apply(np.array([0.1, 0.4]))[0] == pytest.approx(0.2, abs=0.05)
    assert cal.apply(np.array([0.6, 0.9]))[1] == pytest.approx(0.8, abs=0.05)


def test_calibrated_probabilities_are_left_alone_or_barely_changed():
    rng = np.random.default_rng(13)
    p = _model_probabilities(rng)
    cal = fit_walk_forward_calibration(p, rng.random(N) < p)
    assert cal.method == "identity" or cal.walk_forward[cal.method] > cal.walk_forward["identity"] - 0.001
    assert fit_walk_forward_calibration(p[: MIN_EVENTS - 1], p[: MIN_EVENTS - 1] > 0.5) == Calibration(
        events=MIN_EVENTS - 1
    )


@pytest.mark.parametrize("seed,shape", [(14, "logistic"), (15, "step")])
def test_json_round_trip_applies_identically(seed, shape):
    rng = np.random.default_rng(seed)
    p = rng.random(5000)
    truth = _sigmoid(0.3 + 0.6 * np.log(p / (1 - p))) if shape == "logistic" else np.where(p < 0.5, 0.2, 0.8)
    cal = fit_walk_forward_calibration(p, rng.random(len(p)) < truth)
    back = Calibration(**json.loads(json.dumps(cal.to_dict())))
    grid = np.linspace(0, 1, 1001)
    assert back == cal
    np.testing.assert_array_equal(back.apply(grid), cal.apply(grid))


def test_metadata_written_before_the_method_choice_still_loads():
    old = {"a": 0.2, "b": 0.7, "events": 900, "logloss_before": 0.69, "logloss_after": 0.68}
    cal = Calibration(**old)
    assert cal.method == "platt" and cal.walk_forward == {}
    assert cal.apply(np.array([0.5]))[0] == pytest.approx(_sigmoid(np.array(0.2)))
    assert (
        Calibration(**{"a": 0.0, "b": 1.0, "events": 50, "logloss_before": None, "logloss_after": None}).method
        == "identity"
    )


def test_every_map_is_monotone_inside_the_unit_interval():
    rng = np.random.default_rng(16)
    p = rng.random(3000)
    grid = np.concatenate([[0.0, 1e-9], np.linspace(0, 1, 2001), [1 - 1e-9, 1.0]])
    grid.sort()
    maps = [
        Calibration(),
        Calibration(method="platt", a=-0.4, b=1.7),
        fit_walk_forward_calibration(p, rng.random(len(p)) < np.where(p < 0.5, 0.2, 0.8)),
    ]
    for cal in maps:
        out = cal.apply(grid)
        assert np.all(np.diff(out) >= 0), cal.method
        assert np.all((out > 0) & (out < 1)), cal.method


def test_scoring_applies_a_calibration_without_loading_the_fitting_code():
    # scikit-learn is deliberately not a dependency: xgboost imports it whenever it is installed (xgboost.compat),
    # which cost every `nbaprops score` ~0.8 s of start-up; scipy's isotonic_regression and our logistic fit do.
    code = (
        "import sys, predict.calibration as c; c.Calibration(method='isotonic', x=[0, 1], y=[0.2, 0.8]).apply([0.5]); "
        "print('scipy.optimize' in sys.modules or 'sklearn' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
