"""Reading and validating import files: every failure names the file, the row and the problem.

Files are read as text first and converted column by column, so a bad value is reported with its
row number instead of surfacing later as a NULL or a crash deep inside a load.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from nbacore.dates import today_eastern
from nbacore.raw_tables import RawTable

GZIP_MAGIC = b"\x1f\x8b"
GZIP_SUFFIXES = (".gz", ".gzip")
# C0 control characters other than tab, newline and carriage return, and DEL: never part of a name or a
# code, and a NUL in particular is a corrupt export (it truncates strings in many tools downstream).
CONTROL_CHARACTERS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CONTROL_BYTES = re.compile(CONTROL_CHARACTERS.encode())
# What the warehouse's integer types can hold; a value outside would fail (or wrap) in the INSERT.
TYPE_LIMITS = {"INTEGER": (-(2**31), 2**31 - 1), "BIGINT": (-(2**63), 2**63 - 1)}


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
    path: Path | None = None  # the imported file (None for scraped payloads)


def _csv_line(position: int) -> str:
    return f"line {position + 2}"  # +1 for the header, +1 for 1-based lines


def inner_name(path: Path) -> str:
    """The file's name in lower case without a compression suffix: what tells CSV from JSON."""
    name = path.name.lower()
    for suffix in GZIP_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_json(path: Path) -> bool:
    return inner_name(path).endswith(".json")


def read_text(path: Path) -> bytes:
    """Read a file, un-gzipping it when it is gzip by its bytes or by its suffix (any case: .gz, .GZ, .gzip);
    a truncated or corrupt gzip is an import error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(path, f"cannot read file ({exc.strerror}); check the path") from exc
    if raw.startswith(GZIP_MAGIC) or path.name.lower().endswith(GZIP_SUFFIXES):
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ImportFileError(
                path, f"truncated or corrupt gzip ({exc}); re-download or re-compress the file"
            ) from exc
    return raw


def require_unique_header(path: Path, data: bytes) -> None:
    """pandas renames a repeated header column to ``X.1`` and the second copy is silently ignored: refuse."""
    start = io.StringIO(data[:65536].decode("utf-8-sig", errors="replace"), newline="")
    try:
        header = next(csv.reader(start), [])
    except csv.Error:
        return  # the CSV reader reports what is wrong with the file
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise ImportFileError(path, f"column {name!r} appears twice in the header; remove one of them")
        seen.add(name)


def read_csv_table(path: Path, data: bytes) -> TextTable:
    """Parse CSV bytes into a text table; empty cells become None."""
    require_unique_header(path, data)
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")
    except pd.errors.EmptyDataError as exc:
        raise ImportFileError(path, "file is empty; expected a header row and data rows") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ImportFileError(path, f"not a readable CSV ({exc}); check the file is complete") from exc
    frame = frame.replace({"": None})
    table = TextTable(path=path, frame=frame, row_label=_csv_line)
    if _CONTROL_BYTES.search(data):  # a fast pass over the bytes; only then look for the cell
        refuse_control_characters(table)
    return table


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
            raise ImportFileError(
                path,
                f"has {len(row) if isinstance(row, list) else 'no'} values for {len(headers)} headers",
                f"rowSet[{i}]",
            )
    repeated = next((h for i, h in enumerate(headers) if h in headers[:i]), None)
    if repeated is not None:
        raise ImportFileError(path, f"header {repeated} appears twice in the result set; expected each column once")
    frame = pd.DataFrame(rows, columns=headers, dtype=object)
    frame = frame.map(lambda v: None if v is None or v == "" else str(v))
    table = TextTable(path=path, frame=frame, row_label=lambda i: f"rowSet[{i}]")
    refuse_control_characters(table)
    return table


def refuse_control_characters(table: TextTable) -> None:
    """A NUL or another control character in a cell (or a header) is a corrupt file, not a name: refuse."""
    for column in table.frame.columns:
        if re.search(CONTROL_CHARACTERS, str(column)):
            raise table.fail(f"the header has a control character in {str(column)!r}; re-export the file")
        values = table.frame[column]
        # every cell as text, missing ones as <NA>: an object column with an empty cell is not a "string dtype"
        # to pandas, and skipping such columns let a NUL through wherever another row left the cell empty
        found = values.astype("string").str.contains(CONTROL_CHARACTERS, regex=True, na=False)
        if found.any():
            position = int(found.to_numpy().argmax())
            raise table.fail(
                f"column {column} has {values.iloc[position][:60]!r} with a control character; "
                "re-export the file or remove the character",
                position,
            )


def require_unique_columns(table: TextTable) -> None:
    """After renaming aliases (``date`` -> GAME_DATE), two columns may mean the same thing: refuse."""
    names = list(table.frame.columns)
    repeated = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if repeated is not None:
        raise table.fail(f"two columns both mean {repeated} (an alias and the name itself?); keep one of them")


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
        raise table.fail(f"column {column} has {values.iloc[position]!r}, expected a number", position)
    magnitude = converted.astype("float64")  # exact integers stay in ``converted``; this is for limits
    infinite = magnitude.abs() == math.inf
    if infinite.any():
        position = int(infinite.to_numpy().argmax())
        raise table.fail(f"column {column} has {values.iloc[position]!r}, expected a finite number", position)
    if whole:
        low, high = TYPE_LIMITS["BIGINT"]
        huge = (magnitude < low) | (magnitude >= high)
        if huge.any():
            position = int(huge.to_numpy().argmax())
            raise table.fail(
                f"column {column} has {values.iloc[position]!r}, beyond any whole number the warehouse can "
                "hold (64-bit); correct or remove the row",
                position,
            )
        fractional = converted.notna() & (converted % 1 != 0)
        if fractional.any():
            position = int(fractional.to_numpy().argmax())
            raise table.fail(f"column {column} has {values.iloc[position]!r}, expected a whole number", position)
        return converted.astype("Int64")
    return converted.astype("Float64")


def to_date(table: TextTable, column: str, values: pd.Series, formats: tuple[str, ...] = ("%Y-%m-%d",)) -> pd.Series:
    """Parse dates (optionally with a time part, which is dropped); unparseable = error with its row."""
    text = values.str.slice(0, 10) if formats == ("%Y-%m-%d",) else values
    # microseconds, not nanoseconds: year 9999 parses rather than crashing the assignment
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    for fmt in formats:
        todo = result.isna() & text.notna()
        if not todo.any():
            break
        result[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce").astype("datetime64[us]")
    result = result.where(result.dt.year >= 1)  # pandas parses year 0; a date cannot hold it
    position = _bad_position(values, result)
    if position is not None:
        raise table.fail(f"column {column} has {values.iloc[position]!r}, expected a date like 2025-10-21", position)
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
        key_text = _key_text(kept, key)
        first = key_text.index[key_text == key_text.iloc[position]][0]
        raise table.fail(
            f"duplicate row for {' + '.join(f'{k}={row[k]}' for k in key)} with different values "
            f"(first at {table.row_label(int(first))}); keep one of them",
            int(kept.index[position]),
        )
    return kept, int(exact.sum())


def _key_text(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    """Each row's key as one text, missing values included (they never compare equal as values)."""
    text = pd.Series("", index=frame.index, dtype=object)
    for column in key:
        text = text + "\x1f" + frame[column].astype(str).fillna("\x00").astype(object)
    return text


def conform(table: RawTable, frame: pd.DataFrame) -> pd.DataFrame:
    """Order and complete columns to the raw table's definition: absent optional columns are NULL."""
    out = pd.DataFrame(index=frame.index)
    for name in table.columns:
        out[name] = frame[name] if name in frame.columns else None
    return out.reset_index(drop=True)


def check_contract(table: TextTable, raw: RawTable, out: pd.DataFrame, named: dict[str, str] | None = None) -> None:
    """Refuse the first value outside the raw table's declared range (``RawTable.checks``, and the integer
    types' limits), naming the row, the file's column, the value and what is allowed.

    ``out`` holds the raw table's columns indexed by the file's row positions; ``named`` maps a raw column
    to the file column it came from when the two names differ beyond case (``game_status`` <- STATUS).
    """
    today = today_eastern()
    for column in out.columns:
        limits = _limits(raw, column, today)
        if limits is None:
            continue
        bad = _outside(out[column], raw.columns.get(column, ""), *limits)
        if bad is None:
            continue
        low, high = limits
        source = _file_column(table, column, named or {})
        label = out.index[bad]
        shown = table.frame[source].loc[label] if source in table.frame.columns else None
        shown = out[column].loc[label] if shown is None else shown
        raise table.fail(
            f"column {source} has {str(shown)!r}, outside the allowed {low}..{high} "
            f"({raw.qualified}.{column}, nbacore/raw_tables.py); correct or remove the row",
            int(label),
        )


def _limits(raw: RawTable, column: str, today: date) -> tuple | None:
    if column in raw.checks:
        return raw.checks[column].limits(today)
    return TYPE_LIMITS.get(raw.columns.get(column, ""))


def _outside(values: pd.Series, sql_type: str, low, high) -> int | None:
    """The position of the first value below ``low`` or above ``high`` (missing values pass), or None."""
    present = values.notna().to_numpy()
    if not present.any():
        return None
    if sql_type in ("DATE", "TIMESTAMP"):
        stamps = pd.to_datetime(values.where(values.notna()), errors="coerce")
        low, high = pd.Timestamp(low), pd.Timestamp(high) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        bad = present & ((stamps < low) | (stamps > high)).to_numpy()
    else:
        numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        bad = present & ((numbers < low) | (numbers > high))
    return int(bad.argmax()) if bad.any() else None


def _file_column(table: TextTable, column: str, named: dict[str, str]) -> str:
    """The file's name for a raw column: as given, else its upper-case or same-case twin in the file."""
    if column in named:
        return named[column]
    for candidate in (column.upper(), column):
        if candidate in table.frame.columns:
            return candidate
    return column
