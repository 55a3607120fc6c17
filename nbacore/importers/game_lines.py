"""Closing game lines (spread, total, moneylines; one row per game) -> raw.game_lines.

Team codes stay as the file spells them (lower-case ESPN codes); dbt maps them to tricodes through
the teams seed, so the mapping lives in one place.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nbacore.importers.common import (
    ParsedFile,
    check_contract,
    conform,
    read_csv_table,
    read_text,
    require_columns,
    require_values,
    to_date,
    to_number,
)
from nbacore.raw_tables import GAME_LINES

REQUIRED = ["season", "date", "away", "home", "spread", "total"]
FLAGS = {"true": True, "false": False}


def parse_game_lines(path: Path, source: str) -> ParsedFile:
    table = read_csv_table(path, read_text(path))
    require_columns(table, REQUIRED, "closing game lines")
    frame = table.frame
    for column in ("season", "date", "away", "home"):
        require_values(table, column, frame[column])
    if frame.empty:
        raise table.fail("has a header but no games")
    out = pd.DataFrame(index=frame.index)
    out["game_date"] = to_date(table, "date", frame["date"])
    out["season"] = to_number(table, "season", frame["season"], whole=True)
    regular = frame["regular"].str.lower().map(FLAGS) if "regular" in frame.columns else None
    playoffs = frame["playoffs"].str.lower().map(FLAGS) if "playoffs" in frame.columns else None
    if regular is not None and playoffs is not None:
        out["season_type"] = regular.map({True: "regular"}).where(
            regular.fillna(False), playoffs.map({True: "playoffs", False: "play_in"})
        )
    out["away_team_code"] = frame["away"].str.strip().str.lower()
    out["home_team_code"] = frame["home"].str.strip().str.lower()
    for column, target in (("score_away", "away_pts"), ("score_home", "home_pts")):
        if column in frame.columns:
            out[target] = to_number(table, column, frame[column], whole=True)
    for column in ("spread", "total", "moneyline_away", "moneyline_home"):
        if column in frame.columns:
            out[column] = to_number(table, column, frame[column], whole=False)
    if "whos_favored" in frame.columns:
        out["favored_side"] = frame["whos_favored"].str.strip().str.lower()
    duplicated = out.duplicated(subset=["game_date", "home_team_code"])
    if duplicated.any():
        position = int(duplicated.to_numpy().argmax())
        raise table.fail(
            f"second game for home team {out['home_team_code'].iloc[position]} on {out['game_date'].iloc[position]}; remove the repeat",
            position,
        )
    check_contract(table, GAME_LINES, out, {"game_date": "date", "away_pts": "score_away", "home_pts": "score_home"})
    return ParsedFile(table=GAME_LINES, frame=conform(GAME_LINES, out), source=source, path=path)
