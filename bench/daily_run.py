"""The daily run in one process, as the morning job runs it: land one date's files, the daily dbt build,
score that date. Calls the same functions as `nbaprops import`, `nbaprops build --daily` and
`nbaprops score` (the morning job scrapes instead of importing files; the rest is the same code).

Run by bench/bench.py:  python bench/daily_run.py YYYY-MM-DD FILE [FILE ...]
Prints one JSON object with the seconds of each part (the parent measures the whole process).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path


def main(day: date, files: list[Path]) -> dict:
    started = time.perf_counter()
    from nbacore.dbt_runner import build_args, run_dbt
    from nbacore.importers import parse_files
    from nbacore.settings import load_settings
    from nbacore.warehouse import open_warehouse
    from predict import commands
    from predict.config import PredictConfig

    settings = load_settings()
    imported = time.perf_counter()
    parsed = parse_files("game-logs", files)
    con = open_warehouse(settings)
    try:
        con.land([(p.table, p.frame, p.source) for p in parsed])
    finally:
        con.close()
    landed = time.perf_counter()
    plan = build_args(settings, daily=True)
    outcome = run_dbt(settings, plan.args, quiet=True, env=plan.env)
    built = time.perf_counter()
    result = commands.score(settings, PredictConfig(), day) if outcome.success else None
    lines = result.lines if result else []
    scored = time.perf_counter()
    written = result.fields["written"]["predictions"] if result else 0
    return {
        # a daily run that scores nothing did not measure scoring: a failure, not a fast run
        "ok": outcome.success and written > 0,
        "lines_scored": written,
        "build": plan.description,
        "imports_s": round(imported - started, 2),
        "land_s": round(landed - imported, 2),
        "build_s": round(built - landed, 2),
        "score_s": round(scored - built, 2),
        "scored": lines[0] if lines else "",
    }


if __name__ == "__main__":
    print(json.dumps(main(date.fromisoformat(sys.argv[1]), [Path(a) for a in sys.argv[2:]])))
