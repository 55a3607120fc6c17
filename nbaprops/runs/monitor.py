"""`nbaprops monitor --date D`: prediction coverage, scraper health, source blocks, freshness and the injury report
for a date,
with alerts to a Slack-compatible webhook (NBAPROPS_ALERT_WEBHOOK_URL) and a non-zero exit on critical."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import asdict, dataclass
from datetime import date

from nbacore.output import Output
from nbacore.warehouse import Warehouse, as_date
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


def run_checks(wh: Warehouse, day: date) -> list[Check]:
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
    latest = as_date(wh.scalar("select max(game_date) from raw.player_game_logs where game_date <= @day", {"day": day}))
    expected = as_date(
        wh.scalar("select max(game_date) from raw.schedule where game_date < @day and game_status = 3", {"day": day})
    )
    if expected is not None and (latest is None or latest < expected):
        checks.append(
            Check("freshness", "critical", f"box scores end at {latest}; the schedule has final games on {expected}")
        )
    else:
        checks.append(Check("freshness", "ok", f"box scores through {latest}; latest final slate {expected}"))
    checks += [Check(*c) for c in injury_checks(wh, day)]
    return checks


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
