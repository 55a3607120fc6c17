"""Row counts of the analytics models: what ``nbaprops counts`` and the demo print to show the build landed."""

from __future__ import annotations

from collections.abc import Callable

from nbacore.settings import Settings
from nbacore.warehouse import open_warehouse

ANALYTICS_MODELS = (
    "player_game_summary",
    "team_offense_game_summary",
    "team_defense_game_summary",
    "upcoming_player_game_context",
    "upcoming_team_game_context",
)


def print_counts(settings: Settings, echo: Callable[[str], None]) -> None:
    """Echo one line per analytics model; a model not built yet raises ``ValueError`` naming it and the fix."""
    with open_warehouse(settings) as wh:
        built = wh.tables("analytics")
        missing = [m for m in ANALYTICS_MODELS if m not in built]
        if missing:
            raise ValueError(
                f"analytics model(s) {', '.join(missing)} not built in {wh.describe()}; run `nbaprops build`"
            )
        echo(f"{'analytics model':<32} {'rows':>10}")
        for model in ANALYTICS_MODELS:
            rows = wh.scalar(f"select count(*) from analytics.{model}")
            echo(f"{model:<32} {rows:>10,}")
