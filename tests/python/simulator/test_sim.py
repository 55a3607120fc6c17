"""The simulator writes files that look and join like the real ones, the same way every time."""

from __future__ import annotations

import csv
import gzip
import re
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from simulator import SimConfig, SimOutput, simulate
from simulator.league import TEAMS_SEED

EASTERN = ZoneInfo("America/New_York")
START = date(2025, 10, 21)
SMALL = SimConfig(seed=11, start_date=START, days=12, as_of=START + timedelta(days=9))
FILES = ["player_game_logs", "team_game_logs", "schedule", "props", "game_lines"]

# The real file each simulated file imitates (under ../shared/data): its header is the one to match.
REAL_FILES = {
    "player_game_logs": "nba-player-game-logs/player_logs_*.csv.gz",
    "team_game_logs": "nba-team-game-logs/nba_games_*.csv.gz",
    "schedule": "nba-game-logs-2017-2026-with-playoffs/schedule_*.csv.gz",
    "props": "odds-api-player-props-2025-26/player_props_snapshots_*.csv.gz",
    "game_lines": "nba-game-lines-2007-2025/nba_*.csv.gz",
}
COUNTS = ["PTS", "FGM", "FGA", "FG3M", "FG3A", "FTM", "FTA", "OREB", "DREB", "REB", "AST", "STL", "BLK", "TOV", "PF"]


def _read(out: Path, name: str) -> list[dict[str, str]]:
    with (out / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _key(name: str) -> str:
    """An independent name normaliser: what any join from book names to box-score names must do."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[.']", "", ascii_name).split()
    return " ".join(w for w in words if w not in {"jr", "sr", "ii", "iii", "iv"})


@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> tuple[Path, SimOutput]:
    out = tmp_path_factory.mktemp("sim")
    return out, simulate(SMALL, out)


@pytest.fixture(scope="module")
def tables(sim) -> dict[str, list[dict[str, str]]]:
    out, _ = sim
    return {name: _read(out, name) for name in FILES}


def test_files_have_unix_line_endings_and_the_counted_rows(sim):
    out, result = sim
    for name in FILES:
        data = (out / f"{name}.csv").read_bytes()
        assert b"\r" not in data
        assert result.row_counts[name] == data.count(b"\n") - 1
        assert getattr(result, name) == out / f"{name}.csv"


def _first_line(path: Path) -> bytes:
    with gzip.open(path, "rb") as f:
        return f.readline()


@pytest.mark.shared_data
def test_headers_and_line_endings_match_the_real_files(sim, shared_data):
    """Each simulated file's header is, byte for byte, the header of every real file of its kind (read from
    ../shared/data, not copied into this test), and it ends lines as they do."""
    out, _ = sim
    for name in FILES:
        real = sorted(shared_data.glob(REAL_FILES[name]))
        assert real, f"no real file matches {REAL_FILES[name]} under {shared_data}"
        headers = {_first_line(path) for path in real}
        assert len(headers) == 1, (name, headers)  # every season's file has the same header
        (header,) = headers
        assert header.endswith(b"\n") and not header.endswith(b"\r\n"), (name, header[-2:])
        ours = (out / f"{name}.csv").read_bytes().split(b"\n", 1)[0] + b"\n"
        assert ours == header, f"{name}: simulated header differs from {real[0].name}:\n{ours!r}\n{header!r}"


def test_same_config_same_bytes_and_another_seed_differs(sim, tmp_path):
    out, _ = sim
    simulate(SMALL, tmp_path / "again")
    simulate(replace(SMALL, seed=12), tmp_path / "other")
    for name in FILES:
        first = (out / f"{name}.csv").read_bytes()
        assert first == (tmp_path / "again" / f"{name}.csv").read_bytes(), name
        assert first != (tmp_path / "other" / f"{name}.csv").read_bytes(), name


def test_a_longer_run_extends_a_shorter_one(tables, tmp_path):
    simulate(SimConfig(seed=SMALL.seed, start_date=START, days=6), tmp_path)
    short = _read(tmp_path, "player_game_logs")
    cutoff = (START + timedelta(days=5)).isoformat()
    assert short == [r for r in tables["player_game_logs"] if r["GAME_DATE"] < cutoff]


def _check_box(row: dict[str, str]) -> None:
    n = {k: int(row[k]) for k in ["MIN", *COUNTS]}
    assert n["FGM"] <= n["FGA"] and n["FG3M"] <= n["FG3A"] and n["FG3M"] <= n["FGM"] and n["FTM"] <= n["FTA"]
    assert n["PTS"] == 2 * n["FGM"] + n["FG3M"] + n["FTM"]
    assert n["REB"] == n["OREB"] + n["DREB"]
    assert min(n.values()) >= 0
    for made, tried, pct in (("FGM", "FGA", "FG_PCT"), ("FG3M", "FG3A", "FG3_PCT"), ("FTM", "FTA", "FT_PCT")):
        assert row[pct] == (str(round(n[made] / n[tried], 3)) if n[tried] else ""), (row, pct)


def test_every_box_score_row_is_internally_consistent(tables):
    for row in tables["player_game_logs"]:
        _check_box(row)
        assert 1 <= int(row["MIN"]) <= 48
        assert re.fullmatch(r"-?\d+", row["PLUS_MINUS"])
        assert row["SEASON_ID"] == "22025" and row["SEASON_LABEL"] == "2025-26"
        assert re.fullmatch(r"00225\d{5}", row["GAME_ID"]) and len(row["PLAYER_ID"]) == 7
    for row in tables["team_game_logs"]:
        _check_box(row)
        assert row["MIN"] == "240" and row["SEASON"] == "2025-26"


def test_team_totals_are_the_sum_of_their_players(tables):
    players = defaultdict(list)
    for row in tables["player_game_logs"]:
        players[row["GAME_ID"], row["TEAM_ID"]].append(row)
    assert len(players) == len(tables["team_game_logs"])
    for team in tables["team_game_logs"]:
        rows = players[team["GAME_ID"], team["TEAM_ID"]]
        for stat in ["MIN", *COUNTS]:
            assert sum(int(r[stat]) for r in rows) == int(team[stat]), (team["GAME_ID"], stat)
        assert {(r["MATCHUP"], r["WL"], r["TEAM_ABBREVIATION"], r["GAME_DATE"]) for r in rows} == {
            (team["MATCHUP"], team["WL"], team["TEAM_ABBREVIATION"], team["GAME_DATE"])
        }
        assert sum(int(r["PLUS_MINUS"]) for r in rows) == 5 * int(float(team["PLUS_MINUS"]))


def test_scores_results_and_matchups_agree(tables):
    schedule = {g["GAME_ID"]: g for g in tables["schedule"]}
    by_game = defaultdict(dict)
    for team in tables["team_game_logs"]:
        by_game[team["GAME_ID"]][" vs. " in team["MATCHUP"]] = team
    for game_id, sides in by_game.items():
        home, away, g = sides[True], sides[False], schedule[game_id]
        assert home["MATCHUP"] == f"{g['HOME_ABBR']} vs. {g['AWAY_ABBR']}"
        assert away["MATCHUP"] == f"{g['AWAY_ABBR']} @ {g['HOME_ABBR']}"
        margin = int(home["PTS"]) - int(away["PTS"])
        assert margin != 0
        assert (g["HOME_PTS"], g["AWAY_PTS"], g["STATUS"]) == (home["PTS"], away["PTS"], "3")
        assert home["WL"] == ("W" if margin > 0 else "L") and away["WL"] == ("L" if margin > 0 else "W")
        assert home["PLUS_MINUS"] == f"{float(margin)}" and away["PLUS_MINUS"] == f"{float(-margin)}"


def test_schedule_never_doubles_a_team_on_one_date_and_has_back_to_backs(tables):
    playing = defaultdict(list)
    for g in tables["schedule"]:
        playing[g["GAME_DATE"]] += [g["HOME_ABBR"], g["AWAY_ABBR"]]
        assert g["STAGE"] == "Regular Season"
    for day, teams in playing.items():
        assert len(teams) == len(set(teams)), day
        assert 5 <= len(teams) // 2 <= 8
    assert len(playing) == SMALL.days
    day_before = {d: playing.get((date.fromisoformat(d) - timedelta(days=1)).isoformat(), []) for d in playing}
    back_to_back = sum(t in day_before[d] for d, teams in playing.items() for t in teams)
    assert back_to_back > 0


def test_games_from_as_of_are_scheduled_not_played(sim, tables, tmp_path):
    _, result = sim
    as_of = SMALL.as_of.isoformat()
    assert all(r["GAME_DATE"] < as_of for r in tables["player_game_logs"] + tables["team_game_logs"])
    assert all(r["date"] < as_of for r in tables["game_lines"])
    later = [g for g in tables["schedule"] if g["GAME_DATE"] >= as_of]
    assert later and all((g["STATUS"], g["HOME_PTS"], g["AWAY_PTS"]) == ("1", "", "") for g in later)
    assert all(g["STATUS"] == "3" for g in tables["schedule"] if g["GAME_DATE"] < as_of)
    assert (result.games_scheduled, result.as_of) == (len(later), SMALL.as_of)
    default = SimConfig(days=3)
    assert simulate(default, tmp_path).as_of == START + timedelta(days=2), "default: the last day is tonight"


def test_props_tip_off_in_eastern_time_is_the_schedule_game_date(tables):
    scheduled = {(g["HOME_ABBR"], g["AWAY_ABBR"], g["GAME_DATE"]) for g in tables["schedule"]}
    with TEAMS_SEED.open(encoding="utf-8") as f:
        teams = {r["odds_api_team_name"]: r["team_abbreviation"] for r in csv.DictReader(f)}
    events = {}
    for row in tables["props"]:
        events.setdefault(row["event_id"], row)
    utc_next_day, found = 0, set()
    for event_id, row in events.items():
        assert re.fullmatch(r"[0-9a-f]{32}", event_id)
        tip = datetime.strptime(row["game_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        away, home = row["game"].split(" @ ")
        game_date = tip.astimezone(EASTERN).date().isoformat()
        assert (teams[home], teams[away], game_date) in scheduled, row
        found.add((teams[home], teams[away], game_date))
        snapshot = datetime.fromisoformat(row["snapshot_local_time"]).replace(tzinfo=EASTERN)
        assert snapshot < tip and row["snapshot_file"] == f"raw_{snapshot:%Y%m%d_%H%M%S}.csv"
        utc_next_day += tip.date().isoformat() != game_date
    assert utc_next_day > 0, "some tip-offs should fall on the next UTC day"
    assert found == scheduled and len(events) == len(scheduled), "every game, played or scheduled, has prop lines"


def test_props_values_look_like_the_feed(tables):
    rows = tables["props"]
    assert {r["market"] for r in rows} == {
        "player_points",
        "player_rebounds",
        "player_assists",
        "player_threes",
        "player_points_rebounds_assists",
    }
    assert {r["bookmaker"] for r in rows} <= {"draftkings", "fanduel", "betmgm", "williamhill_us"}
    assert {r["snapshot_local_time"][11:] for r in rows} == {"10:00:00", "17:00:00"}
    for r in rows[:2000]:
        assert r["line"].endswith(".5") and float(r["line"]) > 0
        assert re.fullmatch(r"-?\d+\.0", r["over_odds"]) and re.fullmatch(r"-?\d+\.0", r["under_odds"])
        assert abs(float(r["over_odds"])) >= 100 and abs(float(r["under_odds"])) >= 100
        assert all(ord(c) < 128 for c in r["player"]) and "Jr." not in r["player"]


def test_book_spellings_differ_but_normalise_to_box_score_names(tables):
    box_names = {r["PLAYER_NAME"] for r in tables["player_game_logs"]}
    box_by_key = {_key(n): n for n in box_names}
    assert len(box_by_key) == len(box_names), "normalised names stay unique"
    book_names = {r["player"] for r in tables["props"]}
    matched = {n: box_by_key[_key(n)] for n in book_names if _key(n) in box_by_key}
    assert len(matched) >= 0.98 * len(book_names), "book names join after normalisation"
    pairs = [(book, box) for book, box in matched.items() if book != box]
    assert any(box.endswith(" Jr.") and book.endswith(" Jr") for book, box in pairs)
    assert any("." in box.split()[0] and "." not in book.split()[0] for book, box in pairs)  # C.J. -> CJ
    assert any("." in book.split()[0] and "." not in box.split()[0] for book, box in pairs)  # TJ -> T.J.
    assert any(not box.isascii() and book.isascii() for book, box in pairs)  # Dončević -> Doncevic


def _points_lines(tables) -> tuple[dict[str, float], dict[str, list[float]]]:
    points = defaultdict(list)
    for r in tables["player_game_logs"]:
        points[_key(r["PLAYER_NAME"])].append(int(r["PTS"]))
    averages = {k: statistics.mean(v) for k, v in points.items() if len(v) >= 3}
    lines = defaultdict(list)
    for r in tables["props"]:
        if r["market"] == "player_points" and r["snapshot_local_time"].endswith("17:00:00"):
            lines[_key(r["player"])].append(float(r["line"]))
    return averages, lines


def test_points_lines_sit_near_player_averages(tables):
    averages, lines = _points_lines(tables)
    pairs = [(statistics.mean(lines[k]), averages[k]) for k in lines if k in averages]
    assert len(pairs) > 100
    level = statistics.mean(avg for _, avg in pairs)
    assert abs(statistics.mean(line for line, _ in pairs) - level) < 0.05 * level, "lines are unbiased"
    # ~0.18 with no market noise at all: four or five games make a noisy average
    assert statistics.mean(abs(line - avg) for line, avg in pairs) < 0.3 * level


def test_more_market_noise_spreads_lines_wider_without_changing_games(sim, tables, tmp_path):
    noisy_out = tmp_path / "noisy"
    simulate(replace(SMALL, market_noise=0.5), noisy_out)
    noisy = {name: _read(noisy_out, name) for name in FILES}
    assert noisy["player_game_logs"] == tables["player_game_logs"]

    def spread(t) -> float:  # how far a player's lines wander from game to game, relative to their level
        _, lines = _points_lines(t)
        return statistics.mean(statistics.pstdev(v) / statistics.mean(v) for v in lines.values() if len(v) >= 3)

    assert spread(noisy) > 1.5 * spread(tables)


def test_dnp_players_rarely_keep_a_line(tables):
    played = {(r["GAME_DATE"], _key(r["PLAYER_NAME"])) for r in tables["player_game_logs"]}
    as_of = SMALL.as_of.isoformat()
    offered = {(r["snapshot_local_time"][:10], _key(r["player"])) for r in tables["props"]}
    offered = {(day, player) for day, player in offered if day < as_of}
    missing = offered - played
    assert len(missing) < 0.03 * len(offered)


def test_game_lines_grade_against_the_scores(tables):
    with TEAMS_SEED.open(encoding="utf-8") as f:
        codes = {r["team_abbreviation"]: r["espn_code"] for r in csv.DictReader(f)}
    scores = {(g["GAME_DATE"], codes[g["HOME_ABBR"]]): g for g in tables["schedule"]}
    assert len(tables["game_lines"]) == sum(g["STATUS"] == "3" for g in tables["schedule"])
    for r in tables["game_lines"]:
        g = scores[r["date"], r["home"]]
        assert (r["season"], r["regular"], r["playoffs"], r["away"]) == ("2026", "True", "False", codes[g["AWAY_ABBR"]])
        assert (r["score_home"], r["score_away"]) == (g["HOME_PTS"], g["AWAY_PTS"])
        for side in ("away", "home"):
            quarters = [int(r[f"q{q}_{side}"]) for q in range(1, 5)]
            assert sum(quarters) == int(r[f"score_{side}"]) and r[f"ot_{side}"] == "0"
        home, away = int(r["score_home"]), int(r["score_away"])
        fav_margin = (home - away) if r["whos_favored"] == "home" else (away - home)
        spread, total = float(r["spread"]), float(r["total"])
        assert spread > 0 and r["id_spread"] == str(int(fav_margin > spread))
        assert r["id_total"] == str(int(home + away > total))
        favourite_ml = int(r[f"moneyline_{r['whos_favored']}"])
        assert favourite_ml < 0 or spread < 2


def test_bad_config_names_the_field(tmp_path):
    with pytest.raises(ValueError, match="days=0"):
        simulate(SimConfig(days=0), tmp_path)
    with pytest.raises(ValueError, match="dnp_rate"):
        simulate(SimConfig(dnp_rate=0.9), tmp_path)
