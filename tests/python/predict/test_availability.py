"""Availability at scoring time (issue 17): a player the injury report lists Out at scoring time gets no pick
(PASS with the reason, no stake) and his void is graded "listed out at scoring time"; a player the report did
not list who then sat is a late scratch; the status comes from the latest report at or before scoring time."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd
import pytest

from nbacore.warehouse.duckdb_engine import DuckDBWarehouse
from predict.availability import LATE_SCRATCH, LISTED_OUT, NOT_LISTED, UNKNOWN, attach_statuses, read_statuses
from predict.config import PricingRules
from predict.grade import grade_predictions
from predict.pricing import _pick

DAY = date(2025, 11, 3)
EARLY, LATE = datetime(2025, 11, 3, 18), datetime(2025, 11, 3, 22)  # 1 p.m. and 5 p.m. ET reports (UTC)
OUT, SCRATCH, DOUBT, FINE, PENDING = 1, 2, 3, 4, 5  # player ids


@pytest.fixture()
def con():
    con = duckdb.connect()
    con.execute("create schema analytics")
    con.execute(
        """create table analytics.player_injury_status as select * from (values
           (timestamp '2025-11-03 18:00', timestamp '2025-11-03 22:00', 1, 'BOS', 'Questionable', 'Injury/Illness - Left Ankle; Sprain'),
           (timestamp '2025-11-03 22:00', null, 1, 'BOS', 'Out', 'Injury/Illness - Left Ankle; Sprain'),
           (timestamp '2025-11-03 22:00', null, 3, 'BOS', 'Questionable', 'Rest'))
           t(report_at, valid_until, player_id, team, status, reason)"""
    )
    con.execute("alter table analytics.player_injury_status add column game_date date default '2025-11-03'")
    con.execute(
        """create table analytics.injury_report_teams as select * from (values
           (timestamp '2025-11-03 18:00', date '2025-11-03', 'NYK', true),
           (timestamp '2025-11-03 18:00', date '2025-11-03', 'BOS', false),
           (timestamp '2025-11-03 22:00', date '2025-11-03', 'BOS', false),
           (timestamp '2025-11-03 22:00', date '2025-11-03', 'NYK', true))
           t(report_at, game_date, team, is_not_yet_submitted)"""
    )
    return DuckDBWarehouse.on_connection(con)


def lines() -> pd.DataFrame:
    """One points line per player, every one a clear OVER for the model (edge 0.10, EV 0.15)."""
    n = 5
    frame = pd.DataFrame(
        {
            "player_id": [OUT, SCRATCH, DOUBT, FINE, PENDING],
            "game_id": ["0022500100"] * 4 + ["0022500101"],
            "team": ["BOS", "BOS", "BOS", "BOS", "NYK"],
            "market": "points",
            "game_date": pd.Timestamp(DAY),
            "line": 20.5,
            "market_line": 20.5,
            "gate_open": True,
            "gate_reason": "open",
            "books": 4,
            "pred_mean": 24.0,
            "ma_pred": 22.0,
            "lean": "OVER",
            "fair_over": 0.5,
            "blend_p_over": 0.6,
            "model_p_over": 0.62,
            "priced_at": pd.Timestamp(EARLY),
        }
    )
    for side, edge in (("over", 0.10), ("under", -0.10)):
        frame[f"best_{side}_book"] = "fanduel"
        frame[f"best_{side}_line"] = 20.5
        frame[f"best_{side}_odds"] = -110.0
        frame[f"best_{side}_prob"] = 0.5 + edge
        frame[f"best_{side}_fair"] = 0.5
        frame[f"best_{side}_edge"] = edge
        frame[f"best_{side}_ev"] = edge * 1.5
        frame[f"best_{side}_push"] = 0.0
    assert len(frame) == n
    return frame


def test_status_is_the_latest_report_at_or_before_scoring_time(con):
    early = attach_statuses(lines(), read_statuses(con, DAY, datetime(2025, 11, 3, 20)))
    status = dict(zip(early["player_id"], early["injury_status"]))
    assert status[OUT] == "Questionable", "the 5 p.m. report is not known at 3 p.m."
    assert status[SCRATCH] == NOT_LISTED and status[DOUBT] == NOT_LISTED
    assert status[PENDING] is None, "NYK had not submitted: unknown, not healthy"
    assert early.set_index("player_id").loc[PENDING, "injury_report_missing"]
    late = attach_statuses(lines(), read_statuses(con, DAY, LATE))
    assert dict(zip(late["player_id"], late["injury_status"]))[OUT] == "Out"
    before_any = attach_statuses(lines(), read_statuses(con, DAY, datetime(2025, 11, 3, 12)))
    assert before_any["injury_status"].isna().all() and before_any["injury_report_missing"].all()


def test_a_player_listed_out_gets_no_pick_and_his_void_is_graded_listed_out_and_a_late_scratch_as_such(con):
    scored = attach_statuses(lines(), read_statuses(con, DAY, LATE))
    priced, _ = _pick(scored, PricingRules())
    row = priced.set_index("player_id")
    assert row.loc[OUT, "pick"] == "PASS" and row.loc[OUT, "stake"] == 0
    assert row.loc[OUT, "pass_reason"] == (
        "listed Out in the 2025-11-03 05:00 PM ET injury report: Injury/Illness - Left Ankle; Sprain"
    )
    assert row.loc[SCRATCH, "pick"] == "OVER" and row.loc[SCRATCH, "stake"] > 0
    assert row.loc[DOUBT, "pick"] == "OVER" and bool(row.loc[DOUBT, "injury_questionable"])
    assert not bool(row.loc[SCRATCH, "injury_questionable"])

    outcomes = pd.DataFrame(
        {
            "player_id": [OUT, SCRATCH, DOUBT, FINE, PENDING],
            "game_id": ["0022500100"] * 4 + ["0022500101"],
            "market": "points",
            "actual": [np.nan, np.nan, np.nan, 25.0, np.nan],
            "did_play": [False, False, False, True, False],
        }
    )
    graded = grade_predictions(priced, outcomes).set_index("player_id")
    assert graded.loc[OUT, "void_reason"] == LISTED_OUT
    assert graded.loc[SCRATCH, "void_reason"] == LATE_SCRATCH and graded.loc[SCRATCH, "pick_result"] == "void"
    assert graded.loc[DOUBT, "void_reason"] == UNKNOWN, "Questionable at scoring time is neither"
    assert graded.loc[PENDING, "void_reason"] == UNKNOWN, "his team had not submitted at scoring time: unknown"
    assert graded.loc[FINE, "void_reason"] is None and graded.loc[FINE, "pick_result"] == "win"


def test_without_the_report_models_every_status_is_unknown_and_nothing_passes_for_it():
    scored = attach_statuses(lines(), read_statuses(DuckDBWarehouse.on_connection(duckdb.connect()), DAY, LATE))
    assert scored["injury_status"].isna().all() and scored["injury_report_missing"].all()
    priced, _ = _pick(scored, PricingRules())
    assert (priced["pick"] == "OVER").all()
