"""Source keys: which rows one imported file owns, so re-importing it replaces them and nothing else.

A load replaces the (``_source``, ``game_date``) partitions it brings, so ``_source`` must be the file's
identity. The base name was not: ``x/logs.csv`` and ``y/logs.csv`` replaced each other's rows. The key is
now the file's path relative to a declared import root (``./x/logs.csv``; ``--root``, default the working
directory), or its resolved absolute path when it lies outside the root. Both forms contain a ``/``, which
base-name keys written by older versions never do, so those are recognised and refused rather than left to
sit beside a re-import of the same file as duplicate rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nbacore.importers.common import ImportFileError, ParsedFile
from nbacore.raw_tables import RAW_TABLES, RawTable
from nbacore.warehouse import Warehouse, as_date


def source_key(path: Path, root: Path) -> str:
    """The file's key: ``./`` + its path under ``root``, else its resolved absolute path (symlinks followed,
    so two spellings of one file share a key and two files never do)."""
    resolved, base = Path(path).resolve(), Path(root).resolve()
    if resolved.is_relative_to(base):
        return "./" + resolved.relative_to(base).as_posix()
    return resolved.as_posix()


def refuse_shared_keys(parsed: list[ParsedFile]) -> None:
    """One file given twice (perhaps spelled two ways) would replace its own rows mid-load: refuse."""
    first_path: dict[str, Path | None] = {}
    for p in parsed:
        if p.source in first_path:
            raise ImportFileError(
                p.path or p.source,
                f"is the same file as {first_path[p.source]} (key {p.source}); give each file once",
            )
        first_path[p.source] = p.path


def refuse_legacy_keys(wh: Warehouse, parsed: list[ParsedFile]) -> None:
    """Rows keyed by a bare file name (versions before issue 14) cannot be told apart by folder: importing a
    file of that name under its new key would add its rows a second time, so refuse and name the fix."""
    for p in parsed:
        if p.path is None:
            continue
        old_key = p.path.name
        rows = wh.scalar(f"select count(*) from {p.table.qualified} where _source = @key", {"key": old_key})
        if rows:
            raise ImportFileError(
                p.path,
                f"{p.table.qualified} holds {rows} rows under the old key {old_key!r} (a bare file name, from "
                f"before keys were paths); run `nbaprops forget --source {old_key}`, then re-import every file "
                f"named {old_key}",
            )


@dataclass(frozen=True)
class Forgotten:
    """Rows one ``forget`` removed from one table, and the earliest game date among them."""

    table: str
    rows: int
    first_date: date | None


def forget_source(wh: Warehouse, source: str, tables: list[str] | None = None) -> list[Forgotten]:
    """Delete every row keyed ``source`` from the given raw tables (default: all), in one transaction.

    Raises ValueError (one line) for an unknown table, or when no table holds the key, naming keys that
    end with it (``logs.csv`` -> ``./x/logs.csv``), since a key typed from memory is often a suffix.
    """
    chosen = _raw_tables(tables)
    held = sum(_count(wh, t, source) for t in RAW_TABLES.values())
    if held == 0:
        raise ValueError(f"no raw rows are keyed {source!r}; {_similar_keys(wh, source)}")
    removed: list[Forgotten] = []
    for table in chosen:
        rows, first = wh.rows(
            f"select count(*), min(game_date) from {table.qualified} where _source = @source", {"source": source}
        )[0]
        removed.append(Forgotten(table.qualified, int(rows), as_date(first)))
    wh.transaction([(f"delete from {t.qualified} where _source = @source", {"source": source}) for t in chosen])
    return removed


def _raw_tables(names: list[str] | None) -> list[RawTable]:
    if not names:
        return list(RAW_TABLES.values())
    unknown = [n for n in names if n.removeprefix("raw.") not in RAW_TABLES]
    if unknown:
        raise ValueError(f"unknown raw table {unknown[0]!r}; use one of {', '.join(RAW_TABLES)}")
    return [RAW_TABLES[n.removeprefix("raw.")] for n in names]


def _count(wh: Warehouse, table: RawTable, source: str) -> int:
    return wh.scalar(f"select count(*) from {table.qualified} where _source = @source", {"source": source})


def _similar_keys(wh: Warehouse, source: str) -> str:
    """Keys ending in what was typed, as the hint of a 'no such key' error."""
    union = " union ".join(f"select distinct _source from {t.qualified}" for t in RAW_TABLES.values())
    tail = source.removeprefix("./").lstrip("/")
    keys = [
        k
        for (k,) in wh.rows(f"select _source from ({union}) order by 1")
        if k is not None and (k == tail or k.endswith("/" + tail))
    ]
    if keys:
        return f"did you mean {', '.join(keys[:5])}? (keys are paths from the import root)"
    return "see the keys with: select distinct _source from raw.<table>"
