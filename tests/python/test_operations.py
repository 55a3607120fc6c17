"""Operations: US/Eastern dates, gates, resumable backfills, the one-writer lock, monitoring, alerts,
the HTML report in headless Chromium, doctor, and the whole morning run against the simulated APIs."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest

from helpers import run_cli
from nbaprops import morning
from nbaprops.dates import resolve_game_date
from nbaprops.lock import WarehouseLocked, warehouse_lock
from nbaprops.monitor import coverage_level
from nbaprops.settings import load_settings
from nbaprops.warehouse import connect


@pytest.mark.parametrize(
    ("now_utc", "expected"),
    [
        (datetime(2025, 10, 22, 3, 59, tzinfo=timezone.utc), date(2025, 10, 21)),  # 23:59 EDT
        (datetime(2025, 10, 22, 4, 0, tzinfo=timezone.utc), date(2025, 10, 22)),  # 00:00 EDT
        (datetime(2025, 12, 2, 4, 30, tzinfo=timezone.utc), date(2025, 12, 1)),  # 23:30 EST (winter offset)
        (datetime(2025, 12, 2, 5, 0, tzinfo=timezone.utc), date(2025, 12, 2)),  # 00:00 EST
    ],
)
def test_today_is_the_us_eastern_date_around_midnight(now_utc, expected):
    assert resolve_game_date("today", now_utc) == expected
    assert resolve_game_date("yesterday", now_utc) == date.fromordinal(expected.toordinal() - 1)
    assert resolve_game_date("2025-11-03") == date(2025, 11, 3)
    with pytest.raises(ValueError, match="use today, yesterday or YYYY-MM-DD"):
        resolve_game_date("11/03/2025")


def _schedule_final_game(con, day: date) -> None:
    con.execute(
        "insert into raw.schedule (game_id, game_date, season_type, home_team_abbreviation, away_team_abbreviation, "
        "game_status, _loaded_at, _source) values ('0022500100', ?, 'regular', 'BOS', 'NYK', 3, now(), 'test')",
        [day],
    )


def test_build_gate_refuses_a_missing_slate_and_names_the_game(warehouse_path):
    con = connect(load_settings())
    try:
        _schedule_final_game(con, date(2025, 11, 2))
        with pytest.raises(morning.GateClosed, match=r"1 final game\(s\) of 2025-11-02 have no box scores: 0022500100 NYK @ BOS"):
            morning.gate_build(con, date(2025, 11, 3))
        con.execute(
            "insert into raw.team_game_logs (game_id, game_date, team_abbreviation, matchup, pts, _loaded_at, _source) values "
            "('0022500100', '2025-11-02', 'BOS', 'BOS vs. NYK', 100, now(), 't'), ('0022500100', '2025-11-02', 'NYK', 'NYK @ BOS', 90, now(), 't')"
        )
        assert "inputs complete" in morning.gate_build(con, date(2025, 11, 3))
    finally:
        con.close()


def test_a_closed_gate_is_recorded_and_force_runs_the_phase(warehouse_path):
    settings = load_settings()
    con = connect(settings)
    _schedule_final_game(con, date(2025, 11, 2))
    con.close()
    ran = []
    blocked = morning._run_phase(settings, "r1", "build", date(2025, 11, 3), lambda c: morning.gate_build(c, date(2025, 11, 3)),
                                 lambda: ran.append(1) or "built", force=False)  # fmt: skip
    assert blocked.status == "blocked" and ran == []
    forced = morning._run_phase(settings, "r2", "build", date(2025, 11, 3), lambda c: morning.gate_build(c, date(2025, 11, 3)),
                                lambda: ran.append(1) or "built", force=True)  # fmt: skip
    assert forced.status == "success" and ran == [1]
    con = connect(settings)
    rows = con.execute("select status, forced from ops.pipeline_runs where phase = 'build' order by started_at").fetchall()
    con.close()
    assert rows == [("skipped", False), ("success", True)]


def test_backfill_records_a_failed_date_continues_and_resumes(warehouse_path, monkeypatch):
    calls: list[date] = []
    broken = {date(2025, 11, 2)}

    def fake_scrape(settings, day, sources, schedules=None):
        calls.append(day)
        if day in broken:
            raise RuntimeError(f"scrape of {day} incomplete: injected")
        return f"scraped {day}"

    monkeypatch.setattr(morning, "_scrape", fake_scrape)
    monkeypatch.setattr(morning, "_build", lambda settings, since=None: "built")
    settings = load_settings()
    done = morning.backfill(settings, date(2025, 11, 1), date(2025, 11, 3), echo=lambda s: None)
    assert calls == [date(2025, 11, 1), date(2025, 11, 2), date(2025, 11, 3)]
    assert done["failed"] == [date(2025, 11, 2)] and done["success"] == [date(2025, 11, 1), date(2025, 11, 3)]
    broken.clear()
    calls.clear()
    done = morning.backfill(settings, date(2025, 11, 1), date(2025, 11, 3), echo=lambda s: None)
    assert calls == [date(2025, 11, 2)]  # only the failed date is retried
    assert done["skipped"] == [date(2025, 11, 1), date(2025, 11, 3)] and done["success"] == [date(2025, 11, 2)]


def test_a_second_concurrent_run_exits_at_once_with_a_clear_message(warehouse_path):
    with warehouse_lock(warehouse_path, "run --date 2025-11-03"):
        with pytest.raises(WarehouseLocked):
            with warehouse_lock(warehouse_path, "another"):
                pass
        result = run_cli("run", "--date", "2025-11-03")
    assert result.exit_code == 3
    assert "another nbaprops command holds the warehouse lock" in result.stderr and "run --date 2025-11-03" in result.stderr
    with warehouse_lock(warehouse_path, "after"):  # released when the holder finished
        pass


@pytest.mark.parametrize(("predicted", "offered", "level"), [(95, 100, "ok"), (94, 100, "warn"), (85, 100, "warn"),
                                                             (84, 100, "critical"), (0, 0, "ok")])  # fmt: skip
def test_coverage_thresholds(predicted, offered, level):
    assert coverage_level(predicted, offered) == level


def test_monitor_alerts_the_webhook_and_exits_nonzero_on_critical(warehouse_path, httpserver, monkeypatch):
    con = connect(load_settings())
    _schedule_final_game(con, date(2025, 11, 2))  # a final slate whose box scores never came
    con.close()
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    monkeypatch.setenv("NBAPROPS_ALERT_WEBHOOK_URL", httpserver.url_for("/hook"))
    result = run_cli("monitor", "--date", "2025-11-03")
    assert result.exit_code == 1
    assert "critical  freshness" in result.output
    (request, _), = httpserver.log
    text = json.loads(request.data)["text"]
    assert "[critical] freshness" in text and "2025-11-02" in text


def _png_pixels_vary(path: Path) -> bool:
    """Decode just enough PNG to tell a blank (single-colour) screenshot from a rendered page."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    ink = sum(1 for b in raw[::7] if b not in (0, 255))  # not white, not a filter/zero byte
    return len(set(raw)) > 8 and ink / len(raw[::7]) > 0.002


def test_report_renders_in_headless_chromium_without_console_errors(warehouse_path, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no Chromium found (.ci/run installs Debian's chromium package)")
    from nbaprops.report import write_report

    page = write_report(load_settings(), date(2025, 11, 3), out_dir=tmp_path)
    html = page.read_text()
    assert "<script" not in html and "http://" not in html and "https://" not in html  # self-contained
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--window-size=1200,900", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shot.exists(), proc.stderr[-2000:]
    assert _png_pixels_vary(shot)
    console_errors = [l for l in proc.stderr.splitlines() if "CONSOLE" in l and ("ERROR" in l or "Uncaught" in l)]
    assert console_errors == []


def test_doctor_fails_on_a_broken_setting(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(blocker / "nbaprops.duckdb"))
    result = run_cli("doctor")
    assert result.exit_code == 1
    assert "FAIL settings" in result.output and "FAIL warehouse" in result.output
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(tmp_path / "ok" / "nbaprops.duckdb"))
    monkeypatch.delenv("NBAPROPS_BQ_PROJECT", raising=False)
    result = run_cli("--target", "bigquery", "doctor")
    assert re.search(r"FAIL credentials +NBAPROPS_BQ_PROJECT is not set", result.output), result.output
    assert "ok   imports" in result.output


def test_morning_run_against_the_simulated_apis_completes_every_phase(tmp_path, monkeypatch):
    """Backfill a few simulated days through the scrapers, train, run tonight; status shows every phase done."""
    from dataclasses import replace
    from datetime import timedelta

    from nbaprops.demo import DEMO_KEY, FAST_SCRAPES
    from nbaprops.settings import SourceSettings
    from nbaprops.sim import SimConfig, simulate_season
    from nbaprops.sim.serve import SimApi, start_server
    from predict import commands
    from predict.config import PredictConfig

    for key, value in FAST_SCRAPES.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(tmp_path / "wh" / "nbaprops.duckdb"))
    monkeypatch.setenv("NBAPROPS_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("NBAPROPS_MODEL_REGISTRY", str(tmp_path / "registry"))
    season = simulate_season(SimConfig(seed=3, days=12))
    running = start_server(SimApi(season, api_key=DEMO_KEY, quota=100_000))
    try:
        settings = replace(load_settings(), sources=SourceSettings(running.url, running.url, running.url, DEMO_KEY))
        tonight = season.tonight
        first = min(g.game_date for g in season.games)
        done = morning.backfill(settings, first, tonight - timedelta(days=2), echo=lambda s: None)
        assert done["failed"] == []
        commands.train(settings, PredictConfig())
        outcomes = morning.run_day(settings, tonight, echo=lambda s: None)
    finally:
        running.shutdown()
    assert [(o.phase, o.status) for o in outcomes] == [(p, "success") for p in morning.RUN_PHASES]
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(settings.duckdb_path))
    result = run_cli("status", "--date", str(tonight))
    assert result.exit_code == 0
    for phase in morning.RUN_PHASES:
        assert f"  {phase:<15} success" in result.output
    assert "phase 3         6/6 models built" in result.output
