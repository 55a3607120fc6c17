"""Pricing: the market's view of every line, the market-anchored blend, edge, expected value, the pick and
its stake.

1. **The market's view.** Each book's two-way price is de-vigged with the market's chosen method
   (``predict.market_view``; chosen at training by log loss on earlier lines). Books often disagree on the
   line, so the reference line is the mart's consensus line when a book offers it, else the most common
   one; the market's fair P(over) is the mean of the books' fair P(over) at that line, and the market's
   implied mean is the mean of the market's distribution that reproduces it.
2. **The blend.** The model's calibrated P(over) at the reference line is combined with the market's by the
   market's combiner (``predict.combiner``). A market whose evidence gate is closed is priced at the market
   itself, so its lines carry no edge and pass with the gate's reason. The blended P(over) gives the blended
   mean (``pred_mean``) and median; each book's line is priced from that distribution.
3. **The pick.** edge = blended P(side) at a book's line - that book's fair P(side); EV per unit staked at the
   offered price = P(win) * (decimal - 1) - P(loss) (a push returns the stake); the best offer for a side is
   the one with the highest EV; the pick is the side whose best offer clears ``min_edge`` and ``min_ev``.
4. **The stake.** ``kelly_fraction`` of the Kelly fraction at that price, capped per bet, then per player and
   per night (``predict.staking``); ``stake_amount`` is in the bankroll's currency.

``lean`` is the side the model alone prefers against the market at the reference line, before any gate: the
leakage alarms watch it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
import pandas as pd

from predict.combiner import Combiner
from predict.config import PricingRules
from predict.distribution import Dispersion, SideProbabilities, median, side_probabilities
from predict.market_view import american_to_decimal, devig, implied_mean
from predict.staking import CapReport, cap_stakes

KEYS = ["player_id", "game_id", "market"]


class MarketPricing(Protocol):
    """What pricing needs of one market's model (``predict.model.MarketModel`` is one)."""

    dispersion: Dispersion
    devig: str
    combiner: Combiner

    def probabilities(self, mu: np.ndarray, line: np.ndarray) -> SideProbabilities: ...


def expected_value(p_win: np.ndarray, p_push: np.ndarray, decimal: np.ndarray) -> np.ndarray:
    """Expected profit per unit staked."""
    return p_win * (decimal - 1.0) - (1.0 - p_win - p_push)


def kelly_stake(p_win: np.ndarray, p_push: np.ndarray, decimal: np.ndarray, rules: PricingRules) -> np.ndarray:
    """Fractional Kelly share of bankroll, capped per bet; 0 when the bet has no edge at that price."""
    b = decimal - 1.0
    p_loss = 1.0 - p_win - p_push
    with np.errstate(divide="ignore", invalid="ignore"):
        full = (p_win * b - p_loss) / (b * (p_win + p_loss))
    return np.clip(np.nan_to_num(full * rules.kelly_fraction, nan=0.0), 0.0, rules.kelly_cap)


def two_way_offers(rows: pd.DataFrame, offers: pd.DataFrame, devig_of: Mapping[str, str]) -> pd.DataFrame:
    """Every two-way book offer for ``rows`` with each book's fair probabilities (the market's de-vig method)."""
    o = offers.dropna(subset=["over_odds", "under_odds", "line"]).merge(rows[KEYS], on=KEYS, how="inner")
    o["fair_over"], o["fair_under"] = np.nan, np.nan
    for market, idx in o.groupby("market").indices.items():
        fo, fu = devig(
            o["over_odds"].to_numpy()[idx], o["under_odds"].to_numpy()[idx], devig_of.get(str(market), "multiplicative")
        )
        o.iloc[idx, o.columns.get_loc("fair_over")], o.iloc[idx, o.columns.get_loc("fair_under")] = fo, fu
    return o


def market_view(rows: pd.DataFrame, o: pd.DataFrame) -> pd.DataFrame:
    """Per row: the reference line, the books at it, their mean fair probabilities, and when it was priced."""
    cols = [*KEYS, "market_line", "fair_over", "fair_under", "books", "priced_at"]
    if o.empty:
        return pd.DataFrame(columns=cols)
    o = o.merge(rows[[*KEYS, "line"]].rename(columns={"line": "mart_line"}), on=KEYS, how="left")
    o["at_mart"] = np.isclose(o["line"], o["mart_line"])
    counts = o.groupby([*KEYS, "line"], as_index=False).agg(
        n=("bookmaker", "size"), at_mart=("at_mart", "max"), mart_line=("mart_line", "first")
    )
    counts["dist"] = (counts["line"] - counts["mart_line"]).abs().fillna(0)
    counts = counts.sort_values(
        [*KEYS, "at_mart", "n", "dist", "line"], ascending=[True, True, True, False, False, True, True]
    )
    ref = counts.drop_duplicates(KEYS)[[*KEYS, "line"]].rename(columns={"line": "market_line"})
    at_ref = o.merge(ref, on=KEYS)
    at_ref = at_ref[np.isclose(at_ref["line"], at_ref["market_line"])]
    view = at_ref.groupby(KEYS, as_index=False).agg(
        market_line=("market_line", "first"),
        fair_over=("fair_over", "mean"),
        fair_under=("fair_under", "mean"),
    )
    books = o.groupby(KEYS, as_index=False).agg(books=("bookmaker", "nunique"), priced_at=("snapshot_at", "max"))
    return view.merge(books, on=KEYS, how="outer")[cols]


def gate_decision(combiner: Combiner, gate: str) -> str:
    """The gate line printed beside picks and stored with each prediction."""
    return combiner.summary() if gate == "strict" else f"{combiner.market}: gate off (research only): {combiner.reason}"


def model_view(out: pd.DataFrame, markets: Mapping[str, MarketPricing]) -> pd.DataFrame:
    """``out`` (with ``model_mean`` and ``market_line``) plus the model's calibrated P(over | no push) there."""
    out["model_p_over"] = np.nan
    for market, idx in out.groupby("market").indices.items():
        s = markets[str(market)].probabilities(
            out["model_mean"].to_numpy()[idx], out["market_line"].to_numpy(dtype="float64")[idx]
        )
        total = s.over + s.under
        out.iloc[idx, out.columns.get_loc("model_p_over")] = np.divide(
            s.over, total, out=np.full_like(total, 0.5), where=total > 0
        )
    return out


def price_rows(
    rows: pd.DataFrame, offers: pd.DataFrame, markets: Mapping[str, MarketPricing], rules: PricingRules
) -> tuple[pd.DataFrame, CapReport]:
    """``rows`` (keys, ``game_date``, ``line``, ``pred_mean`` = the model's mean) plus the market view, the blend,
    best price per side, pick and capped stake; and what the stake caps did."""
    out = rows.rename(columns={"pred_mean": "model_mean"}).copy()
    o = two_way_offers(out, offers, {m: mm.devig for m, mm in markets.items()})
    out = out.merge(market_view(out, o), on=KEYS, how="left")
    out["market_line"] = out["market_line"].fillna(out["line"]).astype("float64")
    out = model_view(out, markets)
    cols = ("blend_p_over", "market_mean", "pred_mean", "pred_median", "p_over", "p_under", "p_push")
    for c in cols:
        out[c] = np.nan
    out["gate_open"] = False
    out["gate_reason"] = None
    for market, idx in out.groupby("market").indices.items():
        mm = markets[str(market)]
        line = out["market_line"].to_numpy(dtype="float64")[idx]
        fair = out["fair_over"].to_numpy(dtype="float64")[idx]
        blend = mm.combiner.blend(fair, out["model_p_over"].to_numpy()[idx], rules.gate)
        mean = implied_mean(blend, line, mm.dispersion)
        s = side_probabilities(mean, line, mm.dispersion)
        values = (
            blend,
            implied_mean(fair, line, mm.dispersion),
            mean,
            median(mean, mm.dispersion),
            s.over,
            s.under,
            s.push,
        )
        for c, v in zip(cols, values):
            out.iloc[idx, out.columns.get_loc(c)] = np.where(np.isfinite(blend), v, np.nan)
        out.iloc[idx, out.columns.get_loc("gate_open")] = mm.combiner.picks_allowed(rules.gate)
        out.iloc[idx, out.columns.get_loc("gate_reason")] = gate_decision(mm.combiner, rules.gate)
    model_edge = out["model_p_over"] - out["fair_over"]
    out["lean"] = np.where(model_edge.fillna(out["model_p_over"] - 0.5) >= 0, "OVER", "UNDER")
    out["edge_over"] = out["p_over"] - out["fair_over"] * (1 - out["p_push"])
    out["edge_under"] = out["p_under"] - out["fair_under"] * (1 - out["p_push"])
    priced = _price_offers(o, out, markets)
    for side in ("over", "under"):
        out = out.merge(_best_offer(priced, side), on=KEYS, how="left")
    return _pick(out, rules)


def _price_offers(o: pd.DataFrame, out: pd.DataFrame, markets: Mapping[str, MarketPricing]) -> pd.DataFrame:
    """Each book offer priced from the blended distribution at that book's own line."""
    o = o.merge(out[[*KEYS, "pred_mean"]], on=KEYS, how="inner")
    o = o[o["pred_mean"].notna()].reset_index(drop=True)
    p = np.zeros((3, len(o)))
    for market, idx in o.groupby("market").indices.items():
        s = side_probabilities(
            o["pred_mean"].to_numpy()[idx], o["line"].to_numpy(dtype="float64")[idx], markets[str(market)].dispersion
        )
        p[:, idx] = s.over, s.under, s.push
    o["p_over"], o["p_under"], o["p_push"] = p
    for side in ("over", "under"):
        dec = american_to_decimal(o[f"{side}_odds"])
        o[f"edge_{side}"] = o[f"p_{side}"] - o[f"fair_{side}"] * (1 - o["p_push"])
        o[f"ev_{side}"] = expected_value(o[f"p_{side}"], o["p_push"], dec)
    return o


def _best_offer(o: pd.DataFrame, side: str) -> pd.DataFrame:
    names = {
        "bookmaker": f"best_{side}_book",
        "line": f"best_{side}_line",
        f"{side}_odds": f"best_{side}_odds",
        f"ev_{side}": f"best_{side}_ev",
        f"edge_{side}": f"best_{side}_edge",
        f"p_{side}": f"best_{side}_prob",
        f"fair_{side}": f"best_{side}_fair",
        "p_push": f"best_{side}_push",
    }
    if o.empty:
        return pd.DataFrame(columns=[*KEYS, *names.values()])
    best = o.sort_values([*KEYS, f"ev_{side}", "bookmaker"], ascending=[True, True, True, False, True])
    return best.drop_duplicates(KEYS)[[*KEYS, *names]].rename(columns=names)


def _pick(out: pd.DataFrame, rules: PricingRules) -> tuple[pd.DataFrame, CapReport]:
    """OVER / UNDER / PASS with the taken price and stake, and why a row passed."""
    ok = {}
    # a line whose player the injury report lists Out or Doubtful at scoring time (predict/availability.py)
    unavailable = out["availability_pass"].notna() if "availability_pass" in out else pd.Series(False, index=out.index)
    for side in ("over", "under"):
        ok[side] = (
            ~unavailable
            & out["gate_open"].astype(bool)
            & (out[f"best_{side}_edge"] >= rules.min_edge)
            & (out[f"best_{side}_ev"] >= rules.min_ev)
        )
    over_better = out["best_over_ev"].fillna(-np.inf) >= out["best_under_ev"].fillna(-np.inf)
    pick = np.where(ok["over"] & (over_better | ~ok["under"]), "OVER", np.where(ok["under"], "UNDER", "PASS"))
    out["pick"] = pick
    for field in ("book", "line", "odds", "prob", "fair", "edge", "ev", "push"):
        out[f"pick_{field}"] = np.where(
            pick == "OVER", out[f"best_over_{field}"], np.where(pick == "UNDER", out[f"best_under_{field}"], None)
        )
    for field in ("line", "odds", "prob", "fair", "edge", "ev", "push"):
        out[f"pick_{field}"] = pd.to_numeric(out[f"pick_{field}"], errors="coerce")
    dec = american_to_decimal(out["pick_odds"])
    out["kelly_stake"] = np.where(
        pick == "PASS", 0.0, kelly_stake(out["pick_prob"], out["pick_push"].fillna(0), dec, rules)
    )
    if "game_date" not in out:
        raise ValueError("price_rows: rows need game_date (the nightly stake cap is per game date)")
    out["stake"], report = cap_stakes(out.assign(stake=out["kelly_stake"]), rules.player_cap, rules.nightly_cap)
    out["stake_amount"] = out["stake"] * rules.bankroll
    best_edge = np.fmax(out["best_over_edge"].fillna(-np.inf), out["best_under_edge"].fillna(-np.inf))
    out["pass_reason"] = np.select(
        [
            pick != "PASS",
            unavailable,
            out["books"].isna() | (out["books"] == 0),
            ~out["gate_open"].astype(bool),
            best_edge < rules.min_edge,
        ],
        [
            None,
            out["availability_pass"] if "availability_pass" in out else None,
            "no two-way price in the pricing snapshot",
            out["gate_reason"],
            f"edge below {rules.min_edge:.3f}",
        ],
        default=f"expected value below {rules.min_ev:.3f}",
    )
    return out.copy(), report  # defragment: many columns were added one by one
