"""End to end: `nbaprops scrape --date D` against the simulated league with every fault switched on.

It must land every final game of D and every prop snapshot, classify each injected fault in the attempt
log, add no duplicate rows on a second run, and `nbaprops replay` must rebuild the same raw tables from the
archive alone. Then the dbt monitoring models read the attempt log. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import pytest
from support.helpers import run_cli
from support.scraper_support import (
    API_KEY,
    DATA_TABLES,
    FAST_ENV,
    PLAYED,
    data_fingerprint,
    loopback_only,  # noqa: F401 (autouse: 127.0.0.1 only)
    rows,
    season,
    serving,
)

from simulator.faults import every_fault
from simulator.feeds import snapshot_time
from simulator.serve import SimApi

# what each injected fault must be logged as: (classification, HTTP status)
EXPECTED = {
    "forbidden": ("blocked", 403),
    "rate_limit": ("rate_limited", 429),
    "server_error": ("server_error", 503),
    "html": ("blocked", 200),
    "truncated": ("parse_error", 200),
    "slow": ("timeout", None),
    "renamed_field": ("parse_error", 200),
}
KEYS = {
    "player_game_logs": "_source, game_id, player_id",
    "team_game_logs": "_source, game_id, team_abbreviation",
    "schedule": "_source, game_id",
    "prop_snapshots": "_source, snapshot_at, event_id, player_name, market_key, bookmaker, line",
    "game_lines": "_source, game_date, home_team_code",
}


# the JSON sources whose faults this file injects (the injury report PDF: tests/python/scrapers/test_injury_report.py)
JSON_SOURCES = [a for s in ("cdn_boxscore", "stats_gamelog", "stats_boxscore", "odds_api") for a in ("--source", s)]


@pytest.fixture(scope="module")
def faulty_night(tmp_path_factory):
    """Two scrapes of PLAYED against a server with every fault on, then a replay into a fresh warehouse."""
    root = tmp_path_factory.mktemp("e2e")
    api = SimApi(season(), api_key=API_KEY, faults=every_fault(delay=1.0, retry_after=1.0))
    mp = pytest.MonkeyPatch()
    with serving(api) as server:
        env = {
            **FAST_ENV,
            "NBAPROPS_DUCKDB_PATH": str(root / "scraped.duckdb"),
            "NBAPROPS_LANDING_DIR": str(root / "landing"),
            "NBAPROPS_TARGET": "local",
            "NBAPROPS_CDN_BASE_URL": server.url,
            "NBAPROPS_STATS_BASE_URL": server.url,
            "NBAPROPS_ODDS_BASE_URL": server.url,
            "ODDS_API_KEY": API_KEY,
        }
        for name, value in env.items():
            mp.setenv(name, value)
        first = run_cli("scrape", "--date", PLAYED.isoformat(), *JSON_SOURCES)
        served_first = list(api.served)
        after_first = data_fingerprint(root / "scraped.duckdb")
        second = run_cli("scrape", "--date", PLAYED.isoformat(), *JSON_SOURCES)
        after_second = data_fingerprint(root / "scraped.duckdb")
    mp.setenv("NBAPROPS_DUCKDB_PATH", str(root / "replayed.duckdb"))
    mp.setenv("NBAPROPS_CDN_BASE_URL", "http://127.0.0.1:9")  # replay must not need the network
    replayed = run_cli("replay", "--date", PLAYED.isoformat())
    yield {
        "root": root,
        "api": api,
        "first": first,
        "second": second,
        "served_first": served_first,
        "after_first": after_first,
        "after_second": after_second,
        "replayed": replayed,
    }
    mp.undo()


def test_every_final_game_and_every_prop_snapshot_lands(faulty_night):
    db = faulty_night["root"] / "scraped.duckdb"
    games = season().games_on(PLAYED)
    finals = {g.game_id for g in games}
    assert {g for (g,) in rows(db, "select distinct game_id from raw.player_game_logs")} == finals
    assert {g for (g,) in rows(db, "select distinct game_id from raw.team_game_logs")} == finals
    assert {g for (g,) in rows(db, "select game_id from raw.schedule where game_status = 3")} == finals
    # every event's snapshot, with exactly the offers the simulated books showed
    expected = {g.event_id: len(season().props[g.game_id][1]) for g in games}
    landed = dict(rows(db, "select event_id, count(*) from raw.prop_snapshots group by event_id"))
    assert landed == expected
    stamps = {(e, str(s)) for e, s in rows(db, "select distinct event_id, snapshot_at from raw.prop_snapshots")}
    assert stamps == {(g.event_id, snapshot_time(g.game_date, 1).replace("T", " ").rstrip("Z")) for g in games}
    assert rows(db, "select count(*) from raw.game_lines") == [(len(games),)]
    # the box scores agree with the simulated truth
    truth = {(p.player_id, line["PTS"]) for g in games for side in season().boxes[g.game_id].lines for p, line in side}
    scraped = set(
        rows(db, "select player_id, pts from raw.player_game_logs where _source = 'stats.nba.com/leaguegamelog'")
    )
    assert scraped == truth


def test_the_attempt_log_classifies_every_injected_fault(faulty_night):
    db = faulty_night["root"] / "scraped.duckdb"
    served = faulty_night["served_first"]
    run_id = rows(db, "select min(run_id) from raw.scrape_attempts")[0][0]
    logged = rows(
        db,
        f"select http_status, classification, error from raw.scrape_attempts where run_id = '{run_id}' order by attempt_seq",
    )
    assert len(logged) == len(served), "one attempt row per request the server saw"
    injected = [s["fault"] for s in served if s["fault"]]
    assert set(injected) == set(EXPECTED), "every kind of fault was injected"
    for request, (status, classification, error) in zip(served, logged):
        if request["fault"]:
            assert (classification, status) == EXPECTED[request["fault"]], (request, error)
            if request["fault"] == "renamed_field":
                assert "has no field 'personId'" in error
        else:
            assert (classification, status) == ("ok", 200), (request, error)
    assert faulty_night["first"].exit_code == 1, "the renamed field is the scraper's to fix: reported, not hidden"
    output = faulty_night["first"].output
    assert "cdn_boxscore" in output and "partial" in output and "has no field 'personId'" in output


def test_a_second_run_adds_no_duplicate_rows(faulty_night):
    assert faulty_night["after_second"] == faulty_night["after_first"]
    db = faulty_night["root"] / "scraped.duckdb"
    for table, key in KEYS.items():
        assert rows(db, f"select count(*) - count(distinct ({key})) from raw.{table}") == [(0,)], table
    runs = rows(db, "select count(distinct run_id) from raw.scrape_attempts")
    assert runs == [(2,)]


def test_replay_rebuilds_the_raw_tables_the_scrape_landed(faulty_night):
    assert faulty_night["replayed"].exit_code == 0, faulty_night["replayed"].output
    replayed = data_fingerprint(faulty_night["root"] / "replayed.duckdb")
    assert replayed == faulty_night["after_second"]
    assert all(replayed[t][0] > 0 for t in DATA_TABLES)


def test_monitoring_models_show_blocks_and_coverage(faulty_night, monkeypatch):
    db = faulty_night["root"] / "scraped.duckdb"
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(db))
    result = run_cli("build", "--select", "stg_scrapers__scrape_attempts+")
    assert result.exit_code == 0, result.output + result.stderr
    blocks = rows(
        db,
        "select scraper_source, resource_id, last_block_classification, is_resolved from monitoring.scraper_source_blocks",
    )
    assert {(s, c, r) for s, _, c, r in blocks} >= {
        ("cdn_schedule", "blocked", True),
        ("cdn_boxscore", "blocked", True),
        ("odds_api", "rate_limited", True),
        ("odds_api", "blocked", True),
    }
    coverage = {
        r[0]: r[1:]
        for r in rows(
            db,
            "select scraper_source, resources_available, resources_landed, "
            "resources_unparseable, is_complete from monitoring.scraper_coverage",
        )
    }
    finals = len(season().games_on(PLAYED))
    assert coverage["cdn_boxscore"] == (finals, finals - 1, 1, False), "one game's feed changed shape"
    assert coverage["stats_gamelog"][3] and coverage["odds_api"][3] and coverage["cdn_schedule"][3]
