"""The two systems every model is measured against: a moving average and the line itself.

The moving average is 0.5·L5 + 0.3·L10 + 0.2·season average of the market's stat, over the player's
games strictly before the row's date, computed from the mart's own ``actual`` history (so it needs no
knowledge of how the mart names its features). When the player has no game yet this season, the
season term falls back to his latest season's average; with fewer than 5 or 10 games, L5/L10 average
what there is. The line baseline is simply ``line``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from predict.mart import played_mask

MA_WEIGHTS = (0.5, 0.3, 0.2)


def played_history(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (player, market, game) actually played, with rolling stats that include that game."""
    played = frame[played_mask(frame)]
    hist = played[["player_id", "market", "season", "game_date", "actual"]].dropna(subset=["player_id"])
    hist = hist.sort_values(["player_id", "market", "game_date"]).drop_duplicates(["player_id", "market", "game_date"])
    by_player = hist.groupby(["player_id", "market"], sort=False)["actual"]
    hist["l5"] = by_player.rolling(5, min_periods=1).mean().droplevel([0, 1])
    hist["l10"] = by_player.rolling(10, min_periods=1).mean().droplevel([0, 1])
    hist["games"] = by_player.cumcount() + 1
    by_season = hist.groupby(["player_id", "market", "season"], sort=False)["actual"]
    hist["season_games"] = by_season.cumcount() + 1
    hist["season_avg"] = by_season.cumsum() / hist["season_games"]
    return hist.rename(columns={"season": "hist_season", "game_date": "hist_date"})


def add_baselines(rows: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """``rows`` plus ``ma_pred``, ``prior_games`` and ``prior_games_season`` as of each row's date.

    ``history`` is ``played_history`` of a frame that covers the rows' players before their dates.
    """
    out = rows.copy()
    out["_order"] = np.arange(len(out))
    keyed = out.dropna(subset=["player_id"]).sort_values("game_date")
    hist = history.sort_values("hist_date")
    joined = pd.merge_asof(
        keyed[["_order", "player_id", "market", "season", "game_date"]],
        hist[["player_id", "market", "hist_date", "hist_season", "l5", "l10", "games", "season_avg", "season_games"]],
        left_on="game_date",
        right_on="hist_date",
        by=["player_id", "market"],
        allow_exact_matches=False,
        direction="backward",
    )
    same_season = (joined["hist_season"] == joined["season"]).fillna(False).to_numpy(dtype=bool)
    joined["prior_games_season"] = np.where(same_season, joined["season_games"], 0)
    w5, w10, ws = MA_WEIGHTS
    joined["ma_pred"] = w5 * joined["l5"] + w10 * joined["l10"] + ws * joined["season_avg"]
    joined["prior_games"] = joined["games"].fillna(0).astype(int)
    out = out.merge(joined[["_order", "ma_pred", "prior_games", "prior_games_season"]], on="_order", how="left")
    out["prior_games"] = out["prior_games"].fillna(0).astype(int)
    out["prior_games_season"] = out["prior_games_season"].fillna(0).astype(int)
    return out.drop(columns="_order")
