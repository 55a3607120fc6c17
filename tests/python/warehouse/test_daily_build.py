"""The daily build (`nbaprops build --daily`, the morning run's build): tables and incremental models with the
tests tagged daily, scoped to the recent dates it rewrites.

1. On a simulated league: the newest date lands after a full build and an earlier box score is corrected on
   the earliest date the daily build rewrites; the daily build leaves every incremental table (intermediate
   and precompute) row-for-row identical to a full refresh, and its tests cover every date it rewrote (each
   row it wrote is found through a probe column it cannot fill) and not much more.
2. A daily test still fails on bad rows (player points that do not add up to the team's), on the newest date
   and on the earliest date the daily build rewrites.
3. A daily build leaves dates older than its lookback alone; a full refresh rewrites them.
4. Before any full build (a staging view or a seed missing) the daily build falls back to a full one and
   names what is missing.

Every test works on its own copy of one fully built league, so none depends on what another left behind.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from support.helpers import run_cli
from support.phase4_support import (
    INCREMENTAL_TABLES,
    Warehouse,
    activate,
    import_files,
    sim_imports,
    simulate,
    table_rows,
    warehouse_env,
)

from nbacore.dbt_runner import DbtBuild, build_args, daily_test_since, incremental_lookback_days
from nbacore.settings import PROJECT_DIR, load_settings

LOOKBACK = incremental_lookback_days()  # dbt_project.yml: how many days before its newest date a model rewrites
# a box-score correction: two teammates' whole stat lines swapped (team totals and every row rule still hold)
BOX_COLUMNS = (
    "min",
    "pts",
    "fgm",
    "fga",
    "fg3m",
    "fg3a",
    "ftm",
    "fta",
    "oreb",
    "dreb",
    "reb",
    "ast",
    "stl",
    "blk",
    "tov",
    "pf",
    "fg_pct",
    "fg3_pct",
    "ft_pct",
    "plus_minus",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Warehouse:
    """A simulated league after a full build (never changed: tests copy it)."""
    root = tmp_path_factory.mktemp("daily")
    league = Warehouse(root, root / "nbaprops.duckdb", warehouse_env(root))
    mp = activate(league.env)
    try:
        simulate(root / "files", days=24, as_of="2025-11-12")
        import_files(sim_imports(root / "files"))
    finally:
        mp.undo()
    outcome = league.dbt("build")
    assert outcome.success, [f"{n.name}: {n.message}" for n in outcome.failures]
    con = league.connect()
    try:
        con.execute("checkpoint")  # everything in the file, so that a copy of the file is the whole warehouse
    finally:
        con.close()
    return league


def copy_of(league: Warehouse, root: Path) -> Warehouse:
    root.mkdir(parents=True)
    shutil.copy2(league.path, root / "nbaprops.duckdb")
    if (league.root / "target").is_dir():
        shutil.copytree(league.root / "target", root / "target")  # dbt's parse, so the copy need not parse again
    return Warehouse(root, root / "nbaprops.duckdb", warehouse_env(root))


@pytest.fixture
def league(built, tmp_path) -> Warehouse:
    return copy_of(built, tmp_path / "league")


def newest_box_score(warehouse: Warehouse) -> date:
    con = warehouse.connect()
    try:
        return con.execute("select max(game_date) from raw.player_game_logs").fetchone()[0]
    finally:
        con.close()


def hold_back_last_date(warehouse: Warehouse) -> date:
    held_back = newest_box_score(warehouse)
    con = warehouse.connect()
    try:
        con.execute("create schema if not exists held")
        for table in ("player_game_logs", "team_game_logs"):
            con.execute(
                f"create or replace table held.{table} as select * from raw.{table} where game_date = ?", [held_back]
            )
            con.execute(f"delete from raw.{table} where game_date = ?", [held_back])
    finally:
        con.close()
    return held_back


def land_held_back(warehouse: Warehouse) -> None:
    con = warehouse.connect()
    try:
        for table in ("player_game_logs", "team_game_logs"):
            con.execute(f"insert into raw.{table} select * from held.{table}")
    finally:
        con.close()


def correct_a_box_score(warehouse: Warehouse, day: date) -> tuple[tuple[int, int], tuple[int, int]]:
    """Swap the stat lines of two teammates who played on ``day`` with different points, in raw (a late
    correction by the source); returns ((player_id, points now), ...) for both."""
    con = warehouse.connect()
    try:
        game_id, team_id = con.execute(
            "select game_id, team_id from raw.player_game_logs where game_date = ? and not_playing_reason is null "
            "group by all having count(distinct pts) > 1 order by game_id, team_id limit 1",
            [day],
        ).fetchone()
        cols = ", ".join(BOX_COLUMNS)
        first, second = con.execute(
            f"select player_id, {cols} from raw.player_game_logs where game_id = ? and team_id = ? "
            "and not_playing_reason is null order by pts desc, player_id limit 2",
            [game_id, team_id],
        ).fetchall()
        assignments = ", ".join(f"{c} = ?" for c in BOX_COLUMNS)
        for target, source in ((first, second), (second, first)):
            con.execute(
                f"update raw.player_game_logs set {assignments} where game_id = ? and player_id = ?",
                [*source[1:], game_id, target[0]],
            )
    finally:
        con.close()
    pts = BOX_COLUMNS.index("pts") + 1
    return (first[0], second[pts]), (second[0], first[pts])


def probe(table: str) -> str:
    return "_probe_" + table.split(".")[1]


def add_probes(warehouse: Warehouse) -> None:
    """A column on every incremental table, TRUE on every row: dbt's delete+insert writes only the model's
    columns, so a row the next build writes has it NULL."""
    con = warehouse.connect()
    try:
        for table in INCREMENTAL_TABLES:
            con.execute(f"alter table {table} add column {probe(table)} boolean")
            con.execute(f"update {table} set {probe(table)} = true")
    finally:
        con.close()


def take_probes(warehouse: Warehouse) -> dict[str, tuple[list[date], list[date]]]:
    """Per incremental table: (the dates it has rows the build wrote, the dates it has rows the build kept);
    then the probe columns are dropped again."""
    con = warehouse.connect()
    try:
        out = {}
        for table in INCREMENTAL_TABLES:
            column = probe(table)
            written = [
                d
                for (d,) in con.execute(
                    f"select distinct game_date from {table} where {column} is null order by 1"
                ).fetchall()
            ]
            kept = [
                d
                for (d,) in con.execute(f"select distinct game_date from {table} where {column} order by 1").fetchall()
            ]
            con.execute(f"alter table {table} drop column {column}")
            out[table] = (written, kept)
        return out
    finally:
        con.close()


def snapshot(warehouse: Warehouse) -> dict[str, list[tuple]]:
    con = warehouse.connect()
    try:
        return {table: table_rows(con, table, order) for table, order in INCREMENTAL_TABLES.items()}
    finally:
        con.close()


def daily_build(warehouse: Warehouse):
    """(the plan `nbaprops build --daily` makes, its result)."""
    mp = activate(warehouse.env)
    try:
        plan = build_args(load_settings("local"), daily=True)
        result = run_cli("build", "--daily")
    finally:
        mp.undo()
    return plan, result


@dataclass
class Morning:
    held_back: date
    corrected: date
    swapped: tuple[tuple[int, int], tuple[int, int]]
    plan: DbtBuild
    output: str
    written: dict[str, tuple[list[date], list[date]]]
    incremental: dict[str, list[tuple]]
    full: dict[str, list[tuple]]
    landed: int
    corrected_points: dict[int, int]


@pytest.fixture(scope="module")
def morning(built, tmp_path_factory) -> Morning:
    """A morning on a copy of the league: the newest date's box scores land (held back through a full refresh)
    and a box score on the earliest date the daily build rewrites (the newest date it had, minus the lookback)
    is corrected; the daily build runs with probes on; then a full refresh of the same data, for comparison."""
    league = copy_of(built, tmp_path_factory.mktemp("morning") / "league")
    held_back = hold_back_last_date(league)
    outcome = league.dbt("build", "--full-refresh")
    assert outcome.success, [f"{n.name}: {n.message}" for n in outcome.failures]
    corrected = newest_box_score(league) - timedelta(days=LOOKBACK)
    swapped = correct_a_box_score(league, corrected)
    land_held_back(league)
    add_probes(league)
    plan, result = daily_build(league)
    assert result.exit_code == 0, result.output[-3000:] + result.stderr
    written = take_probes(league)
    incremental = snapshot(league)
    outcome = league.dbt("run", "--full-refresh", "--exclude", "config.materialized:view")
    assert outcome.success, [f"{n.name}: {n.message}" for n in outcome.failures]
    full = snapshot(league)
    con = league.connect()
    try:
        landed = con.execute(
            "select count(*) from intermediate.int_player_games where game_date = ?", [held_back]
        ).fetchone()[0]
        corrected_points = dict(
            con.execute(
                "select player_id, points from intermediate.int_player_games where game_date = ? and player_id in (?, ?)",
                [corrected, swapped[0][0], swapped[1][0]],
            ).fetchall()
        )
    finally:
        con.close()
    return Morning(
        held_back, corrected, swapped, plan, result.output, written, incremental, full, landed, corrected_points
    )


def test_daily_build_of_a_new_date_and_a_correction_equals_a_full_refresh(morning):
    assert morning.plan.args == ["build", "--selector", "daily", "--no-write-json"]
    ran = [line for line in morning.output.splitlines() if " START " in line]
    assert not any(" view model " in line for line in ran), "the daily build rebuilt a view"
    assert not any("accepted_range" in line or "not_null_" in line for line in ran), "a test not tagged daily ran"
    assert morning.landed > 0
    # the correction reached the tables (so the comparison below shows whether the daily build took it)
    assert morning.corrected_points == dict(morning.swapped)
    for table in INCREMENTAL_TABLES:
        assert len(morning.incremental[table]) == len(morning.full[table]), table
        assert morning.incremental[table] == morning.full[table], (
            f"{table}: the daily build differs from a full refresh"
        )


def test_the_daily_tests_cover_every_date_the_daily_build_rewrote_and_little_more(morning):
    since = date.fromisoformat(morning.plan.env["NBAPROPS_DAILY_TEST_SINCE"])
    assert f"daily tests from {since}" in morning.plan.description
    first_written = {}
    for table, (written, kept) in morning.written.items():
        assert written, f"{table}: the daily build wrote no row"
        first_written[table] = written[0]
        # whole days from its first one on: no date after it kept an old row
        assert not [d for d in kept if d >= written[0]], (table, written, kept)
        assert written[0] >= since, f"{table}: the daily build rewrote {written[0]}, before its tests' window ({since})"
    assert morning.corrected in morning.written["intermediate.int_player_games"][0]
    assert morning.held_back in morning.written["intermediate.int_player_games"][0]
    # the window starts at most two days before the earliest date rewritten (a gap in the schedule can move the
    # newest date a model counts its lookback from), so the daily tests stay scoped to recent dates
    assert since >= min(first_written.values()) - timedelta(days=2), (since, first_written)


def test_daily_test_window_arguments():
    assert daily_test_since(date(2025, 4, 13), since=date(2025, 1, 1)) == date(2025, 1, 1)  # a backfill's start
    assert daily_test_since(date(2025, 4, 13), since=date(2025, 4, 12)) == daily_test_since(date(2025, 4, 13))
    assert daily_test_since(None) is None and daily_test_since(None, since=date(2025, 1, 1)) == date(2025, 1, 1)


@pytest.mark.parametrize("days_back", [0, LOOKBACK], ids=["newest date", "earliest date rewritten"])
def test_a_daily_test_fails_on_bad_rows_of_a_date_it_rewrites(league, days_back):
    day = newest_box_score(league) - timedelta(days=days_back)
    con = league.connect()
    try:
        con.execute(
            "update raw.player_game_logs set pts = pts + 7 where game_date = ? and player_id = "
            "(select min(player_id) from raw.player_game_logs where game_date = ?)",
            [day, day],
        )
    finally:
        con.close()
    _, result = daily_build(league)
    assert result.exit_code != 0
    assert "assert_player_points_sum_to_team_points" in result.output + result.stderr


def test_full_refresh_rewrites_old_dates_a_daily_build_leaves_alone(league):
    con = league.connect()
    try:
        first_day = con.execute("select min(game_date) from precompute.feature_mart").fetchone()[0]
        con.execute("update precompute.feature_mart set feature_version = 'sentinel' where game_date = ?", [first_day])
    finally:
        con.close()
    _, daily = daily_build(league)
    sentinel_after_daily = _sentinels(league)
    mp = activate(league.env)
    try:
        refreshed = run_cli("build", "--full-refresh", "--select", "+feature_mart")
    finally:
        mp.undo()
    assert daily.exit_code == 0, daily.output[-3000:]
    assert sentinel_after_daily > 0, "the daily build rewrote a date far older than its lookback"
    assert refreshed.exit_code == 0, refreshed.output[-3000:]
    assert "incremental models from scratch" in refreshed.output
    assert _sentinels(league) == 0


def _sentinels(warehouse: Warehouse) -> int:
    con = warehouse.connect()
    try:
        return con.execute(
            "select count(*) from precompute.feature_mart where feature_version = 'sentinel'"
        ).fetchone()[0]
    finally:
        con.close()


# ---- before any full build ----------------------------------------------------------------------------------


def _needed_from_a_full_build() -> list[str]:
    """What the daily build leaves as the last full build made it: every view (staging, and the public models
    Python reads) and every seed."""
    views = [f"staging.{p.stem}" for p in (PROJECT_DIR / "models" / "staging").rglob("*.sql")]
    views += ["analytics.player_lookups", "analytics.prop_offers"]
    seeds = [f"reference.{p.stem}" for p in (PROJECT_DIR / "seeds").glob("*.csv")]
    return sorted(views + seeds)


def test_before_a_full_build_the_daily_build_is_a_full_build(tmp_path, monkeypatch):
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(tmp_path / "empty.duckdb"))
    needed = _needed_from_a_full_build()
    assert len(needed) > 3 and any(n.startswith("staging.") for n in needed)
    plan = build_args(load_settings("local"), daily=True)
    assert plan.args == ["build"] and "NBAPROPS_DAILY_TEST_SINCE" not in plan.env
    assert plan.description == (
        f"full build: the daily build needs {', '.join(needed[:3])} and {len(needed) - 3} more from a full build first"
    )


@pytest.mark.parametrize("kind", ["staging.", "reference.", "analytics."])
def test_one_missing_staging_view_or_seed_is_named_and_means_a_full_build(tmp_path, monkeypatch, kind):
    from nbacore.raw_tables import create_raw_tables

    path = tmp_path / "partial.duckdb"
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(path))
    needed = _needed_from_a_full_build()
    missing = next(n for n in needed if n.startswith(kind))
    con = duckdb.connect(str(path))
    try:
        create_raw_tables(con)
        con.execute("create schema staging; create schema reference; create schema analytics")
        for name in needed:
            if name != missing:
                con.execute(f"create table {name} (x integer)")
    finally:
        con.close()
    plan = build_args(load_settings("local"), daily=True)
    assert plan.args == ["build"], plan
    assert plan.description == f"full build: the daily build needs {missing} from a full build first"
    con = duckdb.connect(str(path))
    try:
        con.execute(f"create table {missing} (x integer)")
    finally:
        con.close()
    plan = build_args(load_settings("local"), daily=True)
    assert plan.args == ["build", "--selector", "daily", "--no-write-json"], plan
    assert "NBAPROPS_DAILY_TEST_SINCE" not in plan.env  # no box score yet: the daily tests see every row
