"""What every CLI module shares: how a command fails, how it reads a date option (the one date grammar:
``today``, ``yesterday`` or ``YYYY-MM-DD``, US/Eastern), and how it opens the warehouse (``warehouse_command``)."""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from nbacore.dates import resolve_game_date

ACCESSES = ("read", "write", "create")


def fail(message: str, code: int = 1) -> None:
    """Print one red line to stderr and exit with ``code`` (1 failure, 2 bad input, 3 locked)."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        help="table: for people; json: one document (shape in docs/cli.md); csv: the main table. All to stdout.",
    ),
]


def emit(output, fmt: Format) -> None:
    """Print a command's structured result (``nbacore.output.Output``) in the chosen format, to stdout."""
    typer.echo(output.render(fmt.value))


def quiet(fmt: Format = Format.table) -> bool:
    """No progress display: stdout is not a terminal (a pipe, a file, cron) or it carries a JSON document."""
    return fmt is Format.json or not sys.stdout.isatty()


@contextmanager
def progress(label: str, total: int, fmt: Format = Format.table):
    """A progress bar on stderr for long work (``total`` steps); yields ``advance(steps=1)``. Quiet (nothing
    drawn) when ``quiet(fmt)``, so pipes, cron logs and JSON documents never carry a bar."""
    if quiet(fmt):
        yield lambda steps=1: None
        return
    with typer.progressbar(length=max(total, 1), label=label, file=sys.stderr) as bar:
        yield lambda steps=1: bar.update(steps)


DATE_WORDS = "today, yesterday or YYYY-MM-DD (US/Eastern game date)"


def game_date(value: str | date) -> date:
    """Click's parser for every date option: the one grammar (``nbacore.dates.resolve_game_date``). A bad
    value is a usage error (exit 2) naming the option and the words it takes."""
    if isinstance(value, date):
        return value
    try:
        return resolve_game_date(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use {DATE_WORDS}") from None


def date_option(*names: str, help: str):
    """A date option: parsed by ``game_date`` before the command runs, so every command takes the same words."""
    return typer.Option(*names, parser=game_date, metavar="DATE", help=f"{help}: {DATE_WORDS}.")


def warehouse_command(access: str):
    """Declare how a command uses the local warehouse; every command that opens it carries this decorator.

    ``read``: DuckDB opens it read-only, so a reader never needs the writer's lock; the file must exist.
    ``write``: the file must exist, and the writer lock (nbacore/lock.py) is held for the whole command, so
    two writers never interleave. ``create``: like ``write``, but a missing warehouse is started (the commands
    that bring data: import, scrape, replay, run, backfill, demo). A warehouse that cannot be opened that way
    (missing, not DuckDB, held by another process), wherever inside the command that is found, ends the
    command with one ``error:`` line: exit 2 for a wrong path, 3 when another process holds it. The command
    takes ``ctx: typer.Context`` (its settings are ``ctx.obj``); put the decorator under ``@app.command()``.
    """
    if access not in ACCESSES:
        raise ValueError(f"warehouse_command({access!r}): use one of {', '.join(ACCESSES)}")

    def decorate(command):
        @functools.wraps(command)
        def run(ctx: typer.Context, **options):
            with warehouse_access(ctx, access):
                return command(ctx, **options)

        return run

    return decorate


@contextmanager
def warehouse_access(ctx: typer.Context, access: str):
    """The body of ``warehouse_command``: record ``access`` in the command's settings, check the file, hold
    the writer lock for writers, and turn ``WarehouseUnavailable`` into one line."""
    from nbacore.lock import warehouse_lock
    from nbacore.warehouse import WarehouseUnavailable, engine_of
    from nbacore.warehouse.duckdb_engine import check_warehouse_file

    ctx.obj = settings = replace(ctx.obj, access=access)
    local = engine_of(settings.target) == "duckdb"
    try:
        if local:
            check_warehouse_file(settings)
        writer = access != "read"
        with warehouse_lock(lock_anchor(settings), command_label(ctx)) if writer else nullcontext():
            yield
    except WarehouseUnavailable as exc:
        fail(str(exc), code=exc.code)


def lock_anchor(settings) -> Path:
    """The path the one-writer lock sits beside: the DuckDB file, or for BigQuery a name per project in the
    DuckDB file's folder (``warehouse/`` by default). The BigQuery lock holds on one scheduler host only."""
    from nbacore.warehouse import engine_of

    if engine_of(settings.target) == "duckdb":
        return settings.duckdb_path
    project = (
        settings.bigquery.emulator_project if settings.target == "bigquery_emulator" else settings.bigquery.project
    )
    return settings.duckdb_path.parent / f"{settings.target}-{project}"


def command_label(ctx: typer.Context) -> str:
    """The command as typed (options given on the command line only), for the lock's holder record."""
    words = ctx.command_path.split()[1:]
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name)
        if source is None or source.name != "COMMANDLINE":
            continue
        value = ctx.params.get(param.name)
        if param.param_type_name == "option":
            words.append(param.opts[0])
            if getattr(param, "is_flag", False):
                continue
        words += [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
    label = " ".join(words)
    return label if len(label) <= 200 else label[:197] + "..."
