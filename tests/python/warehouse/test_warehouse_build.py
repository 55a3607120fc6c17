"""The warehouse end to end: files -> raw -> dbt staging and phase 3, with every data test passing.

The simulated league runs everywhere; the real ten seasons run when ../shared/data is present.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from support.helpers import raw_fingerprint, run_cli

from nbaprops.runs.counts import ANALYTICS_MODELS

SIM_FILES = (
    ("schedule", "schedule.csv"),
    ("game-logs", "player_game_logs.csv"),
    ("game-logs", "team_game_logs.csv"),
    ("props", "props.csv"),
    ("game-lines", "game_lines.csv"),
)


def counts(path: Path, tables: tuple[str, ...]) -> dict[str, int]:
    con = duckdb.connect(str(path))
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def sim_warehouse(tmp_path_factory):
    """A simulated 20-day league imported and built once for this module."""
    root = tmp_path_factory.mktemp("simwh")
    path = root / "nbaprops.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("NBAPROPS_DUCKDB_PATH", str(path))
    mp.setenv("NBAPROPS_TARGET", "local")
    result = run_cli("sim", "--out", root / "files", "--days", "20", "--seed", "11")
    assert result.exit_code == 0, result.output
    for kind, name in SIM_FILES:
        result = run_cli("import", kind, root / "files" / name)
        assert result.exit_code == 0, result.output + result.stderr
    result = run_cli("build")
    assert result.exit_code == 0, result.output + result.stderr
    yield root, path
    mp.undo()


def test_simulated_league_builds_with_every_data_test_passing(sim_warehouse):
    _, path = sim_warehouse
    rows = counts(path, tuple(f"analytics.{m}" for m in ANALYTICS_MODELS))
    assert all(n > 0 for n in rows.values()), rows


def test_reimporting_and_rebuilding_changes_no_row_count(sim_warehouse, monkeypatch):
    root, path = sim_warehouse
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(path))
    models = tuple(f"analytics.{m}" for m in ANALYTICS_MODELS)
    raw_before, models_before = raw_fingerprint(path), counts(path, models)
    for kind, name in SIM_FILES:
        assert run_cli("import", kind, root / "files" / name).exit_code == 0
    assert run_cli("build", "--layer", "analytics").exit_code == 0
    assert raw_fingerprint(path) == raw_before
    assert counts(path, models) == models_before


def test_counts_command_prints_every_phase3_model(sim_warehouse, monkeypatch):
    _, path = sim_warehouse
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(path))
    result = run_cli("counts")
    assert result.exit_code == 0
    for model in ANALYTICS_MODELS:
        assert model in result.output


# ---- real data -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_warehouse(tmp_path_factory, shared_data):
    d = shared_data
    slim = d / "nba-game-logs-2017-2026-with-playoffs"
    path = tmp_path_factory.mktemp("realwh") / "nbaprops.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("NBAPROPS_DUCKDB_PATH", str(path))
    mp.setenv("NBAPROPS_TARGET", "local")
    imports = [
        (
            "game-logs",
            sorted((d / "nba-player-game-logs").glob("*.csv.gz"))
            + sorted((d / "nba-team-game-logs").glob("*.csv.gz"))
            + [
                slim / "player_game_logs_2025-26.csv.gz",
                slim / "team_game_logs_2025-26.csv.gz",
                d / "nba-player-game-logs-2025-26-partial" / "combined_2025_26.csv.gz",
            ],
        ),
        ("schedule", [slim / "schedule_2025-26.csv.gz"]),
        ("props", sorted((d / "odds-api-player-props-2025-26").glob("*.csv.gz"))),
        ("game-lines", sorted((d / "nba-game-lines-2007-2025").glob("*.csv.gz"))),
    ]
    for kind, files in imports:
        result = run_cli("import", kind, *files)
        assert result.exit_code == 0, result.stderr
    result = run_cli("build")
    assert result.exit_code == 0, result.output[-3000:] + result.stderr
    yield path
    mp.undo()


@pytest.mark.shared_data
def test_real_ten_seasons_reconcile_player_points_with_team_points(real_warehouse):
    con = duckdb.connect(str(real_warehouse))
    try:
        team_games = con.execute(
            """
            select count(*) from analytics.team_offense_game_summary t
            join (select game_id, team, sum(points) as points
                  from analytics.player_game_summary group by all) p using (game_id, team)
            where t.points = p.points and t.season_type = 'regular' and t.game_date < '2025-07-01'
              and t.game_date >= '2015-10-01'
            """
        ).fetchone()[0]
    finally:
        con.close()
    assert team_games == 23782


@pytest.mark.shared_data
def test_every_real_2025_26_prop_name_resolves_and_join_share_is_reported(real_warehouse):
    con = duckdb.connect(str(real_warehouse))
    try:
        unmatched = con.execute("select * from monitoring.prop_player_names_unmatched").fetchall()
        total, joined = con.execute(
            """
            select count(*), count(pgs.player_id)
            from intermediate.int_prop_offers o
            left join intermediate.int_player_lookups l on l.player_lookup = o.player_lookup
            left join analytics.player_game_summary pgs
              on pgs.player_id = l.player_id and pgs.game_date = o.game_date
            where o.market = 'points'
            """
        ).fetchone()
    finally:
        con.close()
    assert unmatched == []
    share = joined / total
    print(f"\npoints prop rows joining a player_game_summary row on their date: {joined:,}/{total:,} = {share:.1%}")
    assert share > 0.9


def test_a_layer_builds_first_on_a_new_warehouse(sim_warehouse, tmp_path, monkeypatch, layer="analytics"):
    """`build --layer analytics` as the first build of a warehouse (it includes staging): the seeds its tests read
    come with it, and the tests of later layers that only touch a seed are not run (5 nodes failed before:
    data_test_exceptions and the precompute schema did not exist yet)."""
    root, _ = sim_warehouse
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(tmp_path / "new.duckdb"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    for kind, name in SIM_FILES:
        assert run_cli("import", kind, root / "files" / name).exit_code == 0
    result = run_cli("build", "--layer", layer)
    assert result.exit_code == 0, result.output + result.stderr
