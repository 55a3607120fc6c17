"""The books: player prop snapshots and closing game lines, priced from each side's expected lines.

A book's view of a player's mean is the truth times (1 + market_noise * z), so ``market_noise`` is the
market-efficiency knob (``efficient_market`` replaces it with books that know the truth). Two snapshots a game day: the morning one is priced before the day's injury
news; by the afternoon the books have pulled most surprise absentees and moved part of the way toward
the truth, which is how lines move in the real feed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time

from simulator.calendar import Game
from simulator.config import SimConfig, rng
from simulator.games import MARKETS, Side
from simulator.league import Team

BOOKS = ["draftkings", "fanduel", "betmgm", "williamhill_us"]
SNAPSHOTS = [time(10), time(17)]  # US/Eastern wall clock, both before the earliest tip-off
LISTED_PER_TEAM, LISTED_MIN_MINUTES = 8, 15.0  # books post rotation players only
MARKET_MIN_MEAN = {
    "player_points": 4.0,
    "player_rebounds": 1.5,
    "player_assists": 1.0,
    "player_threes": 0.5,
    "player_points_rebounds_assists": 6.0,
}
MORNING_KEEPS, AFTERNOON_KEEPS = 0.5, 0.3  # chance a surprise absentee's line survives each snapshot
AFTERNOON_MOVE = 0.35  # share of the morning error corrected by the afternoon
BOOK_SD, OFFERED = 0.03, 0.93  # books disagree a little; a book skips a market now and then
VIG_PER_SIDE = (1.02, 1.035)  # -110/-110 is 1.024 a side
GAME_VIG = 1.025
# Spread of each market's outcome around the true mean, variance = mean * (a + b * mean), measured on replayed
# simulated games (test_predict_leakage checks it still holds); b < 0 for threes is binomial-like under-dispersion.
TRUE_VARIANCE = {
    "player_points": (2.29, 0.0052),
    "player_rebounds": (0.99, 0.0236),
    "player_assists": (0.99, 0.0286),
    "player_threes": (1.07, -0.0286),
    "player_points_rebounds_assists": (1.84, 0.0126),
}


@dataclass(frozen=True)
class ClosingLine:
    home_favoured: bool
    spread: float  # points given by the favourite, always x.5
    total: float  # always x.5
    moneyline_away: int
    moneyline_home: int


def prop_snapshots(
    g: Game,
    sides: list[Side],
    before_news: list[Side],
    absences: dict[int, str],
    teams: dict[str, Team],
    config: SimConfig,
) -> list[list[list[str]]]:
    """Morning and afternoon prop rows for one game (``before_news``: sides still counting surprise absentees)."""
    draws = rng(config.seed, 5, g.number)
    books = [b for b in BOOKS if b in draws.choice(BOOKS, int(draws.integers(3, 5)), replace=False)]
    game = f"{teams[g.away].odds_name} @ {teams[g.home].odds_name}"
    game_time = g.tipoff_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    stamps = [datetime.combine(g.game_date, t) for t in SNAPSHOTS]
    heads = [[f"raw_{t:%Y%m%d_%H%M%S}.csv", t.strftime("%Y-%m-%dT%H:%M:%S"), g.event_id] for t in stamps]
    snapshots: list[list[list[str]]] = [[], []]
    for side, early in zip(sides, before_news):
        morning, afternoon = early.means(), side.means()
        ranked = sorted(zip(early.players, early.minutes), key=lambda pm: (-pm[1], pm[0].rank))
        for p in [p for p, m in ranked[:LISTED_PER_TEAM] if m >= LISTED_MIN_MINUTES]:
            keep = draws.random(2)
            shown = [True, True]
            if p.player_id in absences:
                shown = [keep[0] < MORNING_KEEPS, keep[0] < MORNING_KEEPS and keep[1] < AFTERNOON_KEEPS]
            truth = [morning[p.player_id], afternoon.get(p.player_id, morning[p.player_id])]
            for market in MARKETS:
                # Draw everything first so that which rows appear never shifts later draws.
                z, drift = float(draws.normal()), float(draws.normal())
                per_book = draws.normal(0, BOOK_SD, len(BOOKS)).tolist()
                offered = (draws.random(len(BOOKS)) < OFFERED).tolist()
                vig = draws.uniform(*VIG_PER_SIDE, len(BOOKS)).tolist()
                if truth[0][market] < MARKET_MIN_MEAN[market]:
                    continue
                early_view = truth[0][market] * (1 + config.market_noise * z)
                late_truth = truth[1][market]
                late_view = early_view + AFTERNOON_MOVE * (late_truth - early_view) + late_truth * 0.02 * drift
                if config.efficient_market:
                    early_view, late_view = truth[0][market], late_truth
                for k, view in enumerate((early_view, late_view)):
                    for b, book in enumerate(BOOKS):
                        if shown[k] and book in books and offered[b]:
                            if config.efficient_market:
                                line, over, under = efficient_price(view, market, vig[b])
                            else:
                                line, over, under = price(max(0.0, view * (1 + per_book[b])), vig[b])
                            row = [*heads[k], p.book_name, market, line, book, game, game_time, over, under]
                            snapshots[k].append(row)
    return snapshots


def price(estimate: float, vig: float) -> tuple[str, str, str]:
    """A book's x.5 line next to its estimate, the odds leaning toward the side the estimate favours."""
    line = math.floor(estimate) + 0.5
    p_over = min(0.8, max(0.2, _phi((estimate - line) / (1.0 + 0.3 * estimate))))
    return str(line), f"{american(p_over * vig)}.0", f"{american((1 - p_over) * vig)}.0"


def efficient_price(mean: float, market: str, vig: float) -> tuple[str, str, str]:
    """What a book that knows the truth posts: the x.5 line whose over probability is nearest 1/2 (an x.5 next
    to the mean would hand the over or the under a rounding edge), both sides priced at the true probabilities."""
    cdf = true_cdf(mean, market)
    k = min(range(len(cdf)), key=lambda i: abs(cdf[i] - 0.5))
    p_over = min(0.95, max(0.05, 1.0 - cdf[k]))
    return str(k + 0.5), f"{american(p_over * vig)}.0", f"{american((1 - p_over) * vig)}.0"


def true_cdf(mean: float, market: str) -> list[float]:
    """P(outcome <= k) for k = 0, 1, ...: a negative binomial with the market's TRUE_VARIANCE (Poisson when that
    is not above the mean), up to where almost all the mass is counted."""
    a, b = TRUE_VARIANCE[market]
    variance = mean * (a + b * mean)
    if variance > mean * 1.001:
        r = mean * mean / (variance - mean)
        q = mean / (r + mean)
        pmf, step = (1 - q) ** r, lambda k: (k + r) / (k + 1) * q
    else:
        pmf, step = math.exp(-mean), lambda k: mean / (k + 1)
    cdf, total = [], 0.0
    for k in range(400):
        total += pmf
        cdf.append(min(total, 1.0))
        if total > 1 - 1e-9:
            break
        pmf *= step(k)
    return cdf


def closing_line(g: Game, sides: list[Side], config: SimConfig) -> ClosingLine:
    """Spread, total and moneylines from the sides' expected points, with a little market error."""
    draws = rng(config.seed, 6, g.number)
    away_mu, home_mu = (sum(m["player_points"] for m in s.means().values()) for s in sides)
    margin = home_mu - away_mu + draws.normal(0, 1.5)
    total = math.floor(home_mu + away_mu + draws.normal(0, 3)) + 0.5
    p_home = _phi(margin / 12)
    return ClosingLine(
        margin > 0, math.floor(abs(margin)) + 0.5, total, american((1 - p_home) * GAME_VIG), american(p_home * GAME_VIG)
    )


def american(implied: float) -> int:
    """American odds for an implied probability (vig included): 0.55 -> -122, 0.45 -> 122."""
    return round(-100 * implied / (1 - implied) if implied >= 0.5 else 100 * (1 - implied) / implied)


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))
