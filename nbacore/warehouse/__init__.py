"""The one seam between Python and the warehouse: DuckDB (the laptop default) or BigQuery, chosen by the target.

Everything in ``scrapers/``, ``predict/``, the importers and the runs reaches a warehouse through a
``Warehouse`` from ``open_warehouse(settings)``; only ``duckdb_engine`` and ``bigquery_engine`` (with the
partition loader ``bigquery_loader``) import ``duckdb`` or ``google.cloud.bigquery`` for that (a contract in
``pyproject.toml`` says so). What a caller can do, on either engine:

- ``query`` / ``rows`` / ``scalar``: read with SQL both engines run (GoogleSQL-compatible: no ``::``, no
  ``filter (where ...)``, no ``group by all``); parameters are written ``@name`` and given as a dict.
- ``execute``: one DDL or DML statement; returns the rows a DML statement changed.
- ``table_exists``, ``columns``, ``tables``: what is there, without reading rows.
- ``ensure_table``: create a table a step owns (and its schema/dataset), or add the columns it gained since;
  partitioned by a date column where it grows with dates.
- ``transaction``: stage frames as typed tables, then run statements against them all-or-nothing.
- ``land``: replace the (``_source``, ``game_date``) partitions of raw tables, all batches or none.

Column types are given in the dbt contracts' words (``string``, ``int64``, ``float64``, ``bool``, ``date``,
``timestamp``); DuckDB's own names (``varchar``, ``bigint``, ``double`` ...) are accepted too. Timestamps are
naive UTC on both engines, and frames come back with the same pandas types from both.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from nbacore.settings import Settings

ENGINES = {"local": "duckdb", "bigquery": "bigquery", "bigquery_emulator": "bigquery"}

# Portable column types, and the DuckDB spellings older declarations use.
PORTABLE_TYPES = ("string", "int64", "float64", "bool", "date", "timestamp")
TYPE_ALIASES = {
    "varchar": "string",
    "text": "string",
    "bigint": "int64",
    "integer": "int64",
    "int": "int64",
    "double": "float64",
    "float": "float64",
    "boolean": "bool",
}

# Queries and jobs issued in this process, per engine: the BigQuery cost of a step is its number of jobs.
JOBS: Counter = Counter()


def portable_type(name: str) -> str:
    """``name`` in the portable vocabulary; an unknown type is refused naming the known ones."""
    kind = TYPE_ALIASES.get(name.lower(), name.lower())
    if kind not in PORTABLE_TYPES:
        raise ValueError(f"column type {name!r} is not one the warehouse seam knows; use one of {PORTABLE_TYPES}")
    return kind


@dataclass(frozen=True)
class LandedPartition:
    """What one load did to one raw table for one source."""

    table: str
    source: str
    dates: int
    rows: int


@dataclass(frozen=True)
class Staged:
    """Rows a transaction reads: ``frame`` typed as ``columns`` (name -> type); missing columns are NULL."""

    frame: pd.DataFrame
    columns: dict[str, str]


class WarehouseUnavailable(RuntimeError):
    """The warehouse cannot be opened as this command needs; the message is one line naming the path and the
    fix, and ``code`` is the exit code the CLI uses (2 a wrong path, 3 busy elsewhere, 1 anything else)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class Warehouse:
    """What every engine offers; see the module docstring. Use as a context manager (closes on exit)."""

    engine = "abstract"
    target = "abstract"

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        raise NotImplementedError

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        """Rows as Python tuples (None for missing, dates as ``datetime.date``), as DuckDB's ``fetchall`` gives."""
        raise NotImplementedError

    def scalar(self, sql: str, params: dict[str, Any] | None = None):
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int | None:
        raise NotImplementedError

    def table_exists(self, qualified: str) -> bool:
        return split_name(qualified)[1] in self.tables(split_name(qualified)[0])

    def columns(self, qualified: str) -> list[str]:
        raise NotImplementedError

    def tables(self, schema: str) -> set[str]:
        raise NotImplementedError

    def ensure_table(
        self,
        qualified: str,
        columns: dict[str, str],
        partition_by: str | None = None,
        cluster_by: list[str] | None = None,
    ) -> None:
        raise NotImplementedError

    def transaction(self, statements: list[tuple[str, dict[str, Any]]], staged: dict[str, Staged] | None = None):
        raise NotImplementedError

    def land(self, batches: list, loaded_at: datetime | None = None) -> list[LandedPartition]:
        raise NotImplementedError

    def describe(self) -> str:
        """Where this warehouse is, for messages (never a secret)."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def split_name(qualified: str) -> tuple[str, str]:
    """``schema.table`` -> (schema, table); anything else is refused (a name must say its schema)."""
    parts = qualified.split(".")
    if len(parts) != 2 or not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p) for p in parts):
        raise ValueError(f"table name {qualified!r} must be schema.table (letters, digits, underscores)")
    return parts[0], parts[1]


def engine_of(target: str) -> str:
    try:
        return ENGINES[target]
    except KeyError:
        raise ValueError(f"target {target!r} is unknown: use one of {', '.join(ENGINES)}") from None


def open_warehouse(settings: Settings) -> Warehouse:
    """The warehouse of ``settings.target``, opened as ``settings.access`` allows (see each engine)."""
    if engine_of(settings.target) == "duckdb":
        from nbacore.warehouse.duckdb_engine import DuckDBWarehouse

        return DuckDBWarehouse(settings)
    from nbacore.warehouse.bigquery_engine import BigQueryWarehouse

    return BigQueryWarehouse(settings)


def utc_now() -> datetime:
    """Naive UTC now: ``_loaded_at`` values are UTC timestamps without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


def check_unique_sources(batches: list) -> None:
    """Two batches for one table with the same source would replace each other's partitions: refuse."""
    seen: set[tuple[str, str]] = set()
    for table, _, source in batches:
        if (table.name, source) in seen:
            raise ValueError(
                f"two inputs for {table.qualified} share the source name {source!r} (one file or feed given "
                "twice); give each once"
            )
        seen.add((table.name, source))


def as_date(value) -> date | None:
    """A date read from either engine (numpy/pandas timestamp or ``datetime.date``) as ``datetime.date``."""
    if value is None or _missing(value):
        return None
    return pd.Timestamp(value).date()


__all__ = [
    "JOBS",
    "LandedPartition",
    "Staged",
    "Warehouse",
    "WarehouseUnavailable",
    "as_date",
    "check_unique_sources",
    "engine_of",
    "open_warehouse",
    "portable_type",
    "split_name",
    "utc_now",
]
