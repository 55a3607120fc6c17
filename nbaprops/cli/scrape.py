"""``nbaprops scrape`` and ``nbaprops replay``: progress while fetching, then a summary table.

The table has one line per source: requests made, how each attempt was classified, what landed against
what the date should have, and a status (ok, empty, partial, failed). Below it, each problem says which
resource and whether the source withheld it or the parser broke. The exit code is 0 only when every
source fetched everything the schedule says exists in this run: a failed fetch fails the run even when an
earlier archived payload of it lands again.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from typing import Annotated

import typer

from nbacore.settings import Settings
from nbaprops.cli.app import app
from nbaprops.cli.common import date_option, warehouse_command
from scrapers.http import CLASSIFICATIONS
from scrapers.results import SourceResult
from scrapers.run import replay_date, scrape_date


class BarProgress:
    """A click progress bar per source, on stderr."""

    def __init__(self) -> None:
        self.bar = None

    def start(self, label: str, total: int) -> None:
        self.finish()
        self.bar = typer.progressbar(length=max(total, 1), label=f"{label:<15}", file=sys.stderr)
        self.bar.__enter__()

    def grow(self, extra: int) -> None:
        if self.bar is not None:
            self.bar.length += extra

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _landed_cell(result: SourceResult) -> str:
    expected = "?" if result.expected is None else str(result.expected)
    return f"{result.landed}/{expected}"


def summary_lines(results: list[SourceResult], attempts_by_source: dict[str, Counter] | None) -> list[str]:
    """The summary table (and its problem and note lines) as text."""
    head = f"{'source':<15} {'requests':>8} "
    if attempts_by_source is not None:
        head += " ".join(f"{c:>{len(c)}}" for c in CLASSIFICATIONS) + " "
    head += f"{'landed':>8} {'rows':>8}  status"
    lines = [head, "-" * len(head)]
    for r in results:
        counts = (attempts_by_source or {}).get(r.source, Counter())
        line = f"{r.source:<15} {sum(counts.values()):>8} "
        if attempts_by_source is not None:
            line += " ".join(f"{counts.get(c, 0):>{len(c)}}" for c in CLASSIFICATIONS) + " "
        line += f"{_landed_cell(r):>8} {sum(r.rows.values()):>8}  {r.status}"
        lines.append(line)
    for r in results:
        for table, rows in sorted(r.rows.items()):
            lines.append(f"  {r.source}: {rows} rows -> {table}")
        lines += [f"  {r.source}: note: {n}" for n in r.notes]
        lines += [f"  {r.source}: PROBLEM: {p}" for p in r.problems]
    return lines


def run_scrape(settings: Settings, game_date: date, sources: list[str]) -> int:
    """Scrape one date; print the summary; return the exit code."""
    try:
        report = scrape_date(settings, game_date, sources or None, progress=BarProgress())
    except ValueError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        return 2
    by_source: dict[str, Counter] = {}
    for row in report.attempts:
        by_source.setdefault(row.source, Counter())[row.classification] += 1
    typer.echo(f"scrape {game_date} (run {report.run_id}): {len(report.attempts)} requests")
    for line in summary_lines(report.results, by_source):
        typer.echo(line)
    if not report.succeeded:
        failed = [r.source for r in report.results if not r.succeeded]
        typer.secho(
            f"scrape incomplete: {', '.join(failed)} (see the problems above and raw.scrape_attempts)", err=True
        )
        return 1
    return 0


def run_replay(settings: Settings, game_date: date, sources: list[str]) -> int:
    """Replay one date from the archive; print what landed. A damaged archive file fails its source (one
    line naming the file and the fix) while every other file and source still replays; the exit code is 1."""
    try:
        results = replay_date(settings, game_date, sources or None)
    except ValueError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        return 2
    typer.echo(f"replay {game_date} from {settings.landing_dir} (no network)")
    for result in results:
        for table, rows in sorted(result.rows.items()):
            typer.echo(f"  {result.source:<15} {rows:>8} rows -> {table}")
        if not result.rows:
            typer.echo(f"  {result.source:<15} nothing archived for this date")
        for problem in result.problems:
            typer.echo(f"  {result.source}: PROBLEM: {problem}")
    failed = [r.source for r in results if r.problems]
    if failed:
        typer.secho(
            f"replay incomplete: {', '.join(failed)} (see the problems above; everything else landed)", err=True
        )
        return 1
    return 0


@app.command()
@warehouse_command("create")
def scrape(
    ctx: typer.Context,
    date_: Annotated[date, date_option("--date", help="Game date")],
    source: Annotated[
        list[str] | None,
        typer.Option(
            help="cdn_boxscore, stats_gamelog, stats_boxscore, odds_api, injury_report (repeatable; default all; the schedule always runs)."
        ),
    ] = None,
) -> None:
    """Fetch one game date from the live sources, archive every payload, land the raw tables."""
    raise typer.Exit(run_scrape(ctx.obj, date_, source or []))


@app.command()
@warehouse_command("create")
def replay(
    ctx: typer.Context,
    date_: Annotated[date, date_option("--date", help="Game date")],
    source: Annotated[list[str] | None, typer.Option(help="Only these sources (repeatable; default all).")] = None,
) -> None:
    """Rebuild one date's raw tables from the payload archive (no network)."""
    raise typer.Exit(run_replay(ctx.obj, date_, source or []))
