"""dbt, in-process: one parse, then any number of invocations, without paying dbt's CLI start-up each time."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date, timedelta

from nbacore.settings import Settings

# dbt layer -> selector. Selecting a layer builds its parents too, so a layer is always self-consistent.
# ("Phase" names a step of the morning run; the dbt folders are layers: staging, analytics, precompute.)
# Every layer also builds every seed: data tests read reference.data_test_exceptions, which is no model's parent,
# so a layer built first on a new warehouse would otherwise fail those tests.
LAYER_SELECTORS = {
    "staging": "+tag:staging resource_type:seed",
    "analytics": "+tag:analytics resource_type:seed",
    # The precompute layer also builds what predict reads (+exposure:predict: the public offers and lookups)
    # and the list of prop names matching no player (the feature mart leaves those lines out; its test must see it).
    "precompute": "+tag:precompute +exposure:predict +prop_player_names_unmatched resource_type:seed",
    "all": "*",
}
# A layer build runs only the tests whose every parent it builds: dbt's default (eager) would also pick a test of a
# later layer that merely touches a seed (a relationships test to reference.teams) and fail on a new warehouse.
LAYER_INDIRECT_SELECTION = ["--indirect-selection", "cautious"]

# Settings a build reads at execution time (macros/run_settings.sql); empty = not set.
RUN_SETTINGS = ("NBAPROPS_REBUILD_FROM", "NBAPROPS_DAILY_TEST_SINCE")

# The daily build (selectors.yml): tables and incremental models with the tests tagged daily. It leaves views
# and seeds as the last full build made them, so it runs only once a full build has created them.
DAILY_SELECTOR = "daily"
# dbt writes manifest.json twice per call (after parsing and after the run; ~0.5 s of a daily build at 10
# seasons); the daily build does without it. run_dbt still writes run_results.json (what a failure points to).
NO_WRITE_JSON = "--no-write-json"


@dataclass(frozen=True)
class NodeResult:
    name: str
    status: str
    message: str


@dataclass(frozen=True)
class DbtOutcome:
    success: bool
    nodes: list[NodeResult]
    elapsed_seconds: float | None = None  # dbt's own time executing the nodes (without import and parse)

    @property
    def failures(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in {"error", "fail", "runtime error"}]


def dbt_environment(settings: Settings) -> dict[str, str]:
    """The environment of a dbt call, from the settings: our profiles, the chosen target and its warehouse
    (profiles/profiles.yml reads these with env_var), where dbt writes, and no usage stats."""
    bq = settings.bigquery
    optional = {
        "NBAPROPS_BQ_PROJECT": bq.project,
        "NBAPROPS_BQ_KEYFILE": bq.keyfile,
        "NBAPROPS_BQ_EMULATOR_ENDPOINT": bq.emulator_endpoint,
    }
    return {
        "DBT_PROFILES_DIR": str(settings.profiles_dir),
        "DBT_PROJECT_DIR": str(settings.project_dir),
        "DBT_TARGET_PATH": str(settings.dbt_target_dir),
        "DBT_LOG_PATH": str(settings.dbt_log_dir),
        "NBAPROPS_TARGET": settings.target,
        "NBAPROPS_DUCKDB_PATH": str(settings.duckdb_path),
        "NBAPROPS_BQ_LOCATION": bq.location,
        "NBAPROPS_BQ_METHOD": bq.method,
        "NBAPROPS_BQ_EMULATOR_PROJECT": bq.emulator_project,
        **{name: value for name, value in optional.items() if value},
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


# What the emulator cannot do as production does (docs/bigquery.md): dynamic insert_overwrite becomes a MERGE on
# the grain, and unit tests (which mock inputs and would re-prove the DuckDB build, seconds each) are left out.
EMULATOR_VARS = {"bq_incremental_strategy": "merge"}


def emulator_args(args: list[str]) -> list[str]:
    extra = [] if "--vars" in args else ["--vars", json.dumps(EMULATOR_VARS)]
    if args and args[0] == "build" and "--exclude-resource-type" not in args:
        extra += ["--exclude-resource-type", "unit_test"]
    return extra


def run_dbt(settings: Settings, args: list[str], quiet: bool = False, env: dict[str, str] | None = None) -> DbtOutcome:
    """Invoke dbt with ``args`` (e.g. ``["build", "--select", "+tag:analytics"]``) against our project; ``env``:
    run settings for this call only (``DbtBuild.env``)."""
    from dbt.cli.main import dbtRunner

    full_args = [
        *args,
        "--project-dir",
        str(settings.project_dir),
        "--profiles-dir",
        str(settings.profiles_dir),
        "--target",
        settings.target,
    ]
    if settings.target == "bigquery_emulator":
        full_args += emulator_args(args)
    if quiet:
        full_args = ["--quiet", *full_args]
    # dbt reads the profile's env_var()s during the call; set them for the call only, so one command's
    # target or warehouse never leaks into the next in the same process.
    wanted = {**dbt_environment(settings), **(env or {})}
    for name in RUN_SETTINGS:
        wanted.setdefault(name, "")  # a setting not given is unset for this call, not inherited
    before = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        result = dbtRunner().invoke(full_args)
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if NO_WRITE_JSON in args and hasattr(result.result, "write"):
        settings.dbt_target_dir.mkdir(parents=True, exist_ok=True)
        result.result.write(str(settings.dbt_target_dir / "run_results.json"))
    nodes: list[NodeResult] = []
    for node in getattr(result.result, "results", None) or []:
        if getattr(node.node, "resource_type", None) == "operation" and str(node.status).lower() == "success":
            continue  # the project's hooks (on-run-start: macros/types.sql) are not models or tests
        nodes.append(NodeResult(node.node.name, str(node.status).lower(), node.message or ""))
    if result.exception is not None and not nodes:
        nodes.append(NodeResult("dbt", "error", str(result.exception)))
    return DbtOutcome(
        success=bool(result.success), nodes=nodes, elapsed_seconds=getattr(result.result, "elapsed_time", None)
    )


@dataclass(frozen=True)
class DbtBuild:
    """One build: dbt's arguments, the run settings it reads from the environment, and a line saying what it is."""

    args: list[str]
    description: str
    env: dict[str, str] = field(default_factory=dict)


def build_args(
    settings: Settings, daily: bool = False, select: str | None = None, layer: str = "all", since: date | None = None
) -> DbtBuild:
    """What ``nbaprops build`` (and the morning run) runs.

    ``daily``: the daily selector, its tests scoped to the recent dates it rewrites (``daily_test_since``);
    it falls back to the full build (and says so) while a staging view or a seed it relies on does not exist
    yet. ``since``: incremental models rebuild from that date at the latest (a backfill of older dates).
    Both go to dbt as environment settings read at execution time (macros/run_settings.sql), not --vars:
    a --vars value that changes from run to run makes dbt re-parse the whole project (~6 s)."""
    env = {"NBAPROPS_REBUILD_FROM": since.isoformat()} if since else {}
    since_text = f", incremental models from {since}" if since else ""
    if select:
        return DbtBuild(["build", "--select", select], f"dbt build --select {select}{since_text}", env)
    if daily:
        missing, latest = daily_build_state(settings)
        if not missing:
            tests_from = daily_test_since(latest, since)
            if tests_from:
                env["NBAPROPS_DAILY_TEST_SINCE"] = tests_from.isoformat()
            return DbtBuild(
                ["build", "--selector", DAILY_SELECTOR, NO_WRITE_JSON],
                f"daily build (tables, incremental models, daily tests from {tests_from or 'the start'}){since_text}",
                env,
            )
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        return DbtBuild(["build"], f"full build: the daily build needs {shown} from a full build first", env)
    extra = [] if layer == "all" else LAYER_INDIRECT_SELECTION
    return DbtBuild(
        ["build", "--select", LAYER_SELECTORS[layer], *extra], f"dbt build of layer {layer}{since_text}", env
    )


def incremental_lookback_days() -> int:
    """var('incremental_lookback_days') from dbt_project.yml: the one definition, read by dbt and by us."""
    import yaml

    from nbacore.settings import PROJECT_DIR

    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return int(project["vars"]["incremental_lookback_days"])


def daily_test_since(latest_box_score: date | None, since: date | None = None) -> date | None:
    """The first game date a daily build's tests look at: the incremental lookback before the newest box
    score, two days earlier still (a model's lookback counts from its newest date before the new one
    landed), or ``since`` when that is earlier. None (test everything) when no box score has landed."""
    if latest_box_score is None:
        return since
    first = latest_box_score - timedelta(days=incremental_lookback_days() + 2)
    return min(first, since) if since else first


def daily_build_state(settings: Settings) -> tuple[list[str], date | None]:
    """(views and seeds the warehouse lacks as ``schema.name``, the newest box-score date landed), on either
    engine: a warehouse missing any of them gets a full build instead of the daily one."""
    from nbacore.settings import PROJECT_DIR
    from nbacore.warehouse import as_date, open_warehouse

    wanted = {("staging", p.stem) for p in (PROJECT_DIR / "models" / "staging").rglob("*.sql")}
    wanted |= {("reference", p.stem) for p in (PROJECT_DIR / "seeds").glob("*.csv")}
    # views outside staging (the public models Python reads): a warehouse built before they existed needs them
    for folder in ("intermediate", "analytics", "precompute", "monitoring"):
        for model in (PROJECT_DIR / "models" / folder).glob("*.sql"):
            if 'materialized="view"' in model.read_text(encoding="utf-8"):
                wanted.add((folder, model.stem))
    with open_warehouse(settings) as wh:
        present = {(schema, name) for schema in {s for s, _ in wanted} for name in wh.tables(schema)}
        latest = as_date(wh.scalar("select max(game_date) from raw.player_game_logs"))
    return sorted(f"{schema}.{name}" for schema, name in wanted - present), latest


# The dbt layers (model folders), each building into the schema of the same name.
LAYERS = ("staging", "intermediate", "analytics", "precompute", "monitoring")


def layer_model_counts(wh) -> dict[str, tuple[int, int]]:
    """Per layer: (models built in the warehouse, models the project defines), e.g. analytics -> (6, 7)."""
    from nbacore.settings import PROJECT_DIR

    counts = {}
    for schema in LAYERS:
        folder = PROJECT_DIR / "models" / schema
        defined = {p.stem for p in folder.rglob("*.sql")}
        built = wh.tables(schema)
        counts[schema] = (len(defined & built), len(defined))
    return counts
