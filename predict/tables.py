"""The ``predictions`` schema: what phase 5 writes, with fixed column types, written in batches.

- ``predictions.predictions``: one row per (player, game, market, prediction_version). A new scoring run
  adds a version; earlier rows of the same key only get ``is_current = false``, ``superseded_at`` and
  ``superseded_by`` set, so nothing scored is ever overwritten.
- ``predictions.unscored_lines``: every line a run could not score, with the reason.
- ``predictions.results``: graded current predictions (win / loss / push / void), replaced per game date.
- ``predictions.daily_performance``: per game date, market and system, replaced per game date.
- ``predictions.runs``: one row per train / score / grade / backtest run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd

from nbacore.warehouse import table_exists
from predict.availability import COLUMNS as AVAILABILITY

SCHEMA = "predictions"
BATCH_ROWS = 5000

_PRICE = {
    f"best_{s}_{f}": t
    for s in ("over", "under")
    for f, t in (
        ("book", "varchar"),
        ("line", "double"),
        ("odds", "double"),
        ("ev", "double"),
        ("edge", "double"),
        ("prob", "double"),
        ("fair", "double"),
    )
}
PREDICTIONS = {
    "run_id": "varchar",
    "model_version": "varchar",
    "prediction_version": "integer",
    "is_current": "boolean",
    "superseded_at": "timestamp",
    "superseded_by": "varchar",
    "scored_at": "timestamp",
    "game_date": "date",
    "game_id": "varchar",
    "player_id": "bigint",
    "player_lookup": "varchar",
    "player_name": "varchar",
    "team": "varchar",
    "opponent": "varchar",
    "market": "varchar",
    "line": "double",
    "opening_line": "double",
    "market_line": "double",
    "books": "integer",
    "priced_at": "timestamp",
    "model_mean": "double",
    "model_p_over": "double",
    "market_mean": "double",
    "blend_p_over": "double",
    "pred_mean": "double",
    "pred_median": "double",
    "p_over": "double",
    "p_under": "double",
    "p_push": "double",
    "fair_over": "double",
    "fair_under": "double",
    "edge_over": "double",
    "edge_under": "double",
    "lean": "varchar",
    **_PRICE,
    "pick": "varchar",
    "pick_book": "varchar",
    "pick_line": "double",
    "pick_odds": "double",
    "pick_prob": "double",
    "pick_fair": "double",
    "pick_edge": "double",
    "pick_ev": "double",
    "pick_push": "double",
    "kelly_stake": "double",
    "stake": "double",
    "stake_amount": "double",
    "gate_open": "boolean",
    "gate_reason": "varchar",
    "pass_reason": "varchar",
    "ma_pred": "double",
    "prior_games": "integer",
    "quality_score": "double",
    "feature_version": "varchar",
    **AVAILABILITY,  # the injury report as of scoring time (predict/availability.py)
}
UNSCORED = {
    "run_id": "varchar",
    "scored_at": "timestamp",
    "game_date": "date",
    "game_id": "varchar",
    "player_lookup": "varchar",
    "player_name": "varchar",
    "market": "varchar",
    "line": "double",
    "reason": "varchar",
}
RESULTS = {
    "graded_at": "timestamp",
    "run_id": "varchar",
    "model_version": "varchar",
    "prediction_version": "integer",
    "game_date": "date",
    "game_id": "varchar",
    "player_id": "bigint",
    "player_name": "varchar",
    "market": "varchar",
    "line": "double",
    "market_line": "double",
    "pred_mean": "double",
    "pred_median": "double",
    "model_mean": "double",
    "ma_pred": "double",
    "actual": "double",
    "fair_over": "double",
    "model_p_over": "double",
    "blend_p_over": "double",
    "did_play": "boolean",
    "lean": "varchar",
    "lean_result": "varchar",
    "pick": "varchar",
    "pick_line": "double",
    "pick_odds": "double",
    "stake": "double",
    "pick_result": "varchar",
    "pick_profit": "double",
    "stake_profit": "double",
    "stake_amount": "double",
    "model_abs_error": "double",
    "median_abs_error": "double",
    "raw_model_abs_error": "double",
    "line_abs_error": "double",
    "ma_abs_error": "double",
    "over_outcome": "double",
    "brier_model": "double",
    "brier_raw_model": "double",
    "brier_market": "double",
    "logloss_model": "double",
    "logloss_raw_model": "double",
    "logloss_market": "double",
    "ma_side": "varchar",
    "ma_result": "varchar",
    "ma_profit": "double",
    "clv": "double",
    "clv_line": "double",
    "injury_status": "varchar",  # at scoring time
    "void_reason": "varchar",  # listed out at scoring time, late scratch, unknown (predict/availability.py)
}
PERFORMANCE = {
    "computed_at": "timestamp",
    "game_date": "date",
    "market": "varchar",
    "system": "varchar",
    "n": "integer",
    "mae": "double",
    "brier": "double",
    "logloss": "double",
    "brier_n": "integer",
    "bets": "integer",
    "wins": "integer",
    "losses": "integer",
    "pushes": "integer",
    "hit_rate": "double",
    "roi": "double",
    "staked": "double",
    "stake_profit": "double",
    "clv_n": "integer",
    "clv": "double",
    "clv_line": "double",
}
RUNS = {
    "run_id": "varchar",
    "kind": "varchar",
    "started_at": "timestamp",
    "model_version": "varchar",
    "details": "varchar",
}
TABLES = {
    "predictions": PREDICTIONS,
    "unscored_lines": UNSCORED,
    "results": RESULTS,
    "daily_performance": PERFORMANCE,
    "runs": RUNS,
}


@dataclass(frozen=True)
class Written:
    predictions: int
    superseded: int
    unscored: int


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schema and tables if missing (columns as declared above); a table written by an older
    version gains the columns added since (NULL in its old rows), so its history stays readable."""
    con.execute(f"create schema if not exists {SCHEMA}")
    for name, cols in TABLES.items():
        body = ", ".join(f"{c} {t}" for c, t in cols.items())
        con.execute(f"create table if not exists {SCHEMA}.{name} ({body})")
        have = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [SCHEMA, name],
            ).fetchall()
        }
        for c, t in cols.items():
            if c not in have:
                con.execute(f"alter table {SCHEMA}.{name} add column {c} {t}")


def insert_batches(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Insert ``frame``'s declared columns (missing ones NULL) in batches of ``BATCH_ROWS``."""
    cols = TABLES[table]
    shaped = pd.DataFrame({c: frame[c] if c in frame else None for c in cols}, index=frame.index)
    for c, t in cols.items():
        if t in ("double", "integer", "bigint"):
            shaped[c] = pd.to_numeric(shaped[c], errors="coerce")
        elif t == "varchar":
            shaped[c] = (
                shaped[c].astype("object").where(shaped[c].notna(), None).map(lambda v: None if v is None else str(v))
            )
    select = ", ".join(f"cast({c} as {t}) as {c}" for c, t in cols.items())
    for start in range(0, len(shaped), BATCH_ROWS):
        con.register("_batch", shaped.iloc[start : start + BATCH_ROWS])
        con.execute(f"insert into {SCHEMA}.{table} select {select} from _batch")
        con.unregister("_batch")
    return len(shaped)


def write_scores(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    scored_at: datetime,
    day: date,
    preds: pd.DataFrame,
    unscored: pd.DataFrame,
    model_version: str,
    details: dict,
    refused_keys: pd.DataFrame | None = None,
) -> Written:
    """In one transaction: supersede the current rows of every key this run scored or refused, insert the new
    versions, record the unscored lines and log the run."""
    ensure_tables(con)
    key_types = {"player_id": "int64", "game_id": "str", "market": "str"}
    keys = pd.concat([preds[list(key_types)], *([refused_keys[list(key_types)]] if refused_keys is not None else [])])
    keys = keys.dropna().drop_duplicates().astype(key_types)
    con.execute("begin transaction")
    try:
        con.register("_keys", keys)
        versions = con.execute(
            f"select k.player_id, k.game_id, k.market, coalesce(max(p.prediction_version), 0) as v "
            f"from _keys k left join {SCHEMA}.predictions p using (player_id, game_id, market) group by all"
        ).df()
        superseded = con.execute(
            f"update {SCHEMA}.predictions p set is_current = false, superseded_at = ?, superseded_by = ? "
            f"from _keys k where p.player_id = k.player_id and p.game_id = k.game_id and p.market = k.market "
            f"and p.is_current",
            [scored_at, run_id],
        ).fetchone()[0]
        con.unregister("_keys")
        rows = preds.astype(key_types).merge(versions.astype(key_types), on=list(key_types), how="left").copy()
        rows = rows.assign(
            prediction_version=rows["v"].fillna(0).astype(int) + 1,
            run_id=run_id,
            scored_at=scored_at,
            is_current=True,
            superseded_at=None,
            superseded_by=None,
        )
        n = insert_batches(con, "predictions", rows)
        u = insert_batches(con, "unscored_lines", unscored.assign(run_id=run_id, scored_at=scored_at, game_date=day))
        log_run(con, run_id, "score", scored_at, model_version, details)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return Written(n, int(superseded or 0), u)


def current_predictions(con: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    ensure_tables(con)
    frame = con.execute(f"select * from {SCHEMA}.predictions where game_date = ? and is_current", [day]).df()
    frame["game_date"] = pd.to_datetime(frame["game_date"])
    return frame


def latest_score_run(con: duckdb.DuckDBPyConnection, day: date) -> dict:
    """The details of the newest scoring run of ``day`` (gate decisions per market, rules, stake caps), or {}."""
    found = (
        con.execute(
            f"select details from {SCHEMA}.runs where kind = 'score' and json_extract_string(details, '$.date') = ? "
            "order by started_at desc limit 1",
            [str(day)],
        ).fetchone()
        if table_exists(con, f"{SCHEMA}.runs")
        else None
    )
    return json.loads(found[0]) if found else {}


def latest_backtest(con: duckdb.DuckDBPyConnection) -> dict:
    """The details of the newest recorded backtest (its summary, combiners and gates), or {}."""
    found = (
        con.execute(
            f"select details, started_at from {SCHEMA}.runs where kind = 'backtest' order by started_at desc limit 1"
        ).fetchone()
        if table_exists(con, f"{SCHEMA}.runs")
        else None
    )
    return {**json.loads(found[0]), "recorded_at": str(found[1])} if found else {}


def replace_day(
    con: duckdb.DuckDBPyConnection,
    day: date,
    results: pd.DataFrame,
    performance: pd.DataFrame,
    run_id: str,
    when: datetime,
    details: dict,
) -> None:
    """Grading output for one game date, replacing any earlier grading of that date, in one transaction."""
    ensure_tables(con)
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {SCHEMA}.results where game_date = ?", [day])
        con.execute(f"delete from {SCHEMA}.daily_performance where game_date = ?", [day])
        insert_batches(con, "results", results.assign(graded_at=when))
        insert_batches(con, "daily_performance", performance.assign(computed_at=when))
        log_run(con, run_id, "grade", when, None, details)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def log_run(
    con: duckdb.DuckDBPyConnection, run_id: str, kind: str, when: datetime, model_version: str | None, details: dict
) -> None:
    con.execute(
        f"insert into {SCHEMA}.runs values (?, ?, ?, ?, ?)",
        [run_id, kind, when, model_version, json.dumps(plain(details))],
    )


def plain(v):
    """``v`` with numpy scalars as Python ones, NaN as None and anything else unknown as text (strict JSON)."""
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else float(v)
    return v if v is None or isinstance(v, str) else str(v)
