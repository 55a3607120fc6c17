"""A feature-mart-shaped frame and int_prop_offers-shaped offers built straight from a simulated season.

Phase-5 tests use it to train, score, grade and backtest without a dbt build. The features are plain
rolling stats over each player's games strictly before the row's date (so a leak here is a bug in the
test, not in the mart); columns follow the contract of ``precompute.feature_mart``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from predict.mart import MartData, normalise_frame
from simulator import Season, normalise_name

MARKET_OF = {
    "player_points": "points",
    "player_rebounds": "rebounds",
    "player_assists": "assists",
    "player_threes": "threes",
    "player_points_rebounds_assists": "pra",
}
STAT_FEATURES = ["f_stat_avg_l5", "f_stat_avg_l10", "f_stat_avg_season", "f_stat_std_l10"]  # names as in the real mart
OTHER_FEATURES = [
    "f_minutes_avg_l5",
    "f_minutes_avg_l10",
    "f_minutes_avg_season",
    "f_games_played_season",
    "f_days_rest",
    "f_is_home",
]
FEATURES = STAT_FEATURES + OTHER_FEATURES


def box_rows(season: Season) -> pd.DataFrame:
    """One row per player who played: ids, teams and the five market stats."""
    rows = []
    for g in season.games:
        box = season.boxes.get(g.game_id)
        if box is None:
            continue
        for k, lines in enumerate(box.lines):
            team, opp = (g.away, g.home) if k == 0 else (g.home, g.away)
            for p, s in lines:
                rows.append(
                    (
                        p.player_id,
                        p.name,
                        normalise_name(p.name),
                        g.game_id,
                        g.game_date,
                        team,
                        opp,
                        k == 1,
                        s["MIN"],
                        s["PTS"],
                        s["REB"],
                        s["AST"],
                        s["FG3M"],
                        s["PTS"] + s["REB"] + s["AST"],
                    )
                )
    cols = [
        "player_id",
        "player_name",
        "player_lookup",
        "game_id",
        "game_date",
        "team",
        "opponent",
        "is_home",
        "minutes",
        "points",
        "rebounds",
        "assists",
        "threes",
        "pra",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["game_date"] = pd.to_datetime(out["game_date"])
    return out


def offer_rows(season: Season) -> pd.DataFrame:
    """Every prop row of every snapshot, int_prop_offers-shaped (each book posts one line: main_line_rank 1)."""
    games = {g.game_id: g for g in season.games}
    by_event = {g.event_id: g for g in season.games}
    rows = [r for snapshots in season.props.values() for snap in snapshots for r in snap]
    raw = pd.DataFrame(
        rows,
        columns=["file", "local", "event", "player", "market", "line", "book", "game", "game_time", "over", "under"],
    )
    assert set(games) >= set(season.props)
    names = {n: normalise_name(n) for n in raw["player"].unique()}
    out = pd.DataFrame(
        {
            "snapshot_at": pd.to_datetime(raw["local"]),
            "game_id": raw["event"].map(lambda e: by_event[e].game_id),
            "game_date": pd.to_datetime(raw["event"].map(lambda e: by_event[e].game_date)),
            "player_lookup": raw["player"].map(names),
            "player_name": raw["player"],
            "market": raw["market"].map(MARKET_OF),
            "bookmaker": raw["book"],
            "line": raw["line"].astype(float),
            "over_odds": raw["over"].astype(float),
            "under_odds": raw["under"].astype(float),
        }
    )
    out["main_line_rank"], out["is_pregame"] = 1, True
    out["game_id"] = out["game_id"].astype("string")
    return out


def consensus_lines(offers: pd.DataFrame) -> pd.DataFrame:
    """Per (game, player, market): the latest and opening snapshot's median line and the latest book count."""
    per_snap = offers.groupby(["game_id", "player_lookup", "market", "snapshot_at"], as_index=False).agg(
        line=("line", "median"), books=("bookmaker", "nunique")
    )
    per_snap = per_snap.sort_values("snapshot_at")
    keys = ["game_id", "player_lookup", "market"]
    latest = per_snap.drop_duplicates(keys, keep="last").rename(columns={"books": "line_books"})
    opening = per_snap.drop_duplicates(keys, keep="first")[[*keys, "line"]].rename(columns={"line": "opening_line"})
    return latest[[*keys, "line", "line_books"]].merge(opening, on=keys)


def _as_of_features(targets: pd.DataFrame, box: pd.DataFrame) -> pd.DataFrame:
    """Rolling features for each (player, date) target from that player's games strictly before the date."""
    hist = box.sort_values(["player_id", "game_date"]).copy()
    g = hist.groupby("player_id", sort=False)
    for stat in ("points", "rebounds", "assists", "threes", "pra", "minutes"):
        hist[f"{stat}_l5"] = g[stat].rolling(5, min_periods=1).mean().droplevel(0)
        hist[f"{stat}_l10"] = g[stat].rolling(10, min_periods=1).mean().droplevel(0)
        hist[f"{stat}_season"] = g[stat].cumsum() / (g.cumcount() + 1)
        hist[f"{stat}_std_l10"] = g[stat].rolling(10, min_periods=2).std().droplevel(0)
    hist["games_season"] = g.cumcount() + 1
    hist = hist.rename(columns={"game_date": "hist_date"}).drop(
        columns=["game_id", "team", "opponent", "is_home", "player_name", "player_lookup"]
    )
    stats = ["points", "rebounds", "assists", "threes", "pra", "minutes"]
    hist = hist.drop(columns=stats).sort_values("hist_date")
    t = targets.sort_values("game_date")
    return pd.merge_asof(
        t,
        hist,
        left_on="game_date",
        right_on="hist_date",
        by="player_id",
        allow_exact_matches=False,
        direction="backward",
    )


def sim_mart(season: Season) -> tuple[MartData, pd.DataFrame]:
    """(mart, offers) for ``season``: training rows for every played player-game x market, void rows for
    lined players who sat, scoring rows for lined players in games on/after ``tonight``."""
    box = box_rows(season)
    offers = offer_rows(season)
    lines = consensus_lines(offers)
    who = box[["player_id", "player_name", "player_lookup"]].drop_duplicates("player_id")
    players = {p.player_id: p for roster in season.rosters.values() for p in roster}
    lookup_to_id = {normalise_name(p.name): pid for pid, p in players.items()}
    games = {g.game_id: g for g in season.games}

    played = box.melt(
        id_vars=[
            "player_id",
            "player_name",
            "player_lookup",
            "game_id",
            "game_date",
            "team",
            "opponent",
            "is_home",
            "minutes",
        ],
        value_vars=list(MARKET_OF.values()),
        var_name="market",
        value_name="actual",
    )
    played["did_play"] = True
    lined_keys = lines.assign(player_id=lines["player_lookup"].map(lookup_to_id))
    lined_keys = lined_keys.merge(
        played[["player_id", "game_id", "market"]], on=["player_id", "game_id", "market"], how="left", indicator=True
    )
    absent = lined_keys[lined_keys["_merge"] == "left_only"].drop(columns="_merge")
    extra = []
    for r in absent.itertuples(index=False):
        g, p = games[r.game_id], players[r.player_id]
        home = p.team == g.home
        extra.append(
            (
                r.player_id,
                p.name,
                r.player_lookup,
                r.game_id,
                pd.Timestamp(g.game_date),
                p.team,
                g.away if home else g.home,
                home,
                np.nan,
                r.market,
                np.nan,
                False if g.game_id in season.boxes else pd.NA,
            )
        )
    rows = pd.concat([played, pd.DataFrame(extra, columns=[*played.columns])], ignore_index=True)
    rows = rows.merge(
        lines.drop(columns="player_lookup").assign(player_id=lines["player_lookup"].map(lookup_to_id)),
        on=["player_id", "game_id", "market"],
        how="left",
    )

    feats = _as_of_features(rows[["player_id", "game_date"]].drop_duplicates(), box)
    rows = rows.merge(feats, on=["player_id", "game_date"], how="left")
    for stat, name in (("l5", "avg_l5"), ("l10", "avg_l10"), ("season", "avg_season"), ("std_l10", "std_l10")):
        rows[f"f_stat_{name}"] = np.select(
            [rows["market"] == m for m in MARKET_OF.values()], [rows[f"{m}_{stat}"] for m in MARKET_OF.values()], np.nan
        )
    rows["f_minutes_avg_l5"], rows["f_minutes_avg_l10"] = rows["minutes_l5"], rows["minutes_l10"]
    rows["f_minutes_avg_season"] = rows["minutes_season"]
    rows["f_games_played_season"] = rows["games_season"].fillna(0)
    rows["f_days_rest"] = (rows["game_date"] - rows["hist_date"]).dt.days.astype(float)
    rows["f_is_home"] = rows["is_home"].astype(float)
    for f in FEATURES:
        rows[f"{f}_missing"] = rows[f].isna()
    rows["row_kind"] = np.where(rows["game_date"] >= pd.Timestamp(season.tonight), "scoring", "training")
    rows["season"], rows["season_type"] = season.config.season_label, "regular"
    rows["has_line"] = rows["line"].notna()
    rows["line_movement"] = rows["line"] - rows["opening_line"]
    rows["quality_score"] = 1.0 - rows[[f"{f}_missing" for f in FEATURES]].mean(axis=1)
    rows["feature_version"] = "sim-v1"
    rows = rows.drop(columns=["player_name"]).merge(who[["player_id", "player_name"]], on="player_id", how="left")
    rows["player_name"] = rows["player_name"].fillna(rows["player_id"].map(lambda i: players[i].name))
    return MartData(normalise_frame(rows, FEATURES), FEATURES), offers
