"""The five real file formats: column lists copied from the real files' headers, and rows formatted
the way those files format values (percentages ``round(x, 3)``, empty when nothing was attempted;
team plus-minus ``-12.0``; odds ``-115.0``; game-line flags ``True``/``False``)."""

from __future__ import annotations

import csv
from pathlib import Path

from simulator.calendar import Game
from simulator.games import Box, Side
from simulator.league import Team
from simulator.market import ClosingLine

# nba-player-game-logs/player_logs_<season>.csv.gz
PLAYER_LOG_COLUMNS = [
    "SEASON_ID",
    "PLAYER_ID",
    "PLAYER_NAME",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "TEAM_NAME",
    "GAME_ID",
    "GAME_DATE",
    "MATCHUP",
    "WL",
    "MIN",
    "PTS",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "STL",
    "BLK",
    "TOV",
    "PF",
    "PLUS_MINUS",
    "SEASON_LABEL",
]
# nba-team-game-logs/nba_games_<season>.csv.gz
TEAM_LOG_COLUMNS = [
    "SEASON_ID",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "TEAM_NAME",
    "GAME_ID",
    "GAME_DATE",
    "MATCHUP",
    "WL",
    "MIN",
    "PTS",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "STL",
    "BLK",
    "TOV",
    "PF",
    "PLUS_MINUS",
    "SEASON",
]
# nba-game-logs-2017-2026-with-playoffs/schedule_2025-26.csv.gz
SCHEDULE_COLUMNS = [
    "GAME_ID",
    "GAME_DATE",
    "STAGE",
    "HOME_TEAM_ID",
    "HOME_ABBR",
    "AWAY_TEAM_ID",
    "AWAY_ABBR",
    "HOME_PTS",
    "AWAY_PTS",
    "STATUS",
    "SEASON",
]
# odds-api-player-props-2025-26/player_props_snapshots_*.csv.gz
PROPS_COLUMNS = [
    "snapshot_file",
    "snapshot_local_time",
    "event_id",
    "player",
    "market",
    "line",
    "bookmaker",
    "game",
    "game_time",
    "over_odds",
    "under_odds",
]
# nba-game-lines-2007-2025/nba_2008-2025.csv.gz
GAME_LINES_COLUMNS = [
    "season",
    "date",
    "regular",
    "playoffs",
    "away",
    "home",
    "score_away",
    "score_home",
    "q1_away",
    "q2_away",
    "q3_away",
    "q4_away",
    "ot_away",
    "q1_home",
    "q2_home",
    "q3_home",
    "q4_home",
    "ot_home",
    "whos_favored",
    "spread",
    "total",
    "moneyline_away",
    "moneyline_home",
    "h2_spread",
    "h2_total",
    "id_spread",
    "id_total",
]
COLUMNS = {
    "player_game_logs": PLAYER_LOG_COLUMNS,
    "team_game_logs": TEAM_LOG_COLUMNS,
    "schedule": SCHEDULE_COLUMNS,
    "props": PROPS_COLUMNS,
    "game_lines": GAME_LINES_COLUMNS,
}
SCHEDULED, FINAL = 1, 3  # NBA gameStatus


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def player_rows(g: Game, sides: list[Side], box: Box, season_id: str, season: str) -> list[list]:
    rows = []
    for k, s in enumerate(sides):
        wl = _wl(box, k)
        for p, line in sorted(box.lines[k], key=lambda pl: (-pl[1]["MIN"], pl[0].rank)):
            rows.append(
                [
                    season_id,
                    p.player_id,
                    p.name,
                    s.team.team_id,
                    s.team.abbr,
                    s.team.name,
                    g.game_id,
                    g.game_date.isoformat(),
                    _matchup(g, s.home),
                    wl,
                    *_box_cells(line),
                    line["PLUS_MINUS"],
                    season,
                ]
            )
    return rows


def team_rows(g: Game, sides: list[Side], box: Box, season_id: str, season: str) -> list[list]:
    rows = []
    for k, s in enumerate(sides):
        margin = box.totals[k]["PTS"] - box.totals[1 - k]["PTS"]
        rows.append(
            [
                season_id,
                s.team.team_id,
                s.team.abbr,
                s.team.name,
                g.game_id,
                g.game_date.isoformat(),
                _matchup(g, s.home),
                _wl(box, k),
                *_box_cells(box.totals[k]),
                f"{float(margin)}",
                season,
            ]
        )
    return rows


def schedule_row(g: Game, teams: dict[str, Team], box: Box | None, season: str) -> list:
    home_pts, away_pts = (box.totals[1]["PTS"], box.totals[0]["PTS"]) if box else ("", "")
    return [
        g.game_id,
        g.game_date.isoformat(),
        "Regular Season",
        teams[g.home].team_id,
        g.home,
        teams[g.away].team_id,
        g.away,
        home_pts,
        away_pts,
        FINAL if box else SCHEDULED,
        season,
    ]


def game_line_row(g: Game, sides: list[Side], box: Box, line: ClosingLine, season_end_year: int) -> list:
    """One played game with its closing line and how the line graded (1 = favourite covered / over)."""
    away_pts, home_pts = box.totals[0]["PTS"], box.totals[1]["PTS"]
    favourite_margin = (home_pts - away_pts) * (1 if line.home_favoured else -1)
    return [
        season_end_year,
        g.game_date.isoformat(),
        "True",
        "False",
        sides[0].team.espn,
        sides[1].team.espn,
        away_pts,
        home_pts,
        *box.quarters[0],
        0,
        *box.quarters[1],
        0,
        "home" if line.home_favoured else "away",
        str(line.spread),
        str(line.total),
        line.moneyline_away,
        line.moneyline_home,
        "",
        "",
        int(favourite_margin > line.spread),
        int(home_pts + away_pts > line.total),
    ]


def _pct(made: int, attempted: int) -> str:
    return str(round(made / attempted, 3)) if attempted else ""


def _box_cells(s: dict[str, int]) -> list:
    """MIN through PF, in file order."""
    return [
        s["MIN"],
        s["PTS"],
        s["FGM"],
        s["FGA"],
        _pct(s["FGM"], s["FGA"]),
        s["FG3M"],
        s["FG3A"],
        _pct(s["FG3M"], s["FG3A"]),
        s["FTM"],
        s["FTA"],
        _pct(s["FTM"], s["FTA"]),
        s["OREB"],
        s["DREB"],
        s["REB"],
        s["AST"],
        s["STL"],
        s["BLK"],
        s["TOV"],
        s["PF"],
    ]


def _matchup(g: Game, home: bool) -> str:
    return f"{g.home} vs. {g.away}" if home else f"{g.away} @ {g.home}"


def _wl(box: Box, k: int) -> str:
    return "W" if box.totals[k]["PTS"] > box.totals[1 - k]["PTS"] else "L"
