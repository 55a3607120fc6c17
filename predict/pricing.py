"""Pricing: fair probabilities from each book's two-way price, edge, expected value, the pick and its stake.

De-vig (per book, per line): the two sides' implied probabilities (1 / decimal odds) sum to more than 1
by the book's margin. ``multiplicative`` (the default) divides each by their sum; ``power`` raises both
to the k that makes them sum to 1 (it takes more margin off the long shot). Books often disagree on the
line, so the model is compared with each book at that book's own line:

- edge = model P(side) at the book's line - the book's fair P(side);
- EV per unit staked at the offered price = P(win) * (decimal - 1) - P(loss) (a push returns the stake);
- the best price for a side is the book offer with the highest EV;
- the pick is the side whose best offer clears both ``min_edge`` and ``min_ev`` (higher EV wins), else PASS;
- stake = ``kelly_fraction`` of the Kelly fraction at that price, capped at ``kelly_cap``.

The market's own view of a row (for the lean, Brier and CLV) is the mean fair probability of the books
offering the reference line: the mart's consensus line when a book offers it, else the most common line.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from predict.config import PricingRules
from predict.distribution import SideProbabilities

KEYS = ["player_id", "game_id", "market"]
ProbFn = Callable[[str, np.ndarray, np.ndarray], SideProbabilities]


def american_to_decimal(odds: np.ndarray | pd.Series) -> np.ndarray:
    """-110 -> 1.909, +150 -> 2.5; 0 or NaN -> NaN."""
    o = np.asarray(odds, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(o > 0, 1 + o / 100.0, 1 + 100.0 / np.abs(o))
    return np.where((o == 0) | ~np.isfinite(o), np.nan, out)


def devig(over_odds: np.ndarray, under_odds: np.ndarray, method: str = "multiplicative") -> tuple[np.ndarray, np.ndarray]:
    """Fair (over, under) probabilities of two-way American prices."""
    qo, qu = 1.0 / american_to_decimal(over_odds), 1.0 / american_to_decimal(under_odds)
    if method == "multiplicative":
        total = qo + qu
        return qo / total, qu / total
    if method == "power":
        lo, hi = np.full_like(qo, 0.2), np.full_like(qo, 5.0)
        for _ in range(60):  # bisection on k: qo**k + qu**k = 1 (decreasing in k)
            k = (lo + hi) / 2
            above = qo**k + qu**k > 1
            lo, hi = np.where(above, k, lo), np.where(above, hi, k)
        k = (lo + hi) / 2
        return qo**k, qu**k
    raise ValueError(f"de-vig method {method!r} is unknown; use 'multiplicative' or 'power'")


def expected_value(p_win: np.ndarray, p_push: np.ndarray, decimal: np.ndarray) -> np.ndarray:
    """Expected profit per unit staked."""
    return p_win * (decimal - 1.0) - (1.0 - p_win - p_push)


def kelly_stake(p_win: np.ndarray, p_push: np.ndarray, decimal: np.ndarray, rules: PricingRules) -> np.ndarray:
    """Fractional Kelly share of bankroll, capped; 0 when the bet has no edge at that price."""
    b = decimal - 1.0
    p_loss = 1.0 - p_win - p_push
    with np.errstate(divide="ignore", invalid="ignore"):
        full = (p_win * b - p_loss) / (b * (p_win + p_loss))
    return np.clip(np.nan_to_num(full * rules.kelly_fraction, nan=0.0), 0.0, rules.kelly_cap)


def priced_offers(rows: pd.DataFrame, offers: pd.DataFrame, prob_fn: ProbFn, rules: PricingRules) -> pd.DataFrame:
    """Every two-way book offer for ``rows`` with model and fair probabilities, edge and EV per side."""
    cols = [*KEYS, "pred_mean"]
    two_way = offers.dropna(subset=["over_odds", "under_odds", "line"])
    o = two_way.merge(rows[cols], on=KEYS, how="inner")
    if o.empty:
        return o.assign(p_over=[], p_under=[], p_push=[], fair_over=[], fair_under=[])
    p_over, p_under, p_push = (np.zeros(len(o)) for _ in range(3))
    for market, idx in o.groupby("market").indices.items():
        probs = prob_fn(str(market), o["pred_mean"].to_numpy()[idx], o["line"].to_numpy(dtype="float64")[idx])
        p_over[idx], p_under[idx], p_push[idx] = probs.over, probs.under, probs.push
    o["p_over"], o["p_under"], o["p_push"] = p_over, p_under, p_push
    o["fair_over"], o["fair_under"] = devig(o["over_odds"], o["under_odds"], rules.devig)
    for side in ("over", "under"):
        dec = american_to_decimal(o[f"{side}_odds"])
        o[f"edge_{side}"] = o[f"p_{side}"] - o[f"fair_{side}"]
        o[f"ev_{side}"] = expected_value(o[f"p_{side}"], o["p_push"], dec)
    return o


def price_rows(rows: pd.DataFrame, offers: pd.DataFrame, prob_fn: ProbFn, rules: PricingRules) -> pd.DataFrame:
    """``rows`` (keys, ``line``, ``pred_mean``) plus market view, best price per side, pick and stake."""
    out = rows.copy()
    o = priced_offers(rows, offers, prob_fn, rules)
    out = out.merge(_market_view(out, o), on=KEYS, how="left")
    for side in ("over", "under"):
        out = out.merge(_best_offer(o, side), on=KEYS, how="left")
    missing_ref = out["market_line"].isna()
    out.loc[missing_ref, "market_line"] = out.loc[missing_ref, "line"]
    probs = np.zeros((3, len(out)))
    for market, idx in out.groupby("market").indices.items():
        s = prob_fn(str(market), out["pred_mean"].to_numpy()[idx], out["market_line"].to_numpy(dtype="float64")[idx])
        probs[:, idx] = s.over, s.under, s.push
    out["p_over"], out["p_under"], out["p_push"] = probs
    out["edge_over"] = out["p_over"] - out["fair_over"]
    out["edge_under"] = out["p_under"] - out["fair_under"]
    by_edge = np.where(out["edge_over"].fillna(out["p_over"] - 0.5) >= out["edge_under"].fillna(out["p_under"] - 0.5),
                       "OVER", "UNDER")  # fmt: skip
    out["lean"] = by_edge
    return _pick(out, rules)


def _market_view(rows: pd.DataFrame, o: pd.DataFrame) -> pd.DataFrame:
    """Per row: the reference line, the books at it, and their mean fair probabilities."""
    if o.empty:
        return pd.DataFrame(columns=[*KEYS, "market_line", "fair_over", "fair_under", "books", "priced_at"])
    o = o.merge(rows[[*KEYS, "line"]].rename(columns={"line": "mart_line"}), on=KEYS, how="left")
    o["at_mart"] = np.isclose(o["line"], o["mart_line"])
    counts = o.groupby([*KEYS, "line"], as_index=False).agg(n=("bookmaker", "size"), at_mart=("at_mart", "max"),
                                                             mart_line=("mart_line", "first"))  # fmt: skip
    counts["dist"] = (counts["line"] - counts["mart_line"]).abs().fillna(0)
    counts = counts.sort_values([*KEYS, "at_mart", "n", "dist", "line"], ascending=[True, True, True, False, False, True, True])
    ref = counts.drop_duplicates(KEYS)[[*KEYS, "line"]].rename(columns={"line": "market_line"})
    at_ref = o.merge(ref, on=KEYS)
    at_ref = at_ref[np.isclose(at_ref["line"], at_ref["market_line"])]
    view = at_ref.groupby(KEYS, as_index=False).agg(
        market_line=("market_line", "first"), fair_over=("fair_over", "mean"), fair_under=("fair_under", "mean"),
    )  # fmt: skip
    books = o.groupby(KEYS, as_index=False).agg(books=("bookmaker", "nunique"), priced_at=("snapshot_at", "max"))
    return view.merge(books, on=KEYS, how="outer")


def _best_offer(o: pd.DataFrame, side: str) -> pd.DataFrame:
    names = {"bookmaker": f"best_{side}_book", "line": f"best_{side}_line", f"{side}_odds": f"best_{side}_odds",
             f"ev_{side}": f"best_{side}_ev", f"edge_{side}": f"best_{side}_edge", f"p_{side}": f"best_{side}_prob",
             f"fair_{side}": f"best_{side}_fair", "p_push": f"best_{side}_push"}  # fmt: skip
    if o.empty:
        return pd.DataFrame(columns=[*KEYS, *names.values()])
    best = o.sort_values([*KEYS, f"ev_{side}", "bookmaker"], ascending=[True, True, True, False, True])
    return best.drop_duplicates(KEYS)[[*KEYS, *names]].rename(columns=names)


def _pick(out: pd.DataFrame, rules: PricingRules) -> pd.DataFrame:
    """OVER / UNDER / PASS with the taken price and stake, and why a row passed."""
    ok = {}
    for side in ("over", "under"):
        ok[side] = (out[f"best_{side}_edge"] >= rules.min_edge) & (out[f"best_{side}_ev"] >= rules.min_ev)
    over_better = out["best_over_ev"].fillna(-np.inf) >= out["best_under_ev"].fillna(-np.inf)
    pick = np.where(ok["over"] & (over_better | ~ok["under"]), "OVER", np.where(ok["under"], "UNDER", "PASS"))
    out["pick"] = pick
    for field in ("book", "line", "odds", "prob", "fair", "edge", "ev", "push"):
        out[f"pick_{field}"] = np.where(pick == "OVER", out[f"best_over_{field}"],
                                        np.where(pick == "UNDER", out[f"best_under_{field}"], None))  # fmt: skip
    for field in ("line", "odds", "prob", "fair", "edge", "ev", "push"):
        out[f"pick_{field}"] = pd.to_numeric(out[f"pick_{field}"], errors="coerce")
    dec = american_to_decimal(out["pick_odds"])
    out["stake"] = np.where(pick == "PASS", 0.0, kelly_stake(out["pick_prob"], out["pick_push"].fillna(0), dec, rules))
    best_edge = np.fmax(out["best_over_edge"].fillna(-np.inf), out["best_under_edge"].fillna(-np.inf))
    out["pass_reason"] = np.select(
        [pick != "PASS", out["books"].isna() | (out["books"] == 0), best_edge < rules.min_edge],
        [None, "no two-way price in the pricing snapshot", f"edge below {rules.min_edge:.3f}"],
        default=f"expected value below {rules.min_ev:.3f}",
    )
    return out.copy()  # defragment: many columns were added one by one
