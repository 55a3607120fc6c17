"""The one list of prop markets: ``seeds/markets.csv`` (market, The Odds API key, description), which dbt loads
as a seed (``reference.markets``) and Python reads here. A market is added or renamed in that file only."""

from __future__ import annotations

import csv
from dataclasses import dataclass

from nbacore.settings import PROJECT_DIR

MARKETS_SEED = PROJECT_DIR / "seeds" / "markets.csv"


@dataclass(frozen=True)
class Market:
    name: str  # our spelling everywhere: points, rebounds, assists, threes, pra
    odds_api_key: str  # the feed's: player_points, ...
    description: str


def _read_markets() -> tuple[Market, ...]:
    with MARKETS_SEED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or set(rows[0]) != {"market", "odds_api_key", "description"}:
        raise RuntimeError(f"{MARKETS_SEED}: expected the columns market, odds_api_key, description; restore the seed")
    return tuple(Market(r["market"], r["odds_api_key"], r["description"]) for r in rows)


MARKET_ROWS = _read_markets()
MARKETS: tuple[str, ...] = tuple(m.name for m in MARKET_ROWS)
ODDS_API_KEYS: tuple[str, ...] = tuple(m.odds_api_key for m in MARKET_ROWS)
MARKET_BY_ODDS_API_KEY: dict[str, str] = {m.odds_api_key: m.name for m in MARKET_ROWS}


def sql_list(markets: tuple[str, ...] = MARKETS) -> str:
    """``'points', 'rebounds', ...`` for an ``in (...)`` filter of names our code holds (the seed's markets, the
    mart's seasons), never of input; both engines read the literal list."""
    return ", ".join(f"'{m}'" for m in markets)
