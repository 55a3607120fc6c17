"""Per-game box scores (cdn.nba.com live box score, stats.nba.com box score v3) -> raw game-log rows.

Both feeds describe a game as two teams, each with players carrying a ``statistics`` object of the same
field names. They are flattened here to the LeagueGameLog columns and then validated and normalised by
the same code as imported files (``game_logs_from_table``), so minutes, season types and starters mean
one thing whichever way a box score arrives.

Players who did not play (inactive, or dressed but not used) are landed too, with ``starter``, ``status``
and ``not_playing_reason`` (a reason is always set for them: the feed's, else ``DNP``). Their minutes are
0 and every counting stat, percentage and plus-minus is NULL: the feed's zeros there are placeholders,
not a stat line, and NULL keeps them out of sums and averages while dbt's source dedupe still prefers a
row with shooting detail (fga not null) for the same player-game.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from nbacore.importers.common import ImportFileError, ParsedFile, TextTable
from nbacore.importers.game_logs import game_logs_from_table
from nbacore.raw_tables import PLAYER_GAME_LOGS, TEAM_GAME_LOGS
from scrapers.payloads import PayloadError, as_payload_error, need, text
from scrapers.results import Landing

# LeagueGameLog column -> box score ``statistics`` field (the live CDN and v3 feeds share these names)
STAT_FIELDS = {
    "MIN": "minutes",
    "PTS": "points",
    "FGM": "fieldGoalsMade",
    "FGA": "fieldGoalsAttempted",
    "FG_PCT": "fieldGoalsPercentage",
    "FG3M": "threePointersMade",
    "FG3A": "threePointersAttempted",
    "FG3_PCT": "threePointersPercentage",
    "FTM": "freeThrowsMade",
    "FTA": "freeThrowsAttempted",
    "FT_PCT": "freeThrowsPercentage",
    "OREB": "reboundsOffensive",
    "DREB": "reboundsDefensive",
    "REB": "reboundsTotal",
    "AST": "assists",
    "STL": "steals",
    "BLK": "blocks",
    "TOV": "turnovers",
    "PF": "foulsPersonal",
}
REQUIRED_STATS = ("minutes", "points", "reboundsTotal", "assists")
NOT_PLAYED_NULLS = [
    "pts",
    "fgm",
    "fga",
    "fg3m",
    "fg3a",
    "ftm",
    "fta",
    "oreb",
    "dreb",
    "reb",
    "ast",
    "stl",
    "blk",
    "tov",
    "pf",
    "fg_pct",
    "fg3_pct",
    "ft_pct",
    "plus_minus",
]


@dataclass
class PlayerLine:
    """One player's row as the feed gives it, already mapped to our meaning of the flags."""

    player_id: object
    name: str
    starter: bool
    played: bool
    status: str | None
    not_playing_reason: str | None
    statistics: dict
    where: str  # e.g. game.homeTeam.players[3], for errors


@dataclass
class TeamSide:
    team_id: object
    tricode: str
    name: str
    score: int
    statistics: dict
    players: list[PlayerLine]
    where: str


def season_id_of(game_id: str) -> str:
    """LeagueGameLog's SEASON_ID from NBA's game id: type digit + season start year ('0022500001' -> '22025')."""
    return f"{game_id[2]}20{game_id[3:5]}"


def box_score_rows(
    game_id: str, game_date: date, away: TeamSide, home: TeamSide, label: str, source: str
) -> tuple[ParsedFile, ParsedFile]:
    """Player rows and team rows of one game, validated by the shared game-log rules."""
    players, player_labels, teams, team_labels = [], [], [], []
    for side, opponent, is_home in ((away, home, False), (home, away, True)):
        matchup = f"{home.tricode} vs. {away.tricode}" if is_home else f"{away.tricode} @ {home.tricode}"
        common = {
            "SEASON_ID": season_id_of(game_id),
            "GAME_ID": game_id,
            "GAME_DATE": game_date.isoformat(),
            "TEAM_ID": text(side.team_id),
            "TEAM_ABBREVIATION": side.tricode,
            "TEAM_NAME": side.name,
            "MATCHUP": matchup,
            "WL": "W" if side.score > opponent.score else "L",
        }
        teams.append(
            {**common, **_stats(side.statistics, side.where, label), "PLUS_MINUS": text(side.score - opponent.score)}
        )
        team_labels.append(side.where)
        for p in side.players:
            for key in REQUIRED_STATS:
                need(p.statistics, key, f"{p.where}.statistics", label)
            row = {
                **common,
                "PLAYER_ID": text(p.player_id),
                "PLAYER_NAME": p.name,
                **_stats(p.statistics, p.where, label),
                "PLUS_MINUS": text(p.statistics.get("plusMinusPoints")),
                "STARTER": "1" if p.starter else "0",
                "STATUS": p.status,
                "NOT_PLAYING_REASON": None if p.played else (p.not_playing_reason or "DNP"),
            }
            if not p.played:
                row["MIN"] = "0"
                for column in STAT_FIELDS:
                    if column != "MIN":
                        row[column] = "0"  # placeholders so shared validation passes; set NULL below
            players.append(row)
            player_labels.append(p.where)
    try:
        player_file = game_logs_from_table(_table(label, players, player_labels), source)
        team_file = game_logs_from_table(_table(label, teams, team_labels), source)
    except ImportFileError as exc:
        raise as_payload_error(exc) from None
    frame = player_file.frame
    not_played = frame["not_playing_reason"].notna()
    frame.loc[not_played, NOT_PLAYED_NULLS] = None
    frame.loc[not_played, "min"] = 0.0
    return player_file, team_file


def _stats(statistics: dict, where: str, label: str) -> dict[str, str | None]:
    if not isinstance(statistics, dict):
        raise PayloadError(f"{label}: {where}.statistics is {type(statistics).__name__}, expected an object")
    return {column: text(statistics.get(key)) for column, key in STAT_FIELDS.items()}


def _table(label: str, rows: list[dict], labels: list[str]) -> TextTable:
    frame = pd.DataFrame(rows, dtype=object)
    frame = frame.map(lambda v: None if v is None or v == "" else str(v))
    return TextTable(path=Path(label), frame=frame, row_label=lambda i: labels[i])


def box_score_landing(frames, game_date: date, source: str) -> Landing:
    """The date's rows from (player rows, team rows) pairs, one pair per game."""
    frames = list(frames)
    if not frames:
        return Landing()
    players = pd.concat([p for p, _ in frames], ignore_index=True)
    teams = pd.concat([t for _, t in frames], ignore_index=True)
    players = players[players["game_date"] == game_date].reset_index(drop=True)
    teams = teams[teams["game_date"] == game_date].reset_index(drop=True)
    games = set(teams["game_id"])
    return Landing(
        batches=[(PLAYER_GAME_LOGS, players, source), (TEAM_GAME_LOGS, teams, source)],
        resources=games,
        archived=games,
    )
