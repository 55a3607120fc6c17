"""The Odds API player-prop snapshots (flattened, one row per player x market x line x book) -> raw.prop_snapshots.

Three flattened shapes exist, told apart by their headers:
- daily pre-game snapshots (``snapshot_local_time`` in US/Eastern wall-clock, ``game_time`` = commence_time UTC);
- historical closing lines (``timestamp`` UTC, requested at tip-off, so at or before tip-off by the
  historical endpoint's contract; no commence_time);
- historical pre-game threes (``game_time``; snapshot time from ``market_last_update`` when given, otherwise
  the latest fixed time the collector used, 20:00 UTC on the file's date, so a line is never treated
  as earlier than it may have been).
Game date is always the tip-off (or closing snapshot) converted to US/Eastern. A snapshot must belong to its
game: a US/Eastern wall-clock time that does not exist (the spring-forward gap) is refused rather than shifted,
and one taken more than ``PROP_SNAPSHOT_LEAD`` before tip-off (or ``PROP_SNAPSHOT_LAG`` after) is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from nbacore.dates import eastern_time_exists, eastern_to_utc, game_dates_of
from nbacore.importers.common import (
    ParsedFile,
    TextTable,
    check_contract,
    conform,
    drop_repeats,
    read_csv_table,
    read_text,
    require_columns,
    require_values,
    to_number,
    to_utc_timestamp,
)
from nbacore.raw_tables import PROP_SNAPSHOT_LAG, PROP_SNAPSHOT_LEAD, PROP_SNAPSHOTS

# ``line`` must be a column but may be empty: yes/no markets (double-double...) have no line.
DAILY_REQUIRED = ["snapshot_local_time", "event_id", "player", "market", "bookmaker", "game", "game_time"]
CLOSING_REQUIRED = ["player_name", "event_id", "home_team", "away_team", "bookmaker", "timestamp"]
THREES_REQUIRED = ["source_file", "player", "market", "bookmaker", "game", "game_time"]
LATEST_FIXED_SNAPSHOT_UTC = "20:00:00"
UPDATE_COLUMNS = ("market_last_update", "bookmaker_last_update")  # in order of preference
# The file column each shape's times come from, to name it when the value contract refuses one.
DAILY_NAMED = {"snapshot_at": "snapshot_local_time", "commence_time": "game_time", "game_date": "game_time"}
CLOSING_NAMED = {"snapshot_at": "timestamp", "game_date": "timestamp"}


def parse_props(path: Path, source: str) -> ParsedFile:
    table = read_csv_table(path, read_text(path))
    columns = set(table.frame.columns)
    if table.frame.empty:  # before the shapes: their time arithmetic needs rows to infer types from
        raise table.fail("has a header but no prop rows")
    if "snapshot_local_time" in columns:
        out, named = _daily_snapshots(table), dict(DAILY_NAMED)
    elif "player_name" in columns and "timestamp" in columns:
        out, named = _closing_snapshots(table), dict(CLOSING_NAMED)
    elif "source_file" in columns and "game_time" in columns:
        out, named = _fixed_time_snapshots(table), _fixed_time_named(table)
    else:
        raise table.fail(
            "unrecognised props file: expected The Odds API flattened columns "
            "(snapshot_local_time, event_id, player, market, line, bookmaker, game, game_time, over_odds, under_odds)"
        )
    frame = table.frame
    require_columns(table, ["line"], "prop snapshots")
    out["line"] = to_number(table, "line", frame["line"], whole=False)
    out["bookmaker"] = frame["bookmaker"].str.strip()
    for column in ("over_odds", "under_odds", "over_price", "under_price"):
        if column in frame.columns:
            out[column.replace("_price", "_odds")] = to_number(table, column, frame[column], whole=False)
            named[column.replace("_price", "_odds")] = column
    check_contract(table, PROP_SNAPSHOTS, out, named)
    out, repeats = drop_repeats(table, out, list(PROP_SNAPSHOTS.key[1:]))
    skipped = f"{repeats} verbatim repeated rows" if repeats else None
    return ParsedFile(
        table=PROP_SNAPSHOTS, frame=conform(PROP_SNAPSHOTS, out), source=source, skipped=skipped, path=path
    )


def _require(table: TextTable, required: list[str], what: str) -> pd.DataFrame:
    require_columns(table, required, what)
    for column in required:
        require_values(table, column, table.frame[column])
    return pd.DataFrame(index=table.frame.index)


def _split_game(table: TextTable, out: pd.DataFrame) -> None:
    teams = table.frame["game"].str.split(" @ ", n=1, expand=True, regex=False)
    if teams.shape[1] != 2 or teams[1].isna().any():
        position = int(teams[1].isna().to_numpy().argmax()) if teams.shape[1] == 2 else 0
        raise table.fail(
            f"column game has {table.frame['game'].iloc[position]!r}; expected 'Away Team @ Home Team'", position
        )
    out["away_team_name"] = teams[0].str.strip()
    out["home_team_name"] = teams[1].str.strip()


def _daily_snapshots(table: TextTable) -> pd.DataFrame:
    out = _require(table, DAILY_REQUIRED, "daily prop snapshots")
    frame = table.frame
    local = pd.to_datetime(frame["snapshot_local_time"], format="%Y-%m-%dT%H:%M:%S", errors="coerce")
    bad = local.isna()
    if bad.any():
        position = int(bad.to_numpy().argmax())
        raise table.fail(
            f"column snapshot_local_time has {frame['snapshot_local_time'].iloc[position]!r}; expected 2025-10-21T17:00:00",
            position,
        )
    unique_local = pd.Series(local.unique())
    skipped_hour = unique_local[~unique_local.map(lambda t: eastern_time_exists(t.to_pydatetime()))]
    if not skipped_hour.empty:
        position = int(local.isin(skipped_hour).to_numpy().argmax())
        raise table.fail(
            f"column snapshot_local_time has {frame['snapshot_local_time'].iloc[position]!r}, a time that does not "
            "exist in US/Eastern (clocks jump from 02:00 to 03:00 that night); check the collector's clock",
            position,
        )
    to_utc = dict(zip(unique_local, unique_local.map(lambda t: eastern_to_utc(t.to_pydatetime()))))
    out["snapshot_at"] = local.map(to_utc)
    out["snapshot_kind"] = "pregame_daily"
    out["commence_time"] = to_utc_timestamp(table, "game_time", frame["game_time"])
    check_contract(table, PROP_SNAPSHOTS, out[["snapshot_at", "commence_time"]], DAILY_NAMED)
    _check_snapshot_window(table, out, ("snapshot_local_time",))
    out["game_date"] = game_dates_of(out["commence_time"])
    out["event_id"] = frame["event_id"].str.strip()
    out["player_name"] = frame["player"].str.strip()
    out["market_key"] = frame["market"].str.strip()
    _split_game(table, out)
    return out


def _closing_snapshots(table: TextTable) -> pd.DataFrame:
    out = _require(table, CLOSING_REQUIRED, "historical closing prop snapshots")
    frame = table.frame
    out["snapshot_at"] = to_utc_timestamp(table, "timestamp", frame["timestamp"])
    check_contract(table, PROP_SNAPSHOTS, out[["snapshot_at"]], CLOSING_NAMED)  # before deriving dates from it
    out["snapshot_kind"] = "historical_closing"
    out["game_date"] = game_dates_of(out["snapshot_at"])
    out["event_id"] = frame["event_id"].str.strip()
    out["player_name"] = frame["player_name"].str.strip()
    out["market_key"] = frame["market"].str.strip() if "market" in frame.columns else "player_points_rebounds_assists"
    out["home_team_name"] = frame["home_team"].str.strip()
    out["away_team_name"] = frame["away_team"].str.strip()
    return out


def _fixed_time_snapshots(table: TextTable) -> pd.DataFrame:
    out = _require(table, THREES_REQUIRED, "historical pre-game prop snapshots")
    frame = table.frame
    out["commence_time"] = to_utc_timestamp(table, "game_time", frame["game_time"])
    file_dates = frame["source_file"].str.extract(r"(\d{4}-\d{2}-\d{2})")[0]
    bad = file_dates.isna()
    if bad.any():
        position = int(bad.to_numpy().argmax())
        raise table.fail(
            f"column source_file has {frame['source_file'].iloc[position]!r}; expected a name with its date, like props_2024-10-22_player_threes.csv",
            position,
        )
    fixed = pd.to_datetime(file_dates + "T" + LATEST_FIXED_SNAPSHOT_UTC)
    updated = None
    for column in UPDATE_COLUMNS:
        if column in frame.columns:
            stamps = to_utc_timestamp(table, column, frame[column])
            updated = stamps if updated is None else updated.where(updated.notna(), stamps)
    out["snapshot_at"] = fixed if updated is None else updated.where(updated.notna(), fixed)
    check_contract(table, PROP_SNAPSHOTS, out[["snapshot_at", "commence_time"]], _fixed_time_named(table))
    _check_snapshot_window(table, out, (*UPDATE_COLUMNS, "source_file"))
    out["snapshot_kind"] = "pregame_daily"
    out["game_date"] = game_dates_of(out["commence_time"])
    out["event_id"] = _event_ids(frame)
    out["player_name"] = frame["player"].str.strip()
    out["market_key"] = frame["market"].str.strip()
    _split_game(table, out)
    return out


def _fixed_time_named(table: TextTable) -> dict[str, str]:
    """File columns of the fixed-time shape; the snapshot time mostly comes from the first update column."""
    snapshot = next((c for c in UPDATE_COLUMNS if c in table.frame.columns), "source_file")
    return {"snapshot_at": snapshot, "commence_time": "game_time", "game_date": "game_time"}


def _check_snapshot_window(table: TextTable, out: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """A pre-game snapshot months from its tip-off is a mislabelled file or a wrong clock: refuse it.

    ``columns``: where the snapshot time may come from, in order; the error names the one the row used.
    """
    lead = out["commence_time"] - out["snapshot_at"]
    bad = ((lead > PROP_SNAPSHOT_LEAD) | (lead < -PROP_SNAPSHOT_LAG)).fillna(False).to_numpy()
    if bad.any():
        position = int(bad.argmax())
        frame = table.frame
        given = (c for c in columns[:-1] if c in frame.columns and frame[c].iloc[position] is not None)
        column = next(given, columns[-1])
        raise table.fail(
            f"column {column} has {table.frame[column].iloc[position]!r}, {_describe(lead.iloc[position])} tip-off "
            f"(game_time {table.frame['game_time'].iloc[position]!r}); a snapshot must be at most {PROP_SNAPSHOT_LEAD.days} days "
            f"before or {PROP_SNAPSHOT_LAG.days} day after its game (nbacore/raw_tables.py); check the file's dates",
            position,
        )


def _describe(lead: pd.Timedelta) -> str:
    hours = abs(lead) / pd.Timedelta(hours=1)
    amount = f"{hours / 24:.0f} days" if hours >= 48 else f"{hours:.0f} hours"
    return f"{amount} {'before' if lead > pd.Timedelta(0) else 'after'}"


def _event_ids(frame: pd.DataFrame) -> pd.Series:
    """This shape has no event id: name the event by tip-off and matchup, stable across re-imports."""
    if "event_id" in frame.columns and frame["event_id"].notna().all():
        return frame["event_id"].str.strip()
    slug = frame["game"].map(lambda g: re.sub(r"[^a-z0-9]+", "-", g.lower()).strip("-"))
    return "noid:" + frame["game_time"].str.strip() + ":" + slug
