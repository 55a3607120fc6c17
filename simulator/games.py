"""Playing a game: expected stat lines for each side, then a box score drawn around them.

The same ``Side`` gives the market its truth (``means``) and the box score its rates, so prop lines
and results are about the same thing. Box scores satisfy the identities real ones do: PTS = 2*FGM +
FG3M + FTM, REB = OREB + DREB, made <= attempted, 240 team minutes, player plus-minus summing to five
times the margin, and no ties (there is no overtime here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from nbacore.markets import ODDS_API_KEYS
from simulator.calendar import Game
from simulator.config import SimConfig, rng
from simulator.league import Player, Team

STATS = ["PTS", "FGM", "FGA", "FG3M", "FG3A", "FTM", "FTA", "OREB", "DREB", "REB", "AST", "STL", "BLK", "TOV", "PF"]
MARKETS = list(ODDS_API_KEYS)  # the feed's market keys (nbacore/markets.py), as the book posts them
HOME_EFF, B2B_EFF, B2B_STARTER_MINUTES = 1.02, 0.98, 0.94
MINUTES_CAP, MAX_MAKE = 44.0, 0.95
GARBAGE_MINUTES, GARBAGE_SEATED = 6.0, 0.45  # the end of the bench often never checks in


@dataclass
class Side:
    """One team in one game: who is available and what they are expected to do."""

    team: Team
    home: bool
    players: list[Player]
    minutes: np.ndarray  # expected minutes, summing to 240
    pace: float  # average of the two teams' paces
    eff: float  # shooting multiplier: own offence, opponent defence, home court, fatigue

    def means(self) -> dict[int, dict[str, float]]:
        """Each player's expected line per prop market: the truth the books try to price."""
        r = np.array([p.rates for p in self.players])
        fga = self.minutes * r[:, 0] * self.pace
        threes = fga * r[:, 1] * np.minimum(r[:, 3] * self.eff, MAX_MAKE)
        twos = fga * (1 - r[:, 1]) * np.minimum(r[:, 2] * self.eff, MAX_MAKE)
        pts = (2 * twos + 3 * threes + fga * r[:, 4] * r[:, 5]).tolist()
        reb, ast = (self.minutes * r[:, 6]).tolist(), (self.minutes * r[:, 8] * self.eff).tolist()
        pra = [p + b + a for p, b, a in zip(pts, reb, ast)]
        values = zip(pts, reb, ast, threes.tolist(), pra)
        return {p.player_id: dict(zip(MARKETS, v)) for p, v in zip(self.players, values)}


@dataclass
class Box:
    """A played game, away side first: each side's (player, stat line) pairs, totals and quarter points."""

    lines: list[list[tuple[Player, dict[str, int]]]]
    totals: list[dict[str, int]]
    quarters: list[list[int]]


def make_side(
    g: Game, home: bool, teams: dict[str, Team], players: list[Player], played_on: set[tuple[str, date]]
) -> Side:
    """The side for ``players`` (those available); the second night of a back-to-back costs starters minutes."""
    abbr, opp = (g.home, g.away) if home else (g.away, g.home)
    b2b = (abbr, g.game_date - timedelta(days=1)) in played_on
    weights = np.array(
        [
            p.minutes
            * (B2B_STARTER_MINUTES if b2b and p.rank < 5 else 1.0)
            * (1 - GARBAGE_SEATED if _garbage(p) else 1.0)
            for p in players
        ]
    )
    eff = teams[abbr].offence * teams[opp].defence * (HOME_EFF if home else 1.0) * (B2B_EFF if b2b else 1.0)
    return Side(teams[abbr], home, players, share_minutes(weights), (teams[abbr].pace + teams[opp].pace) / 2, eff)


def share_minutes(weights: np.ndarray, total: float = 240.0, cap: float = MINUTES_CAP) -> np.ndarray:
    """Scale weights to ``total`` minutes with nobody above ``cap`` (the excess goes to the rest pro rata)."""
    out = weights * total / weights.sum()
    for _ in range(len(out)):
        over = out > cap
        if not over.any():
            break
        excess = (out[over] - cap).sum()
        out[over] = cap
        free = out < cap
        out[free] += excess * out[free] / out[free].sum()
    return out


TEAM_FGA_RANGE = (78.0, 96.0)


def play_game(g: Game, sides: list[Side], config: SimConfig) -> Box:
    """Draw both box scores. Team attempts are shared out, so possessions bound a team's shots."""
    draws = rng(config.seed, 4, g.number)
    pace = draws.lognormal(0, 0.06)  # shared: a fast game is fast for both sides
    lines, totals = [], []
    for s in sides:
        n = len(s.players)
        r = np.array([p.rates for p in s.players])
        weights = s.minutes * draws.lognormal(0, 0.15, n)
        garbage = np.array([_garbage(p) for p in s.players])
        weights[garbage] *= np.where(draws.random(n)[garbage] < GARBAGE_SEATED, 0.0, 1 / (1 - GARBAGE_SEATED))
        mins = whole_minutes(share_minutes(weights))
        shots = mins * r[:, 0] * s.pace * pace
        # Who happens to get the minutes can push a team's volume past anything the NBA plays; keep a
        # night's expected attempts inside the real range (team FGA of about 78-96) so pace stays real.
        shots *= np.clip(shots.sum(), TEAM_FGA_RANGE[0], TEAM_FGA_RANGE[1]) / shots.sum()
        fga = draws.multinomial(round(shots.sum() * draws.lognormal(0, 0.02)), shots / shots.sum())
        fg3a = draws.binomial(fga, r[:, 1])
        fg3m = draws.binomial(fg3a, np.minimum(r[:, 3] * s.eff, MAX_MAKE))
        fg2m = draws.binomial(fga - fg3a, np.minimum(r[:, 2] * s.eff, MAX_MAKE))
        fta = draws.poisson(shots * r[:, 4])
        ftm = draws.binomial(fta, r[:, 5])
        reb = draws.poisson(mins * r[:, 6])
        oreb = draws.binomial(reb, r[:, 7])
        ast, stl, blk = (draws.poisson(mins * rate) for rate in (r[:, 8] * s.eff, r[:, 9], r[:, 10]))
        tov = draws.poisson(mins * r[:, 11] * np.sqrt(r[:, 0] / 0.37))  # high usage, more turnovers
        pf = np.minimum(draws.poisson(mins * r[:, 12]), 6)
        side_lines = []
        for i, p in enumerate(s.players):
            if mins[i] == 0:
                continue  # never got off the bench: no LeagueGameLog row
            line = dict(
                MIN=mins[i],
                FGM=fg2m[i] + fg3m[i],
                FGA=fga[i],
                FG3M=fg3m[i],
                FG3A=fg3a[i],
                FTM=ftm[i],
                FTA=fta[i],
                OREB=oreb[i],
                DREB=reb[i] - oreb[i],
                REB=reb[i],
                AST=ast[i],
                STL=stl[i],
                BLK=blk[i],
                TOV=tov[i],
                PF=pf[i],
            )
            line = {k: int(v) for k, v in line.items()}
            line["PTS"] = 2 * line["FGM"] + line["FG3M"] + line["FTM"]
            side_lines.append((p, line))
        lines.append(side_lines)
        totals.append({k: sum(line[k] for _, line in side_lines) for k in ["MIN", *STATS]})
    if totals[0]["PTS"] == totals[1]["PTS"]:  # a late free throw settles it
        k = int(draws.integers(2))
        line = max(lines[k], key=lambda pl: pl[1]["MIN"])[1]
        for stat in ("FTA", "FTM", "PTS"):
            line[stat] += 1
            totals[k][stat] += 1
    for k in (0, 1):
        margin = totals[k]["PTS"] - totals[1 - k]["PTS"]
        values = plus_minus(np.array([line["MIN"] for _, line in lines[k]]), margin, draws)
        for (_, line), value in zip(lines[k], values.tolist()):
            line["PLUS_MINUS"] = value
    quarters = [draws.multinomial(t["PTS"], [0.25] * 4).tolist() for t in totals]
    return Box(lines, totals, quarters)


def _garbage(p: Player) -> bool:
    """End of the bench: plays only some nights (expected minutes already count the nights seated)."""
    return p.minutes < GARBAGE_MINUTES


def whole_minutes(minutes: np.ndarray) -> np.ndarray:
    """Round to whole minutes that keep the total (the largest remainders get the spare minutes)."""
    floors = np.floor(minutes).astype(int)
    spare = int(round(minutes.sum())) - int(floors.sum())
    floors[np.argsort(-(minutes - floors), kind="stable")[:spare]] += 1
    return floors


def plus_minus(mins: np.ndarray, margin: int, draws: np.random.Generator) -> np.ndarray:
    """On-court differentials: the margin pro rata by minutes plus noise, summing to five times the margin."""
    values = np.rint(margin * mins / 48 + draws.normal(0, 4, len(mins)) * np.sqrt(mins / 36)).astype(int)
    order = np.argsort(-mins, kind="stable")
    diff, i = 5 * margin - int(values.sum()), 0
    while diff:
        step = int(math.copysign(1, diff))
        values[order[i % len(order)]] += step
        diff, i = diff - step, i + 1
    return values
