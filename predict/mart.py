"""The input contract: ``precompute.feature_mart`` and the canonical feature order, read into pandas.

Phase 5 reads features only from the mart and the order only from ``reference.feature_definitions``,
so training and scoring see the same columns in the same order by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from nbacore.markets import sql_list
from nbacore.warehouse import Warehouse

MART_TABLE = "precompute.feature_mart"
FEATURE_TABLE = "reference.feature_definitions"
CONTRACT_COLUMNS = (
    "player_id",
    "player_lookup",
    "player_name",
    "game_id",
    "game_date",
    "season",
    "season_type",
    "market",
    "team",
    "opponent",
    "is_home",
    "row_kind",
    "line",
    "opening_line",
    "line_movement",
    "has_line",
    "line_books",
    "actual",
    "did_play",
    "quality_score",
    "feature_version",
)
KEYS = ("player_id", "game_id", "market")
ORDER = ("game_date", "game_id", "player_id", "market")
REQUIRED_FOR_SCORING = ("player_id", "game_id", "game_date", "market", "line", "feature_version")
# A mean needs some history of the market's own stat: when every one of these is NULL (no earlier game with
# the stat, or a source that lacks it, like threes in the slim 2025-26 logs) the row is refused, not guessed.
REQUIRED_HISTORY = ("f_stat_avg_l5", "f_stat_avg_l10", "f_stat_avg_season")


class MartContractError(ValueError):
    """The mart (or a frame standing in for it) is not the shape phase 5 was written against."""


@dataclass(frozen=True)
class MartData:
    """Mart rows plus the feature columns in canonical order."""

    frame: pd.DataFrame
    features: list[str]

    @property
    def feature_versions(self) -> list[str]:
        return sorted(self.frame["feature_version"].dropna().astype(str).unique().tolist())


def feature_column(name: str) -> str:
    """The mart column of a feature named in the seed (``points_avg_l5`` or ``f_points_avg_l5``)."""
    return name if name.startswith("f_") else f"f_{name}"


def read_feature_order(wh: Warehouse) -> list[str]:
    """Feature columns in the seed's ``position`` order."""
    if not wh.table_exists(FEATURE_TABLE):
        raise MartContractError(
            f"{FEATURE_TABLE} is missing from the warehouse; build the seed and the mart with `nbaprops build`"
        )
    names = wh.rows(f"select feature_name from {FEATURE_TABLE} order by position, feature_name")
    return [feature_column(str(n)) for (n,) in names]


def check_contract(columns: list[str] | pd.Index, features: list[str], where: str = MART_TABLE) -> None:
    """Fail naming every contract or feature column ``where`` lacks (the fix: rebuild the mart)."""
    have = set(columns)
    missing = [c for c in CONTRACT_COLUMNS if c not in have]
    missing += [c for f in features for c in (f, f"{f}_missing") if c not in have]
    if missing:
        raise MartContractError(
            f"{where} lacks column(s) {', '.join(missing)}; rebuild it with `nbaprops build` "
            f"or update {FEATURE_TABLE} to match"
        )
    if not features:
        raise MartContractError(f"{FEATURE_TABLE} lists no features; seed seeds/feature_definitions.csv")


def read_mart(
    wh: Warehouse,
    start: date | None = None,
    end: date | None = None,
    seasons: list[str] | None = None,
) -> MartData:
    """Mart rows with ``start <= game_date <= end`` (either open), optionally only ``seasons``."""
    if not wh.table_exists(MART_TABLE):
        raise MartContractError(f"{MART_TABLE} is missing from the warehouse; run `nbaprops build` first")
    features = read_feature_order(wh)
    check_contract(wh.columns(MART_TABLE), features)
    # The ``<feature>_missing`` flags are checked above but not read: a NULL feature is already NaN to XGBoost,
    # and the flags were a third of the columns read.
    wanted = [*CONTRACT_COLUMNS, *features]
    where = [f"market in ({sql_list()})"]
    if start is not None:
        where.append("game_date >= @start")
    if end is not None:
        where.append("game_date <= @end")
    if seasons:
        where.append(f"season in ({sql_list(tuple(seasons))})")
    # Ordered, so training sees the same rows in the same order on every engine (and every run).
    sql = f"select {', '.join(wanted)} from {MART_TABLE} where {' and '.join(where)} order by {', '.join(ORDER)}"
    return MartData(normalise_frame(wh.query(sql, {"start": start, "end": end}), features), features)


def read_history(wh: Warehouse, before: date, seasons: list[str] | None = None) -> pd.DataFrame:
    """The columns the baselines read (``predict.baselines.played_history``) for rows before ``before``."""
    if not wh.table_exists(MART_TABLE):
        raise MartContractError(f"{MART_TABLE} is missing from the warehouse; run `nbaprops build` first")
    where = [f"market in ({sql_list()})", "game_date < @before"]
    if seasons:
        where.append(f"season in ({sql_list(tuple(seasons))})")
    frame = wh.query(
        f"select player_id, market, season, game_date, actual, did_play from {MART_TABLE} "
        f"where {' and '.join(where)} order by {', '.join(ORDER)}",
        {"before": before},
    )
    frame["game_date"] = pd.to_datetime(frame["game_date"]).dt.normalize()
    frame["actual"] = pd.to_numeric(frame["actual"], errors="coerce").astype("float64")
    frame["player_id"] = pd.to_numeric(frame["player_id"], errors="coerce").astype("Int64")
    frame["market"] = frame["market"].astype("string")
    frame["season"] = frame["season"].astype("string")
    frame["did_play"] = frame["did_play"].astype("boolean")
    return frame


def mart_seasons(wh: Warehouse, before: date | None = None) -> list[str]:
    """Seasons present in the mart (before ``before`` if given), oldest first."""
    sql = f"select distinct season from {MART_TABLE}" + (" where game_date < @before" if before else "")
    return sorted(str(s) for (s,) in wh.rows(sql, {"before": before}))


def normalise_frame(frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """Types phase 5 relies on: dates as ``datetime.date``-free numpy datetimes, floats, nullable booleans."""
    out = frame.copy()
    out["game_date"] = pd.to_datetime(out["game_date"]).dt.normalize()
    for c in ("line", "opening_line", "line_movement", "actual", "quality_score", *features):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    out["player_id"] = pd.to_numeric(out["player_id"], errors="coerce").astype("Int64")
    out["game_id"] = out["game_id"].astype("string")
    for c in ("market", "row_kind", "feature_version", "player_lookup", "season"):
        out[c] = out[c].astype("string")
    out["did_play"] = out["did_play"].astype("boolean")
    out["has_line"] = out["has_line"].astype("boolean")
    return out


def played_mask(frame: pd.DataFrame) -> pd.Series:
    """Rows with a played result: an ``actual`` and ``did_play`` true (a DNP or a missing box score is neither a
    training row nor a history game)."""
    return frame["actual"].notna() & frame["did_play"].fillna(False).astype(bool)


def feature_matrix(frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    """Features as float32 in canonical order; NULL stays NaN (XGBoost's missing value)."""
    return frame[features].to_numpy(dtype="float32", na_value=np.nan)


def required_nulls(frame: pd.DataFrame, features: list[str]) -> pd.Series:
    """Per row, the required columns that are NULL, comma-joined ('' when none): every REQUIRED_FOR_SCORING
    column, and the REQUIRED_HISTORY features the model uses when all of them are NULL."""
    out = pd.Series("", index=frame.index, dtype="object")
    for c in REQUIRED_FOR_SCORING:
        out = out.where(frame[c].notna(), out + ", " + c)
    history = [f for f in REQUIRED_HISTORY if f in features]
    if history:
        none = frame[history].isna().all(axis=1)
        out = out.where(
            ~none, out + ", " + ", ".join(history) + " (none of the player's recent games has this market's stat)"
        )
    return out.str.lstrip(", ")
