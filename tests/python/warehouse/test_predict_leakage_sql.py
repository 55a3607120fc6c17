"""The leakage alarm on the SQL feature mart: a simulated league landed, ``precompute.feature_mart`` built by
dbt, read with ``predict.mart.read_mart`` and ``predict.offers.read_offers``, walk-forward backtested.

The league is an efficient market (every line at the true median's x.5, priced at the true odds), so the raw
model knows nothing the books do not: the side it prefers (``lean_result``, graded at the market's line, before
the combiner anchors anything on the market) wins about half of >= 2,000 graded lines (a little under: where
the books' fair price is off 50 %, the model's less extreme probabilities lean to the less likely side). Above
53 % means the model saw the outcome. Three deliberate leaks must each trip it:

(a) the current game inside every rolling window (macros/rolling_window.sql ending its frame at ``current
    row`` and starting its last-N-games steps at 0, built into a separate warehouse from the same landed files);
(b) a line snapshot taken after tip-off counted as pregame (int_prop_offers' pregame rule ignored): the
    in-play snapshot, which carries the game's information, becomes the mart's line and the pricing snapshot;
(c) a retrain whose training cut falls after the dates it scores (train_model called with a cut past the
    scored window, in the real walk-forward loop).

The landed files include such in-play snapshots (an hour after tip-off, the line moved most of the way to the
result), so the honest build is shown to leave them out, not merely never to meet them. A post-tip-off price
used for pricing alone (the mart kept honest) is also shown: it gives the market the outcome, not the model, so
the lean LOSES; the alarm's lower bound catches that one.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from support.dbt_mutants import build_mutant
from support.feature_oracle import compare, load_history
from support.helpers import duckdb_warehouse
from support.phase4_support import activate, build_phase4, feature_names, import_files, sim_imports, warehouse_env

import predict.backtest
import predict.offers
from nbacore.dbt_runner import LAYER_SELECTORS
from predict.backtest import BacktestResult, run_backtest
from predict.config import ModelParams, PredictConfig
from predict.mart import read_mart
from predict.offers import read_offers
from predict.train import train_model
from simulator import SimConfig, simulate, simulate_season
from simulator.calendar import EASTERN
from simulator.files import PROPS_COLUMNS, write_csv

SEED, DAYS, BACKTEST_FROM = 21, 38, 28  # 28 days of history, then 9 backtest days scored by one model
CONFIG = SimConfig(seed=SEED, days=DAYS, efficient_market=True)
START = CONFIG.start_date + timedelta(days=BACKTEST_FROM)
END = CONFIG.tonight - timedelta(days=1)
# Small and fast, but deep enough to fit what a leak hands it (test_predict_leakage.py's SMALL, deeper trees).
PARAMS = ModelParams(
    max_depth=6,
    eta=0.1,
    max_rounds=60,
    early_stopping=10,
    min_child_weight=1,
    nthread=2,
    objectives=("reg:squarederror", "count:poisson"),
    valid_share=0.15,
    calib_share=0.15,
    history_seasons=None,
)
ALARM, FLOOR, MIN_LINES = 0.53, 0.45, 2000  # honest band [FLOOR, ALARM]
IN_PLAY_AFTER = timedelta(minutes=60)  # the in-play snapshot: an hour after tip-off ...
IN_PLAY_WEIGHT = 0.7  # ... its line 70 % of the way from the pregame line to the result
AFTER_EVERY_TIP = pd.Timedelta(hours=23)  # UTC, from the game date's midnight: the earliest in-play snapshot is later
STATS = {
    "player_points": ("PTS",),
    "player_rebounds": ("REB",),
    "player_assists": ("AST",),
    "player_threes": ("FG3M",),
    "player_points_rebounds_assists": ("PTS", "REB", "AST"),
}


def in_play_rows(config: SimConfig) -> list[list[str]]:
    """A props-file snapshot an hour after tip-off of every played game: each book's afternoon offer re-posted
    with the line moved IN_PLAY_WEIGHT of the way to the player's result, at -110 both ways."""
    season = simulate_season(config)
    rows = []
    for g in season.games:
        box = season.boxes.get(g.game_id)
        if box is None:
            continue
        result = {p.book_name: s for side in box.lines for p, s in side}
        at = (g.tipoff_utc.astimezone(EASTERN) + IN_PLAY_AFTER).replace(tzinfo=None)
        for r in season.props[g.game_id][-1]:  # the afternoon snapshot
            offer = dict(zip(PROPS_COLUMNS, r))
            stats = result.get(offer["player"])
            if stats is None:  # a listed player who did not play: no in-play line
                continue
            actual = sum(stats[s] for s in STATS[offer["market"]])
            live = math.floor((1 - IN_PLAY_WEIGHT) * float(offer["line"]) + IN_PLAY_WEIGHT * actual) + 0.5
            rows.append(
                [
                    f"raw_{at:%Y%m%d_%H%M%S}.csv",
                    f"{at:%Y-%m-%dT%H:%M:%S}",
                    offer["event_id"],
                    offer["player"],
                    offer["market"],
                    str(live),
                    offer["bookmaker"],
                    offer["game"],
                    offer["game_time"],
                    "-110.0",
                    "-110.0",
                ]
            )
    return rows


@dataclass
class League:
    root: Path
    landed: Path  # the DuckDB file with only the raw tables loaded: every mutant builds from a copy of it
    honest: Path  # the same, built by `nbaprops build --layer precompute`
    in_play_offers: int  # rows of the in-play snapshots landed


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path))  # read-write: in-process dbt may still hold the file


@pytest.fixture(scope="module")
def league(tmp_path_factory) -> League:
    root = tmp_path_factory.mktemp("leak_sql")
    mp = activate(warehouse_env(root))
    try:
        simulate(CONFIG, root / "files")
        in_play = root / "files" / "props_in_play.csv"
        rows = in_play_rows(CONFIG)
        write_csv(in_play, PROPS_COLUMNS, rows)
        import_files([*sim_imports(root / "files"), ("props", [in_play])])
        landed = root / "landed"
        landed.mkdir()
        for f in root.glob("nbaprops.duckdb*"):
            shutil.copy2(f, landed / f.name)
        build_phase4()
    finally:
        mp.undo()
    return League(root, landed / "nbaprops.duckdb", root / "nbaprops.duckdb", len(rows))


def leaked_build(league: League, name: str, path: str, old: str, new: str) -> Path:
    """A phase-4 build (no data tests) of the landed files with one mutation of the project, beside the honest one."""
    dbt_args = ["build", "--select", LAYER_SELECTORS["precompute"], "--exclude", "resource_type:test"]
    return build_mutant(league.landed, league.root / name, [(path, old, new)], dbt_args)


def backtest(path: Path) -> BacktestResult:
    """The walk-forward backtest of the built mart at ``path``: one model trained before START scores START..END."""
    con = duckdb_warehouse(path)
    try:
        mart = read_mart(con)
        offers = read_offers(con, CONFIG.start_date, CONFIG.tonight)
    finally:
        con.close()
    return run_backtest(mart, offers, START, END, PredictConfig(params=PARAMS), retrain="none")


def lean_win_rate(result: BacktestResult) -> tuple[float, int]:
    lean = result.results["lean_result"]
    wins, losses = int((lean == "win").sum()), int((lean == "loss").sum())
    return wins / max(1, wins + losses), wins + losses


def mart_rows(path: Path, columns: str) -> pd.DataFrame:
    con = connect(path)
    try:
        return con.execute(
            f"select player_id, game_id, market, {columns} from precompute.feature_mart "
            "where row_kind = 'training' and did_play order by player_id, game_id, market"
        ).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def window_leak(league) -> Path:
    # both window forms of macros/rolling_window.sql: the framed one, and the last-N-games steps starting at 0
    dbt_args = ["build", "--select", LAYER_SELECTORS["precompute"], "--exclude", "resource_type:test"]
    edits = [
        (
            "macros/rolling_window.sql",
            "{{ preceding }} preceding and 1 preceding",
            "{{ preceding }} preceding and current row",
        ),
        ("macros/rolling_window.sql", "for step in range(1, longest + 1)", "for step in range(0, longest + 1)"),
    ]
    return build_mutant(league.landed, league.root / "window_leak", edits, dbt_args)


@pytest.fixture(scope="module")
def in_play_leak(league) -> Path:
    return leaked_build(
        league,
        "in_play_leak",
        "models/intermediate/int_prop_offers.sql",
        "when tipoff_at is not null then snapshot_at < tipoff_at",
        "when tipoff_at is not null then true",
    )


def test_the_honest_build_lands_the_in_play_snapshots_and_leaves_them_out(league):
    con = connect(league.honest)
    try:
        in_play = con.execute("select count(*) from intermediate.int_prop_offers where not is_pregame").fetchone()[0]
        late = con.execute(
            """
            select count(*) from intermediate.int_prop_pregame_lines l
            join (select distinct game_id, tipoff_at from intermediate.int_prop_offers) o using (game_id)
            where l.latest_snapshot_at >= o.tipoff_at or l.opening_snapshot_at >= o.tipoff_at
            """
        ).fetchone()[0]
    finally:
        con.close()
    assert in_play == league.in_play_offers > 10_000, (in_play, league.in_play_offers)  # landed, and not pregame
    assert late == 0, f"{late} pregame lines come from a snapshot at or after tip-off"


def test_honest_sql_mart_the_preferred_side_wins_about_half(league):
    result = backtest(league.honest)
    assert not (result.results["priced_at"] > result.results["game_date"] + AFTER_EVERY_TIP).any()
    rate, n = lean_win_rate(result)
    assert n >= MIN_LINES, f"only {n} graded lines; lengthen the simulated backtest"
    assert rate <= ALARM, f"preferred side won {rate:.1%} of {n} lines against an efficient market: leakage?"
    assert rate >= FLOOR, f"preferred side won only {rate:.1%} of {n} lines: the lean is systematically wrong"


def test_the_alarm_trips_when_the_rolling_windows_include_the_current_game(league, window_leak):
    honest, leaked = mart_rows(league.honest, "f_stat_avg_l5"), mart_rows(window_leak, "f_stat_avg_l5")
    assert len(honest) == len(leaked) and (honest["player_id"] == leaked["player_id"]).all()
    changed = ~pd.Series(
        [math.isclose(a, b) for a, b in zip(honest["f_stat_avg_l5"].fillna(-1), leaked["f_stat_avg_l5"].fillna(-1))]
    )
    assert changed.mean() > 0.9, f"the mutated window changed only {changed.mean():.0%} of the averages"
    rate, n = lean_win_rate(backtest(window_leak))
    assert n >= MIN_LINES and rate > ALARM, f"the current game inside the windows gave only {rate:.1%} on {n} lines"


def test_the_alarm_trips_when_a_snapshot_after_tip_off_counts_as_pregame(league, in_play_leak):
    honest, leaked = mart_rows(league.honest, "line"), mart_rows(in_play_leak, "line")
    lined = honest["line"].notna()
    assert lined.sum() > 10_000 and (leaked["line"].notna() == lined).all()
    moved = (honest.loc[lined, "line"] != leaked.loc[lined, "line"]).mean()
    assert moved > 0.5, f"the in-play snapshot moved only {moved:.0%} of the mart's lines"
    result = backtest(in_play_leak)
    late = (result.results["priced_at"] > result.results["game_date"] + AFTER_EVERY_TIP).mean()
    assert late > 0.5, f"only {late:.0%} of the lines were priced at the in-play snapshot"
    rate, n = lean_win_rate(result)
    assert n >= MIN_LINES and rate > ALARM, f"a post-tip-off line gave only {rate:.1%} on {n} lines"


def test_the_oracle_flags_the_post_tip_off_line_the_honest_mart_does_not_have(league, in_play_leak):
    """The feature oracle derives the pregame line from raw.prop_snapshots itself: it agrees with the honest
    mart and disagrees with the leaked one (for the line and the feature computed from it)."""
    sample = []
    for path in (league.honest, in_play_leak):
        con = connect(path)
        try:
            con.execute("select setseed(0.19)")
            rows = con.execute(
                "select * from precompute.feature_mart where did_play and line is not null order by random() limit 40"
            ).df()
            sample.append((load_history(con), rows))
        finally:
            con.close()
    (honest_history, honest_rows), (leaked_history, leaked_rows) = sample
    assert compare(honest_history, honest_rows, feature_names()) == []
    problems = compare(leaked_history, leaked_rows, feature_names())
    flagged = {p.split(" ")[0] for p in problems if " line: " in p}
    assert len(flagged) >= 0.5 * len(leaked_rows), problems[:10]
    assert any("f_line_minus_avg_l10:" in p for p in problems)


def test_the_alarm_trips_when_the_training_cut_falls_after_the_scored_dates(league, monkeypatch):
    cut_after = END + timedelta(days=1)

    def train_past_the_window(frame, features, before, params, **kwargs):
        return train_model(frame, features, cut_after, params, **kwargs)

    monkeypatch.setattr(predict.backtest, "train_model", train_past_the_window)
    result = backtest(league.honest)
    (retrain,) = result.retrains
    assert date.fromisoformat(retrain["window"][1]) >= END, retrain["window"]  # the scored dates were trained on
    rate, n = lean_win_rate(result)
    assert n >= MIN_LINES and rate > ALARM, f"training past the scored dates gave only {rate:.1%} on {n} lines"


def test_a_post_tip_off_price_alone_sinks_the_lean_below_the_floor(league, monkeypatch):
    """Pricing (not the mart) at the in-play snapshot gives the MARKET the outcome: the raw model now disagrees
    with a line that knows the result, so its lean loses. Above-53 % alone would miss this leak; the floor does not."""
    monkeypatch.setattr(
        predict.offers, "OFFERS_TABLE", "(select * replace (true as is_pregame) from intermediate.int_prop_offers)"
    )
    rate, n = lean_win_rate(backtest(league.honest))
    assert n >= MIN_LINES and rate < FLOOR, f"in-play prices gave the lean {rate:.1%} on {n} lines"
