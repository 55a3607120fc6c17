"""Completion tracking: one row per (run, phase, game_date) in ops.pipeline_runs.

The system this replaces was debugged by guessing which date each phase had processed; here every
phase of every run records the date it processed, its status, rows and error, so `nbaprops status`
can answer from the warehouse.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from nbaprops.warehouse import utc_now

PIPELINE_RUNS_DDL = """
create schema if not exists ops;
create table if not exists ops.pipeline_runs (
    run_id varchar,
    phase varchar,
    game_date date,
    status varchar,          -- running, success, failed, skipped
    rows bigint,
    detail varchar,
    forced boolean,
    started_at timestamp,
    finished_at timestamp,
    error varchar
);
"""


@dataclass
class PhaseRecord:
    """What a phase reports while it runs: rows it produced and a one-line detail."""

    rows: int | None = None
    detail: str | None = None


def new_run_id(now: datetime | None = None) -> str:
    stamp = (now or utc_now()).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(PIPELINE_RUNS_DDL)


@contextmanager
def track_phase(con: duckdb.DuckDBPyConnection, run_id: str, phase: str, game_date: date, forced: bool = False):
    """Record a phase for a date: 'running' at start, then 'success' or 'failed' with the error.

    The exception is re-raised after it is recorded, so callers decide what a failure means.
    """
    ensure_table(con)
    started = utc_now()
    con.execute(
        "insert into ops.pipeline_runs values (?, ?, ?, 'running', null, null, ?, ?, null, null)",
        [run_id, phase, game_date, forced, started],
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
    con.execute(
        "insert into ops.pipeline_runs values (?, ?, ?, 'skipped', null, ?, false, ?, ?, null)",
        [run_id, phase, game_date, reason, now, now],
    )


def _finish(con, run_id, phase, game_date, status, record: PhaseRecord, error: str | None = None) -> None:
    con.execute(
        "update ops.pipeline_runs set status = ?, rows = ?, detail = ?, finished_at = ?, error = ? "
        "where run_id = ? and phase = ? and game_date = ?",
        [status, record.rows, record.detail, utc_now(), error, run_id, phase, game_date],
    )


def latest_phase_states(con: duckdb.DuckDBPyConnection, game_date: date) -> list[tuple]:
    """The latest record of each phase for a date: (phase, status, rows, detail, finished_at, error, forced)."""
    ensure_table(con)
    return con.execute(
        """
        select phase, status, rows, detail, finished_at, error, forced
        from ops.pipeline_runs
        where game_date = ?
        qualify row_number() over (partition by phase order by started_at desc) = 1
        order by started_at
        """,
        [game_date],
    ).fetchall()
