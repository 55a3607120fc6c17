"""The simulated season in the live sources' response formats (what ``nbaprops sim serve`` returns).

Shapes follow the real responses field for field where the scrapers read them: the NBA CDN
``scheduleLeagueV2`` and live box score, stats.nba.com ``leaguegamelog`` (``resultSets``) and box score
v3, and The Odds API v4 events, event odds and sport odds (``bookmakers[].markets[].outcomes[]``).
Values come from the same ``Season`` that ``simulate`` writes to files, via the same row builders, so a
scraped game and an imported game are the same game.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime

from nbacore.dates import EASTERN, eastern_to_utc
from simulator import files
from simulator.calendar import Game
from simulator.injury import report_entries
from simulator.injury_pdf import render_report
from simulator.league import POSITIONS, Player, Team
from simulator.market import SNAPSHOTS
from simulator.season import Season

TWO_WORD_NICKNAMES = ("Trail Blazers",)
BOOK_TITLES = {"draftkings": "DraftKings", "fanduel": "FanDuel", "betmgm": "BetMGM", "williamhill_us": "Caesars"}
LEAGUEGAMELOG_PLAYER = [
    "SEASON_ID",
    "PLAYER_ID",
    "PLAYER_NAME",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "TEAM_NAME",
    "GAME_ID",
    "GAME_DATE",
    "MATCHUP",
    "WL",
    "MIN",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "STL",
    "BLK",
    "TOV",
    "PF",
    "PTS",
    "PLUS_MINUS",
    "FANTASY_PTS",
    "VIDEO_AVAILABLE",
]
LEAGUEGAMELOG_TEAM = [
    "SEASON_ID",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "TEAM_NAME",
    "GAME_ID",
    "GAME_DATE",
    "MATCHUP",
    "WL",
    "MIN",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "STL",
    "BLK",
    "TOV",
    "PF",
    "PTS",
    "PLUS_MINUS",
    "VIDEO_AVAILABLE",
]
PERCENTAGES = {"FG_PCT", "FG3_PCT", "FT_PCT"}
TEXT_COLUMNS = {"SEASON_ID", "PLAYER_NAME", "TEAM_ABBREVIATION", "TEAM_NAME", "GAME_ID", "GAME_DATE", "MATCHUP", "WL"}


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def city_and_nickname(team: Team) -> tuple[str, str]:
    for nickname in TWO_WORD_NICKNAMES:
        if team.name.endswith(" " + nickname):
            return team.name[: -len(nickname) - 1], nickname
    city, _, nickname = team.name.rpartition(" ")
    return city, nickname


def _team_head(team: Team) -> dict:
    city, nickname = city_and_nickname(team)
    return {
        "teamId": team.team_id,
        "teamName": nickname,
        "teamCity": city,
        "teamTricode": team.abbr,
        "teamSlug": nickname.lower().replace(" ", ""),
    }


# ---- cdn.nba.com --------------------------------------------------------------------------------------


def schedule_payload(season: Season) -> dict:
    by_day: dict[date, list[Game]] = defaultdict(list)
    for g in season.games:
        by_day[g.game_date].append(g)
    game_dates = []
    for day in sorted(by_day):
        entries = []
        for n, g in enumerate(by_day[day], start=1):
            box = season.boxes.get(g.game_id)
            tip_et = g.tipoff_utc.astimezone(EASTERN)
            entries.append(
                {
                    "gameId": g.game_id,
                    "gameCode": f"{day:%Y%m%d}/{g.away}{g.home}",
                    "gameStatus": files.FINAL if box else files.SCHEDULED,
                    "gameStatusText": "Final" if box else tip_et.strftime("%I:%M %p ET").lstrip("0").lower(),
                    "gameSequence": n,
                    "gameDateEst": f"{day}T00:00:00Z",
                    "gameTimeEst": f"1900-01-01T{tip_et:%H:%M:%S}Z",
                    "gameDateTimeEst": f"{tip_et:%Y-%m-%dT%H:%M:%S}Z",
                    "gameDateUTC": f"{day}T04:00:00Z",
                    "gameTimeUTC": f"1900-01-01T{g.tipoff_utc:%H:%M:%S}Z",
                    "gameDateTimeUTC": iso_z(g.tipoff_utc),
                    "weekNumber": 0,
                    "ifNecessary": False,
                    "seriesText": "",
                    "gameSubtype": "",
                    "homeTeam": {
                        **_team_head(season.teams[g.home]),
                        "wins": 0,
                        "losses": 0,
                        "score": box.totals[1]["PTS"] if box else 0,
                        "seed": 0,
                    },
                    "awayTeam": {
                        **_team_head(season.teams[g.away]),
                        "wins": 0,
                        "losses": 0,
                        "score": box.totals[0]["PTS"] if box else 0,
                        "seed": 0,
                    },
                }
            )
        game_dates.append({"gameDate": f"{day:%m/%d/%Y} 00:00:00", "games": entries})
    return {
        "meta": {"version": 1, "request": "http://nba.cloud/league/00/schedule", "time": "simulated"},
        "leagueSchedule": {"seasonYear": season.config.season_label, "leagueId": "00", "gameDates": game_dates},
    }


def _roster_lines(season: Season, g: Game, k: int) -> tuple[list[tuple[Player, dict | None, str]], set[int]]:
    """Every roster player of side ``k`` with his stat line (None if he did not play) and availability:
    'played', 'dnp' (dressed, never checked in) or 'inactive' (sat out); starters first."""
    side = season.sides[g.game_id][k]
    box = season.boxes[g.game_id]
    lines = {p.player_id: line for p, line in box.lines[k]}
    dressed = {p.player_id for p in side.players}
    players = season.rosters[side.team.abbr]
    played = sorted((p for p in players if p.player_id in lines), key=lambda p: p.rank)
    starters = {p.player_id for p in played[:5]}
    order = sorted(
        players,
        key=lambda p: (p.player_id not in starters, p.player_id not in lines, p.player_id not in dressed, p.rank),
    )
    kind = {
        p.player_id: "played" if p.player_id in lines else "dnp" if p.player_id in dressed else "inactive"
        for p in players
    }
    return [(p, lines.get(p.player_id), kind[p.player_id]) for p in order], starters


def _statistics(line: dict | None, minutes: str) -> dict:
    s = line or {
        k: 0
        for k in (
            "FGM",
            "FGA",
            "FG3M",
            "FG3A",
            "FTM",
            "FTA",
            "OREB",
            "DREB",
            "REB",
            "AST",
            "STL",
            "BLK",
            "TOV",
            "PF",
            "PTS",
            "PLUS_MINUS",
        )
    }

    def pct(made: str, tried: str) -> float:
        return round(s[made] / s[tried], 3) if s[tried] else 0.0

    return {
        "assists": s["AST"],
        "blocks": s["BLK"],
        "fieldGoalsAttempted": s["FGA"],
        "fieldGoalsMade": s["FGM"],
        "fieldGoalsPercentage": pct("FGM", "FGA"),
        "foulsPersonal": s["PF"],
        "freeThrowsAttempted": s["FTA"],
        "freeThrowsMade": s["FTM"],
        "freeThrowsPercentage": pct("FTM", "FTA"),
        "minutes": minutes,
        "plusMinusPoints": float(s.get("PLUS_MINUS", 0)),
        "points": s["PTS"],
        "reboundsDefensive": s["DREB"],
        "reboundsOffensive": s["OREB"],
        "reboundsTotal": s["REB"],
        "steals": s["STL"],
        "threePointersAttempted": s["FG3A"],
        "threePointersMade": s["FG3M"],
        "threePointersPercentage": pct("FG3M", "FG3A"),
        "turnovers": s["TOV"],
        "twoPointersAttempted": s["FGA"] - s["FG3A"],
        "twoPointersMade": s["FGM"] - s["FG3M"],
    }


def _names(p: Player) -> tuple[str, str]:
    first, _, family = p.name.partition(" ")
    return first, family


def boxscore_payload(season: Season, game_id: str) -> dict | None:
    """The CDN live box score; None for an unknown game id. Unplayed games are gameStatus 1 with no players."""
    g = next((g for g in season.games if g.game_id == game_id), None)
    if g is None:
        return None
    box = season.boxes.get(game_id)
    game = {
        "gameId": g.game_id,
        "gameTimeLocal": g.tipoff_utc.astimezone(EASTERN).isoformat(),
        "gameTimeUTC": iso_z(g.tipoff_utc),
        "gameEt": g.tipoff_utc.astimezone(EASTERN).isoformat(),
        "gameCode": f"{g.game_date:%Y%m%d}/{g.away}{g.home}",
        "gameStatusText": "Final" if box else "Scheduled",
        "gameStatus": files.FINAL if box else files.SCHEDULED,
        "regulationPeriods": 4,
        "period": 4 if box else 0,
        "gameClock": "PT00M00.00S",
        "attendance": 18000,
        "sellout": "0",
        "officials": [],
    }
    for k, key in ((0, "awayTeam"), (1, "homeTeam")):
        team = season.teams[g.away if k == 0 else g.home]
        entry = {**_team_head(team), "score": box.totals[k]["PTS"] if box else 0, "players": [], "statistics": {}}
        if box:
            entry["periods"] = [
                {"period": q + 1, "periodType": "REGULAR", "score": pts} for q, pts in enumerate(box.quarters[k])
            ]
            roster, starters = _roster_lines(season, g, k)
            for order, (p, line, kind) in enumerate(roster, start=1):
                first, family = _names(p)
                minutes = f"PT{line['MIN']:02d}M00.00S" if line else "PT00M00.00S"
                entry["players"].append(
                    {
                        "status": "INACTIVE" if kind == "inactive" else "ACTIVE",
                        "order": order,
                        "personId": p.player_id,
                        "jerseyNum": "",
                        "position": POSITIONS[p.rank % len(POSITIONS)] if p.player_id in starters else "",
                        "starter": "1" if p.player_id in starters else "0",
                        "oncourt": "0",
                        "played": "1" if kind == "played" else "0",
                        **(
                            {"notPlayingReason": "INACTIVE_INJURY" if kind == "inactive" else "DNP_COACH_DECISION"}
                            if kind != "played"
                            else {}
                        ),
                        "statistics": _statistics(line, minutes),
                        "name": p.name,
                        "nameI": f"{first[:1]}. {family}",
                        "firstName": first,
                        "familyName": family,
                    }
                )
            margin = box.totals[k]["PTS"] - box.totals[1 - k]["PTS"]
            entry["statistics"] = {**_statistics({**box.totals[k], "PLUS_MINUS": margin}, "PT240M00.00S")}
        game[key] = entry
    return {
        "meta": {
            "version": 1,
            "code": 200,
            "request": f"http://nba.cloud/games/{game_id}/boxscore",
            "time": "simulated",
        },
        "game": game,
    }


# ---- stats.nba.com ------------------------------------------------------------------------------------


def _typed(header: list[str], row: list) -> list:
    """A sim file row (CSV text) as stats.nba.com's JSON values: numbers as numbers, empty as null."""
    out = []
    for column, value in zip(header, row):
        if column in TEXT_COLUMNS:
            out.append(str(value))
        elif value == "" or value is None:
            out.append(None)
        elif column in PERCENTAGES:
            out.append(float(value))
        else:
            out.append(int(float(value)))
    return out


def leaguegamelog_payload(season: Season, params: dict[str, str]) -> dict:
    """Rows of played games between DateFrom and DateTo (MM/DD/YYYY) for the season asked, P or T."""
    kind = params.get("PlayerOrTeam", "T").upper()
    parse = lambda v: datetime.strptime(v, "%m/%d/%Y").date() if v else None  # noqa: E731
    first, last = parse(params.get("DateFrom")), parse(params.get("DateTo"))
    label = season.config.season_label
    wanted = params.get("Season") == label and params.get("SeasonType", "Regular Season") == "Regular Season"
    header = LEAGUEGAMELOG_PLAYER if kind == "P" else LEAGUEGAMELOG_TEAM
    source = files.PLAYER_LOG_COLUMNS if kind == "P" else files.TEAM_LOG_COLUMNS
    rows = []
    for g in season.games if wanted else []:
        box = season.boxes.get(g.game_id)
        if box is None or (first and g.game_date < first) or (last and g.game_date > last):
            continue
        sides = season.sides[g.game_id]
        built = (files.player_rows if kind == "P" else files.team_rows)(g, sides, box, season.season_id, label)
        for row in built:
            named = dict(zip(source, row))
            pts = int(named["PTS"])
            named["FANTASY_PTS"] = round(pts + 1.2 * int(named["REB"]) + 1.5 * int(named["AST"]), 1)
            named["VIDEO_AVAILABLE"] = 1
            rows.append(_typed(header, [named[c] for c in header]))
    parameters = {
        "LeagueID": "00",
        "Season": params.get("Season"),
        "SeasonType": params.get("SeasonType"),
        "PlayerOrTeam": kind,
        "DateFrom": params.get("DateFrom"),
        "DateTo": params.get("DateTo"),
    }
    return {
        "resource": "leaguegamelog",
        "parameters": parameters,
        "resultSets": [{"name": "LeagueGameLog", "headers": header, "rowSet": rows}],
    }


def boxscore_v3_payload(season: Season, game_id: str) -> dict | None:
    """stats.nba.com box score v3; None for an unknown game id; players empty before the game is played."""
    g = next((g for g in season.games if g.game_id == game_id), None)
    if g is None:
        return None
    box = season.boxes.get(game_id)
    out = {"gameId": game_id, "awayTeamId": season.teams[g.away].team_id, "homeTeamId": season.teams[g.home].team_id}
    for k, key in ((0, "awayTeam"), (1, "homeTeam")):
        team = season.teams[g.away if k == 0 else g.home]
        entry = {**_team_head(team), "players": [], "statistics": {}}
        if box:
            roster, starters = _roster_lines(season, g, k)
            for p, line, kind in roster:
                first, family = _names(p)
                comment = (
                    ""
                    if kind == "played"
                    else "DNP - Injury/Illness"
                    if kind == "inactive"
                    else "DNP - Coach's Decision"
                )
                stats = _statistics(line, f"{line['MIN']}:00" if line else "")
                entry["players"].append(
                    {
                        "personId": p.player_id,
                        "firstName": first,
                        "familyName": family,
                        "nameI": f"{first[:1]}. {family}",
                        "playerSlug": p.name.lower().replace(" ", "-"),
                        "comment": comment,
                        "jerseyNum": "",
                        "position": POSITIONS[p.rank % len(POSITIONS)] if p.player_id in starters else "",
                        "statistics": stats,
                    }
                )
            entry["statistics"] = _statistics({**box.totals[k], "PLUS_MINUS": 0}, "240:00")
        out[key] = entry
    return {
        "meta": {"version": 1, "request": f"http://nba.cloud/games/{game_id}/boxscoretraditional", "time": "simulated"},
        "boxScoreTraditional": out,
    }


# ---- The Odds API -------------------------------------------------------------------------------------


def _event_head(season: Season, g: Game) -> dict:
    return {
        "id": g.event_id,
        "sport_key": "basketball_nba",
        "sport_title": "NBA",
        "commence_time": iso_z(g.tipoff_utc),
        "home_team": season.teams[g.home].odds_name,
        "away_team": season.teams[g.away].odds_name,
    }


def _in_window(g: Game, params: dict[str, str]) -> bool:
    tip = iso_z(g.tipoff_utc)
    return params.get("commenceTimeFrom", "") <= tip <= params.get("commenceTimeTo", "9999")


def events_payload(season: Season, params: dict[str, str]) -> list[dict]:
    return [_event_head(season, g) for g in season.games if _in_window(g, params)]


def snapshot_time(game_date: date, index: int) -> str:
    """When the sim's snapshot ``index`` (0 morning, 1 afternoon) was taken, as an Odds API UTC time."""
    local = datetime.combine(game_date, SNAPSHOTS[index])
    return f"{eastern_to_utc(local):%Y-%m-%dT%H:%M:%SZ}"


def event_odds_payload(season: Season, event_id: str, markets: set[str], index: int) -> dict | None:
    """One event's player props from the sim's snapshot ``index``; None for an unknown event id."""
    g = next((g for g in season.games if g.event_id == event_id), None)
    if g is None:
        return None
    stamp = snapshot_time(g.game_date, index)
    books: dict[str, dict[str, list[dict]]] = {}
    for row in season.props[g.game_id][index]:
        _, _, _, player, market, line, book, _, _, over, under = row
        if markets and market not in markets:
            continue
        outcomes = books.setdefault(book, {}).setdefault(market, [])
        outcomes.append({"name": "Over", "description": player, "price": int(float(over)), "point": float(line)})
        outcomes.append({"name": "Under", "description": player, "price": int(float(under)), "point": float(line)})
    bookmakers = [
        {
            "key": book,
            "title": BOOK_TITLES.get(book, book),
            "last_update": stamp,
            "markets": [{"key": m, "last_update": stamp, "outcomes": o} for m, o in by_market.items()],
        }
        for book, by_market in books.items()
    ]
    return {**_event_head(season, g), "bookmakers": bookmakers}


def game_odds_payload(season: Season, params: dict[str, str], markets: set[str], index: int) -> list[dict]:
    """h2h / spreads / totals for the events in the window, from the sim's closing lines (every book alike)."""
    out = []
    for g in season.games:
        if not _in_window(g, params):
            continue
        line, home, away = (
            season.closing_lines[g.game_id],
            season.teams[g.home].odds_name,
            season.teams[g.away].odds_name,
        )
        home_point = -line.spread if line.home_favoured else line.spread
        all_markets = {
            "h2h": [{"name": home, "price": line.moneyline_home}, {"name": away, "price": line.moneyline_away}],
            "spreads": [
                {"name": home, "price": -110, "point": home_point},
                {"name": away, "price": -110, "point": -home_point},
            ],
            "totals": [
                {"name": "Over", "price": -110, "point": line.total},
                {"name": "Under", "price": -110, "point": line.total},
            ],
        }
        stamp = snapshot_time(g.game_date, index)
        chosen = [
            {"key": k, "last_update": stamp, "outcomes": o}
            for k, o in all_markets.items()
            if not markets or k in markets
        ]
        books = sorted({row[6] for row in season.props[g.game_id][index]}) or ["draftkings"]
        bookmakers = [
            {"key": b, "title": BOOK_TITLES.get(b, b), "last_update": stamp, "markets": chosen} for b in books
        ]
        out.append({**_event_head(season, g), "bookmakers": bookmakers})
    return out


INJURY_NAME = re.compile(r"^Injury-Report_(\d{4}-\d{2}-\d{2})_(\d{2})(?:_(\d{2}))?([AP]M)\.pdf$")


def injury_report_pdf(season: Season, file_name: str) -> bytes | None:
    """The injury report PDF published under ``file_name`` (either era's naming), or None if none was."""
    m = INJURY_NAME.match(file_name)
    if not m:
        return None
    report_at = datetime.strptime(f"{m[1]} {m[2]}:{m[3] or '00'} {m[4]}", "%Y-%m-%d %I:%M %p")
    entries = report_entries(season, report_at)
    return None if entries is None else render_report(report_at, entries)
