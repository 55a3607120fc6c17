"""``nbaprops sim``: write a simulated league in the import formats, or ``sim serve`` it as the live sources
(build the season in memory, switch on faults, serve until Ctrl-C)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from nbacore.dates import season_start_year
from nbaprops.cli.app import app
from nbaprops.cli.common import date_option
from simulator import SimConfig, simulate
from simulator.faults import every_fault, parse_fault
from simulator.season import simulate_season
from simulator.serve import SimApi, serve_until_stopped

PRESETS = ("none", "all")


def run_sim_serve(
    host: str,
    port: int,
    seed: int,
    days: int,
    start: date,
    as_of: date | None,
    odds_api_key: str | None,
    preset: str,
    specs: list[str],
    slow_seconds: float,
    retry_after: float,
) -> int:
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


sim_app = typer.Typer(help="Simulate a league: write it in the import formats, or `sim serve` it as the live sources.")
app.add_typer(sim_app, name="sim")


@sim_app.callback(invoke_without_command=True)
def sim(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Folder to write the simulated files into.")] = Path("demo_data"),
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 7,
    days: Annotated[int, typer.Option(min=1, max=200, help="Calendar days of games.")] = 30,
    start: Annotated[date, date_option(help="First game day")] = "2025-10-21",
    as_of: Annotated[
        date | None, date_option(help="Games on/after this date are scheduled, not played (default: the last day)")
    ] = None,
    market_noise: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Sportsbook line noise around true means (market efficiency).")
    ] = 0.15,
) -> None:
    """Simulate a league season and write it in the import formats."""
    if ctx.invoked_subcommand is not None:
        return
    first_day = start
    config = SimConfig(
        seed=seed,
        season_start_year=season_start_year(first_day),  # game ids and SEASON_ID follow the dates
        start_date=first_day,
        days=days,
        as_of=as_of,
        market_noise=market_noise,
    )
    output = simulate(config, out)
    typer.echo(f"simulated league written to {out}: {output}")


@sim_app.command("serve")
def sim_serve(
    host: Annotated[str, typer.Option(help="Loopback address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8765,
    seed: Annotated[int, typer.Option()] = 7,
    days: Annotated[int, typer.Option(min=1, max=200)] = 30,
    start: Annotated[date, date_option(help="First game day")] = "2025-10-21",
    as_of: Annotated[date | None, date_option(help="Games on/after this date are not final yet")] = None,
    odds_api_key: Annotated[
        str | None, typer.Option(envvar="ODDS_API_KEY", help="Key the odds endpoints require.")
    ] = None,
    faults: Annotated[str, typer.Option(help="Preset: none, or all (one fault of each kind).")] = "none",
    fault: Annotated[
        list[str] | None, typer.Option(help="Extra fault kind:endpoint[:count[:resource]] (repeatable).")
    ] = None,
    slow_seconds: Annotated[float, typer.Option(help="Delay of a slow response.")] = 3.0,
    retry_after: Annotated[float, typer.Option(help="Retry-After of a 429, seconds.")] = 1.0,
) -> None:
    """Serve the simulated season as the NBA CDN, stats.nba.com and The Odds API on 127.0.0.1."""
    raise typer.Exit(
        run_sim_serve(
            host, port, seed, days, start, as_of, odds_api_key, faults, fault or [], slow_seconds, retry_after
        )
    )
