"""Phase 4 incremental runs read only the history they need, and still equal a full refresh (two seasons).

player_daily_cache's incremental branch reads every row from history_start (the first date of the season it
writes) plus, for each player it writes, his games on as many of his last played dates before history_start as
his last-10-games windows still reach; games_before adds back the rest. Here the written dates start over 14 days
into season 2 (history_start is the season's first date, not the 14-day window), most last-10 windows there
still reach back into season 1, and three players make the edge cases:

  * ABSENT_LATE sat out the last 12 days of season 1: his last 10 games are well before its end;
  * RETURNING sat out all of season 2 until the held-back date: that day's row carries 10 season-1 games;
  * SIDELINED sat out all of season 2: his rows there are DNPs (he had prop lines on final games, none on the
    scheduled ones), whose team comes from his season-1 games.

The last played date of season 2 is held back, the warehouse is built, the date lands and an incremental run
picks it up: every precompute model must then equal a full refresh row for row.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest
from support.phase4_support import PRECOMPUTE_MODELS, Warehouse, activate, import_files, table_rows, warehouse_env

from simulator import SimConfig, simulate
from simulator.league import load_teams, make_rosters

SEED = 11
SEASON_1 = SimConfig(
    seed=SEED, season_start_year=2024, start_date=date(2024, 10, 22), days=30, as_of=date(2024, 11, 21)
)
# 20 played days, then 3 scheduled ones (as with a real schedule): the written dates start more than 14 days into
# the season, so history_start is the season's first date (not the 14-day window), yet few have 10 games in it
SEASON_2 = SimConfig(
    seed=SEED, season_start_year=2025, start_date=date(2025, 10, 21), days=23, as_of=date(2025, 11, 10)
)
ABSENT_DAYS = 12  # ABSENT_LATE's rows dropped from the end of season 1
ORDER_BY = {
    "feature_mart_player_games": "player_id, game_date",
    "player_daily_cache": "player_id, game_date",
    "team_defense_daily_cache": "team, game_date",
    "player_composite_factors": "player_id, game_date",
    "feature_mart": "player_id, game_id, market",
}


def ok(outcome) -> None:
    assert outcome.success, "\n".join(f"{n.status}: {n.name}: {n.message}" for n in outcome.failures)


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {m: table_rows(con, f"precompute.{m}", ORDER_BY[m]) for m in PRECOMPUTE_MODELS}


@pytest.fixture(scope="module")
def league(tmp_path_factory):
    """Two simulated seasons landed, the edge-case players' box scores removed, the last played date held back."""
    root = tmp_path_factory.mktemp("p4hist")
    env = warehouse_env(root)
    mp = activate(env)
    try:
        outputs = [simulate(config, root / f"files-{config.season_start_year}") for config in (SEASON_1, SEASON_2)]
        # one import per file: the two seasons' files share their names (the source key of a raw row)
        import_files(
            [
                (kind, [path])
                for o in outputs
                for kind, path in (
                    ("schedule", o.schedule),
                    ("game-logs", o.player_game_logs),
                    ("game-logs", o.team_game_logs),
                    ("props", o.props),
                    ("game-lines", o.game_lines),
                )
            ]
        )
        warehouse = Warehouse(root, root / "nbaprops.duckdb", env)
        ok(warehouse.dbt("seed"))
        con = warehouse.connect()
        try:
            players = edge_case_players(con)
            held_back = hold_back_last_played_date(con)
        finally:
            con.close()
        yield warehouse, players, held_back
    finally:
        mp.undo()


def edge_case_players(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Top scorers of season 1 on three teams become the edge cases (RETURNING's team plays on the last played
    date); their box scores are removed."""
    season_1_end = SEASON_1.start_date + timedelta(days=SEASON_1.days - 1)
    last_played = con.execute("select max(game_date) from raw.player_game_logs").fetchone()[0]
    ranked = con.execute(
        "select player_id, any_value(team_abbreviation), max(game_date) = ? as plays_last "
        "from raw.player_game_logs group by player_id "
        "order by sum(case when game_date <= ? then pts end) desc nulls last, player_id",
        [last_played, season_1_end],
    ).fetchall()
    returning, returning_team = next((p, t) for p, t, plays_last in ranked if plays_last)
    others = []
    for player_id, team, _ in ranked:
        if team != returning_team and team not in {t for _, t in others}:
            others.append((player_id, team))
    players = {"ABSENT_LATE": others[0][0], "RETURNING": returning, "SIDELINED": others[1][0]}
    con.execute(
        "delete from raw.player_game_logs where player_id = ? and game_date > ? and game_date <= ?",
        [players["ABSENT_LATE"], season_1_end - timedelta(days=ABSENT_DAYS), season_1_end],
    )
    con.execute(
        "delete from raw.player_game_logs where player_id = ? and game_date >= ? and game_date < ?",
        [players["RETURNING"], SEASON_2.start_date, last_played],
    )
    con.execute(
        "delete from raw.player_game_logs where player_id = ? and game_date >= ?",
        [players["SIDELINED"], SEASON_2.start_date],
    )
    # no line on a scheduled game either: only his DNPs make him a player the incremental run writes
    (book_name,) = [
        p.book_name
        for roster in make_rosters(load_teams(SEASON_2), SEASON_2).values()
        for p in roster
        if p.player_id == players["SIDELINED"]
    ]
    deleted = con.execute(
        "delete from raw.prop_snapshots where player_name = ? and game_date >= ?", [book_name, SEASON_2.as_of]
    ).fetchone()[0]
    assert deleted > 0, f"SIDELINED ({book_name}) had no lines on scheduled games"
    return players


def hold_back_last_played_date(con: duckdb.DuckDBPyConnection) -> date:
    held_back = con.execute("select max(game_date) from raw.player_game_logs").fetchone()[0]
    con.execute("create schema if not exists held")
    for table in ("player_game_logs", "team_game_logs"):
        con.execute(f"create table held.{table} as select * from raw.{table} where game_date = ?", [held_back])
        con.execute(f"delete from raw.{table} where game_date = ?", [held_back])
    return held_back


def test_incremental_run_over_two_seasons_equals_a_full_refresh(league):
    warehouse, players, held_back = league
    ok(warehouse.dbt("run", "--select", "+tag:precompute", "--full-refresh"))
    con = warehouse.connect()
    try:
        # season-1 rows are far older than the lookback: marked, they must survive the incremental run untouched
        con.execute(
            "create table held.season_1_cache as select player_id, game_date, points_std_l10 "
            "from precompute.player_daily_cache where game_date < ?",
            [SEASON_2.start_date],
        )
        marked = con.execute(
            "update precompute.player_daily_cache set points_std_l10 = -1 where game_date < ?", [SEASON_2.start_date]
        ).fetchone()[0]
        for table in ("player_game_logs", "team_game_logs"):
            con.execute(f"insert into raw.{table} select * from held.{table}")
    finally:
        con.close()

    ok(warehouse.dbt("run", "--select", "+tag:precompute"))
    compiled = next(warehouse.root.joinpath("target").rglob("compiled/**/player_daily_cache.sql")).read_text()
    con = warehouse.connect()
    try:
        untouched = con.execute(
            "select count(*) from precompute.player_daily_cache where points_std_l10 = -1"
        ).fetchone()[0]
        con.execute(
            "update precompute.player_daily_cache as cache set points_std_l10 = kept.points_std_l10 "
            "from held.season_1_cache as kept "
            "where kept.player_id = cache.player_id and kept.game_date = cache.game_date"
        )
        incremental = snapshot(con)
    finally:
        con.close()
    assert "carry_needs" in compiled, "the second run did not compile player_daily_cache's incremental branch"
    assert marked > 0 and untouched == marked, "the incremental run rewrote season-1 rows"

    ok(warehouse.dbt("run", "--select", "tag:precompute", "--full-refresh"))
    con = warehouse.connect()
    try:
        full = snapshot(con)
        check_edge_cases(con, players, held_back)
    finally:
        con.close()
    for model in PRECOMPUTE_MODELS:
        assert len(incremental[model]) == len(full[model]), model
        different = [(i, f) for i, f in zip(incremental[model], full[model]) if i != f]
        assert not different, (
            f"{model}: {len(different)} incremental row(s) differ from a full refresh, first: {different[0]}"
        )


def check_edge_cases(con: duckdb.DuckDBPyConnection, players: dict[str, int], held_back: date) -> None:
    """The warehouse really has the cases the test is about (so passing is not vacuous)."""
    season_1_end = SEASON_1.start_date + timedelta(days=SEASON_1.days - 1)
    written_from = held_back - timedelta(days=3)

    def one(sql: str, params: list) -> tuple:
        return con.execute(sql, params).fetchone()

    # the written dates start more than 14 days into season 2 (history_start is its first date), and most
    # last-10 windows there still reach into season 1
    assert written_from - timedelta(days=14) > SEASON_2.start_date
    mixed, written = one(
        "select count(*) filter (where points_games_l10 > games_played_season), count(*) "
        "from precompute.player_daily_cache where game_date >= ? and games_played_season > 0",
        [written_from],
    )
    assert mixed > written / 2, (mixed, written)
    # ABSENT_LATE's last season-1 game is more than ABSENT_DAYS before its end; he plays again in season 2
    last_s1, first_s2 = one(
        "select max(game_date) filter (where game_date <= ?), min(game_date) filter (where game_date >= ?) "
        "from analytics.player_game_summary where player_id = ?",
        [season_1_end, SEASON_2.start_date, players["ABSENT_LATE"]],
    )
    assert last_s1 <= season_1_end - timedelta(days=ABSENT_DAYS) and first_s2 is not None
    # RETURNING: on the held-back date he plays with 10 season-1 games in his last-10 window
    row = one(
        "select is_played, points_games_l10, games_played_season, games_before, previous_played_date "
        "from precompute.player_daily_cache where player_id = ? and game_date = ?",
        [players["RETURNING"], held_back],
    )
    assert row is not None and row[0] and row[1] == 10 and row[2] == 0 and row[3] >= 10 and row[4] is None, row
    # SIDELINED: DNP rows on the written dates, on his season-1 team, with a full last-10 window from season 1
    dnps = con.execute(
        "select team, points_games_l10, games_before from precompute.player_daily_cache "
        "where player_id = ? and game_date >= ? and row_source = 'dnp_with_line'",
        [players["SIDELINED"], written_from],
    ).fetchall()
    assert dnps and all(team is not None and n == 10 and before >= 10 for team, n, before in dnps), dnps
    scheduled = one(
        "select count(*) from precompute.player_daily_cache where player_id = ? and row_source = 'scheduled'",
        [players["SIDELINED"]],
    )
    assert scheduled == (0,), scheduled
