"""Where a dbt invocation's time goes: importing dbt, parsing the project, executing the nodes.

Run as its own process by bench/bench.py (so the import is measured cold, as every CLI call pays it):
    python bench/split_dbt_time.py daily            # the daily build exactly as `nbaprops build --daily` runs it
    python bench/split_dbt_time.py run --select ...  # any other dbt command
Prints one JSON object: import_s, parse_s (a separate `dbt parse`, partial parsing as a run would),
invoke_s (the whole second invocation: its own parse + execution), execution_s (dbt's own elapsed time of
the nodes), nodes.
"""

from __future__ import annotations

import json
import sys
import time


def main(args: list[str]) -> dict:
    started = time.perf_counter()
    import dbt.cli.main  # noqa: F401  (the import every CLI call pays, measured cold)

    from nbacore.dbt_runner import build_args, run_dbt
    from nbacore.settings import load_settings

    imported = time.perf_counter()
    settings = load_settings()
    env = None
    if args == ["daily"]:
        plan = build_args(settings, daily=True)
        args, env = plan.args, plan.env
    run_dbt(settings, ["parse"], quiet=True)
    parsed = time.perf_counter()
    outcome = run_dbt(settings, args, quiet=True, env=env)
    finished = time.perf_counter()
    execution = outcome.elapsed_seconds
    return {
        "ok": outcome.success,
        "import_s": round(imported - started, 2),
        "parse_s": round(parsed - imported, 2),
        "invoke_s": round(finished - parsed, 2),
        "execution_s": round(execution, 2) if execution is not None else None,
        "nodes": len(outcome.nodes),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
