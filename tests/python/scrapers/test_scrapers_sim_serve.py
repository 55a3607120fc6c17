"""`nbaprops sim serve`: the simulated live sources, their control endpoints and their faults."""

from __future__ import annotations

import json

import pytest
import requests
from support.scraper_support import (
    API_KEY,
    FAST,
    TONIGHT,
    loopback_only,  # noqa: F401 (autouse: 127.0.0.1 only)
    rows,
    season,
    serving,
    settings_for,
)

from scrapers.run import scrape_date
from simulator.faults import Fault, FaultPlan, parse_fault
from simulator.serve import SimApi, rename_field, start_server


def test_fault_specs_parse_and_bad_ones_name_the_problem():
    fault = parse_fault("forbidden:boxscore:2:0022500001")
    assert (fault.kind, fault.endpoint, fault.count, fault.resource) == ("forbidden", "boxscore", 2, "0022500001")
    assert parse_fault("renamed_field:boxscore:-1").count == -1
    with pytest.raises(ValueError, match="kind 'melt'"):
        parse_fault("melt:boxscore")
    with pytest.raises(ValueError, match="endpoint 'scores'"):
        parse_fault("html:scores")
    with pytest.raises(ValueError, match="count 'x'"):
        parse_fault("html:schedule:x")


def test_a_renamed_field_fault_sticks_to_the_first_resource_it_hits():
    plan = FaultPlan([Fault("renamed_field", "boxscore", -1), Fault("forbidden", "boxscore", 1)])
    assert plan.pick("boxscore", "A").kind == "renamed_field"
    assert plan.pick("boxscore", "B").kind == "forbidden"
    assert plan.pick("boxscore", "B") is None and plan.pick("boxscore", "A").kind == "renamed_field"
    assert rename_field({"players": [{"personId": 1}], "headers": ["personId"]}, "personId", "pid") == {
        "players": [{"pid": 1}],
        "headers": ["pid"],
    }


def test_control_endpoints_key_check_quota_and_stats_headers():
    api = SimApi(season(), api_key=API_KEY)
    with serving(api) as server:
        bad_key = requests.get(f"{server.url}/v4/sports/basketball_nba/events", params={"apiKey": "wrong"}, timeout=5)
        assert bad_key.status_code == 401 and bad_key.headers["x-requests-remaining"] == "500"
        bare = requests.get(f"{server.url}/stats/leaguegamelog", params={"PlayerOrTeam": "P"}, timeout=5)
        assert bare.status_code == 403, "stats.nba.com turns away clients that are not the nba.com site"
        switched = requests.post(f"{server.url}/_sim/faults", data=json.dumps(["html:schedule:1"]), timeout=5).json()
        assert [f["kind"] for f in switched["faults"]] == ["html"]
        page = requests.get(f"{server.url}/static/json/staticData/scheduleLeagueV2.json", timeout=5)
        assert page.status_code == 200 and page.text.startswith("<!DOCTYPE html>")
        assert requests.get(f"{server.url}/static/json/staticData/scheduleLeagueV2.json", timeout=5).json()[
            "leagueSchedule"
        ]
        state = requests.get(f"{server.url}/_sim/state", timeout=5).json()
        assert state["applied"] == [{"kind": "html", "endpoint": "schedule", "resource": "schedule"}]
        refused = requests.post(f"{server.url}/_sim/props-snapshot", data=json.dumps({"index": 7}), timeout=5)
        assert refused.status_code == 400


def test_the_server_only_listens_on_loopback():
    with pytest.raises(ValueError, match="loopback"):
        start_server(SimApi(season()), host="0.0.0.0")


def test_each_pull_of_a_moved_board_is_a_new_snapshot_and_a_repeat_pull_adds_nothing(tmp_path):
    api = SimApi(season(), api_key=API_KEY, props_snapshot=0)
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url)
        scrape_date(settings, TONIGHT, ["odds_api"], config=FAST)
        morning = rows(settings.duckdb_path, "select count(*), count(distinct snapshot_at) from raw.prop_snapshots")
        scrape_date(settings, TONIGHT, ["odds_api"], config=FAST)
        assert (
            rows(settings.duckdb_path, "select count(*), count(distinct snapshot_at) from raw.prop_snapshots")
            == morning
        )
        requests.post(f"{server.url}/_sim/props-snapshot", data=json.dumps({"index": 1}), timeout=5)
        scrape_date(settings, TONIGHT, ["odds_api"], config=FAST)
    both = rows(settings.duckdb_path, "select count(*), count(distinct snapshot_at) from raw.prop_snapshots")
    games = season().games_on(TONIGHT)
    afternoon_rows = sum(len(season().props[g.game_id][1]) for g in games)
    assert both[0][0] == morning[0][0] + afternoon_rows, "the afternoon board is a new snapshot; the morning one stays"
    assert both[0][1] == 2 * morning[0][1]
    moved = rows(
        settings.duckdb_path,
        """
        select count(*) from (
            select player_name, market_key, bookmaker, count(distinct line) as lines
            from raw.prop_snapshots group by 1, 2, 3
        ) where lines > 1""",
    )
    assert moved[0][0] > 0, "lines moved between the snapshots, so movement can be derived"
