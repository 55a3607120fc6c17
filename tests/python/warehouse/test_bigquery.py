"""BigQuery without Google, in three layers (docs/bigquery.md), plus the BigQuery loader.

1. offline compile: every model and test compiles for BigQuery with no network (profile bigquery_offline);
2. dialect lint: the compiled SQL is GoogleSQL (sqlglot + rules), and a DuckDB-only fixture model is caught;
3. emulator: bqemulator on 127.0.0.1 runs `dbt build` (seeds, views, tables, tests), source freshness and an
   incremental model, on simulator data landed by nbacore.warehouse.bigquery_loader.

Everything runs against a temporary copy of the project, so the fixture models in tests/fixtures/bigquery/
never enter models/ and nothing here touches the working tree's target/ or warehouse.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from conftest import missing_tool

from devtools.bigquery_emulator import EmulatorUnavailable, running_emulator
from devtools.bigquery_lint import OfflineCompile, lint_paths, lint_sql
from nbacore.raw_tables import PLAYER_GAME_LOGS, RAW_TABLES, SCHEDULE
from nbacore.warehouse.bigquery_loader import (
    CLUSTERING,
    ensure_raw_tables,
    partition_predicate,
    replace_partitions,
    sql_string,
)

PROJECT_DIR = Path(__file__).resolve().parents[3]
FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "bigquery"
PROJECT_PARTS = (
    "dbt_project.yml",
    "packages.yml",
    "package-lock.yml",
    "profiles",
    "models",
    "macros",
    "seeds",
    "tests/dbt",
    "snapshots",
    "analyses",
    "dbt_packages",
)
FIXTURE_MODELS = ("duckdb_only_model", "bq_incremental_probe", "bq_insert_overwrite_probe")
EMULATOR_VARS = {"bq_incremental_strategy": "merge"}
INSERT_OVERWRITE_PROBE = "nbaprops.bq_insert_overwrite_probe"
SIM_DAYS = 9  # 8 days in the first build: every player with a prop line has played (a data test checks it)


# --------------------------------------------------------------------------------------------------------------
# shared fixtures
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bq_project(tmp_path_factory) -> Path:
    """A copy of the dbt project with the BigQuery fixture models added under models/_bigquery_fixtures/."""
    root = tmp_path_factory.mktemp("bq_project")
    for part in PROJECT_PARTS:
        source = PROJECT_DIR / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, root / part)
    fixtures_dir = root / "models" / "_bigquery_fixtures"
    fixtures_dir.mkdir(parents=True)
    for name in FIXTURE_MODELS:
        shutil.copy2(FIXTURES / f"{name}.sql", fixtures_dir / f"{name}.sql")
    (root / "macros" / "_bigquery_fixtures").mkdir(parents=True)
    shutil.copy2(FIXTURES / "fixture_run_sql.sql", root / "macros" / "_bigquery_fixtures" / "fixture_run_sql.sql")
    return root


@pytest.fixture(scope="module")
def offline_compile_started(bq_project) -> OfflineCompile:
    """The offline compile, started early (the emulator fixtures depend on it) so it overlaps the emulator build."""
    compile_ = OfflineCompile(project_dir=bq_project, target_path=bq_project / "target_offline").start()
    yield compile_
    compile_.wait(timeout=60)  # never leave the child behind


@pytest.fixture(scope="module")
def offline_compile(offline_compile_started):
    result = offline_compile_started.wait(timeout=300)
    assert result.ok, f"offline BigQuery compile failed:\n{result.output[-6000:]}"
    return result


@dataclass(frozen=True)
class Step:
    """One dbt invocation run by the worker: its arguments, success, and (unique_id, status, message) per node."""

    args: list[str]
    success: bool
    nodes: list[tuple[str, str, str]]
    error: str | None

    def failed(self) -> list[tuple[str, str, str]]:
        return [n for n in self.nodes if n[1] not in {"success", "pass", "no-op"}]  # exposures: no-op


# dbt in a child process (its global flags and adapters stay out of pytest) that serves many invocations: one
# JSON argument list per stdin line, one "@@step@@"-prefixed JSON result per invocation on stdout.
WORKER = r"""
import json, sys
from dbt.cli.main import dbtRunner
runner = dbtRunner()
for line in sys.stdin:
    args = json.loads(line)
    try:
        res = runner.invoke(args)
        results = [r for r in (getattr(res.result, "results", None) or []) if getattr(r, "node", None) is not None]
        nodes = [(r.node.unique_id, str(r.status).lower(), r.message or "") for r in results]
        out = {"success": bool(res.success), "nodes": nodes, "error": None if res.exception is None else repr(res.exception)}
    except BaseException as exc:
        out = {"success": False, "nodes": [], "error": repr(exc)}
    print("@@step@@" + json.dumps(out), flush=True)
"""


class DbtWorker:
    """dbt invocations against one project and target, paying dbt's start-up once."""

    def __init__(self, project: Path, target: str, env: dict[str, str], variables: dict):
        target_path = project / f"target_{target}"
        self.common = [
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project / "profiles"),
            "--target",
            target,
            "--target-path",
            str(target_path),
            "--log-path",
            str(target_path / "logs"),
            "--vars",
            json.dumps(variables),
        ]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            env={**os.environ, **env},
            cwd=project,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.transcript: list[str] = []

    def invoke(self, *args: str) -> Step:
        self.proc.stdin.write(json.dumps([*args, *self.common]) + "\n")
        self.proc.stdin.flush()
        for line in self.proc.stdout:
            if line.startswith("@@step@@"):
                out = json.loads(line[len("@@step@@") :])
                return Step(list(args), out["success"], [tuple(n) for n in out["nodes"]], out["error"])
            self.transcript.append(line)
        raise AssertionError(f"dbt worker died (rc {self.proc.wait()}):\n{''.join(self.transcript[-80:])}")

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory, offline_compile_started):
    """bqemulator on 127.0.0.1 (free ports, in memory) for this module; if it cannot start, skipped (failed under CI=true)."""
    log = tmp_path_factory.mktemp("bqemulator") / "bqemulator.log"
    try:
        with running_emulator(log_path=log) as emu:
            yield emu
    except EmulatorUnavailable as exc:
        missing_tool(f"bqemulator could not start, so the emulator layer cannot run: {exc}")


@pytest.fixture(scope="module")
def bq_client(emulator):
    return emulator.client()


SIM_FILES = (
    ("schedule", "schedule.csv"),
    ("game-logs", "player_game_logs.csv"),
    ("game-logs", "team_game_logs.csv"),
    ("props", "props.csv"),
    ("game-lines", "game_lines.csv"),
)


def simulated_batches(out_dir: Path, days: int = SIM_DAYS, files: tuple[str, ...] | None = None):
    """Simulator files parsed by the real importers: [(RawTable, frame, source)] (``files``: only these)."""
    from nbacore.importers import parse_files
    from simulator import SimConfig, simulate

    simulate(SimConfig(seed=7, days=days), out_dir)
    batches = []
    for kind, name in SIM_FILES:
        if files is None or name in files:
            batches.extend((p.table, p.frame, p.source) for p in parse_files(kind, [out_dir / name]))
    return batches


def game_dates(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["game_date"]).dt.date


def rows(client, sql: str) -> list[tuple]:
    return [tuple(r.values()) for r in client.query_and_wait(sql)]


# --------------------------------------------------------------------------------------------------------------
# the BigQuery loader, on the emulator
# --------------------------------------------------------------------------------------------------------------


def _schedule_frame(game_ids: list[str], game_date: date, home_pts: int = 100) -> pd.DataFrame:
    columns = [c for c in SCHEDULE.columns if c not in ("_loaded_at", "_source")]
    frame = pd.DataFrame({c: [None] * len(game_ids) for c in columns})
    frame["game_id"] = game_ids
    frame["game_date"] = game_date
    frame["season"] = "2025-26"
    frame["home_team_abbreviation"] = "BOS"
    frame["away_team_abbreviation"] = "NYK"
    frame["home_pts"] = home_pts
    frame["tipoff_at"] = datetime(2025, 10, 22, 23, 30)
    return frame


def test_loader_replaces_partitions_and_keeps_the_rest(bq_client):
    dataset = "raw_loader_replace"
    d1, d2 = date(2025, 10, 21), date(2025, 10, 22)
    first = pd.concat([_schedule_frame(["g1", "g2"], d1), _schedule_frame(["g3"], d2)])
    landed = replace_partitions(
        bq_client, [(SCHEDULE, first, "a.csv"), (SCHEDULE, _schedule_frame(["x1"], d1), "b.csv")], dataset=dataset
    )
    assert [(p.source, p.dates, p.rows) for p in landed] == [("a.csv", 2, 3), ("b.csv", 1, 1)]
    # Rerun a.csv with only d1, different rows: d1 of a.csv is replaced, d2 of a.csv and all of b.csv stay.
    replace_partitions(bq_client, [(SCHEDULE, _schedule_frame(["g1"], d1, home_pts=120), "a.csv")], dataset=dataset)
    got = rows(bq_client, f"select _source, game_date, game_id, home_pts from {dataset}.schedule order by 1, 2, 3")
    assert got == [("a.csv", d1, "g1", 120), ("a.csv", d2, "g3", 100), ("b.csv", d1, "x1", 100)]
    # Same run again: nothing duplicates; naive-UTC timestamps land as the same instant in a TIMESTAMP.
    loaded_at = datetime(2025, 10, 23, 4, 5, 6)
    replace_partitions(
        bq_client,
        [(SCHEDULE, _schedule_frame(["g1"], d1, home_pts=120), "a.csv")],
        loaded_at=loaded_at,
        dataset=dataset,
    )
    assert rows(bq_client, f"select count(*) from {dataset}.schedule") == [(3,)]
    got = rows(bq_client, f"select _loaded_at, tipoff_at from {dataset}.schedule where game_id = 'g1'")
    assert got == [(loaded_at.replace(tzinfo=UTC), datetime(2025, 10, 22, 23, 30, tzinfo=UTC))]
    # No staging tables are left behind.
    assert [t.table_id for t in bq_client.list_tables(dataset)] == ["schedule"]


def test_loader_tables_are_partitioned_by_game_date_and_big_ones_clustered(bq_client):
    dataset = "raw_loader_layout"
    frame = _schedule_frame(["g1"], date(2025, 10, 21))
    replace_partitions(bq_client, [(SCHEDULE, frame, "a.csv")], dataset=dataset)
    ensure_raw_tables(bq_client, dataset)
    for name, raw in RAW_TABLES.items():
        table = bq_client.get_table(f"{dataset}.{name}")
        assert table.time_partitioning.field == "game_date", name
        assert [f.name for f in table.schema] == list(raw.columns), name
        assert table.clustering_fields == CLUSTERING.get(name), name


def test_loader_is_all_or_nothing_across_tables(bq_client):
    """A failure in the transaction (here: a table whose schema lost a column) rolls back every table."""
    from google.api_core.exceptions import GoogleAPIError
    from google.cloud import bigquery

    dataset = "raw_loader_atomic"
    d1 = date(2025, 10, 21)
    replace_partitions(bq_client, [(SCHEDULE, _schedule_frame(["g1"], d1), "a.csv")], dataset=dataset)
    broken = bigquery.Table(
        f"{bq_client.project}.{dataset}.player_game_logs",
        schema=[bigquery.SchemaField("game_date", "DATE"), bigquery.SchemaField("_source", "STRING")],
    )
    bq_client.create_table(broken)
    logs = pd.DataFrame({c: [None] for c in PLAYER_GAME_LOGS.columns if c not in ("_loaded_at", "_source")})
    logs["game_date"], logs["game_id"], logs["player_id"] = d1, "g1", 1
    with pytest.raises(GoogleAPIError):  # the insert into the broken table fails inside the transaction
        replace_partitions(
            bq_client,
            [(SCHEDULE, _schedule_frame(["g1", "g2"], d1, home_pts=130), "a.csv"), (PLAYER_GAME_LOGS, logs, "a.csv")],
            dataset=dataset,
        )
    assert rows(bq_client, f"select game_id, home_pts from {dataset}.schedule") == [("g1", 100)]
    assert sorted(t.table_id for t in bq_client.list_tables(dataset)) == ["player_game_logs", "schedule"]


def test_loader_rejects_two_inputs_with_one_source_before_writing(bq_client):
    frame = _schedule_frame(["g1"], date(2025, 10, 21))
    with pytest.raises(ValueError, match="share the source name 'a.csv'"):
        replace_partitions(
            bq_client, [(SCHEDULE, frame, "a.csv"), (SCHEDULE, frame, "a.csv")], dataset="raw_loader_dup"
        )
    assert "raw_loader_dup" not in {d.dataset_id for d in bq_client.list_datasets()}


def test_partition_predicate_prunes_by_literal_dates_and_escapes_sources():
    predicate = partition_predicate({"it's\\x.csv": {date(2025, 10, 22), date(2025, 10, 21)}, "b.csv": set()})
    assert predicate == (
        "game_date in (DATE '2025-10-21', DATE '2025-10-22') and "
        "((_source = 'it\\'s\\\\x.csv' and game_date in (DATE '2025-10-21', DATE '2025-10-22')))"
    )
    assert partition_predicate({"a.csv": set()}) is None
    assert sql_string("a\nb") == "'a\\nb'"


# --------------------------------------------------------------------------------------------------------------
# layer 3: dbt build on the emulator
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator_run(bq_project, emulator, bq_client, tmp_path_factory):
    """Land simulator data, then: build + source freshness; restate/add data; incremental runs of the probes."""
    env = {"NBAPROPS_BQ_EMULATOR_ENDPOINT": emulator.endpoint, "NBAPROPS_BQ_EMULATOR_PROJECT": emulator.project}
    batches = simulated_batches(tmp_path_factory.mktemp("sim"))
    logs_table, logs, logs_source = next(b for b in batches if b[0] is PLAYER_GAME_LOGS)
    dates = game_dates(logs)
    # The last played day is held back from every table (as if the data ended the day before); its box
    # scores land after the build, for the incremental run.
    held_back = dates.max()
    first_batches = [(t, f[game_dates(f) != held_back], s) for t, f, s in batches]
    ensure_raw_tables(bq_client)  # every raw table exists, as on DuckDB, even those the simulator has no rows for
    replace_partitions(bq_client, first_batches)

    dbt = DbtWorker(bq_project, "bigquery_emulator", env, EMULATOR_VARS)
    try:
        build = [
            # Unit tests are left out: they mock a model's inputs and the emulator executes on DuckDB, so they
            # would re-prove what `nbaprops build` proves on DuckDB, at several seconds each.
            dbt.invoke(
                "build",
                "--threads",
                "2",
                "--exclude",
                "duckdb_only_model",
                "bq_insert_overwrite_probe",
                "--exclude-resource-type",
                "unit_test",
            ),
            dbt.invoke("source", "freshness"),
            dbt.invoke("run", "--select", "bq_insert_overwrite_probe"),
        ]
        # Restate one row of an earlier day (inside the 3-day lookback) and land the held-back day.
        restated_date = sorted(set(dates))[-2]
        restate = logs[(dates == restated_date) | (dates == held_back)].copy()
        target_row = restate.index[game_dates(restate) == restated_date][0]
        restate.loc[target_row, "pts"] = 99
        restated_key = (restate.loc[target_row, "game_id"], int(restate.loc[target_row, "player_id"]))
        replace_partitions(bq_client, [(logs_table, restate, logs_source)])
        # Rows raw does not have, in the insert_overwrite probe: one on the restated date (its partition is
        # rewritten, so the row must go) and one on the first date (outside the lookback, so it must stay).
        first_date = min(dates)
        orphans = {"restated": restated_date, "old": first_date}
        for name, day in orphans.items():
            bq_client.query_and_wait(
                f"insert into {INSERT_OVERWRITE_PROBE} (game_id, player_id, game_date, points) "
                f"values ('orphan-{name}', -1, DATE '{day}', 0)"
            )
        overwrite_before = dict(rows(bq_client, f"select game_date, count(*) from {INSERT_OVERWRITE_PROBE} group by 1"))
        incremental = [
            dbt.invoke("run", "--select", "bq_incremental_probe"),
            dbt.invoke("run", "--select", "bq_insert_overwrite_probe"),
        ]
    finally:
        dbt.close()
    return {
        "build": build,
        "incremental": incremental,
        "restated_key": restated_key,
        "held_back": held_back,
        "project": bq_project,
        "orphans": orphans,
        "overwrite_before": overwrite_before,
    }


def test_dbt_build_passes_on_the_emulator(emulator_run, bq_client):
    build = emulator_run["build"][0]
    assert build.error is None, build.error
    assert not build.failed(), "nodes that failed on the BigQuery emulator:\n" + "\n".join(map(str, build.failed()))
    kinds = {uid.split(".")[0] for uid, _, _ in build.nodes}
    assert {"seed", "model", "test"} <= kinds
    assert build.success
    # Every model built exists in the emulator as what its config says (views as VIEW, the rest as TABLE).
    manifest = json.loads((emulator_run["project"] / "target_bigquery_emulator" / "manifest.json").read_text())
    built = {uid for uid, status, _ in build.nodes if uid.startswith("model.") and status == "success"}
    expected, actual = {}, {}
    for uid in built:
        node = manifest["nodes"][uid]
        expected[uid] = "VIEW" if node["config"]["materialized"] == "view" else "TABLE"
        actual[uid] = bq_client.get_table(f"{node['schema']}.{node['alias']}").table_type
    assert actual == expected and "VIEW" in expected.values() and "TABLE" in expected.values()


def test_source_freshness_runs_on_the_emulator(emulator_run, bq_client):
    """Every freshness query runs; sources the simulator filled are fresh (empty ones are honestly stale)."""
    freshness = emulator_run["build"][1]
    assert freshness.nodes, "no source has a freshness check"
    assert freshness.error is None, freshness.error
    for unique_id, status, message in freshness.nodes:
        assert status != "runtime error", f"{unique_id}: {message}"
        table = unique_id.rsplit(".", 1)[-1]
        if table in RAW_TABLES and rows(bq_client, f"select count(*) from raw.{table}")[0][0] > 0:
            assert status == "pass", (unique_id, status, message)


def test_incremental_merge_on_the_emulator(emulator_run, bq_client):
    run = emulator_run["incremental"][0]
    assert run.success and not run.failed(), run.nodes
    probe = "nbaprops.bq_incremental_probe"
    total, distinct = rows(
        bq_client, f"select count(*), count(distinct concat(game_id, '/', cast(player_id as string))) from {probe}"
    )[0]
    raw_total = rows(
        bq_client, "select count(*) from raw.player_game_logs where game_id is not null and player_id is not null"
    )[0][0]
    assert total == distinct == raw_total  # the new day was added, nothing duplicated
    assert rows(bq_client, f"select max(game_date) from {probe}") == [(emulator_run["held_back"],)]
    game_id, player_id = emulator_run["restated_key"]
    assert rows(bq_client, f"select points from {probe} where game_id = '{game_id}' and player_id = {player_id}") == [
        (99,)
    ]
    table = bq_client.get_table(probe)
    assert table.time_partitioning is not None and table.time_partitioning.field == "game_date"


# The one statement of dbt's dynamic insert_overwrite script the emulator mis-executes (docs/bigquery.md): it
# assigns the struct, not the array inside it. Without `select as struct` the same statement assigns the array,
# which is what BigQuery does with the struct's single field.
STRUCT_ASSIGNMENT = re.compile(r"set \(dbt_partitions_for_replacement\) = \(\s*select as struct\b", re.IGNORECASE)


def test_insert_overwrite_replaces_whole_partitions_on_the_emulator(emulator_run, bq_client):
    """The production strategy: the script dbt generated for the incremental run of the insert_overwrite probe
    is valid GoogleSQL and, executed (on the emulator, with its one documented gap worked around), replaces
    exactly the partitions of the new batch: the restated row and the new day are in, a row that only the old
    version of a replaced partition had is gone, and every older partition is as it was."""
    first = emulator_run["build"][2]
    assert first.success, first.nodes  # the first (create) run
    script_path = next(
        (emulator_run["project"] / "target_bigquery_emulator" / "run").rglob("bq_insert_overwrite_probe.sql")
    )
    script = script_path.read_text()
    assert lint_sql(script, str(script_path)) == []
    incremental = emulator_run["incremental"][1]
    if not incremental.success:  # the emulator stopped at the gap: run dbt's script with that statement fixed
        fixed, count = STRUCT_ASSIGNMENT.subn("set dbt_partitions_for_replacement = (select", script)
        assert count == 1, f"dbt's insert_overwrite script changed shape; update STRUCT_ASSIGNMENT:\n{script}"
        bq_client.query_and_wait(fixed)

    game_id, player_id = emulator_run["restated_key"]
    probe, orphans, before = INSERT_OVERWRITE_PROBE, emulator_run["orphans"], emulator_run["overwrite_before"]
    assert rows(bq_client, f"select points from {probe} where game_id = '{game_id}' and player_id = {player_id}") == [
        (99,)
    ]
    assert rows(bq_client, f"select max(game_date) from {probe}") == [(emulator_run["held_back"],)]
    kept = {g for (g,) in rows(bq_client, f"select game_id from {probe} where game_id like 'orphan-%'")}
    assert kept == {"orphan-old"}, f"orphan rows left after the run: {kept} (expected only orphan-old)"
    after = dict(rows(bq_client, f"select game_date, count(*) from {probe} group by 1"))
    raw = dict(
        rows(
            bq_client,
            "select game_date, count(*) from raw.player_game_logs "
            "where game_id is not null and player_id is not null group by 1",
        )
    )
    replaced = sorted(d for d in after if d >= orphans["restated"])
    assert replaced and emulator_run["held_back"] in replaced
    for day in sorted(after):
        if day in replaced:
            assert after[day] == raw[day], (day, after[day], raw[day])  # rebuilt from raw, orphan gone
        else:
            assert after[day] == before[day], (day, after[day], before[day])  # untouched
    assert not [t.table_id for t in bq_client.list_tables("nbaprops") if "__dbt_tmp" in t.table_id]


# --------------------------------------------------------------------------------------------------------------
# layers 1 + 2: offline compile (started before the emulator fixtures, so it overlaps them) and dialect lint
# --------------------------------------------------------------------------------------------------------------


def _fixture_file(compiled_dir: Path, name: str) -> Path:
    (found,) = list(compiled_dir.rglob(f"_bigquery_fixtures/{name}.sql"))
    return found


def test_every_model_and_test_compiles_offline_and_lints_clean(offline_compile, bq_project):
    report = lint_paths([offline_compile.compiled_dir])
    # every model and data test in the manifest has its compiled file, and every file was linted
    manifest = json.loads((offline_compile.compiled_dir.parent / "manifest.json").read_text())
    # models, data tests and the project's hooks (on-run-start: macros/types.sql)
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "test", "operation")}
    uncompiled = sorted(uid for uid, n in nodes.items() if not n.get("compiled_path"))
    assert not uncompiled, f"{len(uncompiled)} model(s)/test(s) not compiled offline, e.g. {uncompiled[:5]}"
    linted = {Path(f).resolve() for f in report.files}
    expected = {
        Path(n["compiled_path"]).resolve()
        if Path(n["compiled_path"]).is_absolute()
        else (bq_project / n["compiled_path"]).resolve()
        for n in nodes.values()
    }
    assert len(linted) == len(report.files) == len(nodes), (len(report.files), len(nodes))
    assert linted == expected, (
        f"compiled but not linted or linted but not compiled: {sorted(map(str, linted ^ expected))[:10]}"
    )
    models = {n["original_file_path"] for n in nodes.values() if n["resource_type"] == "model"}
    assert models == {str(f.relative_to(bq_project)) for f in (bq_project / "models").rglob("*.sql")}
    assert sum(n["resource_type"] == "test" for n in nodes.values()) > len(models)
    problems = [str(p) for p in report.problems if "_bigquery_fixtures/duckdb_only_model.sql" not in p.path]
    assert not problems, "models that would fail on BigQuery:\n" + "\n".join(problems)


def test_incremental_branch_is_compiled_offline(offline_compile):
    """offline_compile forces is_incremental(), so the incremental branch (the risky one) is what gets linted."""
    sql = _fixture_file(offline_compile.compiled_dir, "bq_incremental_probe").read_text()
    assert re.search(r"game_date >= \(select cast\(", sql), sql
    assert "`nbaprops-offline`.`nbaprops`.`bq_incremental_probe`" in sql  # {{ this }}, BigQuery-quoted


def test_lint_catches_the_duckdb_only_fixture_with_clear_messages(offline_compile):
    compiled = _fixture_file(offline_compile.compiled_dir, "duckdb_only_model")
    expected = {
        (number, match.group(1))
        for number, line in enumerate(compiled.read_text().splitlines(), start=1)
        if (match := re.search(r"expect: ([a-z-]+)", line))
    }
    assert len(expected) == 8
    report = lint_paths([compiled])
    found = {(p.line, p.rule) for p in report.problems}
    assert found == expected, "\n".join(str(p) for p in report.problems)
    messages = {p.rule: str(p) for p in report.problems}
    assert "duckdb_only_model.sql:" in messages["dcolon-cast"] and "Fix: cast(expr as type)" in messages["dcolon-cast"]
    assert "strftime() is not a BigQuery function" in "\n".join(str(p) for p in report.problems)
    assert "date_diff(end, start, day)" in messages["date-part-first"]
    assert '"player_name" is a STRING literal in BigQuery' in messages["double-quoted"]
    assert "lower(a) like lower(b)" in messages["ilike"]


def test_lint_cli_reports_and_exits_nonzero(tmp_path):
    bad = tmp_path / "bad.sql"
    bad.write_text("select a::int from t\n")
    good = tmp_path / "good.sql"
    good.write_text("select safe_cast(a as int64) from `p.d.t`\n")
    done = subprocess.run(
        [sys.executable, "-m", "devtools.bigquery_lint", str(bad), str(good)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bad.sql:1: [dcolon-cast]" in done.stdout
    assert "2 file(s), 1 with problems, 1 problem(s)" in done.stdout


@pytest.mark.parametrize(
    "sql, rule",
    [
        ("select x::date from t", "dcolon-cast"),
        ("select date_diff('day', a, b) from t", "date-part-first"),
        ("select datediff('day', a, b) from t", "date-part-first"),
        ("select date_trunc('month', d) from t", "date-part-first"),
        ("select a from t where a ilike 'x%'", "ilike"),
        ('select "a" from t', "double-quoted"),
        ("select d + interval '3 days' from t", "interval-string"),
        ("select list_value(1, 2)", "unknown-function"),
        ("select median(x) from t", "unknown-function"),
        ("select year(d) from t", "unknown-function"),
        ("select try_cast(x as int64) from t", "unknown-function"),
        ("select first(x) from t", "unknown-function"),
        ("select `strftime`(d, '%Y') from t", "unknown-function"),
        ("select from where", "parse"),
        ("select (a from t", "parse"),
    ],
)
def test_lint_rule(sql, rule):
    assert rule in {p.rule for p in lint_sql(sql)}, lint_sql(sql)


def test_lint_accepts_googlesql():
    sql = """
    with games as (select * from `proj`.`staging`.`stg_games`)
    select
        safe_cast(a as int64) as a, safe.divide(x, y) as ratio, safe_divide(x, y) as ratio2,
        date_diff(b, a, day) as days, date_trunc(d, month) as month_start, d + interval 3 day as later,
        datetime_add(cast(d as datetime), interval -1 day) as earlier, format_date('%Y-%m', d) as ym,
        regexp_replace(normalize(name, NFD), r'\\pM', '') as plain, countif(x > 0) as positives,
        split(s, ' ')[safe_offset(0)] as first_word, array_agg(x order by y limit 1)[offset(0)] as top,
        percentile_cont(x, 0.5) over (partition by g) as median_x, `proj.ds.udf`(x) as udf,
        if(x is null, 0, 1) as flag, 'it\\'s' as quoted, current_timestamp() as now_ts
    from games
    where lower(name) like lower('%a%') and game_date in unnest(generate_date_array('2025-01-01', '2025-01-31'))
    qualify row_number() over (partition by a order by b desc) = 1
    """
    assert lint_sql(sql) == []


# --------------------------------------------------------------------------------------------------------------
# the same incremental config on DuckDB (delete+insert on game_date)
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def probe_project(tmp_path) -> Path:
    """A small project: the real dbt_project.yml, profiles and macros, plus only the incremental probe."""
    root = tmp_path / "probe_project"
    root.mkdir()
    for part in ("dbt_project.yml", "profiles", "macros"):
        source = PROJECT_DIR / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / part)
    (root / "models").mkdir()
    shutil.copy2(FIXTURES / "bq_incremental_probe.sql", root / "models" / "bq_incremental_probe.sql")
    shutil.copy2(FIXTURES / "_probe__sources.yml", root / "models" / "_probe__sources.yml")
    (root / "macros" / "_bigquery_fixtures").mkdir()
    shutil.copy2(FIXTURES / "fixture_run_sql.sql", root / "macros" / "_bigquery_fixtures" / "fixture_run_sql.sql")
    return root


def test_incremental_config_on_duckdb(probe_project, tmp_path):
    import duckdb

    from nbacore.raw_tables import create_raw_tables
    from nbacore.warehouse.duckdb_engine import replace_partitions as land_in_duckdb

    batches = simulated_batches(tmp_path / "sim", days=4, files=("player_game_logs.csv",))
    ((_, logs, _),) = batches
    dates = sorted(set(game_dates(logs)))
    held_back, restated = dates[-1], dates[-2]
    path = tmp_path / "probe.duckdb"
    con = duckdb.connect(str(path))
    try:
        create_raw_tables(con)
        land_in_duckdb(con, batches)
        con.execute(
            f"create table raw._held_back as select * from raw.player_game_logs where game_date = DATE '{held_back}'"
        )
        con.execute(f"delete from raw.player_game_logs where game_date = DATE '{held_back}'")
        game_id, player_id = con.execute(
            f"select game_id, player_id from raw.player_game_logs where game_date = DATE '{restated}' order by 1, 2 limit 1"
        ).fetchone()
    finally:
        con.close()

    dbt = DbtWorker(probe_project, "local", {"NBAPROPS_DUCKDB_PATH": str(path)}, {})
    try:
        first = dbt.invoke("run", "--select", "bq_incremental_probe")
        change = dbt.invoke(
            "run-operation",
            "fixture_run_sql",
            "--args",
            json.dumps(
                {
                    "statements": [
                        "insert into raw.player_game_logs select * from raw._held_back",
                        f"update raw.player_game_logs set pts = 99 where game_id = '{game_id}' and player_id = {player_id}",
                    ]
                }
            ),
        )
        second = dbt.invoke("run", "--select", "bq_incremental_probe")
    finally:
        dbt.close()
    assert first.success and change.success and second.success, (first, change, second, dbt.transcript[-40:])

    con = duckdb.connect(str(path), read_only=True)
    try:
        probe = "main.bq_incremental_probe"
        total, distinct = con.execute(f"select count(*), count(distinct (game_id, player_id)) from {probe}").fetchone()
        raw_total = con.execute("select count(*) from raw.player_game_logs").fetchone()[0]
        points = con.execute(
            f"select points from {probe} where game_id = ? and player_id = ?", [game_id, player_id]
        ).fetchall()
        newest = con.execute(f"select max(game_date) from {probe}").fetchone()[0]
    finally:
        con.close()
    assert total == distinct == raw_total
    assert points == [(99,)] and newest == held_back
    run_sql = next((probe_project / "target_local" / "run").rglob("bq_incremental_probe.sql")).read_text().lower()
    assert "delete from" in run_sql and "game_date" in run_sql  # delete+insert keyed on game_date
