"""The warehouse connection and the one way rows land in raw tables: whole partitions, in one transaction.

A load deletes the (``_source``, ``game_date``) partitions it brings and inserts their rows inside a
single transaction, so a rerun replaces rather than duplicates, and a failure anywhere leaves the
previous state untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from nbacore.raw_tables import RawTable, create_raw_tables
from nbacore.settings import Settings


@dataclass(frozen=True)
class LandedPartition:
    """What one load did to one raw table for one source."""

    table: str
    source: str
    dates: int
    rows: int


class WarehouseUnavailable(RuntimeError):
    """The warehouse cannot be opened as this command needs; the message is one line naming the path and the
    fix, and ``code`` is the exit code the CLI uses (2 a wrong path, 3 busy elsewhere, 1 anything else)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# Set on every instance right after it opens. Not passed as connect-time config: dbt-duckdb keeps its own
# connection open in this process (and tests open the file directly), and DuckDB refuses a second connection
# to one file with a different configuration. A SET here is instance-wide, so dbt's queries get it too.
NO_EXTENSION_DOWNLOADS = ("set autoload_known_extensions = false", "set autoinstall_known_extensions = false")
MISSING_HINT = "import data first (nbaprops import ...) or check NBAPROPS_DUCKDB_PATH"


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open the local DuckDB warehouse as ``settings.access`` allows: "read" read-only, "write" read-write on
    an existing warehouse, "create" read-write, starting the file, its folder and the raw tables if missing.

    A mistyped path must not quietly become a new empty warehouse, and a path to some other file must never
    reach DuckDB (it would try to download an extension to read it), hence ``check_warehouse_file`` first.
    """
    check_warehouse_file(settings)
    read_only = settings.access == "read"
    if not read_only:
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    con = open_duckdb(settings.duckdb_path, read_only)
    con.execute("set TimeZone = 'UTC'")
    if not read_only:
        create_raw_tables(con)
    return con


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    """Whether ``schema.table`` exists (built by dbt, or created by a step that owns it)."""
    schema, name = qualified.split(".")
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
    ).fetchone()[0]
    return bool(found)


def check_warehouse_file(settings: Settings) -> None:
    """Refuse a missing warehouse unless the command may start one, and any file that is not a DuckDB database
    (DuckDB's own files carry ``DUCK`` at byte 8)."""
    path = settings.duckdb_path
    if not path.exists():
        if settings.access == "create":
            return
        raise WarehouseUnavailable(f"no warehouse at {path}: {MISSING_HINT}", code=2)
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise WarehouseUnavailable(
            f"cannot read the warehouse {path}: {exc.strerror}; check NBAPROPS_DUCKDB_PATH and the file's permissions",
            code=2,
        ) from None
    if head[8:12] != b"DUCK":
        kind = (
            " (it is a SQLite database)"
            if head.startswith(b"SQLite format 3")
            else " (it is empty)"
            if not head
            else ""
        )
        raise WarehouseUnavailable(
            f"{path} is not a DuckDB warehouse{kind}; point NBAPROPS_DUCKDB_PATH at the "
            "warehouse's .duckdb file, or at a new path to start one",
            code=2,
        )


def open_duckdb(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` with DuckDB's errors turned into one line, and no extension ever downloaded."""
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.ConnectionException as exc:
        if read_only and "different configuration" in str(exc):
            # This process already has the file open read-write (dbt's cached connection, or a morning run's
            # report phase): read through that instance, which holds DuckDB's lock anyway.
            return open_duckdb(path, read_only=False)
        raise WarehouseUnavailable(open_failure(path, exc)) from None
    except duckdb.Error as exc:
        raise WarehouseUnavailable(open_failure(path, exc), code=3 if _held_elsewhere(exc) else 1) from None
    for statement in NO_EXTENSION_DOWNLOADS:
        con.execute(statement)
    return con


def _held_elsewhere(exc: duckdb.Error) -> re.Match | None:
    return re.search(r"Could not set lock on file(?:.*?held in (.+?) \(PID (\d+)\))?", str(exc))


def open_failure(path: Path, exc: duckdb.Error) -> str:
    """One line for a DuckDB error at open: who holds the file when that is the reason."""
    held = _held_elsewhere(exc)
    if held:
        holder = f" (pid {held.group(2)}, {Path(held.group(1)).name})" if held.group(2) else ""
        return f"the warehouse {path} is in use by another process{holder}; wait for it to finish, then run this again"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot open the warehouse {path}: {first}; check NBAPROPS_DUCKDB_PATH"


def utc_now() -> datetime:
    """Naive UTC now: ``_loaded_at`` values are UTC timestamps without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


def check_unique_sources(batches: list[tuple[RawTable, pd.DataFrame, str]]) -> None:
    """Two batches for one table with the same source would replace each other's partitions: refuse."""
    seen: set[tuple[str, str]] = set()
    for table, _, source in batches:
        if (table.name, source) in seen:
            raise ValueError(
                f"two inputs for {table.qualified} share the source name {source!r} (one file or feed given "
                "twice); give each once"
            )
        seen.add((table.name, source))


def replace_partitions(
    con: duckdb.DuckDBPyConnection,
    batches: list[tuple[RawTable, pd.DataFrame, str]],
    loaded_at: datetime | None = None,
) -> list[LandedPartition]:
    """Land (table, rows, source) batches: per batch, replace the (source, game_date) partitions it covers.

    All batches commit together or not at all.
    """
    loaded_at = loaded_at or utc_now()
    check_unique_sources(batches)
    landed: list[LandedPartition] = []
    con.execute("begin transaction")
    try:
        for table, frame, source in batches:
            incoming = frame.copy()
            incoming["_loaded_at"] = loaded_at
            incoming["_source"] = source
            con.register("incoming_rows", incoming)
            con.execute(
                f"delete from {table.qualified} where _source = ? "
                "and game_date in (select distinct cast(game_date as date) from incoming_rows)",
                [source],
            )
            casts = ", ".join(f"cast({name} as {sql_type})" for name, sql_type in table.columns.items())
            con.execute(f"insert into {table.qualified} select {casts} from incoming_rows")
            con.unregister("incoming_rows")
            landed.append(LandedPartition(table.qualified, source, int(incoming["game_date"].nunique()), len(incoming)))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return landed
