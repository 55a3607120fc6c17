"""The fast training paths (issue 18) give what the plain path gives, and reuse only what they say they reuse.

- ``TrainingRows`` slices equal the old filter-and-sort of the whole mart (same rows, same order).
- Markets trained side by side equal markets trained one after another.
- A season's objective search is reused by later retrains of that season, never across seasons.
- A refit-only retrain (the backtest's daily retrains) keeps every out-of-fold part and refits the booster.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from predict.config import ModelParams
from predict.registry import load_model, save_model
from predict.train import TrainingRows, train_model, trainable_rows

FEATURES = ["f_a", "f_b"]
MARKETS = ("points", "rebounds")
PARAMS = ModelParams(
    max_depth=2,
    max_rounds=30,
    early_stopping=5,
    objectives=("reg:squarederror", "count:poisson"),
    nthread=1,
    min_child_weight=5,
    history_seasons=2,
)


def _season(start: str, season: str, rng: np.random.Generator, n: int = 900) -> list[pd.DataFrame]:
    days = pd.to_datetime(start) + pd.to_timedelta(np.sort(rng.integers(0, 150, n)), unit="D")
    f_a = rng.uniform(1, 20, n)
    out = []
    for market in MARKETS:
        out.append(
            pd.DataFrame(
                {
                    "player_id": pd.array(rng.integers(1, 60, n), dtype="Int64"),
                    "game_id": [f"{season}-{i:05d}" for i in range(n)],
                    "player_lookup": "someone",
                    "market": market,
                    "game_date": days,
                    "season": season,
                    "f_a": f_a,
                    "f_b": rng.normal(size=n),
                    "actual": rng.poisson(f_a * (1.0 if market == "points" else 0.4)).astype(float),
                    "did_play": rng.random(n) > 0.05,
                    "line": np.nan,
                    "feature_version": "v1",
                }
            )
        )
    return out


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(18)
    parts = [
        *_season("2022-10-20", "2022-23", rng),
        *_season("2023-10-20", "2023-24", rng),
        *_season("2024-10-20", "2024-25", rng),
    ]
    # shuffled, with a few unplayed rows: the plain path filters and sorts, the slices must match it
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=3).reset_index(drop=True)


def _plain_window(frame: pd.DataFrame, market: str, before: date, seasons: int) -> pd.DataFrame:
    rows = trainable_rows(frame, before)
    keep = sorted(rows["season"].dropna().unique())[-seasons:]
    rows = rows[rows["season"].isin(keep)]
    return rows[rows["market"] == market]


@pytest.mark.parametrize("before", [date(2023, 1, 10), date(2024, 1, 2), date(2024, 11, 1), date(2025, 6, 1)])
def test_training_rows_slices_are_the_plain_filter_and_sort(frame, before):
    played = TrainingRows.of(frame, FEATURES, MARKETS)
    seasons = played.seasons_before(before)[-2:]
    for market in MARKETS:
        got = played.window(market, before, seasons)
        want = _plain_window(frame, market, before, 2)
        assert len(got) == len(want) > 0
        for column in ("game_date", "game_id", "player_id", "actual", "f_a", "f_b"):
            assert got[column].reset_index(drop=True).equals(want[column].reset_index(drop=True)), column


def _predictions(model, frame):
    x = frame[FEATURES].to_numpy(dtype="float32")[:300]
    return {m: mm.predict_mean(x) for m, mm in model.markets.items()}


def test_markets_side_by_side_equal_markets_one_after_another(frame):
    one = train_model(frame, FEATURES, date(2024, 12, 1), PARAMS, markets=MARKETS)
    two = train_model(frame, FEATURES, date(2024, 12, 1), replace(PARAMS, nthread=2), markets=MARKETS)
    for market, mean in _predictions(one, frame).items():
        assert np.array_equal(mean, _predictions(two, frame)[market])
        assert one.markets[market].dispersion == two.markets[market].dispersion
        assert one.markets[market].objective == two.markets[market].objective


def test_the_objective_search_is_reused_within_a_season_and_repeated_across_seasons(frame, tmp_path):
    first = train_model(frame, FEATURES, date(2024, 12, 1), PARAMS, markets=MARKETS)
    assert first.objectives_chosen_by == first.version and first.objective_season == "2024-25"  # of the games to score
    assert all(len(mm.metrics["candidates"]) == 2 and mm.metrics["objective_searched"] for mm in first.markets.values())

    # saved and loaded, as `nbaprops train` finds it in the registry
    save_model(first, tmp_path)
    previous = load_model(tmp_path)
    assert (previous.objective_season, previous.objectives_chosen_by) == ("2024-25", first.version)

    later = train_model(frame, FEATURES, date(2024, 12, 8), PARAMS, markets=MARKETS, previous=previous)
    assert later.objectives_chosen_by == first.version
    for market, mm in later.markets.items():
        assert list(mm.metrics["candidates"]) == [first.markets[market].objective]
        assert mm.metrics["objective_searched"] is False

    always = replace(PARAMS, objective_search="always")
    searched = train_model(frame, FEATURES, date(2024, 12, 8), always, markets=MARKETS, previous=previous)
    assert searched.objectives_chosen_by == searched.version

    # the previous season's choice is not carried into a window whose newest season is another one
    last_season = train_model(frame, FEATURES, date(2024, 6, 1), PARAMS, markets=MARKETS)
    assert last_season.objective_season == "2023-24"
    new_season = train_model(frame, FEATURES, date(2024, 12, 8), PARAMS, markets=MARKETS, previous=last_season)
    assert new_season.objectives_chosen_by == new_season.version


def test_objective_search_must_be_a_known_word():
    with pytest.raises(ValueError, match="objective_search='weekly' is unknown; use one of season, always"):
        ModelParams(objective_search="weekly")


def test_a_refit_keeps_the_out_of_fold_parts_and_refits_only_the_booster(frame):
    full = train_model(frame, FEATURES, date(2024, 12, 1), PARAMS, markets=MARKETS)
    refit = train_model(frame, FEATURES, date(2024, 12, 4), PARAMS, markets=MARKETS, previous=full, refit_from=full)
    assert refit.refit_from == full.version and refit.objectives_chosen_by == full.version
    assert refit.window_end > full.window_end
    for market, mm in refit.markets.items():
        base = full.markets[market]
        assert (mm.objective, mm.dispersion, mm.calibration, mm.devig) == (
            base.objective,
            base.dispersion,
            base.calibration,
            base.devig,
        )
        assert mm.combiner.to_dict() == base.combiner.to_dict()
        assert mm.metrics["refit_only"] is True and mm.rounds == mm.metrics["refit_rounds"]
    assert any(not np.array_equal(a, _predictions(full, frame)[m]) for m, a in _predictions(refit, frame).items()), (
        "the refitted boosters saw three more days of games"
    )

    # never across a season: the window's newest season changed, so the model is trained in full
    later_season = train_model(frame, FEATURES, date(2024, 6, 1), PARAMS, markets=MARKETS)
    crossed = train_model(
        frame, FEATURES, date(2024, 12, 4), PARAMS, markets=MARKETS, previous=later_season, refit_from=later_season
    )
    assert crossed.refit_from is None and crossed.objectives_chosen_by == crossed.version
