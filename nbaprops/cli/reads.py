"""Read-only commands: ``picks`` (a date's current predictions, nothing rescored) and ``results`` (graded picks
and the track record per market). Both print a table, one JSON document or CSV (``--format``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from nbacore.markets import MARKETS
from nbaprops.cli.app import app
from nbaprops.cli.common import Format, FormatOpt, date_option, emit, fail, warehouse_command

MarketOpt = Annotated[
    list[str] | None, typer.Option("--market", help=f"Only this market (repeatable): {', '.join(MARKETS)}.")
]


def _markets(given: list[str] | None) -> tuple[str, ...]:
    unknown = sorted(set(given or ()) - set(MARKETS))
    if unknown:
        fail(f"--market {', '.join(unknown)}: not a market; use one of {', '.join(MARKETS)}", code=2)
    return tuple(given or ())


@app.command()
@warehouse_command("read")
def picks(
    ctx: typer.Context,
    date_: Annotated[date, date_option("--date", help="Game date")] = "today",
    market: MarketOpt = None,
    min_edge: Annotated[
        float | None, typer.Option(help="Only lines whose edge (blend - fair probability) is at least this.")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Also the PASS lines, with the reason they passed (gate, thresholds).")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Tonight's picks as scored (nothing is rescored): price, probabilities, edge, stake, injury status."""
    from nbacore.warehouse import open_warehouse
    from predict.picks import read_picks

    chosen = _markets(market)
    with open_warehouse(ctx.obj) as wh:
        emit(read_picks(wh, date_, chosen, min_edge, include_pass=all_), fmt)


@app.command()
@warehouse_command("read")
def results(
    ctx: typer.Context,
    since: Annotated[date | None, date_option(help="First game date (default: the first graded)")] = None,
    until: Annotated[date | None, date_option(help="Last game date (default: the last graded)")] = None,
    market: MarketOpt = None,
    fmt: FormatOpt = Format.table,
    csv_table: Annotated[
        str, typer.Option("--csv-table", help="With --format csv: record (per market) or picks (each graded pick).")
    ] = "record",
) -> None:
    """Graded picks and the track record per market: N, hit rate (Wilson 95%), ROI, profit at the stakes, CLV."""
    from nbacore.warehouse import open_warehouse
    from predict.track_record import read_results

    if since and until and until < since:
        fail(f"--until {until} is before --since {since}; give an end on or after the start", code=2)
    if csv_table not in ("record", "picks"):
        fail(f"--csv-table {csv_table!r}: use record or picks", code=2)
    chosen = _markets(market)
    with open_warehouse(ctx.obj) as wh:
        output = read_results(wh, since, until, chosen)
    output.csv_table = csv_table
    emit(output, fmt)
