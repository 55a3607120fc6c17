"""Issue 14 items 1, 5, 9a and 9b: how commands open the warehouse and who may write it.

Each test is named for the hole it closes. "Another process" is a real child process (it takes the lock or
opens DuckDB and sleeps), because both the flock and DuckDB's file lock are per process. Every source URL
points at a closed loopback port, so a command that wrongly went on to scrape could not leave the machine.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from support.helpers import run_cli

from nbacore.lock import warehouse_lock
from nbacore.settings import PROJECT_DIR, load_settings
from nbacore.warehouse.duckdb_engine import connect

SLIM_CSV = (
    "PLAYER_ID,PLAYER_NAME,TEAM_ABBREVIATION,GAME_DATE,MATCHUP,WL,MIN,PTS,REB,AST,STL,BLK,TOV,FG_PCT,FG3_PCT,FT_PCT,PLUS_MINUS,SEASON_TYPE\n"
    "3,Jaren Jackson Jr.,MEM,2025-10-22,MEM vs. NOP,W,30,20,6,1,1,2,2,0.5,0.4,0.8,5,Regular Season\n"
    "4,Zion Williamson,NOP,2025-10-22,NOP @ MEM,L,32,25,7,4,1,0,3,0.6,,0.7,-5,Regular Season\n"
)
HOLDER = "run --date 2025-11-03"


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    """No source reachable, a private landing folder."""
    for name in ("NBAPROPS_CDN_BASE_URL", "NBAPROPS_STATS_BASE_URL", "NBAPROPS_ODDS_BASE_URL"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.setenv("NBAPROPS_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("NBAPROPS_TARGET", "local")


def use_warehouse(monkeypatch, path: Path) -> Path:
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(path))
    return path


def game_logs(tmp_path: Path) -> Path:
    path = tmp_path / "slim.csv"
    path.write_text(SLIM_CSV, encoding="utf-8")
    return path


def schedule_a_game(path: Path) -> None:
    """Start a warehouse at ``path`` holding one scheduled game."""
    con = connect(replace(load_settings(), duckdb_path=path))
    try:
        con.execute(
            "insert into raw.schedule (game_id, game_date, home_team_abbreviation, away_team_abbreviation, "
            "_loaded_at, _source) values ('0022500100', '2025-11-02', 'BOS', 'NYK', now(), 'test')"
        )
    finally:
        con.close()


def rows(path: Path, table: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


@contextmanager
def child(code: str):
    """A child process that runs ``code`` (which takes a lock), prints "held", then sleeps until killed."""
    script = f"import sys, time\n{code}\nprint('held', flush=True)\ntime.sleep(60)\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=PROJECT_DIR, env=dict(os.environ)
    )
    try:
        assert proc.stdout.readline().strip() == "held", "the child process could not take its lock"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def one_error_line(result) -> str:
    """The command failed with exactly one `error:` line on stderr and no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_hole_1_a_warehouse_named_dot_lock_keeps_its_rows_when_locked(tmp_path, monkeypatch):
    path = use_warehouse(monkeypatch, tmp_path / "warehouse.lock")
    schedule_a_game(path)
    with warehouse_lock(path, HOLDER):  # what every writing command does around its work
        pass
    assert rows(path, "raw.schedule") == 1


def test_hole_1_a_lock_path_that_resolves_to_the_warehouse_is_refused(tmp_path, monkeypatch):
    path = use_warehouse(monkeypatch, tmp_path / "nbaprops.duckdb")
    schedule_a_game(path)
    (tmp_path / "nbaprops.duckdb.nbaprops-lock").symlink_to(path)  # a lock that *is* the warehouse
    result = run_cli("import", "game-logs", game_logs(tmp_path))
    line = one_error_line(result)
    assert result.exit_code == 2 and str(path) in line and "is the warehouse itself" in line
    assert rows(path, "raw.schedule") == 1


def test_hole_5_every_writing_command_refuses_while_another_holds_the_lock(tmp_path, monkeypatch):
    path = use_warehouse(monkeypatch, tmp_path / "nbaprops.duckdb")
    connect(load_settings()).close()
    writers = [
        ["import", "game-logs", game_logs(tmp_path)],
        ["build"],
        ["train"],
        ["score", "--date", "2025-11-03"],
        ["grade", "--date", "2025-11-02"],
        ["backtest", "--start", "2025-11-01", "--end", "2025-11-02"],
        ["replay", "--date", "2025-11-02"],
        ["scrape", "--date", "2025-11-02"],
        ["backfill", "--start", "2025-11-01", "--end", "2025-11-02"],
        ["run", "--date", "2025-11-03"],
    ]
    take = f"from pathlib import Path\nfrom nbacore.lock import warehouse_lock\nheld = warehouse_lock(Path({str(path)!r}), {HOLDER!r})\nheld.__enter__()"
    with child(take) as holder:
        for args in writers:
            result = run_cli(*args)
            line = one_error_line(result)
            assert result.exit_code == 3, (args, line)
            assert HOLDER in line and f"pid {holder.pid}" in line, (args, line)
    assert rows(path, "raw.player_game_logs") == 0 and rows(path, "raw.scrape_attempts") == 0  # nothing landed


def test_hole_5_read_only_commands_open_the_warehouse_read_only(tmp_path, monkeypatch):
    path = use_warehouse(monkeypatch, tmp_path / "nbaprops.duckdb")
    connect(load_settings()).close()
    # A second reader holds DuckDB's shared lock: a read-write open would be refused, a read-only one is not.
    with child(f"import duckdb\ncon = duckdb.connect({str(path)!r}, read_only=True)"):
        status = run_cli("status", "--date", "2025-11-03")
        assert status.exit_code == 0, (status.stderr, status.exception)
        assert "game date 2025-11-03" in status.output
        monitor = run_cli("monitor", "--date", "2025-11-03")
        # It opened and answered (read-only); the empty warehouse is critical: nothing ran for that date.
        assert monitor.exit_code == 1 and monitor.exception is None or isinstance(monitor.exception, SystemExit)
        assert "nothing ran for 2025-11-03" in monitor.output, monitor.output


def test_hole_5_a_reader_during_a_write_gets_one_line_not_a_traceback(tmp_path, monkeypatch):
    path = use_warehouse(monkeypatch, tmp_path / "nbaprops.duckdb")
    connect(load_settings()).close()
    with child(f"import duckdb\ncon = duckdb.connect({str(path)!r})") as writer:
        for args in (["status", "--date", "2025-11-03"], ["counts"], ["monitor", "--date", "2025-11-03"]):
            result = run_cli(*args)
            line = one_error_line(result)
            assert result.exit_code == 3, (args, line)
            assert str(path) in line and str(writer.pid) in line, (args, line)


def test_hole_9_a_a_non_duckdb_warehouse_is_named_and_no_extension_is_fetched(tmp_path, monkeypatch):
    use_warehouse(monkeypatch, tmp_path / "nbaprops.duckdb")
    con = connect(load_settings())
    try:
        assert con.execute(
            "select current_setting('autoload_known_extensions'), current_setting('autoinstall_known_extensions')"
        ).fetchone() == (False, False)
    finally:
        con.close()
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database\n")
    sqlite_file = tmp_path / "league.sqlite"
    sqlite = sqlite3.connect(sqlite_file)
    sqlite.execute("create table t (x)")
    sqlite.commit()
    sqlite.close()
    for path in (text, sqlite_file):
        use_warehouse(monkeypatch, path)
        before = path.read_bytes()
        for args in (["status", "--date", "2025-11-03"], ["import", "game-logs", game_logs(tmp_path)], ["build"]):
            result = run_cli(*args)
            line = one_error_line(result)
            assert result.exit_code == 2 and str(path) in line and "is not a DuckDB warehouse" in line, (args, line)
        assert path.read_bytes() == before


def test_hole_9_b_a_mistyped_warehouse_path_is_refused_not_created(tmp_path, monkeypatch):
    mistyped = use_warehouse(monkeypatch, tmp_path / "warehous" / "nbaprops.dukdb")
    for args in (
        ["status", "--date", "2025-11-03"],
        ["counts"],
        ["monitor", "--date", "2025-11-03"],
        ["report", "--date", "2025-11-03"],
        ["build"],
        ["train"],
        ["score", "--date", "2025-11-03"],
        ["grade", "--date", "2025-11-02"],
        ["backtest", "--start", "2025-11-01", "--end", "2025-11-02"],
    ):
        result = run_cli(*args)
        line = one_error_line(result)
        assert result.exit_code == 2, (args, line)
        assert str(mistyped) in line and "NBAPROPS_DUCKDB_PATH" in line, (args, line)
    assert not mistyped.parent.exists()
    # The commands that legitimately start a warehouse still do (replay: from an empty archive, offline).
    result = run_cli("replay", "--date", "2025-11-02")
    assert result.exit_code == 0, (result.stderr, result.exception)
    assert rows(mistyped, "raw.schedule") == 0
