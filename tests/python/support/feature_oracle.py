"""An independent Python recomputation of every feature-mart feature, for spot-check tests.

It recomputes each f_* value and f_*_missing flag of a mart row from analytics.* rows (player_game_summary, the
team summaries, upcoming_team_game_context) dated STRICTLY before that row's game_date, the way
seeds/feature_definitions.csv defines them, with plain pandas (no SQL windows). A mismatch means the dbt model
and its definition disagree, or the model looks at the game's own date or later.

The row's context is not taken from the row under test either: its team, opponent, home/away, season and
pregame line are derived here from the raw inputs (raw.player_game_logs, raw.team_game_logs, raw.schedule,
raw.prop_snapshots) and the seed files (season_calendar, teams, player_name_aliases), following the rules the
models document, then compared with the mart's columns; the features are computed from the derived context.
Only the row's keys (player_id, game_id, game_date, market) come from the row.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

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
SEEDS = Path(__file__).resolve().parents[3] / "seeds"
PROP_MARKETS = {
    "player_points": "points",
    "player_rebounds": "rebounds",
    "player_assists": "assists",
    "player_threes": "threes",
    "player_points_rebounds_assists": "pra",
}
NOT_COMPETITIVE = ("preseason", "all_star")  # int_games leaves these games out
CONTEXT_COLUMNS = ("team", "opponent", "is_home", "season", "line")


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
    raw: RawInputs  # what each row's team, opponent, home/away, season and line are derived from


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

    players = {
        pid: g.sort_values("game_date", ascending=False).reset_index(drop=True) for pid, g in pgs.groupby("player_id")
    }
    team_games = {
        t: g.sort_values("game_date", ascending=False).reset_index(drop=True) for t, g in teams.groupby("team")
    }
    calendar = pd.concat([teams[["team", "game_date", "season"]], upcoming]).drop_duplicates(["team", "game_date"])
    team_calendar = {t: g.sort_values("game_date").reset_index(drop=True) for t, g in calendar.groupby("team")}
    league = (
        teams.groupby("game_date")
        .agg(
            season=("season", "max"),
            **{f"{m}_total": (c, "sum") for m, c in ALLOWED_COLUMN.items()},
            **{f"{m}_n": (c, "count") for m, c in ALLOWED_COLUMN.items()},
        )
        .sort_index()
    )
    season_dates = {s: np.sort(g["game_date"].unique()) for s, g in pgs.groupby("season")}
    team_players = {t: g[["player_id", "game_date", "minutes"]].reset_index(drop=True) for t, g in pgs.groupby("team")}
    return History(players, team_games, team_calendar, league, season_dates, team_players, load_raw(con))


# ---- the row's context, from the raw inputs ------------------------------------------------------------------


def player_lookup(name) -> str | None:
    """macros/player_lookup.sql in Python: accents stripped, lower case, hyphens to spaces, other punctuation
    dropped, spaces collapsed, one generational suffix dropped."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return None
    text = "".join(c for c in unicodedata.normalize("NFD", str(name)) if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9 ]", "", text.replace("-", " "))
    text = re.sub(" +", " ", text).strip()
    return re.sub(r" (jr|sr|ii|iii|iv)$", "", text).strip()


def _implied(odds: pd.Series) -> pd.Series:
    """American odds -> implied probability (vig included); NULL or 0 -> NaN."""
    o = odds.astype("float64")
    return pd.Series(np.where(o < 0, -o / (-o + 100), np.where(o > 0, 100 / (o + 100), np.nan)), index=odds.index)


def _matchup_sides(matchup: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(home, away) from 'BOS vs. NYK' (BOS at home) or 'NYK @ BOS' (BOS at home), by position."""
    parts = matchup.fillna("").str.split(" ")
    first, third = parts.str[0].str.strip().str.upper(), parts.str[2].str.strip().str.upper()
    home_first = matchup.fillna("").str.contains(" vs. ", regex=False)
    return first.where(home_first, third), third.where(home_first, first)


@dataclass
class Game:
    game_date: pd.Timestamp
    home: str
    away: str
    tipoff: pd.Timestamp | None  # the schedule's tip-off (offers carry their own commence_time first)


@dataclass
class RawInputs:
    """Everything a row's team, opponent, home/away, season and pregame line are derived from."""

    calendar: pd.DataFrame  # seeds/season_calendar.csv: season, starts_on, ends_on
    games: dict[tuple, Game]  # (game_date, home/away pair) -> the competitive game, sides by source priority
    game_ids: dict[str, tuple]  # any raw game id -> its (game_date, pair)
    by_team: dict[tuple, tuple]  # (game_date, team) -> its (game_date, pair)
    box: pd.DataFrame  # competitive box scores, one per player and date: player_id, game_date, team, lookup
    box_rows: dict[int, np.ndarray]  # player_id -> his rows in ``box`` (oldest first)
    lookups: dict[int, set[str]]  # player_id -> his name keys in the box scores
    owners: dict[str, set[int]]  # name key -> the players with that key
    # (game key, name key, market) -> (books offering, consensus line) of the latest pregame snapshot
    lines: dict[tuple, tuple[int, float]]


def load_raw(con: duckdb.DuckDBPyConnection) -> RawInputs:
    """Read raw.* and the seed files; resolve games, box scores and offers the way the models document it."""
    teams = pd.read_csv(SEEDS / "teams.csv")
    franchises = set(teams["team_abbreviation"])
    odds_names = dict(zip(teams["odds_api_team_name"].str.strip(), teams["team_abbreviation"]))
    alias_seed = pd.read_csv(SEEDS / "player_name_aliases.csv")
    aliases = dict(zip(alias_seed["alias_lookup"], alias_seed["player_lookup"]))
    calendar = pd.read_csv(SEEDS / "season_calendar.csv", parse_dates=["starts_on", "ends_on"])

    # games (int_games): candidates from the schedule, then the team logs, then the player logs
    schedule = con.execute(
        "select game_id, game_date, upper(trim(home_team_abbreviation)) as home, "
        "upper(trim(away_team_abbreviation)) as away, season_type, tipoff_at, false as derived, 1 as priority, "
        "_loaded_at, _source from raw.schedule"
    ).df()
    logs = []
    for priority, table in ((2, "raw.team_game_logs"), (3, "raw.player_game_logs")):
        frame = con.execute(
            f"select distinct game_id, game_date, matchup, season_type, coalesce(game_id_derived, false) as derived, "
            f"{priority} as priority, _loaded_at, _source from {table}"
        ).df()
        frame["home"], frame["away"] = _matchup_sides(frame["matchup"])
        logs.append(frame.drop(columns="matchup"))
    candidates = pd.concat([schedule, *logs], ignore_index=True)
    candidates = candidates[candidates["season_type"].fillna("") != "all_star"]  # staging drops All-Star rows
    candidates = candidates[candidates["home"].isin(franchises) & candidates["away"].isin(franchises)]
    candidates["game_date"] = pd.to_datetime(candidates["game_date"])
    candidates["pair"] = [frozenset(p) for p in zip(candidates["home"], candidates["away"])]
    candidates = candidates.sort_values(
        ["priority", "derived", "_loaded_at", "_source", "home"],
        ascending=[True, True, False, True, True],
        kind="stable",
    )
    season_types = candidates.dropna(subset=["season_type"]).drop_duplicates(["game_date", "pair"])
    season_type = dict(zip(zip(season_types["game_date"], season_types["pair"]), season_types["season_type"]))
    # the tip-off of the schedule's latest load of the game (NULL stays NULL)
    latest = schedule.assign(
        game_date=pd.to_datetime(schedule["game_date"]),
        pair=[frozenset(p) for p in zip(schedule["home"], schedule["away"])],
    )
    latest = latest.sort_values(["_loaded_at", "_source"], ascending=False, kind="stable")
    latest = latest.drop_duplicates(["game_date", "pair"])
    tipoff = {
        (d, p): (None if pd.isna(t) else pd.Timestamp(t))
        for d, p, t in zip(latest["game_date"], latest["pair"], latest["tipoff_at"])
    }
    games, game_ids = {}, {}
    for r in candidates.itertuples(index=False):
        key = (r.game_date, r.pair)
        if season_type.get(key) in NOT_COMPETITIVE:
            continue
        games.setdefault(key, Game(r.game_date, r.home, r.away, tipoff.get(key)))
        game_ids.setdefault(str(r.game_id), key)
    by_team = {(d, t): (d, pair) for (d, pair) in games for t in pair}

    # box scores (int_player_games): per player and date the row with shooting detail, then the latest load;
    # a row with a not-playing reason is no game played; only rows that find a competitive game count
    box = con.execute(
        "select player_id, player_name, game_date, upper(trim(team_abbreviation)) as team, not_playing_reason "
        "from raw.player_game_logs where season_type is null or season_type <> 'all_star' "
        "order by player_id, game_date, case when fga is not null then 0 else 1 end, _loaded_at desc, _source desc"
    ).df()
    box["game_date"] = pd.to_datetime(box["game_date"])
    box = box.drop_duplicates(["player_id", "game_date"])
    box = box[box["not_playing_reason"].isna()]
    competitive = pd.DataFrame(list(by_team), columns=["game_date", "team"])
    box = box.merge(competitive, on=["game_date", "team"], how="inner").sort_values(["player_id", "game_date"])
    names = {n: player_lookup(n) for n in box["player_name"].unique()}
    box["lookup"] = box["player_name"].map(lambda n: aliases.get(names[n], names[n]))
    box = box[["player_id", "game_date", "team", "lookup"]].reset_index(drop=True)
    rows = {int(p): idx for p, idx in box.groupby("player_id").indices.items()}
    pairs = box[["player_id", "lookup"]].drop_duplicates()
    lookups = {int(p): set(g) for p, g in pairs.groupby("player_id")["lookup"]}
    owners = {str(k): set(int(p) for p in g) for k, g in pairs.groupby("lookup")["player_id"]}

    # prop offers (int_prop_offers): the five markets, deduplicated across loads, name keys after aliases, the
    # event's teams, and each book's main line (two-sided first, then closest to even, then the lower line)
    props = con.execute(
        f"""
        select snapshot_at, snapshot_kind, event_id, game_date, commence_time, trim(home_team_name) as home_name,
               trim(away_team_name) as away_name, player_name, market_key, lower(trim(bookmaker)) as bookmaker,
               cast(line as double) as line, cast(over_odds as double) as over_odds,
               cast(under_odds as double) as under_odds, _loaded_at, _source
        from raw.prop_snapshots
        where market_key in ({", ".join(f"'{m}'" for m in PROP_MARKETS)}) and line is not null
        """
    ).df()
    props = props.sort_values(["_loaded_at", "_source"], ascending=False, kind="stable")
    props = props.drop_duplicates(["snapshot_at", "event_id", "player_name", "market_key", "bookmaker", "line"])
    names = {n: player_lookup(n) for n in props["player_name"].unique()}
    props["lookup"] = props["player_name"].map(lambda n: aliases.get(names[n], names[n]))
    props["market"] = props["market_key"].map(PROP_MARKETS)
    props["game_date"] = pd.to_datetime(props["game_date"])
    props["pair"] = [
        frozenset((odds_names.get(h), odds_names.get(a))) for h, a in zip(props["home_name"], props["away_name"])
    ]
    over, under = _implied(props["over_odds"]), _implied(props["under_odds"])
    both = over.notna() & under.notna()
    props["two_sided"] = np.where(both, 0, 1)
    one_side = np.where(over.notna(), 2 * (over - 0.5).abs(), 2 * (under - 0.5).abs())
    distance = np.where(both, (over - under).abs(), one_side)
    props["distance"] = distance
    props["no_distance"] = np.where(np.isnan(distance), 1, 0)
    props = props.sort_values(["two_sided", "no_distance", "distance", "line"], kind="stable")
    book_offer = ["snapshot_at", "event_id", "lookup", "market", "bookmaker"]
    props["main_line_rank"] = props.groupby(book_offer, dropna=False).cumcount() + 1

    # the game: same date and teams; with no commence_time (historical closing sets) a game a day either side
    def game_date(day: pd.Timestamp, pair: frozenset, timed: bool) -> pd.Timestamp:
        if timed or (day, pair) in games:
            return day
        near = [day + pd.Timedelta(days=s) for s in (-1, 1) if (day + pd.Timedelta(days=s), pair) in games]
        return near[0] if near else day

    props["timed"] = props["commence_time"].notna()
    resolved = {k: game_date(*k) for k in set(zip(props["game_date"], props["pair"], props["timed"]))}
    props["game_date"] = [resolved[k] for k in zip(props["game_date"], props["pair"], props["timed"])]
    props["game"] = list(zip(props["game_date"], props["pair"]))
    props = props[props["game"].map(games.__contains__) & (props["main_line_rank"] == 1)].copy()

    # pregame (int_prop_offers): strictly before tip-off = commence_time, else the schedule's; with neither, only
    # a historical closing snapshot. Per game, name key, market and snapshot: the books' median main line; the
    # latest snapshot whose every offer is pregame is the pregame line (int_prop_pregame_lines)
    tip = props["commence_time"].fillna(pd.to_datetime(props["game"].map(lambda k: games[k].tipoff)))
    props["pregame"] = np.where(tip.notna(), props["snapshot_at"] < tip, props["snapshot_kind"] == "historical_closing")
    snapshots = (
        props.groupby(["game", "lookup", "market", "snapshot_at"])
        .agg(pregame=("pregame", "min"), books=("line", "size"), line=("line", "median"))
        .reset_index()
    )
    snapshots = snapshots[snapshots["pregame"].astype(bool)].sort_values("snapshot_at", kind="stable")
    latest = snapshots.groupby(["game", "lookup", "market"]).tail(1)
    lines = {
        (g, k, m): (int(b), float(v))
        for g, k, m, b, v in zip(latest["game"], latest["lookup"], latest["market"], latest["books"], latest["line"])
    }
    return RawInputs(calendar, games, game_ids, by_team, box, rows, lookups, owners, lines)


def box_scores(raw: RawInputs, player_id: int) -> pd.DataFrame:
    """A player's competitive box scores (game_date, team), oldest first."""
    return raw.box.iloc[raw.box_rows.get(player_id, [])]


def team_on(raw: RawInputs, player_id: int, day: pd.Timestamp) -> str | None:
    """The team he played for on ``day`` (None: no box score that day)."""
    games = box_scores(raw, player_id)
    hit = games["team"][games["game_date"] == day]
    return str(hit.iloc[0]) if len(hit) else None


def season_of(calendar: pd.DataFrame, day: pd.Timestamp) -> str | None:
    hit = calendar[(calendar["starts_on"] <= day) & (calendar["ends_on"] >= day)]
    return str(hit["season"].iloc[0]) if len(hit) else None


def _line_owner(raw: RawInputs, key: str, game: Game) -> int | None:
    """The player a name key means in a game: the only one with that key, else one who played in it (lowest id)."""
    players = raw.owners.get(key, set())
    if len(players) <= 1:
        return next(iter(players), None)
    in_game = sorted(p for p in players if team_on(raw, p, game.game_date) in (game.home, game.away))
    return in_game[0] if in_game else min(players)


def pregame_line(raw: RawInputs, player_id: int, key: tuple, market: str) -> float | None:
    """The mart's line: the pregame consensus line of one of the player's name keys in this game (a key shared
    with a namesake is the one's who played); of two keys, the one more books offered, then the lower line."""
    game = raw.games[key]
    found = [
        raw.lines[(key, k, market)]
        for k in raw.lookups.get(player_id, set())
        if (key, k, market) in raw.lines and _line_owner(raw, k, game) == player_id
    ]
    return min(found, key=lambda bl: (-bl[0], bl[1]))[1] if found else None


def recompute_context(history: History, row: dict) -> tuple[dict, list[str]]:
    """The row's team, opponent, is_home, season and line from the raw inputs, and what could not be resolved.

    team: the team of his box score on that date; without one (a DNP, a scheduled game), the team of his latest
    earlier box score when it plays in this game (else NULL). opponent and home/away: the game's other side and
    whether his team is the home side. season: the season calendar seed's span holding the date."""
    raw = history.raw
    day, player_id = pd.Timestamp(row["game_date"]), int(row["player_id"])
    out = {"team": None, "opponent": None, "is_home": None, "season": season_of(raw.calendar, day), "line": None}
    issues = []
    team = team_on(raw, player_id, day)
    key = raw.game_ids.get(str(row["game_id"]))
    if team is not None:
        played_in = raw.by_team.get((day, team))
        if key != played_in:
            issues.append(f"game_id {row['game_id']} is not the game he played on {day.date()} for {team}")
        key = played_in
    elif key is None or key[0] != day:
        issues.append(f"game_id {row['game_id']} is no competitive game on {day.date()} in the raw inputs")
        return out, issues
    else:
        games = box_scores(raw, player_id)
        earlier = games[games["game_date"] < day]
        previous = str(earlier["team"].iloc[-1]) if len(earlier) else None
        team = previous if previous in key[1] else None
    game = raw.games[key]
    if team is not None:
        out["team"] = team
        out["opponent"] = game.away if team == game.home else game.home
        out["is_home"] = team == game.home
    out["line"] = pregame_line(raw, player_id, key, row["market"])
    return out, issues


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


def recompute(history: History, row: dict, context: dict | None = None) -> dict[str, tuple]:
    """(value, missing) for every feature of one mart row (a dict with the mart's keys: player_id, game_id,
    game_date, market), in the context ``recompute_context`` derives from the raw inputs (computed when not given)."""
    day = pd.Timestamp(row["game_date"])
    context = context if context is not None else recompute_context(history, row)[0]
    market, season = row["market"], context["season"]
    team, opponent = context["team"], context["opponent"]
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
    out["f_ts_avg_l10"] = (
        float(shots["points"].sum()) / (2 * attempts) if len(shots) and attempts else None,
        len(shots) < 10,
    )
    out["f_games_played_season"] = (float(len(in_season)), None)
    week = before[before["game_date"] >= day - pd.Timedelta(days=7)]
    out["f_games_last_7d"] = (float(len(week)), None)
    out["f_games_last_14d"] = (float(len(before[before["game_date"] >= day - pd.Timedelta(days=14)])), None)
    out["f_minutes_last_7d"] = (float(week["minutes"].sum()), None)
    out["f_days_rest"] = (float((day - in_season["game_date"].max()).days) if len(in_season) else None, None)
    yesterday = bool((before["game_date"] == day - pd.Timedelta(days=1)).any())
    out["f_is_back_to_back"] = (1.0 if yesterday else 0.0, None)
    out["f_is_home"] = (None if context["is_home"] is None else float(context["is_home"]), None)
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
    line = context["line"]
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


def _same(want, got, rel: float) -> bool:
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, float):
        return math.isclose(want, float(got), rel_tol=rel, abs_tol=1e-9)
    if isinstance(want, bool):
        return want == bool(got)
    return want == got


def borrowed_context(history: History, row: dict) -> tuple[dict, list[str]]:
    """The row's own context columns: how the oracle used to work (tests show what that misses)."""
    return {name: row[name] for name in CONTEXT_COLUMNS}, []


def compare(
    history: History, mart_rows: pd.DataFrame, features: list[str], rel: float = 1e-9, context_of=recompute_context
) -> list[str]:
    """Every disagreement between the mart and the recomputation, as readable lines (empty = all agree): the
    row's context columns against the raw inputs (``context_of``), then every feature and missing flag."""
    problems: list[str] = []
    for record in mart_rows.to_dict("records"):
        row = {k: _none(v) for k, v in record.items()}
        row["game_date"] = pd.Timestamp(record["game_date"])
        key = f"{row['player_id']}|{row['game_id']}|{row['market']}|{row['game_date'].date()}"
        context, issues = context_of(history, row)
        problems += [f"{key} {issue}" for issue in issues]
        for name in CONTEXT_COLUMNS:
            if not _same(context[name], row[name], rel):
                problems.append(f"{key} {name}: mart {row[name]!r}, raw inputs {context[name]!r}")
        expected = recompute(history, row, context)
        assert set(expected) == set(features), sorted(set(expected) ^ set(features))
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
