"""A small warehouse with scored and graded predictions for the read-only commands (picks, results) and the
``--format`` tests: two graded days and tonight, written through predict/tables.py as scoring and grading do."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

TONIGHT = date(2025, 11, 7)
GRADED_DAYS = (date(2025, 11, 5), date(2025, 11, 6))
MARKETS = ("points", "rebounds", "assists")


def prediction_rows(day: date, n: int, first: int = 0) -> pd.DataFrame:
    """``n`` predictions on ``day``: every third a PASS (closed gate or low edge), odds of both signs."""
    rows = []
    for k in range(first, first + n):
        pick = "PASS" if k % 3 == 2 else ("OVER" if k % 2 else "UNDER")
        bet = pick != "PASS"
        odds = (-110.0, 101.0, -125.0, 150.0)[k % 4]
        side = "over" if pick == "OVER" or (not bet and k % 2) else "under"
        row = {
            "game_date": day,
            "game_id": f"g{day:%m%d}{k % 2}",
            "player_id": 1000 + k,
            "player_lookup": f"player{k:02d}",
            "player_name": f"Player {k:02d}",
            "team": ("BOS", "NYK")[k % 2],
            "opponent": ("NYK", "BOS")[k % 2],
            "market": MARKETS[k % 3],
            "line": 20.5,
            "market_line": 20.5,
            "lean": side.upper(),
            "pick": pick,
            "gate_open": k % 6 != 2,
            "gate_reason": "points: OPEN" if k % 6 != 2 else "closed — no evidence beyond the line",
            "pass_reason": None if bet else ("edge below 0.040" if k % 6 != 2 else "closed — no evidence"),
            "stake": 0.01 + 0.001 * k if bet else 0.0,
            "stake_amount": (10 + k) if bet else 0.0,
            "injury_status": ("Questionable", "Not Listed", None)[k % 3],
            "model_version": "m1",
        }
        for s in ("over", "under"):
            row.update(
                {
                    f"best_{s}_book": ("fanduel", "draftkings")[k % 2],
                    f"best_{s}_line": 20.5,
                    f"best_{s}_odds": odds,
                    f"best_{s}_prob": 0.55,
                    f"best_{s}_fair": 0.50,
                    f"best_{s}_edge": 0.01 * (k % 9),
                    f"best_{s}_ev": 0.02,
                }
            )
        for f in ("book", "line", "odds", "prob", "fair", "edge", "ev"):
            row[f"pick_{f}"] = row[f"best_{side}_{f}"] if bet else None
        rows.append(row)
    return pd.DataFrame(rows)


def graded_rows(preds: pd.DataFrame) -> pd.DataFrame:
    """Result rows as grading writes them: win, loss, push and void in turn over the picks."""
    r = preds.copy()
    r["game_date"] = pd.to_datetime(r["game_date"]).dt.date
    bet = r["pick"].isin(["OVER", "UNDER"])
    outcome = [("win", "loss", "push", "win", "void")[i % 5] if b else None for i, b in enumerate(bet)]
    r["pick_result"] = outcome
    r["did_play"] = [o != "void" for o in outcome]
    r["actual"] = [None if o == "void" else 20.5 if o == "push" else 25.0 for o in outcome]
    dec = r["pick_odds"].map(lambda o: None if pd.isna(o) else (o / 100 if o > 0 else 100 / -o))
    r["pick_profit"] = [
        (d if o == "win" else -1.0 if o == "loss" else 0.0) if o else None for o, d in zip(outcome, dec)
    ]
    r["stake_profit"] = r["pick_profit"] * r["stake"]
    r["clv"] = [0.02 if o in ("win", "loss") else None for o in outcome]
    r["void_reason"] = ["late scratch" if o == "void" else None for o in outcome]
    return r


def write_reads_warehouse(wh) -> dict:
    """Tonight scored (twice: only the second version is current) and two graded days; returns the frames."""
    from predict.tables import current_predictions, replace_day, write_scores

    empty = pd.DataFrame(columns=["game_id", "player_lookup", "market", "line", "reason"])
    at = datetime(2025, 11, 7, 12, 0)
    graded = []
    for i, day in enumerate(GRADED_DAYS):
        write_scores(
            wh, f"score-{day}", at + timedelta(minutes=i), day, prediction_rows(day, 12, 12 * i), empty, "m1", {}
        )
        res = graded_rows(current_predictions(wh, day))
        replace_day(wh, day, res, pd.DataFrame(), f"grade-{day}", at, {"date": str(day)})
        graded.append(res)
    write_scores(wh, "score-old", at, TONIGHT, prediction_rows(TONIGHT, 12, 40).assign(pick="OVER"), empty, "m1", {})
    tonight = prediction_rows(TONIGHT, 12, 40)
    write_scores(wh, "score-new", at + timedelta(hours=1), TONIGHT, tonight, empty, "m1", {})
    return {"tonight": tonight, "graded": pd.concat(graded, ignore_index=True)}
