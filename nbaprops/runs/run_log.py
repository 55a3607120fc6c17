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

from nbacore.warehouse import JOBS, Warehouse, utc_now

TABLE = "ops.pipeline_runs"
COLUMNS = {
    "run_id": "string",
    "phase": "string",
    "game_date": "date",
    "status": "string",  # running, success, failed, skipped, abandoned
    "rows": "int64",
    "detail": "string",
    "forced": "bool",
    "started_at": "timestamp",
    "finished_at": "timestamp",
    "error": "string",
    "pid": "int64",  # the process running the phase, so a killed one can be told apart
    "host": "string",
    "pid_started": "string",  # that pid's start time (Linux clock ticks since boot), as pids are reused
    "warehouse_jobs": "int64",  # BigQuery jobs the phase issued from Python (its cost), NULL on DuckDB
}
# Added after the table first shipped; older tables gain them on their next write and read NULL until then.
LATER_COLUMNS = ("pid", "host", "pid_started", "warehouse_jobs")
STATE_COLUMNS = "phase, status, rows, detail, finished_at, error, forced"


@dataclass
class PhaseRecord:
    """What a phase reports while it runs: rows it produced and a one-line detail."""

    rows: int | None = None
    detail: str | None = None
    jobs_before: int = 0  # BigQuery jobs issued in this process before the phase started


def new_run_id(now: datetime | None = None) -> str:
    stamp = (now or utc_now()).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def ensure_table(wh: Warehouse) -> None:
    """Create the table (partitioned by game_date on BigQuery), or add the columns added since it was made."""
    wh.ensure_table(TABLE, COLUMNS, partition_by="game_date")


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


def close_abandoned(wh: Warehouse, noticed_by: str) -> int:
    """Mark ``running`` rows whose process is gone as ``abandoned``, with when (finished_at) and why (error).

    Called when a writing run starts, so a killed run's rows are closed rather than left running forever.
    """
    ensure_table(wh)
    running = wh.rows(
        "select run_id, phase, game_date, pid, host, pid_started from ops.pipeline_runs where status = 'running'"
    )
    now = utc_now()
    closed = 0
    for run_id, phase, game_date, pid, host, pid_started in running:
        gone = process_gone(pid, host, pid_started)
        if gone is None:
            continue
        reason = f"{_abandoned_reason(gone)} (noticed by {noticed_by} at {now:%Y-%m-%d %H:%M:%S} UTC)"
        wh.execute(
            "update ops.pipeline_runs set status = 'abandoned', finished_at = @now, error = @reason "
            "where run_id = @run_id and phase = @phase and game_date = @game_date and status = 'running'",
            {"now": now, "reason": reason, "run_id": run_id, "phase": phase, "game_date": game_date},
        )
        closed += 1
    return closed


@contextmanager
def track_phase(wh: Warehouse, run_id: str, phase: str, game_date: date, forced: bool = False):
    """Record a phase for a date: 'running' at start, then 'success' or 'failed' with the error.

    The exception is re-raised after it is recorded, so callers decide what a failure means.
    """
    ensure_table(wh)
    started = utc_now()
    pid, host, pid_started = this_process()
    wh.execute(
        "insert into ops.pipeline_runs (run_id, phase, game_date, status, forced, started_at, pid, host, pid_started) "
        "values (@run_id, @phase, @game_date, 'running', @forced, @started, @pid, @host, @pid_started)",
        {
            "run_id": run_id,
            "phase": phase,
            "game_date": game_date,
            "forced": forced,
            "started": started,
            "pid": pid,
            "host": host,
            "pid_started": pid_started,
        },
    )
    record = PhaseRecord(jobs_before=JOBS["bigquery"])
    try:
        yield record
    except BaseException as exc:
        _finish(wh, run_id, phase, game_date, "failed", record, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(wh, run_id, phase, game_date, "success", record)


def record_skip(wh: Warehouse, run_id: str, phase: str, game_date: date, reason: str) -> None:
    ensure_table(wh)
    now = utc_now()
    pid, host, pid_started = this_process()
    wh.execute(
        "insert into ops.pipeline_runs (run_id, phase, game_date, status, detail, forced, started_at, finished_at, "
        "pid, host, pid_started) values (@run_id, @phase, @game_date, 'skipped', @reason, false, @now, @now, @pid, "
        "@host, @pid_started)",
        {
            "run_id": run_id,
            "phase": phase,
            "game_date": game_date,
            "reason": reason,
            "now": now,
            "pid": pid,
            "host": host,
            "pid_started": pid_started,
        },
    )


def _finish(wh, run_id, phase, game_date, status, record: PhaseRecord, error: str | None = None) -> None:
    """Close the phase's row; on BigQuery with the number of jobs the phase issued (this closing one included)."""
    jobs = JOBS["bigquery"] - record.jobs_before + 1 if wh.engine == "bigquery" else None
    wh.execute(
        "update ops.pipeline_runs set status = @status, rows = @rows, detail = @detail, finished_at = @now, "
        "error = @error, warehouse_jobs = @jobs where run_id = @run_id and phase = @phase and game_date = @game_date",
        {
            "status": status,
            "rows": record.rows,
            "detail": record.detail,
            "now": utc_now(),
            "error": error,
            "jobs": jobs,
            "run_id": run_id,
            "phase": phase,
            "game_date": game_date,
        },
    )


def latest_phase_states(wh: Warehouse, game_date: date) -> list[tuple]:
    """The latest record of each phase for a date: (phase, status, rows, detail, finished_at, error, forced).

    Creates and changes nothing: ``status`` reads through a read-only connection, and no run yet means no
    records. A ``running`` row whose process is gone reads as ``abandoned`` (the next run closes it for good).
    """
    have = set(wh.columns(TABLE))
    if not have:
        return []
    process = ", ".join(name if name in have else f"null as {name}" for name in ("pid", "host", "pid_started"))
    rows = wh.rows(
        f"""
        select {STATE_COLUMNS}, {process}
        from ops.pipeline_runs
        where game_date = @game_date
        qualify row_number() over (partition by phase order by started_at desc) = 1
        order by started_at
        """,
        {"game_date": game_date},
    )
    return [_as_seen_now(row) for row in rows]


def _as_seen_now(row: tuple) -> tuple:
    """A state row without its process columns; ``running`` becomes ``abandoned`` when its process is gone."""
    phase, status, rows, detail, finished_at, error, forced, pid, host, pid_started = row
    gone = process_gone(pid, host, pid_started) if status == "running" else None
    if gone is not None:
        status, error = "abandoned", _abandoned_reason(gone)
    return phase, status, rows, detail, finished_at, error, forced
