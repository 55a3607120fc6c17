"""Property test of the importers: generated malformed and out-of-range files either land only valid rows, or
are refused with one line naming the file (and the row and column when one cell is to blame) while the
warehouse keeps exactly its content.

Files are parsed and landed in-process into one DuckDB file (a CLI subprocess per example would take minutes);
the path is the same ``parse_files`` + ``land_files`` that ``nbaprops import`` runs.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_importers import PLAYER_HEADER, PLAYER_ROWS, PROPS_HEADER, PROPS_ROWS, SLIM_HEADER, SLIM_ROWS

from nbacore.dates import today_eastern
from nbacore.importers import ImportFileError, land_files, parse_files
from nbacore.importers.common import CONTROL_CHARACTERS
from nbacore.raw_tables import RAW_TABLES
from nbacore.warehouse.duckdb_engine import DuckDBWarehouse

# Generated files per importer: >= 500 in all, well within 60 s (measured 23 s for 550 on a shared 2-core box).
EXAMPLES = {"game-logs": 350, "props": 200}
SHAPES = {"game-logs": [(PLAYER_HEADER, PLAYER_ROWS), (SLIM_HEADER, SLIM_ROWS)], "props": [(PROPS_HEADER, PROPS_ROWS)]}
assert sum(EXAMPLES.values()) >= 500
SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

NASTY = [
    "",
    " ",
    "-5",
    "-1",
    "0",
    "1e30",
    "-1e30",
    "99999999999",
    "12345678901234567890123",
    "9223372036854775808",
    "2099-10-21",
    "1900-01-01",
    "1946-10-31",
    "2025-02-30",
    "0000-01-01",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "0x1A",
    "1_000",
    " 12 ",
    "3.5",
    "120",
    "121",
    "80.5",
    "PT99M00.00S",
    "34:75",
    "Nikola\x00Jokić",
    "a\x1fb",
    "\x7f",
    "DEN vs. GSW",
    "GSW @ DEN",
    "0022500001",
    "2025-10-21T17:00:00",
    "2026-03-08T02:30:00",
    "2025-06-01T17:00:00",
    "2025-10-22T02:30:00Z",
    "2025-10-22T02:30:00+99:00",
    "-100001",
    "200.5",
    "é",
    "😀",
    "NULL",
    "None",
]


def cell_values() -> st.SearchStrategy[str]:
    text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"), max_size=12)
    return st.one_of(
        st.sampled_from(NASTY),
        st.integers(-(10**25), 10**25).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
        st.datetimes().map(lambda d: d.isoformat(timespec="seconds")),
        text,
    )


@dataclass
class Generated:
    """One generated file: its bytes, its name, and the (line, column) of the one changed cell, if any."""

    name: str
    data: bytes
    blamed: tuple[int, str] | None = None


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@st.composite
def generated_files(draw, shapes: list[tuple[str, list[str]]]) -> Generated:
    """A valid file of one of ``shapes`` with one thing wrong (or, sometimes, nothing wrong at all)."""
    header_line, row_lines = draw(st.sampled_from(shapes))
    header = header_line.split(",")
    rows = [next(csv.reader([line])) for line in row_lines]
    kind = draw(st.sampled_from(["cell", "cell", "cell", "cell", "header", "bytes", "extra row"]))
    blamed = None
    if kind == "cell":
        i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(header) - 1))
        rows[i][j] = draw(cell_values())
        blamed = (i + 2, header[j])
    elif kind == "extra row":
        copy = list(rows[draw(st.integers(0, len(rows) - 1))])
        j = draw(st.integers(0, len(header) - 1))
        copy[j] = draw(cell_values())
        rows.append(copy)
    elif kind == "header":
        j = draw(st.integers(0, len(header) - 1))
        change = draw(st.sampled_from(["drop", "duplicate", "rename", "lower"]))
        if change == "drop":
            header.pop(j)
            rows = [r[:j] + r[j + 1 :] for r in rows]
        elif change == "duplicate":
            header.append(header[j])
            rows = [[*r, r[j]] for r in rows]
        elif change == "rename":
            header[j] = draw(
                st.text(st.characters(exclude_categories=("Cs",), exclude_characters='\r\n,"'), max_size=8)
            )
        else:
            header[j] = header[j].lower()
    data = to_csv(header, rows).encode()
    name = draw(st.sampled_from(["gen.csv", "gen.CSV.GZ", "gen.csv.gzip", "gen.csv"]))
    if kind == "bytes":
        cut = draw(st.sampled_from(["truncate", "bom", "latin-1", "garbage", "empty"]))
        if cut == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif cut == "bom":
            data = b"\xef\xbb\xbf" + data
        elif cut == "latin-1":
            data = data.replace("ć".encode(), b"\xe6")
        elif cut == "garbage":
            data = draw(st.binary(max_size=64))
        else:
            data = b""
    if name != "gen.csv" or draw(st.booleans()) and kind != "bytes":
        data = gzip.compress(data, mtime=0)
        if kind == "bytes" and draw(st.booleans()):
            data = data[: len(data) // 2]  # a truncated gzip
    return Generated(name=name, data=data, blamed=blamed)


# ---- the warehouse, its fingerprint and its contract -----------------------------------------------


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """One DuckDB file for every example, holding a little of everything first so "unchanged" means something."""
    from nbacore.raw_tables import create_raw_tables

    root = tmp_path_factory.mktemp("property")
    con = duckdb.connect(str(root / "nbaprops.duckdb"))
    con.execute("set TimeZone = 'UTC'")
    create_raw_tables(con)
    seed = root / "seed"
    seed.mkdir()
    (seed / "players.csv").write_text("\n".join([PLAYER_HEADER, *PLAYER_ROWS]) + "\n", encoding="utf-8")
    (seed / "slim.csv").write_text("\n".join([SLIM_HEADER, *SLIM_ROWS]) + "\n", encoding="utf-8")
    (seed / "props.csv").write_text("\n".join([PROPS_HEADER, *PROPS_ROWS]) + "\n", encoding="utf-8")
    land_files(
        DuckDBWarehouse.on_connection(con), parse_files("game-logs", [seed / "players.csv", seed / "slim.csv"], root)
    )
    land_files(DuckDBWarehouse.on_connection(con), parse_files("props", [seed / "props.csv"], root))
    yield con, root
    con.close()


def fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """Row count and an order-independent checksum of every raw table (``_loaded_at`` aside)."""
    out = {}
    for table in RAW_TABLES.values():
        cols = ", ".join(c for c in table.columns if c != "_loaded_at")
        out[table.name] = con.execute(
            f"select count(*), coalesce(sum(hash({cols})), 0) from {table.qualified}"
        ).fetchone()
    return out


def contract_violations(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Rows breaking the declared contract anywhere in the warehouse: a checked column out of range, or a
    control character in a text column (one query per table)."""
    today = today_eastern()
    found = []
    for table in RAW_TABLES.values():
        conditions, params = [], []
        for column, check in table.checks.items():
            value = f"cast({column} as date)" if table.columns[column] == "TIMESTAMP" else column
            conditions.append(f"{value} not between ? and ?")
            params += list(check.limits(today))
        for column, sql_type in table.columns.items():
            if sql_type == "VARCHAR":
                conditions.append(f"regexp_matches({column}, ?)")
                params.append(CONTROL_CHARACTERS)
        where = " or ".join(conditions)
        found += con.execute(
            f"select '{table.name}', * from {table.qualified} where {where} limit 1", params
        ).fetchall()
    return found


def import_one(con, root: Path, kind: str, generated: Generated) -> None:
    """Write the generated file, import it, and check the promise either way."""
    path = root / "gen" / generated.name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(generated.data)
    before = fingerprint(con)
    try:
        land_files(DuckDBWarehouse.on_connection(con), parse_files(kind, [path], root))
    except ImportFileError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(f"{path}: "), message
        if generated.blamed and ": line " in message:  # a row is blamed: the changed cell's (or its twin's)
            line, column = generated.blamed
            assert re.search(rf"\bline {line}\b", message), (generated.blamed, message)
            assert column.lower() in message.lower(), (generated.blamed, message)
        assert fingerprint(con) == before, message
        return
    assert contract_violations(con) == []


# ---- the property ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_generated_files_land_valid_rows_or_are_refused_in_one_line_changing_nothing(kind, warehouse):
    con, root = warehouse
    seen = []

    @settings(max_examples=EXAMPLES[kind], **SETTINGS)
    @given(generated_files(SHAPES[kind]))
    def run(generated: Generated) -> None:
        seen.append(generated.name)
        import_one(con, root, kind, generated)

    run()
    assert len(seen) >= EXAMPLES[kind]
