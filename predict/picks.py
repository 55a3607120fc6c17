"""``nbaprops picks``: a date's current predictions as picks, read back from ``predictions.predictions`` (nothing
is rescored). A pick shows its taken price (book, line, American odds), the blended and the de-vigged market
probability of its side at that line, the edge and EV, the stake (share of the bankroll and amount) and the
player's injury status at scoring time. With ``include_pass`` the PASS lines come too, priced at the best offer
on the side the model leans to, with the reason they passed (the evidence gate, the thresholds, availability).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from nbacore.output import Column, Output, american, number, percent, text_table
from nbacore.warehouse import Warehouse

TABLE = "predictions.predictions"
COLUMNS = (
    "game_date",
    "game_id",
    "player_id",
    "player",
    "team",
    "opponent",
    "market",
    "side",
    "lean",
    "line",
    "book",
    "odds",
    "blend_prob",
    "market_prob",
    "edge",
    "ev",
    "stake",
    "stake_amount",
    "injury_status",
    "gate_open",
    "pass_reason",
    "model_version",
    "scored_at",
)
SHOWN = [
    Column("player", left=True),
    Column("team", left=True),
    Column("opponent", "opp", left=True),
    Column("market", left=True),
    Column("side", left=True),
    Column("line", show=number(1)),
    Column("book", left=True),
    Column("odds", show=american),
    Column("blend_prob", "P(blend)", show=percent),
    Column("market_prob", "P(market)", show=percent),
    Column("edge", show=percent),
    Column("stake", show=percent),
    Column("stake_amount", "amount", show=number(2)),
    Column("injury_status", "injury", left=True),
]


def read_picks(
    wh: Warehouse,
    day: date,
    markets: tuple[str, ...] = (),
    min_edge: float | None = None,
    include_pass: bool = False,
) -> Output:
    """The current predictions of ``day`` as picks (edge first), filtered by market and smallest edge."""
    scored = wh.table_exists(TABLE)
    frame = (
        wh.query(
            f"select * from {TABLE} where game_date = @day and is_current order by game_id, player_id, market",
            {"day": day},
        )
        if scored
        else pd.DataFrame()
    )
    rows = pick_rows(frame)
    if markets:
        rows = rows[rows["market"].isin(markets)]
    if min_edge is not None:
        rows = rows[rows["edge"] >= min_edge]
    bets = rows["side"].isin(["OVER", "UNDER"])
    counts = {"lines": int(len(frame)), "picks": int(bets.sum()), "pass": int((~bets).sum())}
    if not include_pass:
        rows = rows[bets]
    rows = rows.sort_values(["edge", "player", "market"], ascending=[False, True, True], na_position="last")
    rows = rows.reset_index(drop=True)
    fields = {
        "date": day,
        "filters": {"markets": list(markets), "min_edge": min_edge, "all": include_pass},
        "scored": bool(scored and len(frame)),
        "counts": counts,
        "staked": float(rows.loc[rows["side"].isin(["OVER", "UNDER"]), "stake"].fillna(0).sum()),
    }
    return Output("picks", fields, {"picks": rows}, _lines(day, fields, rows, include_pass))


def pick_rows(preds: pd.DataFrame) -> pd.DataFrame:
    """One row per prediction in the picks shape (``COLUMNS``): a pick at its taken price; a PASS at the best
    offer on the side the model leans to."""
    if preds.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    bet = preds["pick"].isin(["OVER", "UNDER"])
    over = preds["lean"] == "OVER"

    def priced(field: str) -> pd.Series:
        lean = np.where(over, preds[f"best_over_{field}"], preds[f"best_under_{field}"])
        return pd.Series(np.where(bet, preds[f"pick_{field}"], lean), index=preds.index)

    out = pd.DataFrame(
        {
            "game_date": pd.to_datetime(preds["game_date"]).dt.date,
            "game_id": preds["game_id"],
            "player_id": preds["player_id"],
            "player": preds["player_name"].fillna(preds["player_lookup"]),
            "team": preds["team"],
            "opponent": preds["opponent"],
            "market": preds["market"],
            "side": preds["pick"],
            "lean": preds["lean"],
            "line": pd.to_numeric(priced("line"), errors="coerce"),
            "book": priced("book"),
            "odds": pd.to_numeric(priced("odds"), errors="coerce"),
            "blend_prob": pd.to_numeric(priced("prob"), errors="coerce"),
            "market_prob": pd.to_numeric(priced("fair"), errors="coerce"),
            "edge": pd.to_numeric(priced("edge"), errors="coerce"),
            "ev": pd.to_numeric(priced("ev"), errors="coerce"),
            "stake": preds["stake"].where(bet, 0.0),
            "stake_amount": preds["stake_amount"].where(bet, 0.0),
            "injury_status": preds["injury_status"] if "injury_status" in preds else None,
            "gate_open": preds["gate_open"],
            "pass_reason": preds["pass_reason"].where(~bet, None),
            "model_version": preds["model_version"],
            "scored_at": preds["scored_at"],
        }
    )
    return out[list(COLUMNS)]


def _lines(day: date, fields: dict, rows: pd.DataFrame, include_pass: bool) -> list[str]:
    c = fields["counts"]
    if not fields["scored"]:
        return [f"no predictions for {day}; run `nbaprops score --date {day}` (or the morning `run`) first"]
    head = (
        f"picks for {day}: {c['picks']} pick(s), {c['pass']} PASS of {c['lines']} line(s) scored; "
        f"staked {fields['staked']:.1%} of the bankroll"
    )
    if rows.empty:
        return [head, "no line matches: no pick cleared the evidence gate and the thresholds (--all lists them)"]
    columns = [*SHOWN, Column("pass_reason", "pass reason", left=True)] if include_pass else SHOWN
    return [head, *text_table(rows, columns)]
