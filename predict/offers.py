"""Book offers for pricing and closing-line value, read from ``analytics.prop_offers`` (a public model with a contract).

A prop name becomes a player through the mart's own (game_id, player_lookup) rows, which already tell
namesakes apart by team; ``analytics.player_lookups`` is used only to explain lines that found no
mart row. The pricing snapshot is the latest pregame snapshot at or before ``as_of`` (default: the latest
before tip-off); the closing snapshot is the latest pregame one, and CLV compares the two.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from nbacore.markets import sql_list
from nbacore.warehouse import Warehouse

OFFERS_TABLE = "analytics.prop_offers"
LOOKUPS_TABLE = "analytics.player_lookups"
OFFER_COLUMNS = [
    "snapshot_at",
    "game_id",
    "game_date",
    "player_lookup",
    "player_name",
    "market",
    "bookmaker",
    "line",
    "over_odds",
    "under_odds",
    "main_line_rank",
    "is_pregame",
]


def read_offers(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """Pregame main-line offers for games dated ``start``..``end`` (all five markets)."""
    markets = sql_list()
    frame = wh.query(
        f"select {', '.join(OFFER_COLUMNS)} from {OFFERS_TABLE} "
        f"where game_date between @start and @end and is_pregame and market in ({markets}) "
        "order by game_date, game_id, player_lookup, market, bookmaker, snapshot_at, line",
        {"start": start, "end": end},
    )
    frame["game_date"] = pd.to_datetime(frame["game_date"]).dt.normalize()
    frame["snapshot_at"] = pd.to_datetime(frame["snapshot_at"])
    frame["game_id"] = frame["game_id"].astype("string")
    return frame


def read_lookups(wh: Warehouse) -> pd.DataFrame:
    return wh.query(f"select player_lookup, player_id from {LOOKUPS_TABLE} order by player_lookup, player_id")


def attach_players(offers: pd.DataFrame, mart_rows: pd.DataFrame) -> pd.DataFrame:
    """Offers with ``player_id`` from the mart rows of the same game and lookup (NULL when none)."""
    ids = mart_rows[["game_id", "player_lookup", "player_id"]].drop_duplicates(["game_id", "player_lookup"])
    out = offers.drop(columns=[c for c in ("player_id",) if c in offers]).merge(
        ids, on=["game_id", "player_lookup"], how="left"
    )
    return out


def snapshot_offers(offers: pd.DataFrame, as_of: datetime | None = None, which: str = "latest") -> pd.DataFrame:
    """Main-line offers of one snapshot per (game, player, market): the latest (or earliest, ``which='opening'``)
    pregame snapshot at or before ``as_of``."""
    o = offers[offers["main_line_rank"] == 1] if "main_line_rank" in offers else offers
    if as_of is not None:
        o = o[o["snapshot_at"] <= pd.Timestamp(as_of)]
    if o.empty:
        return o
    keys = ["game_id", "player_lookup", "market"]
    pick = o.groupby(keys)["snapshot_at"].transform("max" if which == "latest" else "min")
    return o[o["snapshot_at"] == pick]
