"""Phase 4 over time, on a simulated league: no look-ahead, and incremental runs equal to a full refresh.

1. The last played date lands after a first build (its games are scheduled then, with scoring rows); the
   incremental run that picks it up leaves every precompute model row-for-row identical to a full refresh.
2. Changing the box scores of a date D (players and teams) moves no feature of any row dated on or before D,
   while features after D do move (so the check is not vacuous).
"""

from __future__ import annotations

import duckdb
import pytest
from support.phase4_support import (
    INCREMENTAL_TABLES,
    PRECOMPUTE_MODELS,
    Warehouse,
    activate,
    feature_names,
    import_files,
    sim_imports,
    simulate,
    table_rows,
    warehouse_env,
)

ORDER_BY = {
    table.split(".")[1]: order for table, order in INCREMENTAL_TABLES.items() if table.startswith("precompute.")
}


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    root = tmp_path_factory.mktemp("p4inc")
    env = warehouse_env(root)
    mp = activate(env)
    try:
        # the last 5 days are scheduled (scoring rows several days ahead, as with a real schedule)
        simulate(root / "files", as_of="2025-11-15")
        import_files(sim_imports(root / "files"))
        warehouse = Warehouse(root, root / "nbaprops.duckdb", env)
        ok(warehouse.dbt("seed"))
        yield warehouse
    finally:
        mp.undo()


def ok(outcome) -> None:
    assert outcome.success, "\n".join(f"{n.status}: {n.name}: {n.message}" for n in outcome.failures)


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {m: table_rows(con, f"precompute.{m}", ORDER_BY[m]) for m in PRECOMPUTE_MODELS}


def test_incremental_run_for_a_newly_landed_date_equals_a_full_refresh(sim):
    con = sim.connect()
    held_back = con.execute("select max(game_date) from raw.player_game_logs").fetchone()[0]
    con.execute("create schema if not exists held")
    for table in ("player_game_logs", "team_game_logs"):
        con.execute(f"create table held.{table} as select * from raw.{table} where game_date = ?", [held_back])
        con.execute(f"delete from raw.{table} where game_date = ?", [held_back])
    con.close()

    ok(sim.dbt("run", "--select", "+tag:precompute", "--full-refresh"))
    con = sim.connect()
    scoring_before = con.execute(
        "select count(*) from precompute.feature_mart where row_kind = 'scoring' and game_date = ?", [held_back]
    ).fetchone()[0]
    # a sentinel in a row far older than the lookback: an incremental run must leave it alone
    first_day = con.execute("select min(game_date) from precompute.feature_mart").fetchone()[0]
    con.execute("update precompute.feature_mart set feature_version = 'sentinel' where game_date = ?", [first_day])
    for table in ("player_game_logs", "team_game_logs"):
        con.execute(f"insert into raw.{table} select * from held.{table}")
    con.close()

    ok(sim.dbt("run", "--select", "+tag:precompute"))
    con = sim.connect()
    try:
        untouched = con.execute(
            "select count(*) from precompute.feature_mart where feature_version = 'sentinel'"
        ).fetchone()[0]
        con.execute("update precompute.feature_mart set feature_version = 'v1' where feature_version = 'sentinel'")
        landed = con.execute(
            "select row_kind, count(*) from precompute.feature_mart where game_date = ? group by 1", [held_back]
        ).fetchall()
        incremental = snapshot(con)
    finally:
        con.close()
    assert scoring_before > 0, "the held-back date should have been scheduled (scoring rows) before it landed"
    assert untouched > 0, "the second run rebuilt old dates: it was not incremental"
    assert dict(landed).keys() == {"training"}

    ok(sim.dbt("run", "--select", "tag:precompute", "--full-refresh"))
    con = sim.connect()
    try:
        full = snapshot(con)
    finally:
        con.close()
    for model in PRECOMPUTE_MODELS:
        assert len(incremental[model]) == len(full[model]), model
        assert incremental[model] == full[model], f"{model}: incremental rows differ from a full refresh"


def test_changing_box_scores_on_a_date_moves_no_feature_dated_on_or_before_it(sim):
    ok(sim.dbt("run", "--select", "+tag:precompute", "--full-refresh"))
    features = ", ".join(feature_names() + [f"{n}_missing" for n in feature_names()])
    query = f"select player_id, game_id, market, game_date, {features} from precompute.feature_mart order by 1, 2, 3"
    con = sim.connect()
    try:
        dates = [d for (d,) in con.execute("select distinct game_date from raw.player_game_logs order by 1").fetchall()]
        changed = dates[len(dates) // 2]
        before = con.execute(query).fetchall()
        actual_before = con.execute(
            "select sum(actual) from precompute.feature_mart where game_date = ?", [changed]
        ).fetchone()[0]
        con.execute(
            "update raw.player_game_logs set pts = pts + 10, reb = reb + 5, ast = ast + 3, fg3m = fg3m + 2, "
            "fgm = fgm + 2, fga = fga + 4, fta = fta + 2, min = min + 6 where game_date = ?",
            [changed],
        )
        con.execute(
            "update raw.team_game_logs set pts = pts + 25, reb = reb + 9, ast = ast + 7, fg3m = fg3m + 4, "
            "fga = fga + 11, tov = tov + 3 where game_date = ?",
            [changed],
        )
    finally:
        con.close()

    ok(sim.dbt("run", "--select", "+tag:precompute", "--full-refresh"))
    con = sim.connect()
    try:
        after = con.execute(query).fetchall()
        actual_after = con.execute(
            "select sum(actual) from precompute.feature_mart where game_date = ?", [changed]
        ).fetchone()[0]
    finally:
        con.close()
    assert [r[:4] for r in before] == [r[:4] for r in after]
    moved_early = [b[:4] for b, a in zip(before, after) if b[3] <= changed and b != a]
    moved_late = [b[:4] for b, a in zip(before, after) if b[3] > changed and b != a]
    assert actual_after != actual_before, "the box-score change did not reach the mart"
    assert not moved_early, f"{len(moved_early)} row(s) dated on or before {changed} moved, e.g. {moved_early[:5]}"
    assert len(moved_late) > 100, "features after the changed date should move"
