"""A bankroll that cannot be over-staked: per-bet, per-player and nightly exposure caps.

Each pick starts at a fractional Kelly stake capped per bet (``predict.pricing.kelly_stake``). Kelly sizes
every bet as if it were the only one, but one night's bets are many and a player's markets are one bet
in disguise (his points, rebounds, assists, threes and PRA rise and fall together). So:

1. per player and night, the stakes across his markets are scaled down together to ``per_player``;
2. per night, all stakes are scaled down together to ``nightly``.

Scaling is proportional (the ranking of bets is kept) and every binding cap is reported.
Stakes are shares of the bankroll; ``stake_amount`` is the share times the bankroll in its currency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CapReport:
    """What the caps did to one run's stakes."""

    notes: list[str]  # one line per binding cap, empty when none bound
    max_night_share: float  # largest total stake of one night after the caps (share of bankroll)


def cap_stakes(frame: pd.DataFrame, per_player: float, nightly: float) -> tuple[pd.Series, CapReport]:
    """Stakes of ``frame`` (columns ``game_date``, ``player_id``, ``stake``) after the player and nightly caps."""
    stake = pd.to_numeric(frame["stake"], errors="coerce").fillna(0.0).astype("float64")
    notes: list[str] = []
    if stake.sum() <= 0:
        return stake, CapReport(notes, 0.0)
    night = pd.to_datetime(frame["game_date"]).dt.date.astype(str)
    player = frame["player_id"].astype("string").fillna("?")
    per_player_total = stake.groupby([night, player]).transform("sum")
    player_scale = np.where(
        per_player_total > per_player * (1 + 1e-9), per_player / per_player_total.where(per_player_total > 0, 1), 1.0
    )
    bound_players = frame.loc[player_scale < 1, "player_id"].nunique()
    if bound_players:
        notes.append(
            f"player cap {per_player:.1%} of bankroll bound for {bound_players} player(s): "
            "their stakes across markets were scaled down together"
        )
    stake = stake * player_scale
    night_total = stake.groupby(night).transform("sum")
    over = nightly * (1 + 1e-9)  # a night already at the cap (after the player caps) is not "bound" by rounding
    night_scale = np.where(night_total > over, nightly / night_total.where(night_total > 0, 1), 1.0)
    for day, total in stake.groupby(night).sum().items():
        if total > over:
            notes.append(
                f"nightly cap {nightly:.1%} of bankroll bound on {day}: stakes summing to {total:.1%} "
                f"were scaled by {nightly / total:.2f}"
            )
    stake = stake * night_scale
    return stake, CapReport(notes, float(stake.groupby(night).sum().max()))
