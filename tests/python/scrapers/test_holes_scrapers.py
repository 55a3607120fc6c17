"""Issue 14, the scraper holes: each test is named for the hole it closes and failed before the fix.

6. ``replay`` with one damaged archived payload printed only ``Aborted.``.
7. a failed odds re-scrape reported success (older archives re-landed), and re-fetched unparseable
   responses on every pass, spending quota for the same answer.
9. a base URL with credentials was stored verbatim in raw.scrape_attempts.url.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import logging

import pytest
from support.helpers import run_cli
from support.scraper_support import (
    API_KEY,
    FAST,
    FAST_ENV,
    PLAYED,
    TONIGHT,
    loopback_only,  # noqa: F401 (autouse: 127.0.0.1 only)
    rows,
    season,
    serving,
    settings_for,
)

import scrapers.fetch
from scrapers.odds_api import GAME_MARKETS, PROP_MARKETS
from scrapers.run import scrape_date
from simulator.faults import Fault
from simulator.serve import SimApi


def cli_env(monkeypatch, tmp_path, url: str, db_name: str = "wh.duckdb") -> None:
    """Point the CLI at ``url`` (every source), a warehouse under tmp_path and the fast retry settings."""
    env = {
        **FAST_ENV,
        "NBAPROPS_DUCKDB_PATH": str(tmp_path / db_name),
        "NBAPROPS_LANDING_DIR": str(tmp_path / "landing"),
        "NBAPROPS_TARGET": "local",
        "NBAPROPS_CDN_BASE_URL": url,
        "NBAPROPS_STATS_BASE_URL": url,
        "NBAPROPS_ODDS_BASE_URL": url,
        "ODDS_API_KEY": API_KEY,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_replay_of_a_damaged_archived_payload_names_the_file_and_replays_the_rest(tmp_path, monkeypatch):
    api = SimApi(season(), api_key=API_KEY)
    with serving(api) as server:
        scrape_date(settings_for(tmp_path, server.url), PLAYED, config=FAST)
    damaged = sorted((tmp_path / "landing" / "cdn_boxscore").rglob("*.json.gz"))[0]
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])  # a copy cut short
    monkeypatch.setattr(scrapers.fetch, "_parsed", type(scrapers.fetch._parsed)())  # a fresh process's cache
    cli_env(monkeypatch, tmp_path, "http://127.0.0.1:9", "replayed.duckdb")  # replay needs no network

    result = run_cli("replay", "--date", PLAYED.isoformat())

    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if damaged.name in line]
    assert len(lines) == 1, result.output
    assert "cdn_boxscore" in lines[0] and "damaged" in lines[0] and f"nbaprops scrape --date {PLAYED}" in lines[0]
    assert "Aborted" not in result.output
    assert "replay incomplete: cdn_boxscore" in result.output, "the summary names the source that failed"
    db = tmp_path / "replayed.duckdb"
    games = {g.game_id for g in season().games_on(PLAYED)}
    cdn_games = rows(
        db, "select count(distinct game_id) from raw.team_game_logs where _source = 'cdn.nba.com/boxscore'"
    )
    assert cdn_games == [(len(games) - 1,)], "the other box scores of the source still replay"
    assert rows(db, "select count(distinct event_id) from raw.prop_snapshots") == [(len(games),)], "other sources too"


def test_a_failed_odds_refetch_is_a_failure_even_when_older_archives_land_again(tmp_path, monkeypatch):
    api = SimApi(season(), api_key=API_KEY)
    with serving(api) as server:
        cli_env(monkeypatch, tmp_path, server.url)
        first = run_cli("scrape", "--date", TONIGHT.isoformat(), "--source", "odds_api")
        assert first.exit_code == 0, first.output
        landed = rows(tmp_path / "wh.duckdb", "select count(*) from raw.prop_snapshots")
        api.faults.replace([Fault("truncated", "event_odds", -1)])
        second = run_cli("scrape", "--date", TONIGHT.isoformat(), "--source", "odds_api")

    assert second.exit_code == 1, second.output
    odds_line = next(line for line in second.output.splitlines() if line.startswith("odds_api "))
    assert not odds_line.endswith(" ok"), odds_line
    events = [g.event_id for g in season().games_on(TONIGHT)]
    problems = [line for line in second.output.splitlines() if "odds_api: PROBLEM" in line and "parse_error" in line]
    assert len(problems) == len(events), second.output
    assert rows(tmp_path / "wh.duckdb", "select count(*) from raw.prop_snapshots") == landed, "older rows stay landed"


def test_an_unparseable_odds_response_is_not_refetched_on_every_pass(tmp_path):
    events = season().games_on(TONIGHT)
    once = len(events) * len(PROP_MARKETS) + len(GAME_MARKETS)  # quota of one pull of the date
    api = SimApi(season(), api_key=API_KEY, faults=[Fault("truncated", "event_odds", -1)])
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url)
        report = scrape_date(settings, TONIGHT, ["odds_api"], config=FAST)

    assert FAST.passes > 1
    assert api.quota_used == once, "a complete 200 that does not parse is charged again for the same answer"
    fetched = [s for s in api.served if s["endpoint"] == "event_odds"]
    assert len(fetched) == len(events)
    odds = next(r for r in report.results if r.source == "odds_api")
    assert odds.status == "failed" and not report.succeeded


@pytest.mark.parametrize("credentials", ["scraper:s3cret-pw-81", "token-only-5a7c9e"])
def test_a_base_url_with_credentials_is_redacted_from_attempt_rows_logs_and_archive(tmp_path, caplog, credentials):
    caplog.set_level(logging.DEBUG)
    secret = credentials.split(":")[-1]
    api = SimApi(season(), api_key=API_KEY, faults=[Fault("server_error", "boxscore", 1)])
    with serving(api) as server:
        with_credentials = server.url.replace("http://", f"http://{credentials}@")
        settings = settings_for(tmp_path, with_credentials)
        report = scrape_date(settings, PLAYED, ["cdn_boxscore"], config=FAST)

    assert report.succeeded, report.results
    stored = [url for (url,) in rows(settings.duckdb_path, "select url from raw.scrape_attempts")]
    assert stored and all(secret not in url and "REDACTED@127.0.0.1" in url for url in stored), stored[:2]
    errors = "\n".join(str(e) for (e,) in rows(settings.duckdb_path, "select error from raw.scrape_attempts"))
    assert secret not in errors
    assert secret not in caplog.text and secret not in "\n".join(r.getMessage() for r in caplog.records)
    assert all(secret not in str(p) for p in (tmp_path / "landing").rglob("*"))
