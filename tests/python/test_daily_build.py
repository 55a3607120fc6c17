"""The daily build (`nbaprops build --daily`, the morning run's build): tables and incremental models with the
tests tagged daily, scoped to the recent dates it rewrites.

1. On a simulated league: a date lands after a full build; the daily build leaves every incremental table
   (intermediate and precompute) row-for-row identical to a full refresh, and its tests look only at recent dates.
2. A daily test still fails on bad new data (player points that do not add up to the team's on the new date).
3. Before any full build the daily build falls back to a full one and says why; the test window arithmetic.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from helpers import run_cli
from nbaprops.dbt_runner import build_args, daily_test_since, incremental_lookback_days
from nbaprops.settings import load_settings
from phase4_support import INCREMENTAL_TABLES, Warehouse, activate, import_files, sim_imports, simulate, table_rows, warehouse_env


@pytest.fixture(scope="module")
def league(tmp_path_factory):
    root = tmp_path_factory.mktemp("daily")
    env = warehouse_env(root)
    mp = activate(env)
    try:
        simulate(root / "files", days=24, as_of="2025-11-12")
        import_files(sim_imports(root / "files"))
        yield Warehouse(root, root / "nbaprops.duckdb", env)
    finally:
        mp.undo()


def hold_back_last_date(warehouse: Warehouse) -> date:
    con = warehouse.connect()
    try:
        held_back = con.execute("select max(game_date) from raw.player_game_logs").fetchone()[0]
        con.execute("create schema if not exists held")
        for table in ("player_game_logs", "team_game_logs"):
            con.execute(f"create or replace table held.{table} as select * from raw.{table} where game_date = ?", [held_back])
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


def snapshot(warehouse: Warehouse) -> dict[str, list[tuple]]:
    con = warehouse.connect()
    try:
        return {table: table_rows(con, table, order) for table, order in INCREMENTAL_TABLES.items()}
    finally:
        con.close()


def test_before_a_full_build_the_daily_build_is_a_full_build(tmp_path, monkeypatch):
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(tmp_path / "empty.duckdb"))
    plan = build_args(load_settings("local"), daily=True)
    assert plan.args == ["build"] and "NBAPROPS_DAILY_TEST_SINCE" not in plan.env
    description = plan.description
    assert description.startswith("full build: the daily build needs reference.") or "staging." in description


def test_daily_test_window_starts_before_the_lookback():
    lookback = incremental_lookback_days()
    assert daily_test_since(date(2025, 4, 13)) == date(2025, 4, 13) - timedelta(days=lookback + 2)
    assert daily_test_since(date(2025, 4, 13), since=date(2025, 1, 1)) == date(2025, 1, 1)
    assert daily_test_since(None) is None


def test_daily_build_of_a_new_date_equals_a_full_refresh_and_tests_only_recent_dates(league):
    outcome = league.dbt("build")
    assert outcome.success, [f"{n.name}: {n.message}" for n in outcome.failures]
    held_back = hold_back_last_date(league)
    outcome = league.dbt("build", "--full-refresh")
    assert outcome.success, [f"{n.name}: {n.message}" for n in outcome.failures]
    land_held_back(league)

    mp = activate(league.env)
    try:
        plan = build_args(load_settings("local"), daily=True)
        result = run_cli("build", "--daily")
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output[-3000:] + result.stderr
    assert plan.args == ["build", "--selector", "daily"]
    assert plan.env["NBAPROPS_DAILY_TEST_SINCE"] == daily_test_since(held_back).isoformat()
    assert f"daily tests from {daily_test_since(held_back)}" in plan.description
    ran = [line for line in result.output.splitlines() if " START " in line]
    assert not any(" view model " in line for line in ran), "the daily build rebuilt a view"
    assert not any("accepted_range" in line or "not_null_" in line for line in ran), "a test not tagged daily ran"
    incremental = snapshot(league)

    outcome = league.dbt("run", "--full-refresh", "--exclude", "config.materialized:view")
    assert outcome.success, [f"{n.name}: {n.message}" for n in outcome.failures]
    full = snapshot(league)
    con = league.connect()
    try:
        landed = con.execute("select count(*) from intermediate.int_player_games where game_date = ?", [held_back]).fetchone()[0]
    finally:
        con.close()
    assert landed > 0
    for table in INCREMENTAL_TABLES:
        assert len(incremental[table]) == len(full[table]), table
        assert incremental[table] == full[table], f"{table}: the daily build differs from a full refresh"


def test_a_daily_test_fails_on_bad_rows_of_the_new_date(league):
    con = league.connect()
    try:
        day = con.execute("select max(game_date) from raw.player_game_logs").fetchone()[0]
        con.execute("update raw.player_game_logs set pts = pts + 7 where game_date = ? and player_id = "
                    "(select min(player_id) from raw.player_game_logs where game_date = ?)", [day, day])  # fmt: skip
    finally:
        con.close()
    mp = activate(league.env)
    try:
        result = run_cli("build", "--daily")
    finally:
        mp.undo()
    assert result.exit_code != 0
    assert "assert_player_points_sum_to_team_points" in result.output + result.stderr


def test_full_refresh_rewrites_old_dates_a_daily_build_leaves_alone(league):
    con = league.connect()
    try:
        day = con.execute("select max(game_date) from raw.player_game_logs").fetchone()[0]
        con.execute("update raw.player_game_logs set pts = pts - 7 where game_date = ? and player_id = "
                    "(select min(player_id) from raw.player_game_logs where game_date = ?)", [day, day])  # undo the last test
        first_day = con.execute("select min(game_date) from precompute.feature_mart").fetchone()[0]
        con.execute("update precompute.feature_mart set feature_version = 'sentinel' where game_date = ?", [first_day])
    finally:
        con.close()
    mp = activate(league.env)
    try:
        daily = run_cli("build", "--daily")
        sentinel_after_daily = _sentinels(league)
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
        return con.execute("select count(*) from precompute.feature_mart where feature_version = 'sentinel'").fetchone()[0]
    finally:
        con.close()
