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
import os
import sys
import time


def main(args: list[str]) -> dict:
    started = time.perf_counter()
    from dbt.cli.main import dbtRunner

    from nbaprops.dbt_runner import build_args
    from nbaprops.settings import load_settings

    imported = time.perf_counter()
    settings = load_settings()
    if args == ["daily"]:
        plan = build_args(settings, daily=True)
        args = plan.args
        os.environ.update(plan.env)
    common = ["--quiet", "--project-dir", str(settings.project_dir), "--profiles-dir", str(settings.profiles_dir),
              "--target", settings.target]  # fmt: skip
    dbtRunner().invoke(["parse", *common])
    parsed = time.perf_counter()
    result = dbtRunner().invoke([*args, *common])
    finished = time.perf_counter()
    execution = getattr(result.result, "elapsed_time", None)
    return {
        "ok": bool(result.success),
        "import_s": round(imported - started, 2),
        "parse_s": round(parsed - imported, 2),
        "invoke_s": round(finished - parsed, 2),
        "execution_s": round(execution, 2) if execution is not None else None,
        "nodes": len(getattr(result.result, "results", None) or []),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
