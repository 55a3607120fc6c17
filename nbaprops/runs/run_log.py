"""Completion tracking: one row per (run, phase, game_date) in ops.pipeline_runs.

The system this replaces was debugged by guessing which date each phase had processed; here every
phase of every run records the date it processed, its status, rows and error, so `nbaprops status`
can answer from the warehouse.

A phase's row says ``running`` until the phase ends, so a process killed mid-phase (``kill -9``, the OOM
killer, a reboot) would leave it ``running`` forever. Each row therefore records the process that runs it
(pid, host, and the pid's start time, since pids are reused); ``status`` shows a ``running`` row whose
process is gone as ``abandoned``, and the next ``run`` or ``backfill`` closes it so in the table.
"""

from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from nbacore.warehouse import utc_now

PIPELINE_RUNS_DDL = """
create schema if not exists ops;
create table if not exists ops.pipeline_runs (
    run_id varchar,
    phase varchar,
    game_date date,
    status varchar,          -- running, success, failed, skipped, abandoned
    rows bigint,
    detail varchar,
    forced boolean,
    started_at timestamp,
    finished_at timestamp,
    error varchar,
    pid bigint,              -- the process running the phase, so a killed one can be told apart
    host varchar,
    pid_started varchar      -- that pid's start time (Linux clock ticks since boot), as pids are reused
);
"""
# Added after the table first shipped; older warehouses get them on their next write.
PROCESS_COLUMNS = {"pid": "bigint", "host": "varchar", "pid_started": "varchar"}
STATE_COLUMNS = "phase, status, rows, detail, finished_at, error, forced"


@dataclass
class PhaseRecord:
    """What a phase reports while it runs: rows it produced and a one-line detail."""

    rows: int | None = None
    detail: str | None = None


def new_run_id(now: datetime | None = None) -> str:
    stamp = (now or utc_now()).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def _columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Columns of ops.pipeline_runs (empty when no run has made it yet)."""
    found = con.execute(
        "select column_name from information_schema.columns where table_schema = 'ops' and table_name = 'pipeline_runs'"
    ).fetchall()
    return {name for (name,) in found}


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table, or add the process columns to one made before they existed."""
    have = _columns(con)
    if not have:
        con.execute(PIPELINE_RUNS_DDL)
    for name, kind in PROCESS_COLUMNS.items():
        if have and name not in have:
            con.execute(f"alter table ops.pipeline_runs add column {name} {kind}")


def _pid_start(pid: int) -> str | None:
    """When process ``pid`` started (field 22 of /proc/<pid>/stat), or None: no such live process, or no /proc.
    A zombie (killed, not yet reaped by its parent) is no live process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the fields after the command name, from field 3 (state) on
    return None if fields[0] == "Z" else fields[19]


def this_process() -> tuple[int, str, str | None]:
    """(pid, host, pid start time) of this process, as recorded with every phase it runs."""
    return os.getpid(), socket.gethostname(), _pid_start(os.getpid())


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True


def process_gone(pid: int | None, host: str | None, pid_started: str | None) -> str | None:
    """Why the process that wrote a ``running`` row is certainly gone, or None when it may still be running.

    Only this host's processes can be checked; a row written elsewhere, or before pids were recorded, is left
    as it is rather than guessed about.
    """
    if pid is None or host != socket.gethostname():
        return None
    if pid_started is not None:  # recorded from /proc, so /proc answers for this host
        now_started = _pid_start(pid)
        if now_started == pid_started:
            return None
        return f"process {pid} on {host} is gone" + (" (its pid now belongs to a later process)" if now_started else "")
    return None if _pid_exists(pid) else f"process {pid} on {host} is gone"


def _abandoned_reason(gone: str) -> str:
    return f"{gone}: it was killed or crashed before finishing this phase"


def close_abandoned(con: duckdb.DuckDBPyConnection, noticed_by: str) -> int:
    """Mark ``running`` rows whose process is gone as ``abandoned``, with when (finished_at) and why (error).

    Called when a writing run starts, so a killed run's rows are closed rather than left running forever.
    """
    ensure_table(con)
    running = con.execute(
        "select run_id, phase, game_date, pid, host, pid_started from ops.pipeline_runs where status = 'running'"
    ).fetchall()
    now = utc_now()
    closed = 0
    for run_id, phase, game_date, pid, host, pid_started in running:
        gone = process_gone(pid, host, pid_started)
        if gone is None:
            continue
        reason = f"{_abandoned_reason(gone)} (noticed by {noticed_by} at {now:%Y-%m-%d %H:%M:%S} UTC)"
        con.execute(
            "update ops.pipeline_runs set status = 'abandoned', finished_at = ?, error = ? "
            "where run_id = ? and phase = ? and game_date = ? and status = 'running'",
            [now, reason, run_id, phase, game_date],
        )
        closed += 1
    return closed


@contextmanager
def track_phase(con: duckdb.DuckDBPyConnection, run_id: str, phase: str, game_date: date, forced: bool = False):
    """Record a phase for a date: 'running' at start, then 'success' or 'failed' with the error.

    The exception is re-raised after it is recorded, so callers decide what a failure means.
    """
    ensure_table(con)
    started = utc_now()
    pid, host, pid_started = this_process()
    con.execute(
        "insert into ops.pipeline_runs (run_id, phase, game_date, status, forced, started_at, pid, host, pid_started) "
        "values (?, ?, ?, 'running', ?, ?, ?, ?, ?)",
        [run_id, phase, game_date, forced, started, pid, host, pid_started],
    )
    record = PhaseRecord()
    try:
        yield record
    except BaseException as exc:
        _finish(con, run_id, phase, game_date, "failed", record, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(con, run_id, phase, game_date, "success", record)


def record_skip(con: duckdb.DuckDBPyConnection, run_id: str, phase: str, game_date: date, reason: str) -> None:
    ensure_table(con)
    now = utc_now()
    pid, host, pid_started = this_process()
    con.execute(
        "insert into ops.pipeline_runs (run_id, phase, game_date, status, detail, forced, started_at, finished_at, "
        "pid, host, pid_started) values (?, ?, ?, 'skipped', ?, false, ?, ?, ?, ?, ?)",
        [run_id, phase, game_date, reason, now, now, pid, host, pid_started],
    )


def _finish(con, run_id, phase, game_date, status, record: PhaseRecord, error: str | None = None) -> None:
    con.execute(
        "update ops.pipeline_runs set status = ?, rows = ?, detail = ?, finished_at = ?, error = ? "
        "where run_id = ? and phase = ? and game_date = ?",
        [status, record.rows, record.detail, utc_now(), error, run_id, phase, game_date],
    )


def latest_phase_states(con: duckdb.DuckDBPyConnection, game_date: date) -> list[tuple]:
    """The latest record of each phase for a date: (phase, status, rows, detail, finished_at, error, forced).

    Creates and changes nothing: ``status`` reads through a read-only connection, and no run yet means no
    records. A ``running`` row whose process is gone reads as ``abandoned`` (the next run closes it for good).
    """
    have = _columns(con)
    if not have:
        return []
    process = ", ".join(name if name in have else f"null as {name}" for name in PROCESS_COLUMNS)
    rows = con.execute(
        f"""
        select {STATE_COLUMNS}, {process}
        from ops.pipeline_runs
        where game_date = ?
        qualify row_number() over (partition by phase order by started_at desc) = 1
        order by started_at
        """,
        [game_date],
    ).fetchall()
    return [_as_seen_now(row) for row in rows]


def _as_seen_now(row: tuple) -> tuple:
    """A state row without its process columns; ``running`` becomes ``abandoned`` when its process is gone."""
    phase, status, rows, detail, finished_at, error, forced, pid, host, pid_started = row
    gone = process_gone(pid, host, pid_started) if status == "running" else None
    if gone is not None:
        status, error = "abandoned", _abandoned_reason(gone)
    return phase, status, rows, detail, finished_at, error, forced
