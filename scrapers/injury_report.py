"""The league's official injury report (a PDF published through the day) -> raw.injury_reports.

Where a report is: ``<base>/referee/injury/Injury-Report_<YYYY-MM-DD>_<time>.pdf`` for its US/Eastern
publication time. Until 2025-12-21 reports came hourly and the time was ``05PM``; from 2025-12-22 they come
every 15 minutes and the time is ``05_15PM`` (``report_url``).

Which reports a scrape of game date D fetches: D's report slots on the hour, 00:00 to 23:00 ET, that are not
in the future (in the 15-minute era also the newest quarter-hour slot), skipping slots already archived. Run
every two hours on game days (README), each run fetches only what was published since the last one. A 403
or 404 for a slot is "not published": ``no_data``, not a failure (the bucket answers 403 for a missing key).
An empty report is valid (no rows). Every PDF is archived (``.pdf.gz``) before it is parsed, so a parser fix
lands old reports again with ``nbaprops replay``; a PDF the parser cannot read is a ``parse_error`` naming the
page and line (scrapers/injury_pdf.py).

Landing: each report is its own ``_source`` (``nba.com/injury-report/<file name>``), replaced by (``_source``,
``game_date``), so the table is append-only across reports and a re-fetch of one report never duplicates it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path

import pandas as pd

from nbacore.dates import EASTERN, eastern_time_exists, eastern_to_utc
from nbacore.importers.common import conform
from nbacore.raw_tables import INJURY_REPORTS
from scrapers.archive import archived_payloads
from scrapers.cdn_schedule import Slate
from scrapers.fetch import Context, Request, fetch, parse_landable
from scrapers.http import NO_DATA, utc_now
from scrapers.injury_pdf import parse_report
from scrapers.payloads import Parsed
from scrapers.results import Landing, SourceResult

SOURCE = "injury_report"
LANDED_AS = "nba.com/injury-report/"
QUARTER_HOURS_FROM = date(2025, 12, 22)  # the first day of 15-minute reports named _HH_MMAM
RESOURCE = re.compile(r"^injury_report_(\d{8})_(\d{4})$")


def report_name(report_at: datetime) -> str:
    """The published file name of the report for an ET wall-clock time, in the naming of its era."""
    hour = report_at.strftime("%I%p")  # 05PM
    if report_at.date() < QUARTER_HOURS_FROM:
        if report_at.minute:
            raise ValueError(
                f"{report_at:%Y-%m-%d %H:%M} ET: before {QUARTER_HOURS_FROM} reports were hourly; use a time on the hour"
            )
        return f"Injury-Report_{report_at:%Y-%m-%d}_{hour}.pdf"
    if report_at.minute % 15:
        raise ValueError(f"{report_at:%Y-%m-%d %H:%M} ET: reports come every 15 minutes; use :00, :15, :30 or :45")
    return f"Injury-Report_{report_at:%Y-%m-%d}_{report_at:%I}_{report_at:%M%p}.pdf"


def report_url(base_url: str, report_at: datetime) -> str:
    """The URL of the report published at ``report_at`` (naive US/Eastern wall clock)."""
    return f"{base_url.rstrip('/')}/referee/injury/{report_name(report_at)}"


def report_slots(game_date: date, now_eastern: datetime) -> list[datetime]:
    """The report times a scrape of ``game_date`` asks for (ET): on the hour through the day, none after now;
    in the 15-minute era also the newest quarter-hour slot at or before now."""
    slots = [datetime.combine(game_date, time(h)) for h in range(24)]
    slots = [s for s in slots if s <= now_eastern and eastern_time_exists(s)]
    if game_date >= QUARTER_HOURS_FROM and now_eastern.date() == game_date:
        newest = now_eastern.replace(minute=now_eastern.minute - now_eastern.minute % 15, second=0, microsecond=0)
        if newest not in slots:
            slots.append(newest)
    return slots


def resource_of(report_at: datetime) -> str:
    return f"injury_report_{report_at:%Y%m%d_%H%M}"


def report_at_of(resource: str) -> datetime | None:
    """The ET report time an archive resource name stands for (None for any other name)."""
    m = RESOURCE.match(resource)
    return datetime.strptime(f"{m[1]}{m[2]}", "%Y%m%d%H%M") if m else None


def parse_pdf(body: bytes, label: str, report_at: datetime) -> Parsed:
    """A report PDF as raw.injury_reports rows (``report_at`` ET; stored as UTC)."""
    parsed = parse_report(body, label)
    columns = [c for c in INJURY_REPORTS.columns if not c.startswith("_")]
    shift = 0.0
    if parsed.title_time is not None and parsed.title_time != report_at:
        shift = 0.2  # the title disagrees with the name it was published under: trust the rows less
    frame = pd.DataFrame(
        [
            {
                "report_at": eastern_to_utc(report_at),
                "game_date": r.game_date,
                "game_time": r.game_time,
                "matchup": r.matchup,
                "team_name": r.team_name,
                "player_name": r.player_name,
                "current_status": r.current_status,
                "reason": r.reason,
                "reason_category": r.reason_category,
                "not_yet_submitted": r.not_yet_submitted,
                "parse_confidence": round(max(0.0, r.confidence - shift), 2),
                "page": r.page,
                "line": r.line,
            }
            for r in parsed.rows
        ],
        columns=columns,
    )
    empty = None if len(frame) else "an empty report: nobody listed"
    return Parsed(rows=len(frame), value=conform(INJURY_REPORTS, frame), empty_reason=empty)


def _parser(report_at: datetime):
    return lambda body, label: parse_pdf(body, label, report_at)


def land(landing_dir: Path, game_date: date) -> Landing:
    """Every archived report published on ``game_date`` (the newest copy of each), one batch per report."""
    landing = Landing()
    newest: dict[str, object] = {}
    for payload in archived_payloads(landing_dir, SOURCE, game_date):
        if report_at_of(payload.resource) is not None:
            newest[payload.resource] = payload  # oldest first: the last one wins
    for resource, payload in sorted(newest.items()):
        report_at = report_at_of(resource)
        parsed = parse_landable(payload, landing_dir, _parser(report_at), landing.damaged)
        if parsed is None:
            continue
        landing.archived.add(resource)
        if len(parsed.value):
            landing.batches.append((INJURY_REPORTS, parsed.value, LANDED_AS + report_name(report_at)))
            landing.resources.add(resource)
        else:
            landing.notes.append(f"{report_name(report_at)}: empty report")
    return landing


def scrape(ctx: Context, slate: Slate | None, now: datetime | None = None) -> tuple[SourceResult, Landing]:
    """Fetch the date's published reports not archived yet, then land every archived report of the date.
    ``now``: naive UTC (default: the clock), which decides the slots that can exist."""
    if slate is not None and not slate.games:
        result = SourceResult(SOURCE, expected=0)
        result.notes.append("empty slate: no games scheduled, no report to fetch")
        return result, Landing()
    now_eastern = (now or utc_now()).replace(tzinfo=UTC).astimezone(EASTERN).replace(tzinfo=None)
    have = {p.resource for p in archived_payloads(ctx.landing_dir, SOURCE, ctx.game_date)}
    slots = [s for s in report_slots(ctx.game_date, now_eastern) if resource_of(s) not in have]
    ctx.progress.start(SOURCE, len(slots))
    published, problems = 0, []
    for slot in slots:
        request = Request(
            source=SOURCE,
            endpoint="injury_report",
            resource_id=resource_of(slot),
            archive_name=resource_of(slot),
            url=report_url(ctx.sources.injury_base_url, slot),
            parse=_parser(slot),
            headers={"Accept": "application/pdf"},
            pacing=ctx.config.cdn_pacing,
            kind="pdf",
            absent_statuses=frozenset({403, 404}),
        )
        outcome = fetch(ctx, request)
        published += outcome.payload is not None and outcome.payload.status == 200
        if not outcome.ok and outcome.classification != NO_DATA:
            problems.append(f"{report_name(slot)}: {outcome.classification}: {outcome.error}")
    ctx.progress.finish()
    landing = land(ctx.landing_dir, ctx.game_date)
    result = SourceResult(SOURCE, expected=len(landing.archived) + len(problems), landed=len(landing.archived))
    result.problems += problems
    result.notes += landing.notes
    result.notes.append(
        f"{len(slots)} report slot(s) asked for, {published} newly published; {len(landing.archived)} report(s) "
        f"of {ctx.game_date} landed"
    )
    if slate is not None and slate.games and not landing.archived:
        result.notes.append("no report published yet for a date with games (not a failure)")
    return result, landing
