"""A deterministic make-believe NBA league, written in exactly the shapes of the real data files.

The demo and the self-contained tests need box scores, a schedule, prop snapshots and game lines that
join the way real ones do (10-character game ids, US/Eastern dates against UTC tip-offs, book
spellings of names) without shipping real data. Every draw comes from a seeded numpy stream, one
per concern (league, schedule, availability, each game's box score, each game's market), so:

- the same config gives byte-identical files (nothing reads the clock);
- ``as_of`` and ``market_noise`` change which rows are written and where lines sit, never how a
  game was played;
- a longer run (more ``days``) extends a shorter one with the same seed.
"""

from __future__ import annotations

import csv
import hashlib
import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import numpy as np

from nbaprops.dates import EASTERN

TEAMS_SEED = Path(__file__).resolve().parent.parent / "seeds" / "teams.csv"

PLAYER_LOG_COLUMNS = [
    "SEASON_ID", "PLAYER_ID", "PLAYER_NAME", "TEAM_ID", "TEAM_ABBREVIATION", "TEAM_NAME", "GAME_ID",
    "GAME_DATE", "MATCHUP", "WL", "MIN", "PTS", "FGM", "FGA", "FG_PCT", "FG3M", "FG3A", "FG3_PCT", "FTM",
    "FTA", "FT_PCT", "OREB", "DREB", "REB", "AST", "STL", "BLK", "TOV", "PF", "PLUS_MINUS", "SEASON_LABEL",
]  # fmt: skip
TEAM_LOG_COLUMNS = [
    "SEASON_ID", "TEAM_ID", "TEAM_ABBREVIATION", "TEAM_NAME", "GAME_ID", "GAME_DATE", "MATCHUP", "WL",
    "MIN", "PTS", "FGM", "FGA", "FG_PCT", "FG3M", "FG3A", "FG3_PCT", "FTM", "FTA", "FT_PCT", "OREB", "DREB",
    "REB", "AST", "STL", "BLK", "TOV", "PF", "PLUS_MINUS", "SEASON",
]  # fmt: skip
SCHEDULE_COLUMNS = [
    "GAME_ID", "GAME_DATE", "STAGE", "HOME_TEAM_ID", "HOME_ABBR", "AWAY_TEAM_ID", "AWAY_ABBR", "HOME_PTS",
    "AWAY_PTS", "STATUS", "SEASON",
]  # fmt: skip
PROPS_COLUMNS = [
    "snapshot_file", "snapshot_local_time", "event_id", "player", "market", "line", "bookmaker", "game",
    "game_time", "over_odds", "under_odds",
]  # fmt: skip
GAME_LINES_COLUMNS = [
    "season", "date", "regular", "playoffs", "away", "home", "score_away", "score_home", "q1_away",
    "q2_away", "q3_away", "q4_away", "ot_away", "q1_home", "q2_home", "q3_home", "q4_home", "ot_home",
    "whos_favored", "spread", "total", "moneyline_away", "moneyline_home", "h2_spread", "h2_total",
    "id_spread", "id_total",
]  # fmt: skip

# Counting stats in the order the box-score files list them after MIN.
STATS = ["PTS", "FGM", "FGA", "FG3M", "FG3A", "FTM", "FTA", "OREB", "DREB", "REB", "AST", "STL", "BLK", "TOV", "PF"]
MARKETS = ["player_points", "player_rebounds", "player_assists", "player_threes", "player_points_rebounds_assists"]
MARKET_MIN_MEAN = {"player_points": 4.0, "player_rebounds": 1.5, "player_assists": 1.0, "player_threes": 0.5,
                   "player_points_rebounds_assists": 6.0}  # fmt: skip
BOOKS = ["draftkings", "fanduel", "betmgm", "williamhill_us"]
SNAPSHOTS = [time(10, 0), time(17, 0)]  # morning and afternoon, US/Eastern wall clock
LATE_HOME = {"DEN", "UTA", "PHX", "LAL", "LAC", "GSW", "SAC", "POR"}  # mountain/pacific arenas tip late
EARLY_TIPS = [time(19, 0), time(19, 0), time(19, 10), time(19, 30), time(19, 30), time(19, 40), time(20, 0), time(20, 10), time(20, 30)]  # fmt: skip
LATE_TIPS = [time(21, 0), time(21, 0), time(21, 30), time(22, 0), time(22, 0), time(22, 10), time(22, 30)]
MINUTES_BY_RANK = [34, 33, 32, 30, 28, 25, 22, 18, 14, 10, 6, 4, 3, 2, 2, 1, 1]
POSITIONS = ["G", "F", "C", "G", "F", "G", "F", "C", "G", "F", "C", "G", "F"]
# Per-minute league-ish rates by position: 3PA share, 2P%, 3P%, FTA/FGA, FT%, REB, OREB share, AST, STL, BLK, TOV, PF.
PROFILE = {
    "G": (0.45, 0.50, 0.365, 0.24, 0.82, 0.12, 0.12, 0.16, 0.035, 0.010, 0.065, 0.07),
    "F": (0.38, 0.53, 0.355, 0.25, 0.78, 0.19, 0.20, 0.08, 0.030, 0.020, 0.055, 0.08),
    "C": (0.12, 0.60, 0.330, 0.33, 0.70, 0.30, 0.30, 0.07, 0.025, 0.045, 0.060, 0.10),
}
TEAM_FGA, HOME_EFF, B2B_EFF, B2B_STARTER_MIN, MINUTES_CAP, MIN_ACTIVE = 88.0, 1.02, 0.98, 0.94, 44.0, 8
ABSENCE_LENGTHS = [1, 1, 1, 2, 3, 5]  # games missed once a player is out
LISTED_PER_TEAM, LISTED_MIN_MINUTES = 8, 15.0

FIRST = ["Marcus", "Jalen", "Tyrese", "Devin", "Andre", "Malik", "Cameron", "Isaiah", "Darius", "Terrence", "Kendall", "Xavier", "Quentin", "Elijah", "Caleb", "Trey", "Damon", "Rashad", "Corey", "Dwayne", "Miles", "Nolan", "Grant", "Reggie", "Tobias", "Myles", "Keegan", "Landry", "Omari", "Desmond", "Jamal", "Spencer", "Lamar", "Wendell", "Cedric", "Dorian", "Felix", "Hugo", "Ivan", "Mateo", "Oscar", "Pascal", "Rafael", "Simon", "Victor", "Emeka", "Chidi", "Kofi", "Bennett", "Harrison", "Julian", "Roman", "Tariq", "Nikola", "Luka", "Bogdan", "Jonas", "Ousmane", "Deshawn", "Kellan"]  # fmt: skip
LAST = ["Whitfield", "Harlow", "Brantley", "Pennington", "Caldwell", "Ashby", "Merriweather", "Dunmore", "Halvorsen", "Kingsley", "Lockhart", "Marchetti", "Norwood", "Prescott", "Ramsey", "Sutton", "Thornbury", "Underwood", "Vance", "Whitlock", "Yardley", "Abernathy", "Blackwell", "Crenshaw", "Delacroix", "Ellison", "Fairbanks", "Galloway", "Holloway", "Jennings", "Kessler", "Langford", "Mabry", "Nwachukwu", "Osei", "Pryor", "Quarles", "Redmond", "Stallworth", "Tillman", "Upshaw", "Vickers", "Ambrose", "Boateng", "Castellanos", "Eastwood", "Fontaine", "Hargrove", "Kimbrough", "Lattimore", "Mendenhall", "Ogletree", "Pettaway", "Rountree", "Sandoval", "Treadwell", "Wardlow", "Birchfield", "Coldiron", "Drayton"]  # fmt: skip
ACCENTED_FIRST = ["Théo", "Jérôme", "Andrés", "Tomáš", "Matías", "Nicolás", "Kārlis", "Emre"]
ACCENTED_LAST = ["Dončević", "Vučetić", "Šimunović", "Žarković", "Radoičić", "Bērziņš", "Kalniņš", "Güneşli", "Özkaya", "Lefèvre", "Mérindol", "Núñez", "Ibáñez", "Hájek", "Dvořák", "Nováček", "Lindström", "Åkesson"]  # fmt: skip
INITIALS = ["C.J.", "R.J.", "T.J.", "A.J.", "P.J.", "D.J.", "J.J."]
SUFFIXES = ["Jr.", "Jr.", "Jr.", "Jr.", "III", "II"]


@dataclass(frozen=True)
class SimConfig:
    """What to simulate. The same config always writes the same bytes."""

    seed: int = 7
    season_start_year: int = 2025  # season "2025-26", SEASON_ID "22025", game ids "00225xxxxx"
    start_date: date = date(2025, 10, 21)  # first game day (US/Eastern calendar date)
    days: int = 30  # calendar days with games
    as_of: date | None = None  # games on/after as_of are scheduled, not played; default: the last day
    market_noise: float = 0.15  # relative sd of a book's view of a player's mean: the market-efficiency knob
    roster_size: int = 13
    dnp_rate: float = 0.04  # share of player-games missed (rest/injury); DNPs have no game-log row


@dataclass(frozen=True)
class SimOutput:
    """The files written and how many data rows each holds."""

    out_dir: Path
    player_game_logs: Path
    team_game_logs: Path
    schedule: Path
    props: Path
    game_lines: Path
    row_counts: dict[str, int]
    as_of: date
    games_played: int
    games_scheduled: int

    def __str__(self) -> str:
        counts = ", ".join(f"{name} {n}" for name, n in self.row_counts.items())
        return f"{self.games_played} games played, {self.games_scheduled} scheduled from {self.as_of} ({counts} rows)"


@dataclass(frozen=True)
class Team:
    abbr: str
    team_id: int
    name: str
    odds_name: str
    espn: str
    pace: float  # possessions relative to league average
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
    rates: np.ndarray = field(repr=False)  # PROFILE order, with fga per minute prepended


@dataclass(frozen=True)
class Game:
    number: int
    game_id: str
    game_date: date
    home: str
    away: str
    tipoff_utc: datetime
    event_id: str


@dataclass
class Side:
    """One team in one game: who is available and what they are expected to do."""

    team: Team
    opp: Team
    home: bool
    b2b: bool
    players: list[Player]
    minutes: np.ndarray  # expected minutes, summing to 240
    pace: float
    eff: float

    def means(self) -> dict[int, dict[str, float]]:
        """Each player's expected stat line for this game: the truth the market tries to price."""
        r = np.array([p.rates for p in self.players])
        fga = self.minutes * r[:, 0] * self.pace
        threes = fga * r[:, 1] * np.minimum(r[:, 3] * self.eff, 0.95)
        twos = fga * (1 - r[:, 1]) * np.minimum(r[:, 2] * self.eff, 0.95)
        pts = 2 * twos + 3 * threes + fga * r[:, 4] * r[:, 5]
        reb, ast = self.minutes * r[:, 6], self.minutes * r[:, 8] * self.eff
        return {
            p.player_id: {"player_points": pts[i], "player_rebounds": reb[i], "player_assists": ast[i],
                          "player_threes": threes[i], "player_points_rebounds_assists": pts[i] + reb[i] + ast[i]}
            for i, p in enumerate(self.players)
        }  # fmt: skip


def simulate(config: SimConfig, out_dir: Path) -> SimOutput:
    """Simulate the league described by ``config`` and write the five import files into ``out_dir``."""
    _check(config)
    teams = _league_teams(config)
    rosters = _rosters(teams, config)
    games = _schedule(teams, config)
    absent = _availability(games, rosters, config)
    played_on = {(abbr, g.game_date) for g in games for abbr in (g.home, g.away)}
    as_of = config.as_of or config.start_date + timedelta(days=config.days - 1)
    season = f"{config.season_start_year}-{(config.season_start_year + 1) % 100:02d}"

    rows: dict[str, list[list]] = {"player_game_logs": [], "team_game_logs": [], "schedule": [], "props": [], "game_lines": []}
    snapshots: dict[tuple[date, int], list[list]] = {}
    for g in games:
        out = absent[g.game_id]
        sides = [_side(g, home, teams, rosters, out, played_on, lambda p: p.player_id not in out) for home in (False, True)]
        news_free = [_side(g, home, teams, rosters, out, played_on, lambda p: out.get(p.player_id) != "known") for home in (False, True)]
        for k, snapshot_rows in enumerate(_props(g, sides, news_free, out, teams, config)):
            snapshots.setdefault((g.game_date, k), []).extend(snapshot_rows)
        played = g.game_date < as_of
        box = _play(g, sides, config) if played else None
        rows["schedule"].append(_schedule_row(g, teams, box, season))
        if box:
            players, totals, quarters = box
            rows["player_game_logs"] += _player_rows(g, sides, players, totals, config, season)
            rows["team_game_logs"] += _team_rows(g, sides, totals, config, season)
            rows["game_lines"].append(_game_line_row(g, sides, totals, quarters, config))
    for key in sorted(snapshots):
        rows["props"] += snapshots[key]

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    headers = {"player_game_logs": PLAYER_LOG_COLUMNS, "team_game_logs": TEAM_LOG_COLUMNS, "schedule": SCHEDULE_COLUMNS,
               "props": PROPS_COLUMNS, "game_lines": GAME_LINES_COLUMNS}  # fmt: skip
    paths = {name: out_dir / f"{name}.csv" for name in headers}
    for name, header in headers.items():
        with paths[name].open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows[name])
    n_played = sum(g.game_date < as_of for g in games)
    return SimOutput(out_dir=out_dir, **paths, row_counts={k: len(v) for k, v in rows.items()}, as_of=as_of,
                     games_played=n_played, games_scheduled=len(games) - n_played)  # fmt: skip


def _check(config: SimConfig) -> None:
    problems = [
        (config.days < 1, f"days={config.days} must be at least 1"),
        (not 8 <= config.roster_size <= len(MINUTES_BY_RANK), f"roster_size={config.roster_size} must be 8..{len(MINUTES_BY_RANK)}"),
        (not 0 <= config.dnp_rate <= 0.3, f"dnp_rate={config.dnp_rate} must be between 0 and 0.3"),
        (not 0 <= config.market_noise <= 1, f"market_noise={config.market_noise} must be between 0 and 1"),
        (not 1946 <= config.season_start_year <= 2098, f"season_start_year={config.season_start_year} is not a season"),
    ]  # fmt: skip
    for bad, message in problems:
        if bad:
            raise ValueError(f"SimConfig: {message}; pass a value in range")


def _rng(seed: int, *stream: int) -> np.random.Generator:
    """An independent stream per concern, so one knob never reshuffles another's draws."""
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


# --- league -------------------------------------------------------------------------------------


def _league_teams(config: SimConfig) -> dict[str, Team]:
    needed = ["team_abbreviation", "team_id", "team_name", "odds_api_team_name", "espn_code"]
    with TEAMS_SEED.open(encoding="utf-8", newline="") as f:
        seed_rows = list(csv.DictReader(f))
    missing = [c for c in needed if seed_rows and c not in seed_rows[0]]
    if len(seed_rows) < 2 or missing:
        raise ValueError(f"{TEAMS_SEED}: needs at least 2 teams with columns {', '.join(needed)} (missing: {missing}); restore the seed")
    rng = _rng(config.seed, 1)
    return {
        r["team_abbreviation"]: Team(r["team_abbreviation"], int(r["team_id"]), r["team_name"], r["odds_api_team_name"],
                                     r["espn_code"], *(float(x) for x in np.exp(rng.normal(0, [0.03, 0.025, 0.025]))))
        for r in seed_rows
    }  # fmt: skip


def _rosters(teams: dict[str, Team], config: SimConfig) -> dict[str, list[Player]]:
    rng = _rng(config.seed, 1, 1)
    n = len(teams) * config.roster_size
    names = _names(rng, n)
    ids = rng.choice(np.arange(1626000, 1642000), size=n, replace=False)
    rosters: dict[str, list[Player]] = {}
    for t, abbr in enumerate(teams):
        players = []
        for rank in range(config.roster_size):
            k = t * config.roster_size + rank
            base = np.array(PROFILE[POSITIONS[rank % len(POSITIONS)]])
            usage = math.exp(rng.normal(0, 0.2)) * (1.35 - 0.05 * rank)
            rates = base * np.exp(rng.normal(0, 0.15, base.size))
            rates[[0, 1, 2, 4]] = np.clip(base[[0, 1, 2, 4]] + rng.normal(0, [0.06, 0.03, 0.025, 0.05]), [0.02, 0.42, 0.25, 0.55], [0.7, 0.68, 0.44, 0.93])  # fmt: skip
            rates[7] *= math.sqrt(usage)  # creators pass more
            minutes = max(1.0, MINUTES_BY_RANK[rank] + rng.normal(0, 1.5)) if rank < 10 else MINUTES_BY_RANK[rank]
            players.append(Player(int(ids[k]), names[k][0], names[k][1], abbr, rank, minutes, np.concatenate([[usage], rates])))
        # Scale shot volume so an average night gives the team ~88 FGA before pace.
        weights = np.array([p.minutes for p in players])
        expected = _share(weights) @ np.array([p.rates[0] for p in players])
        for p in players:
            p.rates[0] *= TEAM_FGA / expected
        rosters[abbr] = players
    return rosters


def _names(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    """Unique made-up (box score, book) name pairs; some differ only by accents, suffixes or initials."""
    special = ["accent"] * max(3, n // 14) + ["suffix"] * max(3, n // 20) + ["initials"] * max(3, n // 25)
    kinds = rng.permutation((special + ["plain"] * n)[:n])
    out, keys = [], set()
    for kind in kinds:
        for _ in range(200):
            box, book = _name(rng, str(kind))
            if normalise_name(box) not in keys:
                break
        else:
            raise ValueError(f"could not make {n} unique player names; lower roster_size or add names to sim.FIRST/LAST")
        keys.add(normalise_name(box))
        out.append((box, book))
    return out


def _name(rng: np.random.Generator, kind: str) -> tuple[str, str]:
    first, last, book_first, suffix, book_suffix = str(rng.choice(FIRST)), str(rng.choice(LAST)), None, "", ""
    if kind == "accent":
        last = str(rng.choice(ACCENTED_LAST))
        first = str(rng.choice(ACCENTED_FIRST)) if rng.random() < 0.3 else first
    elif kind == "suffix":
        suffix = " " + str(rng.choice(SUFFIXES))
        book_suffix = suffix.rstrip(".")
    elif kind == "initials":
        first = str(rng.choice(INITIALS))
        book_first = first.replace(".", "")
        if rng.random() < 0.4:  # the other way round: plain in the box score, dotted at the book
            first, book_first = book_first, first
    return f"{first} {last}{suffix}", _ascii(f"{book_first or first} {last}{book_suffix}")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def normalise_name(name: str) -> str:
    """The sim's own join key (accents, punctuation and suffixes dropped); tests use it as ground truth."""
    words = _ascii(name).lower().replace(".", "").replace("'", "").split()
    return " ".join(w for w in words if w not in {"jr", "sr", "ii", "iii", "iv"})


# --- schedule and availability ------------------------------------------------------------------


def _schedule(teams: dict[str, Team], config: SimConfig) -> list[Game]:
    """5-8 games a day; rested teams are likelier to play, so most play every other day with some back-to-backs."""
    rng = _rng(config.seed, 2)
    abbrs = list(teams)
    last: dict[str, date] = {}
    balance = {a: 0 for a in abbrs}  # home games minus away games
    met: dict[frozenset, date] = {}
    slate: list[tuple[date, time, str, str]] = []
    for d in (config.start_date + timedelta(days=i) for i in range(config.days)):
        n_games = min(int(rng.integers(5, 9)), len(abbrs) // 2)
        rest = np.array([(d - last[a]).days if a in last else 3 for a in abbrs])
        weight = np.select([rest <= 1, rest == 2], [0.25, 1.0], 3.0)
        picked = [abbrs[i] for i in rng.choice(len(abbrs), 2 * n_games, replace=False, p=weight / weight.sum())]
        best = None
        for _ in range(20):  # avoid rematches within ten days where possible
            order = [picked[i] for i in rng.permutation(len(picked))]
            pairs = list(zip(order[::2], order[1::2]))
            clash = sum((d - met.get(frozenset(p), date.min)).days <= 10 for p in pairs)
            if best is None or clash < best[0]:
                best = (clash, pairs)
        for a, b in best[1]:
            home, away = (a, b) if (balance[a], rng.random()) < (balance[b], 0.5) else (b, a)
            balance[home] += 1
            balance[away] -= 1
            last[home] = last[away] = d
            met[frozenset((a, b))] = d
            tips = LATE_TIPS if home in LATE_HOME else EARLY_TIPS
            tip = tips[int(rng.integers(len(tips)))]
            slate.append((d, tip, home, away))
    games = []
    yy = config.season_start_year % 100
    for n, (d, tip, home, away) in enumerate(sorted(slate), start=1):
        game_id = f"002{yy:02d}{n:05d}"
        tipoff = datetime.combine(d, tip, tzinfo=EASTERN).astimezone(timezone.utc)
        event_id = hashlib.md5(f"nbaprops-sim:{config.seed}:{game_id}".encode()).hexdigest()
        games.append(Game(n, game_id, d, home, away, tipoff, event_id))
    return games


def _availability(games: list[Game], rosters: dict[str, list[Player]], config: SimConfig) -> dict[str, dict[int, str]]:
    """Who sits out each game: 'surprise' (news on the day) or 'known' (a continuing absence)."""
    rng = _rng(config.seed, 3)
    start_rate = config.dnp_rate / np.mean(ABSENCE_LENGTHS)
    remaining: dict[int, int] = {}
    last: dict[str, date] = {}
    plan = {}
    for g in games:
        out: dict[int, str] = {}
        for abbr in (g.away, g.home):
            b2b = last.get(abbr) == g.game_date - timedelta(days=1)
            for p in rosters[abbr]:
                u, length = rng.random(), int(rng.choice(ABSENCE_LENGTHS))
                if remaining.get(p.player_id, 0) > 0:
                    out[p.player_id] = "known"
                    remaining[p.player_id] -= 1
                elif u < start_rate:
                    out[p.player_id], remaining[p.player_id] = "surprise", length - 1
                elif b2b and p.rank < 3 and u < start_rate + config.dnp_rate:  # stars rest on back-to-backs
                    out[p.player_id] = "surprise"
            benched = [p for p in rosters[abbr] if p.player_id in out]
            for p in benched[: max(0, MIN_ACTIVE - (len(rosters[abbr]) - len(benched)))]:
                del out[p.player_id]  # a team always dresses at least eight
            last[abbr] = g.game_date
        plan[g.game_id] = out
    return plan


def _share(weights: np.ndarray, total: float = 240.0, cap: float = MINUTES_CAP) -> np.ndarray:
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


def _side(g: Game, home: bool, teams, rosters, out, played_on, available) -> Side:
    abbr, opp = (g.home, g.away) if home else (g.away, g.home)
    b2b = (abbr, g.game_date - timedelta(days=1)) in played_on
    players = [p for p in rosters[abbr] if available(p)]
    weights = np.array([p.minutes * (B2B_STARTER_MIN if b2b and p.rank < 5 else 1.0) for p in players])
    eff = teams[abbr].offence * teams[opp].defence * (HOME_EFF if home else 1.0) * (B2B_EFF if b2b else 1.0)
    return Side(teams[abbr], teams[opp], home, b2b, players, _share(weights), (teams[abbr].pace + teams[opp].pace) / 2, eff)


# --- playing a game -----------------------------------------------------------------------------


def _play(g: Game, sides: list[Side], config: SimConfig):
    """Box scores for both sides (away first): per-player stat dicts, team totals and quarter points."""
    rng = _rng(config.seed, 4, g.number)
    pace = rng.lognormal(0, 0.03)
    players, totals = [], []
    for s in sides:
        r = np.array([p.rates for p in s.players])
        mins = _whole_minutes(_share(s.minutes * rng.lognormal(0, 0.15, len(s.players))))
        fga = rng.poisson(mins * r[:, 0] * s.pace * pace)
        fg3a = rng.binomial(fga, r[:, 1])
        fg3m = rng.binomial(fg3a, np.minimum(r[:, 3] * s.eff, 0.95))
        fg2m = rng.binomial(fga - fg3a, np.minimum(r[:, 2] * s.eff, 0.95))
        fta = rng.poisson(mins * r[:, 0] * s.pace * pace * r[:, 4])
        ftm = rng.binomial(fta, r[:, 5])
        reb = rng.poisson(mins * r[:, 6])
        oreb = rng.binomial(reb, r[:, 7])
        lines = []
        for i, p in enumerate(s.players):
            if mins[i] == 0:
                continue  # did not get off the bench: no LeagueGameLog row
            line = {"MIN": int(mins[i]), "FGM": int(fg2m[i] + fg3m[i]), "FGA": int(fga[i]), "FG3M": int(fg3m[i]),
                    "FG3A": int(fg3a[i]), "FTM": int(ftm[i]), "FTA": int(fta[i]), "OREB": int(oreb[i]),
                    "DREB": int(reb[i] - oreb[i]), "REB": int(reb[i]),
                    "AST": int(rng.poisson(mins[i] * r[i, 8] * s.eff)), "STL": int(rng.poisson(mins[i] * r[i, 9])),
                    "BLK": int(rng.poisson(mins[i] * r[i, 10])), "TOV": int(rng.poisson(mins[i] * r[i, 11] * math.sqrt(r[i, 0] / 0.37))),
                    "PF": int(min(6, rng.poisson(mins[i] * r[i, 12])))}  # fmt: skip
            line["PTS"] = 2 * line["FGM"] + line["FG3M"] + line["FTM"]
            lines.append((p, line))
        players.append(lines)
        totals.append({k: sum(line[k] for _, line in lines) for k in ["MIN", *STATS]})
    if totals[0]["PTS"] == totals[1]["PTS"]:  # no overtime here: a late free throw settles it
        k = int(rng.integers(2))
        line = max(players[k], key=lambda pl: pl[1]["MIN"])[1]
        for stat in ("FTA", "FTM", "PTS"):
            line[stat] += 1
            totals[k][stat] += 1
    for k, s in enumerate(sides):
        margin = totals[k]["PTS"] - totals[1 - k]["PTS"]
        pm = _plus_minus(np.array([line["MIN"] for _, line in players[k]]), margin, rng)
        for (_, line), value in zip(players[k], pm):
            line["PLUS_MINUS"] = int(value)
    quarters = [rng.multinomial(t["PTS"], [0.25] * 4).tolist() for t in totals]
    return players, totals, quarters


def _whole_minutes(minutes: np.ndarray) -> np.ndarray:
    """Round to whole minutes that still sum to 240 (largest remainders get the spare minutes)."""
    floors = np.floor(minutes).astype(int)
    spare = int(round(minutes.sum())) - floors.sum()
    floors[np.argsort(-(minutes - floors), kind="stable")[:spare]] += 1
    return floors


def _plus_minus(mins: np.ndarray, margin: int, rng: np.random.Generator) -> np.ndarray:
    """On-court differentials: the margin pro rata by minutes plus noise, summing to five times the margin."""
    pm = np.rint(margin * mins / 48 + rng.normal(0, 4, len(mins)) * np.sqrt(mins / 36)).astype(int)
    order = np.argsort(-mins, kind="stable")
    diff, i = 5 * margin - int(pm.sum()), 0
    while diff:
        step = 1 if diff > 0 else -1
        pm[order[i % len(order)]] += step
        diff, i = diff - step, i + 1
    return pm


# --- the market ---------------------------------------------------------------------------------


def _props(g: Game, sides: list[Side], news_free: list[Side], out: dict[int, str], teams, config: SimConfig) -> list[list[list]]:
    """Morning and afternoon prop rows for one game. The morning is priced before the day's injury
    news; by the afternoon books have pulled most surprise DNPs and moved toward the truth."""
    rng = _rng(config.seed, 5, g.number)
    books = [b for b in BOOKS if b in rng.choice(BOOKS, int(rng.integers(3, 5)), replace=False)]
    game = f"{teams[g.away].odds_name} @ {teams[g.home].odds_name}"
    game_time = g.tipoff_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    snapshots: list[list[list]] = [[], []]
    for side, early in zip(sides, news_free):
        morning, afternoon = early.means(), side.means()
        ranked = sorted(zip(early.players, early.minutes), key=lambda pm: (-pm[1], pm[0].rank))
        listed = [p for p, m in ranked[:LISTED_PER_TEAM] if m >= LISTED_MIN_MINUTES]
        for p in listed:
            stays = rng.random(2)  # surprise DNPs: morning line stays 1 in 2, afternoon 1 in 7
            shown = [True, True] if p.player_id not in out else [stays[0] < 0.5, stays[0] < 0.5 and stays[1] < 0.3]
            truth = [morning[p.player_id], afternoon.get(p.player_id, morning[p.player_id])]
            for market in MARKETS:
                z, drift = rng.normal(), rng.normal()
                per_book = rng.normal(0, 0.03, len(BOOKS))
                offered = rng.random(len(BOOKS)) < 0.93
                vig = rng.uniform(1.035, 1.055, len(BOOKS))
                if truth[0][market] < MARKET_MIN_MEAN[market]:
                    continue
                views = [truth[0][market] * (1 + config.market_noise * z)]
                views.append(views[0] + 0.35 * (truth[1][market] - views[0]) + truth[1][market] * 0.02 * drift)
                for k in (0, 1):
                    if not shown[k]:
                        continue
                    for b, book in enumerate(BOOKS):
                        if book in books and offered[b]:
                            estimate = max(0.0, views[k] * (1 + per_book[b]))
                            snapshots[k].append(_prop_row(g, k, p.book_name, market, book, estimate, vig[b], game, game_time))
    return snapshots


def _prop_row(g: Game, k: int, player: str, market: str, book: str, estimate: float, vig: float, game: str, game_time: str) -> list:
    line = math.floor(estimate) + 0.5
    p_over = min(0.8, max(0.2, _phi((estimate - line) / (1.0 + 0.3 * estimate))))
    stamp = datetime.combine(g.game_date, SNAPSHOTS[k])
    return [f"raw_{stamp:%Y%m%d_%H%M%S}.csv", stamp.strftime("%Y-%m-%dT%H:%M:%S"), g.event_id, player, market,
            str(line), book, game, game_time, _american(p_over * vig), _american((1 - p_over) * vig)]  # fmt: skip


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _american(implied: float) -> str:
    """Implied probability (vig included) as American odds, stored the way the feed does: '-115.0'."""
    odds = -100 * implied / (1 - implied) if implied >= 0.5 else 100 * (1 - implied) / implied
    return f"{float(round(odds)):.1f}"


# --- rows ---------------------------------------------------------------------------------------


def _pct(made: int, attempted: int) -> str:
    return str(round(made / attempted, 3)) if attempted else ""


def _box_cells(s: dict[str, int]) -> list:
    return [s["MIN"], s["PTS"], s["FGM"], s["FGA"], _pct(s["FGM"], s["FGA"]), s["FG3M"], s["FG3A"], _pct(s["FG3M"], s["FG3A"]),
            s["FTM"], s["FTA"], _pct(s["FTM"], s["FTA"]), s["OREB"], s["DREB"], s["REB"], s["AST"], s["STL"], s["BLK"],
            s["TOV"], s["PF"]]  # fmt: skip


def _matchup(g: Game, home: bool) -> str:
    return f"{g.home} vs. {g.away}" if home else f"{g.away} @ {g.home}"


def _player_rows(g, sides, players, totals, config, season) -> list[list]:
    rows = []
    for k, s in enumerate(sides):
        wl = "W" if totals[k]["PTS"] > totals[1 - k]["PTS"] else "L"
        for p, line in sorted(players[k], key=lambda pl: (-pl[1]["MIN"], pl[0].rank)):
            rows.append([f"2{config.season_start_year}", p.player_id, p.name, s.team.team_id, s.team.abbr, s.team.name, g.game_id,
                         g.game_date.isoformat(), _matchup(g, s.home), wl, *_box_cells(line), line["PLUS_MINUS"], season])  # fmt: skip
    return rows


def _team_rows(g, sides, totals, config, season) -> list[list]:
    rows = []
    for k, s in enumerate(sides):
        margin = totals[k]["PTS"] - totals[1 - k]["PTS"]
        rows.append([f"2{config.season_start_year}", s.team.team_id, s.team.abbr, s.team.name, g.game_id, g.game_date.isoformat(),
                     _matchup(g, s.home), "W" if margin > 0 else "L", *_box_cells(totals[k]), f"{float(margin)}", season])  # fmt: skip
    return rows


def _schedule_row(g: Game, teams: dict[str, Team], box, season: str) -> list:
    home_pts, away_pts = (box[1][1]["PTS"], box[1][0]["PTS"]) if box else ("", "")
    return [g.game_id, g.game_date.isoformat(), "Regular Season", teams[g.home].team_id, g.home, teams[g.away].team_id, g.away,
            home_pts, away_pts, 3 if box else 1, season]  # fmt: skip


def _game_line_row(g: Game, sides: list[Side], totals, quarters, config: SimConfig) -> list:
    """Closing spread/total/moneyline priced from expected team points, and how they graded."""
    rng = _rng(config.seed, 6, g.number)
    away_mu, home_mu = (sum(m["player_points"] for m in s.means().values()) for s in sides)
    margin = home_mu - away_mu + rng.normal(0, 1.5)  # home view
    total = math.floor(home_mu + away_mu + rng.normal(0, 3)) + 0.5
    spread = math.floor(abs(margin)) + 0.5
    p_home = _phi(margin / 12)
    away_pts, home_pts = totals[0]["PTS"], totals[1]["PTS"]
    fav_margin = (home_pts - away_pts) * (1 if margin > 0 else -1)
    return [config.season_start_year + 1, g.game_date.isoformat(), "True", "False", sides[0].team.espn, sides[1].team.espn,
            away_pts, home_pts, *quarters[0], 0, *quarters[1], 0, "home" if margin > 0 else "away", str(spread),
            str(total), _american((1 - p_home) * 1.025)[:-2], _american(p_home * 1.025)[:-2], "", "",
            int(fav_margin > spread), int(home_pts + away_pts > total)]  # fmt: skip
