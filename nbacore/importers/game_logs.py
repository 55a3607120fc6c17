"""Game logs in the stats.nba.com LeagueGameLog shape (player or team rows) -> raw game-log tables.

Accepts ``.csv``, ``.csv.gz`` and the JSON ``resultSets`` response. Only the columns a box score cannot
do without are required; every other column is optional and lands as NULL when absent. When a file has
no GAME_ID, one is derived from the date and the two teams ('D' + yyyymmdd + away + home) and flagged,
so dbt can swap in NBA's id from any other source that has it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nbacore.importers.common import (
    ParsedFile,
    TextTable,
    check_contract,
    conform,
    drop_repeats,
    is_json,
    read_csv_table,
    read_json,
    read_text,
    require_columns,
    require_unique_columns,
    require_values,
    result_set_table,
    to_date,
    to_minutes,
    to_number,
)
from nbacore.raw_tables import PLAYER_GAME_LOGS, TEAM_GAME_LOGS

PLAYER_REQUIRED = ["PLAYER_ID", "PLAYER_NAME", "TEAM_ABBREVIATION", "GAME_DATE", "MATCHUP", "MIN", "PTS", "REB", "AST"]
TEAM_REQUIRED = ["TEAM_ABBREVIATION", "GAME_DATE", "MATCHUP", "PTS", "REB", "AST"]

# Lower-case column names used by PlayerGameLog-derived files (e.g. the 2025-26 partial logs).
COLUMN_ALIASES = {
    "player": "PLAYER_NAME",
    "date": "GAME_DATE",
    "result": "WL",
    "minutes": "MIN",
    "threes_made": "FG3M",
    "threes_attempted": "FG3A",
    "three_pct": "FG3_PCT",
}

WHOLE_COLUMNS = [
    "PTS",
    "FGM",
    "FGA",
    "FG3M",
    "FG3A",
    "FTM",
    "FTA",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "STL",
    "BLK",
    "TOV",
    "PF",
]
DECIMAL_COLUMNS = ["FG_PCT", "FG3_PCT", "FT_PCT", "PLUS_MINUS"]

SEASON_TYPE_BY_DIGIT = {
    "1": "preseason",
    "2": "regular",
    "3": "all_star",
    "4": "playoffs",
    "5": "play_in",
    "6": "cup_final",
}
SEASON_TYPE_BY_LABEL = {
    "pre season": "preseason",
    "preseason": "preseason",
    "regular season": "regular",
    "all star": "all_star",
    "all-star": "all_star",
    "playoffs": "playoffs",
    "playin": "play_in",
    "play-in": "play_in",
    "play in": "play_in",
    "cup final": "cup_final",
}

MATCHUP_PATTERN = r"^([A-Z0-9]{2,4}) (vs\.|@) ([A-Z0-9]{2,4})$"


def read_game_log_table(path: Path) -> TextTable:
    data = read_text(path)
    if is_json(path):
        return game_log_json_table(path, read_json(path, data))
    return normalise_game_log_columns(read_csv_table(path, data))


def game_log_json_table(path: Path, payload) -> TextTable:
    """A stats.nba.com game-log response (already decoded) as a text table; ``path`` names it in errors."""
    table = result_set_table(path, payload, preferred=("LeagueGameLog", "PlayerGameLogs", "TeamGameLogs"))
    return normalise_game_log_columns(table)


def normalise_game_log_columns(table: TextTable) -> TextTable:
    table.frame = table.frame.rename(columns=lambda c: COLUMN_ALIASES.get(c, c.upper() if c.islower() else c))
    require_unique_columns(table)
    return table


def season_types(table: TextTable, game_id: pd.Series, derived: pd.Series) -> pd.Series:
    """Normalised season type from the game id, else SEASON_ID's first digit, else a SEASON_TYPE label."""
    frame = table.frame
    out = pd.Series(None, index=frame.index, dtype=object)
    if "SEASON_TYPE" in frame.columns:
        labels = frame["SEASON_TYPE"].str.strip().str.lower()
        out = labels.map(SEASON_TYPE_BY_LABEL)
        unknown = labels.notna() & out.isna()
        if unknown.any():
            position = int(unknown.to_numpy().argmax())
            raise table.fail(
                f"column SEASON_TYPE has {frame['SEASON_TYPE'].iloc[position]!r}; expected one of "
                "Regular Season, Playoffs, Pre Season, All Star, PlayIn",
                position,
            )
    if "SEASON_ID" in frame.columns:
        from_season = frame["SEASON_ID"].str.slice(0, 1).map(SEASON_TYPE_BY_DIGIT)
        out = from_season.where(from_season.notna(), out)
    from_id = game_id.where(~derived).str.slice(2, 3).map(SEASON_TYPE_BY_DIGIT)
    return from_id.where(from_id.notna(), out)


def parse_game_logs(path: Path, source: str) -> ParsedFile:
    """Parse one game-log file; player rows if it has PLAYER_ID, else team rows."""
    parsed = game_logs_from_table(read_game_log_table(path), source)
    parsed.path = path
    return parsed


def game_logs_from_table(table: TextTable, source: str) -> ParsedFile:
    """Validate and normalise LeagueGameLog-shaped text rows (files and scraped payloads alike)."""
    frame = table.frame
    is_player = "PLAYER_ID" in frame.columns or "PLAYER_NAME" in frame.columns
    raw_table = PLAYER_GAME_LOGS if is_player else TEAM_GAME_LOGS
    if "TEAM_ABBREVIATION" not in frame.columns and "MATCHUP" in frame.columns:
        frame["TEAM_ABBREVIATION"] = frame["MATCHUP"].str.split(" ").str[0]
    required = PLAYER_REQUIRED if is_player else TEAM_REQUIRED
    require_columns(table, required, "player game logs" if is_player else "team game logs")
    for column in required:
        require_values(table, column, frame[column])
    if frame.empty:
        raise table.fail("has a header but no rows; expected at least one game")

    out = pd.DataFrame(index=frame.index)
    out["game_date"] = to_date(table, "GAME_DATE", frame["GAME_DATE"], formats=("%Y-%m-%d", "%b %d, %Y"))

    matchup = frame["MATCHUP"].str.strip().str.extract(MATCHUP_PATTERN)
    bad = matchup[0].isna()
    if bad.any():
        position = int(bad.to_numpy().argmax())
        raise table.fail(
            f"column MATCHUP has {frame['MATCHUP'].iloc[position]!r}; expected 'BOS vs. NYK' or 'NYK @ BOS'",
            position,
        )
    team = frame["TEAM_ABBREVIATION"].str.strip()
    # The matchup names home and away unambiguously; a few real rows write it from the opponent's side
    # ('MIA @ WAS' on a WAS player's row), so the team may be either side but must be one of them.
    outsider = (matchup[0] != team) & (matchup[2] != team)
    if outsider.any():
        position = int(outsider.to_numpy().argmax())
        raise table.fail(
            f"MATCHUP {frame['MATCHUP'].iloc[position]!r} does not include TEAM_ABBREVIATION {team.iloc[position]!r}",
            position,
        )
    written_home = matchup[1] == "vs."
    home = matchup[0].where(written_home, matchup[2])
    away = matchup[2].where(written_home, matchup[0])

    if "GAME_ID" in frame.columns and frame["GAME_ID"].notna().all():
        game_id = frame["GAME_ID"].str.strip().str.zfill(10)
        derived = pd.Series(False, index=frame.index)
    else:
        dates = pd.to_datetime(out["game_date"]).dt.strftime("%Y%m%d")
        fallback = "D" + dates + away + home
        given = frame["GAME_ID"].str.strip().str.zfill(10) if "GAME_ID" in frame.columns else None
        game_id = fallback if given is None else given.where(given.notna(), fallback)
        derived = pd.Series(True, index=frame.index) if given is None else given.isna()
    out["game_id"] = game_id
    out["game_id_derived"] = derived
    out["season_id"] = frame["SEASON_ID"] if "SEASON_ID" in frame.columns else None
    out["season_type"] = season_types(table, game_id, derived)
    out["team_abbreviation"] = team
    out["matchup"] = frame["MATCHUP"].str.strip()
    out["wl"] = frame["WL"] if "WL" in frame.columns else None
    if "TEAM_ID" in frame.columns:
        out["team_id"] = to_number(table, "TEAM_ID", frame["TEAM_ID"], whole=True)
    if "TEAM_NAME" in frame.columns:
        out["team_name"] = frame["TEAM_NAME"]
    if is_player:
        out["player_id"] = to_number(table, "PLAYER_ID", frame["PLAYER_ID"], whole=True)
        out["player_name"] = frame["PLAYER_NAME"].str.strip()
        for column in ("STARTER", "STATUS", "NOT_PLAYING_REASON"):
            if column in frame.columns:
                out[column.lower()] = frame[column]
    if "MIN" in frame.columns:
        out["min"] = to_minutes(table, "MIN", frame["MIN"])
    for column in WHOLE_COLUMNS:
        if column in frame.columns:
            out[column.lower()] = to_number(table, column, frame[column], whole=True)
    for column in DECIMAL_COLUMNS:
        if column in frame.columns:
            out[column.lower()] = to_number(table, column, frame[column], whole=False)

    # Exhibitions are not landed (and are counted on the way): All-Star weekend games are between made-up
    # teams (EST, WST, USA...), sometimes three per game id; preseason games include non-NBA clubs, and
    # both carry partial duplicate fragments in the real feeds. Competitive games are what we model.
    exhibition = out["season_type"].isin(["all_star", "preseason"])
    skipped = f"{int(exhibition.sum())} exhibition rows (preseason, All-Star)" if exhibition.any() else None
    out = out[~exhibition]
    key = ["game_id", "player_id"] if is_player else ["game_id", "team_abbreviation"]
    out, repeats = drop_repeats(table, out, key)
    notes = [n for n in (skipped, f"{repeats} verbatim repeated rows" if repeats else None) if n]
    if "starter" in out.columns:
        out["starter"] = out["starter"].map(
            lambda v: None if v is None else str(v).strip().lower() in {"1", "true", "t", "yes"}
        )
    check_contract(table, raw_table, out)
    return ParsedFile(table=raw_table, frame=conform(raw_table, out), source=source, skipped="; ".join(notes) or None)
