"""Commands that bring files into the warehouse and build it: ``import``, ``forget``, ``build``, ``counts``."""

from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from nbacore.settings import Settings
from nbaprops.cli.app import app
from nbaprops.cli.common import date_option, fail, progress, warehouse_command
from nbaprops.runs.counts import print_counts

import_app = typer.Typer(
    help="Land files in the raw tables (replaces the (file, game_date) partitions they cover).", no_args_is_help=True
)
app.add_typer(import_app, name="import")


class Layer(str, Enum):
    staging = "staging"
    analytics = "analytics"
    precompute = "precompute"
    all = "all"


RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        envvar="NBAPROPS_IMPORT_ROOT",
        help="Import root: a file's rows are keyed by its path "
        "under it (./x/logs.csv), or by its absolute path if outside. Default: the current directory.",
    ),
]


def _import(ctx: typer.Context, kind: str, files: list[Path], root: Path | None = None) -> None:
    from nbacore.importers import ImportFileError, land_files, parse_files
    from nbacore.warehouse import open_warehouse

    settings: Settings = ctx.obj
    try:
        with progress(f"import {kind}", len(files)) as advance:
            parsed = parse_files(kind, files, root, progress=advance)
    except ImportFileError as exc:
        fail(str(exc))
    with open_warehouse(settings) as wh:
        try:
            landed = land_files(wh, parsed)
        except (ImportFileError, ValueError) as exc:
            fail(str(exc))
    for item in landed:
        typer.echo(f"{item.table:<24} {item.source:<50} {item.rows:>8} rows  {item.dates:>4} game dates")
    for p in parsed:
        if p.skipped:
            typer.echo(f"{p.source}: not landed: {p.skipped}")


@import_app.command("game-logs")
@warehouse_command("create")
def import_game_logs(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="LeagueGameLog CSV, CSV.GZ or JSON files (player or team rows).")],
    root: RootOption = None,
) -> None:
    """Player or team game logs (stats.nba.com LeagueGameLog shape)."""
    _import(ctx, "game-logs", files, root)


@import_app.command("schedule")
@warehouse_command("create")
def import_schedule(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Schedule CSV or CDN scheduleLeagueV2 JSON.")],
    root: RootOption = None,
) -> None:
    """The season schedule (flattened CSV or the NBA CDN scheduleLeagueV2 JSON)."""
    _import(ctx, "schedule", files, root)


@import_app.command("props")
@warehouse_command("create")
def import_props(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="The Odds API flattened prop snapshot CSVs.")],
    root: RootOption = None,
) -> None:
    """Player prop snapshots from The Odds API (flattened)."""
    _import(ctx, "props", files, root)


@import_app.command("game-lines")
@warehouse_command("create")
def import_game_lines(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Closing spread/total CSVs.")],
    root: RootOption = None,
) -> None:
    """Closing game lines (spread, total, moneylines)."""
    _import(ctx, "game-lines", files, root)


@app.command()
@warehouse_command("write")
def forget(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--source", help="The key an import printed, e.g. ./x/logs.csv.")],
    table: Annotated[
        list[str] | None, typer.Option("--table", help="Only this raw table (repeatable; default all).")
    ] = None,
) -> None:
    """Remove every raw row one imported file landed (its source key), in one transaction."""
    _forget(ctx, source, table or [])


def _forget(ctx: typer.Context, source: str, tables: list[str]) -> None:
    from nbacore.importers.sources import forget_source
    from nbacore.warehouse import open_warehouse

    settings: Settings = ctx.obj
    with open_warehouse(settings) as wh:
        try:
            removed = forget_source(wh, source, tables)
        except ValueError as exc:
            fail(str(exc))
    for item in removed:
        typer.echo(f"{item.table:<24} {item.rows:>8} rows removed")
    dates = [item.first_date for item in removed if item.first_date is not None]
    if dates:  # incremental models replace dates that still have rows, so a date left empty needs a full refresh
        typer.echo(f"built models still hold rows from {min(dates)} on: rebuild with `nbaprops build --full-refresh`")


@app.command()
@warehouse_command("write")
def build(
    ctx: typer.Context,
    layer: Annotated[Layer, typer.Option(help="Which dbt layer to build (with its parents).")] = Layer.all,
    select: Annotated[str | None, typer.Option(help="A dbt selector instead of a layer.")] = None,
    daily: Annotated[
        bool,
        typer.Option(
            "--daily",
            help="Only tables and incremental models, with the daily "
            "tests (selectors.yml); what the morning run builds.",
        ),
    ] = False,
    since: Annotated[
        date | None,
        date_option(
            help="Incremental models rebuild from this date (after landing dates older than the last few days)."
        ),
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Rebuild incremental models from scratch (after changing their SQL).")
    ] = False,
) -> None:
    """Build and test the warehouse with dbt (in-process). Without --daily: every model and every test."""
    from nbacore.dbt_runner import build_args, run_dbt

    settings: Settings = ctx.obj
    from nbacore.warehouse import open_warehouse

    open_warehouse(settings).close()  # raw tables a newer version added exist before dbt reads them
    plan = build_args(settings, daily=daily, select=select, layer=layer.value, since=since)
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
    """Print row counts of the analytics models."""
    try:
        print_counts(ctx.obj, typer.echo)
    except ValueError as exc:
        fail(str(exc))
