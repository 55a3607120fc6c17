"""Contract tests: the scrapers' parsers read real API responses (../shared/data/api-samples, read in place,
never copied) and give the values the files hold. Skipped with a reason when the samples are absent."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from scrapers.cdn_boxscore import parse_boxscore
from scrapers.cdn_schedule import parse_schedule, slate_of
from scrapers.stats_boxscore import parse_boxscore_v3
from scrapers.stats_gamelog import parse_gamelog

pytestmark = pytest.mark.shared_data


@pytest.fixture
def samples(shared_data) -> Path:
    folder = shared_data / "api-samples"
    if not folder.is_dir():
        pytest.skip(f"API samples not found at {folder}")
    return folder


def player(frame: pd.DataFrame, name: str) -> dict:
    found = frame[frame["player_name"] == name]
    assert len(found) == 1, name
    return found.iloc[0].to_dict()


def test_cdn_box_score_sample(samples):
    path = samples / "cdn-nba-com" / "boxscore_0022000001.json"
    players, teams = parse_boxscore(path.read_bytes(), path.name).value
    raw = json.loads(path.read_bytes())["game"]
    assert len(players) == len(raw["homeTeam"]["players"]) + len(raw["awayTeam"]["players"]) == 34
    assert set(players["game_id"]) == {"0022000001"} and set(players["season_type"]) == {"regular"}
    assert set(players["game_date"]) == {date(2020, 12, 22)}, "tip-off 2020-12-23T00:00Z is 7 pm ET on the 22nd"
    durant = player(players, "Kevin Durant")
    assert (durant["pts"], durant["fga"], durant["starter"], durant["matchup"], durant["wl"]) == (
        22,
        16,
        True,
        "BKN vs. GSW",
        "W",
    )
    assert durant["min"] == pytest.approx(24 + 56 / 60, abs=1e-3)  # PT24M56.00S
    assert durant["status"] == "ACTIVE" and pd.isna(durant["not_playing_reason"])
    claxton = player(players, "Nicolas Claxton")
    assert (claxton["status"], claxton["not_playing_reason"], claxton["min"]) == ("INACTIVE", "INACTIVE_INJURY", 0.0)
    assert pd.isna(claxton["pts"]) and pd.isna(claxton["fga"]), "DNP stats are NULL, not the feed's zeros"
    assert player(players, "Kelly Oubre Jr.")["team_abbreviation"] == "GSW"
    by_team = teams.set_index("team_abbreviation")
    assert (by_team.loc["BKN", "pts"], by_team.loc["GSW", "pts"]) == (125, 99)
    assert by_team.loc["BKN", "team_name"] == "Brooklyn Nets" and by_team.loc["GSW", "min"] == 240.0
    assert players.groupby("team_abbreviation")["pts"].sum().to_dict() == {"BKN": 125, "GSW": 99}
    assert players.groupby("team_abbreviation")["starter"].sum().to_dict() == {"BKN": 5, "GSW": 5}


def test_cdn_schedule_sample(samples):
    path = samples / "cdn-nba-com" / "scheduleLeagueV2_2023-24_as_of_2023-09-16.json.gz"
    body = gzip.decompress(path.read_bytes())
    parsed = parse_schedule(body, path.name)
    raw = json.loads(body)["leagueSchedule"]
    with_teams = [g for d in raw["gameDates"] for g in d["games"] if g["homeTeam"]["teamTricode"]]
    assert parsed.rows == len(with_teams) > 1200
    opening = slate_of(parsed.value, date(2023, 10, 24))
    assert opening.season == "2023-24"
    assert {(g.away, g.home) for g in opening.games} == {("LAL", "DEN"), ("PHX", "GSW")}
    assert not opening.final_games and len(opening.not_final) == 2, "fetched before the season: nothing final"
    late = next(g for g in opening.games if g.home == "GSW")
    assert late.tipoff_at.isoformat() == "2023-10-25T02:00:00", "a 10 pm ET tip is the next UTC day, same game date"


def test_stats_leaguegamelog_sample(samples):
    path = samples / "stats-nba-com" / "leaguegamelog_T_2025-26_regular_season_as_of_2026-02-22.json"
    parsed = parse_gamelog(path.read_bytes(), path.name)
    frame = parsed.value
    assert parsed.rows == len(frame) == 1688
    first = frame.iloc[0].to_dict()
    assert (first["game_id"], first["game_date"], first["team_abbreviation"], first["matchup"]) == (
        "0022500002",
        date(2025, 10, 21),
        "GSW",
        "GSW @ LAL",
    )
    assert (first["pts"], first["wl"], first["min"], first["fg_pct"], first["season_type"]) == (
        119,
        "W",
        240.0,
        0.487,
        "regular",
    )
    assert frame["game_date"].max() == date(2026, 2, 21)


def test_stats_box_score_v3_sample(samples):
    path = samples / "stats-nba-com" / "boxscoretraditionalv3_0022200552.json"
    players, teams = parse_boxscore_v3(path.read_bytes(), path.name, date(2023, 1, 2)).value
    mitchell = player(players, "Donovan Mitchell")
    assert (mitchell["pts"], mitchell["starter"], mitchell["team_abbreviation"]) == (71, True, "CLE")
    assert mitchell["min"] == pytest.approx(49.8)  # "49:48"
    mobley = player(players, "Evan Mobley")
    assert (mobley["not_playing_reason"], mobley["min"], mobley["starter"]) == ("DNP - Injury/Illness", 0.0, False)
    assert pd.isna(mobley["pts"])
    assert player(players, "Nikola Vučević")["pts"] == 20
    by_team = teams.set_index("team_abbreviation")
    assert (by_team.loc["CLE", "pts"], by_team.loc["CHI", "pts"], by_team.loc["CLE", "wl"]) == (145, 134, "W")
    assert by_team.loc["CLE", "min"] == 265.0, "overtime: 265 team minutes"
    assert players.groupby("team_abbreviation")["starter"].sum().to_dict() == {"CHI": 5, "CLE": 5}
