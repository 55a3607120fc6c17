"""Phase 4 on a simulated league (runs everywhere, a fresh clone included): the feature mart's contract, its
documentation, and every feature recomputed in Python from earlier-dated rows. The same recomputation runs on
the real seasons in test_phase4_real.py. The league is simulated, landed and built once per module
(`nbaprops build --layer precompute`). The recomputation derives each row's team, opponent, home/away, season and line
from the raw inputs, and is shown to catch each of them wrong, in the mart frame and written by the SQL.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
import yaml
from support.dbt_mutants import build_mutant, run_mutant
from support.feature_oracle import CONTEXT_COLUMNS, borrowed_context, compare, load_history
from support.phase4_support import (
    FEATURE_DEFINITIONS,
    PRECOMPUTE_MODELS,
    Warehouse,
    activate,
    assert_matches,
    build_phase4,
    feature_names,
    import_files,
    mart_sample,
    sim_imports,
    simulate,
    warehouse_env,
)

from nbacore.settings import PROJECT_DIR

KEY_COLUMNS = [
    "player_id",
    "player_lookup",
    "player_name",
    "game_id",
    "game_date",
    "season",
    "season_type",
    "market",
    "team",
    "opponent",
    "is_home",
    "row_kind",
    "line",
    "opening_line",
    "line_movement",
    "has_line",
    "line_books",
    "actual",
    "did_play",
]
MODELS_YML = PROJECT_DIR / "models" / "precompute" / "_precompute__models.yml"


@pytest.fixture(scope="module")
def sim_warehouse(tmp_path_factory) -> Warehouse:
    root = tmp_path_factory.mktemp("p4sim")
    env = warehouse_env(root)
    mp = activate(env)
    try:
        simulate(root / "files")
        import_files(sim_imports(root / "files"))
        build_phase4()
    finally:
        mp.undo()
    return Warehouse(root, root / "nbaprops.duckdb", env)


# ---- the simulated league (runs everywhere) ---------------------------------------------------------------------


def test_sim_every_feature_matches_a_python_recomputation_from_earlier_rows(sim_warehouse):
    con = sim_warehouse.connect()
    try:
        sample = pd.concat(
            [
                mart_sample(con, "row_kind = 'scoring'", 150),
                mart_sample(con, "did_play = false", 100),
                mart_sample(con, "did_play", 350),
            ]
        )
    finally:
        con.close()
    assert len(sample) >= 500 and set(sample["row_kind"]) == {"training", "scoring"}
    assert (sample["did_play"] == False).sum() > 0  # noqa: E712  (DNP rows are in the sample)
    assert_matches(sim_warehouse, sample)


def _flip(value):
    return None if value is None or pd.isna(value) else not bool(value)


# A wrong context column in the mart: the oracle derives each from the raw inputs, so it must name it on every
# row the mutation changed (and on no other).
CONTEXT_MUTATIONS = {
    "team and opponent swapped": lambda f: f.assign(team=f["opponent"], opponent=f["team"]),
    "line shifted by 1": lambda f: f.assign(line=f["line"] + 1),
    "home and away flipped": lambda f: f.assign(is_home=f["is_home"].map(_flip)),
    "season relabelled": lambda f: f.assign(season="2024-25"),
}


@pytest.fixture(scope="module")
def oracle_sample(sim_warehouse):
    """The oracle's history and a sample of scoring, DNP and played rows (with and without a line) it agrees with."""
    con = sim_warehouse.connect()
    try:
        history = load_history(con)
        sample = pd.concat(
            [
                mart_sample(con, "row_kind = 'scoring'", 15, seed=0.3),
                mart_sample(con, "did_play = false", 15, seed=0.3),
                mart_sample(con, "did_play and line is not null", 25, seed=0.3),
                mart_sample(con, "did_play and line is null", 15, seed=0.3),
            ],
            ignore_index=True,
        )
    finally:
        con.close()
    assert compare(history, sample, feature_names()) == []
    return history, sample


@pytest.mark.parametrize("mutation", list(CONTEXT_MUTATIONS))
def test_the_oracle_catches_a_wrong_team_opponent_home_season_or_line(oracle_sample, mutation):
    history, sample = oracle_sample
    mutated = CONTEXT_MUTATIONS[mutation](sample.copy())
    problems = compare(history, mutated, feature_names())
    keys = [f"{r.player_id}|{r.game_id}|{r.market}|{pd.Timestamp(r.game_date).date()}" for r in sample.itertuples()]
    changed_any = False
    for column in CONTEXT_COLUMNS:
        before, after = sample[column], mutated[column]
        changed = [
            not ((pd.isna(b) and pd.isna(a)) or (not pd.isna(b) and not pd.isna(a) and b == a))
            for b, a in zip(before, after)
        ]
        flagged = [any(p.startswith(f"{k} {column}: mart ") for p in problems) for k in keys]
        assert flagged == changed, f"{mutation}: {column} flagged on {sum(flagged)} rows, changed on {sum(changed)}"
        changed_any |= any(changed)
    assert changed_any, f"{mutation} changed no row of the sample"


# The same wrong context written by the SQL, so that every feature built on it agrees with it: the box-score rows
# of feature_mart_player_games take the other side of the game, and the mart's line is one more than the consensus.
SQL_CONTEXT_MUTATIONS = [
    (
        "models/precompute/feature_mart_player_games.sql",
        "        team,\n        opponent,\n        is_home,\n        'box_score' as row_source,",
        "        opponent as team,\n        team as opponent,\n        not is_home as is_home,\n        'box_score' as row_source,",
    ),
    (
        "models/precompute/feature_mart.sql",
        "        lines.latest_line as line,",
        "        lines.latest_line + 1 as line,",
    ),
]


def test_the_oracle_catches_a_swapped_side_and_a_shifted_line_written_by_the_sql(sim_warehouse, tmp_path):
    mutant = build_mutant(
        sim_warehouse.path,
        tmp_path / "mutant",
        SQL_CONTEXT_MUTATIONS,
        ["run", "--select", "feature_mart_player_games+", "--full-refresh"],
    )
    con = duckdb.connect(str(mutant))
    try:
        history = load_history(con)
        sample = pd.concat(
            [
                mart_sample(con, "did_play and line is not null", 20, seed=0.7),
                mart_sample(con, "row_kind = 'scoring'", 10, seed=0.7),
            ],
            ignore_index=True,
        )
    finally:
        con.close()
    keys = [f"{r.player_id}|{r.game_id}|{r.market}|{pd.Timestamp(r.game_date).date()}" for r in sample.itertuples()]
    played = sample["did_play"].fillna(False).astype(bool).tolist()

    def flagged(problems: list[str], column: str) -> list[bool]:
        return [any(p.startswith(f"{k} {column}: mart ") for p in problems) for k in keys]

    # borrowing the row's context (the oracle before issue 19): the shifted line passes unseen
    borrowed = compare(history, sample, feature_names(), context_of=borrowed_context)
    assert not any(" line" in p or "f_line_minus_avg_l10" in p for p in borrowed), borrowed[:5]
    # deriving it from the raw inputs: every swapped side and every shifted line is named
    problems = compare(history, sample, feature_names())
    for column in ("team", "opponent", "is_home"):
        assert flagged(problems, column) == played, (
            f"{column} flagged on {sum(flagged(problems, column))} of {sum(played)}"
        )
    assert all(flagged(problems, "line")), f"line flagged on {sum(flagged(problems, 'line'))} of {len(keys)} rows"


def test_sim_mart_has_training_scoring_and_dnp_rows_by_contract(sim_warehouse):
    con = sim_warehouse.connect()
    try:
        player_games = con.execute("select count(*) from analytics.player_game_summary").fetchone()[0]
        by_kind = dict(
            con.execute(
                "select row_kind || '/' || coalesce(cast(did_play as varchar), 'null'), count(*) "
                "from precompute.feature_mart group by 1"
            ).fetchall()
        )
        scoring_lines = con.execute(
            """
            select count(*) from intermediate.int_prop_pregame_lines l
            join analytics.upcoming_team_game_context u on u.game_id = l.game_id and u.is_home
            where l.player_lookup in (select player_lookup from intermediate.int_player_lookups)
            """
        ).fetchone()[0]
        scoring = con.execute(
            "select count(*), count(line), count(actual), count(did_play) from precompute.feature_mart where row_kind = 'scoring'"
        ).fetchone()
        versions = con.execute("select distinct feature_version from precompute.feature_mart").fetchall()
    finally:
        con.close()
    assert by_kind["training/true"] == player_games * 5
    assert by_kind["training/false"] > 0
    assert scoring == (scoring_lines, scoring_lines, 0, 0) and scoring_lines > 0
    assert versions == [("v1",)]


def test_feature_columns_follow_the_seed_order_and_every_feature_is_documented(sim_warehouse):
    names = feature_names()
    con = sim_warehouse.connect()
    try:
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'precompute' and table_name = 'feature_mart' order by ordinal_position"
            ).fetchall()
        ]
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'precompute' and table_name = 'feature_mart'"
            ).fetchall()
        )
    finally:
        con.close()
    assert len(names) >= 25
    assert columns == KEY_COLUMNS + names + [f"{n}_missing" for n in names] + ["quality_score", "feature_version"]
    assert types["player_id"] == "BIGINT" and types["actual"] == "DOUBLE" and types["did_play"] == "BOOLEAN"
    assert all(types[n] == "DOUBLE" for n in names) and all(types[f"{n}_missing"] == "BOOLEAN" for n in names)

    seed = pd.read_csv(FEATURE_DEFINITIONS)
    assert list(seed.columns) == ["feature_name", "position", "definition", "unit", "window", "source"]
    assert list(seed.sort_values("position")["position"]) == list(range(1, len(names) + 1))
    documented = {
        c["name"]: c
        for m in yaml.safe_load(MODELS_YML.read_text())["models"]
        if m["name"] == "feature_mart"
        for c in m["columns"]
    }
    for row in seed.itertuples():
        column = documented.get(row.feature_name)
        assert column, f"{row.feature_name} is not documented in {MODELS_YML.name}"
        for part in (row.definition, f"Unit: {row.unit}", f"Window: {row.window}", f"Source: {row.source}"):
            assert part in column["description"], f"{row.feature_name}: yml description lacks {part!r}"
        assert column["config"]["meta"]["position"] == row.position
        assert f"{row.feature_name}_missing" in documented


def test_every_precompute_model_is_incremental_with_the_portable_config_and_a_primary_key():
    yml = yaml.safe_load(MODELS_YML.read_text())
    tested = {m["name"]: m for m in yml["models"]}
    for model in PRECOMPUTE_MODELS:
        sql = (PROJECT_DIR / "models" / "precompute" / f"{model}.sql").read_text()
        assert "config(**incremental_config(" in sql, model
        assert any("primary_key" in t for t in tested[model]["data_tests"]), model
    # every rolling column goes through the one window macro, whose frame can only end before the row: no model
    # writes a frame, lag or lead of its own
    for model in PRECOMPUTE_MODELS:
        sql = (PROJECT_DIR / "models" / "precompute" / f"{model}.sql").read_text().lower()
        for word in ("preceding", "following", "current row", "lag(", "lead("):
            assert word not in sql, f"{model}.sql writes {word!r}; use macros/rolling_window.sql"
    macro = (PROJECT_DIR / "macros" / "rolling_window.sql").read_text()
    body = macro.split("{% macro rolling_window")[1].split("{%- endmacro %}")[0]
    assert "preceding and 1 preceding" in body and "current row" not in body and "following" not in body


def test_completeness_tests_catch_a_missing_box_score_and_a_missing_feature_row(sim_warehouse):
    tests = [
        "assert_final_games_have_box_scores_for_both_teams",
        "assert_upcoming_games_with_lines_have_feature_rows",
        "assert_lines_have_feature_rows",
    ]
    outcome = sim_warehouse.dbt("test", "--select", *tests)
    assert outcome.success and {n.status for n in outcome.nodes} == {"pass"}, outcome.nodes
    con = sim_warehouse.connect()
    try:
        # one team's player box scores of a final game before the latest landed date, and one scoring row
        game_id, team = con.execute(
            "select game_id, team from analytics.player_game_summary "
            "where game_date < (select max(game_date) from analytics.player_game_summary) order by game_id, team limit 1"
        ).fetchone()
        con.execute("create schema if not exists held")
        con.execute(
            "create or replace table held.pgs as select * from analytics.player_game_summary where game_id = ? and team = ?",
            [game_id, team],
        )
        con.execute("delete from analytics.player_game_summary where game_id = ? and team = ?", [game_id, team])
        key = con.execute(
            "select player_id, game_id, market from precompute.feature_mart where row_kind = 'scoring' order by 1, 2, 3 limit 1"
        ).fetchone()
        con.execute(
            "create or replace table held.mart as select * from precompute.feature_mart "
            "where player_id = ? and game_id = ? and market = ?",
            list(key),
        )
        con.execute("delete from precompute.feature_mart where player_id = ? and game_id = ? and market = ?", list(key))
    finally:
        con.close()
    try:
        outcome = sim_warehouse.dbt("test", "--select", *tests)
        assert {n.name: n.status for n in outcome.nodes} == {t: "fail" for t in tests}, outcome.nodes
    finally:
        con = sim_warehouse.connect()
        con.execute("insert into analytics.player_game_summary select * from held.pgs")
        con.execute("insert into precompute.feature_mart select * from held.mart")
        con.close()


# ---- the contract Python reads the mart by ------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        # the line becomes a decimal while the contract says float64
        (
            "models/precompute/feature_mart.sql",
            "        lines.latest_line as line,",
            "        cast(lines.latest_line as decimal(10, 1)) as line,",
        ),
        # a column Python reads disappears from the contract
        ("models/precompute/_precompute__models.yml", "      - name: line_books\n        data_type: bigint\n", ""),
    ],
    ids=["wrong type", "undeclared column"],
)
def test_the_feature_mart_contract_is_enforced_on_duckdb(sim_warehouse, tmp_path, edit):
    """`contract: {enforced: true}`: a mart that no longer matches its declared columns and types fails to build,
    before any row is written."""
    outcome = run_mutant(sim_warehouse.path, tmp_path / "mutant", [edit], ["run", "--select", "feature_mart"])
    assert not outcome.success
    assert any("contract" in node.message.lower() for node in outcome.failures), outcome.failures
