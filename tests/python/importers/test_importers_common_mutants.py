"""The importers' shared readers and checks (nbacore/importers/common.py), called directly: cases the mutation run
(tests/mutation/run_mutations.py) found untested. Each test failed on at least one small deliberately broken
variant of common.py that the CLI-level importer tests let through (a guard dropped, a bound off by one...).
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from nbacore.importers.common import (
    ImportFileError,
    TextTable,
    check_contract,
    read_csv_table,
    read_json,
    read_text,
    require_unique_columns,
    require_unique_header,
    require_values,
    result_set_table,
    to_date,
    to_minutes,
    to_number,
    to_utc_timestamp,
)
from nbacore.raw_tables import Check, RawTable

PATH = Path("landing/file.csv")


def table(**columns) -> TextTable:
    return TextTable(path=PATH, frame=pd.DataFrame(columns, dtype=object), row_label=lambda i: f"line {i + 2}")


def refused(call, *args, **kwargs) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{caught.value.path}: "), message
    return caught.value


# ---- reading ---------------------------------------------------------------------------------------------


def test_an_import_error_keeps_its_parts_and_says_them_in_one_line():
    error = ImportFileError(PATH, "column X is empty", "line 7")
    assert (error.path, error.problem, error.row) == (str(PATH), "column X is empty", "line 7")
    assert str(error) == f"{PATH}: line 7: column X is empty"
    assert str(ImportFileError(PATH, "file is empty")) == f"{PATH}: file is empty"


def test_read_text_unzips_by_magic_bytes_and_refuses_a_missing_or_corrupt_file(tmp_path):
    plain = tmp_path / "a.csv"
    plain.write_bytes(gzip.compress(b"x,y\n1,2\n"))  # gzip inside, no .gz suffix
    assert read_text(plain) == b"x,y\n1,2\n"
    broken = tmp_path / "b.csv.gz"
    broken.write_bytes(b"not gzip at all")
    assert "truncated or corrupt gzip" in str(refused(read_text, broken))
    assert "cannot read file" in str(refused(read_text, tmp_path / "missing.csv"))


def test_csv_that_is_not_utf8_or_has_a_repeated_header_is_refused_in_one_line():
    assert "not a readable CSV" in str(refused(read_csv_table, PATH, "name\nJoki\xe6\n".encode("latin-1")))
    assert "appears twice in the header" in str(refused(require_unique_header, PATH, b"a,b,a\n1,2,3\n"))


def test_a_control_character_is_refused_in_a_column_that_also_has_empty_cells():
    # before the fix, a column with any empty cell was skipped (pandas does not call it a string column)
    data = b"name,team\n,DEN\nNikola\x00Jokic,\n"
    error = refused(read_csv_table, PATH, data)
    assert error.row == "line 3" and "column name has 'Nikola\\x00Jokic'" in error.problem
    payload = {"resultSets": [{"headers": ["A"], "rowSet": [[None], ["x\x1fy"]]}]}
    assert refused(result_set_table, PATH, payload).row == "rowSet[1]"
    error = refused(read_csv_table, PATH, b"na\x01me,team\nJokic,DEN\n")
    assert error.row is None and error.problem.startswith("the header has a control character in 'na\\x01me'")


def test_invalid_json_is_one_line():
    assert "not valid JSON" in str(refused(read_json, PATH, b'{"resultSets": ['))


def test_result_sets_as_one_object_or_a_list_with_nulls_and_empty_strings_as_missing():
    one = {"resultSets": {"name": "PlayerGameLogs", "headers": ["A", "B"], "rowSet": [[1, None], ["", "x"]]}}
    frame = result_set_table(PATH, one).frame
    assert frame.isna().to_numpy().tolist() == [[False, True], [True, False]] and (
        frame.iloc[0, 0],
        frame.iloc[1, 1],
    ) == ("1", "x")
    many = {
        "resultSets": [
            {"name": "Other", "headers": ["A"], "rowSet": [[1]]},
            {"name": "Wanted", "headers": ["B"], "rowSet": [[2]]},
        ]
    }
    assert list(result_set_table(PATH, many, preferred=("Wanted",)).frame.columns) == ["B"]
    assert list(result_set_table(PATH, many).frame.columns) == ["A"]  # none preferred: the first


@pytest.mark.parametrize(
    "payload, problem",
    [
        ({"parameters": {}}, "no 'resultSets' in JSON"),
        ({"resultSets": []}, "no 'resultSets' in JSON"),
        ([1, 2], "no 'resultSets' in JSON"),
        ({"resultSets": [{"headers": ["A"]}]}, "lacks 'headers'/'rowSet'"),
        ({"resultSets": [{"headers": ["A", "B"], "rowSet": [{"A": 1, "B": 2}]}]}, "has no values for 2 headers"),
        ({"resultSets": [{"headers": ["A", "B"], "rowSet": [[1]]}]}, "has 1 values for 2 headers"),
        ({"resultSets": [{"headers": ["A", "A"], "rowSet": [[1, 2]]}]}, "header A appears twice"),
        ({"resultSets": [{"headers": ["A"], "rowSet": [["x\x01y"]]}]}, "control character"),
    ],
)
def test_malformed_result_sets_are_refused_in_one_line(payload, problem):
    assert problem in str(refused(result_set_table, PATH, json.loads(json.dumps(payload))))


# ---- columns and values ----------------------------------------------------------------------------------


def test_two_columns_meaning_one_and_an_empty_required_cell_are_refused():
    frame = pd.DataFrame([["1", "2"]], columns=["GAME_DATE", "GAME_DATE"], dtype=object)
    twice = TextTable(PATH, frame, lambda i: f"line {i + 2}")
    assert "two columns both mean GAME_DATE" in str(refused(require_unique_columns, twice))
    t = table(PLAYER_ID=["1", None])
    error = refused(require_values, t, "PLAYER_ID", t.frame["PLAYER_ID"])
    assert error.row == "line 3" and error.problem == "required column PLAYER_ID is empty"


def test_whole_numbers_refuse_fractions_and_text_and_keep_big_integers_exact():
    t = table(PTS=["3", "3.5"])
    error = refused(to_number, t, "PTS", t.frame["PTS"], whole=True)
    assert error.row == "line 3" and "expected a whole number" in error.problem
    t = table(ID=["9007199254740993", "1"])  # 2**53 + 1: a float would round it
    assert to_number(t, "ID", t.frame["ID"], whole=True).tolist() == [9007199254740993, 1]
    t = table(PCT=["0.5", "abc"])
    assert "expected a number" in str(refused(to_number, t, "PCT", t.frame["PCT"], whole=False))


def test_dates_drop_a_time_part_and_other_formats_are_tried_in_turn():
    t = table(D=["2025-10-21T19:30:00", "2025-10-22"])
    assert to_date(t, "D", t.frame["D"]).tolist() == [date(2025, 10, 21), date(2025, 10, 22)]
    t = table(D=["10/21/2025", "2025-10-22"])
    assert to_date(t, "D", t.frame["D"], formats=("%m/%d/%Y", "%Y-%m-%d")).tolist() == [
        date(2025, 10, 21),
        date(2025, 10, 22),
    ]
    t = table(D=["2025-10-21", "21 Oct"])
    assert refused(to_date, t, "D", t.frame["D"]).row == "line 3"


def test_timestamps_become_naive_utc_and_a_bad_one_is_refused():
    t = table(T=["2025-10-21T19:30:00-04:00", "2025-10-22T01:00:00Z"])
    assert to_utc_timestamp(t, "T", t.frame["T"]).tolist() == [
        pd.Timestamp("2025-10-21 23:30"),
        pd.Timestamp("2025-10-22 01:00"),
    ]
    t = table(T=["2025-10-21T19:30:00Z", "tomorrow"])
    error = refused(to_utc_timestamp, t, "T", t.frame["T"])
    assert error.row == "line 3" and "expected an ISO-8601 time" in error.problem


def test_minutes_to_four_decimals_and_text_that_is_no_duration_is_refused():
    t = table(MIN=["34", "34:10", "PT34M10.00S", "12.5"])
    assert to_minutes(t, "MIN", t.frame["MIN"]).tolist() == [34.0, 34.1667, 34.1667, 12.5]
    t = table(MIN=["34", "thirty"])
    error = refused(to_minutes, t, "MIN", t.frame["MIN"])
    assert error.row == "line 3" and "expected minutes" in error.problem


# ---- the raw contract ------------------------------------------------------------------------------------

CONTRACT = RawTable(
    name="contract_fixture",
    columns={"game_date": "DATE", "snapshot_at": "TIMESTAMP", "count": "INTEGER", "big": "BIGINT", "line": "DOUBLE"},
    key=("game_date",),
    checks={
        "game_date": Check(date(2020, 1, 1), date(2020, 12, 31)),
        "snapshot_at": Check(date(2020, 1, 1), date(2020, 12, 31)),
        "line": Check(0, 200),
    },
)


def contract(column: str, values: list, texts: list | None = None, named: dict | None = None) -> None:
    """check_contract on one column: ``values`` as converted, ``texts`` as the file wrote them."""
    source = (named or {}).get(column, column.upper())
    t = table(**{source: texts if texts is not None else [str(v) for v in values]})
    out = pd.DataFrame({column: values})
    check_contract(t, CONTRACT, out, named)


def test_dates_and_times_are_allowed_through_the_whole_last_day_and_from_the_first_instant():
    contract("game_date", [date(2020, 1, 1), date(2020, 12, 31), None])
    contract("snapshot_at", [pd.Timestamp("2020-01-01 00:00"), pd.Timestamp("2020-12-31 23:59:59.999999")])
    error = refused(contract, "snapshot_at", [pd.Timestamp("2020-12-31 12:00"), pd.Timestamp("2021-01-01 00:00")])
    assert error.row == "line 3" and "outside the allowed 2020-01-01..2020-12-31" in error.problem
    assert refused(contract, "game_date", [date(2019, 12, 31)]).row == "line 2"
    contract("snapshot_at", [None, None])  # nothing present: nothing to check


def test_integer_columns_are_held_to_their_type_range():
    contract("count", [-(2**31), 2**31 - 1])
    for outside in (-(2**31) - 1, 2**31):
        error = refused(contract, "count", [0, outside])
        assert error.row == "line 3" and f"outside the allowed {-(2**31)}..{2**31 - 1}" in error.problem
    contract("big", [-(2**63) + 1024, 2**63 - 1024])


def test_a_value_outside_the_contract_is_shown_as_the_file_wrote_it_in_the_files_column():
    error = refused(contract, "line", [12.0, 250.0], texts=["12", "250.000"])
    assert error.problem.startswith("column LINE has '250.000', outside the allowed 0..200")
    error = refused(contract, "line", [12.0, 250.0], texts=["12", "2.5e2"], named={"line": "TOTAL_LINE"})
    assert error.problem.startswith("column TOTAL_LINE has '2.5e2'")
