"""Availability at scoring time: each line's player status in the league's injury report, and why a void was one.

The status of a line is read from the latest report published at or before the scoring time (never a later
one: ``analytics.player_injury_status`` holds each listing as the interval [report_at, valid_until)):

- listed: his printed status (Out, Doubtful, Questionable, Probable, Available) and reason;
- ``Not Listed``: a report covering his game date existed and did not list him (his team had submitted);
- NULL with ``injury_report_missing`` true: no report of that date yet, or his team had NOT YET SUBMITTED
  (unknown is not "healthy": nothing is filled in).

Out and Doubtful lines are PASS with that reason (no stake); Questionable is flagged (``injury_questionable``).
A void (the player did not play) is graded with its reason: ``listed out at scoring time`` (Out or Doubtful),
``late scratch`` (not listed, or listed Available or Probable) or ``unknown`` (no report, not yet submitted,
or Questionable).
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from nbacore.dates import EASTERN
from nbacore.warehouse import Warehouse

PLAYERS, TEAMS = "analytics.player_injury_status", "analytics.injury_report_teams"
NOT_LISTED = "Not Listed"
PASS_STATUSES = ("Out", "Doubtful")
LATE_SCRATCH_STATUSES = (NOT_LISTED, "Available", "Probable")
LISTED_OUT, LATE_SCRATCH, UNKNOWN = "listed out at scoring time", "late scratch", "unknown"
COLUMNS = {
    "injury_status": "varchar",
    "injury_reason": "varchar",
    "injury_report_at": "timestamp",
    "injury_questionable": "boolean",
    "injury_report_missing": "boolean",
    "status_as_of": "timestamp",
}


class Statuses:
    """What the injury report said at one time for one game date: listed players and the report's teams."""

    def __init__(self, at: datetime, report_at: datetime | None, players: pd.DataFrame, not_submitted: set[str]):
        self.at = at  # the scoring time (naive UTC)
        self.report_at = report_at  # the latest report of the date at or before it; None: none yet
        self.players = players  # player_id, team, injury_status, injury_reason, injury_report_at
        self.not_submitted = not_submitted  # team codes NOT YET SUBMITTED in that report


def read_statuses(wh: Warehouse, day: date, at: datetime) -> Statuses | None:
    """Statuses of ``day``'s games as of ``at`` (naive UTC), or None when the warehouse has no report models
    (built before the injury report existed: run ``nbaprops build``)."""
    if not (wh.table_exists(PLAYERS) and wh.table_exists(TEAMS)):
        return None
    report_at = wh.scalar(
        f"select max(report_at) from {TEAMS} where game_date = @day and report_at <= @at", {"day": day, "at": at}
    )
    players = wh.query(
        f"""select player_id, team, status as injury_status, reason as injury_reason, report_at as injury_report_at
            from {PLAYERS}
            where game_date = @day and player_id is not null and report_at <= @at
                and (valid_until is null or valid_until > @at)
            order by player_id, report_at""",
        {"day": day, "at": at},
    )
    nys = (
        {
            t
            for (t,) in wh.rows(
                f"select team from {TEAMS} where game_date = @day and report_at = @report_at and is_not_yet_submitted",
                {"day": day, "report_at": report_at},
            )
        }
        if report_at is not None
        else set()
    )
    return Statuses(at, report_at, players.drop_duplicates(["player_id"], keep="last"), nys)


def attach_statuses(rows: pd.DataFrame, statuses: Statuses | None) -> pd.DataFrame:
    """``rows`` (player_id, team) with the COLUMNS above and ``availability_pass`` (the PASS reason of an Out
    or Doubtful line, else None), which pricing honours before any stake is sized."""
    out = rows.copy()
    if statuses is None:
        for c in COLUMNS:
            out[c] = None
        out["injury_report_missing"] = True
        out["availability_pass"] = None
        return out
    listed = statuses.players.set_index("player_id")
    ids = pd.to_numeric(out["player_id"], errors="coerce")
    status = ids.map(listed["injury_status"]) if len(listed) else pd.Series(None, index=out.index, dtype="object")
    known = statuses.report_at is not None
    team_pending = out["team"].isin(statuses.not_submitted) if "team" in out else False
    unlisted = status.isna() & known & ~team_pending
    out["injury_status"] = status.where(status.notna(), np.where(unlisted, NOT_LISTED, None))
    out["injury_reason"] = ids.map(listed["injury_reason"]) if len(listed) else None
    out["injury_report_at"] = ids.map(listed["injury_report_at"]) if len(listed) else None
    out.loc[unlisted, "injury_report_at"] = statuses.report_at
    for c in ("injury_status", "injury_reason"):
        out[c] = out[c].astype("object").where(out[c].notna(), None)
    out["injury_questionable"] = out["injury_status"] == "Questionable"
    out["injury_report_missing"] = out["injury_status"].isna()
    out["status_as_of"] = statuses.at
    blocked = out["injury_status"].isin(PASS_STATUSES)
    out["availability_pass"] = None
    out.loc[blocked, "availability_pass"] = [
        f"listed {s} in the {_eastern(t)} ET injury report" + (f": {r}" if isinstance(r, str) and r else "")
        for s, t, r in zip(
            out.loc[blocked, "injury_status"], out.loc[blocked, "injury_report_at"], out.loc[blocked, "injury_reason"]
        )
    ]
    return out


def void_reasons(graded: pd.DataFrame) -> pd.Series:
    """Why each void was one (None where the player played or the game is not graded)."""
    void = graded["did_play"].notna() & ~graded["did_play"].fillna(True).astype(bool)
    status = graded["injury_status"] if "injury_status" in graded else pd.Series(None, index=graded.index)
    reason = np.select(
        [status.isin(PASS_STATUSES), status.isin(LATE_SCRATCH_STATUSES)], [LISTED_OUT, LATE_SCRATCH], UNKNOWN
    )
    return pd.Series(np.where(void, reason, None), index=graded.index, dtype="object")


def _eastern(moment) -> str:
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC").tz_convert(EASTERN).strftime("%Y-%m-%d %I:%M %p")
