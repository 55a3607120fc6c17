"""Reading and validating import files: every failure names the file, the row and the problem.

Files are read as text first and converted column by column, so a bad value is reported with its
row number instead of surfacing later as a NULL or a crash deep inside a load.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nbaprops.raw_tables import RawTable


class ImportFileError(Exception):
    """A file that cannot be imported. ``str()`` is the one line a user sees."""

    def __init__(self, path: Path | str, problem: str, row: str | None = None):
        self.path = str(path)
        self.problem = problem
        self.row = row
        where = f"{self.path}: {row}: " if row else f"{self.path}: "
        super().__init__(where + problem)


@dataclass
class TextTable:
    """A file's records as strings (missing = None) and how to name a record in an error."""

    path: Path
    frame: pd.DataFrame
    row_label: Callable[[int], str]

    def fail(self, problem: str, position: int | None = None) -> ImportFileError:
        return ImportFileError(self.path, problem, self.row_label(position) if position is not None else None)


@dataclass
class ParsedFile:
    """Rows ready to land in one raw table, conforming exactly to its columns."""

    table: RawTable
    frame: pd.DataFrame
    source: str
    skipped: str | None = None  # what was deliberately not landed, e.g. "12 All-Star exhibition rows"


def _csv_line(position: int) -> str:
    return f"line {position + 2}"  # +1 for the header, +1 for 1-based lines


def read_text(path: Path) -> bytes:
    """Read a file, un-gzipping ``.gz``; a truncated or corrupt gzip is an import error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(path, f"cannot read file ({exc.strerror}); check the path") from exc
    if path.suffix == ".gz":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ImportFileError(
                path, f"truncated or corrupt gzip ({exc}); re-download or re-compress the file"
            ) from exc
    return raw


def read_csv_table(path: Path, data: bytes) -> TextTable:
    """Parse CSV bytes into a text table; empty cells become None."""
    import io

    try:
        frame = pd.read_csv(
            io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[], encoding="utf-8"
        )
    except pd.errors.EmptyDataError as exc:
        raise ImportFileError(path, "file is empty; expected a header row and data rows") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ImportFileError(path, f"not a readable CSV ({exc}); check the file is complete") from exc
    frame = frame.replace({"": None})
    return TextTable(path=path, frame=frame, row_label=_csv_line)


def read_json(path: Path, data: bytes):
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportFileError(path, f"not valid JSON ({exc}); the response may be truncated") from exc


def result_set_table(path: Path, payload: dict, preferred: tuple[str, ...] = ()) -> TextTable:
    """Turn a stats.nba.com ``resultSets`` response into a text table (first matching result set)."""
    sets = payload.get("resultSets") if isinstance(payload, dict) else None
    if isinstance(sets, dict):
        sets = [sets]
    if not sets:
        raise ImportFileError(path, "no 'resultSets' in JSON; expected a stats.nba.com response")
    chosen = next((s for s in sets if s.get("name") in preferred), sets[0])
    headers, rows = chosen.get("headers"), chosen.get("rowSet")
    if not isinstance(headers, list) or not isinstance(rows, list):
        raise ImportFileError(path, "result set lacks 'headers'/'rowSet'; expected the resultSets shape")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(headers):
            raise ImportFileError(path, f"has {len(row) if isinstance(row, list) else 'no'} values for {len(headers)} headers", f"rowSet[{i}]")
    frame = pd.DataFrame(rows, columns=headers, dtype=object)
    frame = frame.map(lambda v: None if v is None or v == "" else str(v))
    return TextTable(path=path, frame=frame, row_label=lambda i: f"rowSet[{i}]")


def require_columns(table: TextTable, required: list[str], what: str) -> None:
    missing = [c for c in required if c not in table.frame.columns]
    if missing:
        raise table.fail(
            f"missing required column(s) {', '.join(missing)} for {what}; "
            f"found {', '.join(map(str, table.frame.columns[:12]))}{'...' if len(table.frame.columns) > 12 else ''}"
        )


def require_values(table: TextTable, column: str, values: pd.Series) -> None:
    """A required column may not have empty cells."""
    empty = values.isna()
    if empty.any():
        raise table.fail(f"required column {column} is empty", int(empty.to_numpy().argmax()))


def _bad_position(original: pd.Series, converted: pd.Series) -> int | None:
    bad = original.notna() & converted.isna()
    return int(bad.to_numpy().argmax()) if bad.any() else None


def to_number(table: TextTable, column: str, values: pd.Series, *, whole: bool) -> pd.Series:
    """Convert text to numbers; a value that is present but not numeric is an error with its row."""
    converted = pd.to_numeric(values, errors="coerce")
    position = _bad_position(values, converted)
    if position is not None:
        raise table.fail(
            f"column {column} has {values.iloc[position]!r}, expected a number", position
        )
    if whole:
        fractional = converted.notna() & (converted % 1 != 0)
        if fractional.any():
            position = int(fractional.to_numpy().argmax())
            raise table.fail(
                f"column {column} has {values.iloc[position]!r}, expected a whole number", position
            )
        return converted.astype("Int64")
    return converted.astype("Float64")


def to_date(table: TextTable, column: str, values: pd.Series, formats: tuple[str, ...] = ("%Y-%m-%d",)) -> pd.Series:
    """Parse dates (optionally with a time part, which is dropped); unparseable = error with its row."""
    text = values.str.slice(0, 10) if formats == ("%Y-%m-%d",) else values
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = result.isna() & text.notna()
        if not todo.any():
            break
        result[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    position = _bad_position(values, result)
    if position is not None:
        raise table.fail(
            f"column {column} has {values.iloc[position]!r}, expected a date like 2025-10-21", position
        )
    return result.dt.date


def to_utc_timestamp(table: TextTable, column: str, values: pd.Series) -> pd.Series:
    """Parse ISO-8601 timestamps to naive UTC (how the warehouse stores time)."""
    converted = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    position = _bad_position(values, converted)
    if position is not None:
        raise table.fail(
            f"column {column} has {values.iloc[position]!r}, expected an ISO-8601 time like 2025-10-21T23:30:00Z",
            position,
        )
    return converted.dt.tz_localize(None)


def to_minutes(table: TextTable, column: str, values: pd.Series) -> pd.Series:
    """Minutes played as a decimal: accepts 34, 34.5, '34:12' (MM:SS) and 'PT34M12.00S' (ISO duration)."""
    text = values.astype("string").str.strip()
    out = pd.to_numeric(text, errors="coerce").astype("Float64")
    clock = text.str.extract(r"^(\d+):(\d{1,2})(?:\.\d+)?$")
    has_clock = clock[0].notna()
    out[has_clock] = clock.loc[has_clock, 0].astype(float) + clock.loc[has_clock, 1].astype(float) / 60
    iso = text.str.extract(r"^PT(\d+)M(\d+(?:\.\d+)?)S$")
    has_iso = iso[0].notna()
    out[has_iso] = iso.loc[has_iso, 0].astype(float) + iso.loc[has_iso, 1].astype(float) / 60
    position = _bad_position(values, out)
    if position is not None:
        raise table.fail(
            f"column {column} has {values.iloc[position]!r}, expected minutes like 34, 34:12 or PT34M12.00S",
            position,
        )
    return out.round(4)


def drop_repeats(table: TextTable, out: pd.DataFrame, key: list[str]) -> tuple[pd.DataFrame, int]:
    """Drop rows repeated verbatim (feeds re-send them); two different rows for one key are an error."""
    exact = out.astype(str).duplicated(keep="first")
    kept = out[~exact]
    clash = kept.duplicated(subset=key, keep="first")
    if clash.any():
        position = int(clash.to_numpy().argmax())
        row = kept.iloc[position]
        first = kept.index[(kept[key].astype(str) == row[key].astype(str)).all(axis=1)][0]
        raise table.fail(
            f"duplicate row for {' + '.join(f'{k}={row[k]}' for k in key)} with different values "
            f"(first at {table.row_label(int(first))}); keep one of them",
            int(kept.index[position]),
        )
    return kept, int(exact.sum())


def conform(table: RawTable, frame: pd.DataFrame) -> pd.DataFrame:
    """Order and complete columns to the raw table's definition: absent optional columns are NULL."""
    out = pd.DataFrame(index=frame.index)
    for name in table.columns:
        out[name] = frame[name] if name in frame.columns else None
    return out.reset_index(drop=True)
