"""``nbaprops status --date D``: how far a game date got, as one structured result (``nbacore.output``): the
models built per dbt layer and each phase's latest state from ops.pipeline_runs (``not run`` when none)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from nbacore.dbt_runner import layer_model_counts
from nbacore.output import Output
from nbacore.warehouse import Warehouse
from nbaprops.runs.morning import RUN_PHASES
from nbaprops.runs.run_log import latest_phase_states

PHASE_COLUMNS = ("phase", "state", "rows", "detail", "finished_at", "error", "forced")


def read_status(wh: Warehouse, day: date) -> Output:
    states = {row[0]: row for row in latest_phase_states(wh, day)}
    models = pd.DataFrame(
        [(layer, built, total) for layer, (built, total) in layer_model_counts(wh).items()],
        columns=["layer", "built", "total"],
    )
    phases = pd.DataFrame(
        [
            states.get(phase, (phase, "not run", None, None, None, None, False))
            for phase in (*RUN_PHASES, *[p for p in states if p not in RUN_PHASES])
        ],
        columns=list(PHASE_COLUMNS),
    )
    lines = [f"game date {day}"]
    lines += [f"  {r.layer:<15} {r.built}/{r.total} models built" for r in models.itertuples()]
    for r in phases.itertuples():
        if r.state == "not run":
            lines.append(f"  {r.phase:<15} not run")
            continue
        note = r.error or r.detail or ""
        lines.append(f"  {r.phase:<15} {r.state:<8}{' (forced)' if r.forced else ''} {note}")
    return Output("status", {"date": day}, {"phases": phases, "models": models}, lines)
