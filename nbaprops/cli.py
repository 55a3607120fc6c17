"""The ``nbaprops`` command line: import files, simulate a league, build the warehouse with dbt."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from nbaprops.cli_common import fail, parse_date, warehouse_command
from nbaprops.settings import Settings, load_settings

app = typer.Typer(help="NBA player-props analytics warehouse.", no_args_is_help=True, add_completion=False)
import_app = typer.Typer(help="Land files in the raw tables (replaces the (file, game_date) partitions they cover).", no_args_is_help=True)
app.add_typer(import_app, name="import")

PHASE3_MODELS = (
    "player_game_summary",
    "team_offense_game_summary",
    "team_defense_game_summary",
    "upcoming_player_game_context",
    "upcoming_team_game_context",
)


class Target(str, Enum):
    local = "local"
    bigquery = "bigquery"


class Phase(str, Enum):
    staging = "staging"
    three = "3"
    four = "4"
    all = "all"



@app.callback()
def main(
    ctx: typer.Context,
    target: Annotated[Target, typer.Option("--target", "-t", envvar="NBAPROPS_TARGET", help="dbt target / warehouse.")] = Target.local,
) -> None:
    ctx.obj = load_settings(target.value)


RootOption = Annotated[
    Optional[Path],
    typer.Option("--root", envvar="NBAPROPS_IMPORT_ROOT", help="Import root: a file's rows are keyed by its path "
                 "under it (./x/logs.csv), or by its absolute path if outside. Default: the current directory."),
]


def _import(ctx: typer.Context, kind: str, files: list[Path], root: Path | None = None) -> None:
    from nbaprops.importers import ImportFileError, land_files, parse_files
    from nbaprops.warehouse import connect

    settings: Settings = ctx.obj
    if settings.target != "local":
        fail(f"importing into target {settings.target!r} is not available yet; import with --target local")
    try:
        parsed = parse_files(kind, files, root)
    except ImportFileError as exc:
        fail(str(exc))
    con = connect(settings)
    try:
        landed = land_files(con, parsed)
    except (ImportFileError, ValueError) as exc:
        fail(str(exc))
    finally:
        con.close()
    for item in landed:
        typer.echo(f"{item.table:<24} {item.source:<50} {item.rows:>8} rows  {item.dates:>4} game dates")
    for p in parsed:
        if p.skipped:
            typer.echo(f"{p.source}: not landed: {p.skipped}")


@import_app.command("game-logs")
@warehouse_command("create")
def import_game_logs(ctx: typer.Context, files: Annotated[list[Path], typer.Argument(help="LeagueGameLog CSV, CSV.GZ or JSON files (player or team rows).")], root: RootOption = None) -> None:
    """Player or team game logs (stats.nba.com LeagueGameLog shape)."""
    _import(ctx, "game-logs", files, root)


@import_app.command("schedule")
@warehouse_command("create")
def import_schedule(ctx: typer.Context, files: Annotated[list[Path], typer.Argument(help="Schedule CSV or CDN scheduleLeagueV2 JSON.")], root: RootOption = None) -> None:
    """The season schedule (flattened CSV or the NBA CDN scheduleLeagueV2 JSON)."""
    _import(ctx, "schedule", files, root)


@import_app.command("props")
@warehouse_command("create")
def import_props(ctx: typer.Context, files: Annotated[list[Path], typer.Argument(help="The Odds API flattened prop snapshot CSVs.")], root: RootOption = None) -> None:
    """Player prop snapshots from The Odds API (flattened)."""
    _import(ctx, "props", files, root)


@import_app.command("game-lines")
@warehouse_command("create")
def import_game_lines(ctx: typer.Context, files: Annotated[list[Path], typer.Argument(help="Closing spread/total CSVs.")], root: RootOption = None) -> None:
    """Closing game lines (spread, total, moneylines)."""
    _import(ctx, "game-lines", files, root)


@app.command()
@warehouse_command("write")
def forget(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--source", help="The key an import printed, e.g. ./x/logs.csv.")],
    table: Annotated[Optional[list[str]], typer.Option("--table", help="Only this raw table (repeatable; default all).")] = None,
) -> None:
    """Remove every raw row one imported file landed (its source key), in one transaction."""
    _forget(ctx, source, table or [])


def _forget(ctx: typer.Context, source: str, tables: list[str]) -> None:
    from nbaprops.importers.sources import forget_source
    from nbaprops.warehouse import connect

    settings: Settings = ctx.obj
    if settings.target != "local":
        fail(f"forget on target {settings.target!r} is not available yet; use --target local")
    con = connect(settings)
    try:
        removed = forget_source(con, source, tables)
    except ValueError as exc:
        fail(str(exc))
    finally:
        con.close()
    for item in removed:
        typer.echo(f"{item.table:<24} {item.rows:>8} rows removed")
    dates = [item.first_date for item in removed if item.first_date is not None]
    if dates:  # incremental models replace dates that still have rows, so a date left empty needs a full refresh
        typer.echo(f"built models still hold rows from {min(dates)} on: rebuild with `nbaprops build --full-refresh`")


@app.command()
@warehouse_command("write")
def build(
    ctx: typer.Context,
    phase: Annotated[Phase, typer.Option(help="Which phase to build (with its parents).")] = Phase.all,
    select: Annotated[Optional[str], typer.Option(help="A dbt selector instead of a phase.")] = None,
    daily: Annotated[bool, typer.Option("--daily", help="Only tables and incremental models, with the daily "
                                        "tests (selectors.yml); what the morning run builds.")] = False,
    since: Annotated[Optional[str], typer.Option(help="Incremental models rebuild from this date, YYYY-MM-DD "
                                                 "(after landing dates older than the last few days).")] = None,
    full_refresh: Annotated[bool, typer.Option("--full-refresh", help="Rebuild incremental models from scratch "
                                               "(after changing their SQL).")] = False,
) -> None:
    """Build and test the warehouse with dbt (in-process). Without --daily: every model and every test."""
    from nbaprops.dbt_runner import build_args, run_dbt

    settings: Settings = ctx.obj
    if settings.target == "local":
        from nbaprops.warehouse import connect

        connect(settings).close()  # raw tables a newer version added exist before dbt reads them
    plan = build_args(settings, daily=daily, select=select, phase=phase.value, since=parse_date(since, "--since"))
    args, description = plan.args, plan.description
    if full_refresh:
        args, description = [*args, "--full-refresh"], f"{description}, incremental models from scratch"
    typer.echo(description)
    outcome = run_dbt(settings, args, env=plan.env)
    if not outcome.success:
        for node in outcome.failures:
            typer.secho(f"{node.status}: {node.name}: {node.message}", err=True)
        fail(f"dbt build failed ({len(outcome.failures)} node(s)); see the lines above and target/run_results.json")


@app.command()
@warehouse_command("read")
def counts(ctx: typer.Context) -> None:
    """Print row counts of the phase-3 models."""
    print_counts(ctx.obj)


def print_counts(settings: Settings) -> None:
    from nbaprops.warehouse import connect

    con = connect(settings)
    try:
        built = {
            name for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'analytics'"
            ).fetchall()
        }
        missing = [m for m in PHASE3_MODELS if m not in built]
        if missing:
            fail(f"phase-3 model(s) {', '.join(missing)} not built in {settings.duckdb_path}; run `nbaprops build`")
        typer.echo(f"{'phase 3 model':<32} {'rows':>10}")
        for model in PHASE3_MODELS:
            rows = con.execute(f"select count(*) from analytics.{model}").fetchone()[0]
            typer.echo(f"{model:<32} {rows:>10,}")
    finally:
        con.close()



sim_app = typer.Typer(help="Simulate a league: write it in the import formats, or `sim serve` it as the live sources.")
app.add_typer(sim_app, name="sim")


@sim_app.callback(invoke_without_command=True)
def sim(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Folder to write the simulated files into.")] = Path("demo_data"),
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 7,
    days: Annotated[int, typer.Option(min=1, max=200, help="Calendar days of games.")] = 30,
    start: Annotated[str, typer.Option(help="First game day, YYYY-MM-DD (US/Eastern).")] = "2025-10-21",
    as_of: Annotated[Optional[str], typer.Option(help="Games on/after this date are scheduled, not played (default: the last day).")] = None,
    market_noise: Annotated[float, typer.Option(min=0.0, max=1.0, help="Sportsbook line noise around true means (market efficiency).")] = 0.15,
) -> None:
    """Simulate a league season and write it in the import formats."""
    if ctx.invoked_subcommand is not None:
        return
    from nbaprops.dates import season_start_year
    from nbaprops.sim import SimConfig, simulate

    first_day = parse_date(start, "--start")
    config = SimConfig(
        seed=seed,
        season_start_year=season_start_year(first_day),  # game ids and SEASON_ID follow the dates
        start_date=first_day,
        days=days,
        as_of=parse_date(as_of, "--as-of"),
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
    start: Annotated[str, typer.Option(help="First game day, YYYY-MM-DD.")] = "2025-10-21",
    as_of: Annotated[Optional[str], typer.Option(help="Games on/after this date are not final yet.")] = None,
    odds_api_key: Annotated[Optional[str], typer.Option(envvar="ODDS_API_KEY", help="Key the odds endpoints require.")] = None,
    faults: Annotated[str, typer.Option(help="Preset: none, or all (one fault of each kind).")] = "none",
    fault: Annotated[Optional[list[str]], typer.Option(help="Extra fault kind:endpoint[:count[:resource]] (repeatable).")] = None,
    slow_seconds: Annotated[float, typer.Option(help="Delay of a slow response.")] = 3.0,
    retry_after: Annotated[float, typer.Option(help="Retry-After of a 429, seconds.")] = 1.0,
) -> None:
    """Serve the simulated season as the NBA CDN, stats.nba.com and The Odds API on 127.0.0.1."""
    from nbaprops.sim.commands import run_sim_serve

    raise typer.Exit(run_sim_serve(host, port, seed, days, parse_date(start, "--start"), parse_date(as_of, "--as-of"),
                                   odds_api_key, faults, fault or [], slow_seconds, retry_after))


@app.command()
@warehouse_command("create")
def scrape(
    ctx: typer.Context,
    date_: Annotated[str, typer.Option("--date", help="Game date (US/Eastern), YYYY-MM-DD.")],
    source: Annotated[Optional[list[str]], typer.Option(help="cdn_boxscore, stats_gamelog, stats_boxscore, odds_api (repeatable; default all; the schedule always runs).")] = None,
) -> None:
    """Fetch one game date from the live sources, archive every payload, land the raw tables."""
    from scrapers.commands import run_scrape

    raise typer.Exit(run_scrape(ctx.obj, parse_date(date_, "--date"), source or []))


@app.command()
@warehouse_command("create")
def replay(
    ctx: typer.Context,
    date_: Annotated[str, typer.Option("--date", help="Game date, YYYY-MM-DD.")],
    source: Annotated[Optional[list[str]], typer.Option(help="Only these sources (repeatable; default all).")] = None,
) -> None:
    """Rebuild one date's raw tables from the payload archive (no network)."""
    from scrapers.commands import run_replay

    raise typer.Exit(run_replay(ctx.obj, parse_date(date_, "--date"), source or []))


@app.command()
@warehouse_command("create")
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Simulation seed.")] = 7,
    days: Annotated[int, typer.Option(min=10, max=200, help="Days of simulated season.")] = 30,
) -> None:
    """The whole product on a simulated league: serve its APIs on 127.0.0.1, backfill, train, run tonight."""
    from nbaprops.demo import run_demo

    raise typer.Exit(run_demo(ctx.obj, days=days, seed=seed, echo=typer.echo))


# Phase 5 (predict/): train, score, grade, backtest.
from predict.cli import register as _register_predict  # noqa: E402

_register_predict(app)

# Operations: run, backfill, status, report, monitor, doctor.
from nbaprops.ops_cli import register as _register_ops  # noqa: E402

_register_ops(app)

if __name__ == "__main__":
    app()
