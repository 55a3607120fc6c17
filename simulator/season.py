"""The simulated season in memory: what ``simulate`` writes to files and ``nbaprops sim serve`` serves.

Both read the same ``Season``, so the files and the simulated live API describe one league. Every value
comes from the same seeded streams as before (one per concern and per game), so building the season here
changes no byte of the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from simulator.calendar import KNOWN, Game, make_schedule, plan_absences
from simulator.config import SimConfig, check_config
from simulator.games import Box, Side, make_side, play_game
from simulator.league import Player, Team, load_teams, make_rosters
from simulator.market import ClosingLine, closing_line, prop_snapshots


@dataclass(frozen=True)
class Season:
    """One simulated season: the league, every game, and what the books and the box scores say about each.

    ``props[game_id]`` holds the morning and afternoon snapshot rows in the props file's columns;
    ``boxes`` has only played games (before ``config.tonight``); ``closing_lines`` has every game.
    """

    config: SimConfig
    teams: dict[str, Team]
    rosters: dict[str, list[Player]]
    games: list[Game]
    absences: dict[str, dict[int, str]]  # game_id -> player_id -> KNOWN / SURPRISE
    sides: dict[str, list[Side]]  # game_id -> [away, home]
    boxes: dict[str, Box]
    props: dict[str, list[list[list[str]]]]
    closing_lines: dict[str, ClosingLine]

    @property
    def tonight(self) -> date:
        return self.config.tonight

    @property
    def season_id(self) -> str:
        return f"2{self.config.season_start_year}"

    def games_on(self, day: date) -> list[Game]:
        return [g for g in self.games if g.game_date == day]


def simulate_season(config: SimConfig) -> Season:
    """Play the season in ``config`` in memory (no files written)."""
    check_config(config)
    teams = load_teams(config)
    rosters = make_rosters(teams, config)
    games = make_schedule(teams, config)
    absences = plan_absences(games, rosters, config)
    played_on = {(abbr, g.game_date) for g in games for abbr in (g.home, g.away)}
    sides: dict[str, list[Side]] = {}
    boxes: dict[str, Box] = {}
    props: dict[str, list[list[list[str]]]] = {}
    lines: dict[str, ClosingLine] = {}
    for g in games:
        out = absences[g.game_id]
        playing_sides, before_news = [], []
        for home in (False, True):
            roster = rosters[g.home if home else g.away]
            playing = [p for p in roster if p.player_id not in out]
            expected = [p for p in roster if out.get(p.player_id) != KNOWN]  # before the day's news
            playing_sides.append(make_side(g, home, teams, playing, played_on))
            before_news.append(make_side(g, home, teams, expected, played_on))
        sides[g.game_id] = playing_sides
        props[g.game_id] = prop_snapshots(g, playing_sides, before_news, out, teams, config)
        if g.game_date < config.tonight:
            boxes[g.game_id] = play_game(g, playing_sides, config)
        lines[g.game_id] = closing_line(g, playing_sides, config)
    return Season(config, teams, rosters, games, absences, sides, boxes, props, lines)
