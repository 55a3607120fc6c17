"""Each source against the simulated league on 127.0.0.1: bad payloads, empty slates, unfinished games,
zero rows where games are expected, and the odds key kept out of everything written."""

from __future__ import annotations

import gzip
import json
import logging
from datetime import timedelta

import pytest
from support.helpers import run_cli
from support.scraper_support import (
    API_KEY,
    FAST,
    FAST_ENV,
    PLAYED,
    START,
    TONIGHT,
    loopback_only,  # noqa: F401 (autouse: 127.0.0.1 only)
    rows,
    season,
    serving,
    settings_for,
)

from scrapers.run import SOURCES, scrape_date
from simulator.faults import Fault
from simulator.serve import SimApi


def final_games(day=PLAYED) -> list[str]:
    return [g.game_id for g in season().games_on(day)]


def attempts(settings, where: str = "true") -> list[dict]:
    names = [
        "source",
        "endpoint",
        "resource_id",
        "attempt",
        "http_status",
        "classification",
        "error",
        "archive_path",
        "rows_parsed",
        "url",
    ]
    found = rows(
        settings.duckdb_path, f"select {', '.join(names)} from raw.scrape_attempts where {where} order by attempt_seq"
    )
    return [dict(zip(names, r)) for r in found]


def result_of(report, source):
    return next(r for r in report.results if r.source == source)


def test_a_missing_field_is_a_parse_error_naming_it_and_the_other_games_still_land(tmp_path):
    broken, *others = final_games()
    api = SimApi(season(), api_key=API_KEY, faults=[Fault("renamed_field", "boxscore", -1, resource=broken)])
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url)
        report = scrape_date(settings, PLAYED, ["cdn_boxscore"], config=FAST)
    failed = attempts(settings, f"resource_id = '{broken}'")
    assert {a["classification"] for a in failed} == {"parse_error"} and len(failed) == FAST.passes
    assert "has no field 'personId'" in failed[0]["error"] and "players[0]" in failed[0]["error"]
    archived = settings.landing_dir / failed[0]["archive_path"]
    assert archived.is_file() and b"personId_v2" in gzip.decompress(archived.read_bytes()), (
        "payload archived as received"
    )
    landed = {g for (g,) in rows(settings.duckdb_path, "select distinct game_id from raw.team_game_logs")}
    assert landed == set(others)
    box = result_of(report, "cdn_boxscore")
    assert (box.status, box.landed, box.expected) == ("partial", len(others), len(others) + 1)
    assert any("personId" in p for p in box.problems) and not report.succeeded


def test_truncated_json_is_a_parse_error_then_lands_on_the_next_pass(tmp_path):
    game = final_games()[0]
    api = SimApi(season(), api_key=API_KEY, faults=[Fault("truncated", "boxscore", 1, resource=game)])
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url)
        report = scrape_date(settings, PLAYED, ["cdn_boxscore"], config=FAST)
    tries = attempts(settings, f"resource_id = '{game}'")
    assert [a["classification"] for a in tries] == ["parse_error", "ok"]
    assert "not valid JSON" in tries[0]["error"] and (settings.landing_dir / tries[0]["archive_path"]).is_file()
    assert result_of(report, "cdn_boxscore").status == "ok" and report.succeeded
    # what landed is the game as the simulated league played it: every player who played with his points,
    # each team with its score, and every other final game of the date too
    box, g = season().boxes[game], next(x for x in season().games_on(PLAYED) if x.game_id == game)
    played = {(p.player_id, line["PTS"]) for side in box.lines for p, line in side}
    landed = rows(
        settings.duckdb_path,
        f"select player_id, pts from raw.player_game_logs where game_id = '{game}' and not_playing_reason is null",
    )
    assert len(landed) == len(played) and set(landed) == played
    teams = rows(
        settings.duckdb_path, f"select team_abbreviation, pts from raw.team_game_logs where game_id = '{game}'"
    )
    assert sorted(teams) == sorted([(g.away, box.totals[0]["PTS"]), (g.home, box.totals[1]["PTS"])])
    assert {r for (r,) in rows(settings.duckdb_path, "select distinct game_id from raw.player_game_logs")} == set(
        final_games()
    )


def test_a_game_not_final_is_skipped_not_failed(tmp_path):
    *finals, playing = final_games()

    class OneGameStillPlaying(SimApi):
        def _payload(self, endpoint, params, resource, rename=None):
            reply = super()._payload(endpoint, params, resource, rename)
            if endpoint == "schedule":
                payload = json.loads(reply.body)
                for day in payload["leagueSchedule"]["gameDates"]:
                    for game in day["games"]:
                        if game["gameId"] == playing:
                            game["gameStatus"], game["gameStatusText"] = 2, "Q3 5:12"
                reply.body = json.dumps(payload).encode()
            return reply

    api = OneGameStillPlaying(season(), api_key=API_KEY)
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url)
        report = scrape_date(settings, PLAYED, ["cdn_boxscore"], config=FAST)
    box = result_of(report, "cdn_boxscore")
    assert (box.status, box.expected, box.landed) == ("ok", len(finals), len(finals))
    assert any(playing in note and "not final" in note for note in box.notes)
    assert not [s for s in api.served if s["resource"] == playing], "no request for the unfinished game"
    assert rows(settings.duckdb_path, f"select game_status from raw.schedule where game_id = '{playing}'") == [(2,)]


def test_an_empty_slate_is_success_with_zero_rows(tmp_path):
    day_off = START - timedelta(days=1)
    api = SimApi(season(), api_key=API_KEY)
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url)
        report = scrape_date(settings, day_off, config=FAST)
    assert report.succeeded
    assert {r.source: r.status for r in report.results} == {
        "cdn_schedule": "ok",
        "cdn_boxscore": "empty",
        "stats_gamelog": "empty",
        "stats_boxscore": "empty",
        "odds_api": "empty",
        "injury_report": "empty",
    }
    assert [s["endpoint"] for s in api.served] == ["schedule"], "nothing to fetch beyond the schedule"
    for table in ("player_game_logs", "team_game_logs", "schedule", "prop_snapshots"):
        assert rows(settings.duckdb_path, f"select count(*) from raw.{table}") == [(0,)]


def test_zero_rows_where_the_schedule_expects_games_is_a_failure(tmp_path, httpserver_ipv4):
    empty = {
        "resource": "leaguegamelog",
        "parameters": {},
        "resultSets": [{"name": "LeagueGameLog", "headers": ["SEASON_ID", "PLAYER_ID"], "rowSet": []}],
    }
    httpserver_ipv4.expect_request("/stats/leaguegamelog").respond_with_json(empty)
    api = SimApi(season(), api_key=API_KEY)
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url, stats=httpserver_ipv4.url_for("").rstrip("/"))
        report = scrape_date(settings, PLAYED, ["stats_gamelog"], config=FAST)
    stats = result_of(report, "stats_gamelog")
    assert stats.status == "failed" and stats.landed == 0 and not report.succeeded
    found = attempts(settings, "source = 'stats_gamelog'")
    assert {a["classification"] for a in found} == {"no_data"}
    assert f"expects {len(final_games())} game(s)" in found[0]["error"]


def test_tonight_has_odds_but_no_box_scores(tmp_path):
    api = SimApi(season(), api_key=API_KEY)
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url)
        report = scrape_date(settings, TONIGHT, config=FAST)
    statuses = {r.source: r.status for r in report.results}
    assert statuses["cdn_boxscore"] == "empty" and statuses["odds_api"] == "ok", report.results
    games = season().games_on(TONIGHT)
    events = rows(
        settings.duckdb_path,
        "select count(distinct event_id), min(snapshot_kind), max(snapshot_kind) from raw.prop_snapshots",
    )
    assert events == [(len(games), "pregame_daily", "pregame_daily")]
    assert rows(settings.duckdb_path, "select count(*) from raw.game_lines") == [(len(games),)]
    quota = rows(settings.duckdb_path, "select min(quota_remaining) from raw.scrape_attempts where source = 'odds_api'")
    assert quota == [(500 - api.quota_used,)], "the quota headers are kept"


def test_the_api_key_never_appears_in_attempt_rows_logs_or_archive(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    api = SimApi(
        season(),
        api_key=API_KEY,
        faults=[Fault("rate_limit", "events", 1, retry_after=0.05), Fault("server_error", "event_odds", 1)],
    )
    with serving(api) as server:
        env = {
            **FAST_ENV,
            "NBAPROPS_DUCKDB_PATH": str(tmp_path / "wh.duckdb"),
            "NBAPROPS_LANDING_DIR": str(tmp_path / "landing"),
            "NBAPROPS_CDN_BASE_URL": server.url,
            "NBAPROPS_STATS_BASE_URL": server.url,
            "NBAPROPS_ODDS_BASE_URL": server.url,
            "ODDS_API_KEY": API_KEY,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        result = run_cli("scrape", "--date", TONIGHT.isoformat(), "--source", "odds_api")
    assert result.exit_code == 0, result.output
    assert api.quota_used > 0, "the key was sent and accepted"
    text = "\n".join(
        " ".join(str(v) for v in r) for r in rows(tmp_path / "wh.duckdb", "select * from raw.scrape_attempts")
    )
    assert "apiKey=REDACTED" in text and API_KEY not in text
    ours = "\n".join(r.getMessage() for r in caplog.records)
    assert "REDACTED" in ours and API_KEY not in ours and API_KEY not in caplog.text
    assert API_KEY not in result.output
    archive = sorted((tmp_path / "landing").rglob("*"))
    assert archive and all(API_KEY not in str(p) for p in archive)
    assert all(API_KEY.encode() not in gzip.decompress(p.read_bytes()) for p in archive if p.is_file())


def test_without_a_key_the_odds_source_fails_before_any_request(tmp_path):
    api = SimApi(season(), api_key=API_KEY)
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url, key=None)
        report = scrape_date(settings, TONIGHT, ["odds_api"], config=FAST)
    odds = result_of(report, "odds_api")
    assert odds.status == "failed" and "ODDS_API_KEY" in odds.problems[0]
    assert not [s for s in api.served if s["endpoint"] in ("events", "event_odds", "odds")]


@pytest.mark.parametrize("bad", ["nope", "cdn_boxscore,odds"])
def test_unknown_sources_are_refused_by_name(tmp_path, bad):
    from scrapers.run import choose_sources

    with pytest.raises(ValueError, match="unknown source") as refused:
        choose_sources(["cdn_boxscore", bad])
    message = str(refused.value)
    named, choices = message.split("; choose from ")
    assert named == f"unknown source(s) {bad}", message  # the bad name, and only it (cdn_boxscore is fine)
    assert choices.split(", ") == list(SOURCES)


def test_the_scrape_command_names_an_unknown_source(tmp_path, monkeypatch):
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("NBAPROPS_LANDING_DIR", str(tmp_path / "landing"))
    for name in ("NBAPROPS_CDN_BASE_URL", "NBAPROPS_STATS_BASE_URL", "NBAPROPS_ODDS_BASE_URL"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there; nothing should be asked either
    result = run_cli("scrape", "--date", PLAYED.isoformat(), "--source", "odds_api", "--source", "box_scroe")
    assert result.exit_code != 0
    assert "unknown source(s) box_scroe;" in result.output + result.stderr, result.output + result.stderr
    assert not (tmp_path / "landing").exists(), "nothing was fetched"


def test_a_crashing_source_is_reported_and_the_next_source_still_runs(tmp_path, monkeypatch):
    import scrapers.stats_gamelog

    monkeypatch.setattr(scrapers.stats_gamelog, "scrape", lambda ctx, slate: 1 / 0)
    api = SimApi(season(), api_key=API_KEY)
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url)
        report = scrape_date(settings, PLAYED, ["stats_gamelog", "odds_api"], config=FAST)
    stats = result_of(report, "stats_gamelog")
    assert stats.status == "failed" and stats.problems[0].startswith("crashed: ZeroDivisionError")
    assert result_of(report, "odds_api").status == "ok" and not report.succeeded
