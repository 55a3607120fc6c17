"""Typer commands ``train``, ``score``, ``grade`` and ``backtest``, attached to the main app by ``register``.

Option parsing only; the work is in ``predict.commands``. Heavy imports (xgboost, scipy) wait until a
command runs so that ``nbaprops --help`` stays fast.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

from nbaprops.cli_common import fail, parse_date


class Retrain(str, Enum):
    weekly = "weekly"
    daily = "daily"
    none = "none"


class PriceAt(str, Enum):
    latest = "latest"
    opening = "opening"




def _run(body: Callable[[], list[str]]) -> None:
    from predict.commands import PredictError

    try:
        lines = body()
    except PredictError as exc:
        fail(str(exc))
    for line in lines:
        typer.echo(line)


def _config(history_seasons: Optional[int] = None, registry: Optional[Path] = None,
            min_edge: Optional[float] = None, min_ev: Optional[float] = None):  # fmt: skip
    from predict.commands import with_options
    from predict.config import PredictConfig

    return with_options(PredictConfig(), history_seasons, registry, min_edge, min_ev)


RegistryOpt = Annotated[Optional[Path], typer.Option(help="Model registry folder (default models_registry/ or NBAPROPS_MODEL_REGISTRY).")]


def register(app: typer.Typer) -> None:
    """Add the phase-5 commands to ``app``."""

    @app.command()
    def train(
        ctx: typer.Context,
        before: Annotated[Optional[str], typer.Option(help="Train on games before this date, YYYY-MM-DD (default: every final game).")] = None,
        history_seasons: Annotated[Optional[int], typer.Option(min=0, help="Most recent seasons to train on (0 = all).")] = None,
        registry: RegistryOpt = None,
    ) -> None:
        """Train the per-market models on the feature mart and save them in the registry."""
        from predict import commands

        cut = parse_date(before, "--before") if before else None
        _run(lambda: commands.train(ctx.obj, _config(history_seasons, registry), cut))

    @app.command()
    def score(
        ctx: typer.Context,
        date_: Annotated[str, typer.Option("--date", help="Game date to score, YYYY-MM-DD (US/Eastern).")],
        model: Annotated[Optional[str], typer.Option(help="Model version (default: the newest in the registry).")] = None,
        as_of: Annotated[Optional[str], typer.Option(help="Price at the latest snapshot at or before this UTC time, YYYY-MM-DDTHH:MM.")] = None,
        min_edge: Annotated[Optional[float], typer.Option(help="Smallest edge (model - fair probability) to bet.")] = None,
        min_ev: Annotated[Optional[float], typer.Option(help="Smallest expected value per unit staked to bet.")] = None,
        registry: RegistryOpt = None,
    ) -> None:
        """Predict every line on a date, price it, write a new prediction version, list what was not scored."""
        from predict import commands

        day = parse_date(date_, "--date")
        when = None
        if as_of:
            try:
                when = datetime.fromisoformat(as_of)
            except ValueError:
                fail(f"--as-of {as_of!r} is not a time; use YYYY-MM-DDTHH:MM (UTC)", code=2)
        _run(lambda: commands.score(ctx.obj, _config(None, registry, min_edge, min_ev), day, model, when))

    @app.command()
    def grade(
        ctx: typer.Context,
        date_: Annotated[str, typer.Option("--date", help="Game date to grade, YYYY-MM-DD.")],
    ) -> None:
        """Grade a date's current predictions (win / loss / push, DNP = void) and its daily performance."""
        from predict import commands

        day = parse_date(date_, "--date")
        _run(lambda: commands.grade(ctx.obj, _config(), day))

    @app.command()
    def backtest(
        ctx: typer.Context,
        start: Annotated[str, typer.Option(help="First game date, YYYY-MM-DD.")],
        end: Annotated[str, typer.Option(help="Last game date, YYYY-MM-DD.")],
        retrain: Annotated[Retrain, typer.Option(help="How often to retrain (on games before each retrain date).")] = Retrain.weekly,
        price_at: Annotated[PriceAt, typer.Option(help="Price each line at its latest or its opening pregame snapshot.")] = PriceAt.latest,
        json_out: Annotated[Optional[Path], typer.Option("--json", help="Where to write the JSON (default target/backtests/).")] = None,
        history_seasons: Annotated[Optional[int], typer.Option(min=0, help="Most recent seasons to train on (0 = all).")] = None,
    ) -> None:
        """Walk-forward backtest: per market N, MAE of model / line / moving average, hit rates by edge, Brier."""
        from predict import commands

        first, last = parse_date(start, "--start"), parse_date(end, "--end")
        _run(lambda: commands.backtest(ctx.obj, _config(history_seasons), first, last, retrain.value, json_out,
                                       price_at.value, echo=typer.echo))  # fmt: skip
