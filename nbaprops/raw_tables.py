"""The raw schema: one definition of every table that importers and scrapers land rows into.

Both ways data arrives (``nbaprops import`` from files, ``scrapers/`` from live sources) write these
tables and nothing else, so dbt's sources describe exactly one shape. Every table carries
``game_date`` (US/Eastern date of tip-off), ``_loaded_at`` (UTC landing time) and ``_source``
(file name or URL with secrets redacted); a load replaces whole (``_source``, ``game_date``) partitions.
"""

from __future__ import annotations

from dataclasses import dataclass

RAW_SCHEMA = "raw"

_BOX_SCORE_COUNTS = {
    "pts": "INTEGER",
    "fgm": "INTEGER",
    "fga": "INTEGER",
    "fg3m": "INTEGER",
    "fg3a": "INTEGER",
    "ftm": "INTEGER",
    "fta": "INTEGER",
    "oreb": "INTEGER",
    "dreb": "INTEGER",
    "reb": "INTEGER",
    "ast": "INTEGER",
    "stl": "INTEGER",
    "blk": "INTEGER",
    "tov": "INTEGER",
    "pf": "INTEGER",
    "fg_pct": "DOUBLE",
    "fg3_pct": "DOUBLE",
    "ft_pct": "DOUBLE",
    "plus_minus": "DOUBLE",
}

_LINEAGE = {"_loaded_at": "TIMESTAMP", "_source": "VARCHAR"}


@dataclass(frozen=True)
class RawTable:
    """A raw table: its name, its columns in order (name -> DuckDB type) and its row key."""

    name: str
    columns: dict[str, str]
    key: tuple[str, ...]

    @property
    def qualified(self) -> str:
        return f"{RAW_SCHEMA}.{self.name}"


PLAYER_GAME_LOGS = RawTable(
    name="player_game_logs",
    columns={
        "game_id": "VARCHAR",
        "game_id_derived": "BOOLEAN",
        "game_date": "DATE",
        "season_id": "VARCHAR",
        "season_type": "VARCHAR",
        "player_id": "BIGINT",
        "player_name": "VARCHAR",
        "team_id": "BIGINT",
        "team_abbreviation": "VARCHAR",
        "matchup": "VARCHAR",
        "wl": "VARCHAR",
        "min": "DOUBLE",
        **_BOX_SCORE_COUNTS,
        "starter": "BOOLEAN",
        "status": "VARCHAR",
        "not_playing_reason": "VARCHAR",
        **_LINEAGE,
    },
    key=("_source", "game_id", "player_id"),
)

TEAM_GAME_LOGS = RawTable(
    name="team_game_logs",
    columns={
        "game_id": "VARCHAR",
        "game_id_derived": "BOOLEAN",
        "game_date": "DATE",
        "season_id": "VARCHAR",
        "season_type": "VARCHAR",
        "team_id": "BIGINT",
        "team_abbreviation": "VARCHAR",
        "team_name": "VARCHAR",
        "matchup": "VARCHAR",
        "wl": "VARCHAR",
        "min": "DOUBLE",
        **_BOX_SCORE_COUNTS,
        **_LINEAGE,
    },
    key=("_source", "game_id", "team_abbreviation"),
)

SCHEDULE = RawTable(
    name="schedule",
    columns={
        "game_id": "VARCHAR",
        "game_date": "DATE",
        "season": "VARCHAR",
        "season_type": "VARCHAR",
        "tipoff_at": "TIMESTAMP",
        "home_team_id": "BIGINT",
        "home_team_abbreviation": "VARCHAR",
        "away_team_id": "BIGINT",
        "away_team_abbreviation": "VARCHAR",
        "home_pts": "INTEGER",
        "away_pts": "INTEGER",
        "game_status": "INTEGER",
        **_LINEAGE,
    },
    key=("_source", "game_id"),
)

PROP_SNAPSHOTS = RawTable(
    name="prop_snapshots",
    columns={
        "snapshot_at": "TIMESTAMP",
        "snapshot_kind": "VARCHAR",
        "event_id": "VARCHAR",
        "game_date": "DATE",
        "commence_time": "TIMESTAMP",
        "home_team_name": "VARCHAR",
        "away_team_name": "VARCHAR",
        "player_name": "VARCHAR",
        "market_key": "VARCHAR",
        "bookmaker": "VARCHAR",
        "line": "DOUBLE",
        "over_odds": "DOUBLE",
        "under_odds": "DOUBLE",
        **_LINEAGE,
    },
    key=("_source", "snapshot_at", "event_id", "player_name", "market_key", "bookmaker", "line"),
)

GAME_LINES = RawTable(
    name="game_lines",
    columns={
        "game_date": "DATE",
        "season": "INTEGER",
        "season_type": "VARCHAR",
        "away_team_code": "VARCHAR",
        "home_team_code": "VARCHAR",
        "away_pts": "INTEGER",
        "home_pts": "INTEGER",
        "favored_side": "VARCHAR",
        "spread": "DOUBLE",
        "total": "DOUBLE",
        "moneyline_away": "DOUBLE",
        "moneyline_home": "DOUBLE",
        **_LINEAGE,
    },
    key=("_source", "game_date", "home_team_code"),
)

# The scrapers' attempt log: one row per HTTP attempt (append-only; each batch is its own _source partition).
# classification: ok, no_data, not_found, blocked, rate_limited, server_error, timeout, parse_error.
SCRAPE_ATTEMPTS = RawTable(
    name="scrape_attempts",
    columns={
        "run_id": "VARCHAR",
        "attempt_seq": "INTEGER",
        "requested_at": "TIMESTAMP",
        "source": "VARCHAR",
        "endpoint": "VARCHAR",
        "resource_id": "VARCHAR",
        "game_date": "DATE",
        "url": "VARCHAR",
        "attempt": "INTEGER",
        "http_status": "INTEGER",
        "classification": "VARCHAR",
        "latency_ms": "DOUBLE",
        "bytes": "BIGINT",
        "waited_seconds": "DOUBLE",
        "retry_after_seconds": "DOUBLE",
        "rows_parsed": "INTEGER",
        "archive_path": "VARCHAR",
        "quota_remaining": "INTEGER",
        "quota_used": "INTEGER",
        "error": "VARCHAR",
        **_LINEAGE,
    },
    key=("run_id", "attempt_seq"),
)

RAW_TABLES: dict[str, RawTable] = {
    t.name: t for t in (PLAYER_GAME_LOGS, TEAM_GAME_LOGS, SCHEDULE, PROP_SNAPSHOTS, GAME_LINES, SCRAPE_ATTEMPTS)
}


def create_raw_tables(con) -> None:
    """Create the raw schema and every raw table if missing (DuckDB connection)."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for table in RAW_TABLES.values():
        cols = ", ".join(f"{name} {sql_type}" for name, sql_type in table.columns.items())
        con.execute(f"create table if not exists {table.qualified} ({cols})")
