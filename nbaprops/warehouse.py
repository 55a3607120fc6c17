"""The warehouse connection and the one way rows land in raw tables: whole partitions, in one transaction.

A load deletes the (``_source``, ``game_date``) partitions it brings and inserts their rows inside a
single transaction, so a rerun replaces rather than duplicates, and a failure anywhere leaves the
previous state untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import pandas as pd

from nbaprops.raw_tables import RawTable, create_raw_tables
from nbaprops.settings import Settings


@dataclass(frozen=True)
class LandedPartition:
    """What one load did to one raw table for one source."""

    table: str
    source: str
    dates: int
    rows: int


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open the local DuckDB warehouse, creating its folder and the raw tables if missing.

    Always read-write with default options: dbt-duckdb keeps its own connection open in this process,
    and DuckDB refuses a second connection to the same file with a different configuration.
    """
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.duckdb_path))
    con.execute("set TimeZone = 'UTC'")
    create_raw_tables(con)
    return con


def utc_now() -> datetime:
    """Naive UTC now: ``_loaded_at`` values are UTC timestamps without a zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def check_unique_sources(batches: list[tuple[RawTable, pd.DataFrame, str]]) -> None:
    """Two batches for one table with the same source would replace each other's partitions: refuse."""
    seen: set[tuple[str, str]] = set()
    for table, _, source in batches:
        if (table.name, source) in seen:
            raise ValueError(
                f"two inputs for {table.qualified} share the source name {source!r}; "
                "import them separately or rename one file"
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
            landed.append(
                LandedPartition(table.qualified, source, int(incoming["game_date"].nunique()), len(incoming))
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return landed
