"""Phase 5 pieces on hand-made cases: distribution, calibration, de-vig / EV / Kelly / pick, grading (push on a
whole line, DNP = void), CLV, baselines, the time split, the registry's feature check and prediction versions."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nbacore.warehouse.duckdb_engine import DuckDBWarehouse
from predict.baselines import add_baselines, played_history
from predict.calibration import Calibration, fit_calibration
from predict.combiner import Combiner
from predict.config import ModelParams, PricingRules
from predict.distribution import Dispersion, SideProbabilities, fit_dispersion, side_probabilities
from predict.grade import bet_summary, daily_performance, grade_predictions, grade_side
from predict.market_view import devig
from predict.mart import required_nulls
from predict.pricing import american_to_decimal, expected_value, kelly_stake, price_rows
from predict.registry import ModelMismatch, check_compatible, load_model, save_model
from predict.tables import current_predictions, write_scores
from predict.train import time_split, train_model

KEYS = ["player_id", "game_id", "market"]


# --- distribution -----------------------------------------------------------------------------------------


def test_side_probabilities_sum_to_one_and_push_only_on_whole_lines():
    mu = np.array([20.0, 20.0, 1.4])
    disp = Dispersion(2.0, 0.01)
    p = side_probabilities(mu, np.array([19.5, 20.0, 1.0]), disp)
    assert np.allclose(p.over + p.under + p.push, 1.0)
    assert p.push[0] == 0 and p.push[1] > 0.03 and p.push[2] > 0.2
    # the half line splits exactly where the whole line pushes
    assert p.under[1] == pytest.approx(side_probabilities(mu[:1], np.array([19.5]), disp).under[0])


def test_negative_binomial_matches_scipy_with_variance_mu_times_a_plus_b_mu():
    mu, disp = 12.0, Dispersion(1.8, 0.02)
    var = mu * (disp.a + disp.b * mu)
    n, p = mu**2 / (var - mu), mu / var
    got = side_probabilities(np.array([mu]), np.array([14.5]), disp)
    assert got.over[0] == pytest.approx(stats.nbinom.sf(14, n, p))


def test_fit_dispersion_recovers_the_spread_it_was_drawn_with():
    rng = np.random.default_rng(3)
    mu = rng.uniform(2, 30, 20000)
    a, b = 2.2, 0.01
    var = mu * (a + b * mu)
    y = rng.negative_binomial(mu**2 / (var - mu), mu / var)
    fit = fit_dispersion(y, mu)
    assert fit.a == pytest.approx(a, abs=0.25) and fit.b == pytest.approx(b, abs=0.01)
    assert fit_dispersion(rng.poisson(mu), mu).a < 1.1  # no over-dispersion: (close to) Poisson


# --- calibration ------------------------------------------------------------------------------------------


def test_calibration_learns_that_an_overconfident_model_must_be_shrunk():
    rng = np.random.default_rng(4)
    z = rng.normal(0, 1.5, 20000)
    p_model = 1 / (1 + np.exp(-z))
    truth = 1 / (1 + np.exp(-0.5 * z))  # the world is half as sure as the model
    events = pd.DataFrame({"p": p_model, "over": rng.random(len(z)) < truth})
    cal = fit_calibration(events)
    assert cal.b == pytest.approx(0.5, abs=0.06)
    assert cal.logloss_after < cal.logloss_before
    assert fit_calibration(events.head(50)) == Calibration(events=50)  # too few events: identity


# --- pricing ----------------------------------------------------------------------------------------------


def test_american_odds_devig_ev_and_kelly_on_known_numbers():
    assert american_to_decimal(np.array([-110, 150]))[0] == pytest.approx(1.90909, abs=1e-4)
    assert american_to_decimal(np.array([-110, 150]))[1] == pytest.approx(2.5)
    fo, fu = devig(np.array([-110.0]), np.array([-110.0]))
    assert fo[0] == pytest.approx(0.5) and fu[0] == pytest.approx(0.5)
    fo, fu = devig(np.array([-150.0]), np.array([130.0]))  # implied 0.6 and 0.4348, sum 1.0348
    assert fo[0] == pytest.approx(0.6 / 1.034783, abs=1e-5)
    po, pu = devig(np.array([-150.0]), np.array([130.0]), "power")
    assert po[0] + pu[0] == pytest.approx(1.0, abs=1e-9)
    assert pu[0] < fu[0]  # the power method takes more margin off the long shot
    dec = american_to_decimal(np.array([-110.0]))
    assert expected_value(np.array([0.55]), np.array([0.0]), dec)[0] == pytest.approx(0.55 * 0.90909 - 0.45, abs=1e-4)
    rules = PricingRules(kelly_fraction=0.25, kelly_cap=0.05)
    full = (0.55 * 0.90909 - 0.45) / 0.90909
    assert kelly_stake(np.array([0.55]), np.array([0.0]), dec, rules)[0] == pytest.approx(0.25 * full, abs=1e-4)
    assert kelly_stake(np.array([0.45]), np.array([0.0]), dec, rules)[0] == 0.0  # no edge, no stake
    assert kelly_stake(np.array([0.9]), np.array([0.0]), dec, PricingRules(kelly_cap=0.02))[0] == 0.02  # capped


class _StandIn:
    """A stand-in market model: the model's P(over | no push) is ``p`` at every line; the combiner trusts the
    model fully (c = 1) when the gate is open."""

    def __init__(self, p: float, gate_open: bool = True):
        self.p, self.dispersion, self.devig = p, Dispersion(1.6, 0.0), "multiplicative"
        self.combiner = Combiner(
            market="points",
            a=0.0,
            b=1.0,
            c=1.0,
            a_ci=(0, 0),
            b_ci=(1, 1),
            c_ci=(0.5, 1.5),
            n=900,
            fitted=True,
            gate_open=gate_open,
            reason="test figures",
        )

    def probabilities(self, mu, line):
        over = np.full(len(line), self.p)
        return SideProbabilities(over=over, under=1 - over, push=np.zeros(len(line)))


def _offer(book, line, over, under, player=1, snapshot="2025-11-01 15:00"):
    return {
        "player_id": player,
        "game_id": "g1",
        "market": "points",
        "bookmaker": book,
        "line": line,
        "over_odds": over,
        "under_odds": under,
        "snapshot_at": pd.Timestamp(snapshot),
    }


def _rows(players=(1, 2)):
    return pd.DataFrame(
        {
            "player_id": list(players),
            "game_id": "g1",
            "market": "points",
            "line": 20.5,
            "pred_mean": 22.0,
            "game_date": pd.Timestamp("2025-11-01"),
        }
    )


def test_pick_takes_the_best_price_across_books_from_the_blended_distribution():
    offers = pd.DataFrame(
        [
            _offer("a", 20.5, -110, -110),
            _offer("b", 20.5, -105, -115),
            _offer("c", 21.5, 110, -140),
            _offer("a", 20.5, -110, -110, player=2),
        ]
    )
    priced, caps = price_rows(_rows(), offers, {"points": _StandIn(0.60)}, PricingRules(min_edge=0.04, min_ev=0.02))
    one = priced.set_index("player_id").loc[1]
    fair = (0.5 + devig(np.array([-105.0]), np.array([-115.0]))[0][0]) / 2
    assert one["market_line"] == 20.5 and one["fair_over"] == pytest.approx(fair)
    assert one["blend_p_over"] == pytest.approx(0.60) and one["p_over"] == pytest.approx(0.60, abs=1e-6)
    assert one["model_mean"] == 22.0 and one["pred_mean"] != 22.0  # pred_mean is the blend's mean, not the model's
    assert one["pred_median"] in (20.0, 21.0, 22.0)
    # book b's over pays most at 20.5 (0.6 * 1.952 - 0.4 = 0.171); c's 21.5 from the blended mean: ~0.535 * 2.1 - 1
    assert one["best_over_book"] == "b" and one["pick"] == "OVER" and one["pick_line"] == 20.5
    assert (
        0 < one["stake"] <= 0.02 and one["stake_amount"] == pytest.approx(one["stake"] * 1000) and one["lean"] == "OVER"
    )
    assert not caps.notes


def test_a_closed_gate_prices_at_the_market_and_passes_with_its_reason():
    offers = pd.DataFrame([_offer("a", 20.5, -110, -110), _offer("b", 20.5, -105, -115)])
    priced, _ = price_rows(_rows((1,)), offers, {"points": _StandIn(0.70, gate_open=False)}, PricingRules())
    row = priced.iloc[0]
    assert row["blend_p_over"] == pytest.approx(row["fair_over"])  # the blend is the market
    assert row["pred_mean"] == pytest.approx(row["market_mean"]) and row["model_p_over"] == pytest.approx(0.70)
    assert row["pick"] == "PASS" and row["pass_reason"].startswith("points: closed — test figures")
    assert row["lean"] == "OVER"  # the model's own preference is still recorded (the leakage alarms watch it)
    research, _ = price_rows(_rows((1,)), offers, {"points": _StandIn(0.70, gate_open=False)}, PricingRules(gate="off"))
    assert research.iloc[0]["pick"] == "OVER"


def test_no_two_way_price_passes():
    offers = pd.DataFrame([_offer("a", 20.5, -110, -110)])
    priced, _ = price_rows(_rows((7, 8)), offers, {"points": _StandIn(0.6)}, PricingRules())
    assert (priced["pick"] == "PASS").all() and priced["pass_reason"].str.startswith("no two-way price").all()


def test_stakes_never_exceed_the_player_and_nightly_caps():
    players = range(1, 41)
    rows = pd.concat([_rows(players).assign(market=m) for m in ("points", "rebounds")], ignore_index=True)
    offers = pd.DataFrame(
        [{**_offer("a", 20.5, 100, -120, player=p), "market": m} for p in players for m in ("points", "rebounds")]
    )
    markets = {"points": _StandIn(0.75), "rebounds": _StandIn(0.75)}
    rules = PricingRules(kelly_cap=0.03, player_cap=0.04, nightly_cap=0.10)
    priced, caps = price_rows(rows, offers, markets, rules)
    assert (priced["pick"] == "OVER").all() and (priced["kelly_stake"] == 0.03).all()
    per_player = priced.groupby("player_id")["stake"].sum()
    assert per_player.max() <= 0.04 + 1e-12 and priced["stake"].sum() == pytest.approx(0.10)
    assert caps.max_night_share == pytest.approx(0.10) and len(caps.notes) == 2
    assert "player cap" in caps.notes[0] and "nightly cap" in caps.notes[1]
    ranks = priced.sort_values("kelly_stake")["stake"]
    assert ranks.is_monotonic_increasing  # proportional scaling keeps the order


# --- grading ----------------------------------------------------------------------------------------------


def test_grade_side_push_on_a_whole_line_void_on_dnp_and_wins_and_losses():
    assert grade_side(20.0, 20.0, "OVER", True) == "push"
    assert grade_side(20.0, 20.0, "UNDER", True) == "push"
    assert grade_side(21.0, 20.5, "OVER", True) == "win"
    assert grade_side(21.0, 20.5, "UNDER", True) == "loss"
    assert grade_side(None, 20.5, "OVER", False) == "void"
    assert grade_side(None, 20.5, "UNDER", None) == "pending"
    assert grade_side(20.0, 20.5, None, True) is None  # PASS: nothing to grade


def _prediction(player, line, pick, odds, p_over=0.6, market_line=None, priced_at="2025-11-01 15:00"):
    market_line = line if market_line is None else market_line
    return {
        "player_id": player,
        "game_id": "g1",
        "market": "points",
        "game_date": pd.Timestamp("2025-11-01"),
        "line": line,
        "market_line": market_line,
        "pred_mean": 21.0,
        "ma_pred": 19.0,
        "p_over": p_over,
        "blend_p_over": p_over,
        "model_p_over": p_over,
        "p_under": 1 - p_over,
        "fair_over": 0.5,
        "fair_under": 0.5,
        "lean": "OVER",
        "pick": pick,
        "pick_line": line if pick != "PASS" else np.nan,
        "pick_odds": odds,
        "stake": 0.01,
        "best_over_line": line,
        "best_over_odds": odds,
        "best_under_line": line,
        "best_under_odds": odds,
        "priced_at": pd.Timestamp(priced_at),
    }


def test_hand_made_results_push_void_win_and_daily_performance():
    preds = pd.DataFrame(
        [
            _prediction(1, 20.0, "OVER", -110),  # scores exactly 20: push
            _prediction(2, 20.5, "OVER", -110),  # did not play: void
            _prediction(3, 20.5, "OVER", 150),  # 25: win at +150
            _prediction(4, 20.5, "UNDER", -110),  # 25: loss
        ]
    )
    outcomes = pd.DataFrame(
        {
            "player_id": [1, 2, 3, 4],
            "game_id": "g1",
            "market": "points",
            "actual": [20.0, np.nan, 25.0, 25.0],
            "did_play": [True, False, True, True],
        }
    )
    r = grade_predictions(preds, outcomes).set_index("player_id")
    assert r.loc[1, "pick_result"] == "push" and r.loc[1, "pick_profit"] == 0.0 and r.loc[1, "lean_result"] == "push"
    assert r.loc[2, "pick_result"] == "void" and r.loc[2, "lean_result"] == "void" and r.loc[2, "pick_profit"] == 0.0
    assert np.isnan(r.loc[2, "model_abs_error"]) and np.isnan(r.loc[2, "brier_model"])  # a DNP scores nothing
    assert r.loc[3, "pick_result"] == "win" and r.loc[3, "pick_profit"] == pytest.approx(1.5)
    assert r.loc[4, "pick_result"] == "loss" and r.loc[4, "pick_profit"] == -1.0
    assert np.isnan(r.loc[1, "brier_model"])  # a push is not an over/under event
    assert r.loc[3, "brier_model"] == pytest.approx(0.16) and r.loc[3, "brier_market"] == pytest.approx(0.25)
    perf = daily_performance(r.reset_index()).set_index("system")
    model = perf.loc["model"]
    assert (model["n"], model["bets"], model["wins"], model["losses"], model["pushes"]) == (3, 3, 1, 1, 1)
    assert model["hit_rate"] == 0.5 and model["roi"] == pytest.approx((0 + 1.5 - 1) / 3)
    assert perf.loc["line", "mae"] == pytest.approx((0 + 4.5 + 4.5) / 3)
    assert bet_summary(pd.Series(["void", "void"]), pd.Series([0.0, 0.0]))["bets"] == 0


def test_closing_line_value_only_when_a_later_snapshot_exists():
    preds = pd.DataFrame(
        [_prediction(1, 20.5, "OVER", 100), _prediction(2, 20.5, "OVER", 100, priced_at="2025-11-01 17:00")]
    )
    outcomes = pd.DataFrame(
        {"player_id": [1, 2], "game_id": "g1", "market": "points", "actual": [22.0, 22.0], "did_play": True}
    )
    closing = pd.DataFrame(
        [
            _offer("a", 20.5, -150, 130, snapshot="2025-11-01 17:00"),
            _offer("a", 20.5, -150, 130, player=2, snapshot="2025-11-01 17:00"),
        ]
    )
    r = grade_predictions(preds, outcomes, closing).set_index("player_id")
    fair_close = devig(np.array([-150.0]), np.array([130.0]))[0][0]
    assert r.loc[1, "clv"] == pytest.approx(fair_close * 2.0 - 1)  # took +100 (2.0) on a side that closed at ~0.58
    assert r.loc[1, "clv_line"] == 0.0
    assert np.isnan(r.loc[2, "clv"])  # priced at the closing snapshot itself: no CLV


# --- baselines, split, required values ------------------------------------------------------------------


def test_moving_average_uses_only_earlier_games_and_the_0_5_0_3_0_2_weights():
    days = pd.date_range("2025-10-01", periods=12, freq="D")
    hist = pd.DataFrame(
        {
            "player_id": 1,
            "market": "points",
            "season": "2025-26",
            "game_date": days,
            "actual": np.arange(1.0, 13.0),
            "did_play": True,
        }
    )
    target = pd.DataFrame(
        {
            "player_id": [1, 1],
            "market": "points",
            "season": "2025-26",
            "game_date": [days[11], days[11] + pd.Timedelta(days=1)],
        }
    )
    out = add_baselines(target, played_history(hist))
    prior = np.arange(1.0, 12.0)  # the game on days[11] itself (12 points) must not count for that row
    expected = 0.5 * prior[-5:].mean() + 0.3 * prior[-10:].mean() + 0.2 * prior.mean()
    assert out.loc[0, "ma_pred"] == pytest.approx(expected) and out.loc[0, "prior_games"] == 11
    assert out.loc[1, "prior_games"] == 12


def test_time_split_is_ordered_fit_then_validation_then_calibration():
    dates = pd.Series(pd.to_datetime(np.repeat(pd.date_range("2025-01-01", periods=50), 10)))
    fit, valid, calib = time_split(dates, 0.1, 0.1)
    assert dates[fit].max() < dates[valid].min() and dates[valid].max() < dates[calib].min()
    assert fit.sum() + valid.sum() + calib.sum() == len(dates) and calib.sum() >= 40 and valid.sum() >= 40


def test_required_nulls_name_each_missing_column_and_the_missing_stat_history():
    frame = pd.DataFrame(
        {
            "player_id": [1, None],
            "game_id": ["g", "g"],
            "game_date": [date(2025, 1, 1)] * 2,
            "market": ["points"] * 2,
            "line": [None, 2.5],
            "feature_version": ["v1"] * 2,
            "f_stat_avg_l5": [1.0, None],
            "f_stat_avg_l10": [None, None],
        }
    )
    got = required_nulls(frame, ["f_stat_avg_l5", "f_stat_avg_l10"]).tolist()
    assert got[0] == "line"
    assert got[1].startswith("player_id, f_stat_avg_l5, f_stat_avg_l10")


# --- registry and the predictions table -------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model():
    rng = np.random.default_rng(5)
    n = 3000
    days = pd.to_datetime("2025-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 60, n)), unit="D")
    f1 = rng.uniform(1, 20, n)
    rows = []
    for market in ("points", "rebounds"):
        rows.append(
            pd.DataFrame(
                {
                    "player_id": np.arange(n),
                    "game_id": [f"g{i}" for i in range(n)],
                    "market": market,
                    "game_date": days,
                    "season": "2024-25",
                    "f_a": f1,
                    "f_b": rng.normal(size=n),
                    "actual": rng.poisson(f1).astype(float),
                    "did_play": True,
                    "line": np.nan,
                    "feature_version": "v1",
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    params = ModelParams(
        max_depth=2, max_rounds=20, early_stopping=5, objectives=("reg:squarederror",), nthread=1, min_child_weight=5
    )
    return train_model(frame, ["f_a", "f_b"], date(2025, 3, 15), params, markets=("points", "rebounds")), frame


def test_registry_round_trip_gives_identical_predictions_and_keeps_metadata(tiny_model, tmp_path):
    model, frame = tiny_model
    saved = save_model(model, tmp_path)
    back = load_model(tmp_path)
    x = frame[["f_a", "f_b"]].to_numpy(dtype="float32")[:100]
    assert np.array_equal(model.markets["points"].predict_mean(x), back.markets["points"].predict_mean(x))
    assert back.features == ["f_a", "f_b"] and back.feature_version == "v1" and back.version == saved.version
    assert back.trained_before == date(2025, 3, 15) and back.window_end < date(2025, 3, 15)
    assert "xgboost" in back.library_versions and "candidates" in back.markets["points"].metrics


def test_scoring_refuses_a_model_whose_features_do_not_match_the_mart(tiny_model):
    model, _ = tiny_model
    check_compatible(model, ["f_a", "f_b"], ["v1"])
    with pytest.raises(ModelMismatch, match="feature order differs from position 1: model 'f_a', mart 'f_b'"):
        check_compatible(model, ["f_b", "f_a"], ["v1"])
    with pytest.raises(ModelMismatch, match="not in mart: f_b; new in mart: f_c"):
        check_compatible(model, ["f_a", "f_c"], ["v1"])
    with pytest.raises(ModelMismatch, match="feature_version differs .*'v2'.*Retrain"):
        check_compatible(model, ["f_a", "f_b"], ["v2"])


def test_a_new_scoring_run_adds_a_version_and_supersedes_without_overwriting(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    day = date(2025, 11, 1)
    preds = pd.DataFrame(
        {
            "player_id": [1, 2],
            "game_id": ["g1", "g1"],
            "market": ["points", "points"],
            "game_date": [pd.Timestamp(day)] * 2,
            "pred_mean": [20.0, 10.0],
            "pick": ["OVER", "PASS"],
        }
    )
    empty = pd.DataFrame(columns=["game_id", "player_lookup", "player_name", "market", "line", "reason"])
    wh = DuckDBWarehouse.on_connection(con)
    first = write_scores(wh, "run-1", datetime(2025, 11, 1, 15), day, preds, empty, "m1", {})
    second = write_scores(
        wh, "run-2", datetime(2025, 11, 1, 17), day, preds.assign(pred_mean=[21.0, 11.0]), empty, "m2", {}
    )
    assert (first.predictions, first.superseded, second.superseded) == (2, 0, 2)
    rows = con.execute(
        "select run_id, prediction_version, is_current, superseded_by, pred_mean from predictions.predictions "
        "order by player_id, prediction_version"
    ).fetchall()
    assert rows[0] == ("run-1", 1, False, "run-2", 20.0) and rows[1] == ("run-2", 2, True, None, 21.0)
    assert sorted(current_predictions(wh, day)["pred_mean"].tolist()) == [11.0, 21.0]
