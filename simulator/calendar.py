"""When games are played and who sits them out.

Rested teams are likelier to be picked on a given day, so most teams play every other day with some
back-to-backs, and nobody plays twice on one date. Absences come in two kinds because the books treat
them differently: a continuing absence is known before lines open, a new one is news on the day.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from nbacore.dates import EASTERN
from simulator.config import SimConfig, rng
from simulator.league import Player, Team

GAMES_PER_DAY = (5, 8)
REMATCH_DAYS = 10  # avoid the same pairing within this many days where possible
LATE_HOME = {"DEN", "UTA", "PHX", "LAL", "LAC", "GSW", "SAC", "POR"}  # mountain/pacific arenas tip late
EARLY_TIPS = [
    time(19),
    time(19),
    time(19, 10),
    time(19, 30),
    time(19, 30),
    time(19, 40),
    time(20),
    time(20, 10),
    time(20, 30),
]
LATE_TIPS = [time(21), time(21), time(21, 30), time(22), time(22), time(22, 10), time(22, 30)]
ABSENCE_GAMES = [1, 1, 1, 2, 3, 5]  # how many games an absence lasts
MIN_DRESSED = 8
KNOWN, SURPRISE = "known", "surprise"


@dataclass(frozen=True)
class Game:
    number: int  # 1-based order in the season; seeds this game's random streams
    game_id: str
    game_date: date  # US/Eastern
    home: str
    away: str
    tipoff_utc: datetime
    event_id: str  # The Odds API style: 32 lowercase hex characters


def make_schedule(teams: dict[str, Team], config: SimConfig) -> list[Game]:
    """Games for ``config.days`` days, numbered in date and tip-off order."""
    draws = rng(config.seed, 2)
    abbrs = list(teams)
    last: dict[str, date] = {}
    balance = dict.fromkeys(abbrs, 0)  # home games minus away games
    met: dict[frozenset[str], date] = {}
    slate: list[tuple[date, time, str, str]] = []
    for day in (config.start_date + timedelta(days=i) for i in range(config.days)):
        n_games = min(int(draws.integers(GAMES_PER_DAY[0], GAMES_PER_DAY[1] + 1)), len(abbrs) // 2)
        rest = np.array([(day - last[a]).days if a in last else 3 for a in abbrs])
        weight = np.select([rest <= 1, rest == 2], [0.25, 1.0], 3.0)
        picked = [abbrs[i] for i in draws.choice(len(abbrs), 2 * n_games, replace=False, p=weight / weight.sum())]
        best: tuple[int, list[tuple[str, str]]] | None = None
        for _ in range(20):
            order = [picked[i] for i in draws.permutation(len(picked))]
            pairs = list(zip(order[::2], order[1::2]))
            rematches = sum((day - met.get(frozenset(p), date.min)).days <= REMATCH_DAYS for p in pairs)
            if best is None or rematches < best[0]:
                best = (rematches, pairs)
        for a, b in best[1]:
            home, away = (a, b) if (balance[a], draws.random()) < (balance[b], 0.5) else (b, a)
            balance[home] += 1
            balance[away] -= 1
            last[home] = last[away] = day
            met[frozenset((a, b))] = day
            tips = LATE_TIPS if home in LATE_HOME else EARLY_TIPS
            slate.append((day, tips[int(draws.integers(len(tips)))], home, away))
    games = []
    for n, (day, tip, home, away) in enumerate(sorted(slate), start=1):
        game_id = f"002{config.season_start_year % 100:02d}{n:05d}"
        tipoff = datetime.combine(day, tip, tzinfo=EASTERN).astimezone(UTC)
        event_id = hashlib.md5(f"nbaprops-sim:{config.seed}:{game_id}".encode()).hexdigest()
        games.append(Game(n, game_id, day, home, away, tipoff, event_id))
    return games


def plan_absences(games: list[Game], rosters: dict[str, list[Player]], config: SimConfig) -> dict[str, dict[int, str]]:
    """For each game id, the players sitting out: KNOWN (a continuing absence) or SURPRISE (news today).

    Absences start at a rate that makes ``dnp_rate`` of player-games missed; the top three of a team
    on the second night of a back-to-back also rest now and then.
    """
    draws = rng(config.seed, 3)
    start_rate = config.dnp_rate / float(np.mean(ABSENCE_GAMES))
    remaining: dict[int, int] = {}
    last: dict[str, date] = {}
    plan = {}
    for g in games:
        out: dict[int, str] = {}
        for abbr in (g.away, g.home):
            b2b = last.get(abbr) == g.game_date - timedelta(days=1)
            for p in rosters[abbr]:
                u, length = draws.random(), int(draws.choice(ABSENCE_GAMES))
                if remaining.get(p.player_id, 0) > 0:
                    out[p.player_id] = KNOWN
                    remaining[p.player_id] -= 1
                elif u < start_rate:
                    out[p.player_id], remaining[p.player_id] = SURPRISE, length - 1
                elif b2b and p.rank < 3 and u < start_rate + config.dnp_rate:
                    out[p.player_id] = SURPRISE
            sitting = [p for p in rosters[abbr] if p.player_id in out]
            for p in sitting[: max(0, MIN_DRESSED - (len(rosters[abbr]) - len(sitting)))]:
                del out[p.player_id]  # a team always dresses at least eight
            last[abbr] = g.game_date
        plan[g.game_id] = out
    return plan
