"""Grading after the game: each prediction's lean and pick as win / loss / push (a DNP is void), errors of
the model and both baselines, Brier against the fair market probability, profit at the taken price and
closing-line value; a void carries its reason (``void_reason``: listed out at scoring time, late scratch,
unknown; predict/availability.py); then the daily performance per market and system.

Systems: ``model`` (the product: its pick at the taken price; MAE of the blended mean; Brier and log loss of
the blended P(over)), ``raw_model`` (the model before anchoring: MAE of its mean, Brier and log loss of its
P(over)), ``line`` (the market: MAE of the line, Brier and log loss of the fair P(over)), ``moving_average``
(MAE; it bets the side its average favours against the reference line, at the best price offered for that
side). Probabilities are P(over | no push) at the reference line, all three on the same lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from predict.availability import void_reasons
from predict.evaluation import brier_rows, log_loss_rows
from predict.market_view import american_to_decimal, devig
from predict.pricing import KEYS

VOID, PENDING = "void", "pending"


def grade_side(actual: float | None, line: float | None, side: str | None, did_play: bool | None) -> str | None:
    """'win' / 'loss' / 'push' for a side at a line; 'void' when the player did not play; None without a side."""
    if side not in ("OVER", "UNDER") or line is None or pd.isna(line):
        return None
    if did_play is not None and not pd.isna(did_play) and not bool(did_play):
        return VOID
    if actual is None or pd.isna(actual):
        return PENDING
    if actual == line:
        return "push"
    return "win" if (actual > line) == (side == "OVER") else "loss"


def grade_sides(actual: pd.Series, line: pd.Series, side: pd.Series, did_play: pd.Series) -> pd.Series:
    return pd.Series(
        [grade_side(a, li, s, d) for a, li, s, d in zip(actual, line, side, did_play)],
        index=actual.index,
        dtype="object",
    )


def profit(result: pd.Series, american_odds: pd.Series) -> pd.Series:
    """Units won per unit staked: win = decimal - 1, loss = -1, push/void = 0, no bet = NaN."""
    dec = american_to_decimal(american_odds)
    out = np.select([result == "win", result == "loss", result.isin(["push", VOID])], [dec - 1.0, -1.0, 0.0], np.nan)
    return pd.Series(out, index=result.index)


def closing_view(closing: pd.DataFrame, method: str) -> pd.DataFrame:
    """Per (key, line): the closing snapshot time and mean fair probabilities; per key: the closing consensus line."""
    c = closing.dropna(subset=["over_odds", "under_odds", "player_id"]).copy()
    if c.empty:
        return pd.DataFrame(columns=[*KEYS, "line", "close_at", "close_fair_over", "close_fair_under", "close_line"])
    c["fo"], c["fu"] = devig(c["over_odds"], c["under_odds"], method)
    at_line = c.groupby([*KEYS, "line"], as_index=False).agg(
        close_at=("snapshot_at", "max"), close_fair_over=("fo", "mean"), close_fair_under=("fu", "mean")
    )
    consensus = c.groupby(KEYS, as_index=False).agg(close_line=("line", "median"))
    return at_line.merge(consensus, on=KEYS, how="left")


def grade_predictions(
    preds: pd.DataFrame,
    outcomes: pd.DataFrame,
    closing: pd.DataFrame | None = None,
    devig_method: str = "multiplicative",
) -> pd.DataFrame:
    """One result row per prediction: outcomes has KEYS, ``actual`` and ``did_play`` (the mart after the game)."""
    g = preds.drop(columns=[c for c in ("actual", "did_play") if c in preds]).merge(
        outcomes[[*KEYS, "actual", "did_play"]].drop_duplicates(KEYS), on=KEYS, how="left"
    )
    played = g["did_play"].fillna(False).astype(bool) & g["actual"].notna()
    g["lean_result"] = grade_sides(g["actual"], g["market_line"], g["lean"], g["did_play"])
    g["pick_result"] = grade_sides(g["actual"], g["pick_line"], g["pick"], g["did_play"])
    g["pick_profit"] = profit(g["pick_result"], g["pick_odds"])
    g["stake_profit"] = g["pick_profit"] * g["stake"]
    for name, col in (("model", "pred_mean"), ("line", "line"), ("ma", "ma_pred")):
        g[f"{name}_abs_error"] = np.where(played, (g[col] - g["actual"]).abs(), np.nan)
    decided = played & (g["actual"] != g["market_line"])
    over = (g["actual"] > g["market_line"]).astype(float)
    g["over_outcome"] = np.where(decided, over, np.nan)
    if "pred_median" in g:
        g["median_abs_error"] = np.where(played, (g["pred_median"] - g["actual"]).abs(), np.nan)
    if "model_mean" in g:
        g["raw_model_abs_error"] = np.where(played, (g["model_mean"] - g["actual"]).abs(), np.nan)
    for name, col in (("model", "blend_p_over"), ("raw_model", "model_p_over"), ("market", "fair_over")):
        p = pd.to_numeric(g[col], errors="coerce") if col in g else pd.Series(np.nan, index=g.index)
        ok = decided & p.notna()
        g[f"brier_{name}"] = np.where(ok, brier_rows(p.fillna(0.5), over), np.nan)
        g[f"logloss_{name}"] = np.where(ok, log_loss_rows(p.fillna(0.5), over), np.nan)
    diff = g["ma_pred"] - g["market_line"]
    g["ma_side"] = np.where(diff > 0, "OVER", np.where(diff < 0, "UNDER", None))
    g["ma_line"] = np.where(g["ma_side"] == "OVER", g["best_over_line"], g["best_under_line"])
    g["ma_odds"] = np.where(g["ma_side"] == "OVER", g["best_over_odds"], g["best_under_odds"])
    g.loc[g["ma_side"].isna(), ["ma_line", "ma_odds"]] = np.nan
    g["ma_result"] = grade_sides(g["actual"], pd.to_numeric(g["ma_line"]), g["ma_side"], g["did_play"])
    g["ma_profit"] = profit(g["ma_result"], pd.to_numeric(g["ma_odds"]))
    g["void_reason"] = void_reasons(g)
    return _with_clv(g, closing, devig_method)


def _with_clv(g: pd.DataFrame, closing: pd.DataFrame | None, method: str) -> pd.DataFrame:
    """CLV of each pick when the closing snapshot is later than the one it was priced at:
    ``clv`` = closing fair P(side) at the pick's line x taken decimal odds - 1 (NULL when no book closed at
    that line); ``clv_line`` = line points moved in the pick's favour (closing consensus - pick line, OVER)."""
    g["clv"], g["clv_line"] = np.nan, np.nan
    view = closing_view(closing, method) if closing is not None and not closing.empty else None
    if view is None or view.empty or g.empty:
        return g
    last = view.groupby(KEYS, as_index=False).agg(close_last=("close_at", "max"), close_line=("close_line", "first"))
    at_line = view[[*KEYS, "line", "close_fair_over", "close_fair_under"]].rename(columns={"line": "pick_line"})
    m = g[[*KEYS, "pick", "pick_line", "pick_odds", "priced_at"]].merge(last, on=KEYS, how="left")
    m = m.merge(at_line, on=[*KEYS, "pick_line"], how="left")  # left joins on unique keys keep g's order
    later = (pd.to_datetime(m["close_last"]) > pd.to_datetime(m["priced_at"])).to_numpy()
    bet = m["pick"].isin(["OVER", "UNDER"]).to_numpy()
    over = (m["pick"] == "OVER").to_numpy()
    fair = np.where(over, m["close_fair_over"], m["close_fair_under"])
    moved = np.where(over, m["close_line"] - m["pick_line"], m["pick_line"] - m["close_line"])
    g["clv"] = np.where(bet & later, fair * american_to_decimal(m["pick_odds"]) - 1.0, np.nan)
    g["clv_line"] = np.where(bet & later, moved, np.nan)
    return g


def daily_performance(results: pd.DataFrame) -> pd.DataFrame:
    """Per game_date, market and system: N, MAE, Brier, bets with hit rate and ROI at the taken price, CLV."""
    rows = []
    for (day, market), r in results.groupby(["game_date", "market"], sort=True):
        played = r["model_abs_error"].notna()
        both = r["brier_model"].notna() & r["brier_market"].notna() & r["brier_raw_model"].notna()  # the same lines
        for system, err, prob, res, prof in (
            ("model", "model_abs_error", "model", "pick_result", "pick_profit"),
            ("raw_model", "raw_model_abs_error", "raw_model", None, None),
            ("line", "line_abs_error", "market", None, None),
            ("moving_average", "ma_abs_error", None, "ma_result", "ma_profit"),
        ):
            row = {
                "game_date": day,
                "market": market,
                "system": system,
                "n": int(played.sum()),
                "mae": _mean(r[err]) if err in r else np.nan,
                "brier": _mean(r.loc[both, f"brier_{prob}"]) if prob else np.nan,
                "logloss": _mean(r.loc[both, f"logloss_{prob}"]) if prob else np.nan,
                "brier_n": int(both.sum()) if prob else 0,
            }
            row.update(bet_summary(r[res], r[prof]) if res else bet_summary(None, None))
            if system == "model":
                row["staked"] = float(r["stake"].where(r["pick_result"].isin(["win", "loss", "push"]), 0).sum())
                row["stake_profit"] = float(r["stake_profit"].fillna(0).sum())
                row["clv_n"] = int(r["clv"].notna().sum())
                row["clv"] = _mean(r["clv"])
                row["clv_line"] = _mean(r["clv_line"])
            rows.append(row)
    return pd.DataFrame(rows)


def bet_summary(result: pd.Series | None, prof: pd.Series | None) -> dict:
    """Bets graded (wins + losses + pushes), hit rate over wins + losses, ROI = profit / bets.

    The one definition of hit rate and ROI: grading, the backtest and the report's edge buckets all call this
    (a push is a bet that returns its stake, so it counts in ROI's denominator but not in the hit rate's)."""
    if result is None:
        return {"bets": 0, "wins": 0, "losses": 0, "pushes": 0, "hit_rate": np.nan, "roi": np.nan}
    wins, losses, pushes = int((result == "win").sum()), int((result == "loss").sum()), int((result == "push").sum())
    bets = wins + losses + pushes
    return {
        "bets": bets,
        "wins": wins,
        "losses": losses,
        "pushes": pushes,
        "hit_rate": wins / (wins + losses) if wins + losses else np.nan,
        "roi": float(prof[result.isin(["win", "loss", "push"])].sum() / bets) if bets else np.nan,
    }


def _mean(s: pd.Series) -> float:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.mean()) if len(s) else np.nan
