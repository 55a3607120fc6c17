"""``nbaprops train``, ``score``, ``grade`` and ``backtest``.

Option parsing only; the work is in ``predict.commands``. Heavy imports (xgboost, scipy) wait until a
command runs so that ``nbaprops --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nbaprops.cli.app import app
from nbaprops.cli.common import Format, FormatOpt, date_option, emit, fail, progress, warehouse_command

if TYPE_CHECKING:
    from nbacore.output import Output


class Retrain(str, Enum):
    weekly = "weekly"
    daily = "daily"
    none = "none"


class PriceAt(str, Enum):
    latest = "latest"
    opening = "opening"


class Gate(str, Enum):
    strict = "strict"
    off = "off"


def _step(body: Callable[[], Output | list[str]]) -> Output:
    """Run a step and return its structured result (train's lines as text), or fail in one line."""
    from nbacore.output import Output
    from predict.commands import PredictError

    try:
        result = body()
    except PredictError as exc:
        fail(str(exc))
    return result if isinstance(result, Output) else Output("train", lines=result)


def _run(body: Callable[[], Output | list[str]], fmt: Format = Format.table) -> None:
    emit(_step(body), fmt)


def _config(history_seasons: int | None = None, **rules):
    from predict.commands import with_options
    from predict.config import PredictConfig

    rules = {k: (v.value if isinstance(v, Enum) else v) for k, v in rules.items()}
    return with_options(PredictConfig(), history_seasons, **rules)


def _with_registry(settings, registry: Path | None):
    """The settings with ``--registry`` applied (the registry folder lives in the one settings object)."""
    return settings if registry is None else replace(settings, model_registry=registry.resolve())


RegistryOpt = Annotated[
    Path | None, typer.Option(help="Model registry folder (default models_registry/ or NBAPROPS_MODEL_REGISTRY).")
]
MinEdgeOpt = Annotated[float | None, typer.Option(help="Smallest edge (blended - fair probability) to bet [0.04].")]
MinEvOpt = Annotated[float | None, typer.Option(help="Smallest expected value per unit staked to bet [0.02].")]
GateOpt = Annotated[
    Gate,
    typer.Option(
        help="strict: picks only in markets whose record shows information beyond the "
        "line; off: ignore the evidence gate (research only)."
    ),
]
BankrollOpt = Annotated[
    float | None, typer.Option(help="Bankroll in your currency; stakes are also printed in it [1000].")
]
NightlyCapOpt = Annotated[float | None, typer.Option(help="Most of the bankroll staked on one night, a share [0.10].")]
PlayerCapOpt = Annotated[
    float | None, typer.Option(help="Most staked on one player's markets in a night, a share [0.04].")
]


@app.command()
@warehouse_command("write")
def train(
    ctx: typer.Context,
    before: Annotated[
        date | None, date_option(help="Train on games before this date (default: every final game)")
    ] = None,
    history_seasons: Annotated[
        int | None, typer.Option(min=0, help="Most recent seasons to train on (0 = all).")
    ] = None,
    registry: RegistryOpt = None,
) -> None:
    """Train the per-market models on the feature mart and save them in the registry."""
    from nbacore.markets import MARKETS
    from predict import commands

    cut = before
    with progress("train", len(MARKETS)) as advance:
        result = _step(
            lambda: commands.train(_with_registry(ctx.obj, registry), _config(history_seasons), cut, advance)
        )
    emit(result, Format.table)


@app.command()
@warehouse_command("write")
def score(
    ctx: typer.Context,
    date_: Annotated[date, date_option("--date", help="Game date to score")],
    model: Annotated[str | None, typer.Option(help="Model version (default: the newest in the registry).")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Price at the latest snapshot at or before this UTC time, YYYY-MM-DDTHH:MM.")
    ] = None,
    min_edge: MinEdgeOpt = None,
    min_ev: MinEvOpt = None,
    gate: GateOpt = Gate.strict,
    bankroll: BankrollOpt = None,
    nightly_cap: NightlyCapOpt = None,
    player_cap: PlayerCapOpt = None,
    registry: RegistryOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Predict every line on a date, price it, write a new prediction version, list what was not scored."""
    from predict import commands

    day = date_
    when = None
    if as_of:
        try:
            when = datetime.fromisoformat(as_of)
        except ValueError:
            fail(f"--as-of {as_of!r} is not a time; use YYYY-MM-DDTHH:MM (UTC)", code=2)

    def config():
        return _config(
            None,
            min_edge=min_edge,
            min_ev=min_ev,
            gate=gate,
            bankroll=bankroll,
            nightly_cap=nightly_cap,
            player_cap=player_cap,
        )

    _run(lambda: commands.score(_with_registry(ctx.obj, registry), config(), day, model, when), fmt)


@app.command()
@warehouse_command("write")
def grade(
    ctx: typer.Context,
    date_: Annotated[date, date_option("--date", help="Game date to grade")],
    fmt: FormatOpt = Format.table,
) -> None:
    """Grade a date's current predictions (win / loss / push, DNP = void) and its daily performance."""
    from predict import commands

    day = date_
    _run(lambda: commands.grade(ctx.obj, _config(), day), fmt)


@app.command()
@warehouse_command("write")
def backtest(
    ctx: typer.Context,
    start: Annotated[date, date_option(help="First game date")],
    end: Annotated[date, date_option(help="Last game date")],
    retrain: Annotated[
        Retrain,
        typer.Option(
            help="How often to retrain (on games before each retrain date). daily: the boosters are refitted every "
            "day; the full training (objective, dispersion, calibration, combiner and its gate) stays weekly."
        ),
    ] = Retrain.weekly,
    price_at: Annotated[
        PriceAt, typer.Option(help="Price each line at its latest or its opening pregame snapshot.")
    ] = PriceAt.latest,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Where to write the JSON (default target/backtests/).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write every scored line here (.parquet or .csv).")] = None,
    history_seasons: Annotated[
        int | None, typer.Option(min=0, help="Most recent seasons to train on (0 = all).")
    ] = None,
    min_edge: MinEdgeOpt = None,
    min_ev: MinEvOpt = None,
    gate: GateOpt = Gate.strict,
    bankroll: BankrollOpt = None,
    nightly_cap: NightlyCapOpt = None,
    player_cap: PlayerCapOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Walk-forward backtest: per market blend / model / market Brier and log loss with paired intervals, the
    combiners and gates, MAE, and picks with hit rate, ROI and stakes per night."""
    from predict import commands
    from predict.backtest import retrain_dates

    first, last = start, end
    if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
        fail(f"--out {out}: use a .parquet or .csv file name", code=2)

    def config():
        return _config(
            history_seasons,
            min_edge=min_edge,
            min_ev=min_ev,
            gate=gate,
            bankroll=bankroll,
            nightly_cap=nightly_cap,
            player_cap=player_cap,
        )

    segments = len(retrain_dates(first, last, retrain.value)) if last >= first else 0
    with progress(f"backtest {first}..{last}", segments, fmt) as advance:
        result = _step(
            lambda: commands.backtest(
                ctx.obj,
                config(),
                first,
                last,
                retrain.value,
                json_out,
                price_at.value,
                progress=lambda done, total, message: advance(),
                rows_path=out,
            )
        )
    emit(result, fmt)
