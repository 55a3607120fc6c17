"""The league: the 30 real franchises from the seed, with made-up rosters, skills and names.

Names are invented, but a share of them is spelled differently by the books exactly the way real
names are (accents, "Jr." vs "Jr", "C.J." vs "CJ"), so the name normaliser has work to do.
"""

from __future__ import annotations

import csv
import math
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from nbacore.settings import PROJECT_DIR
from simulator.config import MAX_ROSTER, SimConfig, rng

TEAMS_SEED = PROJECT_DIR / "seeds" / "teams.csv"
SEED_COLUMNS = ["team_abbreviation", "team_id", "team_name", "odds_api_team_name", "espn_code"]

TEAM_FGA = 88.0  # field-goal attempts on an average night before pace
MINUTES_BY_RANK = [34, 33, 32, 30, 28, 25, 22, 18, 14, 10, 6, 4, 3, 2, 2, 1, 1][:MAX_ROSTER]
POSITIONS = ["G", "F", "C", "G", "F", "G", "F", "C", "G", "F", "C", "G", "F"]
# League-ish rates by position, per minute where a count: 3PA share of FGA, 2P%, 3P%, FTA per FGA, FT%,
# REB, OREB share of REB, AST, STL, BLK, TOV, PF. Player.rates puts FGA per minute in front (index 0).
PROFILE = {
    "G": (0.50, 0.50, 0.365, 0.24, 0.82, 0.12, 0.12, 0.145, 0.035, 0.010, 0.065, 0.07),
    "F": (0.44, 0.53, 0.355, 0.25, 0.78, 0.19, 0.20, 0.075, 0.030, 0.020, 0.055, 0.08),
    "C": (0.15, 0.60, 0.330, 0.33, 0.70, 0.30, 0.30, 0.065, 0.025, 0.045, 0.060, 0.10),
}
SHARES = [0, 1, 2, 4]  # profile entries that are probabilities: jittered additively and clipped
SHARE_LOW, SHARE_HIGH, SHARE_SD = [0.02, 0.42, 0.25, 0.55], [0.70, 0.68, 0.44, 0.93], [0.06, 0.03, 0.025, 0.05]

FIRST = [
    "Marcus",
    "Jalen",
    "Tyrese",
    "Devin",
    "Andre",
    "Malik",
    "Cameron",
    "Isaiah",
    "Darius",
    "Terrence",
    "Kendall",
    "Xavier",
    "Quentin",
    "Elijah",
    "Caleb",
    "Trey",
    "Damon",
    "Rashad",
    "Corey",
    "Dwayne",
    "Miles",
    "Nolan",
    "Grant",
    "Reggie",
    "Tobias",
    "Myles",
    "Keegan",
    "Landry",
    "Omari",
    "Desmond",
    "Jamal",
    "Spencer",
    "Lamar",
    "Wendell",
    "Cedric",
    "Dorian",
    "Felix",
    "Hugo",
    "Ivan",
    "Mateo",
    "Oscar",
    "Pascal",
    "Rafael",
    "Simon",
    "Victor",
    "Emeka",
    "Chidi",
    "Kofi",
    "Bennett",
    "Harrison",
    "Julian",
    "Roman",
    "Tariq",
    "Nikola",
    "Luka",
    "Bogdan",
    "Jonas",
    "Ousmane",
    "Deshawn",
    "Kellan",
]
LAST = [
    "Whitfield",
    "Harlow",
    "Brantley",
    "Pennington",
    "Caldwell",
    "Ashby",
    "Merriweather",
    "Dunmore",
    "Halvorsen",
    "Kingsley",
    "Lockhart",
    "Marchetti",
    "Norwood",
    "Prescott",
    "Ramsey",
    "Sutton",
    "Thornbury",
    "Underwood",
    "Vance",
    "Whitlock",
    "Yardley",
    "Abernathy",
    "Blackwell",
    "Crenshaw",
    "Delacroix",
    "Ellison",
    "Fairbanks",
    "Galloway",
    "Holloway",
    "Jennings",
    "Kessler",
    "Langford",
    "Mabry",
    "Nwachukwu",
    "Osei",
    "Pryor",
    "Quarles",
    "Redmond",
    "Stallworth",
    "Tillman",
    "Upshaw",
    "Vickers",
    "Ambrose",
    "Boateng",
    "Castellanos",
    "Eastwood",
    "Fontaine",
    "Hargrove",
    "Kimbrough",
    "Lattimore",
    "Mendenhall",
    "Ogletree",
    "Pettaway",
    "Rountree",
    "Sandoval",
    "Treadwell",
    "Wardlow",
    "Birchfield",
    "Coldiron",
    "Drayton",
]
# Only letters that fold to ASCII under NFKD (no ø, đ, ł, ı): books print the folded spelling.
ACCENTED_FIRST = ["Théo", "Jérôme", "Andrés", "Tomáš", "Matías", "Nicolás", "Kārlis", "Emre"]
ACCENTED_LAST = [
    "Dončević",
    "Vučetić",
    "Šimunović",
    "Žarković",
    "Radoičić",
    "Bērziņš",
    "Kalniņš",
    "Güneşli",
    "Özkaya",
    "Lefèvre",
    "Mérindol",
    "Núñez",
    "Ibáñez",
    "Hájek",
    "Dvořák",
    "Nováček",
    "Lindström",
    "Åkesson",
]
INITIALS = ["C.J.", "R.J.", "T.J.", "A.J.", "P.J.", "D.J.", "J.J."]
SUFFIXES = ["Jr.", "Jr.", "Jr.", "Jr.", "III", "II"]


@dataclass(frozen=True)
class Team:
    abbr: str
    team_id: int
    name: str  # NBA's name, as in box scores ("LA Clippers")
    odds_name: str  # The Odds API's name ("Los Angeles Clippers")
    espn: str  # lowercase code used by the game-lines file
    pace: float  # possessions relative to the league
    offence: float  # multiplies own shooting percentages
    defence: float  # multiplies opponents' shooting percentages (>1 = leaky)


@dataclass(frozen=True)
class Player:
    player_id: int
    name: str  # box-score spelling (diacritics, "Jr.", "C.J.")
    book_name: str  # sportsbook spelling (ASCII, "Jr", "CJ")
    team: str
    rank: int  # 0 = first in the rotation
    minutes: float  # rotation weight before rest and absences
    rates: np.ndarray = field(repr=False)  # FGA per minute, then the PROFILE entries


def load_teams(config: SimConfig) -> dict[str, Team]:
    """Teams from the seed, each with a drawn pace and offensive/defensive strength."""
    with TEAMS_SEED.open(encoding="utf-8", newline="") as f:
        seed_rows = list(csv.DictReader(f))
    missing = [c for c in SEED_COLUMNS if not seed_rows or c not in seed_rows[0]]
    if len(seed_rows) < 2 or missing:
        raise ValueError(
            f"{TEAMS_SEED}: needs at least 2 teams and columns {', '.join(SEED_COLUMNS)} "
            f"(missing: {', '.join(missing) or 'none'}); restore seeds/teams.csv"
        )
    draws = rng(config.seed, 1)
    teams = {}
    for r in seed_rows:
        pace, offence, defence = (float(x) for x in np.exp(draws.normal(0, [0.03, 0.025, 0.025])))
        teams[r["team_abbreviation"]] = Team(
            r["team_abbreviation"],
            int(r["team_id"]),
            r["team_name"],
            r["odds_api_team_name"],
            r["espn_code"],
            pace,
            offence,
            defence,
        )
    return teams


def make_rosters(teams: dict[str, Team], config: SimConfig) -> dict[str, list[Player]]:
    """``roster_size`` players per team, ordered by rotation rank, with unique 7-digit ids."""
    draws = rng(config.seed, 1, 1)
    n = len(teams) * config.roster_size
    names = make_names(draws, n)
    ids = draws.choice(np.arange(1626000, 1642000), size=n, replace=False)
    rosters: dict[str, list[Player]] = {}
    for t, abbr in enumerate(teams):
        players = []
        for rank in range(config.roster_size):
            k = t * config.roster_size + rank
            base = np.array(PROFILE[POSITIONS[rank % len(POSITIONS)]])
            usage = math.exp(draws.normal(0, 0.2)) * (1.35 - 0.05 * rank)
            rates = base * np.exp(draws.normal(0, 0.15, base.size))
            rates[SHARES] = np.clip(base[SHARES] + draws.normal(0, SHARE_SD), SHARE_LOW, SHARE_HIGH)
            rates[7] *= math.sqrt(usage)  # creators pass more
            minutes = MINUTES_BY_RANK[rank] + (draws.normal(0, 1.5) if rank < 10 else 0.0)
            rates = np.concatenate([[usage], rates])
            players.append(Player(int(ids[k]), *names[k], abbr, rank, max(1.0, minutes), rates))
        # Scale shot volume so that an average night gives the team TEAM_FGA attempts before pace.
        shares = np.array([p.minutes for p in players])
        expected = 240 * shares / shares.sum() @ np.array([p.rates[0] for p in players])
        for p in players:
            p.rates[0] *= TEAM_FGA / expected
        rosters[abbr] = players
    return rosters


def make_names(draws: np.random.Generator, n: int) -> list[tuple[str, str]]:
    """``n`` unique (box score, book) name pairs, about one in six spelled differently by the books."""
    special = ["accent"] * max(3, n // 14) + ["suffix"] * max(3, n // 20) + ["initials"] * max(3, n // 25)
    kinds = draws.permutation((special + ["plain"] * n)[:n])
    out: list[tuple[str, str]] = []
    keys: set[str] = set()
    for kind in kinds:
        for _ in range(200):
            box, book = _name(draws, str(kind))
            if normalise_name(box) not in keys:
                break
        else:
            raise ValueError(f"could not invent {n} unique player names; lower roster_size or extend sim.league.LAST")
        keys.add(normalise_name(box))
        out.append((box, book))
    return out


def _name(draws: np.random.Generator, kind: str) -> tuple[str, str]:
    first, last = str(draws.choice(FIRST)), str(draws.choice(LAST))
    book_first, suffix, book_suffix = first, "", ""
    if kind == "accent":
        last = str(draws.choice(ACCENTED_LAST))
        if draws.random() < 0.3:
            first = book_first = str(draws.choice(ACCENTED_FIRST))
    elif kind == "suffix":
        suffix = " " + str(draws.choice(SUFFIXES))
        book_suffix = suffix.rstrip(".")
    elif kind == "initials":
        first = str(draws.choice(INITIALS))
        book_first = first.replace(".", "")
        if draws.random() < 0.4:  # the other way round: plain in the box score, dotted at the book
            first, book_first = book_first, first
    return f"{first} {last}{suffix}", _ascii(f"{book_first} {last}{book_suffix}")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def normalise_name(name: str) -> str:
    """The sim's uniqueness key (accents, dots, apostrophes and suffixes dropped, lower case)."""
    words = _ascii(name).lower().replace(".", "").replace("'", "").split()
    return " ".join(w for w in words if w not in {"jr", "sr", "ii", "iii", "iv"})
