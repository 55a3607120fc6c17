"""An independent Python recomputation of every feature-mart feature, for spot-check tests.

It reads only analytics.* (player_game_summary, the team summaries, upcoming_team_game_context) and recomputes
each f_* value and f_*_missing flag of a mart row from rows dated STRICTLY before that row's game_date, the way
seeds/feature_definitions.csv defines them, with plain pandas (no SQL windows). A mismatch means the dbt model
and its definition disagree, or the model looks at the game's own date or later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

MARKET_STATS = ("points", "rebounds", "assists", "threes", "pra")
ALLOWED_COLUMN = {
    "points": "points_allowed",
    "rebounds": "opponent_rebounds",
    "assists": "opponent_assists",
    "threes": "opponent_fg3m",
    "pra": "pra_allowed",
}
ROTATION_MINUTES = 15.0
EARLY_SEASON_GAME_DATES = 14
LEAGUE_WINDOW_DATES = 30


def _mean(values: pd.Series):
    values = values.dropna()
    return float(values.mean()) if len(values) else None


def _count(values: pd.Series) -> int:
    return int(values.notna().sum())


@dataclass
class History:
    """Everything the features are computed from, indexed for fast per-row lookups."""

    players: dict[int, pd.DataFrame]  # player_id -> his games, newest first
    team_games: dict[str, pd.DataFrame]  # team -> its played games, newest first
    team_calendar: dict[str, pd.DataFrame]  # team -> every game date (played or scheduled) with season
    league: pd.DataFrame  # one row per played date: totals and team-game counts per allowed stat
    season_dates: dict[str, np.ndarray]  # season -> sorted dates with a player box score (the league calendar)
    team_players: dict[str, pd.DataFrame]  # team -> (player_id, game_date, minutes) of its player-games


def load_history(con: duckdb.DuckDBPyConnection) -> History:
    pgs = con.execute(
        """
        select player_id, game_id, game_date, season, team, minutes, points, rebounds, assists, threes, pra,
               usage_rate, fga, fta
        from analytics.player_game_summary
        """
    ).df()
    teams = con.execute(
        """
        select o.team, o.game_id, o.game_date, o.season, o.pace, d.defensive_rating, d.points_allowed,
               d.opponent_rebounds, d.opponent_assists, d.opponent_fg3m,
               d.points_allowed + d.opponent_rebounds + d.opponent_assists as pra_allowed
        from analytics.team_offense_game_summary o
        join analytics.team_defense_game_summary d using (game_id, team)
        """
    ).df()
    upcoming = con.execute("select team, game_date, season from analytics.upcoming_team_game_context").df()
    for frame in (pgs, teams, upcoming):
        frame["game_date"] = pd.to_datetime(frame["game_date"])  # datetime64: fast comparisons

    players = {pid: g.sort_values("game_date", ascending=False).reset_index(drop=True) for pid, g in pgs.groupby("player_id")}
    team_games = {t: g.sort_values("game_date", ascending=False).reset_index(drop=True) for t, g in teams.groupby("team")}
    calendar = pd.concat([teams[["team", "game_date", "season"]], upcoming]).drop_duplicates(["team", "game_date"])
    team_calendar = {t: g.sort_values("game_date").reset_index(drop=True) for t, g in calendar.groupby("team")}
    league = teams.groupby("game_date").agg(
        season=("season", "max"),
        **{f"{m}_total": (c, "sum") for m, c in ALLOWED_COLUMN.items()},
        **{f"{m}_n": (c, "count") for m, c in ALLOWED_COLUMN.items()},
    ).sort_index()
    season_dates = {s: np.sort(g["game_date"].unique()) for s, g in pgs.groupby("season")}
    team_players = {t: g[["player_id", "game_date", "minutes"]].reset_index(drop=True) for t, g in pgs.groupby("team")}
    return History(players, team_games, team_calendar, league, season_dates, team_players)


def _player_before(history: History, player_id: int, day: pd.Timestamp) -> pd.DataFrame:
    games = history.players.get(player_id)
    if games is None:
        return pd.DataFrame(columns=["game_date", "season", "minutes"])
    return games[games["game_date"] < day]


def _minutes_avg_l10(history: History, player_id: int, day: pd.Timestamp):
    return _mean(_player_before(history, player_id, day).head(10)["minutes"])


def _team_days_rest(history: History, team: str | None, day: pd.Timestamp, season: str):
    if team is None or team not in history.team_calendar:
        return None
    cal = history.team_calendar[team]
    earlier = cal[(cal["game_date"] < day) & (cal["season"] == season)]
    return (day - earlier["game_date"].max()).days if len(earlier) else None


def _team_window(history: History, team: str | None, day: pd.Timestamp, column: str, size: int = 15):
    if team is None or team not in history.team_games:
        return None, 0
    games = history.team_games[team]
    last = games[games["game_date"] < day].head(size)[column]
    return _mean(last), _count(last)


def _usage_spike(history: History, player_id: int, team: str | None, day: pd.Timestamp, season: str):
    if team is None or team not in history.team_games:
        return None
    games = history.team_games[team]
    this_season = games[(games["game_date"] < day) & (games["season"] == season)]
    if not len(this_season):
        return None
    last_date = this_season["game_date"].iloc[0]
    window_start = this_season.head(5)["game_date"].iloc[-1]
    rows = history.team_players[team]
    in_window = rows[(rows["game_date"] >= window_start) & (rows["game_date"] < last_date)]
    present = set(rows.loc[rows["game_date"] == last_date, "player_id"])
    vacated = 0.0
    for pid, appearances in in_window.groupby("player_id"):
        if pid == player_id or pid in present:
            continue
        latest = appearances["game_date"].max()
        avg = _minutes_avg_l10(history, pid, latest)
        if avg is not None and avg >= ROTATION_MINUTES:
            vacated += avg
    return vacated / 240.0


def recompute(history: History, row: dict) -> dict[str, tuple]:
    """(value, missing) for every feature of one mart row (a dict with the mart's key and context columns)."""
    day = pd.Timestamp(row["game_date"])
    market, season = row["market"], row["season"]
    team, opponent = row["team"], row["opponent"]
    before = _player_before(history, row["player_id"], day)
    last5, last10 = before.head(5), before.head(10)
    in_season = before[before["season"] == season]
    stat5, stat10, stat_season = last5[market], last10[market], in_season[market]
    out: dict[str, tuple] = {}

    n10 = _count(stat10)
    out["f_stat_avg_l5"] = (_mean(stat5), _count(stat5) < 5)
    out["f_stat_avg_l10"] = (_mean(stat10), n10 < 10)
    out["f_stat_avg_season"] = (_mean(stat_season), None)
    std = float(stat10.dropna().std(ddof=1)) if n10 >= 2 else None
    out["f_stat_std_l10"] = (std, n10 < 10)
    with_stat = last10[stat10.notna()]
    minutes_with_stat = with_stat["minutes"].sum()
    per_minute = float(with_stat[market].sum() / minutes_with_stat) if len(with_stat) and minutes_with_stat else None
    out["f_stat_per_minute_l10"] = (per_minute, n10 < 10)
    out["f_minutes_avg_l5"] = (_mean(last5["minutes"]), _count(last5["minutes"]) < 5)
    out["f_minutes_avg_l10"] = (_mean(last10["minutes"]), _count(last10["minutes"]) < 10)
    out["f_minutes_avg_season"] = (_mean(in_season["minutes"]), None)
    out["f_usage_avg_l10"] = (_mean(last10["usage_rate"]), _count(last10["usage_rate"]) < 10)
    shots = last10[last10["fga"].notna() & last10["fta"].notna()]
    attempts = float((shots["fga"] + 0.44 * shots["fta"]).sum())
    out["f_ts_avg_l10"] = (float(shots["points"].sum()) / (2 * attempts) if len(shots) and attempts else None, len(shots) < 10)
    out["f_games_played_season"] = (float(len(in_season)), None)
    week = before[before["game_date"] >= day - pd.Timedelta(days=7)]
    out["f_games_last_7d"] = (float(len(week)), None)
    out["f_games_last_14d"] = (float(len(before[before["game_date"] >= day - pd.Timedelta(days=14)])), None)
    out["f_minutes_last_7d"] = (float(week["minutes"].sum()), None)
    out["f_days_rest"] = (float((day - in_season["game_date"].max()).days) if len(in_season) else None, None)
    yesterday = bool((before["game_date"] == day - pd.Timedelta(days=1)).any())
    out["f_is_back_to_back"] = (1.0 if yesterday else 0.0, None)
    out["f_is_home"] = (None if row["is_home"] is None else float(row["is_home"]), None)
    dates = history.season_dates.get(season, np.array([]))
    played_dates_before = int((dates < day.to_datetime64()).sum()) if len(dates) else 0
    out["f_early_season"] = (float(played_dates_before < EARLY_SEASON_GAME_DATES), None)

    team_pace, team_pace_n = _team_window(history, team, day, "pace")
    opp_pace, opp_pace_n = _team_window(history, opponent, day, "pace")
    opp_def, opp_def_n = _team_window(history, opponent, day, "defensive_rating")
    out["f_team_pace_l15"] = (team_pace, team_pace_n < 15)
    out["f_opp_def_rating_l15"] = (opp_def, opp_def_n < 15)
    out["f_opp_pace_l15"] = (opp_pace, opp_pace_n < 15)
    allowed, allowed_n = _team_window(history, opponent, day, ALLOWED_COLUMN[market])
    league = history.league[history.league.index < day].tail(LEAGUE_WINDOW_DATES)
    league_n = league[f"{market}_n"].sum()
    league_avg = float(league[f"{market}_total"].sum() / league_n) if league_n else None
    ratio = allowed / league_avg if allowed is not None and league_avg else None
    out["f_opp_allowed_stat_vs_league"] = (ratio, allowed_n < 15)
    opp_rest = _team_days_rest(history, opponent, day, season)
    team_rest = _team_days_rest(history, team, day, season)
    out["f_opp_days_rest"] = (None if opp_rest is None else float(opp_rest), None)
    pace_diff = opp_pace - team_pace if opp_pace is not None and team_pace is not None else None
    out["f_pace_differential"] = (pace_diff, team_pace_n < 15 or opp_pace_n < 15)
    out["f_fatigue"] = (float(week["minutes"].sum()) / 144.0 + (0.5 if yesterday else 0.0), None)
    out["f_usage_spike"] = (_usage_spike(history, row["player_id"], team, day, season), None)
    advantage = None
    if team_rest is not None and opp_rest is not None:
        advantage = float(min(team_rest, 4) - min(opp_rest, 4))
    out["f_rest_advantage"] = (advantage, None)
    avg10 = out["f_stat_avg_l10"][0]
    line = row["line"]
    out["f_line_minus_avg_l10"] = (line - avg10 if line is not None and avg10 is not None else None, n10 < 10)

    # missing = NULL, or the feature's own fallback rule
    return {name: (value, value is None or bool(rule)) for name, (value, rule) in out.items()}


def _none(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    return value


def compare(history: History, mart_rows: pd.DataFrame, features: list[str], rel: float = 1e-9) -> list[str]:
    """Every disagreement between the mart and the recomputation, as readable lines (empty = all agree)."""
    problems: list[str] = []
    for record in mart_rows.to_dict("records"):
        row = {k: _none(v) for k, v in record.items()}
        row["game_date"] = pd.Timestamp(record["game_date"])
        expected = recompute(history, row)
        assert set(expected) == set(features), sorted(set(expected) ^ set(features))
        key = f"{row['player_id']}|{row['game_id']}|{row['market']}|{row['game_date'].date()}"
        for name in features:
            want, want_missing = expected[name]
            got, got_missing = row[name], bool(record[f"{name}_missing"])
            if (want is None) != (got is None) or (
                want is not None and not math.isclose(want, got, rel_tol=rel, abs_tol=1e-9)
            ):
                problems.append(f"{key} {name}: mart {got!r}, recomputed {want!r}")
            if want_missing != got_missing:
                problems.append(f"{key} {name}_missing: mart {got_missing}, recomputed {want_missing}")
    return problems
