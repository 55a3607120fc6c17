"""Schedules -> raw.schedule: the flattened schedule CSV and the NBA CDN ``scheduleLeagueV2`` JSON.

The schedule is what tells the pipeline which games to expect, so a game with no score is kept
(status 1, scores NULL) rather than dropped. Games whose teams are not yet known (playoff
"if necessary" placeholders with no tricodes) are not games yet and are skipped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nbacore.dates import game_dates_of
from nbacore.importers.common import (
    ImportFileError,
    ParsedFile,
    TextTable,
    check_contract,
    conform,
    is_json,
    read_csv_table,
    read_json,
    read_text,
    refuse_control_characters,
    require_columns,
    require_values,
    to_date,
    to_number,
    to_utc_timestamp,
)
from nbacore.importers.game_logs import SEASON_TYPE_BY_DIGIT
from nbacore.raw_tables import SCHEDULE

CSV_REQUIRED = ["GAME_ID", "GAME_DATE", "HOME_ABBR", "AWAY_ABBR"]
STAGE_TO_SEASON_TYPE = {
    "preseason": "preseason",
    "regular season": "regular",
    "all-star": "all_star",
    "play-in": "play_in",
    "playoffs": "playoffs",
    "cup final": "cup_final",
}


def parse_schedule(path: Path, source: str) -> ParsedFile:
    data = read_text(path)
    if is_json(path):
        table = cdn_schedule_table(path, read_json(path, data))
    else:
        table = read_csv_table(path, data)
    parsed = schedule_from_table(table, source)
    parsed.path = path
    return parsed


def schedule_from_table(table: TextTable, source: str) -> ParsedFile:
    """Validate and normalise schedule text rows (the CSV's columns; CDN JSON is flattened to them first)."""
    require_columns(table, CSV_REQUIRED, "a schedule (GAME_ID, GAME_DATE, HOME_ABBR, AWAY_ABBR)")
    frame = table.frame
    for column in CSV_REQUIRED:
        require_values(table, column, frame[column])
    if frame.empty:
        raise table.fail("has a header but no games")

    out = pd.DataFrame(index=frame.index)
    out["game_id"] = frame["GAME_ID"].str.strip().str.zfill(10)
    out["game_date"] = to_date(table, "GAME_DATE", frame["GAME_DATE"])
    from_id = out["game_id"].str.slice(2, 3).map(SEASON_TYPE_BY_DIGIT)
    if "STAGE" in frame.columns:
        from_stage = frame["STAGE"].str.strip().str.lower().map(STAGE_TO_SEASON_TYPE)
        from_id = from_stage.where(from_stage.notna(), from_id)
    out["season_type"] = from_id
    out["season"] = frame["SEASON"] if "SEASON" in frame.columns else None
    if "TIPOFF_AT" in frame.columns:
        out["tipoff_at"] = to_utc_timestamp(table, "TIPOFF_AT", frame["TIPOFF_AT"])
    out["home_team_abbreviation"] = frame["HOME_ABBR"].str.strip()
    out["away_team_abbreviation"] = frame["AWAY_ABBR"].str.strip()
    for column, target in (
        ("HOME_TEAM_ID", "home_team_id"),
        ("AWAY_TEAM_ID", "away_team_id"),
        ("HOME_PTS", "home_pts"),
        ("AWAY_PTS", "away_pts"),
        ("STATUS", "game_status"),
    ):
        if column in frame.columns:
            out[target] = to_number(table, column, frame[column], whole=True)
    duplicated = out["game_id"].duplicated()
    if duplicated.any():
        position = int(duplicated.to_numpy().argmax())
        raise table.fail(f"GAME_ID {out['game_id'].iloc[position]} appears twice; remove the repeat", position)
    check_contract(table, SCHEDULE, out, {"game_status": "STATUS"})
    return ParsedFile(table=SCHEDULE, frame=conform(SCHEDULE, out), source=source)


def cdn_schedule_table(path: Path, payload) -> TextTable:
    """Flatten ``leagueSchedule.gameDates[].games[]`` into the schedule CSV's columns."""
    schedule = payload.get("leagueSchedule") if isinstance(payload, dict) else None
    if not isinstance(schedule, dict) or not isinstance(schedule.get("gameDates"), list):
        raise ImportFileError(path, "no leagueSchedule.gameDates; expected the cdn.nba.com scheduleLeagueV2 JSON")
    season = schedule.get("seasonYear")
    rows, labels = [], []
    for d, game_date in enumerate(schedule["gameDates"]):
        for g, game in enumerate(game_date.get("games") or []):
            home, away = game.get("homeTeam") or {}, game.get("awayTeam") or {}
            if not home.get("teamTricode") or not away.get("teamTricode"):
                continue
            status = game.get("gameStatus")
            final = status == 3
            tipoff = game.get("gameDateTimeUTC")
            rows.append(
                {
                    "GAME_ID": game.get("gameId"),
                    "GAME_DATE": _eastern_date(tipoff, game.get("gameDateEst")),
                    "HOME_TEAM_ID": _text(home.get("teamId")),
                    "HOME_ABBR": home.get("teamTricode"),
                    "AWAY_TEAM_ID": _text(away.get("teamId")),
                    "AWAY_ABBR": away.get("teamTricode"),
                    "HOME_PTS": _text(home.get("score")) if final else None,
                    "AWAY_PTS": _text(away.get("score")) if final else None,
                    "STATUS": _text(status),
                    "SEASON": season,
                    "TIPOFF_AT": tipoff,
                }
            )
            labels.append(f"gameDates[{d}].games[{g}]")
    frame = pd.DataFrame(
        rows,
        columns=[
            *CSV_REQUIRED,
            "HOME_TEAM_ID",
            "AWAY_TEAM_ID",
            "HOME_PTS",
            "AWAY_PTS",
            "STATUS",
            "SEASON",
            "TIPOFF_AT",
        ],
    )
    table = TextTable(path=path, frame=frame, row_label=lambda i: labels[i])
    refuse_control_characters(table)
    return table


def _text(value) -> str | None:
    return None if value is None or value == "" else str(value)


def _eastern_date(tipoff_utc: str | None, date_est: str | None) -> str | None:
    if tipoff_utc:
        stamp = pd.to_datetime(pd.Series([tipoff_utc]), utc=True, errors="coerce").dt.tz_localize(None)
        if stamp.notna().all() and 1900 <= stamp.dt.year.iloc[0] <= 2200:  # else TIPOFF_AT's check names it
            return str(game_dates_of(stamp).iloc[0])
    return date_est[:10] if date_est else None
