"""Shared setup for the phase-4 tests: land a simulated league or the real seasons, build phase 4 once.

Every warehouse and dbt target folder is private to the test module (tmp_path_factory), so these tests never
touch the project's target/ or warehouse/.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from nbacore.dbt_runner import DbtOutcome, run_dbt
from nbacore.settings import PROJECT_DIR, load_settings
from support.feature_oracle import compare, load_history
from support.helpers import run_cli

SIM_FILES = (
    ("schedule", "schedule.csv"),
    ("game-logs", "player_game_logs.csv"),
    ("game-logs", "team_game_logs.csv"),
    ("props", "props.csv"),
    ("game-lines", "game_lines.csv"),
)
# Every incremental table and the order its rows are compared in (daily build == full refresh).
INCREMENTAL_TABLES = {
    "intermediate.int_player_games": "game_date, player_id",
    "intermediate.int_prop_offers": "snapshot_at, event_id, player_name, market, bookmaker, line",
    "intermediate.int_prop_consensus_lines": "game_id, player_lookup, market, snapshot_at",
    "intermediate.int_prop_pregame_lines": "game_id, player_lookup, market",
    "precompute.feature_mart_player_games": "player_id, game_date",
    "precompute.player_daily_cache": "player_id, game_date",
    "precompute.team_defense_daily_cache": "team, game_date",
    "precompute.player_composite_factors": "player_id, game_date",
    "precompute.feature_mart": "player_id, game_id, market",
}
PRECOMPUTE_MODELS = (
    "feature_mart_player_games",
    "player_daily_cache",
    "team_defense_daily_cache",
    "player_composite_factors",
    "feature_mart",
)
FEATURE_DEFINITIONS = PROJECT_DIR / "seeds" / "feature_definitions.csv"
MARKETS = ("points", "rebounds", "assists", "threes", "pra")


@dataclass
class Warehouse:
    """A built warehouse: its DuckDB file and the environment dbt and the CLI run with."""

    root: Path
    path: Path
    env: dict[str, str]

    def connect(self) -> duckdb.DuckDBPyConnection:
        # read-write: in-process dbt keeps the file open, and DuckDB refuses a second configuration
        return duckdb.connect(str(self.path))

    def dbt(self, *args: str) -> DbtOutcome:
        """dbt in-process against this warehouse (its env set for the call)."""
        mp = activate(self.env)
        try:
            return run_dbt(load_settings("local"), list(args), quiet=True)
        finally:
            mp.undo()


def feature_names() -> list[str]:
    """The canonical feature order, from seeds/feature_definitions.csv."""
    with FEATURE_DEFINITIONS.open() as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: int(r["position"]))
    return [r["feature_name"] for r in rows]


def warehouse_env(root: Path) -> dict[str, str]:
    return {
        "NBAPROPS_DUCKDB_PATH": str(root / "nbaprops.duckdb"),
        "NBAPROPS_TARGET": "local",
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_LOG_PATH": str(root / "logs"),
    }


def activate(env: dict[str, str]) -> pytest.MonkeyPatch:
    mp = pytest.MonkeyPatch()
    for key, value in env.items():
        mp.setenv(key, value)
    return mp


def import_files(imports: list[tuple[str, list[Path]]]) -> None:
    for kind, files in imports:
        result = run_cli("import", kind, *files)
        assert result.exit_code == 0, result.output + result.stderr


def simulate(files: Path, days: int = 30, seed: int = 11, as_of: str | None = None) -> None:
    """A simulated league from 2025-10-21; games on/after as_of (default: the last day) are scheduled, not played."""
    extra = ["--as-of", as_of] if as_of else []
    result = run_cli("sim", "--out", files, "--days", str(days), "--seed", str(seed), *extra)
    assert result.exit_code == 0, result.output


def sim_imports(files: Path) -> list[tuple[str, list[Path]]]:
    return [(kind, [files / name]) for kind, name in SIM_FILES]


def real_imports(data: Path) -> list[tuple[str, list[Path]]]:
    """All ten seasons plus 2025-26 (with the partial logs that carry 2025-26 shot counts), as the README lands them."""
    slim = data / "nba-game-logs-2017-2026-with-playoffs"
    return [
        (
            "game-logs",
            sorted((data / "nba-player-game-logs").glob("*.csv.gz"))
            + sorted((data / "nba-team-game-logs").glob("*.csv.gz"))
            + [
                slim / "player_game_logs_2025-26.csv.gz",
                slim / "team_game_logs_2025-26.csv.gz",
                data / "nba-player-game-logs-2025-26-partial" / "combined_2025_26.csv.gz",
            ],
        ),
        ("schedule", [slim / "schedule_2025-26.csv.gz"]),
        ("props", sorted((data / "odds-api-player-props-2025-26").glob("*.csv.gz"))),
        ("game-lines", sorted((data / "nba-game-lines-2007-2025").glob("*.csv.gz"))),
    ]


def build_phase4() -> None:
    result = run_cli("build", "--layer", "precompute")
    assert result.exit_code == 0, result.output[-4000:] + result.stderr


def table_rows(con: duckdb.DuckDBPyConnection, table: str, order_by: str) -> list[tuple]:
    """Every row of a table in a fixed order, floats rounded to 9 places (summation order may differ)."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema || '.' || table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    select = ", ".join(f"round({c}, 9)" if t == "DOUBLE" else c for c, t in columns)
    return con.execute(f"select {select} from {table} order by {order_by}").fetchall()


def mart_sample(con: duckdb.DuckDBPyConnection, where: str, n: int, seed: float = 0.42) -> pd.DataFrame:
    """n random feature-mart rows matching `where` (repeatable: seeded)."""
    con.execute(f"select setseed({seed})")
    return con.execute(f"select * from precompute.feature_mart where {where} order by random() limit {n}").df()


def assert_matches(wh: Warehouse, sample: pd.DataFrame) -> None:
    """Every feature of every sampled row equals its Python recomputation (tests/python/support/feature_oracle.py)."""
    con = wh.connect()
    try:
        history = load_history(con)
    finally:
        con.close()
    problems = compare(history, sample, feature_names())
    assert not problems, f"{len(problems)} disagreement(s), first 25:\n" + "\n".join(problems[:25])
