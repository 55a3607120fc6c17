"""Issue 14, operations holes (item 8 and the last part of item 9): one test per hole, each named for what it
closes (each failed before the fix). Only 127.0.0.1 is ever contacted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date, timedelta

import duckdb
from support.helpers import run_cli
from support.scraper_support import (
    FAST_ENV,
    loopback_only,  # noqa: F401 (autouse: 127.0.0.1 only)
    serving,
    settings_for,
)

from nbacore.dates import today_eastern
from nbacore.settings import PROJECT_DIR, load_settings
from nbaprops.runs import morning, run_log
from scrapers import cdn_schedule
from simulator import SimConfig, simulate_season
from simulator.serve import SimApi


class ScrapeStarted(BaseException):
    """Raised by a stand-in scraper: a refused backfill must never get this far (and old code stops here fast)."""


def _never_scrape(settings, day, sources, **kwargs):
    raise ScrapeStarted(f"a scrape of {day} started")


def _one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_backfill_refuses_a_huge_range_or_dates_no_source_serves_with_the_count_and_the_fix(
    warehouse_path, monkeypatch
):
    monkeypatch.setattr(morning, "_scrape", _never_scrape)
    # The range: dates the warehouse cannot hold (before its first season) and after today.
    result = run_cli("backfill", "--start", "1990-01-01", "--end", "2030-12-31")
    assert result.exit_code == 2, result.output
    line = _one_error_line(result)
    assert "1990-01-01" in line and "season" in line

    later = today_eastern() + timedelta(days=30)
    result = run_cli("backfill", "--start", str(today_eastern() - timedelta(days=3)), "--end", str(later), "--yes")
    assert result.exit_code == 2, result.output
    assert f"--end {later} is after today" in _one_error_line(result)

    # A range inside the seasons, but 1,096 dates: refused with the count and the way on.
    result = run_cli("backfill", "--start", "2010-01-01", "--end", "2012-12-31")
    assert result.exit_code == 2, result.output
    line = _one_error_line(result)
    assert "1,096 dates" in line and "--yes" in line and "smaller range" in line
    # --yes is the way on (checked without scraping a thousand dates here).
    morning.check_backfill_range(date(2010, 1, 1), date(2012, 12, 31), yes=True)


def test_backfill_fetches_each_seasons_schedule_once_not_once_per_date(tmp_path, monkeypatch):
    for key, value in FAST_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(morning, "_build", lambda settings, since=None: "build left out of this test")
    season = simulate_season(SimConfig(seed=5, start_date=date(2025, 10, 21), days=5))
    api = SimApi(season, api_key="k")
    first, last = date(2025, 10, 21), date(2025, 10, 24)
    with serving(api) as server:
        settings = settings_for(tmp_path, server.url, key="k")
        done = morning.backfill(settings, first, last, echo=lambda s: None)
    assert done["failed"] == [] and len(done["success"]) == 4
    schedule_requests = [s for s in api.served if s["endpoint"] == "schedule"]
    assert len(schedule_requests) == 1, f"{len(schedule_requests)} schedule downloads for 4 dates of one season"
    con = duckdb.connect(str(settings.duckdb_path))
    try:
        landed = dict(con.execute("select game_date, count(*) from raw.schedule group by 1").fetchall())
    finally:
        con.close()
    for i in range(4):
        day = first + timedelta(days=i)
        assert landed.get(day) == len(season.games_on(day)), day
        # every date's archive still holds its schedule, so `nbaprops replay --date` needs no network
        assert cdn_schedule.land(settings.landing_dir, day).batches, day


KILLED_RUN = """
import os, signal
from datetime import date
from nbaprops.runs.run_log import track_phase
from nbacore.settings import load_settings
from nbacore.warehouse import open_warehouse

con = open_warehouse(load_settings())
with track_phase(con, "killed-run", "scrape", date(2025, 11, 3)):
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_running_row_whose_process_was_killed_is_shown_and_closed_as_abandoned(warehouse_path, monkeypatch):
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RUN], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    result = run_cli("status", "--date", "2025-11-03")
    assert result.exit_code == 0, result.output
    assert "  scrape          abandoned" in result.output and "was killed or crashed" in result.output

    monkeypatch.setattr(morning, "_scrape", lambda settings, day, sources, **kw: f"scraped {day}")
    monkeypatch.setattr(morning, "_build", lambda settings, since=None: "built")
    done = morning.backfill(load_settings(), date(2025, 11, 3), date(2025, 11, 3), echo=lambda s: None)
    assert done["success"] == [date(2025, 11, 3)]  # an abandoned date is not complete: it is landed again
    con = duckdb.connect(str(warehouse_path))
    try:
        status, finished_at, error = con.execute(
            "select status, finished_at, error from ops.pipeline_runs where run_id = 'killed-run'"
        ).fetchone()
    finally:
        con.close()
    assert status == "abandoned" and finished_at is not None
    assert "was killed or crashed" in error and "noticed by backfill" in error
    assert run_log.process_gone(os.getpid(), *run_log.this_process()[1:]) is None  # a live process is not abandoned


def test_the_first_run_on_a_fresh_simulated_warehouse_builds(tmp_path, monkeypatch):
    """Props of tonight name players whose teams have no box score in a one-day-old warehouse yet."""
    for key, value in FAST_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(morning, "_predict", lambda settings, what, day: f"{what} left out of this test")
    monkeypatch.setattr(morning, "_report", lambda settings, day: "report left out of this test")
    season = simulate_season(SimConfig(seed=7, start_date=date(2025, 10, 21), days=4))
    with serving(SimApi(season, api_key="k")) as server:
        settings = settings_for(tmp_path, server.url, key="k")
        outcomes = {o.phase: o for o in morning.run_day(settings, season.tonight, echo=lambda s: None)}
    assert outcomes["scrape_results"].status == "success" and outcomes["scrape_slate"].status == "success"
    assert outcomes["build"].status == "success", outcomes["build"].detail
    con = duckdb.connect(str(settings.duckdb_path))
    try:
        unresolved = con.execute(
            "select count(*), count(*) filter (where is_checkable) from monitoring.prop_player_names_unmatched"
        ).fetchone()
    finally:
        con.close()
    assert unresolved[0] > 0 and unresolved[1] == 0  # listed (no box score yet), but not a naming failure
