"""The body of ``nbaprops sim serve``: build the season in memory, switch on faults, serve until Ctrl-C."""

from __future__ import annotations

from datetime import date

import typer

from nbaprops.sim.config import SimConfig
from nbaprops.sim.faults import every_fault, parse_fault
from nbaprops.sim.season import simulate_season
from nbaprops.sim.serve import SimApi, serve_until_stopped

PRESETS = ("none", "all")


def run_sim_serve(
    host: str, port: int, seed: int, days: int, start: date, as_of: date | None, odds_api_key: str | None,
    preset: str, specs: list[str], slow_seconds: float, retry_after: float,
) -> int:  # fmt: skip
    if preset not in PRESETS:
        typer.secho(f"error: --faults {preset!r} is unknown; use one of {', '.join(PRESETS)}", err=True)
        return 2
    try:
        faults = every_fault(slow_seconds, retry_after) if preset == "all" else []
        faults += [parse_fault(spec, slow_seconds, retry_after) for spec in specs]
        season = simulate_season(SimConfig(seed=seed, start_date=start, days=days, as_of=as_of))
        api = SimApi(season, api_key=odds_api_key, faults=faults)
        serve_until_stopped(api, host, port, echo=typer.echo)
    except (ValueError, OSError) as exc:
        typer.secho(f"error: {exc}", err=True)
        return 2
    return 0
