"""``simulate``: one run, from config to the five files an ``nbaprops import`` reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from simulator import files
from simulator.config import SimConfig
from simulator.season import simulate_season


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
    season = simulate_season(config)
    teams, tonight = season.teams, config.tonight
    season_label, season_id = config.season_label, season.season_id

    rows: dict[str, list[list]] = {name: [] for name in files.COLUMNS}
    snapshots: dict[tuple[date, int], list[list]] = {}
    for g in season.games:
        sides = season.sides[g.game_id]
        for k, snapshot in enumerate(season.props[g.game_id]):
            snapshots.setdefault((g.game_date, k), []).extend(snapshot)
        box = season.boxes.get(g.game_id)
        rows["schedule"].append(files.schedule_row(g, teams, box, season_label))
        if box:
            rows["player_game_logs"] += files.player_rows(g, sides, box, season_id, season_label)
            rows["team_game_logs"] += files.team_rows(g, sides, box, season_id, season_label)
            line = season.closing_lines[g.game_id]
            rows["game_lines"].append(files.game_line_row(g, sides, box, line, config.season_start_year + 1))
    for key in sorted(snapshots):  # one snapshot file after another, as the feed was collected
        rows["props"] += snapshots[key]

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / f"{name}.csv" for name in files.COLUMNS}
    for name, header in files.COLUMNS.items():
        files.write_csv(paths[name], header, rows[name])
    played = sum(g.game_date < tonight for g in season.games)
    return SimOutput(
        out_dir=out_dir,
        **paths,
        row_counts={name: len(r) for name, r in rows.items()},
        as_of=tonight,
        games_played=played,
        games_scheduled=len(season.games) - played,
    )
