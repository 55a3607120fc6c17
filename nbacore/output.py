"""What a command prints, as one structured result: named fields and named tables, rendered three ways from the
same object (``--format table|json|csv``), so the text, the JSON document and the CSV never disagree.

- ``table``: the human lines the command builds from its own fields and tables (``text_table`` lays out a table);
- ``json``: ONE document, ``{"command", "schema_version", **fields, **{table name: [row objects]}}``, strict JSON
  (NaN is null, dates are ``YYYY-MM-DD``); the shape of each command's document is written in docs/cli.md;
- ``csv``: the command's main table (``csv_table``, by default the first), with a header row, readable back with
  ``csv`` or ``pandas.read_csv``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

FORMATS = ("table", "json", "csv")
SCHEMA_VERSION = 1  # raised when a documented key changes meaning or goes away (adding keys does not raise it)


@dataclass
class Output:
    command: str
    fields: dict = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the ``table`` format
    csv_table: str | None = None  # the table CSV writes (default: the first)

    def document(self) -> dict:
        """The JSON document as Python values (strict: no NaN, dates as text)."""
        tables = {name: records(frame) for name, frame in self.tables.items()}
        return plain({"command": self.command, "schema_version": SCHEMA_VERSION, **self.fields, **tables})

    def render(self, fmt: str) -> str:
        if fmt == "json":
            return json.dumps(self.document(), indent=2)
        if fmt == "csv":
            name = self.csv_table or next(iter(self.tables), None)
            if name is None:
                raise ValueError(f"{self.command}: no table to write as CSV")
            buffer = io.StringIO()
            self.tables[name].to_csv(buffer, index=False, lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S")
            return buffer.getvalue().rstrip("\n")
        if fmt == "table":
            return "\n".join(self.lines)
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows of ``frame`` as plain objects (a timestamp at midnight of a date column is that date)."""
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            stamps = out[c]
            is_date = stamps.dropna().eq(stamps.dropna().dt.normalize()).all() and c.endswith("date")
            out[c] = [None if pd.isna(v) else (v.date() if is_date else v.to_pydatetime()) for v in stamps]
    return [plain(r) for r in out.astype(object).to_dict("records")]


def plain(v):
    """``v`` with numpy scalars as Python ones, NaN as None, dates ISO and anything else unknown as text."""
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else float(v)
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return v if isinstance(v, str) else str(v)


@dataclass(frozen=True)
class Column:
    """One column of a text table: the frame's column, its header, how a value prints, and its alignment."""

    name: str
    header: str | None = None
    show: Callable[[object], str] | None = None
    left: bool = False


def text_table(frame: pd.DataFrame, columns: list[Column], indent: str = "") -> list[str]:
    """``frame`` laid out in aligned columns (text left, numbers right), a header line first; missing values '-'."""
    cells = [[_cell(row.get(c.name), c.show) for c in columns] for row in frame.to_dict("records")]
    heads = [c.header or c.name for c in columns]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(heads)]

    def line(values: list[str]) -> str:
        parts = [v.ljust(w) if c.left else v.rjust(w) for v, w, c in zip(values, widths, columns)]
        return (indent + "  ".join(parts)).rstrip()

    return [line(heads), *(line(r) for r in cells)]


def _cell(value, show) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    return show(value) if show else str(value)


def number(digits: int) -> Callable[[object], str]:
    return lambda v: f"{v:.{digits}f}"


def percent(v) -> str:
    return f"{100 * v:.1f}%"


def signed_percent(v) -> str:
    return f"{100 * v:+.1f}%"


def american(v) -> str:
    """American odds with their sign: +101, -110 (even money is +100)."""
    return f"{v:+.0f}"
