"""Grading and pricing cases the mutation run (tests/mutation/run_mutations.py) found untested: each test here
failed on at least one small deliberately broken variant of predict/grade.py or predict/pricing.py that the rest
of the suite let through (a flipped comparison, a dropped guard, + for -, a missing push chance...).

Expected values are worked out by hand from the odds and probabilities in each test, not read back from the code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from predict.combiner import Combiner
from predict.config import PricingRules
from predict.distribution import Dispersion, SideProbabilities
from predict.grade import daily_performance, grade_predictions, grade_side
from predict.market_view import devig
from predict.pricing import expected_value, kelly_stake, price_rows

# ---- grading ---------------------------------------------------------------------------------------------


def test_grade_side_is_pending_for_a_nan_actual_and_ignores_an_unknown_did_play():
    assert grade_side(np.nan, 20.5, "OVER", None) == "pending"  # NaN, not only None, is "not yet known"
    assert grade_side(np.nan, 20.5, "UNDER", True) == "pending"
    assert grade_side(25.0, 20.5, "OVER", np.nan) == "win"  # did_play unknown: graded on the actual
    assert grade_side(20.0, 20.5, "UNDER", np.nan) == "win"
    assert grade_side(25.0, np.nan, "OVER", True) is None  # no line: nothing to grade
    assert grade_side(25.0, 20.5, "PASS", True) is None


def _prediction(player, pick="OVER", line=20.5, odds=-110, **extra):
    row = {
        "player_id": player,
        "game_id": "g1",
        "market": "points",
        "game_date": pd.Timestamp("2025-11-01"),
        "line": line,
        "market_line": line,
        "pred_mean": 21.0,
        "ma_pred": 19.0,
        "blend_p_over": 0.6,
        "model_p_over": 0.6,
        "fair_over": 0.5,
        "fair_under": 0.5,
        "lean": "OVER",
        "pick": pick,
        "pick_line": line if pick != "PASS" else np.nan,
        "pick_odds": odds if pick != "PASS" else np.nan,
        "stake": 0.02,
        "best_over_line": line,
        "best_over_odds": odds,
        "best_under_line": line,
        "best_under_odds": odds,
        "priced_at": pd.Timestamp("2025-11-01 15:00"),
    }
    return {**row, **extra}


def _outcomes(actual: dict, did_play: dict | None = None) -> pd.DataFrame:
    did_play = did_play or {}
    return pd.DataFrame(
        {
            "player_id": list(actual),
            "game_id": "g1",
            "market": "points",
            "actual": list(actual.values()),
            "did_play": [did_play.get(p, True) for p in actual],
        }
    )


def test_errors_and_outcomes_only_for_rows_that_played_and_have_an_actual():
    preds = pd.DataFrame(
        [
            _prediction(1, pred_median=22.0, model_mean=23.0),  # played, 25: over
            _prediction(2, pred_median=22.0, model_mean=23.0),  # did not play, yet an actual of 0 is recorded
            _prediction(3, pred_median=22.0, model_mean=23.0),  # did_play unknown, actual 18: under, not scored
            _prediction(4, line=20.0, pred_median=22.0, model_mean=23.0),  # exactly the line: push
        ]
    )
    outcomes = _outcomes({1: 25.0, 2: 0.0, 3: 18.0, 4: 20.0}, {2: False, 3: None})
    r = grade_predictions(preds, outcomes).set_index("player_id")
    assert r.loc[1, "model_abs_error"] == 4.0 and r.loc[1, "median_abs_error"] == 3.0
    assert r.loc[1, "raw_model_abs_error"] == 2.0 and r.loc[1, "line_abs_error"] == 4.5
    for player in (2, 3):
        assert (
            r.loc[
                player,
                [
                    "model_abs_error",
                    "median_abs_error",
                    "raw_model_abs_error",
                    "ma_abs_error",
                    "over_outcome",
                    "brier_model",
                ],
            ]
            .isna()
            .all()
        ), player
    assert r.loc[1, "over_outcome"] == 1.0 and np.isnan(r.loc[4, "over_outcome"])
    assert r.loc[4, "model_abs_error"] == 1.0 and np.isnan(r.loc[4, "brier_model"])  # a push: error yes, Brier no
    # stake_profit: the pick's profit times its stake (-110 wins 100/110 per unit; 2% staked)
    assert r.loc[1, "stake_profit"] == pytest.approx(0.02 * 100 / 110)
    assert r.loc[2, "pick_result"] == "void" and r.loc[2, "stake_profit"] == 0.0


def test_the_moving_average_bets_its_side_at_the_best_price_for_that_side():
    prices = dict(best_over_line=20.5, best_over_odds=120, best_under_line=21.5, best_under_odds=-130)
    preds = pd.DataFrame(
        [
            _prediction(1, ma_pred=21.0, **prices),  # 0.5 above the line: over, at the best over price
            _prediction(2, ma_pred=20.0, **prices),  # 0.5 below: under, at the best under price and line
            _prediction(3, ma_pred=20.5, **prices),  # on the line: no bet
        ]
    )
    r = grade_predictions(preds, _outcomes({1: 22.0, 2: 21.0, 3: 22.0})).set_index("player_id")
    assert r.loc[1, "ma_side"] == "OVER" and r.loc[2, "ma_side"] == "UNDER" and pd.isna(r.loc[3, "ma_side"])
    assert (r.loc[1, "ma_line"], r.loc[1, "ma_odds"]) == (20.5, 120)
    assert (r.loc[2, "ma_line"], r.loc[2, "ma_odds"]) == (21.5, -130)
    assert np.isnan(r.loc[3, "ma_line"]) and np.isnan(r.loc[3, "ma_odds"])
    assert r.loc[1, "ma_result"] == "win" and r.loc[1, "ma_profit"] == pytest.approx(1.2)
    assert r.loc[2, "ma_result"] == "win" and r.loc[2, "ma_profit"] == pytest.approx(100 / 130)  # 21 < 21.5
    assert r.loc[3, "ma_result"] is None and np.isnan(r.loc[3, "ma_profit"])


def _closing(player, book, line, over, under, at="2025-11-01 18:00"):
    return {
        "player_id": player,
        "game_id": "g1",
        "market": "points",
        "bookmaker": book,
        "line": line,
        "over_odds": over,
        "under_odds": under,
        "snapshot_at": pd.Timestamp(at),
    }


def test_closing_line_value_of_an_under_pick_and_of_a_line_that_moved():
    preds = pd.DataFrame(
        [
            _prediction(1, "OVER", odds=100),
            _prediction(2, "UNDER", odds=100),
            _prediction(3, "UNDER", odds=100, priced_at=pd.Timestamp("2025-11-01 18:00")),  # priced at the close
            _prediction(4, "PASS"),
        ]
    )
    closing = pd.DataFrame(
        [
            # player 1: the consensus closed at 21.5 (two books), one book still at 20.5
            _closing(1, "a", 20.5, -150, 130),
            _closing(1, "b", 21.5, -110, -110),
            _closing(1, "c", 21.5, -110, -110),
            # player 2: the consensus closed at 19.5, one book still at 20.5
            _closing(2, "a", 20.5, 130, -150),
            _closing(2, "b", 19.5, -110, -110),
            _closing(2, "c", 19.5, -110, -110),
            _closing(3, "a", 20.5, 130, -150),
            _closing(3, "b", 19.5, -110, -110),
            _closing(4, "a", 20.5, 130, -150),
        ]
    )
    r = grade_predictions(preds, _outcomes({1: 22.0, 2: 18.0, 3: 18.0, 4: 18.0}), closing).set_index("player_id")
    fav = devig(np.array([-150.0]), np.array([130.0]))[0][0]  # the favourite's fair probability, ~0.58
    assert r.loc[1, "clv"] == pytest.approx(fav * 2.0 - 1) and r.loc[1, "clv_line"] == 1.0  # over 20.5, closed 21.5
    assert r.loc[2, "clv"] == pytest.approx(fav * 2.0 - 1) and r.loc[2, "clv_line"] == 1.0  # under 20.5, closed 19.5
    assert r.loc[[3, 4], ["clv", "clv_line"]].isna().all().all()
    unpriced = pd.DataFrame([_closing(1, "a", 20.5, np.nan, 130)])  # no two-way closing price at all
    r = grade_predictions(preds, _outcomes({1: 22.0, 2: 18.0, 3: 18.0, 4: 18.0}), unpriced)
    assert r[["clv", "clv_line"]].isna().all().all()


def test_daily_performance_per_system_counts_stakes_clv_and_only_the_lines_all_three_priced():
    preds = pd.DataFrame(
        [
            _prediction(1, odds=150, stake=0.02),  # 25: win at +150
            _prediction(2, odds=-110, stake=0.01),  # did not play: void, its stake not counted
            _prediction(3, pick="UNDER", odds=-110, stake=0.03),  # 25: loss
            _prediction(4, odds=-110, stake=0.01, model_p_over=np.nan),  # 25: win; the raw model has no probability
            _prediction(5, line=20.0, odds=-110, stake=0.01),  # 20: push, its stake counts and comes back
            _prediction(6, pick="PASS", stake=0.0),  # 25: no bet, but its probabilities are scored
            _prediction(7, pick="PASS", stake=0.0, fair_over=np.nan, fair_under=np.nan),  # 25: the market had no price
        ]
    )
    outcomes = _outcomes({1: 25.0, 2: np.nan, 3: 25.0, 4: 25.0, 5: 20.0, 6: 25.0, 7: 25.0}, {2: False})
    closing = pd.DataFrame([_closing(1, "a", 20.5, -150, 130), _closing(3, "a", 20.5, -150, 130)])
    r = grade_predictions(preds, outcomes, closing)
    perf = daily_performance(r).set_index("system")
    model = perf.loc["model"]
    assert (model["bets"], model["wins"], model["losses"], model["pushes"]) == (4, 2, 1, 1)
    assert model["staked"] == pytest.approx(0.02 + 0.03 + 0.01 + 0.01)
    assert model["stake_profit"] == pytest.approx(0.02 * 1.5 - 0.03 + 0.01 * 100 / 110)
    fav = devig(np.array([-150.0]), np.array([130.0]))[0][0]
    assert model["clv_n"] == 2 and model["clv"] == pytest.approx(
        ((fav * 2.5 - 1) + ((1 - fav) * (1 + 100 / 110) - 1)) / 2
    )
    assert model["clv_line"] == 0.0
    # Brier on the same lines for all three systems: 4 (no raw-model probability), 7 (no market price) and the
    # push (5) are left out; 1, 3 and 6 went over with P(over) 0.6 everywhere for the model
    assert model["brier_n"] == 3 and model["brier"] == pytest.approx(0.4**2)
    assert perf.loc["line", "brier"] == pytest.approx(0.5**2)
    assert perf.loc["moving_average", "brier_n"] == 0 and np.isnan(perf.loc["moving_average", "brier"])
    for system in ("raw_model", "line"):
        row = perf.loc[system]
        assert (row["bets"], row["wins"], row["losses"], row["pushes"]) == (0, 0, 0, 0), system
        assert np.isnan(row["hit_rate"]) and np.isnan(row["roi"])


# ---- pricing ---------------------------------------------------------------------------------------------


def test_expected_value_and_kelly_count_the_push_chance():
    # p(win) 0.5, p(push) 0.1, so p(loss) 0.4, at even money (decimal 2.0)
    p_win, p_push, dec = np.array([0.5]), np.array([0.1]), np.array([2.0])
    assert expected_value(p_win, p_push, dec)[0] == pytest.approx(0.5 * 1.0 - 0.4)
    # full Kelly with a push: (b p - q) / (b (p + q)) = (0.5 - 0.4) / 0.9
    rules = PricingRules(kelly_fraction=1.0, kelly_cap=1.0)
    assert kelly_stake(p_win, p_push, dec, rules)[0] == pytest.approx(0.1 / 0.9)
    # no probability, or a certain push: no stake (not the cap)
    assert kelly_stake(np.array([np.nan, 0.0]), np.array([0.0, 1.0]), np.array([2.0, 2.0]), rules).tolist() == [
        0.0,
        0.0,
    ]


class _Model:
    """A stand-in market model whose P(over) is ``p`` at every line; its combiner trusts the model fully (c = 1)."""

    def __init__(self, p: float, gate_open: bool = True, push: float = 0.0):
        self.p, self.push, self.dispersion, self.devig = p, push, Dispersion(1.6, 0.0), "multiplicative"
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
        over = np.full(len(line), self.p * (1 - self.push))
        return SideProbabilities(over=over, under=(1 - self.push) - over, push=np.full(len(line), self.push))


def _offer(player, book, line, over, under):
    return {
        "player_id": player,
        "game_id": "g1",
        "market": "points",
        "bookmaker": book,
        "line": line,
        "over_odds": over,
        "under_odds": under,
        "snapshot_at": pd.Timestamp("2025-11-01 15:00"),
    }


def _rows(players, line=20.5, pred_mean=22.0):
    return pd.DataFrame(
        {
            "player_id": list(players),
            "game_id": "g1",
            "market": "points",
            "line": line,
            "pred_mean": pred_mean,
            "game_date": pd.Timestamp("2025-11-01"),
        }
    )


def _price(rows, offers, model, **rules):
    priced, _ = price_rows(rows, pd.DataFrame(offers), {"points": model}, PricingRules(**rules))
    return priced.set_index("player_id")


def test_the_reference_line_is_the_marts_then_the_most_offered_then_the_closest_then_the_lowest():
    offers = [
        # 1: the mart's 20.5 at one book beats 21.5 at three
        _offer(1, "a", 20.5, -110, -110),
        _offer(1, "b", 21.5, -110, -110),
        _offer(1, "c", 21.5, -110, -110),
        _offer(1, "d", 21.5, -110, -110),
        # 2: 20.5 not offered: 19.5 at two books beats 21.5 at one
        _offer(2, "a", 19.5, -110, -110),
        _offer(2, "b", 19.5, -110, -110),
        _offer(2, "c", 21.5, -110, -110),
        # 3: one book each: 21.5 (1 away) beats 18.5 (2 away)
        _offer(3, "a", 18.5, -110, -110),
        _offer(3, "b", 21.5, -110, -110),
        # 4: one book each, equally far: the lower line
        _offer(4, "a", 21.5, -110, -110),
        _offer(4, "b", 19.5, -110, -110),
    ]
    priced = _price(_rows([1, 2, 3, 4, 5]), offers, _Model(0.5))
    assert priced["market_line"].to_dict() == {1: 20.5, 2: 19.5, 3: 21.5, 4: 19.5, 5: 20.5}  # 5: no offer, the mart's
    assert priced.loc[1, "books"] == 4 and np.isnan(priced.loc[5, "books"])
    assert priced.loc[5, "pick"] == "PASS" and priced.loc[5, "pass_reason"].startswith("no two-way price")


def test_lean_is_the_models_side_against_the_market_or_against_even_without_one():
    offers = [_offer(1, "a", 20.5, -110, -110)]
    assert _price(_rows([1, 2]), offers, _Model(0.45))["lean"].to_dict() == {1: "UNDER", 2: "UNDER"}
    assert _price(_rows([1, 2]), offers, _Model(0.55))["lean"].to_dict() == {1: "OVER", 2: "OVER"}


def test_a_model_that_gives_no_side_any_chance_is_read_as_even():
    priced = _price(_rows([1]), [_offer(1, "a", 20.5, -110, -110)], _Model(0.5, push=1.0))
    assert priced.loc[1, "model_p_over"] == 0.5


def test_on_a_whole_line_a_blend_equal_to_the_market_has_no_edge_on_either_side():
    # a closed gate prices at the market; on a whole line the push chance must not show up as edge
    offers = [_offer(1, "a", 20.0, -130, 110), _offer(1, "b", 20.0, -120, 100)]
    priced = _price(_rows([1], line=20.0), offers, _Model(0.7, gate_open=False))
    row = priced.loc[1]
    assert row["p_push"] > 0.03
    assert row["edge_over"] == pytest.approx(0.0, abs=1e-9) and row["edge_under"] == pytest.approx(0.0, abs=1e-9)
    # each book's edge is against its own fair price: book b's over is cheaper than the consensus, a's dearer
    fair_a, fair_b = (
        devig(np.array([-130.0]), np.array([110.0]))[0][0],
        devig(np.array([-120.0]), np.array([100.0]))[0][0],
    )
    consensus = (fair_a + fair_b) / 2
    assert row["best_over_edge"] == pytest.approx((consensus - fair_b) * (1 - row["p_push"]), abs=1e-9)


def test_a_closed_gate_never_picks_even_when_a_book_is_off_the_market():
    offers = [_offer(1, "a", 20.5, -110, -110), _offer(1, "b", 20.5, 150, -190)]  # b's over is far off the rest
    priced = _price(_rows([1]), offers, _Model(0.7, gate_open=False), min_edge=0.01, min_ev=0.0)
    assert priced.loc[1, "best_over_edge"] > 0.05 and priced.loc[1, "best_over_ev"] > 0.0
    assert priced.loc[1, "pick"] == "PASS" and priced.loc[1, "pass_reason"] == "points: closed — test figures"
    assert priced.loc[1, "kelly_stake"] == 0.0 and priced.loc[1, "stake"] == 0.0


def test_an_edge_that_clears_but_an_expected_value_that_does_not_passes_and_says_why():
    offers = [_offer(1, "a", 20.5, -110, -110)]  # one book: the edge below is not "no two-way price"
    priced = _price(_rows([1]), offers, _Model(0.6), min_edge=0.05, min_ev=0.5)
    assert priced.loc[1, "best_over_edge"] == pytest.approx(0.1) and priced.loc[1, "best_over_ev"] < 0.5
    assert priced.loc[1, "pick"] == "PASS" and priced.loc[1, "pass_reason"] == "expected value below 0.500"
    priced = _price(_rows([1]), offers, _Model(0.52), min_edge=0.05, min_ev=0.0)
    assert priced.loc[1, "pick"] == "PASS" and priced.loc[1, "pass_reason"] == "edge below 0.050"


def test_the_pick_is_the_side_with_the_better_expected_value_among_those_that_clear():
    offers = [
        # 1: both sides clear (a's over and b's under are long prices); the over pays more
        _offer(1, "a", 20.5, 140, -170),
        _offer(1, "b", 20.5, -160, 130),
        # 2: the mirror: the under pays more
        _offer(2, "a", 20.5, 130, -160),
        _offer(2, "b", 20.5, -170, 140),
        # 3: a's over clears; c's under pays more but, c taking no margin (+115 / +150), it is close to c's own
        # fair price (0.4 / 0.865 = 0.462): an edge of 0.038, below 0.04
        _offer(3, "a", 20.5, 130, -160),
        _offer(3, "c", 20.5, 115, 150),
    ]
    priced = _price(_rows([1, 2, 3]), offers, _Model(0.5), min_edge=0.04, min_ev=0.02)
    assert priced["pick"].to_dict() == {1: "OVER", 2: "UNDER", 3: "OVER"}
    assert priced.loc[3, "best_under_ev"] > priced.loc[3, "best_over_ev"] and priced.loc[3, "best_under_edge"] < 0.04
    under = priced.loc[2]
    assert (under["pick_book"], under["pick_line"], under["pick_odds"]) == ("b", 20.5, 140)
    assert under["pick_prob"] == pytest.approx(0.5) and under["pick_ev"] == pytest.approx(0.5 * 2.4 - 1)
    assert under["pick_fair"] == pytest.approx(devig(np.array([-170.0]), np.array([140.0]))[1][0])
    assert under["pick_edge"] == pytest.approx(0.5 - under["pick_fair"]) and under["pick_push"] == 0.0
    assert under["kelly_stake"] > 0


def test_a_pass_has_no_pick_fields_and_no_stake_and_the_pick_fields_are_numbers():
    offers = [_offer(1, "a", 20.5, -110, -110), _offer(2, "a", 20.5, 130, -160)]
    priced = _price(_rows([1, 2]), offers, _Model(0.5))
    assert priced["pick"].to_dict() == {1: "PASS", 2: "OVER"}
    assert (
        priced.loc[1, ["pick_line", "pick_odds", "pick_prob", "pick_fair", "pick_edge", "pick_ev", "pick_push"]]
        .isna()
        .all()
    )
    assert pd.isna(priced.loc[1, "pick_book"]) and priced.loc[1, "kelly_stake"] == 0.0 and priced.loc[1, "stake"] == 0.0
    for field in ("line", "odds", "prob", "fair", "edge", "ev", "push"):
        assert pd.api.types.is_float_dtype(priced[f"pick_{field}"]), field


def test_rows_without_a_game_date_are_refused():
    rows = _rows([1]).drop(columns="game_date")
    with pytest.raises(ValueError, match="game_date"):
        price_rows(rows, pd.DataFrame([_offer(1, "a", 20.5, 130, -160)]), {"points": _Model(0.5)}, PricingRules())
