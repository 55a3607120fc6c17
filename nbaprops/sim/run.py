"""``simulate``: one run, from config to the five files an ``nbaprops import`` reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nbaprops.sim import files
from nbaprops.sim.calendar import KNOWN, make_schedule, plan_absences
from nbaprops.sim.config import SimConfig, check_config
from nbaprops.sim.games import make_side, play_game
from nbaprops.sim.league import load_teams, make_rosters
from nbaprops.sim.market import closing_line, prop_snapshots


@dataclass(frozen=True)
class SimOutput:
    """The files written, how many data rows each holds, and where "tonight" fell."""

    out_dir: Path
    player_game_logs: Path
    team_game_logs: Path
    schedule: Path
    props: Path
    game_lines: Path
    row_counts: dict[str, int]
    as_of: date  # games on/after this date are scheduled, not played
    games_played: int
    games_scheduled: int

    def __str__(self) -> str:
        counts = ", ".join(f"{name} {n}" for name, n in self.row_counts.items())
        return f"{self.games_played} games played, {self.games_scheduled} scheduled from {self.as_of} ({counts} rows)"


def simulate(config: SimConfig, out_dir: Path) -> SimOutput:
    """Simulate the league in ``config`` and write the five import files into ``out_dir`` (created if
    missing, files overwritten). Every game gets prop snapshots; only games before ``as_of`` get box
    scores, final schedule rows and game lines."""
    check_config(config)
    teams = load_teams(config)
    rosters = make_rosters(teams, config)
    games = make_schedule(teams, config)
    absences = plan_absences(games, rosters, config)
    played_on = {(abbr, g.game_date) for g in games for abbr in (g.home, g.away)}
    tonight, season, season_id = config.tonight, config.season_label, f"2{config.season_start_year}"

    rows: dict[str, list[list]] = {name: [] for name in files.COLUMNS}
    snapshots: dict[tuple[date, int], list[list]] = {}
    for g in games:
        out = absences[g.game_id]
        sides, before_news = [], []
        for home in (False, True):
            roster = rosters[g.home if home else g.away]
            playing = [p for p in roster if p.player_id not in out]
            expected = [p for p in roster if out.get(p.player_id) != KNOWN]  # before the day's news
            sides.append(make_side(g, home, teams, playing, played_on))
            before_news.append(make_side(g, home, teams, expected, played_on))
        for k, snapshot in enumerate(prop_snapshots(g, sides, before_news, out, teams, config)):
            snapshots.setdefault((g.game_date, k), []).extend(snapshot)
        box = play_game(g, sides, config) if g.game_date < tonight else None
        rows["schedule"].append(files.schedule_row(g, teams, box, season))
        if box:
            rows["player_game_logs"] += files.player_rows(g, sides, box, season_id, season)
            rows["team_game_logs"] += files.team_rows(g, sides, box, season_id, season)
            line = closing_line(g, sides, config)
            rows["game_lines"].append(files.game_line_row(g, sides, box, line, config.season_start_year + 1))
    for key in sorted(snapshots):  # one snapshot file after another, as the feed was collected
        rows["props"] += snapshots[key]

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / f"{name}.csv" for name in files.COLUMNS}
    for name, header in files.COLUMNS.items():
        files.write_csv(paths[name], header, rows[name])
    played = sum(g.game_date < tonight for g in games)
    return SimOutput(out_dir=out_dir, **paths, row_counts={name: len(r) for name, r in rows.items()}, as_of=tonight,
                     games_played=played, games_scheduled=len(games) - played)  # fmt: skip
