"""`nbaprops monitor --date D`: prediction coverage, scraper health, source blocks, freshness and the injury report
for a date,
with alerts to a Slack-compatible webhook (NBAPROPS_ALERT_WEBHOOK_URL) and a non-zero exit on critical."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from nbacore.output import Output
from nbacore.warehouse import Warehouse, as_date, utc_now
from nbaprops.runs.injury_checks import injury_checks

COVERAGE_WARN = 0.95
COVERAGE_CRITICAL = 0.85
LEVELS = ("ok", "warn", "critical")


@dataclass(frozen=True)
class Check:
    name: str
    level: str  # ok, warn, critical
    detail: str


def coverage_level(predicted: int, offered: int) -> str:
    """Lines with a prediction / lines offered: warn below 95 %, critical below 85 %; no lines is ok."""
    if offered == 0:
        return "ok"
    share = predicted / offered
    return "critical" if share < COVERAGE_CRITICAL else "warn" if share < COVERAGE_WARN else "ok"


def run_checks(wh: Warehouse, day: date, now: datetime | None = None) -> list[Check]:
    checks: list[Check] = []
    offered = (
        wh.scalar(
            "select count(*) from (select distinct game_id, player_lookup, market from analytics.prop_offers "
            "where game_date = @day and is_pregame)",
            {"day": day},
        )
        if wh.table_exists("analytics.prop_offers")
        else 0
    )
    predicted = (
        wh.scalar(
            "select count(*) from (select distinct game_id, player_lookup, market from predictions.predictions "
            "where game_date = @day and is_current)",
            {"day": day},
        )
        if wh.table_exists("predictions.predictions")
        else 0
    )
    share = f"{predicted / offered:.1%}" if offered else "n/a"
    checks.append(
        Check(
            "prediction coverage",
            coverage_level(predicted, offered),
            f"{predicted}/{offered} lines offered on {day} have a prediction ({share})",
        )
    )
    if wh.table_exists("raw.scrape_attempts"):
        rows = wh.rows(
            """select source, count(*), sum(case when classification = 'ok' then 1 else 0 end),
                      sum(case when classification in ('blocked', 'rate_limited') then 1 else 0 end)
               from raw.scrape_attempts where game_date = @day group by source order by source""",
            {"day": day},
        )
        for source, n, ok, blocked in rows:
            level = "warn" if blocked else "ok"
            checks.append(
                Check(f"scraper health: {source}", level, f"{ok}/{n} attempts ok, {blocked} blocked or rate limited")
            )
    if wh.table_exists("monitoring.scraper_source_blocks"):
        open_blocks = wh.scalar("select count(*) from monitoring.scraper_source_blocks where not is_resolved")
        checks.append(
            Check(
                "source blocks", "warn" if open_blocks else "ok", f"{open_blocks} unresolved (source, resource) blocks"
            )
        )
    checks += feed_freshness(wh, day, now or utc_now())
    checks += nothing_ran(wh, day)
    checks += [Check(*c) for c in injury_checks(wh, day)]
    return checks


# (label, raw table, the last date whose rows are due by the morning of D: box scores the night before, lines the
# same day, before tip-off). The same rule as the dbt source freshness (macros/freshness.sql), with the true age.
FEEDS = (
    ("box scores", "raw.player_game_logs", 1),
    ("prop lines", "raw.prop_snapshots", 0),
    ("game lines", "raw.game_lines", 0),
)


def feed_freshness(wh: Warehouse, day: date, now: datetime) -> list[Check]:
    """Per feed: its latest game date up to ``day``, when that date landed (true age, also on days without games),
    and whether a competitive slate after it was due. Missing a due slate is critical; no slate due says so."""
    checks = []
    for label, table, lag in FEEDS:
        due_by = day - timedelta(days=lag)
        latest = as_date(wh.scalar(f"select max(game_date) from {table} where game_date <= @day", {"day": day}))
        loaded = (
            wh.scalar(f"select max(_loaded_at) from {table} where game_date = @latest", {"latest": latest})
            if latest
            else None
        )
        last_due = as_date(
            wh.scalar(
                "select max(game_date) from raw.schedule where game_date <= @due_by "
                "and (season_type is null or season_type not in ('preseason', 'all_star'))",
                {"due_by": due_by},
            )
        )
        age = f"landed {_age(now - loaded)} ago" if loaded else "never landed"
        if last_due is None and latest is None:
            checks.append(Check(f"freshness: {label}", "ok", f"nothing landed and no game due by {due_by}"))
        elif last_due is not None and (latest is None or latest < last_due):
            checks.append(
                Check(
                    f"freshness: {label}",
                    "critical",
                    f"through {latest or 'nothing'} ({age}); the schedule has games on {last_due}, due by {due_by}",
                )
            )
        elif latest is not None and latest < due_by:
            checks.append(
                Check(
                    f"freshness: {label}",
                    "ok",
                    f"through {latest} ({age}); none due since: no competitive game from {latest} to {due_by}",
                )
            )
        else:
            checks.append(Check(f"freshness: {label}", "ok", f"through {latest} ({age})"))
    return checks


def nothing_ran(wh: Warehouse, day: date) -> list[Check]:
    """A date with no recorded phase and no scrape attempt: the morning job never ran (or ran elsewhere)."""
    phases = (
        wh.scalar("select count(*) from ops.pipeline_runs where game_date = @day", {"day": day})
        if wh.table_exists("ops.pipeline_runs")
        else 0
    )
    attempts = (
        wh.scalar("select count(*) from raw.scrape_attempts where game_date = @day", {"day": day})
        if wh.table_exists("raw.scrape_attempts")
        else 0
    )
    if phases or attempts:
        return [Check("runs", "ok", f"{phases} phase record(s) and {attempts} scrape attempt(s) for {day}")]
    return [
        Check(
            "runs",
            "critical",
            f"nothing ran for {day}: no phase in ops.pipeline_runs and no scrape attempt; run `nbaprops run --date {day}`",
        )
    ]


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def send_alert(url: str, day: date, checks: list[Check], timeout: float = 5.0) -> int:
    """POST a Slack-compatible {"text": ...} message listing the non-ok checks; returns the HTTP status."""
    bad = [c for c in checks if c.level != "ok"]
    text = f"nbaprops monitor {day}: " + "; ".join(f"[{c.level}] {c.name}: {c.detail}" for c in bad)
    request = urllib.request.Request(
        url, data=json.dumps({"text": text}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


def worst(checks: list[Check]) -> str:
    return max((c.level for c in checks), key=LEVELS.index, default="ok")


def monitor_output(day: date, checks: list[Check], alert: str | None = None) -> Output:
    """The checks of ``day`` as one structured result: the worst level, each check, and what became of the
    alert (``sent``, ``failed: ...``, or None when none was due or no webhook is set)."""
    import pandas as pd

    frame = pd.DataFrame([asdict(c) for c in checks], columns=["name", "level", "detail"])
    lines = [f"{c.level:<9} {c.name:<28} {c.detail}" for c in checks]
    if alert == "sent":
        lines.append("alert sent to the webhook")
    return Output("monitor", {"date": day, "level": worst(checks), "alert": alert}, {"checks": frame}, lines)
