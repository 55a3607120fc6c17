"""``nbaprops results``: the graded picks of a date range (``predictions.results``) and the track record per
market and overall. Hit rate and ROI are ``predict.grade.bet_summary``'s (the one definition), the hit rate's
interval is the Wilson interval of ``predict.evaluation``; ``stake_profit`` is the profit at the recommended
stakes as a share of the bankroll (``profit_amount`` in currency), CLV the mean closing-line value of the picks
that have one.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from nbacore.output import Column, Output, american, number, percent, signed_percent, text_table
from predict.evaluation import wilson
from predict.grade import bet_summary

TABLE = "predictions.results"
GRADED = ("win", "loss", "push")
PICK_COLUMNS = (
    "game_date",
    "game_id",
    "player_id",
    "player",
    "market",
    "side",
    "line",
    "odds",
    "stake",
    "stake_amount",
    "actual",
    "result",
    "profit",
    "stake_profit",
    "profit_amount",
    "clv",
    "injury_status",
    "void_reason",
    "model_version",
)
RECORD_COLUMNS = (
    "market",
    "n",
    "wins",
    "losses",
    "pushes",
    "voids",
    "hit_rate",
    "hit_low",
    "hit_high",
    "roi",
    "staked",
    "stake_profit",
    "profit_amount",
    "clv_n",
    "clv",
)
RECORD_SHOWN = [
    Column("market", left=True),
    Column("n", "N"),
    Column("wins", "W"),
    Column("losses", "L"),
    Column("pushes", "P"),
    Column("voids", "void"),
    Column("hit_rate", "hit", show=percent),
    Column("hit_low", "low", show=percent),
    Column("hit_high", "high", show=percent),
    Column("roi", "ROI", show=signed_percent),
    Column("staked", show=percent),
    Column("stake_profit", "profit", show=signed_percent),
    Column("profit_amount", "amount", show=number(2)),
    Column("clv", "CLV", show=number(3)),
]
PICKS_SHOWN = [
    Column("game_date", "date", left=True),
    Column("player", left=True),
    Column("market", left=True),
    Column("side", left=True),
    Column("line", show=number(1)),
    Column("odds", show=american),
    Column("stake", show=percent),
    Column("actual", show=number(0)),
    Column("result", left=True),
    Column("stake_profit", "profit", show=signed_percent),
    Column("clv", "CLV", show=number(3)),
]


def read_results(
    wh, since: date | None = None, until: date | None = None, markets: tuple[str, ...] = (), show_picks: bool = True
) -> Output:
    """The graded picks between ``since`` and ``until`` (inclusive; None = no bound) and their track record."""
    where, params = ["pick in ('OVER', 'UNDER')"], {}
    if since is not None:
        where.append("game_date >= @since")
        params["since"] = since
    if until is not None:
        where.append("game_date <= @until")
        params["until"] = until
    graded = (
        wh.query(
            f"select * from {TABLE} where {' and '.join(where)} order by game_date, game_id, player_id, market", params
        )
        if wh.table_exists(TABLE)
        else pd.DataFrame()
    )
    picks = graded_picks(graded)
    if markets:
        picks = picks[picks["market"].isin(markets)].reset_index(drop=True)
    record = track_record(picks)
    days = sorted(set(picks["game_date"])) if len(picks) else []
    fields = {
        "since": since,
        "until": until,
        "markets": list(markets),
        "first_date": days[0] if days else None,
        "last_date": days[-1] if days else None,
        "days": len(days),
    }
    lines = _lines(fields, record, picks, show_picks)
    return Output("results", fields, {"record": record, "picks": picks}, lines, csv_table="record")


def graded_picks(results: pd.DataFrame) -> pd.DataFrame:
    """The picks of ``predictions.results`` rows in the results shape (``PICK_COLUMNS``)."""
    if results.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PICK_COLUMNS})
    r = results
    out = pd.DataFrame(
        {
            "game_date": pd.to_datetime(r["game_date"]).dt.date,
            "game_id": r["game_id"],
            "player_id": r["player_id"],
            "player": r["player_name"],
            "market": r["market"],
            "side": r["pick"],
            "line": r["pick_line"],
            "odds": r["pick_odds"],
            "stake": r["stake"],
            "stake_amount": r["stake_amount"],
            "actual": r["actual"],
            "result": r["pick_result"],
            "profit": r["pick_profit"],
            "stake_profit": r["stake_profit"],
            "profit_amount": r["pick_profit"] * r["stake_amount"],
            "clv": r["clv"],
            "injury_status": r["injury_status"],
            "void_reason": r["void_reason"],
            "model_version": r["model_version"],
        }
    )
    return out[list(PICK_COLUMNS)]


def track_record(picks: pd.DataFrame) -> pd.DataFrame:
    """Per market (in the order first seen, sorted) and ``all``: the graded picks' record (``RECORD_COLUMNS``)."""
    rows = []
    markets = sorted(set(picks["market"].dropna())) if len(picks) else []
    for market in [*markets, "all"]:
        p = picks if market == "all" else picks[picks["market"] == market]
        s = bet_summary(p["result"], pd.to_numeric(p["profit"]))
        hit = wilson(s["wins"], s["wins"] + s["losses"])
        graded = p["result"].isin(GRADED)
        clv = pd.to_numeric(p["clv"], errors="coerce").dropna()
        rows.append(
            {
                "market": market,
                "n": s["bets"],
                "wins": s["wins"],
                "losses": s["losses"],
                "pushes": s["pushes"],
                "voids": int((p["result"] == "void").sum()),
                "hit_rate": hit.estimate,
                "hit_low": hit.low,
                "hit_high": hit.high,
                "roi": s["roi"],
                "staked": float(pd.to_numeric(p.loc[graded, "stake"]).sum()),
                "stake_profit": float(pd.to_numeric(p.loc[graded, "stake_profit"]).sum()),
                "profit_amount": float(pd.to_numeric(p.loc[graded, "profit_amount"]).sum()),
                "clv_n": int(len(clv)),
                "clv": float(clv.mean()) if len(clv) else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=list(RECORD_COLUMNS))


def _lines(fields: dict, record: pd.DataFrame, picks: pd.DataFrame, show_picks: bool) -> list[str]:
    span = f"{fields['since'] or 'the first graded date'} .. {fields['until'] or 'the last'}"
    if picks.empty:
        return [f"no graded picks in {span}; `nbaprops grade --date D` grades a scored date after its games"]
    out = [
        f"track record {fields['first_date']} .. {fields['last_date']} ({fields['days']} graded day(s)): hit rate "
        "over wins and losses with its Wilson 95% interval, ROI per unit staked (a push returns its stake), "
        "profit at the recommended stakes as a share of the bankroll, CLV the mean closing-line value",
        *text_table(record, RECORD_SHOWN),
    ]
    if show_picks:
        out += ["", "graded picks:", *text_table(picks, PICKS_SHOWN, indent="  ")]
    return out
