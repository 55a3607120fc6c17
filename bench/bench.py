"""`make bench`: how fast the warehouse is at 1, 5 and 10 seasons, printed as one table (and JSON).

Each step runs as its own process (the way users run it) and is measured for wall time and peak RSS.
Real data from ../shared/data is used when present, else simulated seasons of the same size.
Not part of `make test`: timings belong in benchmarks, never in pass/fail tests.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("NBAPROPS_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data"))
OUT_DIR = PROJECT_DIR / "bench" / "results"
REAL_SEASONS = [
    "2015-16",
    "2016-17",
    "2017-18",
    "2018-19",
    "2019-20",
    "2020-21",
    "2021-22",
    "2022-23",
    "2023-24",
    "2024-25",
]


@dataclass
class Step:
    """One measured command."""

    name: str
    seconds: float
    peak_mb: float
    ok: bool
    detail: str = ""


@dataclass
class SizeResult:
    seasons: int
    data: str
    steps: list[Step] = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # what the probes printed (dbt overhead, mart ratio, scoring)

    def seconds(self, name: str) -> float | None:
        return next((s.seconds for s in self.steps if s.name == name), None)


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str, str]:
    """Run a command: (wall seconds, peak RSS MB of that process, exit code, stdout, stderr)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(args, env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=errors)
        out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    seconds = round(time.perf_counter() - started, 2)
    return seconds, round(usage.ru_maxrss / 1024, 1), os.waitstatus_to_exitcode(status), out, err


def measure(name: str, args: list[str], env: dict[str, str]) -> Step:
    """Run a command, returning its wall time and the peak RSS of that process."""
    seconds, peak, code, out, err = run_child(args, env)
    lines = (out + err).strip().splitlines()
    detail = "" if code == 0 else lines[-1][:200] if lines else "failed"
    return Step(name, seconds, peak, code == 0, detail)


def nbaprops(*args: str) -> list[str]:
    return [sys.executable, "-m", "nbaprops.cli", *args]


def prop_dates(props: list[Path]) -> set[str]:
    """US/Eastern game dates that have prop lines (the real files' event_date, else the simulated tip-off)."""
    from datetime import datetime

    from nbacore.dates import game_date_of

    dates: set[str] = set()
    for path in props:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("event_date"):
                    dates.add(row["event_date"][:10])
                elif row.get("game_time"):
                    dates.add(game_date_of(datetime.fromisoformat(row["game_time"].replace("Z", "+00:00"))).isoformat())
    return dates


def split_last_date(files: list[Path], work: Path, with_lines: set[str]) -> tuple[list[Path], list[Path], str]:
    """Hold back the latest player game date that has prop lines (so the daily run has lines to score) and
    drop anything later, so the daily run has one new date to land on top of history."""
    rows: dict[Path, tuple[list[str], list[list[str]]]] = {}
    last = ""
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            body = list(reader)
        rows[path] = (header, body)
        if "PLAYER_ID" in header:
            date_col = header.index("GAME_DATE")
            last = max(last, max((r[date_col] for r in body if r[date_col][:10] in with_lines), default=""))
    history, new_day = [], []
    for path, (header, body) in rows.items():
        date_col = header.index("GAME_DATE")
        for target, keep in (
            (history, lambda r, col=date_col: r[col] < last),
            (new_day, lambda r, col=date_col: r[col] == last),
        ):
            if target is new_day and not any(keep(r) for r in body):
                continue  # earlier seasons' files have nothing on the held-back date
            out = work / ("day_" if target is new_day else "hist_") / path.name.replace(".csv.gz", ".csv")
            out.parent.mkdir(parents=True, exist_ok=True)
            with open(out, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(r for r in body if keep(r))
            target.append(out)
    # Same file names in both folders, so the daily import lands under the same _source as history.
    return history, new_day, last


def real_inputs(seasons: int) -> tuple[list[Path], list[Path], list[Path]]:
    chosen = REAL_SEASONS[-seasons:]
    logs = [SHARED_DATA / "nba-player-game-logs" / f"player_logs_{s}.csv.gz" for s in chosen]
    teams = [SHARED_DATA / "nba-team-game-logs" / f"nba_games_{s.replace('-', '_')}.csv.gz" for s in chosen]
    props = [
        p
        for s in chosen
        if (p := SHARED_DATA / "odds-api-player-props-pra-2023-2025" / f"pra_odds_{s}.csv.gz").exists()
    ]
    if "2024-25" in chosen:  # threes lines from October 2024 (the file runs into 2025-26: no box scores there)
        props += sorted((SHARED_DATA / "odds-api-player-threes-2024-2026").glob("*.csv.gz"))
    return logs + teams, props, sorted((SHARED_DATA / "nba-game-lines-2007-2025").glob("*.csv.gz"))


def measure_json(name: str, args: list[str], env: dict[str, str]) -> tuple[Step, dict]:
    """Run a probe that prints one JSON object as its last line: the step (wall time, peak RSS) and the
    object it printed."""
    seconds, peak, code, out, err = run_child(args, env)
    lines = out.strip().splitlines()
    try:
        figures = json.loads(lines[-1]) if code == 0 and lines else {}
    except json.JSONDecodeError:
        figures = {}
    ok = bool(figures) and figures.get("ok", True)
    detail = "" if ok else (err.strip().splitlines() or ["failed"])[-1][:200]
    return Step(name, seconds, peak, ok, detail), figures


def props_until(paths: list[Path], work: Path, until: str) -> list[Path]:
    """The prop files with rows dated before ``until`` only (the threes file runs into 2025-26, whose players
    have no box scores in the chosen seasons: their names would fail the unmatched-names test). Copies keep the
    file's name, which is its _source."""
    out = []
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            fields = reader.fieldnames or []
        kept = [r for r in rows if (r.get("event_date") or r.get("game_time") or "")[:10] < until]
        if len(kept) == len(rows):
            out.append(path)
            continue
        copy = work / "props_until" / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(copy, "wt", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(kept)
        out.append(copy)
    return out


def season_start(last: str, with_lines: set[str]) -> str:
    """The first date with lines in ``last``'s season (seasons turn over in August)."""
    year = int(last[:4]) - (1 if int(last[5:7]) < 8 else 0)
    return min(d for d in with_lines if f"{year}-08-01" <= d <= last)


def run_size(seasons: int, work: Path, base_env: dict[str, str], season_backtests: bool = False) -> SizeResult:
    env = {
        **base_env,
        "NBAPROPS_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "NBAPROPS_MODEL_REGISTRY": str(work / "models_registry"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    use_real = SHARED_DATA.is_dir()
    result = SizeResult(seasons, "real" if use_real else "simulated")
    if use_real:
        logs, props, lines = real_inputs(seasons)
        last_season_ends = f"{int(REAL_SEASONS[-1][:4]) + 1}-08-01"  # 2024-25 -> 2025-08-01
        props = props_until(props, work, last_season_ends)
    else:
        # one simulated league per season (170 game days from late October), the same players each season;
        # files renamed per season because a file's name is its _source
        logs, props, lines, simulated = [], [], [], []
        for year in range(2025 - seasons, 2025):
            sim_dir = work / f"sim_{year}"
            simulated.append(
                measure(
                    "simulate", nbaprops("sim", "--out", str(sim_dir), "--days", "170", "--start", f"{year}-10-22"), env
                )
            )
            renamed = work / "sim_files"
            renamed.mkdir(exist_ok=True)
            for name in ("player_game_logs", "team_game_logs"):
                gz = renamed / f"{name}_{year}.csv.gz"
                gz.write_bytes(gzip.compress((sim_dir / f"{name}.csv").read_bytes()))
                logs.append(gz)
            for name, into in (("props", props), ("game_lines", lines)):
                copy = renamed / f"{name}_{year}.csv"
                copy.write_bytes((sim_dir / f"{name}.csv").read_bytes())
                into.append(copy)
        result.steps.append(
            Step(
                "simulate",
                round(sum(s.seconds for s in simulated), 2),
                max(s.peak_mb for s in simulated),
                all(s.ok for s in simulated),
            )
        )
    with_lines = prop_dates(props)
    history, new_day, last = split_last_date(logs, work, with_lines)
    started = time.perf_counter()
    imports = [
        measure("import game logs", nbaprops("import", "game-logs", *map(str, history)), env),
        *([measure("import props", nbaprops("import", "props", *map(str, props)), env)] if props else []),
        measure("import game lines", nbaprops("import", "game-lines", *map(str, lines)), env),
    ]
    result.steps += imports
    build = measure("full build", nbaprops("build"), env)
    result.steps.append(build)
    result.steps.append(
        Step(
            "import + full build",
            round(time.perf_counter() - started, 2),
            max(s.peak_mb for s in [*imports, build]),
            all(s.ok for s in [*imports, build]),
        )
    )
    # A season's first training searches each market's objective; later ones that season reuse the choice.
    result.steps.append(measure("train, objective search", nbaprops("train", "--before", last), env))
    result.steps.append(measure("train, season's objectives", nbaprops("train", "--before", last), env))
    step, figures = measure_json(
        "training split", [sys.executable, str(PROJECT_DIR / "bench" / "train_split.py"), last], env
    )
    result.figures["train_split"] = figures
    if not step.ok:
        result.steps.append(step)

    # The daily run: the held-back date's box scores land, the daily build, then scoring that date's lines.
    # Measured twice from the same starting state: as three CLI calls, and in one process as the morning
    # job runs it (bench/daily_run.py); the warehouse is restored in between.
    warehouse = Path(env["NBAPROPS_DUCKDB_PATH"])
    before_day = work / "before_daily.duckdb"
    shutil.copyfile(warehouse, before_day)
    daily = [
        measure("daily CLI: land new date", nbaprops("import", "game-logs", *map(str, new_day)), env),
        measure("daily CLI: build --daily", nbaprops("build", "--daily"), env),
        measure("daily CLI: score", nbaprops("score", "--date", last), env),
    ]
    result.steps += daily
    result.steps.append(
        Step(
            "daily CLI: total",
            round(sum(s.seconds for s in daily), 2),
            max(s.peak_mb for s in daily),
            all(s.ok for s in daily),
        )
    )
    shutil.copyfile(before_day, warehouse)
    step, figures = measure_json(
        "daily run", [sys.executable, str(PROJECT_DIR / "bench" / "daily_run.py"), last, *map(str, new_day)], env
    )
    step.name = f"daily run ({last})"
    result.steps.append(step)
    result.figures["daily_run"] = figures

    # dbt's share of the daily build: a second daily build of the same date, split into its parts.
    probe = [sys.executable, str(PROJECT_DIR / "bench" / "split_dbt_time.py")]
    step, figures = measure_json("dbt overhead probe", [*probe, "daily"], env)
    result.figures["dbt_daily"] = figures
    if not step.ok:
        result.steps.append(step)

    # The feature mart (every phase-4 model, full refresh) against one hand-written DuckDB query.
    step, figures = measure_json(
        "precompute full refresh", [*probe, "run", "--full-refresh", "--select", "tag:precompute"], env
    )
    result.figures["feature_mart_dbt"] = figures
    if not step.ok:
        result.steps.append(step)
    step, figures = measure_json(
        "hand-written query",
        [sys.executable, str(PROJECT_DIR / "bench" / "engine_limit.py"), "--json", env["NBAPROPS_DUCKDB_PATH"]],
        env,
    )
    result.figures["feature_mart_handwritten"] = figures
    if not step.ok:
        result.steps.append(step)

    step, figures = measure_json(
        "scoring throughput", [sys.executable, str(PROJECT_DIR / "bench" / "scoring_throughput.py")], env
    )
    result.figures["scoring"] = figures
    if not step.ok:
        result.steps.append(step)

    # The research loop: a walk-forward backtest of the whole last season, retraining weekly and daily.
    if season_backtests:
        first = season_start(last, with_lines)
        result.figures["season_backtest"] = {"start": first, "end": last}
        for retrain in ("weekly", "daily"):
            out = work / f"season_{retrain}.json"
            args = ["backtest", "--start", first, "--end", last, "--retrain", retrain, "--json", str(out)]
            result.steps.append(measure(f"season backtest, {retrain}", nbaprops(*args), env))
            if out.exists():
                retrains = json.loads(out.read_text())["retrains"]
                result.figures["season_backtest"][retrain] = {
                    "retrains": len(retrains),
                    "lines": sum(r["lines"] for r in retrains),
                }
    return result


def print_table(results: list[SizeResult]) -> None:
    names = list(
        dict.fromkeys(s.name if not s.name.startswith("daily run") else "daily run" for r in results for s in r.steps)
    )
    header = f"{'step':<30}" + "".join(f"{f'{r.seasons} season(s) [{r.data}]':>30}" for r in results)
    print(header)
    print("-" * len(header))
    for name in names:
        cells = []
        for r in results:
            step = next(
                (s for s in r.steps if s.name == name or (name == "daily run" and s.name.startswith("daily run"))), None
            )
            cells.append(
                "" if step is None else f"{step.seconds:>8.2f} s {step.peak_mb:>7.0f} MB{'' if step.ok else ' FAIL'}"
            )
        print(f"{name:<30}" + "".join(f"{c:>30}" for c in cells))
    rows = [
        ("daily run: start-up imports", lambda f: _s(f.get("daily_run", {}).get("imports_s"))),
        ("daily run: land", lambda f: _s(f.get("daily_run", {}).get("land_s"))),
        ("daily run: build --daily", lambda f: _s(f.get("daily_run", {}).get("build_s"))),
        ("daily run: score", lambda f: _s(f.get("daily_run", {}).get("score_s"))),
        ("dbt daily build: import", lambda f: _s(f.get("dbt_daily", {}).get("import_s"))),
        ("dbt daily build: parse", lambda f: _s(f.get("dbt_daily", {}).get("parse_s"))),
        ("dbt daily build: execution", lambda f: _s(f.get("dbt_daily", {}).get("execution_s"))),
        ("dbt daily build: nodes", lambda f: str(f.get("dbt_daily", {}).get("nodes", ""))),
        ("feature mart, dbt (exec)", lambda f: _s(f.get("feature_mart_dbt", {}).get("execution_s"))),
        ("feature mart, dbt (invoke)", lambda f: _s(f.get("feature_mart_dbt", {}).get("invoke_s"))),
        ("feature mart, hand-written", lambda f: _s(f.get("feature_mart_handwritten", {}).get("seconds"))),
        (
            "feature mart ratio dbt/hand",
            lambda f: _ratio(
                f.get("feature_mart_dbt", {}).get("execution_s"), f.get("feature_mart_handwritten", {}).get("seconds")
            ),
        ),
        ("hand-written == mart", lambda f: str(f.get("feature_mart_handwritten", {}).get("matches", ""))),
        ("training: read mart", lambda f: _s(f.get("train_split", {}).get("read_mart_s"))),
        ("training: read offers", lambda f: _s(f.get("train_split", {}).get("read_offers_s"))),
        ("training: train all markets", lambda f: _s(f.get("train_split", {}).get("train_s"))),
        *(
            (
                f"  {step} (sum of markets)",
                lambda f, step=step: _s(f.get("train_split", {}).get("steps_s", {}).get(step)),
            )
            for step in ("matrices", "boosting", "dispersion", "calibration", "market anchor", "refit")
        ),
        ("training: boosting rounds", lambda f: str(f.get("train_split", {}).get("rounds", ""))),
        (
            "season backtest (dates)",
            lambda f: " .. ".join(v for k, v in f.get("season_backtest", {}).items() if k in ("start", "end")),
        ),
        *(
            (
                f"season backtest {r}: retrains",
                lambda f, r=r: (
                    "{retrains} / {lines:,} lines".format(**f["season_backtest"][r])
                    if r in f.get("season_backtest", {})
                    else ""
                ),
            )
            for r in ("weekly", "daily")
        ),
        ("scoring rows/s", lambda f: f"{f.get('scoring', {}).get('rows_per_s', 0):,}"),
        ("scoring rows", lambda f: f"{f.get('scoring', {}).get('rows', 0):,}"),
    ]
    for label, cell in rows:
        print(f"{label:<30}" + "".join(f"{cell(r.figures):>30}" for r in results))
    print_targets(results)


def print_targets(results: list[SizeResult]) -> None:
    """The issue's targets (2 cores), judged on the largest and smallest sizes measured."""
    first, last = results[0], results[-1]
    daily = {r.seasons: next((s.seconds for s in r.steps if s.name.startswith("daily run")), None) for r in results}
    full = last.seconds("import + full build")
    mart = last.figures.get("feature_mart_dbt", {}).get("execution_s")
    hand = last.figures.get("feature_mart_handwritten", {}).get("seconds")
    checks = [
        (f"daily run at {last.seasons} seasons <= 5 s", daily[last.seasons], 5.0, "s"),
        (f"import + full build at {last.seasons} seasons <= 90 s", full, 90.0, "s"),
        (
            f"feature mart (dbt exec) / hand-written at {last.seasons} seasons <= 2",
            mart / hand if mart and hand else None,
            2.0,
            "x",
        ),
    ]
    checks += [
        (
            f"train all markets (season's objectives), {last.seasons} seasons <= 15 s",
            last.seconds("train, season's objectives"),
            15.0,
            "s",
        ),
        ("season backtest, weekly retrain <= 4 min", last.seconds("season backtest, weekly"), 240.0, "s"),
        ("season backtest, daily retrain <= 15 min", last.seconds("season backtest, daily"), 900.0, "s"),
    ]
    if len(results) > 1 and daily[first.seasons] and daily[last.seasons]:
        checks.insert(
            1,
            (
                f"daily run {last.seasons} / {first.seasons} seasons <= 1.3",
                daily[last.seasons] / daily[first.seasons],
                1.3,
                "x",
            ),
        )
    print("\ntargets")
    for label, value, limit, unit in checks:
        verdict = "not measured" if value is None else "met" if value <= limit else "MISSED"
        shown = "" if value is None else f"{value:.2f}{' s' if unit == 's' else 'x'}"
        print(f"  {label:<58} {shown:>9}  {verdict}")


def _s(value) -> str:
    return "" if value is None else f"{value:.2f} s"


def _ratio(a, b) -> str:
    return "" if not a or not b else f"{a / b:.2f}x"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seasons", default="1,5,10", help="comma-separated warehouse sizes in seasons")
    parser.add_argument("--work", default="/tmp/nbaprops-bench", help="scratch folder (wiped per size)")
    args = parser.parse_args()
    base_env = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "NBAPROPS_TARGET": "local",
    }
    results = []
    sizes = [int(s) for s in args.seasons.split(",")]
    for seasons in sizes:
        work = Path(args.work) / f"{seasons}-seasons"
        subprocess.run(["rm", "-rf", str(work)], check=True)
        work.mkdir(parents=True)
        results.append(run_size(seasons, work, base_env, season_backtests=seasons == max(sizes) and seasons > 1))
    print_table(results)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps([asdict(r) for r in results], indent=2))
    print(f"\nwritten: {out.relative_to(PROJECT_DIR)}")
    return 0 if all(s.ok for r in results for s in r.steps) else 1


if __name__ == "__main__":
    sys.exit(main())
