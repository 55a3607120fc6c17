"""The raw schema: one definition of every table that importers and scrapers land rows into.

Both ways data arrives (``nbaprops import`` from files, ``scrapers/`` from live sources) write these
tables and nothing else, so dbt's sources describe exactly one shape. Every table carries
``game_date`` (US/Eastern date of tip-off), ``_loaded_at`` (UTC landing time) and ``_source``
(an imported file's path relative to the import root, or a scraper's feed name); a load replaces whole
(``_source``, ``game_date``) partitions.

The schema is also the value contract: ``RawTable.checks`` says what each column may plausibly hold, and
the importers refuse a file with a value outside it (naming the file, row and column), because a row that
lands with an impossible value (a 2099 game date, -5 points) fails every later build far from its cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

RAW_SCHEMA = "raw"


@dataclass(frozen=True)
class Check:
    """The values one column may hold: ``low``..``high`` inclusive (numbers, or dates for DATE/TIMESTAMP).

    ``days_ahead`` makes a date's upper bound move with the calendar (today, US/Eastern, plus that many
    days), because schedules and odds legitimately run ahead of today, but not by years.
    """

    low: float | date
    high: float | date | None = None
    days_ahead: int | None = None

    def limits(self, today: date) -> tuple[float | date, float | date]:
        high = today + timedelta(days=self.days_ahead) if self.days_ahead is not None else self.high
        return self.low, high


# The first BAA/NBA game was 1946-11-01; nothing is scheduled more than ~13 months ahead.
GAME_DAY = Check(date(1946, 11, 1), days_ahead=400)
# NBA person and team ids are at most 10 digits (teams 1610612737..; players up to ~1.65 million).
NBA_ID = Check(1, 9_999_999_999)
SHARE = Check(0, 1)  # shooting percentages are fractions
MARGIN = Check(-100, 100)  # the largest NBA margin is 73
AMERICAN_ODDS = Check(-100_000, 100_000)
# Plausible single-game highs, with headroom over the records (100 points, 55 rebounds, 30 assists,
# 69 minutes in 6 overtimes); a value past them is a broken file, not a record.
PLAYER_BOX_SCORE_CHECKS = {
    "game_date": GAME_DAY,
    "player_id": NBA_ID,
    "team_id": NBA_ID,
    "min": Check(0, 80),
    "pts": Check(0, 120),
    "fgm": Check(0, 70),
    "fga": Check(0, 120),
    "fg3m": Check(0, 40),
    "fg3a": Check(0, 60),
    "ftm": Check(0, 50),
    "fta": Check(0, 60),
    "oreb": Check(0, 40),
    "dreb": Check(0, 50),
    "reb": Check(0, 70),
    "ast": Check(0, 50),
    "stl": Check(0, 20),
    "blk": Check(0, 25),
    "tov": Check(0, 25),
    "pf": Check(0, 10),
    "fg_pct": SHARE,
    "fg3_pct": SHARE,
    "ft_pct": SHARE,
    "plus_minus": MARGIN,
}
TEAM_BOX_SCORE_CHECKS = {
    "game_date": GAME_DAY,
    "team_id": NBA_ID,
    "min": Check(0, 450),
    "pts": Check(0, 250),
    "fgm": Check(0, 120),
    "fga": Check(0, 200),
    "fg3m": Check(0, 80),
    "fg3a": Check(0, 150),
    "ftm": Check(0, 100),
    "fta": Check(0, 120),
    "oreb": Check(0, 80),
    "dreb": Check(0, 120),
    "reb": Check(0, 150),
    "ast": Check(0, 100),
    "stl": Check(0, 50),
    "blk": Check(0, 50),
    "tov": Check(0, 60),
    "pf": Check(0, 80),
    "fg_pct": SHARE,
    "fg3_pct": SHARE,
    "ft_pct": SHARE,
    "plus_minus": MARGIN,
}
# A pre-game prop snapshot belongs to its game: taken at most this long before tip-off, or after it.
PROP_SNAPSHOT_LEAD = timedelta(days=14)
PROP_SNAPSHOT_LAG = timedelta(days=1)

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
    """A raw table: its name, its columns in order (name -> DuckDB type), its row key, and the plausible
    values of its columns (``checks``; INTEGER and BIGINT columns are also held to their type's range)."""

    name: str
    columns: dict[str, str]
    key: tuple[str, ...]
    checks: dict[str, Check] = field(default_factory=dict)

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
    checks=PLAYER_BOX_SCORE_CHECKS,
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
    checks=TEAM_BOX_SCORE_CHECKS,
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
    checks={
        "game_date": GAME_DAY,
        "tipoff_at": GAME_DAY,
        "home_team_id": NBA_ID,
        "away_team_id": NBA_ID,
        "home_pts": Check(0, 250),
        "away_pts": Check(0, 250),
        "game_status": Check(1, 3),
    },
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
    checks={
        "game_date": GAME_DAY,
        "snapshot_at": GAME_DAY,
        "commence_time": GAME_DAY,
        "line": Check(0, 200),
        "over_odds": AMERICAN_ODDS,
        "under_odds": AMERICAN_ODDS,
    },
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
    checks={
        "game_date": GAME_DAY,
        "season": Check(1947, 2200),
        "away_pts": Check(0, 250),
        "home_pts": Check(0, 250),
        "spread": Check(-60, 60),
        "total": Check(50, 400),
        "moneyline_away": AMERICAN_ODDS,
        "moneyline_home": AMERICAN_ODDS,
    },
)

# The league's official injury report (scrapers/injury_report.py): one row per player listed in one report
# (report_at, UTC), or per team marked NOT YET SUBMITTED (player_name NULL). Append-only: every report is its own
# _source (its published name), so re-fetching a report replaces its rows and never duplicates them.
INJURY_REPORTS = RawTable(
    name="injury_reports",
    columns={
        "report_at": "TIMESTAMP",
        "game_date": "DATE",
        "game_time": "VARCHAR",
        "matchup": "VARCHAR",
        "team_name": "VARCHAR",
        "player_name": "VARCHAR",
        "current_status": "VARCHAR",
        "reason": "VARCHAR",
        "reason_category": "VARCHAR",
        "not_yet_submitted": "BOOLEAN",
        "parse_confidence": "DOUBLE",
        "page": "INTEGER",
        "line": "INTEGER",
        **_LINEAGE,
    },
    key=("_source", "game_date", "matchup", "team_name", "player_name"),
    checks={"game_date": GAME_DAY, "report_at": GAME_DAY, "parse_confidence": SHARE},
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
    t.name: t
    for t in (
        PLAYER_GAME_LOGS,
        TEAM_GAME_LOGS,
        SCHEDULE,
        PROP_SNAPSHOTS,
        GAME_LINES,
        INJURY_REPORTS,
        SCRAPE_ATTEMPTS,
    )
}


def create_raw_tables(con) -> None:
    """Create the raw schema and every raw table if missing (DuckDB connection)."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for table in RAW_TABLES.values():
        cols = ", ".join(f"{name} {sql_type}" for name, sql_type in table.columns.items())
        con.execute(f"create table if not exists {table.qualified} ({cols})")
