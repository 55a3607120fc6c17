"""`dbt source freshness` judges the latest game_date and knows the schedule (macros/freshness.sql).

Hand-made raw rows with controlled _loaded_at (UTC) and a hand-made schedule around today's US/Eastern date,
then real `dbt source freshness` runs:
  * the latest date loaded 96 h ago while an older date was re-processed 1 h ago -> error (a plain
    max(_loaded_at) would call it fresh);
  * the latest date loaded 13 h ago while older rows are 4 days old -> pass;
  * a day without games after a fresh slate -> pass (the same loads with a game that day -> warn);
  * the All-Star break and the off-season -> pass; prop lines are due on the game day itself;
  * the schedule is judged on its latest slate before today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest
from support.phase4_support import Warehouse, activate, warehouse_env

from nbacore.dates import today_eastern
from nbacore.raw_tables import RAW_TABLES, create_raw_tables

BOX_SCORES = ("player_game_logs", "team_game_logs")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("p4fresh")
    env = warehouse_env(root)
    mp = activate(env)
    con = duckdb.connect(str(root / "nbaprops.duckdb"))
    create_raw_tables(con)
    con.close()
    try:
        yield Warehouse(root, root / "nbaprops.duckdb", env)
    finally:
        mp.undo()


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=hours)


def days_from_today(n: int) -> date:
    return today_eastern() + timedelta(days=n)


def land(
    wh: Warehouse,
    schedule: dict[int, str],
    box_scores: dict[int, float],
    props: dict[int, float] | None = None,
    schedule_loaded_hours_ago: float = 1,
    final_through: int = -1,
) -> None:
    """Replace every raw table's rows.

    schedule: day offset from today -> season_type of one game that day ('regular', 'all_star', ...);
      games up to final_through (offset) are final (game_status 3), later ones scheduled.
    box_scores / props: day offset -> hours ago that date's rows landed (one row per table per date).
    """
    con = wh.connect()
    try:
        for table in RAW_TABLES.values():
            con.execute(f"delete from {table.qualified}")
        for offset, season_type in schedule.items():
            con.execute(
                "insert into raw.schedule (game_id, game_date, season_type, home_team_abbreviation, "
                "away_team_abbreviation, game_status, _loaded_at, _source) values (?, ?, ?, 'BOS', 'NYK', ?, ?, 'schedule.csv')",
                [
                    f"g{offset}",
                    days_from_today(offset),
                    season_type,
                    3 if offset <= final_through else 1,
                    hours_ago(schedule_loaded_hours_ago),
                ],
            )
        for offset, age in box_scores.items():
            for table in BOX_SCORES:
                con.execute(
                    f"insert into raw.{table} (game_id, game_date, _loaded_at, _source) values (?, ?, ?, 'logs.csv')",
                    [f"g{offset}", days_from_today(offset), hours_ago(age)],
                )
            con.execute(
                "insert into raw.game_lines (game_date, home_team_code, _loaded_at, _source) values (?, 'bos', ?, 'lines.csv')",
                [days_from_today(offset), hours_ago(age)],
            )
        for offset, age in (props or {}).items():
            con.execute(
                "insert into raw.prop_snapshots (snapshot_at, event_id, game_date, player_name, market_key, _loaded_at, _source) "
                "values (?, ?, ?, 'A Player', 'player_points', ?, 'props.csv')",
                [hours_ago(age), f"e{offset}", days_from_today(offset), hours_ago(age)],
            )
    finally:
        con.close()


def freshness(wh: Warehouse) -> dict[str, str]:
    """Run `dbt source freshness` on every source; status per raw table (pass / warn / error)."""
    outcome = wh.dbt("source", "freshness")
    statuses = {n.name: n.status for n in outcome.nodes}
    assert set(BOX_SCORES) <= set(statuses), outcome.nodes
    return statuses


def daily(first: int, last: int, season_type: str = "regular") -> dict[int, str]:
    return {offset: season_type for offset in range(first, last + 1)}


def test_latest_date_loaded_96h_ago_is_stale_though_an_older_date_was_reprocessed_1h_ago(warehouse):
    # games every day; box scores landed through 5 days ago, that slate 96 h ago; 8 days ago re-processed 1 h ago
    loads = {offset: 150.0 for offset in range(-10, -5)} | {-5: 96.0, -8: 1.0}
    land(warehouse, daily(-10, 3), loads)
    status = freshness(warehouse)
    assert status["player_game_logs"] == "error" and status["team_game_logs"] == "error", status
    con = warehouse.connect()
    try:
        newest_load = con.execute("select max(_loaded_at) from raw.player_game_logs").fetchone()[0]
    finally:
        con.close()
    assert newest_load > hours_ago(2), "a plain max(_loaded_at) would have called this table fresh"


def test_latest_date_loaded_13h_ago_is_fresh_though_older_rows_are_4_days_old(warehouse):
    loads = {offset: 96.0 for offset in range(-10, -1)} | {-1: 13.0}
    land(warehouse, daily(-10, 3), loads)
    status = freshness(warehouse)
    assert status["player_game_logs"] == "pass" and status["team_game_logs"] == "pass", status


def test_a_day_without_games_after_a_fresh_slate_is_not_stale(warehouse):
    # the slate of 2 days ago landed 40 h ago; yesterday had no game; games resume today
    schedule = daily(-10, -2) | {0: "regular", 1: "regular"}
    loads = {offset: 100.0 for offset in range(-10, -2)} | {-2: 40.0}
    land(warehouse, schedule, loads)
    status = freshness(warehouse)
    assert status["player_game_logs"] == "pass" and status["team_game_logs"] == "pass", status
    # the same loads with a game yesterday: that finished slate has not landed -> 40 h > warn_after 36 h
    land(warehouse, schedule | {-1: "regular"}, loads)
    status = freshness(warehouse)
    assert status["player_game_logs"] == "warn" and status["team_game_logs"] == "warn", status


def test_the_all_star_break_and_the_off_season_are_not_stale(warehouse):
    # All-Star break: the last slate 6 days ago (landed 5 days ago), only the All-Star game since, games resume today
    schedule = daily(-12, -6) | {-3: "all_star", 0: "regular", 1: "regular"}
    loads = {offset: 200.0 for offset in range(-12, -6)} | {-6: 120.0}
    land(warehouse, schedule, loads, final_through=-1)
    status = freshness(warehouse)
    assert status["player_game_logs"] == "pass" and status["game_lines"] == "pass", status
    # off-season: the finals ended 60 days ago and everything landed right after; next season not scheduled yet
    land(
        warehouse,
        daily(-70, -60),
        {offset: 24.0 * (-offset - 1) for offset in range(-70, -59)},
        schedule_loaded_hours_ago=1400,
    )
    status = freshness(warehouse)
    assert status["player_game_logs"] == "pass" and status["game_lines"] == "pass", status
    assert status["schedule"] == "pass", "every game of the schedule's latest slate is final"


def test_prop_lines_are_due_on_the_game_day_and_the_schedule_on_its_latest_past_slate(warehouse):
    schedule = daily(-5, 2)
    box = {offset: 100.0 for offset in range(-5, -1)} | {-1: 10.0}
    # lines for yesterday's slate, last pulled 22 h ago; tonight's games have no lines yet
    land(warehouse, schedule, box, props={-2: 40.0, -1: 22.0})
    status = freshness(warehouse)
    assert status["prop_snapshots"] == "warn", status
    # tonight's lines pulled 2 h ago
    land(warehouse, schedule, box, props={-1: 22.0, 0: 2.0})
    assert freshness(warehouse)["prop_snapshots"] == "pass"
    # no game today or tomorrow: yesterday's lines are the latest that can exist
    land(warehouse, daily(-5, -1), box, props={-1: 30.0})
    assert freshness(warehouse)["prop_snapshots"] == "pass"

    # the schedule: yesterday's game still not final and the schedule last refreshed 100 h ago -> error
    land(warehouse, schedule, box, schedule_loaded_hours_ago=100, final_through=-2)
    assert freshness(warehouse)["schedule"] == "error"
    # refreshed since yesterday's game finished (final) -> pass, however old the rest of the file is
    land(warehouse, schedule, box, schedule_loaded_hours_ago=100, final_through=-1)
    assert freshness(warehouse)["schedule"] == "pass"
