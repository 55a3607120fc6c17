"""The DuckDB side of the warehouse seam: the local file, opened safely, and ``DuckDBWarehouse``.

A load deletes the (``_source``, ``game_date``) partitions it brings and inserts their rows inside a
single transaction, so a rerun replaces rather than duplicates, and a failure anywhere leaves the
previous state untouched.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from nbacore.raw_tables import RawTable, create_raw_tables
from nbacore.settings import Settings
from nbacore.warehouse import (
    JOBS,
    LandedPartition,
    Staged,
    Warehouse,
    WarehouseUnavailable,
    check_unique_sources,
    portable_type,
    split_name,
    utc_now,
)

DUCKDB_TYPES = {
    "string": "varchar",
    "int64": "bigint",
    "float64": "double",
    "bool": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}


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


PARAM = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)")


def duckdb_sql(sql: str) -> str:
    """The seam's ``@name`` parameters in DuckDB's spelling (``$name``)."""
    return PARAM.sub(r"$\1", sql)


class DuckDBWarehouse(Warehouse):
    """The local DuckDB file (``settings.duckdb_path``), opened as ``settings.access`` allows (``connect``)."""

    engine = "duckdb"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.target = settings.target
        self.con = connect(settings)

    @classmethod
    def on_connection(cls, con: duckdb.DuckDBPyConnection) -> DuckDBWarehouse:
        """The seam over a connection someone else opened and will close (tests, the bench)."""
        wh = cls.__new__(cls)
        wh.settings, wh.target, wh.con = None, "local", con
        return wh

    def describe(self) -> str:
        path = self.settings.duckdb_path if self.settings else self.con.execute("pragma database_list").fetchone()[2]
        return f"DuckDB {path}"

    def _run(self, sql: str, params: dict[str, Any] | None):
        JOBS["duckdb"] += 1
        used = set(PARAM.findall(sql))  # DuckDB refuses a named parameter the statement does not use
        return self.con.execute(duckdb_sql(sql), {k: v for k, v in (params or {}).items() if k in used})

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        return self._run(sql, params).df()

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        return self._run(sql, params).fetchall()

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int | None:
        found = self._run(sql, params).fetchall()
        return int(found[0][0]) if found and len(found[0]) == 1 and isinstance(found[0][0], int) else None

    def tables(self, schema: str) -> set[str]:
        found = self.con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [schema]
        ).fetchall()
        return {name for (name,) in found}

    def columns(self, qualified: str) -> list[str]:
        schema, name = split_name(qualified)
        found = self.con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, name],
        ).fetchall()
        return [c for (c,) in found]

    def ensure_table(self, qualified, columns, partition_by=None, cluster_by=None) -> None:
        """Create the schema and table, or add the columns declared since it was made (NULL in old rows).
        DuckDB has no partitions or clustering to declare; the arguments matter on BigQuery."""
        schema, _ = split_name(qualified)
        have = set(self.columns(qualified))
        if not have:
            self.con.execute(f"create schema if not exists {schema}")
            body = ", ".join(f"{c} {DUCKDB_TYPES[portable_type(t)]}" for c, t in columns.items())
            self.con.execute(f"create table if not exists {qualified} ({body})")
            return
        for c, t in columns.items():
            if c not in have:
                self.con.execute(f"alter table {qualified} add column {c} {DUCKDB_TYPES[portable_type(t)]}")

    def transaction(self, statements, staged=None) -> None:
        """Stage each frame as a typed temporary table, run the statements, commit; any error rolls back.
        A statement names a staged table as ``{name}``."""
        names = {name: f"_stage_{name}_{uuid.uuid4().hex[:8]}" for name in (staged or {})}
        self.con.execute("begin transaction")
        try:
            for name, stage in (staged or {}).items():
                self._stage(names[name], stage)
            for sql, params in statements:
                self._run(sql.format_map(names), params)
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        finally:
            for table in names.values():
                self.con.execute(f"drop table if exists {table}")

    def _stage(self, table: str, stage: Staged) -> None:
        frame = stage.frame
        shaped = pd.DataFrame({c: frame[c] if c in frame else None for c in stage.columns}, index=frame.index)
        self.con.register("_stage_input", shaped)
        casts = ", ".join(f"cast({c} as {DUCKDB_TYPES[portable_type(t)]}) as {c}" for c, t in stage.columns.items())
        self.con.execute(f"create temp table {table} as select {casts} from _stage_input")
        self.con.unregister("_stage_input")

    def land(self, batches, loaded_at=None) -> list[LandedPartition]:
        return replace_partitions(self.con, batches, loaded_at)

    def close(self) -> None:
        self.con.close()
