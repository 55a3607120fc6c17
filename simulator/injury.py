"""The simulated league's official injury reports: who is listed, with which status, at which report.

Reports come on each game day at ``REPORT_HOURS`` (US/Eastern, on the hour: valid names in both eras of the
league's file naming) and list that day's games. They follow the absences the season already planned
(``calendar.plan_absences``), so a listed-Out player does not play:

- a continuing absence (KNOWN) is Out from the first report;
- a new absence (SURPRISE) is usually announced: Questionable or Doubtful at 1 p.m., Out from 5 p.m.; a share
  of them (``LATE_SCRATCH``) are late scratches: never listed, or listed Probable, and still do not play;
- a few healthy players are listed Questionable or Probable and play (upgraded to Available later);
- at the first report, teams whose game tips late have NOT YET SUBMITTED.

Reasons are the league's wording, some long enough to wrap over two or three lines. Draws come from their own
stream (``rng(seed, 7, game)``), so adding reports changed no other simulated value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from nbacore.dates import EASTERN
from simulator.calendar import KNOWN
from simulator.config import rng
from simulator.injury_pdf import Entry
from simulator.season import Season

REPORT_HOURS = (11, 13, 17, 19)
FIRST, ANNOUNCED, LATER = 11, 13, 17
LATE_SCRATCH = 0.2  # share of new absences the reports never catch
NOT_SUBMITTED_FROM = time(21)  # at the first report, teams tipping at or after this have not submitted
NOISE_PER_TEAM = (0, 1, 1, 2)  # healthy players listed per team (drawn from these)
INJURIES = [
    "Injury/Illness - Left Ankle; Sprain",
    "Injury/Illness - Right Ankle; Sprain",
    "Injury/Illness - Left Hamstring; Strain",
    "Injury/Illness - Right Knee; Soreness",
    "Injury/Illness - Lower Back; Spasms",
    "Injury/Illness - Illness; Non-COVID",
    "Injury/Illness - Left Knee; Patellar Tendinopathy Injury Management",
    "Injury/Illness - Right Foot; Plantar Fasciitis Injury Management and Return to Competition Reconditioning",
    "Injury/Illness - Left Hip; Contusion",
    "Personal Reasons",
    "Rest",
]
SUFFIXES = {"Jr.", "Jr", "Sr.", "II", "III", "IV"}


@dataclass(frozen=True)
class Listing:
    """One player's path through the day's reports: status per report hour (None = not listed) and reason."""

    player_id: int
    name: str  # "Last, First"
    team: str
    statuses: dict[int, str | None]
    reason: str


def last_first(name: str) -> str:
    """'C.J. Whitfield Jr.' -> 'Whitfield Jr., C.J.' (how the report writes names)."""
    parts = name.split()
    suffix = [parts.pop()] if len(parts) > 2 and parts[-1] in SUFFIXES else []
    return f"{' '.join([parts[-1], *suffix])}, {' '.join(parts[:-1])}"


def listings(season: Season, game_id: str) -> list[Listing]:
    """Everyone a game's reports will list during the day, team by team (away first)."""
    game = next(g for g in season.games if g.game_id == game_id)
    draws = rng(season.config.seed, 7, game.number)
    out = season.absences[game_id]
    found = []
    for abbr in (game.away, game.home):
        roster = season.rosters[abbr]
        for p in roster:
            kind = out.get(p.player_id)
            if kind is None:
                continue
            reason = str(draws.choice(INJURIES))
            if kind == KNOWN:
                statuses = dict.fromkeys(REPORT_HOURS, "Out")
            elif draws.random() < LATE_SCRATCH:
                late = "Probable" if draws.random() < 0.5 else None
                statuses = {h: (late if h >= LATER else None) for h in REPORT_HOURS}
            else:
                first = "Doubtful" if draws.random() < 0.3 else "Questionable"
                statuses = {h: None if h < ANNOUNCED else first if h < LATER else "Out" for h in REPORT_HOURS}
            found.append(Listing(p.player_id, last_first(p.name), abbr, statuses, reason))
        healthy = [p for p in roster if p.player_id not in out]
        for k in draws.choice(len(healthy), int(draws.choice(NOISE_PER_TEAM)), replace=False):
            p = healthy[int(k)]
            status = "Probable" if draws.random() < 0.5 else "Questionable"
            statuses = {h: status if h < LATER else "Available" for h in REPORT_HOURS}
            found.append(Listing(p.player_id, last_first(p.name), abbr, statuses, str(draws.choice(INJURIES[:6]))))
    return found


def report_entries(season: Season, report_at: datetime) -> list[Entry] | None:
    """The entries of the report published at ``report_at`` (ET wall clock), or None when none was published."""
    if report_at.minute or report_at.hour not in REPORT_HOURS:
        return None
    games = sorted(season.games_on(report_at.date()), key=lambda g: (g.tipoff_utc, g.away))
    if not games:
        return None
    entries: list[Entry] = []
    for g in games:
        tip = g.tipoff_utc.astimezone(EASTERN)
        matchup, clock = f"{g.away}@{g.home}", f"{tip:%I:%M} (ET)"
        by_team = {abbr: [] for abbr in (g.away, g.home)}
        for listing in listings(season, g.game_id):
            status = listing.statuses[report_at.hour]
            if status is not None:
                by_team[listing.team].append((listing.name, status, listing.reason))
        for abbr, rows in by_team.items():
            team_name = season.teams[abbr].name
            if report_at.hour == FIRST and tip.time() >= NOT_SUBMITTED_FROM:
                entries.append(Entry(g.game_date, clock, matchup, team_name, None, None, None))
                continue
            for name, status, reason in sorted(rows):
                entries.append(Entry(g.game_date, clock, matchup, team_name, name, status, reason))
    return entries


def report_days(season: Season) -> list[date]:
    return sorted({g.game_date for g in season.games})
