"""Operations: ``run`` (the morning job), ``backfill``, ``status``, ``report``, ``monitor``, ``doctor`` and ``demo``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from nbaprops.cli.app import app
from nbaprops.cli.common import Format, FormatOpt, date_option, emit, fail, progress, warehouse_command


@app.command()
@warehouse_command("create")
def run(
    ctx: typer.Context,
    date_: Annotated[date, date_option("--date", help="Game date")] = "today",
    force: Annotated[bool, typer.Option(help="Run phases whose gates are closed (recorded).")] = False,
) -> None:
    """The morning job: yesterday's finals, today's slate and props, build, grade, score, report; then
    tonight's picks."""
    from nbacore.warehouse import open_warehouse
    from nbaprops.runs.morning import run_day
    from predict.picks import read_picks

    day = date_
    outcomes = run_day(ctx.obj, day, force=force, echo=typer.echo)
    with open_warehouse(ctx.obj) as wh:  # tonight's picks as scored (the picks command's table)
        typer.echo("")
        emit(read_picks(wh, day), Format.table)
    bad = [o for o in outcomes if o.status != "success"]
    if bad:
        fail(f"{len(bad)} phase(s) did not complete for {day}: {', '.join(o.phase for o in bad)}")


@app.command()
@warehouse_command("create")
def backfill(
    ctx: typer.Context,
    start: Annotated[date, date_option(help="First game date")],
    end: Annotated[date, date_option(help="Last game date")],
    force: Annotated[bool, typer.Option(help="Re-land dates already complete.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Run a range of more than 400 dates (each a full scrape).")
    ] = False,
) -> None:
    """Land a date range in order (resumable: complete dates are skipped), then build once."""
    from nbaprops.runs.morning import backfill as run_backfill
    from nbaprops.runs.morning import check_backfill_range

    first, last = start, end
    try:
        check_backfill_range(first, last, yes)  # before the progress bar: a refusal is one line
        with progress(f"backfill {first}..{last}", (last - first).days + 1) as advance:
            done = run_backfill(
                ctx.obj, first, last, force=force, echo=typer.echo, progress=lambda i, n, d: advance(), yes=yes
            )
    except ValueError as exc:
        fail(str(exc), code=2)
    typer.echo(
        f"backfill {first}..{last}: {len(done['success'])} landed, {len(done['skipped'])} already complete, "
        f"{len(done['failed'])} failed{': ' + ', '.join(map(str, done['failed'])) if done['failed'] else ''}"
    )
    if done["failed"]:
        raise typer.Exit(1)


@app.command()
@warehouse_command("read")
def status(
    ctx: typer.Context,
    date_: Annotated[date, date_option("--date", help="Game date")] = "today",
    fmt: FormatOpt = Format.table,
) -> None:
    """Each phase's latest state for a date, from ops.pipeline_runs."""
    from nbacore.warehouse import open_warehouse
    from nbaprops.runs.status import read_status

    with open_warehouse(ctx.obj) as wh:
        emit(read_status(wh, date_), fmt)


@app.command()
@warehouse_command("read")
def report(
    ctx: typer.Context,
    date_: Annotated[date, date_option("--date", help="Game date")] = "today",
    backtest: Annotated[
        str | None,
        typer.Option(help="A backtest's run id (predictions.runs): its rows (backtest --out) instead of a date."),
    ] = None,
) -> None:
    """Write the self-contained HTML report for a date (or a recorded backtest) and print its path."""
    from nbaprops.runs.report import ReportError, write_backtest_report, write_report

    try:
        path = write_backtest_report(ctx.obj, backtest) if backtest else write_report(ctx.obj, date_)
    except ReportError as exc:
        fail(str(exc))
    typer.echo(str(path))


@app.command()
@warehouse_command("read")
def monitor(
    ctx: typer.Context,
    date_: Annotated[date, date_option("--date", help="Game date")] = "today",
    fmt: FormatOpt = Format.table,
) -> None:
    """Coverage, scraper health, source blocks and freshness; alerts the webhook; exit 1 on critical."""
    from nbacore.warehouse import open_warehouse
    from nbaprops.runs.monitor import monitor_output, run_checks, send_alert, worst

    day = date_
    with open_warehouse(ctx.obj) as wh:
        checks = run_checks(wh, day)
    level = worst(checks)
    url, alert = ctx.obj.alert_webhook_url, None
    if url and level != "ok":
        try:
            send_alert(url, day, checks)
            alert = "sent"
        except OSError as exc:
            alert = f"failed: {exc}"
            typer.secho(f"could not reach the alert webhook: {exc}", err=True)
    emit(monitor_output(day, checks, alert), fmt)
    if level == "critical":
        raise typer.Exit(1)


@app.command()
def doctor(ctx: typer.Context) -> None:
    """Check settings, credentials (never printed), warehouse, dbt, imports and the model vs the mart."""
    from nbaprops.runs.doctor import run_doctor

    findings = run_doctor(ctx.obj)
    for f in findings:
        typer.echo(f"{'ok  ' if f.ok else 'FAIL'} {f.check:<14} {f.detail}")
    if not all(f.ok for f in findings):
        raise typer.Exit(1)


@app.command()
@warehouse_command("create")
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Simulation seed.")] = 7,
    days: Annotated[int, typer.Option(min=10, max=200, help="Days of simulated season.")] = 30,
) -> None:
    """The whole product on a simulated league: serve its APIs on 127.0.0.1, backfill, train, run tonight."""
    from nbaprops.runs.demo import run_demo

    raise typer.Exit(run_demo(ctx.obj, days=days, seed=seed, echo=typer.echo))
