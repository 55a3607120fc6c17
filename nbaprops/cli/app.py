"""The one Typer app: every command module under ``nbaprops/cli/`` adds its commands to it, and the options all
commands share (the target) are read here into the one settings object (``ctx.obj``)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from nbacore.settings import load_settings, prepare_process

app = typer.Typer(help="NBA player-props analytics warehouse.", no_args_is_help=True, add_completion=False)


class Target(str, Enum):
    local = "local"
    bigquery = "bigquery"
    bigquery_emulator = "bigquery_emulator"


def _version(asked: bool) -> None:
    """``nbaprops --version``: the installed package's version (its metadata), then exit."""
    if asked:
        from importlib.metadata import version

        typer.echo(f"nbaprops {version('nbaprops')}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
    target: Annotated[
        Target, typer.Option("--target", "-t", envvar="NBAPROPS_TARGET", help="dbt target / warehouse.")
    ] = Target.local,
) -> None:
    prepare_process()
    ctx.obj = load_settings(target.value)
