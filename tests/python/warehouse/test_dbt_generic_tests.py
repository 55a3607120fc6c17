"""Every custom generic dbt test can fail: each runs on hand-made fixtures, passing on some and failing on others.

tests/dbt_generic_fixtures/ is a tiny dbt project that reuses the real macros and generic tests (its macro-paths
point at macros/ and tests/dbt/generic/); each fixture model carries named tests, and EXPECTED below says how many
failing rows each returns in a daily build (NBAPROPS_DAILY_TEST_SINCE set, as `nbaprops build --daily` does) and
in a full one. One `dbt build` (daily) and one `dbt test` (full) against a private DuckDB file, ~15 s in all.

The daily cases pin down the scope (macros/daily_tests.sql): a duplicate before the window passes a daily build
and fails a full one, but a scope that holds no rows while the table has some tests the whole table, a row without
a game_date is always in scope, and daily_scope_not_empty fails when the window holds none of a table's rows.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import yaml

from nbacore.dbt_runner import run_dbt
from nbacore.settings import PROJECT_DIR, load_settings

FIXTURE_PROJECT = PROJECT_DIR / "tests" / "dbt_generic_fixtures"
GENERIC_TEST_DIRS = (PROJECT_DIR / "macros", PROJECT_DIR / "tests" / "dbt" / "generic")
DAILY_SINCE = "2025-01-10"

# test name -> (failing rows in a daily build from DAILY_SINCE, failing rows in a full build)
EXPECTED = {
    # primary_key
    "pk_clean__player_and_date": (0, 0),
    "pk_clean__player_alone": (1, 1),  # player 1 on two dates: the key needs both columns
    "pk_duplicate__player_and_date": (1, 1),
    "pk_null_part__player_and_date": (1, 1),
    "pk_dup_before_scope__player_and_date": (0, 1),  # the day before the window: a daily build leaves it alone
    "pk_dup_at_scope_start__player_and_date": (1, 1),  # the window's first day is in the window
    "pk_stale_dup__player_and_date": (1, 1),  # empty window, table has rows: the whole table is tested
    "pk_stale_clean__player_and_date": (0, 0),
    "pk_null_date__player_and_date": (1, 1),  # a NULL game_date is never outside the window
    "pk_empty__player_and_date": (0, 0),
    "pk_no_date_column__lookup_and_player": (1, 1),  # no game_date: the whole table, daily or not
    # daily_scope_not_empty
    "scope_not_empty__recent_rows": (0, 0),
    "scope_not_empty__stale_rows": (1, 0),  # the window holds none of the rows: fails, daily only
    "scope_not_empty__no_rows": (0, 0),
    # accepted_range
    "ar_values__inclusive_bounds": (0, 0),  # 0 and 10 lie in [0, 10]; NULL is ignored
    "ar_values__min_only": (1, 1),
    "ar_values__max_only": (1, 1),
    "ar_values__both_bounds_inside": (2, 2),
    "ar_values__no_bounds": (0, 0),
    "ar_excepted__listed_key": (0, 0),  # listed in the fixture's data_test_exceptions seed
    "ar_excepted__no_exception_list": (1, 1),  # the same row without exception_test_name
    "ar_not_excepted__unlisted_keys": (2, 2),  # one key listed nowhere, one listed for another test only
    "ar_null_key__null_record_key": (1, 1),  # a NULL record key is no exception
    "ar_null_key__no_record_key": (2, 2),  # exception_test_name without record_key excuses nothing
    # exactly_two_teams_per_game
    "two_teams__ok": (0, 0),
    "two_teams__one_row": (1, 1),
    "two_teams__three_rows": (1, 1),
    "two_teams__same_team": (1, 1),
    "two_teams__two_home": (1, 1),
    "two_teams__two_away": (1, 1),
    "two_teams__null_flag_away_side": (1, 1),  # only the away count is wrong
    "two_teams__null_flag_home_side": (1, 1),  # only the home count is wrong
    "two_teams__extra_row": (1, 1),  # two teams, one home, one away, but three rows
    "two_teams__every_game": (8, 8),  # one row per offending game, the good one not among them
    "two_teams_renamed__ok": (0, 0),
    "two_teams_renamed__same_team": (1, 1),
}


def failing_rows(message: str) -> int:
    found = re.search(r"Got (\d+) results?", message or "")
    return int(found.group(1)) if found else 0


def outcome_by_test(outcome) -> dict[str, tuple[str, int]]:
    """Each fixture test's (status, failing rows); every other node (fixture models, the seed) must have built."""
    tests = declared_tests()
    others = [(n.name, n.status, n.message) for n in outcome.nodes if n.name not in tests]
    assert all(status == "success" for _, status, _ in others), others
    return {n.name: (n.status, failing_rows(n.message)) for n in outcome.nodes if n.name in tests}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict[str, tuple[str, int]]]:
    root = tmp_path_factory.mktemp("dbt_generic")
    mp = pytest.MonkeyPatch()
    mp.setenv("DBT_TARGET_PATH", str(root / "target"))
    mp.setenv("DBT_LOG_PATH", str(root / "logs"))
    mp.setenv("NBAPROPS_DUCKDB_PATH", str(root / "fixtures.duckdb"))
    try:
        settings = replace(load_settings("local"), project_dir=FIXTURE_PROJECT)
        daily = run_dbt(settings, ["build"], quiet=True, env={"NBAPROPS_DAILY_TEST_SINCE": DAILY_SINCE})
        full = run_dbt(settings, ["test"], quiet=True)  # run_dbt unsets NBAPROPS_DAILY_TEST_SINCE
    finally:
        mp.undo()
    return {"daily": outcome_by_test(daily), "full": outcome_by_test(full)}


def declared_tests() -> dict[str, str]:
    """Fixture test name -> the generic test it runs, from the fixture project's YAML."""
    declared: dict[str, str] = {}
    for path in (FIXTURE_PROJECT / "models").glob("*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            entries = list(model.get("data_tests", []))
            for column in model.get("columns", []):
                entries += column.get("data_tests", [])
            for entry in entries:
                ((generic, spec),) = entry.items()
                declared[spec["name"]] = generic
    return declared


def custom_generic_tests() -> set[str]:
    """Every `{% test name(...) %}` defined in the project."""
    found = set()
    for folder in GENERIC_TEST_DIRS:
        for path in folder.rglob("*.sql"):
            found |= set(re.findall(r"{%-?\s*test\s+(\w+)\s*\(", path.read_text(encoding="utf-8")))
    return found


def test_every_custom_generic_test_has_a_failing_and_a_passing_fixture():
    declared = declared_tests()
    assert set(declared) == set(EXPECTED)
    generics = custom_generic_tests()
    assert generics >= {"primary_key", "accepted_range", "exactly_two_teams_per_game", "daily_scope_not_empty"}
    for generic in generics:
        cases = [EXPECTED[name] for name, used in declared.items() if used == generic]
        assert any(daily or full for daily, full in cases), f"{generic}: no fixture on which it fails"
        assert (0, 0) in cases, f"{generic}: no fixture on which it passes"


@pytest.mark.parametrize("mode", ["daily", "full"])
def test_each_generic_test_fails_exactly_on_its_bad_fixtures(results, mode):
    got = results[mode]
    assert set(got) == set(EXPECTED), set(got) ^ set(EXPECTED)
    wrong = {}
    for name, counts in EXPECTED.items():
        want = counts[0 if mode == "daily" else 1]
        status, rows = got[name]
        if (status, rows) != ("fail" if want else "pass", want):
            wrong[name] = f"expected {want} failing rows, got {status} with {rows}"
    assert not wrong, wrong


def test_fixture_project_reuses_the_real_generic_tests():
    project = yaml.safe_load((FIXTURE_PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))
    paths = {(FIXTURE_PROJECT / p).resolve() for p in project["macro-paths"]}
    assert paths == {p.resolve() for p in GENERIC_TEST_DIRS}
    assert not (FIXTURE_PROJECT / "tests").exists() and project["test-paths"] == []  # no copies of the tests
