"""Mutants of the custom generic dbt tests (and the macros they use), each run against the fixture project.

Usage (from the repo root; ~10 s per mutant):

    .tools/bin/uv run --frozen python tests/mutation/dbt_generic_mutants.py            # every mutant below
    .tools/bin/uv run --frozen python tests/mutation/dbt_generic_mutants.py --only pk_  # names starting so

Each mutant is a text edit of a copy of macros/ and tests/dbt/generic/ (the working tree is never touched); the
copied fixture project (tests/dbt_generic_fixtures) is built once as a daily build and tested once as a full one,
exactly as tests/python/warehouse/test_dbt_generic_tests.py does, and compared with its EXPECTED failing-row counts. A
mutant is killed when any fixture test's outcome differs; the ones it changed are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "python"))
sys.path.insert(0, str(ROOT / "tests" / "python" / "warehouse"))

import test_dbt_generic_tests as fixture_test  # noqa: E402

from nbacore.dbt_runner import run_dbt  # noqa: E402
from nbacore.settings import load_settings  # noqa: E402

DAILY = "macros/daily_tests.sql"
PK = "tests/dbt/generic/primary_key.sql"
RANGE = "tests/dbt/generic/accepted_range.sql"
EXCEPTIONS = "macros/data_test_exceptions.sql"
TWO = "tests/dbt/generic/exactly_two_teams_per_game.sql"
SCOPE = "tests/dbt/generic/daily_scope_not_empty.sql"

# name -> (file, text, replacement)
MUTANTS = {
    "scope_drops_null_dates (the macro before issue 19)": (DAILY, "            or game_date is null\n", ""),
    "scope_empty_tests_nothing (the macro before issue 19)": (
        DAILY,
        "            or not exists (select 1 from {{ model }} where {{ daily_test_scope('game_date') }})\n",
        "",
    ),
    "scope_excludes_its_first_day": (DAILY, "{{ column }} >= cast(", "{{ column }} > cast("),
    "scope_ignored": (
        DAILY,
        "{%- if run_setting('NBAPROPS_DAILY_TEST_SINCE') -%}\n        {%- set columns",
        "{%- if false -%}\n        {%- set columns",
    ),
    "pk_unscoped": (PK, "from {{ daily_scoped(model) }} as scoped", "from {{ model }} as scoped"),
    "pk_allows_two_rows": (PK, "where rows_with_key > 1", "where rows_with_key > 2"),
    "pk_allows_null_parts": (PK, "    or {{ column }} is null\n", ""),
    "range_min_exclusive": (RANGE, "{{ column_name }} < {{ min_value }}", "{{ column_name }} <= {{ min_value }}"),
    "range_max_exclusive": (RANGE, "{{ column_name }} > {{ max_value }}", "{{ column_name }} >= {{ max_value }}"),
    "range_no_max": (RANGE, "{% if max_value is not none %}", "{% if false %}"),
    "range_null_key_excused (the macro before issue 19)": (
        RANGE,
        "where record_key is null  -- a row without a key is never an exception (NULL NOT IN (...) would excuse it)\n    or ",
        "where ",
    ),
    "range_exceptions_ignored": (RANGE, "{% if exception_test_name %}\nwhere", "{% if false %}\nwhere"),
    "exceptions_keep_null_keys": (EXCEPTIONS, "        and record_key is not null\n", ""),
    "exceptions_of_every_test": (EXCEPTIONS, "where test_name = '{{ test_name }}'", "where true"),
    "two_teams_no_row_count": (TWO, "having count(*) <> 2\n    or ", "having "),
    "two_teams_no_distinct_check": (TWO, "    or count(distinct {{ team_column }}) <> 2\n", ""),
    "two_teams_no_home_check": (TWO, "    or sum(case when {{ home_column }} then 1 else 0 end) <> 1\n", ""),
    "two_teams_no_away_check": (TWO, "    or sum(case when not {{ home_column }} then 1 else 0 end) <> 1\n", ""),
    "two_teams_counts_the_wrong_column": (
        TWO,
        "    or count(distinct {{ team_column }}) <> 2\n",
        "    or count(distinct {{ home_column }}) <> 2\n",
    ),
    "scope_check_always_passes": (SCOPE, "where model_rows > 0\n", "where false\n"),
    "scope_check_fails_on_empty_tables": (SCOPE, "where model_rows > 0\n    and", "where"),
    "scope_check_counts_every_row": (
        SCOPE,
        "count(case when {{ daily_test_scope(column_name) }} then 1 end) as rows_in_scope",
        "count(*) as rows_in_scope",
    ),
}


def copy_tree(root: Path) -> Path:
    shutil.copytree(ROOT / "macros", root / "macros")
    shutil.copytree(ROOT / "tests" / "dbt" / "generic", root / "tests" / "dbt" / "generic")
    shutil.copytree(fixture_test.FIXTURE_PROJECT, root / "tests" / "dbt_generic_fixtures")
    return root / "tests" / "dbt_generic_fixtures"


def outcomes(project: Path, work: Path) -> dict[str, dict[str, tuple[str, int]]]:
    os.environ.update(
        {
            "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"),
            "NBAPROPS_DUCKDB_PATH": str(work / "fixtures.duckdb"),
        }
    )
    settings = replace(load_settings("local"), project_dir=project)
    sys.stdout.flush()
    saved = os.dup(1)
    with open(work / "dbt_output.txt", "w") as sink:  # dbt prints each failure even with --quiet
        os.dup2(sink.fileno(), 1)
        try:
            daily = run_dbt(
                settings, ["build"], quiet=True, env={"NBAPROPS_DAILY_TEST_SINCE": fixture_test.DAILY_SINCE}
            )
            full = run_dbt(settings, ["test"], quiet=True)
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
    tests = fixture_test.declared_tests()
    out = {}
    for mode, outcome in (("daily", daily), ("full", full)):
        out[mode] = {n.name: (n.status, fixture_test.failing_rows(n.message)) for n in outcome.nodes if n.name in tests}
    return out


def differences(got: dict) -> list[str]:
    changed = []
    for name, counts in fixture_test.EXPECTED.items():
        for mode, want in (("daily", counts[0]), ("full", counts[1])):
            status, rows = got[mode].get(name, ("missing", 0))
            if (status, rows) != ("fail" if want else "pass", want):
                changed.append(f"{name} [{mode}]: {status} {rows}, expected {want}")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="run the mutants whose name starts so")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="nbaprops_dbt_mutants_"))
    results = {}
    for name, (file, text, new) in [("(unmutated)", (None, "", "")), *MUTANTS.items()]:
        if args.only and not name.startswith(args.only) and file is not None:
            continue
        work = base / name.split(" ")[0].strip("()")
        project = copy_tree(work / "tree")
        if file is not None:
            path = work / "tree" / file
            source = path.read_text(encoding="utf-8")
            assert source.count(text) == 1, f"{name}: the text to mutate is not in {file} exactly once"
            path.write_text(source.replace(text, new), encoding="utf-8")
        changed = differences(outcomes(project, work))
        if file is None:
            assert not changed, f"the unmutated macros do not give EXPECTED: {changed}"
            print("unmutated: every fixture as expected", flush=True)
            continue
        results[name] = changed
        print(
            f"{'KILLED  ' if changed else 'SURVIVED'} {name}: {'; '.join(changed[:3]) or 'no fixture changed'}"
            f"{' ...' if len(changed) > 3 else ''}",
            flush=True,
        )
    killed = sum(1 for c in results.values() if c)
    print(f"\n{killed}/{len(results)} dbt mutants killed; work in {base}")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
