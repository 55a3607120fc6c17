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
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("NBAPROPS_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data"))
OUT_DIR = PROJECT_DIR / "bench" / "results"
REAL_SEASONS = ["2015-16", "2016-17", "2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]


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

    def seconds(self, name: str) -> float | None:
        return next((s.seconds for s in self.steps if s.name == name), None)


def measure(name: str, args: list[str], env: dict[str, str]) -> Step:
    """Run a command, returning its wall time and the peak RSS of that process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    ok = os.waitstatus_to_exitcode(status) == 0
    detail = "" if ok else output.strip().splitlines()[-1][:200] if output.strip() else "failed"
    return Step(name, round(seconds, 2), round(usage.ru_maxrss / 1024, 1), ok, detail)


def nbaprops(*args: str) -> list[str]:
    return [sys.executable, "-m", "nbaprops.cli", *args]


def split_last_date(files: list[Path], work: Path) -> tuple[list[Path], list[Path], str]:
    """Hold the latest player game date back (and drop anything later, e.g. team playoff rows), so the
    daily run has one new date to land on top of history."""
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
            last = max(last, max(r[date_col] for r in body))
    history, new_day = [], []
    for path, (header, body) in rows.items():
        date_col = header.index("GAME_DATE")
        for target, keep in ((history, lambda r: r[date_col] < last), (new_day, lambda r: r[date_col] == last)):
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
    props = [p for s in chosen if (p := SHARED_DATA / "odds-api-player-props-pra-2023-2025" / f"pra_odds_{s}.csv.gz").exists()]
    return logs + teams, props, sorted((SHARED_DATA / "nba-game-lines-2007-2025").glob("*.csv.gz"))


def run_size(seasons: int, work: Path, base_env: dict[str, str]) -> SizeResult:
    env = {**base_env, "NBAPROPS_DUCKDB_PATH": str(work / "warehouse.duckdb")}
    use_real = SHARED_DATA.is_dir()
    result = SizeResult(seasons, "real" if use_real else "simulated")
    if use_real:
        logs, props, lines = real_inputs(seasons)
    else:
        sim_dir = work / "sim"
        step = measure("simulate", nbaprops("sim", "--out", str(sim_dir), "--days", str(min(200, 170 * seasons))), env)
        result.steps.append(step)
        logs = [sim_dir / "player_game_logs.csv", sim_dir / "team_game_logs.csv"]
        props, lines = [sim_dir / "props.csv"], [sim_dir / "game_lines.csv"]
        compressed = []
        for path in logs:
            gz = path.with_suffix(".csv.gz")
            gz.write_bytes(gzip.compress(path.read_bytes()))
            compressed.append(gz)
        logs = compressed
    history, new_day, last = split_last_date(logs, work)
    started = time.perf_counter()
    imports = [
        measure("import game logs", nbaprops("import", "game-logs", *map(str, history)), env),
        *([measure("import props", nbaprops("import", "props", *map(str, props)), env)] if props else []),
        measure("import game lines", nbaprops("import", "game-lines", *map(str, lines)), env),
    ]
    result.steps += imports
    build = measure("full build", nbaprops("build"), env)
    result.steps.append(build)
    result.steps.append(Step("import + full build", round(time.perf_counter() - started, 2),
                             max(s.peak_mb for s in [*imports, build]), all(s.ok for s in [*imports, build])))
    started = time.perf_counter()
    day_import = measure("daily: land new date", nbaprops("import", "game-logs", *map(str, new_day)), env)
    day_build = measure("daily: incremental build", nbaprops("build"), env)
    result.steps += [day_import, day_build]
    result.steps.append(Step(f"daily run ({last})", round(time.perf_counter() - started, 2),
                             max(day_import.peak_mb, day_build.peak_mb), day_import.ok and day_build.ok))
    return result


def print_table(results: list[SizeResult]) -> None:
    names = list(dict.fromkeys(s.name if not s.name.startswith("daily run") else "daily run" for r in results for s in r.steps))
    header = f"{'step':<28}" + "".join(f"{f'{r.seasons} season(s) [{r.data}]':>30}" for r in results)
    print(header)
    print("-" * len(header))
    for name in names:
        cells = []
        for r in results:
            step = next((s for s in r.steps if s.name == name or (name == "daily run" and s.name.startswith("daily run"))), None)
            cells.append("" if step is None else f"{step.seconds:>8.2f} s {step.peak_mb:>7.0f} MB{'' if step.ok else ' FAIL'}")
        print(f"{name:<28}" + "".join(f"{c:>30}" for c in cells))
    if len(results) > 1:
        first, last = results[0], results[-1]
        a = next(s.seconds for s in first.steps if s.name.startswith("daily run"))
        b = next(s.seconds for s in last.steps if s.name.startswith("daily run"))
        print(f"\ndaily run ratio {last.seasons} / {first.seasons} seasons: {b / a:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seasons", default="1,5,10", help="comma-separated warehouse sizes in seasons")
    parser.add_argument("--work", default="/tmp/nbaprops-bench", help="scratch folder (wiped per size)")
    args = parser.parse_args()
    base_env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1", "NBAPROPS_TARGET": "local"}
    results = []
    for seasons in (int(s) for s in args.seasons.split(",")):
        work = Path(args.work) / f"{seasons}-seasons"
        subprocess.run(["rm", "-rf", str(work)], check=True)
        work.mkdir(parents=True)
        results.append(run_size(seasons, work, base_env))
    print_table(results)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps([asdict(r) for r in results], indent=2))
    print(f"\nwritten: {out.relative_to(PROJECT_DIR)}")
    return 0 if all(s.ok for r in results for s in r.steps) else 1


if __name__ == "__main__":
    sys.exit(main())
