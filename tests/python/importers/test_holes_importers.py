"""Issue 14, importer holes: one test per hole, each named for what it closes (each failed before the fix)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from support.helpers import raw_fingerprint, run_cli
from test_importers import PLAYER_HEADER, PLAYER_ROWS, PROPS_HEADER, PROPS_ROWS, write

JOKIC, CURRY, JOKIC_LATER = PLAYER_ROWS


def one_error_line(result) -> str:
    """The command failed with exactly one line on stderr and no traceback; return that line."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def query(path: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.fixture
def folders(tmp_path, warehouse_path, monkeypatch):
    """tmp_path as the working directory (the default import root), with x/ and y/ in it."""
    monkeypatch.chdir(tmp_path)
    for name in ("x", "y"):
        (tmp_path / name).mkdir()
    return tmp_path


# ---- 2. files with the same name in different folders replace each other -------------------------


def test_same_file_name_in_different_folders_does_not_replace_the_other_files_rows(folders, warehouse_path):
    write(folders / "x" / "logs.csv", PLAYER_HEADER, [JOKIC])
    write(folders / "y" / "logs.csv", PLAYER_HEADER, [CURRY])  # same date, different rows
    assert run_cli("import", "game-logs", "x/logs.csv").exit_code == 0
    assert run_cli("import", "game-logs", "y/logs.csv").exit_code == 0
    rows = query(warehouse_path, "select _source, player_id from raw.player_game_logs order by player_id")
    assert rows == [("./x/logs.csv", 1), ("./y/logs.csv", 2)]


def test_same_file_name_in_different_folders_lands_both_in_one_import(folders, warehouse_path):
    write(folders / "x" / "logs.csv", PLAYER_HEADER, [JOKIC])
    write(folders / "y" / "logs.csv", PLAYER_HEADER, [CURRY])
    result = run_cli("import", "game-logs", "x/logs.csv", "y/logs.csv")
    assert result.exit_code == 0, result.stderr
    assert query(warehouse_path, "select count(*) from raw.player_game_logs") == [(2,)]


def test_base_name_key_from_an_older_version_is_refused_naming_forget(folders, warehouse_path):
    write(folders / "logs.csv", PLAYER_HEADER, [JOKIC])
    assert run_cli("import", "game-logs", "logs.csv").exit_code == 0
    con = duckdb.connect(str(warehouse_path))
    con.execute("update raw.player_game_logs set _source = 'logs.csv'")  # as versions before issue 14 keyed it
    con.close()
    before = raw_fingerprint(warehouse_path)
    write(folders / "x" / "logs.csv", PLAYER_HEADER, [JOKIC])
    line = one_error_line(run_cli("import", "game-logs", "x/logs.csv"))
    assert "'logs.csv'" in line and "nbaprops forget --source logs.csv" in line, line
    assert raw_fingerprint(warehouse_path) == before


# ---- 3. impossible values land; no command takes a file's rows back out ---------------------------


IMPOSSIBLE = {
    "game date in 2099": (JOKIC.replace("2025-10-21", "2099-10-21"), "GAME_DATE", "'2099-10-21'"),
    "game date in 1900": (JOKIC.replace("2025-10-21", "1900-01-01"), "GAME_DATE", "'1900-01-01'"),
    "negative points": (JOKIC.replace(",35,30,12,", ",35,-5,12,"), "PTS", "'-5'"),
}


@pytest.mark.parametrize("case", sorted(IMPOSSIBLE))
def test_impossible_values_are_refused_with_one_line_naming_row_column_and_range(
    case, loaded_one, warehouse_path, tmp_path
):
    row, column, value = IMPOSSIBLE[case]
    bad = write(tmp_path / "bad.csv", PLAYER_HEADER, [CURRY, row])
    before = raw_fingerprint(warehouse_path)
    line = one_error_line(run_cli("import", "game-logs", bad))
    assert str(bad) in line and ": line 3: " in line and f"column {column} has {value}" in line, line
    assert "allowed" in line, line
    assert raw_fingerprint(warehouse_path) == before


@pytest.fixture
def loaded_one(tmp_path, warehouse_path):
    good = write(tmp_path / "good.csv", PLAYER_HEADER, [JOKIC_LATER])
    assert run_cli("import", "game-logs", good).exit_code == 0
    return good


def test_forget_removes_exactly_what_one_imported_file_landed(folders, warehouse_path):
    write(folders / "x" / "logs.csv", PLAYER_HEADER, [JOKIC, CURRY])
    write(folders / "y" / "logs.csv", PLAYER_HEADER, [JOKIC_LATER])
    write(folders / "props.csv", PROPS_HEADER, PROPS_ROWS)
    assert run_cli("import", "game-logs", "y/logs.csv").exit_code == 0
    assert run_cli("import", "props", "props.csv").exit_code == 0
    without_x = raw_fingerprint(warehouse_path)
    assert run_cli("import", "game-logs", "x/logs.csv").exit_code == 0
    result = run_cli("forget", "--source", "./x/logs.csv")
    assert result.exit_code == 0, result.stderr
    assert "raw.player_game_logs" in result.output and " 2 rows" in result.output, result.output
    assert raw_fingerprint(warehouse_path) == without_x


def test_forget_with_table_leaves_other_tables_alone_and_an_unknown_key_is_one_line(folders, warehouse_path):
    write(folders / "props.csv", PROPS_HEADER, PROPS_ROWS)
    assert run_cli("import", "props", "props.csv").exit_code == 0
    before = raw_fingerprint(warehouse_path)
    result = run_cli("forget", "--source", "./props.csv", "--table", "player_game_logs")
    assert result.exit_code == 0 and " 0 rows" in result.output, result.output
    assert raw_fingerprint(warehouse_path) == before
    line = one_error_line(run_cli("forget", "--source", "props.csv"))
    assert "'props.csv'" in line and "./props.csv" in line, line  # names the key it probably meant
    assert raw_fingerprint(warehouse_path) == before


# ---- 4. out-of-range numbers print a traceback -----------------------------------------------------


HUGE = {
    "points 1e30": (JOKIC.replace(",35,30,12,", ",35,1e30,12,"), "PTS"),
    "23-digit player id": (JOKIC.replace("22025,1,", "22025,12345678901234567890123,"), "PLAYER_ID"),
    "points 99999999999": (JOKIC.replace(",35,30,12,", ",35,99999999999,12,"), "PTS"),
}


@pytest.mark.parametrize("case", sorted(HUGE))
def test_out_of_range_numbers_are_one_line_naming_file_row_and_column_not_a_traceback(
    case, loaded_one, warehouse_path, tmp_path
):
    row, column = HUGE[case]
    bad = write(tmp_path / "bad.csv", PLAYER_HEADER, [row])
    before = raw_fingerprint(warehouse_path)
    line = one_error_line(run_cli("import", "game-logs", bad))
    assert str(bad) in line and ": line 2: " in line and f"column {column} " in line, line
    assert raw_fingerprint(warehouse_path) == before


# ---- 9. gzip by suffix case or magic bytes; duplicate header; NUL byte; impossible snapshot times ---


@pytest.mark.parametrize("name", ["LOGS.CSV.GZ", "logs.csv.gzip", "logs.csv"])
def test_gzip_is_decompressed_whatever_the_suffix_case_or_name(name, tmp_path, warehouse_path):
    path = write(tmp_path / name, PLAYER_HEADER, PLAYER_ROWS, gz=True)
    result = run_cli("import", "game-logs", path)
    assert result.exit_code == 0, result.stderr
    assert query(warehouse_path, "select count(*) from raw.player_game_logs") == [(3,)]


def test_duplicate_header_column_is_refused_naming_the_column(tmp_path, warehouse_path):
    bad = write(tmp_path / "dup.csv", PLAYER_HEADER + ",PTS", [row + ",99" for row in PLAYER_ROWS])
    line = one_error_line(run_cli("import", "game-logs", bad))
    assert str(bad) in line and "PTS" in line and "twice" in line, line


def test_nul_byte_in_a_name_is_refused(tmp_path, warehouse_path):
    bad = write(tmp_path / "nul.csv", PLAYER_HEADER, [JOKIC.replace("Nikola Jokić", "Nikola\x00Jokić"), CURRY])
    line = one_error_line(run_cli("import", "game-logs", bad))
    assert str(bad) in line and ": line 2: " in line and "PLAYER_NAME" in line, line


def test_prop_snapshot_time_inside_the_us_eastern_dst_gap_is_refused(tmp_path, warehouse_path):
    rows = [
        r.replace("2025-10-21T17:00:00", "2026-03-08T02:30:00").replace("2025-10-22T02:30:00Z", "2026-03-09T00:00:00Z")
        for r in PROPS_ROWS
    ]
    bad = write(tmp_path / "props.csv", PROPS_HEADER, rows)
    line = one_error_line(run_cli("import", "props", bad))
    assert (
        str(bad) in line and ": line 2: " in line and "snapshot_local_time" in line and "2026-03-08T02:30:00" in line
    ), line


def test_prop_snapshot_months_before_its_game_is_refused(tmp_path, warehouse_path):
    rows = [PROPS_ROWS[0], PROPS_ROWS[1].replace("2025-10-21T17:00:00", "2025-06-01T17:00:00")]
    bad = write(tmp_path / "props.csv", PROPS_HEADER, rows)
    line = one_error_line(run_cli("import", "props", bad))
    assert str(bad) in line and ": line 3: " in line and "snapshot_local_time" in line, line
