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

import pandas as pd

from nbacore.output import plain
from nbacore.warehouse import Staged, Warehouse
from predict.availability import COLUMNS as AVAILABILITY

SCHEMA = "predictions"

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
    "game_date": "date",  # the date a score or grade run was for (NULL for train and backtest)
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


# Tables that grow with dates are partitioned by game_date on BigQuery (DuckDB ignores it).
def _partition(columns: dict[str, str]) -> str | None:
    return "game_date" if "game_date" in columns else None


def ensure_tables(wh: Warehouse) -> None:
    """Create the schema and tables if missing (columns as declared above); a table written by an older
    version gains the columns added since (NULL in its old rows), so its history stays readable."""
    for name, cols in TABLES.items():
        wh.ensure_table(f"{SCHEMA}.{name}", cols, partition_by=_partition(cols))


def staged_rows(table: str, frame: pd.DataFrame) -> Staged:
    """``frame``'s declared columns of ``table`` (missing ones NULL), typed for the warehouse."""
    cols = TABLES[table]
    shaped = pd.DataFrame({c: frame[c] if c in frame else None for c in cols}, index=frame.index)
    for c, t in cols.items():
        if t in ("double", "integer", "bigint"):
            shaped[c] = pd.to_numeric(shaped[c], errors="coerce")
        elif t == "varchar":
            shaped[c] = (
                shaped[c].astype("object").where(shaped[c].notna(), None).map(lambda v: None if v is None else str(v))
            )
    return Staged(shaped, cols)


def insert_from(table: str, staged: str) -> tuple[str, dict]:
    """The statement inserting a staged frame (``{staged}`` in a transaction) into ``predictions.<table>``."""
    cols = ", ".join(TABLES[table])
    return f"insert into {SCHEMA}.{table} ({cols}) select {cols} from {{{staged}}}", {}


def write_scores(
    wh: Warehouse,
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
    ensure_tables(wh)
    key_types = {"player_id": "int64", "game_id": "str", "market": "str"}
    keys = pd.concat([preds[list(key_types)], *([refused_keys[list(key_types)]] if refused_keys is not None else [])])
    keys = keys.dropna().drop_duplicates().astype(key_types)
    # Every key is a line of ``day``: its earlier versions are in that date's partition.
    earlier = wh.query(
        f"select player_id, game_id, market, max(prediction_version) as v, "
        f"sum(case when is_current then 1 else 0 end) as current_rows from {SCHEMA}.predictions "
        "where game_date = @day group by player_id, game_id, market",
        {"day": day},
    )
    earlier = earlier.astype({**key_types, "v": "int64", "current_rows": "int64"})
    superseded = int(keys.merge(earlier, on=list(key_types))["current_rows"].sum())
    rows = preds.astype(key_types).merge(earlier[[*key_types, "v"]], on=list(key_types), how="left").copy()
    rows = rows.assign(
        prediction_version=rows["v"].fillna(0).astype(int) + 1,
        run_id=run_id,
        scored_at=scored_at,
        is_current=True,
        superseded_at=None,
        superseded_by=None,
    )
    unscored = unscored.assign(run_id=run_id, scored_at=scored_at, game_date=day)
    staged = {
        "keys": Staged(keys, {"player_id": "int64", "game_id": "string", "market": "string"}),
        "predictions": staged_rows("predictions", rows),
        "unscored": staged_rows("unscored_lines", unscored),
    }
    statements = [
        (
            f"update {SCHEMA}.predictions as p set is_current = false, superseded_at = @at, superseded_by = @run "
            "where p.game_date = @day and p.is_current and exists (select 1 from {keys} as k "
            "where k.player_id = p.player_id and k.game_id = p.game_id and k.market = p.market)",
            {"at": scored_at, "run": run_id, "day": day},
        ),
        insert_from("predictions", "predictions"),
        insert_from("unscored_lines", "unscored"),
        log_statement(run_id, "score", scored_at, model_version, details, day),
    ]
    wh.transaction(statements, staged)
    return Written(len(rows), superseded, len(unscored))


def current_predictions(wh: Warehouse, day: date) -> pd.DataFrame:
    ensure_tables(wh)
    frame = wh.query(
        f"select * from {SCHEMA}.predictions where game_date = @day and is_current order by game_id, player_id, market",
        {"day": day},
    )
    frame["game_date"] = pd.to_datetime(frame["game_date"])
    return frame


def latest_score_run(wh: Warehouse, day: date) -> dict:
    """The details of the newest scoring run of ``day`` (gate decisions per market, rules, stake caps), or {}.
    Runs logged before ``game_date`` was a column are found through their details."""
    if not wh.table_exists(f"{SCHEMA}.runs"):
        return {}
    have_date = "game_date" in wh.columns(f"{SCHEMA}.runs")
    found = wh.rows(
        f"select details from {SCHEMA}.runs where kind = 'score'"
        + (" and (game_date = @day or game_date is null)" if have_date else "")
        + " order by started_at desc",
        {"day": day},
    )
    for (details,) in found:
        parsed = json.loads(details)
        if parsed.get("date") == str(day):
            return parsed
    return {}


def latest_backtest(wh: Warehouse) -> dict:
    """The details of the newest recorded backtest (its summary, combiners and gates), or {}."""
    found = (
        wh.rows(
            f"select details, started_at, run_id from {SCHEMA}.runs where kind = 'backtest' "
            "order by started_at desc limit 1"
        )
        if wh.table_exists(f"{SCHEMA}.runs")
        else None
    )
    return {**json.loads(found[0][0]), "recorded_at": str(found[0][1]), "run_id": found[0][2]} if found else {}


def replace_day(
    wh: Warehouse,
    day: date,
    results: pd.DataFrame,
    performance: pd.DataFrame,
    run_id: str,
    when: datetime,
    details: dict,
) -> None:
    """Grading output for one game date, replacing any earlier grading of that date, in one transaction."""
    ensure_tables(wh)
    staged = {
        "results": staged_rows("results", results.assign(graded_at=when)),
        "performance": staged_rows("daily_performance", performance.assign(computed_at=when)),
    }
    wh.transaction(
        [
            (f"delete from {SCHEMA}.results where game_date = @day", {"day": day}),
            (f"delete from {SCHEMA}.daily_performance where game_date = @day", {"day": day}),
            insert_from("results", "results"),
            insert_from("daily_performance", "performance"),
            log_statement(run_id, "grade", when, None, details, day),
        ],
        staged,
    )


def log_statement(
    run_id: str, kind: str, when: datetime, model_version: str | None, details: dict, day: date | None = None
) -> tuple[str, dict]:
    """The statement recording one run in ``predictions.runs`` (inside a step's transaction, or alone)."""
    return (
        f"insert into {SCHEMA}.runs (run_id, kind, started_at, model_version, details, game_date) "
        "values (@run_id, @kind, @started_at, @model_version, @details, @game_date)",
        {
            "run_id": run_id,
            "kind": kind,
            "started_at": when,
            "model_version": model_version,
            "details": json.dumps(plain(details)),
            "game_date": day,
        },
    )


def log_run(wh: Warehouse, run_id: str, kind: str, when: datetime, model_version: str | None, details: dict) -> None:
    ensure_tables(wh)
    sql, params = log_statement(run_id, kind, when, model_version, details)
    wh.execute(sql, params)
