"""Shared setup for the scraper tests: fast retry settings, a small simulated league served on 127.0.0.1,
and settings that point every source at it. No test sends traffic anywhere but 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
from datetime import date
from functools import lru_cache
from pathlib import Path

import duckdb
import pytest

from nbacore.settings import PROJECT_DIR, Settings, SourceSettings, load_scrape_settings
from scrapers.config import ScrapeConfig
from scrapers.http import HttpPolicy
from simulator import SimConfig, simulate_season
from simulator.season import Season
from simulator.serve import SimApi, start_server

START = date(2025, 10, 21)
PLAYED = date(2025, 10, 22)  # every game final
TONIGHT = date(2025, 10, 23)  # every game still to play
API_KEY = "test-odds-key-5f3c9a71"
FAST_HTTP = HttpPolicy(
    connect_timeout=1.0,
    read_timeout=0.3,
    max_attempts=3,
    backoff_base=0.01,
    backoff_cap=0.05,
    max_retry_after=5.0,
    pacing=0.0,
)
FAST = ScrapeConfig(
    http=FAST_HTTP, cdn_pacing=0.0, stats_pacing=0.0, odds_pacing=0.0, passes=3, pass_cooldown=0.0, attempt_batch=7
)
FAST_ENV = {
    "NBAPROPS_HTTP_CONNECT_TIMEOUT": "1",
    "NBAPROPS_HTTP_READ_TIMEOUT": "0.3",
    "NBAPROPS_HTTP_MAX_ATTEMPTS": "3",
    "NBAPROPS_HTTP_BACKOFF": "0.01",
    "NBAPROPS_HTTP_BACKOFF_CAP": "0.05",
    "NBAPROPS_HTTP_PACING": "0",
    "NBAPROPS_SCRAPE_PASS_COOLDOWN": "0",
    "NBAPROPS_SCRAPE_ATTEMPT_BATCH": "7",
}
DATA_TABLES = ("player_game_logs", "team_game_logs", "schedule", "prop_snapshots", "game_lines")


@lru_cache(maxsize=1)
def season() -> Season:
    """Three days: two played (21st, 22nd), one still to play (23rd)."""
    return simulate_season(SimConfig(seed=7, start_date=START, days=3, as_of=TONIGHT))


@contextlib.contextmanager
def serving(api: SimApi):
    running = start_server(api)
    try:
        yield running
    finally:
        running.shutdown()


def settings_for(
    tmp_path: Path, cdn: str, stats: str | None = None, odds: str | None = None, key: str | None = API_KEY
) -> Settings:
    return Settings(
        target="local",
        duckdb_path=tmp_path / "warehouse" / "nbaprops.duckdb",
        project_dir=PROJECT_DIR,
        profiles_dir=PROJECT_DIR / "profiles",
        landing_dir=tmp_path / "landing",
        sources=SourceSettings(
            cdn_base_url=cdn,
            stats_base_url=stats or cdn,
            odds_base_url=odds or cdn,
            odds_api_key=key,
            injury_base_url=cdn,
        ),
        scrape=load_scrape_settings(FAST_ENV),  # the waits a run through these settings uses
    )


def rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path))  # same configuration as dbt's in-process connection, which may still be open
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def data_fingerprint(path: Path) -> dict[str, tuple]:
    """Row count and an order-independent hash of each raw data table (lineage time left out)."""
    from nbacore.raw_tables import RAW_TABLES

    out = {}
    for name in DATA_TABLES:
        cols = ", ".join(c for c in RAW_TABLES[name].columns if c != "_loaded_at")
        out[name] = rows(path, f"select count(*), coalesce(sum(hash({cols})), 0) from raw.{name}")[0]
    return out


@pytest.fixture(scope="module", autouse=True)
def loopback_only():
    """Any connection to an address other than 127.0.0.1 fails the test (import this into a test module)."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            raise ConnectionRefusedError(f"a test tried to reach {address}; only 127.0.0.1 is allowed")
        return real_connect(sock, address)

    patch = pytest.MonkeyPatch()
    patch.setattr(socket.socket, "connect", guarded)
    yield
    patch.undo()
