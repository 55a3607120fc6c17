"""What to simulate, checked once, and the seeded random streams every step draws from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

MAX_ROSTER = 17


@dataclass(frozen=True)
class SimConfig:
    """What to simulate. The same config always writes the same bytes."""

    seed: int = 7
    season_start_year: int = 2025  # season "2025-26", SEASON_ID "22025", game ids "00225xxxxx"
    start_date: date = date(2025, 10, 21)  # first game day (US/Eastern calendar date)
    days: int = 30  # calendar days with games
    as_of: date | None = None  # games on/after as_of are scheduled, not played; default: the last day
    market_noise: float = 0.15  # relative sd of the books' view of a player's mean: market efficiency
    roster_size: int = 13
    dnp_rate: float = 0.04  # share of player-games missed (rest/injury); DNPs have no game-log row
    # An efficient market: every book knows each player's true outcome distribution, sets the line at the x.5
    # nearest its median and prices both sides at the true probabilities (plus vig); market_noise is ignored.
    efficient_market: bool = False

    @property
    def tonight(self) -> date:
        """The first day whose games are not played yet."""
        return self.as_of or self.start_date + timedelta(days=self.days - 1)

    @property
    def season_label(self) -> str:
        return f"{self.season_start_year}-{(self.season_start_year + 1) % 100:02d}"


def check_config(config: SimConfig) -> None:
    """Fail before writing anything, naming the field and the range it must be in."""
    problems = [
        (config.days < 1, f"days={config.days} must be at least 1"),
        (not 8 <= config.roster_size <= MAX_ROSTER, f"roster_size={config.roster_size} must be 8..{MAX_ROSTER}"),
        (not 0 <= config.dnp_rate <= 0.3, f"dnp_rate={config.dnp_rate} must be between 0 and 0.3"),
        (not 0 <= config.market_noise <= 1, f"market_noise={config.market_noise} must be between 0 and 1"),
        (not 1946 <= config.season_start_year <= 2098, f"season_start_year={config.season_start_year} is not a season"),
    ]
    for bad, message in problems:
        if bad:
            raise ValueError(f"SimConfig: {message}; pass a value in that range")


def rng(seed: int, *stream: int) -> np.random.Generator:
    """An independent stream per concern, so one knob never reshuffles another's draws."""
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))
