"""What every CLI module shares: how a command fails, and how it reads a YYYY-MM-DD option."""

from __future__ import annotations

from datetime import date, datetime

import typer


def fail(message: str, code: int = 1) -> None:
    """Print one red line to stderr and exit with ``code`` (1 failure, 2 bad input, 3 locked)."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def parse_date(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option value; a bad one exits 2 naming the option."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(f"{option} {value!r} is not a date; use YYYY-MM-DD", code=2)
